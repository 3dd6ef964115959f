/* Everything a rule may use (STYLE.md sections 2 and 4): its descriptor,
 * the read-only model, and the report/fix API of the engine. A rule file
 * includes this header and nothing else of the project.
 *
 *   const struct rule rule_DW407 = {
 *       .id = "DW407", .name = "untagged-base-image",
 *       .severity = SEV_WARNING, .category = CAT_SECURITY,
 *       .status = RULE_STABLE, .fix = FIX_SOMETIMES,
 *       .summary = "base image has no tag or digest",
 *       .on = DF_ON(DF_FROM), .check = check_from,
 *       .doc = "## What it does\n...",
 *   };
 *
 * Rules never mutate the model and never print; they report findings
 * through the context, each with an optional fix made of byte-range edits. */
#ifndef DW_ANALYZER_RULE_API_H
#define DW_ANALYZER_RULE_API_H

#include "analyzer/config.h"
#include "analyzer/dockerignore.h"
#include "analyzer/model.h"
#include "analyzer/secrets.h"
#include "analyzer/shell.h"
#include "common/span.h"
#include "common/strdist.h"

#include <stdbool.h>
#include <stdint.h>

enum rule_severity { SEV_STYLE, SEV_INFO, SEV_WARNING, SEV_ERROR };

enum rule_category {
    CAT_SYNTAX,      /* DW0xx */
    CAT_CORRECTNESS, /* DW1xx */
    CAT_CACHE,       /* DW2xx: cache and layers */
    CAT_PACKAGES,    /* DW3xx: package managers */
    CAT_SECURITY,    /* DW4xx */
    CAT_CONTEXT,     /* DW5xx: build context */
    CAT_STYLE,       /* DW6xx */
};

enum rule_status {
    RULE_STABLE,
    RULE_PREVIEW, /* off unless --preview or selected by id/name */
    RULE_OFF,     /* shipped disabled: on when selected or given a severity */
    RULE_CONFIG,  /* inactive until its configuration key is set */
};

/* What the rule's fix can do (rules.md "fix" column). */
enum rule_fix { FIX_NONE, FIX_SOMETIMES, FIX_ALWAYS };

/* How safe one fix is (STYLE.md section 4). */
enum fix_safety { FIX_SAFE, FIX_UNSAFE, FIX_DISPLAY_ONLY };

/* Replaces [start, end) of the file with text (start == end inserts). */
struct edit {
    uint32_t start, end;
    struct str text;
};

/* A peer name of the rule: a hadolint id or a BuildKit check name. */
struct rule_alias {
    const char *name; /* "DL3009", "JSONArgsRecommended" */
    const char *kind; /* for rules with several kinds (DW114: "cmd", "entrypoint"); NULL */
};

struct rule_ctx; /* the engine's, opaque */

struct rule {
    const char *id;   /* "DW301" */
    const char *name; /* "apt-lists-not-cleaned" */
    enum rule_severity severity;
    enum rule_category category;
    enum rule_status status;
    enum rule_fix fix;
    const char *summary;              /* one line, shown by `dockwright rules` */
    const struct rule_alias *aliases; /* NULL-name terminated, or NULL */
    uint32_t on;                      /* DF_ON(...) mask of the instruction kinds check() gets */
    bool on_triggers;                 /* also called for ONBUILD triggers of those kinds */
    /* Called once per subscribed instruction, in file order. May be NULL. */
    void (*check)(struct rule_ctx *ctx, const struct df_instr *in);
    /* Called once per file after every check; stateful rules report here.
     * May be NULL. */
    void (*finish)(struct rule_ctx *ctx);
    /* Bytes of zeroed per-file state, reachable with rule_state(). */
    uint32_t state_size;
    /* Markdown: ## What it does, ## Why is this bad?, ## Example,
     * ## Use instead, and ## Fix safety when fix != FIX_NONE. */
    const char *doc;
    /* [ctx] rules (rules.md): the engine does not run them without a build
     * context (rule_context_dir would be NULL). */
    bool needs_context;
    /* finish() runs after every other rule has reported (for the rule that
     * judges suppressions, DW614: see rule_pragma_use). */
    bool late;
    /* RULE_CONFIG: the config key whose presence turns the rule on
     * ("trusted-registries"; see eng_config_key_known). NULL otherwise.
     * Selected by name, the rule also runs without the key: it then finds
     * the key empty in rule_config() and reports nothing. */
    const char *config_key;
    /* The keys the rule reads with rule_option_*(), NULL-terminated; NULL
     * when it has none. A config section with another key is refused by
     * eng_new (with a did-you-mean). */
    const char *const *options;
};

/* ------------------------------------------------------------- the context */

/* The file and model being checked. */
const struct df_file *rule_file(const struct rule_ctx *ctx);
const struct df_model *rule_model(const struct rule_ctx *ctx);
/* The rule's zeroed per-file state (state_size bytes). */
void *rule_state(struct rule_ctx *ctx);
/* Zeroed arena memory that lives as long as the file (for messages, fix
 * text and rule data). Zeroed because a rule that forgets to initialise a
 * count reads garbage only in optimised builds, where the sanitizers of
 * the test build do not look. */
void *rule_alloc(struct rule_ctx *ctx, size_t n);
/* As rule_alloc, not zeroed: for a large table the rule fills before it
 * reads it (zeroing kilobytes per file showed in corpus profiles). */
void *rule_alloc_uninit(struct rule_ctx *ctx, size_t n);
/* The arena behind rule_alloc, for the analyzer functions that allocate
 * from one (the shell reader, the .dockerignore walker, the secret
 * scanner): what they return lives as long as the file. */
struct arena *rule_arena(struct rule_ctx *ctx);
/* printf into arena memory. */
const char *rule_printf(struct rule_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The build context directory when one is known (--context, config), else
 * NULL: [ctx] rules return silently without it. */
const char *rule_context_dir(const struct rule_ctx *ctx);

/* The build context as COPY and ADD see it, read once per file and shared
 * by every [ctx] rule: the ignore file that applies to the Dockerfile
 * (`<name>.dockerignore` beside it or `.dockerignore`, di_find) and the
 * walk of the context under it. */
struct rule_build_context {
    const char *dir;
    /* The ignore file, NULL when there is none or BuildKit refuses it
     * (DW505 reports that; the walk then ignores nothing). */
    struct di_file *ignore;
    bool ignore_broken;
    bool ignore_exists; /* an ignore file is in effect (even a broken one) */
    /* Its path relative to dir: where a fix edits or creates it
     * (".dockerignore" when there is none); NULL when it lies outside. */
    const char *ignore_rel;
    const char *ignore_name; /* how messages name it */
    /* Its text as the fix engine sees it (with earlier passes' edits);
     * "" when it does not exist or lies outside the context. */
    struct str ignore_text;
    struct di_context *walk; /* every file of the context, with its verdict */
    /* The Dockerfile's path relative to dir; NULL when it lies outside. */
    const char *dockerfile_rel;
};
/* NULL without a context, or when the context cannot be read. */
const struct rule_build_context *rule_build_context(struct rule_ctx *ctx);
/* Reads a file of the build context (path relative to it, e.g.
 * ".dockerignore") as the fix engine sees it: with the edits that fixes of
 * earlier passes made to it (rule_finding_fix_other), so that a rule does
 * not offer the same edit twice. Returns true with *text (borrowed, valid
 * until the file is freed; "" when missing) and *exists; false when there
 * is no context directory, path leaves the context, or the file cannot be
 * read (too large, not a regular file, an I/O error). */
bool rule_context_file(struct rule_ctx *ctx, const char *path, struct str *text, bool *exists);
/* A typed option of this rule from the configuration (`<rule-name>: {key:
 * value}`); returns def when unset. A value of the wrong type is reported
 * by the engine once per file, with its config location, among
 * eng_result.warnings, and def applies. */
const char *rule_option_string(struct rule_ctx *ctx, const char *key, const char *def);
long long rule_option_int(struct rule_ctx *ctx, const char *key, long long def);
bool rule_option_bool(struct rule_ctx *ctx, const char *key, bool def);

/* The whole configuration (trusted-registries, label-schema, ...), or NULL
 * when the engine runs with defaults. Borrowed; read-only. */
const struct cfg *rule_config(const struct rule_ctx *ctx);

/* How a rule name written in a pragma resolves against the engine's
 * registry, for the rule that reports invalid pragmas (DW016). Names are
 * resolved as the engine does when it applies the pragma (rules.md
 * "Pragmas and config aliases"): DW ids in any case, rule names, peer
 * aliases, prefixes, SC codes and retired hadolint ids are VALID; in a
 * BuildKit `check=` pragma a BuildKit check name must match exactly (the
 * case-insensitive match is CASE_MISMATCH, and the engine does not apply
 * it), and `all` is VALID. */
enum rule_name_status { RULE_NAME_UNKNOWN, RULE_NAME_VALID, RULE_NAME_CASE_MISMATCH };
enum rule_name_status rule_name_check(const struct rule_ctx *ctx, struct str name,
                                      enum df_pragma_origin origin);

/* Whether name `name` of model.pragmas[pragma] suppressed a finding of
 * this file, for the rule that reports unused suppressions (DW614). Final
 * only in the finish() of a `late` rule. NOT_JUDGED when the engine
 * disregards pragmas (--no-inline-ignores), the pragma covers nothing (no
 * instruction follows), the name is unknown, a ShellCheck code or a
 * retired id, or none of the rules it names ran on this file. */
enum rule_pragma_use { RULE_PRAGMA_NOT_JUDGED, RULE_PRAGMA_USED, RULE_PRAGMA_UNUSED };
enum rule_pragma_use rule_pragma_use(const struct rule_ctx *ctx, uint32_t pragma, uint32_t name);

/* ---------------------------------------------------------------- reporting */

/* A finding under construction: report, then optionally add a related
 * location, an alias kind, a severity, and one fix. */
struct rule_finding;

/* Reports a finding of the current rule at span (the offending token, not
 * column 1). The message is copied. Returns the finding, or NULL when it is
 * suppressed (pragma, config): callers just skip building the fix. */
struct rule_finding *rule_report(struct rule_ctx *ctx, struct span span, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Which of the rule's aliases this finding corresponds to (for rules with
 * alias kinds); name must be one of rule.aliases. */
void rule_finding_alias(struct rule_finding *f, const char *alias_name);
/* Overrides the severity of this finding (DW402 in builder stages). */
void rule_finding_severity(struct rule_finding *f, enum rule_severity sev);
/* Adds a related location (e.g. the first definition of a duplicate). */
void rule_finding_related(struct rule_finding *f, struct span span, const char *message);
/* Attaches a fix: a title ("add --no-install-recommends") and edits, which
 * must not overlap (touching and empty edits at one point are fine); they
 * are copied and sorted. Only one fix per finding. Edit text is copied. */
void rule_finding_fix(struct rule_finding *f, enum fix_safety safety, const char *title,
                      const struct edit *edits, uint32_t n_edits);
/* Adds edits of another file to the finding's fix (after rule_finding_fix):
 * path is relative to the build context directory (".dockerignore"); a
 * file that does not exist is created from an insert at 0. The fix then
 * applies to both files or to neither. */
void rule_finding_fix_other(struct rule_finding *f, const char *path, const struct edit *edits,
                            uint32_t n_edits);

#endif
