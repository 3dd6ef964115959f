/* The rule engine and the fix engine. The CLI and the LSP server drive
 * them; rules register through rules/rules.h, which the caller passes in
 * (analyzer/ never includes rules/).
 *
 *   eng = eng_new(registry, n, &opts, &err)     resolve select/ignore/severity
 *   eng_lint(eng, file, &result)                  findings, sorted by offset, rule id
 *   eng_fix(eng, file, mode, &fixed)             apply fixes to a fixed point
 *
 * Names accepted wherever a rule is named (select, ignore, severity,
 * pragmas, explain): a DW id in any case, a rule name, a hadolint DL id, a
 * BuildKit check name, a block prefix (DW3, DW3xx), SCxxxx and SC. */
#ifndef DW_ANALYZER_ENGINE_H
#define DW_ANALYZER_ENGINE_H

#include "analyzer/config.h"
#include "analyzer/model.h"
#include "analyzer/rule_api.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stdint.h>

struct eng;

/* The newest rule set (rules.md "Versioned rule sets"): which rules are on
 * by default, their severities and fix applicabilities. */
#define ENG_RULE_SET 1

struct eng_options {
    const struct cfg *cfg;     /* may be NULL: defaults */
    const char *const *select; /* extra --select names (NULL-terminated), or NULL */
    const char *const *ignore; /* extra --ignore names, or NULL */
    bool preview;              /* --preview */
    bool no_inline_ignores;    /* --no-inline-ignores */
    const char *context_dir;   /* --context; NULL: the config's `context`, else none ([ctx]
                                * rules are skipped; the LSP passes the Dockerfile's
                                * directory) */
    /* When not NULL (NULL-terminated names): exactly these rules run,
     * whatever their status, select and ignore say (fixture tests). The
     * severity overrides still apply. An unknown name fails eng_new. */
    const char *const *only;
};

/* One finding, resolved: after pragmas, config and severity overrides. */
struct eng_related {
    struct span span;
    uint32_t line, col, end_line, end_col; /* 1-based, columns in bytes */
    const char *message;
};

struct eng_file_edits {
    const char *path; /* relative to the context directory */
    const struct edit *edits;
    uint32_t n_edits;
};

struct eng_fix {
    enum fix_safety safety;
    const char *title;
    const struct edit *edits; /* sorted, disjoint; edits of the Dockerfile */
    uint32_t n_edits;
    const struct eng_file_edits *others; /* edits of other files (.dockerignore) */
    uint32_t n_others;
};

struct eng_finding {
    const struct rule *rule;
    const char *alias; /* the peer alias this finding is of, or NULL */
    enum rule_severity severity;
    struct span span;
    uint32_t line, col, end_line, end_col; /* 1-based; columns in bytes */
    const char *message;
    const struct eng_related *related;
    uint32_t n_related;
    const struct eng_fix *fix; /* NULL when the finding has none */
};

struct eng_result {
    const struct eng_finding *findings; /* sorted by offset, then rule id */
    uint32_t n_findings;
    /* Problems met while linting this file that are not findings (a rule
     * option of the wrong type, a fix a rule built wrong), as one-line
     * messages for stderr. Problems of the engine's configuration (unknown
     * names in --select) are not repeated per file: see eng_warnings. */
    const char *const *warnings;
    uint32_t n_warnings;
};

/* Builds an engine for a registry (sorted by id). Fails with ERR_USAGE and a
 * message for an invalid configuration (a severity for no rule is a
 * warning, not a failure). The engine is read-only after this and may be
 * shared by threads linting different files. */
DW_NODISCARD struct eng *eng_new(const struct rule *const *registry, size_t n_rules,
                                 const struct eng_options *opts, struct err *err);
void eng_free(struct eng *e);

/* Problems eng_new found in the configuration that are not failures
 * (unknown rule names in select, ignore or severity, with where they were
 * written), as one-line messages for stderr. Borrowed from e. */
const char *const *eng_warnings(const struct eng *e, uint32_t *n);

/* Whether r runs by default in e (after status, select, ignore, severity
 * `off` and `only`). Per-kind settings and pragmas are not considered. */
bool eng_rule_enabled(const struct eng *e, const struct rule *r);

/* Whether key is a config key that can gate a RULE_CONFIG rule
 * (rule.config_key): trusted-registries, allowed-base-images,
 * label-schema. */
bool eng_config_key_known(const char *key);

/* Runs every enabled rule on f. The result lives in f's arena. Never fails
 * on the file's content. */
DW_NODISCARD int eng_lint(const struct eng *e, struct df_file *f, struct eng_result *out,
                          struct err *err);

enum eng_fix_mode { ENG_FIX_SAFE, ENG_FIX_UNSAFE };

/* The outcome of fixing: the new text of the Dockerfile and of other files
 * the fixes touched, what was applied, and what was dropped. */
struct eng_fixed_file {
    const char *path; /* NULL for the Dockerfile itself; else relative to the context */
    struct str text;  /* the complete new content */
    bool created;
};

struct eng_fixed {
    const struct eng_fixed_file *files;
    uint32_t n_files;   /* 0 when nothing changed */
    uint32_t n_applied; /* fixes applied over all passes */
    uint32_t passes;
    bool converged;             /* false: still changing after 10 passes (an engine bug) */
    const char *const *dropped; /* "DW301 at 4:1: the fix would leave a syntax error" */
    uint32_t n_dropped;
    struct df_file *result;      /* the re-parsed fixed file, never NULL on success (a fresh
                                  * parse of f's text when nothing changed); owned by the
                                  * caller: df_file_free. files, dropped and remaining live
                                  * in its arena. */
    struct eng_result remaining; /* findings left in result */
};

/* Applies fixes of `mode` (safe only, or safe + unsafe; display-only fixes
 * never) to a fixed point:
 * each pass lints, takes the fixes in offset order, skips any that overlaps
 * an earlier one, applies, re-parses; at most 10 passes. A fix that would
 * add a syntax error is dropped and reported (and tried once more on the
 * final text, where later fixes may have made it valid: fixing twice is
 * fixing once). Keeps CRLF, BOM, escape
 * directive and the lack of a final newline. Writes nothing: the caller
 * writes the files (atomically). Other files (.dockerignore) are read
 * from context_dir, else the engine's context directory, else the
 * Dockerfile's directory. f is not changed. Fails only when a fixed text
 * cannot be parsed (ERR_TOO_LARGE) or on ERR_INTERNAL. */
DW_NODISCARD int eng_fix(const struct eng *e, struct df_file *f, enum eng_fix_mode mode,
                         const char *context_dir, struct eng_fixed *out, struct err *err);

/* Looks up a rule by any accepted name; *alias receives the alias kind the
 * name denotes (NULL for DW ids and rule names). NULL when unknown. */
const struct rule *eng_rule_find(const struct rule *const *registry, size_t n_rules,
                                 const char *name, const char **alias);

const char *eng_severity_name(enum rule_severity s);
const char *eng_category_name(enum rule_category c);

#endif
