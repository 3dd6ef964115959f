/* eng_new: which rules run, and with which severity per alias kind
 * (rules.md "Severity and stability", "Pragmas and config aliases").
 *
 * Every rule starts from its status: stable rules on, preview rules on
 * with --preview, config-gated rules on when their key is set, off rules
 * off. Then select, ignore and severity entries are applied as operations
 * in layer order (defaults, HADOLINT_*, file, DOCKWRIGHT_*, command line),
 * so a later layer wins. Inside one layer the more specific entry wins, as
 * in ruff: ALL, then prefixes from short to long, then whole rules, then
 * alias kinds; at equal specificity select, then severity, then ignore. */
#include "analyzer/config_int.h"
#include "analyzer/engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op_action { OP_SELECT, OP_SEVERITY, OP_IGNORE };

struct op {
    enum op_action action;
    enum cfg_severity severity; /* OP_SEVERITY */
    const char *text;
    const struct cfg_loc *loc; /* NULL for eng_options names */
    const char *where;         /* "--select" for eng_options names */
    enum cfg_source layer;
    struct eng_name name;
    int specificity; /* 0 ALL, 1-2 prefix digits, 3 rule, 4 alias kind */
    size_t order;    /* written order, for a stable sort */
};

static int op_cmp(const void *pa, const void *pb)
{
    const struct op *a = pa, *b = pb;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    if (a->specificity != b->specificity)
        return a->specificity < b->specificity ? -1 : 1;
    if (a->action != b->action)
        return a->action < b->action ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

bool eng_config_key_known(const char *key)
{
    return key && (!strcmp(key, "trusted-registries") || !strcmp(key, "allowed-base-images") ||
                   !strcmp(key, "label-schema"));
}

static bool config_key_set(const struct cfg *c, const char *key)
{
    if (!c || !key)
        return false;
    if (!strcmp(key, "trusted-registries"))
        return c->trusted_registries.len > 0;
    if (!strcmp(key, "allowed-base-images"))
        return c->allowed_base_images.len > 0;
    if (!strcmp(key, "label-schema"))
        return c->n_label_schema > 0;
    return false;
}

static enum rule_severity sev_of(enum cfg_severity s)
{
    switch (s) {
    case CFG_SEV_ERROR: return SEV_ERROR;
    case CFG_SEV_WARNING: return SEV_WARNING;
    case CFG_SEV_INFO: return SEV_INFO;
    default: return SEV_STYLE;
    }
}

static void warn(struct eng *e, const char *fmt, ...) DW_PRINTF(2, 3);
static void warn(struct eng *e, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX + ERR_PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char **w = arena_alloc(&e->arena, (e->n_warnings + 1) * sizeof *w);
    if (e->n_warnings)
        memcpy(w, e->warnings, e->n_warnings * sizeof *w);
    w[e->n_warnings++] = arena_strdup(&e->arena, msg);
    e->warnings = w;
}

static void where_of(const struct op *o, char *out, size_t size)
{
    if (o->loc)
        cfg_loc_format(o->loc, out, size);
    else
        snprintf(out, size, "option %s", o->where);
}

/* Slots: 0 for findings without a kind, one per distinct alias kind. */
static void init_slots(struct eng *e, struct eng_rule *er)
{
    const struct rule *r = er->rule;
    uint32_t n = 1;
    for (const struct rule_alias *a = r->aliases; a && a->name; a++)
        n++;
    er->slots = ARENA_NEW_ARRAY(&e->arena, struct eng_slot, n);
    er->n_slots = 1;
    for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
        if (!a->kind)
            continue;
        bool seen = false;
        for (uint32_t i = 1; i < er->n_slots; i++)
            if (!strcmp(er->slots[i].kind, a->kind))
                seen = true;
        if (!seen)
            er->slots[er->n_slots++].kind = a->kind;
    }
}

/* In .hadolint.yaml mode a finding reached through a DL alias takes
 * hadolint's default severity (rules.md), so exit codes do not change on
 * the rules both tools share. */
static void hadolint_severities(struct eng_rule *er)
{
    const struct rule *r = er->rule;
    for (uint32_t i = 0; i < er->n_slots; i++) {
        const char *dl = NULL;
        int count = 0;
        for (const struct rule_alias *a = r->aliases; a && a->name; a++) {
            bool same = i == 0 ? a->kind == NULL : a->kind && !strcmp(a->kind, er->slots[i].kind);
            if (same && (a->name[0] == 'D' && a->name[1] == 'L')) {
                dl = a->name;
                count++;
            }
        }
        enum rule_severity s;
        if (count == 1 && eng_hadolint_severity(dl, &s)) {
            er->slots[i].severity = s;
            er->slots[i].sev_fixed = true;
        }
    }
}

static bool default_on(const struct rule *r, const struct eng_options *opts, const struct cfg *c)
{
    switch (r->status) {
    case RULE_STABLE: return true;
    case RULE_PREVIEW: return opts->preview || (c && c->preview);
    case RULE_CONFIG: return config_key_set(c, r->config_key);
    case RULE_OFF: return false;
    }
    return false;
}

static void apply_slot(struct eng_rule *er, uint32_t i, const struct op *o, bool by_default)
{
    struct eng_slot *s = &er->slots[i];
    switch (o->action) {
    case OP_SELECT:
        /* A prefix enables only what would be on by default: selecting DW6
         * must not turn on an off or preview rule of the block. */
        if (o->name.cls != ENG_NAME_PREFIX || by_default)
            s->enabled = true;
        break;
    case OP_IGNORE:
        s->enabled = false;
        er->explicitly_disabled = true;
        break;
    case OP_SEVERITY:
        if (o->severity == CFG_SEV_OFF) {
            s->enabled = false;
            er->explicitly_disabled = true;
            break;
        }
        s->severity = sev_of(o->severity);
        s->sev_fixed = true;
        /* A severity given by name turns an off rule on (rules.md). */
        if (o->name.cls != ENG_NAME_PREFIX)
            s->enabled = true;
        break;
    }
}

static void apply_op(struct eng *e, const struct op *o, const bool *by_default)
{
    for (size_t r = 0; r < e->n_rules; r++) {
        struct eng_rule *er = &e->rules[r];
        if (!eng_name_matches(e, &o->name, (uint32_t)r, NULL) &&
            !(o->name.cls == ENG_NAME_RULE && o->name.rule == r))
            continue;
        for (uint32_t i = 0; i < er->n_slots; i++) {
            if (o->name.cls == ENG_NAME_RULE && o->name.kind &&
                (!er->slots[i].kind || strcmp(er->slots[i].kind, o->name.kind)))
                continue;
            apply_slot(er, i, o, by_default[r]);
        }
    }
}

typedef VEC(struct op) op_vec;

static void push_list(op_vec *ops, const struct cfg_list *l, enum op_action action)
{
    for (size_t i = 0; i < l->len; i++) {
        struct op *o = VEC_PUSH_ZERO(ops);
        o->action = action;
        o->text = l->items[i].text;
        o->loc = &l->items[i].loc;
        o->layer = l->items[i].loc.src;
    }
}

static void push_names(op_vec *ops, const char *const *names, enum op_action action,
                       const char *where)
{
    for (size_t i = 0; names && names[i]; i++) {
        struct op *o = VEC_PUSH_ZERO(ops);
        o->action = action;
        o->text = names[i];
        o->where = where;
        /* After every config layer, the command line's own included. */
        o->layer = CFG_SRC_CLI + 1;
    }
}

static void unknown_name(struct eng *e, const struct op *o, const char *what)
{
    char where[ERR_PATH_MAX + 64];
    where_of(o, where, sizeof where);
    const char *hint = eng_name_suggest(e->registry, e->n_rules, o->text);
    if (hint)
        warn(e, "%s: unknown rule '%s' in %s (did you mean '%s'?)", where, o->text, what, hint);
    else
        warn(e, "%s: unknown rule '%s' in %s", where, o->text, what);
}

static int check_options(struct eng *e, struct err *err)
{
    const struct cfg *c = e->cfg;
    if (!c || !c->n_rules)
        return 0;
    struct cfg_rule_ref *refs = xcalloc(e->n_rules ? e->n_rules : 1, sizeof *refs);
    for (size_t i = 0; i < e->n_rules; i++)
        refs[i] = (struct cfg_rule_ref){ e->registry[i]->id, e->registry[i]->name };
    int rc = cfg_check_rules(c, refs, e->n_rules, err);
    free(refs);
    if (rc)
        return rc;
    for (size_t i = 0; i < e->n_rules; i++) {
        const struct rule *r = e->registry[i];
        const struct cfg_rule_options *o = cfg_rule_options(c, r->id, r->name);
        e->rules[i].options = o;
        if (!o)
            continue;
        size_t n = 0;
        while (r->options && r->options[n])
            n++;
        rc = cfg_option_check_keys(o, r->options, n, err);
        if (rc)
            return rc;
    }
    return 0;
}

struct eng *eng_new(const struct rule *const *registry, size_t n_rules,
                    const struct eng_options *opts, struct err *err)
{
    static const struct eng_options no_opts;
    if (!opts)
        opts = &no_opts;
    struct eng *e = xcalloc(1, sizeof *e);
    arena_init(&e->arena);
    e->registry = registry;
    e->n_rules = n_rules;
    e->cfg = opts->cfg;
    const struct cfg *c = opts->cfg;
    e->inline_ignores = !opts->no_inline_ignores && (!c || c->inline_ignores);
    const char *ctx = opts->context_dir ? opts->context_dir : c ? c->context : NULL;
    e->context_dir = ctx ? arena_strdup(&e->arena, ctx) : NULL;
    e->rules = ARENA_NEW_ARRAY(&e->arena, struct eng_rule, n_rules ? n_rules : 1);
    bool *by_default = xcalloc(n_rules ? n_rules : 1, sizeof *by_default);
    bool hadolint = c && c->mode == CFG_MODE_HADOLINT;

    for (size_t i = 0; i < n_rules; i++) {
        struct eng_rule *er = &e->rules[i];
        const struct rule *r = registry[i];
        if (i && strcmp(registry[i - 1]->id, r->id) >= 0)
            DW_BUG("rule registry not sorted by id at %s", r->id);
        er->rule = r;
        er->has_buildkit_alias = eng_rule_has_buildkit_alias(r);
        init_slots(e, er);
        by_default[i] = default_on(r, opts, c);
        for (uint32_t k = 0; k < er->n_slots; k++) {
            er->slots[k].enabled = by_default[i];
            er->slots[k].severity = r->severity;
        }
        if (hadolint)
            hadolint_severities(er);
    }

    int rc = check_options(e, err);
    if (rc) {
        if (err)
            err->code = ERR_USAGE;
        free(by_default);
        eng_free(e);
        return NULL;
    }

    /* Rule set 1 is the only one so far (rules.md "Versioned rule sets"):
     * a pin to a newer set comes from a newer dockwright's config, which
     * must keep working here. */
    if (c && c->rule_set > ENG_RULE_SET) {
        char where[ERR_PATH_MAX + 64];
        cfg_loc_format(&c->rule_set_loc, where, sizeof where);
        warn(e, "%s: rule set %u is newer than this dockwright knows; using rule set %d", where,
             c->rule_set, ENG_RULE_SET);
    }

    op_vec ops = VEC_INIT;
    if (c) {
        push_list(&ops, &c->select, OP_SELECT);
        push_list(&ops, &c->ignore, OP_IGNORE);
        for (size_t i = 0; i < c->n_severity; i++) {
            struct op *o = VEC_PUSH_ZERO(&ops);
            o->action = OP_SEVERITY;
            o->severity = c->severity[i].severity;
            o->text = c->severity[i].rule;
            o->loc = &c->severity[i].loc;
            o->layer = c->severity[i].loc.src;
        }
    }
    push_names(&ops, opts->select, OP_SELECT, "--select");
    push_names(&ops, opts->ignore, OP_IGNORE, "--ignore");
    for (size_t i = 0; i < ops.len; i++) {
        struct op *o = &ops.items[i];
        o->order = i;
        eng_name_resolve(registry, n_rules, str_from_cstr(o->text), false, &o->name);
        /* ALL, then shorter prefixes before longer ones (DW3 before DW30),
         * then rules, then alias kinds. */
        o->specificity = o->name.cls == ENG_NAME_PREFIX ? (int)strlen(o->name.prefix)
                         : o->name.kind                 ? 4
                                                        : 3;
        if (o->name.cls == ENG_NAME_UNKNOWN)
            unknown_name(e, o,
                         o->action == OP_SELECT   ? "select"
                         : o->action == OP_IGNORE ? "ignore"
                                                  : "severity");
    }
    if (ops.len)
        qsort(ops.items, ops.len, sizeof *ops.items, op_cmp);
    for (size_t i = 0; i < ops.len; i++) {
        const struct op *o = &ops.items[i];
        apply_op(e, o, by_default);
    }
    VEC_RELEASE(&ops);
    free(by_default);

    if (opts->only) {
        for (size_t i = 0; i < n_rules; i++)
            for (uint32_t k = 0; k < e->rules[i].n_slots; k++)
                e->rules[i].slots[k].enabled = false;
        for (size_t i = 0; opts->only[i]; i++) {
            struct eng_name nm;
            eng_name_resolve(registry, n_rules, str_from_cstr(opts->only[i]), false, &nm);
            if (nm.cls != ENG_NAME_RULE) {
                err_set(err, ERR_USAGE, "unknown rule '%s'", opts->only[i]);
                eng_free(e);
                return NULL;
            }
            struct eng_rule *er = &e->rules[nm.rule];
            for (uint32_t k = 0; k < er->n_slots; k++)
                er->slots[k].enabled = true;
        }
    }

    for (size_t i = 0; i < n_rules; i++) {
        struct eng_rule *er = &e->rules[i];
        for (uint32_t k = 0; k < er->n_slots; k++)
            er->enabled |= er->slots[k].enabled;
        uint32_t on = registry[i]->on;
        for (int kind = 0; kind < DF_KIND_COUNT; kind++)
            if (on & DF_ON(kind))
                e->n_by_kind[kind]++;
    }
    for (int kind = 0; kind < DF_KIND_COUNT; kind++) {
        e->by_kind[kind] = ARENA_NEW_ARRAY(&e->arena, uint32_t, e->n_by_kind[kind] + 1);
        e->run_by_kind[kind] = ARENA_NEW_ARRAY(&e->arena, struct eng_check, e->n_by_kind[kind] + 1);
        e->n_by_kind[kind] = 0;
    }
    e->stateful = ARENA_NEW_ARRAY(&e->arena, struct eng_run, n_rules + 1);
    e->finishing = ARENA_NEW_ARRAY(&e->arena, struct eng_run, n_rules + 1);
    for (size_t i = 0; i < n_rules; i++) {
        const struct rule *r = registry[i];
        bool on = e->rules[i].enabled;
        struct eng_run run = { r->finish, (uint32_t)i, r->state_size, r->needs_context, r->late };
        if (on && r->state_size)
            e->stateful[e->n_stateful++] = run;
        if (on && (r->finish || r->late))
            e->finishing[e->n_finishing++] = run;
        struct eng_check chk = { r->check, (uint32_t)i, r->needs_context, r->on_triggers };
        for (int kind = 0; kind < DF_KIND_COUNT; kind++) {
            if (!(r->on & DF_ON(kind)))
                continue;
            e->by_kind[kind][e->n_by_kind[kind]++] = (uint32_t)i;
            if (on && r->check)
                e->run_by_kind[kind][e->n_run_by_kind[kind]++] = chk;
        }
    }
    return e;
}

void eng_free(struct eng *e)
{
    if (!e)
        return;
    arena_release(&e->arena);
    free(e);
}

const char *const *eng_warnings(const struct eng *e, uint32_t *n)
{
    *n = e->n_warnings;
    return e->warnings;
}

bool eng_rule_enabled(const struct eng *e, const struct rule *r)
{
    for (size_t i = 0; i < e->n_rules; i++)
        if (e->registry[i] == r)
            return e->rules[i].enabled;
    return false;
}

const struct eng_slot *eng_slot_of(const struct eng *e, uint32_t rule, const char *kind)
{
    const struct eng_rule *er = &e->rules[rule];
    if (kind)
        for (uint32_t i = 1; i < er->n_slots; i++)
            if (!strcmp(er->slots[i].kind, kind))
                return &er->slots[i];
    return &er->slots[0];
}
