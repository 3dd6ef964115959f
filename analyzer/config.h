/* Linter configuration: `.dockwright.yaml`, `.hadolint.yaml` in a
 * compatibility mode, `DOCKWRIGHT_*` and `HADOLINT_*` environment variables
 * and command-line values, merged into one `struct cfg` (DESIGN.md
 * "Configuration", rules.md "Pragmas and config aliases" and "Additions to
 * DESIGN.md this catalogue assumes", peers/hadolint.md).
 *
 * The loader does not know the rule registry: rule names are kept as
 * written, with where they were written, and the engine resolves them
 * (unknown names there are warnings, per rules.md). Per-rule option
 * sections are kept generic; cfg_check_rules lets the engine reject those
 * that name no rule.
 *
 * Precedence, lowest first (each layer is applied in this order):
 *
 *   1. defaults (cfg_new)
 *   2. HADOLINT_* environment variables (hadolint mode only)
 *   3. the config file (.dockwright.yaml, or .hadolint.yaml in hadolint mode)
 *   4. DOCKWRIGHT_* environment variables (and NO_COLOR)
 *   5. command-line values (cfg_apply_cli)
 *
 * A scalar setting takes the value of the last layer that sets it. List
 * settings (select, ignore, trusted-registries, allowed-base-images,
 * secrets.allow, exclude, build-contexts) and severity overrides
 * concatenate in layer order; every item records its source, so the engine
 * can let a later entry win (a CLI `--ignore X` after a file `select: [X]`).
 * label-schema entries replace an earlier entry for the same label. Rule
 * option sections come from the config file only. So in hadolint mode the
 * file beats HADOLINT_* (hadolint's own order: environment, file, CLI),
 * while DOCKWRIGHT_* always beats the file. */
#ifndef DW_ANALYZER_CONFIG_H
#define DW_ANALYZER_CONFIG_H

#include "common/arena.h"
#include "common/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct cfg_rule_ref;

/* Which kind of file a configuration came from. */
enum cfg_mode {
    CFG_MODE_NONE,       /* no config file: dockwright defaults */
    CFG_MODE_DOCKWRIGHT, /* .dockwright.yaml / .dockwright.yml */
    CFG_MODE_HADOLINT,   /* .hadolint.yaml and friends: compatibility mode */
};

/* Layers, in increasing precedence. */
enum cfg_source {
    CFG_SRC_DEFAULT,
    CFG_SRC_HADOLINT_ENV,
    CFG_SRC_FILE,
    CFG_SRC_ENV,
    CFG_SRC_CLI,
};

/* Where a value was written. */
struct cfg_loc {
    enum cfg_source src;
    /* FILE: the config file's path as given to the loader; ENV and
     * HADOLINT_ENV: the variable's name; CLI: the option ("--select");
     * DEFAULT: NULL. Arena or static storage. */
    const char *origin;
    uint32_t line, col; /* FILE only: 1-based line and byte column; else 0 */
};

/* A string as written (a rule name, a pattern, a registry). */
struct cfg_item {
    const char *text; /* NUL-terminated; arena */
    struct cfg_loc loc;
};

/* A list setting; items in layer order, then in written order. */
struct cfg_list {
    struct cfg_item *items;
    size_t len;
    size_t cap; /* private */
};

/* Severity override values (`severity:` map, hadolint `override:`). */
enum cfg_severity {
    CFG_SEV_ERROR,
    CFG_SEV_WARNING,
    CFG_SEV_INFO,
    CFG_SEV_STYLE,
    CFG_SEV_OFF,
};

/* failure-threshold: the lowest severity that makes `lint` exit 1. */
enum cfg_threshold {
    CFG_FAIL_ERROR,
    CFG_FAIL_WARNING,
    CFG_FAIL_INFO,
    CFG_FAIL_STYLE,
    CFG_FAIL_NONE, /* never fail on findings */
};

struct cfg_severity_entry {
    const char *rule; /* as written: id, name, peer alias, prefix; arena */
    enum cfg_severity severity;
    struct cfg_loc loc;
};

/* label-schema types (DW123; hadolint's types). */
enum cfg_label_type {
    CFG_LABEL_TEXT,
    CFG_LABEL_URL,
    CFG_LABEL_SEMVER,
    CFG_LABEL_HASH,
    CFG_LABEL_RFC3339,
    CFG_LABEL_SPDX,
    CFG_LABEL_EMAIL,
};

struct cfg_label {
    const char *name; /* arena */
    enum cfg_label_type type;
    struct cfg_loc loc;
};

/* One entry of build-contexts: a name that COPY --from / --mount from= may
 * use (DW109), with its value when written as a mapping (`name: path`). */
struct cfg_build_context {
    const char *name;  /* arena */
    const char *value; /* arena, or NULL for the list form */
    struct cfg_loc loc;
};

enum cfg_shellcheck {
    CFG_SHELLCHECK_AUTO, /* run shellcheck when it is found */
    CFG_SHELLCHECK_ON,   /* a missing or too old shellcheck is a usage error */
    CFG_SHELLCHECK_OFF,
};

enum cfg_format {
    CFG_FORMAT_TTY,
    CFG_FORMAT_JSON,
    CFG_FORMAT_SARIF,
    CFG_FORMAT_GITHUB,
    CFG_FORMAT_GITLAB,
    CFG_FORMAT_CHECKSTYLE,
    CFG_FORMAT_GNU,
};

/* ---- per-rule options ---- */

enum cfg_value_kind { CFG_VALUE_SCALAR, CFG_VALUE_LIST };

/* A value under a rule's option section: a scalar, or a list of scalars. */
struct cfg_value {
    const char *name; /* qualified, for messages: "instruction-casing.mode" */
    enum cfg_value_kind kind;
    const char *text; /* SCALAR: NUL-terminated; arena */
    size_t len;
    bool plain;                    /* SCALAR: written unquoted (YAML types apply) */
    const struct cfg_value *items; /* LIST: the scalars */
    size_t n_items;
    struct cfg_loc loc;
};

struct cfg_rule_option {
    const char *key; /* arena */
    struct cfg_loc key_loc;
    struct cfg_value value;
};

/* `instruction-casing: {mode: consistent}`: a top-level key that is no
 * config key and holds a mapping. */
struct cfg_rule_options {
    const char *rule; /* the section's key as written; arena */
    struct cfg_loc loc;
    const struct cfg_rule_option *opts; /* in written order; null values left out */
    size_t n_opts;
};

/* Something the loader accepted but the user should hear about (unknown
 * .hadolint.yaml keys, hadolint formats without an equivalent, ...). */
struct cfg_warning {
    struct cfg_loc loc;
    const char *msg; /* arena */
};

/* ---- the configuration ---- */

/* Everything the keys mean, after all layers. Each scalar setting has a
 * `_loc` telling which layer set it (src CFG_SRC_DEFAULT: not set by the
 * user). Everything is owned by `arena`; cfg_free releases it all.
 * Relative paths from the config file (context, shellcheck.path with a
 * `/`) are resolved against `dir`; exclude globs are kept as written (they
 * are relative to `dir` when they come from the file, to the current
 * directory otherwise). */
struct cfg {
    struct arena arena;
    enum cfg_mode mode; /* of the file loaded; NONE when none */
    const char *path;   /* the config file loaded, or NULL */
    const char *dir;    /* its directory, or NULL */

    struct cfg_list select;              /* rule names to enable (off, preview rules) */
    struct cfg_list ignore;              /* rule names to disable */
    struct cfg_severity_entry *severity; /* overrides; later entries win */
    size_t n_severity, cap_severity;

    enum cfg_threshold failure_threshold; /* default warning; info in hadolint mode */
    struct cfg_loc failure_threshold_loc;

    struct cfg_list trusted_registries;  /* DW409 (`*`, `*.domain` wildcards) */
    struct cfg_list allowed_base_images; /* DW410 glob patterns */
    struct cfg_list secrets_allow;       /* secrets.allow: DW402 allow patterns */
    struct cfg_list exclude;             /* path globs left out of discovery */

    const char *context; /* build context directory, or NULL */
    struct cfg_loc context_loc;

    bool preview; /* enable preview rules */
    struct cfg_loc preview_loc;

    unsigned rule_set; /* pinned rule set; 0 = the newest */
    struct cfg_loc rule_set_loc;

    bool inline_ignores; /* honour ignore pragmas; default true */
    struct cfg_loc inline_ignores_loc;

    struct cfg_build_context *build_contexts;
    size_t n_build_contexts, cap_build_contexts;

    struct cfg_label *label_schema; /* one entry per label */
    size_t n_label_schema, cap_label_schema;
    bool strict_labels;
    struct cfg_loc strict_labels_loc;

    enum cfg_shellcheck shellcheck; /* default auto */
    struct cfg_loc shellcheck_loc;
    const char *shellcheck_path; /* NULL: look on PATH */
    struct cfg_loc shellcheck_path_loc;
    uint32_t shellcheck_timeout_ms; /* default 10000 */
    struct cfg_loc shellcheck_timeout_loc;

    enum cfg_format format; /* default tty */
    struct cfg_loc format_loc;
    bool no_color;
    struct cfg_loc no_color_loc;
    bool verbose; /* hadolint `verbose` / HADOLINT_VERBOSE */
    struct cfg_loc verbose_loc;

    struct cfg_rule_options *rules;
    size_t n_rules, cap_rules;

    struct cfg_warning *warnings; /* in the order they arose */
    size_t n_warnings, cap_warnings;
};

/* Largest config file read. */
#define CFG_MAX_FILE ((size_t)1024 * 1024)
/* Deepest YAML nesting accepted. */
#define CFG_MAX_DEPTH 64

/* A configuration holding the defaults of mode (failure-threshold warning,
 * or info for CFG_MODE_HADOLINT; inline ignores on; shellcheck auto with a
 * 10 s timeout; format tty). Owned by the caller: cfg_free. Never NULL. */
struct cfg *cfg_new(enum cfg_mode mode);
/* Frees c and everything it holds. c may be NULL. */
void cfg_free(struct cfg *c);

/* ---- layers ---- */

/* Reads a config file as the FILE layer of c, in c->mode (NONE is read as
 * DOCKWRIGHT), and records it in c->path and c->dir. On error c may hold
 * part of the file's values; discard it. Errors (err has path:line:col
 * where there is one): ERR_IO (cannot read), ERR_TOO_LARGE (over
 * CFG_MAX_FILE), ERR_SYNTAX (malformed YAML: libyaml's problem and mark;
 * more than one document; anchors, aliases or tags; nesting over
 * CFG_MAX_DEPTH; a file that is not UTF-8), ERR_INVALID (top level not a
 * mapping; a duplicate key; an unknown key, with a did-you-mean within edit
 * distance 2; a value of the wrong type, such as `failure-threshold: must
 * be one of error, warning, info, style, none`).
 *
 * YAML is read as libyaml reads YAML 1.1. Unquoted true/false/yes/no/on/off
 * (any of y, Y, yes, Yes, YES, ... as YAML 1.1 lists them) are booleans;
 * a quoted "true" is a string. An empty value (`select:`, `~`, `null`) is
 * the same as leaving the key out.
 *
 * A top-level key that is no config key is an error when it is within
 * edit distance 2 of one or holds a scalar or list; when it holds a
 * mapping (or nothing) it is kept as a rule option section, to be judged
 * by cfg_check_rules. Relative paths (context, shellcheck.path with a `/`)
 * are resolved against the file's directory.
 *
 * hadolint mode (rules.md table): `ignored` -> ignore; `override:
 * {error,warning,info,style: [codes]}` -> severity entries in written
 * order; `failure-threshold` (`ignore` means none); `no-fail: true` ->
 * failure-threshold none, whatever the file's threshold says;
 * `trustedRegistries` (one string or a list; the older spelling
 * `trusted-registries` too) -> trusted-registries; `label-schema`,
 * `strict-labels`, `no-color`, `verbose` -> the same settings;
 * `disable-ignore-pragma: true` -> inline-ignores false; `format` and
 * `formats` -> format, the first one named winning (a warning names the
 * rest), hadolint formats without an equivalent (codeclimate, codacy,
 * sonarqube, junit) -> tty with a warning, `gitlab_codeclimate` -> gitlab.
 * Keys that hadolint does not define are warnings, not errors (hadolint
 * ignores unknown keys, and a .hadolint.yaml may be shared with other
 * tools); wrong types are still errors. */
DW_NODISCARD int cfg_load_file(struct cfg *c, const char *path, struct err *err);
/* cfg_load_file on text already in memory; path names it in messages and
 * gives the directory relative paths resolve against. */
DW_NODISCARD int cfg_load_text(struct cfg *c, const char *path, const char *text, size_t len,
                               struct err *err);

/* Applies the HADOLINT_* variables as hadolint reads them:
 * HADOLINT_NOFAIL (failure-threshold none), HADOLINT_VERBOSE,
 * HADOLINT_FORMAT, HADOLINT_FAILURE_THRESHOLD, HADOLINT_OVERRIDE_ERROR /
 * _WARNING / _INFO / _STYLE and HADOLINT_IGNORE (comma lists of rule codes),
 * HADOLINT_STRICT_LABELS, HADOLINT_DISABLE_IGNORE_PRAGMA,
 * HADOLINT_TRUSTED_REGISTRIES (comma list), HADOLINT_REQUIRE_LABELS
 * (`label:type,...`). A boolean is true when its value is 1, y, yes, on or
 * true (any case), false otherwise, as in hadolint. Values hadolint would
 * drop (an unknown format, threshold or label type) become warnings and are
 * dropped. Never fails today; returns 0. */
DW_NODISCARD int cfg_apply_hadolint_env(struct cfg *c, struct err *err);

/* Applies the DOCKWRIGHT_* variables: DOCKWRIGHT_SELECT, DOCKWRIGHT_IGNORE,
 * DOCKWRIGHT_TRUSTED_REGISTRIES, DOCKWRIGHT_ALLOWED_BASE_IMAGES,
 * DOCKWRIGHT_EXCLUDE (comma lists; blanks around items are dropped),
 * DOCKWRIGHT_FAILURE_THRESHOLD, DOCKWRIGHT_FORMAT, DOCKWRIGHT_SHELLCHECK
 * (auto|on|off), DOCKWRIGHT_RULE_SET, DOCKWRIGHT_CONTEXT,
 * DOCKWRIGHT_PREVIEW, DOCKWRIGHT_NO_COLOR, DOCKWRIGHT_INLINE_IGNORES
 * (booleans: 1, 0, true, false, yes, no, on, off, any case), and NO_COLOR
 * (no-color.org: set and not empty means no colour; DOCKWRIGHT_NO_COLOR
 * decides when both are set). A variable set to the empty string counts as
 * unset. DOCKWRIGHT_CONTEXT is kept as given (relative to the current
 * directory). DOCKWRIGHT_CONFIG is read by cfg_load, not here. ERR_INVALID for a
 * bad value ("DOCKWRIGHT_PREVIEW: must be a boolean ..."); c may then hold
 * part of the layer. */
DW_NODISCARD int cfg_apply_env(struct cfg *c, struct err *err);

/* Three-valued command-line booleans: zero-initialising a struct cfg_cli
 * means "nothing given". */
enum cfg_tristate { CFG_UNSET, CFG_NO, CFG_YES };

/* Values from the command line; NULL / 0 / CFG_UNSET when not given. */
struct cfg_cli {
    const char *config;        /* --config FILE */
    const char *const *select; /* each --select value (comma lists) */
    size_t n_select;
    const char *const *ignore; /* each --ignore value (comma lists) */
    size_t n_ignore;
    const char *failure_threshold;    /* --failure-threshold */
    const char *format;               /* --format */
    const char *context;              /* --context */
    const char *rule_set;             /* --rule-set, as typed */
    const char *shellcheck;           /* --shellcheck auto|on|off */
    enum cfg_tristate preview;        /* --preview */
    enum cfg_tristate no_color;       /* --no-color */
    enum cfg_tristate inline_ignores; /* CFG_NO for --no-inline-ignores */
};

/* Applies cli as the last layer. ERR_USAGE for a bad value
 * ("--failure-threshold: must be one of error, warning, info, style,
 * none", an empty item in a comma list). cli may be NULL. */
DW_NODISCARD int cfg_apply_cli(struct cfg *c, const struct cfg_cli *cli, struct err *err);

/* ---- discovery ---- */

struct cfg_found {
    const char *path;   /* arena; NULL when nothing was found */
    enum cfg_mode mode; /* NONE when nothing was found */
};

/* Looks for the config that applies to files in start_dir: walks up from
 * start_dir (made absolute) to the filesystem root and stops at the first
 * directory holding `.dockwright.yaml` or `.dockwright.yml` (the first wins
 * when both exist) -> CFG_MODE_DOCKWRIGHT. When there is none, hadolint's
 * places in order -> CFG_MODE_HADOLINT: `.hadolint.yaml`/`.hadolint.yml` on
 * the same upward walk, then `$XDG_CONFIG_HOME/hadolint.{yaml,yml}`
 * (default `$HOME/.config`), `$HOME/.hadolint/{hadolint,config}.{yaml,yml}`,
 * `$HOME/.hadolint.{yaml,yml}`. Returns 0 with out filled (path in arena a,
 * or NULL); ERR_IO when start_dir cannot be resolved or a candidate cannot
 * be examined (other than not existing), or exists but is not a regular
 * file. */
DW_NODISCARD int cfg_find(struct arena *a, const char *start_dir, struct cfg_found *out,
                          struct err *err);

/* Turns the discovery memo on or off (off by default). While on, cfg_find
 * remembers which config names exist in each folder it probes and asks the
 * filesystem again for none of them: for a run (a lint of many files) in
 * which no config file appears or disappears. Turning it off forgets
 * everything and frees the memo. Thread-safe. */
void cfg_find_memo(bool on);

/* The mode an explicitly named config file (--config, DOCKWRIGHT_CONFIG)
 * is read in: HADOLINT when its base name is `.hadolint.yaml`,
 * `.hadolint.yml`, `hadolint.yaml` or `hadolint.yml`, or it sits in a
 * `.hadolint` directory; DOCKWRIGHT otherwise. */
enum cfg_mode cfg_mode_for_path(const char *path);

/* Everything, in precedence order: picks the file (cli->config, else
 * $DOCKWRIGHT_CONFIG, else cfg_find(start_dir); start_dir NULL means "."),
 * creates the cfg with that mode's defaults, applies HADOLINT_* when in
 * hadolint mode, the file, DOCKWRIGHT_*, then cli, and finally checks the
 * rule option sections with cfg_check_rules when rules is not NULL (the
 * registry, n_rules entries; pass it, or call cfg_check_rules yourself, or
 * a misspelt rule section goes unnoticed). No file found is not an error:
 * the defaults apply (mode NONE). Returns 0 and *out (caller frees with
 * cfg_free), or an error from any step and *out NULL. */
DW_NODISCARD int cfg_load(const char *start_dir, const struct cfg_cli *cli,
                          const struct cfg_rule_ref *rules, size_t n_rules, struct cfg **out,
                          struct err *err);

/* ---- rule names and options ---- */

/* One rule of the registry, for cfg_check_rules. */
struct cfg_rule_ref {
    const char *id;   /* "DW601" */
    const char *name; /* "instruction-casing" */
};

/* Checks every rule option section against the registry: its key must be
 * a rule's id (any case) or name, and no rule may get two sections (one by
 * id, one by name). The engine calls this once it knows the registry, since
 * a mapping under an unknown top-level key is taken for a rule section
 * while loading. ERR_INVALID at the section's key: "unknown key 'x' (did
 * you mean 'y'?)" or "options for rule 'y' given twice (first at line N)". */
DW_NODISCARD int cfg_check_rules(const struct cfg *c, const struct cfg_rule_ref *rules, size_t n,
                                 struct err *err);

/* The option section of a rule, found by id (any case) or name; either may
 * be NULL. Borrowed from c; NULL when the config has none. */
const struct cfg_rule_options *cfg_rule_options(const struct cfg *c, const char *id,
                                                const char *name);
/* The value of key in section o, or NULL when o is NULL or lacks it. */
const struct cfg_value *cfg_option(const struct cfg_rule_options *o, const char *key);
/* Checks o's keys against the keys a rule knows: ERR_INVALID "unknown key
 * 'rule.x' (did you mean 'rule.y'?)" at the first unknown one. */
DW_NODISCARD int cfg_option_check_keys(const struct cfg_rule_options *o, const char *const *keys,
                                       size_t n, struct err *err);

/* Typed reads of an option value. Each returns 0 and *out, or ERR_INVALID
 * with err at the value's file:line:col and a message naming it
 * ("instruction-casing.mode: must be one of upper, consistent"). */
DW_NODISCARD int cfg_value_string(const struct cfg_value *v, const char **out, struct err *err);
/* An unquoted YAML 1.1 boolean. */
DW_NODISCARD int cfg_value_bool(const struct cfg_value *v, bool *out, struct err *err);
/* An unquoted decimal integer within [min, max]. */
DW_NODISCARD int cfg_value_int(const struct cfg_value *v, int64_t min, int64_t max, int64_t *out,
                               struct err *err);
/* A size: a plain number of bytes or a number with a unit, B, kB/KB, MB,
 * GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), e.g. `10MiB`. */
DW_NODISCARD int cfg_value_bytes(const struct cfg_value *v, uint64_t *out, struct err *err);
/* One of n choices (exact match); *out is its index. */
DW_NODISCARD int cfg_value_enum(const struct cfg_value *v, const char *const *choices, size_t n,
                                size_t *out, struct err *err);
/* A list of strings (a single scalar is refused). *items is borrowed. */
DW_NODISCARD int cfg_value_list(const struct cfg_value *v, const struct cfg_value **items,
                                size_t *n, struct err *err);

/* ---- output helpers ---- */

/* "path:line:col", "environment variable NAME", "option --x" or
 * "default", into out (size bytes, always NUL-terminated). */
void cfg_loc_format(const struct cfg_loc *loc, char *out, size_t size);
/* "path:line:col: msg" (or "NAME: msg" for the environment). */
void cfg_warning_format(const struct cfg_warning *w, char *out, size_t size);

/* Names of the enum values, as written in configs. */
const char *cfg_severity_name(enum cfg_severity s);
const char *cfg_threshold_name(enum cfg_threshold t);
const char *cfg_label_type_name(enum cfg_label_type t);
const char *cfg_shellcheck_name(enum cfg_shellcheck s);
const char *cfg_format_name(enum cfg_format f);

#endif
