/* .dockerignore as BuildKit applies it (moby/patternmatcher and fsutil's
 * walker; spec dockerfile.md section 13, optimizations.md (h)): reading the
 * file, matching paths, choosing which ignore file applies, and a walker
 * that measures the build context: what is sent, what is left out, and what
 * a COPY/ADD source selects. */
#ifndef DW_ANALYZER_DOCKERIGNORE_H
#define DW_ANALYZER_DOCKERIGNORE_H

#include "common/compiler.h"
#include "common/span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;

struct di_prog; /* a compiled pattern; private */

/* One pattern line. */
struct di_pattern {
    struct str text;    /* cleaned, without the `!`; arena, NUL-terminated */
    uint32_t line, col; /* where it is written in the ignore file, 1-based */
    bool exclusion;     /* a `!` line: re-includes what it matches */
    const struct di_prog *prog;
};

struct di_file {
    const char *path;            /* the name given to di_load (for messages); arena */
    struct di_pattern *patterns; /* in file order */
    size_t n_patterns;
    bool has_exclusions;
};

/* Largest ignore file di_load_file reads. */
#define DI_MAX_FILE ((size_t)16 * 1024 * 1024)

/* Parses the bytes of an ignore file named name (used in messages only):
 * a UTF-8 BOM is dropped; a line whose first character is `#` is a comment
 * (`  # x` is the pattern `# x`); lines are trimmed of white space and blank
 * ones skipped; a leading `!` (trimmed again) marks an exception; the rest
 * is cleaned like Go's filepath.Clean and one leading `/` dropped, so
 * `/foo/`, `./foo` and `foo` are one pattern.
 *
 * Returns 0 and *out (arena memory) or, with err at name:line:col:
 * ERR_SYNTAX for `illegal exclusion pattern: "!"` and for a malformed
 * pattern (`syntax error in pattern: "a["`, also escapes Go's regexp
 * rejects such as `\y`), ERR_UNSUPPORTED for an escape Go's regexp accepts
 * but we do not implement (`\b`, `\x41`, `\pL`, `\Q`...), ERR_TOO_LARGE for
 * a line of 64 KiB or more (BuildKit's line reader gives up there). */
DW_NODISCARD int di_load(struct arena *a, const char *name, const char *data, size_t len,
                         struct di_file **out, struct err *err);

/* di_load on the content of the file at path (at most DI_MAX_FILE bytes);
 * ERR_IO with errno when it cannot be read. */
DW_NODISCARD int di_load_file(struct arena *a, const char *path, struct di_file **out,
                              struct err *err);

/* Whether BuildKit leaves path out of the context. path is relative to the
 * context root with `/` separators; it is cleaned first, and the root
 * itself ("", ".") is never excluded. The result is the one fsutil's walker
 * reaches visiting path's ancestors first: patterns apply in order, the last
 * one that matches decides (plain: excluded, `!`: included), and a pattern
 * that matched an ancestor directory keeps matching below it. When decider
 * is not NULL it receives the index of the deciding pattern, or -1. f NULL
 * excludes nothing. */
bool di_match(const struct di_file *f, const char *path, size_t len, int *decider);

/* The ignore file that applies to a build of dockerfile_path with context
 * context_dir: `<dockerfile_path>.dockerignore` when that file exists (it
 * replaces, never adds to, the context's), else `<context_dir>/.dockerignore`
 * when it exists. dockerfile_path "-" (stdin) or NULL skips the first.
 * Returns 0 with *out the path (arena) or NULL when neither exists; ERR_IO
 * when a candidate exists but is not a regular file or cannot be examined. */
DW_NODISCARD int di_find(struct arena *a, const char *dockerfile_path, const char *context_dir,
                         const char **out, struct err *err);

/* ---- the build context ---- */

enum di_entry_type { DI_FILE, DI_DIR, DI_SYMLINK, DI_OTHER };

struct di_entry {
    const char *path; /* relative, `/`-separated, NUL-terminated; arena */
    uint64_t size;    /* st_size for regular files, 0 for everything else */
    enum di_entry_type type;
    bool excluded; /* the ignore file leaves it out */
    bool pruned;   /* an excluded directory that was not descended into */
    int decider;   /* index of the deciding pattern, or -1 */
    uint32_t top;  /* index into di_context.tops */
};

/* Totals of one entry directly under the context root (a file counts for
 * itself, a directory for everything below it). */
struct di_top {
    const char *name;
    uint64_t included_bytes, excluded_bytes;
    uint64_t included_files, excluded_files; /* non-directory entries */
    bool pruned;                             /* some excluded directory in it was not measured */
};

struct di_context {
    /* Every entry seen, in walk order: depth first, the names of one
     * directory in byte order, a directory before what it holds. */
    struct di_entry *entries;
    size_t n_entries;
    struct di_top *tops; /* in byte order of name */
    size_t n_tops;
    uint64_t included_bytes, excluded_bytes;
    uint64_t included_files, excluded_files;
};

struct di_walk_opts {
    size_t max_entries; /* 0 means DI_MAX_ENTRIES */
    /* Descend into excluded directories even when nothing inside can be
     * re-included, so that excluded totals are exact (for reports). Without
     * it such directories are pruned, as BuildKit does. */
    bool measure_excluded;
};

#define DI_MAX_ENTRIES ((size_t)1000000)
/* Deepest directory nesting walked (one open descriptor per level). */
#define DI_MAX_DEPTH 256

/* Walks context_dir with ignore file f (NULL: nothing ignored). Symbolic
 * links are recorded, never followed; the walk cannot leave context_dir.
 * Returns 0 and *out (arena memory), or ERR_IO with the path of a directory
 * that cannot be opened or read (excluded directories that cannot be read
 * are marked pruned instead), ERR_TOO_LARGE past max_entries entries or
 * DI_MAX_DEPTH levels. opts may be NULL. */
DW_NODISCARD int di_walk(struct arena *a, const char *context_dir, const struct di_file *f,
                         const struct di_walk_opts *opts, struct di_context **out, struct err *err);

/* What one COPY/ADD source selects in a walked context. */
struct di_selection {
    const struct di_entry **entries; /* included entries, walk order; arena */
    size_t n_entries;
    uint64_t bytes; /* total size of the selected non-directory entries */
    uint64_t files; /* how many of those */
    /* Entries the source names that the ignore file leaves out (BuildKit's
     * CopyIgnoredFile): excluded entries it selects, and pruned excluded
     * directories it may reach into. */
    const struct di_entry **ignored;
    size_t n_ignored;
    const char *cleaned; /* the source as matched; arena */
};

/* Applies one already-expanded COPY/ADD source: cleaned as if rooted at the
 * context (`../../x` is `x`, so it cannot leave the context), then matched
 * with Go's filepath.Match against every path (so `*` and `?` stay inside
 * one segment); a matched directory selects everything below it; `.` (or an
 * empty source) selects everything. Returns 0, or ERR_SYNTAX for a malformed
 * glob (`syntax error in pattern: "["`). */
DW_NODISCARD int di_select(struct arena *a, const struct di_context *ctx, const char *src,
                           size_t len, struct di_selection *out, struct err *err);

/* Go's filepath.Match on `/`-separated names: `*` any run without `/`, `?`
 * one character but `/`, `[...]`/`[^...]` classes, `\` escapes. Returns 1
 * on a match, 0 otherwise, ERR_SYNTAX for a malformed pattern (checked in
 * full even when the name does not match). */
DW_NODISCARD int di_glob_match(const char *pattern, size_t plen, const char *name, size_t nlen);

/* Go's filepath.Clean on a `/`-separated path into arena memory: repeated
 * `/` collapsed, `.` elements dropped, `..` resolved against the element
 * before it (and dropped at the root), trailing `/` removed; "" becomes ".". */
char *di_clean(struct arena *a, const char *path, size_t len);

#endif
