/* Private to analyzer/engine_*.c: the resolved engine (which rules run,
 * with which severity per alias kind), rule-name resolution shared by the
 * selection and the pragmas, and the per-file run state behind struct
 * rule_ctx.
 *
 *   engine_names.c   names -> rules (ids, names, peer aliases, prefixes)
 *   engine_new.c     eng_new: status, select, ignore, severity, only
 *   engine_pragma.c  inline pragmas of one file and what they cover
 *   engine_run.c     eng_lint: dispatch, the rule_ctx API, sorting
 *   engine_fix.c     eng_fix: the fix applier and the fixed-point loop */
#ifndef DW_ANALYZER_ENGINE_INT_H
#define DW_ANALYZER_ENGINE_INT_H

#include "analyzer/engine.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/vec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most passes of the fix loop (STYLE.md section 4). */
#define ENG_MAX_PASSES 10

/* ------------------------------------------------------------------ names */

enum eng_name_class {
    ENG_NAME_UNKNOWN,
    ENG_NAME_RULE,         /* one rule, all kinds or one alias kind */
    ENG_NAME_PREFIX,       /* DW3, DW3xx, DW30, DW30x */
    ENG_NAME_SHELLCHECK,   /* SC, SCnnnn: accepted, matches no rule yet */
    ENG_NAME_RETIRED,      /* hadolint ids removed upstream: accepted silently */
    ENG_NAME_BUILDKIT_ALL, /* `all` in `# check=skip=`: rules with a BuildKit alias */
};

struct eng_name {
    enum eng_name_class cls;
    uint32_t rule;      /* RULE: index in the registry */
    const char *kind;   /* RULE: the alias kind it denotes, or NULL for all kinds */
    bool explicit_rule; /* RULE: written as an id, a name or an alias (not a prefix) */
    char prefix[3];     /* PREFIX: the 1 or 2 digits after "DW" (none for ALL) */
    bool case_mismatch; /* UNKNOWN: a BuildKit name that matched only ignoring case */
};

/* Resolves name against the registry. buildkit: the name comes from a
 * `# check=` pragma, where BuildKit check names are case-sensitive and
 * `all` is accepted. */
void eng_name_resolve(const struct rule *const *reg, size_t n, struct str name, bool buildkit,
                      struct eng_name *out);

/* Whether a resolved name covers a finding of rule `rule` (index) whose
 * alias kind is kind (NULL: none). */
bool eng_name_matches(const struct eng *e, const struct eng_name *nm, uint32_t rule,
                      const char *kind);

/* The alias kind of alias name `alias` of r, or NULL. */
const char *eng_alias_kind(const struct rule *r, const char *alias);
/* Whether r has a BuildKit check name among its aliases. */
bool eng_rule_has_buildkit_alias(const struct rule *r);
/* hadolint's default severity for a DL id; false when it has none (an
 * unknown id, or `ignore`). */
bool eng_hadolint_severity(const char *dl, enum rule_severity *out);
/* The closest id, name or alias within edit distance 2, or NULL. */
const char *eng_name_suggest(const struct rule *const *reg, size_t n, const char *name);

/* ----------------------------------------------------------------- engine */

/* One alias kind of a rule. Slot 0 holds findings without a kind. */
struct eng_slot {
    const char *kind; /* NULL for slot 0 */
    bool enabled;
    bool sev_fixed; /* a user override or hadolint's severity: beats the finding's own */
    enum rule_severity severity;
};

struct eng_rule {
    const struct rule *rule;
    bool enabled;             /* some slot is enabled: the rule runs */
    bool explicitly_disabled; /* an ignore or `off` named it (in-file enabling loses) */
    bool has_buildkit_alias;
    struct eng_slot *slots;
    uint32_t n_slots;
    const struct cfg_rule_options *options; /* its config section, or NULL */
};

/* An enabled rule with the fields the run reads for every file or
 * instruction copied side by side: read from each rule's own struct they
 * missed the cache once per rule. The lists hold only the rules that have
 * what they are for (a check, a state, a finish). */
struct eng_check {
    void (*check)(struct rule_ctx *ctx, const struct df_instr *in);
    uint32_t rule; /* registry index */
    bool needs_context, on_triggers;
};

struct eng_run {
    void (*finish)(struct rule_ctx *ctx);
    uint32_t rule;
    uint32_t state_size;
    bool needs_context, late;
};

struct eng {
    struct arena arena;
    const struct rule *const *registry;
    size_t n_rules;
    struct eng_rule *rules; /* registry order */
    /* Every rule subscribed to a kind (enabled or not: a file may enable
     * one), in registry order. */
    uint32_t *by_kind[DF_KIND_COUNT];
    uint32_t n_by_kind[DF_KIND_COUNT];
    /* What runs for a file that enables no other rule, in registry
     * order: the enabled rules with a state, those with a finish or late,
     * and per kind those with a check. */
    struct eng_run *stateful, *finishing;
    uint32_t n_stateful, n_finishing;
    struct eng_check *run_by_kind[DF_KIND_COUNT];
    uint32_t n_run_by_kind[DF_KIND_COUNT];
    const struct cfg *cfg;
    bool inline_ignores;
    const char *context_dir; /* arena copy, or NULL */
    const char **warnings;
    uint32_t n_warnings;
};

/* The slot of rule `rule` for alias kind `kind` (slot 0 when kind is NULL
 * or not one of the rule's kinds). */
const struct eng_slot *eng_slot_of(const struct eng *e, uint32_t rule, const char *kind);

/* ---------------------------------------------------------------- pragmas */

/* One pragma of the file, resolved. */
struct eng_pragma {
    const struct df_pragma *src;
    struct eng_name *names;
    uint32_t n_names;
    bool *used; /* per name: it covered a finding */
};

/* A name of a pragma. */
struct eng_pragma_ref {
    uint32_t item, name;
};

/* The names that cover one range (the file, an instruction, a stage),
 * each meaning listed once: a name repeated in the range (in the same or
 * another pragma) is left out, so lookups stay bounded by the registry
 * however many pragmas a file holds, and the repetition is never "used". */
struct eng_pragma_list {
    struct eng_pragma_ref *refs;
    uint32_t n;
};

/* The pragmas of one file, indexed for lookup by offset. */
struct eng_pragmas {
    struct eng_pragma *items;
    uint32_t n;
    struct eng_pragma_list global;
    struct eng_pragma_list *instr; /* per top-level instruction (NEXT scope) */
    struct eng_pragma_list *stage; /* per stage, its FROM to the next FROM (STAGE scope) */
    /* model.pragmas index -> 1 + index in items (0: the pragma covers nothing) */
    uint32_t *item_of;
};

/* Resolves the file's pragmas (arena memory of f). Nothing when the engine
 * ignores inline pragmas. */
void eng_pragmas_build(const struct eng *e, struct df_file *f, struct eng_pragmas *out);
/* Whether a finding of rule `rule` with alias kind `kind` (NULL: none)
 * starting at offset is covered by a pragma. kind_known: false while the
 * finding's kind may still be set; then only names that cover every kind
 * count. Marks the names that cover it as used when mark is true. */
bool eng_pragmas_cover(const struct eng *e, const struct df_file *f, const struct eng_pragmas *p,
                       uint32_t rule, const char *kind, bool kind_known, uint32_t offset,
                       bool mark);

/* -------------------------------------------------------------------- run */

struct eng_related_node {
    struct span span;
    const char *message;
    struct eng_related_node *next;
};

struct eng_other_node {
    const char *path;
    const struct edit *edits;
    uint32_t n_edits;
    struct eng_other_node *next;
};

struct rule_finding {
    struct rule_ctx *ctx;
    uint32_t rule; /* registry index */
    uint32_t seq;  /* report order, for a stable sort */
    const char *alias;
    bool has_severity;
    enum rule_severity severity;
    struct span span;
    const char *message;
    struct eng_related_node *related, **related_tail;
    uint32_t n_related;
    bool has_fix;
    bool fix_bad; /* a rule error made the fix unusable; it is dropped */
    enum fix_safety safety;
    const char *title;
    const struct edit *edits;
    uint32_t n_edits;
    struct eng_other_node *others, **others_tail;
    uint32_t n_others;
};

/* What the fix engine knows of other files while it works: the current
 * content of files its fixes edited, and the directory they live in. */
struct eng_overlay {
    const char *dir; /* the context directory rules see */
    /* true with the current text and whether the file exists when the fix
     * engine has it; false: read the disk. */
    bool (*lookup)(void *ud, const char *path, struct str *text, bool *exists);
    void *ud;
};

/* eng_lint with an overlay (NULL: none). */
DW_NODISCARD int eng_lint_with(const struct eng *e, struct df_file *f, const struct eng_overlay *ov,
                               struct eng_result *out, struct err *err);

/* A relative path that stays inside the directory it is relative to. */
bool eng_safe_relative_path(const char *p);

/* Largest other file (.dockerignore) read for rules and fixes. */
#define ENG_OTHER_FILE_MAX ((size_t)16 * 1024 * 1024)

/* Sorts edits by start (stable) and checks they are within [0, len] and
 * disjoint (touching and empty edits at one point are fine). */
bool eng_edits_normalize(struct edit *edits, uint32_t n, uint32_t len);

/* -------------------------------------------------------------------- fix */

/* Facts of the original file that a fixed text keeps. */
struct eng_text_facts {
    bool crlf;
    bool bom;
    bool final_newline;
};

/* Appends to out the text src with edits (sorted, disjoint) applied: bytes
 * between edits copied, inserted "\n" written as "\r\n" in a CRLF file,
 * nothing inserted before a BOM, and the final line ending (or its lack)
 * kept. facts may be NULL (plain application). Returns 0 or
 * ERR_TOO_LARGE. */
DW_NODISCARD int eng_apply_edits(struct buf *out, struct str src, const struct edit *const *edits,
                                 size_t n, const struct eng_text_facts *facts);

#endif
