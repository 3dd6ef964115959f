/* Finding the Dockerfiles `dockwright lint` checks when it is given a
 * directory (or nothing: the current directory).
 *
 * Names (editors.md section 6): a file is a Dockerfile when its name, or
 * any `.`-separated piece of it, is exactly `Dockerfile` or `Containerfile`
 * (pre-commit's `types: [dockerfile]`), or when it matches the broad hook's
 * lowercase and dash forms: `dockerfile`, `Dockerfile-dev`,
 * `containerfile.prod`, `app.dockerfile`, `x.containerfile`. Ignore files
 * (`Dockerfile.dockerignore`) are not Dockerfiles.
 *
 * The walk skips version-control and dependency folders (.git, .hg, .svn,
 * node_modules, vendor, .venv, ...; see cli_is_skipped_dir), does not
 * follow symbolic links (a link loop cannot hang it, and --fix never
 * replaces a link with a file), and leaves out what the configuration's
 * `exclude` globs match. */
#ifndef DW_CLI_DISCOVER_H
#define DW_CLI_DISCOVER_H

#include "common/compiler.h"

#include <stdbool.h>
#include <stddef.h>

struct cfg;
struct err;

/* A list of heap strings. */
struct cli_paths {
    char **items;
    size_t len, cap;
};

void cli_paths_push(struct cli_paths *p, const char *s);
/* Sorts by byte order and drops duplicates. */
void cli_paths_sort_unique(struct cli_paths *p);
void cli_paths_release(struct cli_paths *p);

/* Whether a file name (no directory part) names a Dockerfile. */
bool cli_is_dockerfile_name(const char *name);
/* Whether discovery skips a directory of this name. */
bool cli_is_skipped_dir(const char *name);

/* The `exclude` globs of a configuration, compiled. gitignore-like:
 * `*`, `?` and `[...]` match within one path segment, `**` matches any
 * number of segments; a pattern with a `/` (other than a trailing one) is
 * anchored at its base directory, one without matches the name at any
 * depth; a trailing `/` matches directories only; a leading `!` re-includes
 * what earlier patterns excluded; the last matching pattern decides.
 * Globs from the config file are relative to the file's directory, others
 * (DOCKWRIGHT_EXCLUDE) to the current directory. */
struct cli_excludes;

/* Compiles c's exclude list (c may be NULL: nothing excluded). ERR_INVALID
 * with the glob's file:line:col for a malformed glob. *out is freed with
 * cli_excludes_free. */
DW_NODISCARD int cli_excludes_new(const struct cfg *c, struct cli_excludes **out, struct err *err);
void cli_excludes_free(struct cli_excludes *ex);
/* Whether path (relative to the current directory, or absolute) is
 * excluded. ex may be NULL. */
bool cli_excludes_match(const struct cli_excludes *ex, const char *path, bool is_dir);

/* The result of a walk. */
struct cli_discovery {
    struct cli_paths files;    /* as root joined with the relative path; "./" never added */
    struct cli_paths warnings; /* folders that could not be read, one message each */
};

/* Walks root (a directory) and appends the Dockerfiles below it to
 * out->files, unsorted. A folder below root that cannot be read is a
 * warning; root itself not being readable is ERR_IO. Nesting deeper than
 * CLI_DISCOVER_MAX_DEPTH levels is not walked (a warning). */
#define CLI_DISCOVER_MAX_DEPTH 128
DW_NODISCARD int cli_discover(const char *root, const struct cli_excludes *ex,
                              struct cli_discovery *out, struct err *err);
void cli_discovery_release(struct cli_discovery *d);

/* path made absolute against the current directory and cleaned
 * lexically (`.` and `..` resolved, repeated `/` collapsed), without
 * touching the file system beyond getcwd. Heap; NULL if getcwd fails. */
char *cli_abs_path(const char *path);

#endif
