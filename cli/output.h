/* The output formats of `dockwright lint` (DESIGN.md "Command line",
 * editors.md section 7): tty, json, sarif, github, gitlab, checkstyle and
 * gnu.
 *
 * A report is made in three steps so that files can be linted in parallel
 * and still print in one deterministic order:
 *
 *   out_file(opts, file, &chunk)      one file's part, on any thread
 *   out_totals_add(&totals, file)     counts for the summary
 *   out_join(opts, chunks, n, &totals, &buf)   the whole document, in order
 *
 * out_render does all three for files already in memory (tests, stdin).
 * Formatters print messages exactly as the rules wrote them (secrets are
 * masked by the rules), with only the escaping each format requires.
 *
 * Positions: every format prints 1-based lines. Columns are 1-based byte
 * columns with an exclusive end, except SARIF, whose columns are UTF-16
 * code units (the run declares columnKind "utf16CodeUnits") and are
 * converted from the source text. */
#ifndef DW_CLI_OUTPUT_H
#define DW_CLI_OUTPUT_H

#include "analyzer/config.h"
#include "analyzer/engine.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/span.h"
#include "common/vec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Version of the JSON format (docs/json-output.md). */
#define OUT_JSON_VERSION 1
/* The rule set reported when the configuration pins none. */
#define OUT_RULE_SET_CURRENT 1

/* One linted file as the formatters see it. */
struct out_file {
    const char *path; /* as printed: as given on the command line, or discovered */
    /* The text the findings' positions refer to (after --fix: the fixed
     * text). May be NULL: no code frames, byte columns in SARIF. */
    const char *src;
    uint32_t len;
    const struct eng_finding *findings; /* sorted by offset, then rule id */
    uint32_t n_findings;
    /* Per finding, the span of the instruction it belongs to: the text that
     * SARIF and GitLab fingerprints hash, so they survive lines moving.
     * NULL (or an empty span) hashes the finding's own lines. */
    const struct span *anchors;
    /* Directory that fix edits of other files (.dockerignore) are relative
     * to, as printed; NULL means the directory of path. */
    const char *context_dir;
};

/* What the summary lines count. */
struct out_totals {
    uint32_t files; /* files linted */
    uint32_t files_with_findings;
    uint32_t by_severity[4]; /* indexed by enum rule_severity */
    uint32_t fixable_safe;   /* findings with a safe fix */
    uint32_t fixable_unsafe; /* findings with an unsafe fix */
    uint32_t fixes_applied;  /* --fix: fixes applied */
    uint32_t files_fixed;    /* --fix: files rewritten */
};

struct out_options {
    enum cfg_format format;
    bool color;               /* tty only: ANSI colours */
    const char *tool_version; /* "0.1.0" */
    unsigned rule_set;        /* reported in json and sarif */
    /* The registry, for SARIF rules[] and ruleIndex. May be NULL: rules[]
     * is then empty and results carry no ruleIndex. */
    const struct rule *const *registry;
    size_t n_rules;
    bool fix_mode;     /* --fix ran: the summary says what was fixed */
    bool unsafe_fixes; /* --unsafe-fixes: unsafe fixes count as applicable */
};

/* Independent parts of a file's output. Every format writes part 0 except
 * github, which writes errors, warnings and notices to parts 0, 1, 2 so
 * the whole report lists errors first (GitHub shows few annotations). */
#define OUT_NPARTS 3

struct out_chunk {
    struct buf part[OUT_NPARTS];
};

/* Releases a chunk's buffers; it is empty and reusable. */
void out_chunk_release(struct out_chunk *c);

/* Writes file f's part of the report into c (appending). Returns 0, or
 * ERR_TOO_LARGE when a buffer of c has a limit and it is reached. */
DW_NODISCARD int out_file(const struct out_options *o, const struct out_file *f,
                          struct out_chunk *c);

/* Adds f's findings to t. */
void out_totals_add(struct out_totals *t, const struct out_file *f, const struct out_options *o);

/* Writes the whole document to b: the format's header, the chunks' parts
 * in order (part 0 of every chunk, then part 1, ...) with the separators
 * the format needs between non-empty parts, and the footer with t. */
DW_NODISCARD int out_join(const struct out_options *o, const struct out_chunk *chunks, size_t n,
                          const struct out_totals *t, struct buf *b);

/* A report written to fp as its files are ready, in order, with the bytes
 * out_join would build: out_stream_begin writes the format's header,
 * out_stream_file a file's part 0 (it releases it; parts 1 and 2 follow
 * every file's part 0, so they are kept, moved out of c), out_stream_end
 * the kept parts and the footer with t. Output goes out in batches; a
 * report of many files never sits in memory whole. */
struct out_stream {
    const struct out_options *o;
    FILE *fp;
    struct buf batch;
    int rc;
    bool any;                    /* a non-empty part was written */
    VEC(struct out_chunk) later; /* files with parts 1 or 2, in order */
};

void out_stream_begin(struct out_stream *s, const struct out_options *o, FILE *fp);
void out_stream_file(struct out_stream *s, struct out_chunk *c);
/* Returns 0, or ERR_IO when a write failed (the rest is still attempted). */
DW_NODISCARD int out_stream_end(struct out_stream *s, const struct out_totals *t);

/* out_stream over chunks: writes the document, releasing each part once
 * written. Returns 0 or ERR_IO. */
DW_NODISCARD int out_write(const struct out_options *o, struct out_chunk *chunks, size_t n,
                           const struct out_totals *t, FILE *fp);

/* out_file and out_totals_add on every file, then out_join. */
DW_NODISCARD int out_render(const struct out_options *o, const struct out_file *files, size_t n,
                            struct buf *b);

/* ---- helpers shared by the formatters and the commands ---- */

const char *out_severity_name(enum rule_severity s);
const char *out_category_name(enum rule_category c);
const char *out_status_name(enum rule_status s);
const char *out_fix_name(enum rule_fix f);
/* The project's home page (DW_PROJECT_URL at build time); static. */
const char *out_project_url(void);
/* Appends the URL of a rule's documentation page, docs/rules/<name>.md
 * under the project's URL. */
DW_NODISCARD int out_rule_help_uri(const struct rule *r, struct buf *b);

/* Appends s (n bytes) to b, replacing every byte that is not part of a
 * valid UTF-8 sequence with U+FFFD. */
DW_NODISCARD int out_append_utf8(struct buf *b, const char *s, size_t n);
/* Appends s as out_append_utf8 does, each byte c for which esc(c) is not
 * NULL written as that string instead (esc sees only bytes below 0x80:
 * bytes of multibyte sequences and U+FFFD stay as they are). raw is scratch
 * space, kept between calls. For the escaping of a report format. */
DW_NODISCARD int out_append_escaped(struct buf *b, struct buf *raw, const char *s,
                                    const char *(*esc)(unsigned char c));
/* Appends v in decimal, as "%u" (printf costs a report more than its
 * text). */
DW_NODISCARD int out_append_u32(struct buf *b, uint32_t v);

/* The line starts of a text, for offset <-> line/column conversions. */
struct out_lines {
    const char *src;
    uint32_t len;
    uint32_t *starts; /* heap; starts[i] is the offset of line i + 1 */
    uint32_t count;
};
void out_lines_init(struct out_lines *l, const char *src, uint32_t len);
void out_lines_release(struct out_lines *l);
/* The text of 1-based line n without its line ending ("\n" or "\r\n");
 * an empty string past the end. */
struct str out_line_text(const struct out_lines *l, uint32_t n);
/* 1-based line and byte column of a byte offset (clamped to the text). */
void out_lines_locate(const struct out_lines *l, uint32_t offset, uint32_t *line, uint32_t *col);
/* Converts a 1-based byte column of line n to UTF-16 code units (1-based);
 * a column inside a UTF-8 sequence counts up to that sequence. */
uint32_t out_utf16_column(const struct out_lines *l, uint32_t n, uint32_t byte_col);

/* 64-bit FNV-1a of data, continuing from h (start with OUT_FNV_INIT). */
#define OUT_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t out_fnv1a(uint64_t h, const void *data, size_t n);

/* Fingerprint inputs of every finding of f: the hash of its rule id and the
 * normalised text of its anchor (runs of blanks and line breaks made one
 * space, trimmed), and its occurrence: 1 for the first finding of the file
 * with that hash, 2 for the second, ... Neither depends on line numbers.
 * hashes and occurrences have f->n_findings entries. */
void out_fingerprints(const struct out_file *f, uint64_t *hashes, uint32_t *occurrences);

/* Appends the path of another file a fix edits (relative to the context)
 * as printed: joined to f->context_dir, or to the directory of f->path. */
DW_NODISCARD int out_other_path(const struct out_file *f, const char *rel, struct buf *b);

/* Formatters, one per format (output_<format>.c). */
DW_NODISCARD int out_tty_file(const struct out_options *o, const struct out_file *f,
                              struct out_chunk *c);
DW_NODISCARD int out_tty_end(const struct out_options *o, const struct out_totals *t,
                             struct buf *b);
DW_NODISCARD int out_json_begin(const struct out_options *o, struct buf *b);
DW_NODISCARD int out_json_file(const struct out_options *o, const struct out_file *f,
                               struct out_chunk *c);
DW_NODISCARD int out_json_end(const struct out_options *o, const struct out_totals *t,
                              struct buf *b);
DW_NODISCARD int out_sarif_begin(const struct out_options *o, struct buf *b);
DW_NODISCARD int out_sarif_file(const struct out_options *o, const struct out_file *f,
                                struct out_chunk *c);
DW_NODISCARD int out_sarif_end(const struct out_options *o, const struct out_totals *t,
                               struct buf *b);
DW_NODISCARD int out_github_file(const struct out_options *o, const struct out_file *f,
                                 struct out_chunk *c);
DW_NODISCARD int out_github_end(const struct out_options *o, const struct out_totals *t,
                                struct buf *b);
DW_NODISCARD int out_gitlab_file(const struct out_options *o, const struct out_file *f,
                                 struct out_chunk *c);
DW_NODISCARD int out_checkstyle_file(const struct out_options *o, const struct out_file *f,
                                     struct out_chunk *c);
DW_NODISCARD int out_gnu_file(const struct out_options *o, const struct out_file *f,
                              struct out_chunk *c);

/* Appends a unified diff with 3 lines of context that turns a into b,
 * headed "--- old_name" and "+++ new_name" (as `patch -p0` reads them);
 * nothing when the texts are equal. A last line without a line ending is
 * marked "\ No newline at end of file". */
DW_NODISCARD int out_unified_diff(const char *old_name, const char *new_name, const char *a,
                                  size_t alen, const char *b, size_t blen, struct buf *out);

/* Appends the summary sentence of t ("3 problems (1 error, 2 warnings) in
 * 2 of 5 files; 2 fixable with --fix"), without a line break. */
DW_NODISCARD int out_summary_text(const struct out_options *o, const struct out_totals *t,
                                  struct buf *b);

#endif
