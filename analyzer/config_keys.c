/* The keys of .dockwright.yaml and of .hadolint.yaml (compatibility mode):
 * what each means, the type it takes, and the message when it is wrong. */
#include "analyzer/config.h"
#include "analyzer/config_int.h"
#include "common/arena.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ld {
    struct cfg *c;
    const char *path;
    struct err *err;
};

static struct cfg_loc node_loc(const struct ld *ld, const struct cfg_node *n)
{
    return (struct cfg_loc){ CFG_SRC_FILE, ld->path, n->line, n->col };
}

static DW_PRINTF(3, 4) int ld_fail(struct ld *ld, const struct cfg_node *n, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(ld->err, ERR_INVALID, "%s", msg);
    err_at(ld->err, ld->path, n->line, n->col);
    return ERR_INVALID;
}

static bool is_null(const struct cfg_node *n)
{
    return n->kind == CFG_NODE_SCALAR && n->is_null;
}

static bool is_text(const struct cfg_node *n)
{
    return n->kind == CFG_NODE_SCALAR && !n->is_null;
}

/* ---- typed values ---- */

static int want_string(struct ld *ld, const char *name, const struct cfg_node *n, const char **out)
{
    if (!is_text(n))
        return ld_fail(ld, n, "%s: must be a string", name);
    if (!n->len)
        return ld_fail(ld, n, "%s: must not be empty", name);
    *out = n->text;
    return 0;
}

static int want_bool(struct ld *ld, const char *name, const struct cfg_node *n, bool *out)
{
    int b = n->kind == CFG_NODE_SCALAR && n->plain ? cfg_yaml_bool(n->text, n->len) : -1;
    if (b < 0)
        return ld_fail(ld, n, "%s: must be true or false", name);
    *out = b;
    return 0;
}

static int want_enum(struct ld *ld, const char *name, const struct cfg_node *n,
                     const char *const *names, size_t count, int *out)
{
    int i = is_text(n) ? cfg_lookup(n->text, n->len, names, count) : -1;
    if (i < 0)
        return ld_fail(ld, n, "%s: must be one of %s", name, cfg_join(&ld->c->arena, names, count));
    *out = i;
    return 0;
}

/* A sequence of non-empty strings, appended to l. */
static int want_list(struct ld *ld, const char *name, const struct cfg_node *n, struct cfg_list *l)
{
    if (n->kind != CFG_NODE_SEQ)
        return ld_fail(ld, n, "%s: must be a list of strings", name);
    for (size_t i = 0; i < n->n_kids; i++) {
        const struct cfg_node *it = n->kids[i];
        if (!is_text(it))
            return ld_fail(ld, it, "%s: must be a list of strings", name);
        if (!it->len)
            return ld_fail(ld, it, "%s: items must not be empty", name);
        cfg_list_push(ld->c, l, it->text, it->len, node_loc(ld, it));
    }
    return 0;
}

/* A relative path written in the config file means a path next to it. */
static const char *resolve(struct ld *ld, const char *p)
{
    const char *dir = ld->c->dir;
    if (p[0] == '/' || !dir || strcmp(dir, ".") == 0)
        return arena_strdup(&ld->c->arena, p);
    return arena_printf(&ld->c->arena, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", p);
}

/* An unknown key under a known one: "unknown key 'secrets.alow' (did you
 * mean 'secrets.allow'?)". */
static int unknown_sub(struct ld *ld, const char *parent, const struct cfg_node *k,
                       const char *const *known, size_t n)
{
    const char *s = cfg_suggest(k->text, known, n);
    if (s)
        return ld_fail(ld, k, "unknown key '%s.%s' (did you mean '%s.%s'?)", parent, k->text,
                       parent, s);
    return ld_fail(ld, k, "unknown key '%s.%s'", parent, k->text);
}

/* ---- .dockwright.yaml ---- */

struct key_def {
    const char *name;
    int (*apply)(struct ld *ld, const struct key_def *def, const struct cfg_node *v);
    size_t list; /* offset of the struct cfg_list for k_list */
};

static int k_list(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    return want_list(ld, def->name, v, (struct cfg_list *)((char *)ld->c + def->list));
}

static int k_severity(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    if (v->kind != CFG_NODE_MAP)
        return ld_fail(ld, v, "%s: must be a mapping of rule names to severities", def->name);
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
        if (!k->len || k->is_null)
            return ld_fail(ld, k, "%s: rule names must not be empty", def->name);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", def->name, k->text);
        int s;
        int rc = want_enum(ld, name, val, cfg_severity_names, DW_ARRAY_LEN(cfg_severity_names), &s);
        if (rc)
            return rc;
        cfg_push_severity(ld->c, k->text, k->len, (enum cfg_severity)s, node_loc(ld, k));
    }
    return 0;
}

static int k_threshold(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    int t = 0;
    int rc =
        want_enum(ld, def->name, v, cfg_threshold_names, DW_ARRAY_LEN(cfg_threshold_names), &t);
    if (rc)
        return rc;
    ld->c->failure_threshold = (enum cfg_threshold)t;
    ld->c->failure_threshold_loc = node_loc(ld, v);
    return 0;
}

static int k_secrets(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    static const char *const known[] = { "allow" };
    if (v->kind != CFG_NODE_MAP)
        return ld_fail(ld, v, "%s: must be a mapping with the key allow", def->name);
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
        if (strcmp(k->text, "allow") != 0)
            return unknown_sub(ld, def->name, k, known, DW_ARRAY_LEN(known));
        if (is_null(val))
            continue;
        int rc = want_list(ld, "secrets.allow", val, &ld->c->secrets_allow);
        if (rc)
            return rc;
    }
    return 0;
}

static int k_context(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    const char *s = NULL;
    int rc = want_string(ld, def->name, v, &s);
    if (rc)
        return rc;
    ld->c->context = resolve(ld, s);
    ld->c->context_loc = node_loc(ld, v);
    return 0;
}

static int k_bool(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    bool b = false;
    int rc = want_bool(ld, def->name, v, &b);
    if (rc)
        return rc;
    struct cfg *c = ld->c;
    struct cfg_loc loc = node_loc(ld, v);
    if (strcmp(def->name, "preview") == 0) {
        c->preview = b;
        c->preview_loc = loc;
    } else if (strcmp(def->name, "inline-ignores") == 0) {
        c->inline_ignores = b;
        c->inline_ignores_loc = loc;
    } else if (strcmp(def->name, "strict-labels") == 0) {
        c->strict_labels = b;
        c->strict_labels_loc = loc;
    } else {
        c->no_color = b;
        c->no_color_loc = loc;
    }
    return 0;
}

static int k_rule_set(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    unsigned n;
    if (!is_text(v) || !v->plain || cfg_parse_rule_set(v->text, v->len, &n) < 0)
        return ld_fail(ld, v, "%s: must be a positive integer", def->name);
    ld->c->rule_set = n;
    ld->c->rule_set_loc = node_loc(ld, v);
    return 0;
}

static int k_build_contexts(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    if (v->kind == CFG_NODE_SEQ) {
        for (size_t i = 0; i < v->n_kids; i++) {
            const char *s = NULL;
            int rc = want_string(ld, def->name, v->kids[i], &s);
            if (rc)
                return rc;
            cfg_push_build_context(ld->c, s, NULL, node_loc(ld, v->kids[i]));
        }
        return 0;
    }
    if (v->kind == CFG_NODE_MAP) {
        for (size_t i = 0; i < v->n_kids; i += 2) {
            const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
            if (!k->len || k->is_null)
                return ld_fail(ld, k, "%s: names must not be empty", def->name);
            char name[256];
            snprintf(name, sizeof name, "%s.%s", def->name, k->text);
            const char *s = NULL;
            int rc = want_string(ld, name, val, &s);
            if (rc)
                return rc;
            cfg_push_build_context(ld->c, k->text, s, node_loc(ld, k));
        }
        return 0;
    }
    return ld_fail(ld, v, "%s: must be a list of names or a mapping of names to locations",
                   def->name);
}

static int label_schema(struct ld *ld, const char *key, const struct cfg_node *v)
{
    if (v->kind != CFG_NODE_MAP)
        return ld_fail(ld, v, "%s: must be a mapping of label names to types", key);
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
        if (!k->len || k->is_null)
            return ld_fail(ld, k, "%s: label names must not be empty", key);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", key, k->text);
        int t = 0;
        int rc =
            want_enum(ld, name, val, cfg_label_type_names, DW_ARRAY_LEN(cfg_label_type_names), &t);
        if (rc)
            return rc;
        cfg_set_label(ld->c, k->text, k->len, (enum cfg_label_type)t, node_loc(ld, k));
    }
    return 0;
}

static int k_label_schema(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    return label_schema(ld, def->name, v);
}

static int k_shellcheck(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    struct cfg *c = ld->c;
    int m;
    if (v->kind == CFG_NODE_SCALAR) {
        /* `on` and `off` are YAML 1.1 booleans; the text decides. */
        m = cfg_lookup(v->text, v->len, cfg_shellcheck_names, DW_ARRAY_LEN(cfg_shellcheck_names));
        if (m < 0 || v->is_null)
            return ld_fail(ld, v,
                           "%s: must be one of auto, on, off, or a mapping with the keys mode, "
                           "path, timeout",
                           def->name);
        c->shellcheck = (enum cfg_shellcheck)m;
        c->shellcheck_loc = node_loc(ld, v);
        return 0;
    }
    if (v->kind != CFG_NODE_MAP)
        return ld_fail(ld, v,
                       "%s: must be one of auto, on, off, or a mapping with the keys mode, path, "
                       "timeout",
                       def->name);
    static const char *const known[] = { "mode", "path", "timeout" };
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
        int which = cfg_lookup(k->text, k->len, known, DW_ARRAY_LEN(known));
        if (which < 0)
            return unknown_sub(ld, def->name, k, known, DW_ARRAY_LEN(known));
        if (is_null(val))
            continue;
        int rc;
        if (which == 0) {
            if ((rc = want_enum(ld, "shellcheck.mode", val, cfg_shellcheck_names,
                                DW_ARRAY_LEN(cfg_shellcheck_names), &m)))
                return rc;
            c->shellcheck = (enum cfg_shellcheck)m;
            c->shellcheck_loc = node_loc(ld, val);
        } else if (which == 1) {
            const char *s = NULL;
            if ((rc = want_string(ld, "shellcheck.path", val, &s)))
                return rc;
            /* A bare name is looked up on PATH; a path is relative to the
             * config file. */
            c->shellcheck_path = strchr(s, '/') ? resolve(ld, s) : arena_strdup(&c->arena, s);
            c->shellcheck_path_loc = node_loc(ld, val);
        } else {
            uint32_t ms;
            if (!is_text(val) || cfg_parse_duration_ms(val->text, val->len, &ms) < 0)
                return ld_fail(ld, val,
                               "shellcheck.timeout: must be a duration from 1ms to 1h (seconds, "
                               "or a number with the unit ms, s or m)");
            c->shellcheck_timeout_ms = ms;
            c->shellcheck_timeout_loc = node_loc(ld, val);
        }
    }
    return 0;
}

static int k_format(struct ld *ld, const struct key_def *def, const struct cfg_node *v)
{
    int f = 0;
    int rc = want_enum(ld, def->name, v, cfg_format_names, DW_ARRAY_LEN(cfg_format_names), &f);
    if (rc)
        return rc;
    ld->c->format = (enum cfg_format)f;
    ld->c->format_loc = node_loc(ld, v);
    return 0;
}

static const struct key_def dw_keys[] = {
    { "select", k_list, offsetof(struct cfg, select) },
    { "ignore", k_list, offsetof(struct cfg, ignore) },
    { "severity", k_severity, 0 },
    { "failure-threshold", k_threshold, 0 },
    { "trusted-registries", k_list, offsetof(struct cfg, trusted_registries) },
    { "allowed-base-images", k_list, offsetof(struct cfg, allowed_base_images) },
    { "secrets", k_secrets, 0 },
    { "context", k_context, 0 },
    { "preview", k_bool, 0 },
    { "rule-set", k_rule_set, 0 },
    { "inline-ignores", k_bool, 0 },
    { "build-contexts", k_build_contexts, 0 },
    { "label-schema", k_label_schema, 0 },
    { "strict-labels", k_bool, 0 },
    { "shellcheck", k_shellcheck, 0 },
    { "exclude", k_list, offsetof(struct cfg, exclude) },
    { "format", k_format, 0 },
    { "no-color", k_bool, 0 },
};

/* A mapping under a key that is no config key: a rule's options. The
 * registry is not known here, so cfg_check_rules judges the name later. */
static int rule_section(struct ld *ld, const struct cfg_node *k, const struct cfg_node *v)
{
    struct cfg *c = ld->c;
    struct cfg_rule_options *o = cfg_push_rule_options(c);
    o->rule = k->text;
    o->loc = node_loc(ld, k);
    if (is_null(v))
        return 0;
    size_t n = v->n_kids / 2;
    struct cfg_rule_option *opts = ARENA_NEW_ARRAY(&c->arena, struct cfg_rule_option, n ? n : 1);
    size_t used = 0;
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *key = v->kids[i], *val = v->kids[i + 1];
        if (!key->len || key->is_null)
            return ld_fail(ld, key, "%s: option names must not be empty", k->text);
        if (is_null(val))
            continue;
        struct cfg_rule_option *opt = &opts[used++];
        opt->key = key->text;
        opt->key_loc = node_loc(ld, key);
        struct cfg_value *cv = &opt->value;
        cv->name = arena_printf(&c->arena, "%s.%s", k->text, key->text);
        cv->loc = node_loc(ld, val);
        if (val->kind == CFG_NODE_SCALAR) {
            cv->kind = CFG_VALUE_SCALAR;
            cv->text = val->text;
            cv->len = val->len;
            cv->plain = val->plain;
            continue;
        }
        if (val->kind == CFG_NODE_MAP)
            return ld_fail(ld, val, "%s: must be a scalar or a list of scalars", cv->name);
        struct cfg_value *items =
            ARENA_NEW_ARRAY(&c->arena, struct cfg_value, val->n_kids ? val->n_kids : 1);
        for (size_t j = 0; j < val->n_kids; j++) {
            const struct cfg_node *it = val->kids[j];
            if (!is_text(it))
                return ld_fail(ld, it, "%s: must be a scalar or a list of scalars", cv->name);
            items[j] = (struct cfg_value){ .name = cv->name,
                                           .kind = CFG_VALUE_SCALAR,
                                           .text = it->text,
                                           .len = it->len,
                                           .plain = it->plain,
                                           .loc = node_loc(ld, it) };
        }
        cv->kind = CFG_VALUE_LIST;
        cv->items = items;
        cv->n_items = val->n_kids;
    }
    o->opts = opts;
    o->n_opts = used;
    return 0;
}

static int dw_unknown(struct ld *ld, const char *const *names, size_t n, const struct cfg_node *k,
                      const struct cfg_node *v)
{
    const char *s = cfg_suggest(k->text, names, n);
    if (s)
        return ld_fail(ld, k, "unknown key '%s' (did you mean '%s'?)", k->text, s);
    const char *dot = strchr(k->text, '.');
    if (dot && cfg_lookup(k->text, (size_t)(dot - k->text), names, n) >= 0)
        return ld_fail(ld, k, "unknown key '%s' (nest it: '%.*s: {%s: ...}')", k->text,
                       (int)(dot - k->text), k->text, dot + 1);
    if (v->kind == CFG_NODE_MAP || is_null(v))
        return rule_section(ld, k, v);
    return ld_fail(ld, k, "unknown key '%s'", k->text);
}

static int dockwright_file(struct ld *ld, const struct cfg_node *root)
{
    const char *names[DW_ARRAY_LEN(dw_keys)];
    for (size_t i = 0; i < DW_ARRAY_LEN(dw_keys); i++)
        names[i] = dw_keys[i].name;
    for (size_t i = 0; i < root->n_kids; i += 2) {
        const struct cfg_node *k = root->kids[i], *v = root->kids[i + 1];
        int which = cfg_lookup(k->text, k->len, names, DW_ARRAY_LEN(names));
        int rc;
        if (which < 0)
            rc = dw_unknown(ld, names, DW_ARRAY_LEN(names), k, v);
        else if (is_null(v))
            rc = 0;
        else
            rc = dw_keys[which].apply(ld, &dw_keys[which], v);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- .hadolint.yaml ---- */

static const char *const hl_names[] = {
    "ignored",      "override",          "failure-threshold",
    "no-fail",      "trustedRegistries", "trusted-registries",
    "label-schema", "strict-labels",     "disable-ignore-pragma",
    "format",       "formats",           "no-color",
    "verbose",
};

enum hl_key {
    HL_IGNORED,
    HL_OVERRIDE,
    HL_THRESHOLD,
    HL_NO_FAIL,
    HL_TRUSTED,
    HL_TRUSTED_OLD,
    HL_LABEL_SCHEMA,
    HL_STRICT_LABELS,
    HL_DISABLE_PRAGMA,
    HL_FORMAT,
    HL_FORMATS,
    HL_NO_COLOR,
    HL_VERBOSE,
};

static int hl_override(struct ld *ld, const struct cfg_node *v)
{
    if (v->kind != CFG_NODE_MAP)
        return ld_fail(ld, v,
                       "override: must be a mapping of error, warning, info, style to "
                       "lists of rule codes");
    for (size_t i = 0; i < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i], *val = v->kids[i + 1];
        /* hadolint's levels are the first four severities. */
        int level = cfg_lookup(k->text, k->len, cfg_severity_names, 4);
        if (level < 0) {
            const char *s = cfg_suggest(k->text, cfg_severity_names, 4);
            if (s)
                cfg_warn(ld->c, node_loc(ld, k),
                         "unknown key 'override.%s' ignored (did you mean 'override.%s'?)", k->text,
                         s);
            else
                cfg_warn(ld->c, node_loc(ld, k), "unknown key 'override.%s' ignored", k->text);
            continue;
        }
        if (is_null(val))
            continue;
        char name[64];
        snprintf(name, sizeof name, "override.%s", cfg_severity_names[level]);
        struct cfg_list tmp = { 0 };
        int rc = want_list(ld, name, val, &tmp);
        if (rc)
            return rc;
        for (size_t j = 0; j < tmp.len; j++)
            cfg_push_severity(ld->c, tmp.items[j].text, strlen(tmp.items[j].text),
                              (enum cfg_severity)level, tmp.items[j].loc);
    }
    return 0;
}

static int hl_format(struct ld *ld, const char *key, const struct cfg_node *v, int *format)
{
    static const char *const all[] = {
        "tty", "json",   "checkstyle", "codeclimate", "gitlab_codeclimate",
        "gnu", "codacy", "sonarqube",  "sarif",       "junit"
    };
    if (!is_text(v) || cfg_hadolint_format(v->text, v->len, format) < 0)
        return ld_fail(ld, v, "%s: must be one of %s", key,
                       cfg_join(&ld->c->arena, all, DW_ARRAY_LEN(all)));
    if (*format < 0)
        cfg_warn(ld->c, node_loc(ld, v), "format '%s' has no dockwright equivalent; using tty",
                 v->text);
    return 0;
}

static int hadolint_file(struct ld *ld, const struct cfg_node *root)
{
    struct cfg *c = ld->c;
    const struct cfg_node *no_fail = NULL; /* `no-fail: true` */
    const struct cfg_node *first_format = NULL;
    int format = -2;
    size_t n_formats = 0;
    int rc = 0;
    for (size_t i = 0; i < root->n_kids && !rc; i += 2) {
        const struct cfg_node *k = root->kids[i], *v = root->kids[i + 1];
        int which = cfg_lookup(k->text, k->len, hl_names, DW_ARRAY_LEN(hl_names));
        if (which < 0) {
            /* hadolint ignores keys it does not know, and a .hadolint.yaml
             * may be shared with other tools: say so, do not fail. */
            const char *s = cfg_suggest(k->text, hl_names, DW_ARRAY_LEN(hl_names));
            if (s)
                cfg_warn(c, node_loc(ld, k), "unknown key '%s' ignored (did you mean '%s'?)",
                         k->text, s);
            else
                cfg_warn(c, node_loc(ld, k), "unknown key '%s' ignored", k->text);
            continue;
        }
        if (is_null(v))
            continue;
        bool b = false;
        int t = 0;
        switch ((enum hl_key)which) {
        case HL_IGNORED: rc = want_list(ld, "ignored", v, &c->ignore); break;
        case HL_OVERRIDE: rc = hl_override(ld, v); break;
        case HL_THRESHOLD: {
            static const char *const th[] = {
                "error", "warning", "info", "style", "ignore", "none"
            };
            rc = want_enum(ld, "failure-threshold", v, th, DW_ARRAY_LEN(th), &t);
            if (!rc) {
                c->failure_threshold = t >= 4 ? CFG_FAIL_NONE : (enum cfg_threshold)t;
                c->failure_threshold_loc = node_loc(ld, v);
            }
            break;
        }
        case HL_NO_FAIL:
            rc = want_bool(ld, "no-fail", v, &b);
            if (!rc && b)
                no_fail = v;
            break;
        case HL_TRUSTED:
        case HL_TRUSTED_OLD:
            /* hadolint takes one string or a list. */
            if (is_text(v) && v->len)
                cfg_list_push(c, &c->trusted_registries, v->text, v->len, node_loc(ld, v));
            else
                rc = want_list(ld, hl_names[which], v, &c->trusted_registries);
            break;
        case HL_LABEL_SCHEMA: rc = label_schema(ld, "label-schema", v); break;
        case HL_STRICT_LABELS:
            rc = want_bool(ld, "strict-labels", v, &c->strict_labels);
            c->strict_labels_loc = node_loc(ld, v);
            break;
        case HL_DISABLE_PRAGMA:
            rc = want_bool(ld, "disable-ignore-pragma", v, &b);
            if (!rc) {
                c->inline_ignores = !b;
                c->inline_ignores_loc = node_loc(ld, v);
            }
            break;
        case HL_FORMAT:
        case HL_FORMATS: {
            /* dockwright writes one format: the first one named wins. */
            if (which == HL_FORMATS && v->kind != CFG_NODE_SEQ) {
                rc = ld_fail(ld, v, "formats: must be a list of strings");
                break;
            }
            size_t n = which == HL_FORMAT ? 1 : v->n_kids;
            for (size_t j = 0; j < n && !rc; j++) {
                const struct cfg_node *it = which == HL_FORMAT ? v : v->kids[j];
                int f = 0;
                rc = hl_format(ld, hl_names[which], it, &f);
                if (!rc && n_formats++ == 0) {
                    first_format = it;
                    format = f;
                }
            }
            break;
        }
        case HL_NO_COLOR:
            rc = want_bool(ld, "no-color", v, &c->no_color);
            c->no_color_loc = node_loc(ld, v);
            break;
        case HL_VERBOSE:
            rc = want_bool(ld, "verbose", v, &c->verbose);
            c->verbose_loc = node_loc(ld, v);
            break;
        }
    }
    if (rc)
        return rc;
    if (no_fail) {
        /* hadolint never fails with no-fail, whatever the threshold. */
        c->failure_threshold = CFG_FAIL_NONE;
        c->failure_threshold_loc = node_loc(ld, no_fail);
    }
    if (first_format) {
        c->format = format < 0 ? CFG_FORMAT_TTY : (enum cfg_format)format;
        c->format_loc = node_loc(ld, first_format);
        if (n_formats > 1)
            cfg_warn(c, node_loc(ld, first_format),
                     "dockwright writes one output format; using '%s', ignoring the other %zu",
                     first_format->text, n_formats - 1);
    }
    return 0;
}

int cfg_interpret(struct cfg *c, const char *path, const struct cfg_node *root, struct err *err)
{
    struct ld ld = { c, path, err };
    if (!root || is_null(root))
        return 0;
    if (root->kind != CFG_NODE_MAP)
        return ld_fail(&ld, root, "config must be a mapping of keys to values");
    if (c->mode == CFG_MODE_HADOLINT)
        return hadolint_file(&ld, root);
    return dockwright_file(&ld, root);
}
