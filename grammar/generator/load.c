/* grammar.json -> struct input_grammar. The schema is tree-sitter's: see
 * the abi note section 8 ("Input"). Every rule node gets its path so that
 * later stages can say where a problem is. */
#include "tsgen_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct loader {
    struct arena *a;
    struct err *err;
};

static int fail(struct loader *ld, const char *path, const char *what, const char *name)
{
    if (name)
        return err_set(ld->err, ERR_INVALID, "%s: %s '%s'", path, what, name);
    return err_set(ld->err, ERR_INVALID, "%s: %s", path, what);
}

static const char *sub_path(struct loader *ld, const char *path, const char *member)
{
    return arena_printf(ld->a, "%s.%s", path, member);
}

static const char *index_path(struct loader *ld, const char *path, size_t i)
{
    return arena_printf(ld->a, "%s[%zu]", path, i);
}

/* A string member; *out stays NULL when absent and optional. */
static int get_string(struct loader *ld, json_t *obj, const char *key, const char *path,
                      bool required, const char **out, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) {
        if (!required)
            return 0;
        return err_set(ld->err, ERR_INVALID, "%s: missing '%s'", path, key);
    }
    if (!json_is_string(v))
        return err_set(ld->err, ERR_INVALID, "%s.%s: expected a string", path, key);
    size_t n = json_string_length(v);
    *out = arena_strndup(ld->a, json_string_value(v), n);
    if (len)
        *len = n;
    return 0;
}

static int load_rule(struct loader *ld, json_t *j, const char *path, int depth, struct rule **out);

static int load_content(struct loader *ld, json_t *j, const char *path, int depth, struct rule *r)
{
    json_t *c = json_object_get(j, "content");
    if (!c)
        return err_set(ld->err, ERR_INVALID, "%s: missing 'content'", path);
    return load_rule(ld, c, sub_path(ld, path, "content"), depth + 1, &r->content);
}

static int load_prec_value(struct loader *ld, json_t *j, const char *path, bool int_only,
                           struct prec *p)
{
    json_t *v = json_object_get(j, "value");
    if (!v)
        return err_set(ld->err, ERR_INVALID, "%s: missing 'value'", path);
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < INT32_MIN || x > INT32_MAX)
            return err_set(ld->err, ERR_INVALID, "%s.value: precedence %lld out of range", path,
                           (long long)x);
        p->kind = PREC_INT;
        p->value = (int32_t)x;
        return 0;
    }
    if (!int_only && json_is_string(v)) {
        p->kind = PREC_NAME;
        p->name = arena_strdup(ld->a, json_string_value(v));
        return 0;
    }
    return err_set(ld->err, ERR_INVALID, "%s.value: expected %s", path,
                   int_only ? "an integer" : "an integer or a precedence name");
}

static const struct {
    const char *name;
    enum rule_kind kind;
} rule_kinds[] = {
    { "BLANK", RULE_BLANK },
    { "STRING", RULE_STRING },
    { "PATTERN", RULE_PATTERN },
    { "SYMBOL", RULE_SYMBOL },
    { "SEQ", RULE_SEQ },
    { "CHOICE", RULE_CHOICE },
    { "REPEAT", RULE_REPEAT },
    { "REPEAT1", RULE_REPEAT1 },
    { "TOKEN", RULE_TOKEN },
    { "IMMEDIATE_TOKEN", RULE_IMMEDIATE_TOKEN },
    { "FIELD", RULE_FIELD },
    { "ALIAS", RULE_ALIAS },
    { "PREC", RULE_PREC },
    { "PREC_LEFT", RULE_PREC_LEFT },
    { "PREC_RIGHT", RULE_PREC_RIGHT },
    { "PREC_DYNAMIC", RULE_PREC_DYNAMIC },
};

/* Rules nest as deep as the JSON does; jansson itself stops at 2048
 * levels, and we refuse well before our own recursion could matter. */
#define MAX_RULE_DEPTH 1000

static int load_rule(struct loader *ld, json_t *j, const char *path, int depth, struct rule **out)
{
    if (depth > MAX_RULE_DEPTH)
        return fail(ld, path, "rule nesting too deep", NULL);
    if (!json_is_object(j))
        return fail(ld, path, "expected a rule object", NULL);
    json_t *t = json_object_get(j, "type");
    if (!t || !json_is_string(t))
        return fail(ld, path, "rule without a string 'type'", NULL);
    const char *type = json_string_value(t);
    size_t k = 0;
    while (k < DW_ARRAY_LEN(rule_kinds) && strcmp(rule_kinds[k].name, type) != 0)
        k++;
    if (k == DW_ARRAY_LEN(rule_kinds))
        return fail(ld, path, "unknown rule type", type);

    struct rule *r = ARENA_NEW(ld->a, struct rule);
    r->kind = rule_kinds[k].kind;
    r->path = path;
    *out = r;
    int rc = 0;
    switch (r->kind) {
    case RULE_BLANK: break;
    case RULE_STRING: rc = get_string(ld, j, "value", path, true, &r->value, &r->value_len); break;
    case RULE_PATTERN:
        rc = get_string(ld, j, "value", path, true, &r->value, &r->value_len);
        if (rc == 0)
            rc = get_string(ld, j, "flags", path, false, &r->flags, NULL);
        if (rc == 0 && r->flags && !r->flags[0])
            r->flags = NULL;
        break;
    case RULE_SYMBOL: rc = get_string(ld, j, "name", path, true, &r->value, &r->value_len); break;
    case RULE_SEQ:
    case RULE_CHOICE: {
        json_t *m = json_object_get(j, "members");
        if (!m || !json_is_array(m))
            return fail(ld, path, "missing array 'members'", NULL);
        r->n_members = json_array_size(m);
        r->members = ARENA_NEW_ARRAY(ld->a, struct rule *, r->n_members ? r->n_members : 1);
        const char *mp = sub_path(ld, path, "members");
        for (size_t i = 0; i < r->n_members && rc == 0; i++)
            rc = load_rule(ld, json_array_get(m, i), index_path(ld, mp, i), depth + 1,
                           &r->members[i]);
        break;
    }
    case RULE_REPEAT:
    case RULE_REPEAT1:
    case RULE_TOKEN:
    case RULE_IMMEDIATE_TOKEN: rc = load_content(ld, j, path, depth, r); break;
    case RULE_FIELD:
        rc = get_string(ld, j, "name", path, true, &r->value, &r->value_len);
        if (rc == 0)
            rc = load_content(ld, j, path, depth, r);
        break;
    case RULE_ALIAS: {
        rc = get_string(ld, j, "value", path, true, &r->value, &r->value_len);
        if (rc)
            break;
        json_t *n = json_object_get(j, "named");
        if (n && !json_is_boolean(n))
            return fail(ld, path, "'named' must be true or false", NULL);
        r->named = n && json_is_true(n);
        rc = load_content(ld, j, path, depth, r);
        break;
    }
    case RULE_PREC:
    case RULE_PREC_LEFT:
    case RULE_PREC_RIGHT:
    case RULE_PREC_DYNAMIC:
        rc = load_prec_value(ld, j, path, r->kind == RULE_PREC_DYNAMIC, &r->prec);
        if (rc == 0)
            rc = load_content(ld, j, path, depth, r);
        break;
    }
    return rc;
}

/* A list of rule names: accepts plain strings (what the DSL writes for
 * conflicts, inline and supertypes) and SYMBOL objects. */
static int load_name(struct loader *ld, json_t *v, const char *path, const char **out)
{
    if (json_is_string(v)) {
        *out = arena_strdup(ld->a, json_string_value(v));
        return 0;
    }
    if (json_is_object(v)) {
        json_t *t = json_object_get(v, "type");
        json_t *n = json_object_get(v, "name");
        if (t && json_is_string(t) && strcmp(json_string_value(t), "SYMBOL") == 0 && n &&
            json_is_string(n)) {
            *out = arena_strdup(ld->a, json_string_value(n));
            return 0;
        }
    }
    return fail(ld, path, "expected a rule name", NULL);
}

static int load_name_list(struct loader *ld, json_t *root, const char *key, const char ***out,
                          size_t *n)
{
    json_t *v = json_object_get(root, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return err_set(ld->err, ERR_INVALID, "%s: expected an array", key);
    *n = json_array_size(v);
    *out = ARENA_NEW_ARRAY(ld->a, const char *, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        int rc = load_name(ld, json_array_get(v, i), index_path(ld, key, i), &(*out)[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int load_rule_list(struct loader *ld, json_t *root, const char *key, struct rule ***out,
                          size_t *n)
{
    json_t *v = json_object_get(root, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return err_set(ld->err, ERR_INVALID, "%s: expected an array", key);
    *n = json_array_size(v);
    *out = ARENA_NEW_ARRAY(ld->a, struct rule *, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        int rc = load_rule(ld, json_array_get(v, i), index_path(ld, key, i), 0, &(*out)[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int load_conflicts(struct loader *ld, json_t *root, struct input_grammar *g)
{
    json_t *v = json_object_get(root, "conflicts");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return err_set(ld->err, ERR_INVALID, "conflicts: expected an array of arrays");
    g->n_conflicts = json_array_size(v);
    g->conflicts = ARENA_NEW_ARRAY(ld->a, const char **, g->n_conflicts + 1);
    for (size_t i = 0; i < g->n_conflicts; i++) {
        json_t *list = json_array_get(v, i);
        const char *lp = index_path(ld, "conflicts", i);
        if (!json_is_array(list))
            return fail(ld, lp, "expected an array of rule names", NULL);
        size_t n = json_array_size(list);
        const char **names = ARENA_NEW_ARRAY(ld->a, const char *, n + 1);
        for (size_t k = 0; k < n; k++) {
            int rc = load_name(ld, json_array_get(list, k), index_path(ld, lp, k), &names[k]);
            if (rc)
                return rc;
        }
        g->conflicts[i] = names;
    }
    return 0;
}

static int load_precedences(struct loader *ld, json_t *root, struct input_grammar *g)
{
    json_t *v = json_object_get(root, "precedences");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return err_set(ld->err, ERR_INVALID, "precedences: expected an array of arrays");
    g->n_precedences = json_array_size(v);
    g->precedences = ARENA_NEW_ARRAY(ld->a, struct prec_entry *, g->n_precedences + 1);
    for (size_t i = 0; i < g->n_precedences; i++) {
        json_t *list = json_array_get(v, i);
        const char *lp = index_path(ld, "precedences", i);
        if (!json_is_array(list))
            return fail(ld, lp, "expected an array", NULL);
        size_t n = json_array_size(list);
        struct prec_entry *e = ARENA_NEW_ARRAY(ld->a, struct prec_entry, n + 1);
        for (size_t k = 0; k < n; k++) {
            json_t *item = json_array_get(list, k);
            const char *ip = index_path(ld, lp, k);
            if (json_is_string(item)) {
                e[k].name = arena_strdup(ld->a, json_string_value(item));
                continue;
            }
            struct rule *r = NULL;
            int rc = load_rule(ld, item, ip, 0, &r);
            if (rc)
                return rc;
            if (r->kind == RULE_STRING) {
                e[k].name = r->value;
            } else if (r->kind == RULE_SYMBOL) {
                e[k].is_symbol = true;
                e[k].name = r->value;
            } else {
                return fail(ld, ip, "a precedence list holds only strings and symbols", NULL);
            }
        }
        g->precedences[i] = e;
    }
    return 0;
}

struct input_grammar *grammar_load(const char *text, size_t len, struct arena *a, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        err_set(err, ERR_SYNTAX, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                jerr.text);
        err->line = jerr.line > 0 ? (uint32_t)jerr.line : 0;
        err->col = jerr.column > 0 ? (uint32_t)jerr.column : 0;
        return NULL;
    }
    struct loader ld = { a, err };
    struct input_grammar *g = ARENA_NEW(a, struct input_grammar);
    int rc = 0;
    const char *name = NULL;
    json_t *rules = NULL;

    if (!json_is_object(root)) {
        rc = err_set(err, ERR_INVALID, "the grammar must be a JSON object");
        goto out;
    }
    rc = get_string(&ld, root, "name", "grammar", true, &name, NULL);
    if (rc)
        goto out;
    if (!name[0]) {
        rc = err_set(err, ERR_INVALID, "name: must not be empty");
        goto out;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9' && p != name))) {
            rc = err_set(err, ERR_INVALID, "name: '%s' is not a C identifier", name);
            goto out;
        }
    }
    g->name = name;

    rules = json_object_get(root, "rules");
    if (!rules || !json_is_object(rules)) {
        rc = err_set(err, ERR_INVALID, "rules: missing or not an object");
        goto out;
    }
    g->n_vars = json_object_size(rules);
    if (g->n_vars == 0) {
        rc = err_set(err, ERR_INVALID, "rules: the grammar has no rules");
        goto out;
    }
    g->vars = ARENA_NEW_ARRAY(a, struct input_var, g->n_vars);
    {
        /* jansson keeps object members in file order; the first rule is
         * the start rule. */
        size_t i = 0;
        const char *key;
        json_t *value;
        json_object_foreach(rules, key, value)
        {
            if (!key[0]) {
                rc = err_set(err, ERR_INVALID, "rules: a rule has an empty name");
                goto out;
            }
            g->vars[i].name = arena_strdup(a, key);
            rc = load_rule(&ld, value, arena_printf(a, "rules.%s", key), 0, &g->vars[i].rule);
            if (rc)
                goto out;
            i++;
        }
    }
    if ((rc = load_rule_list(&ld, root, "extras", &g->extras, &g->n_extras)) ||
        (rc = load_rule_list(&ld, root, "externals", &g->externals, &g->n_externals)) ||
        (rc = load_conflicts(&ld, root, g)) || (rc = load_precedences(&ld, root, g)) ||
        (rc = load_name_list(&ld, root, "inline", &g->inline_rules, &g->n_inline)) ||
        (rc = load_name_list(&ld, root, "supertypes", &g->supertypes, &g->n_supertypes)))
        goto out;
    {
        json_t *w = json_object_get(root, "word");
        if (w && !json_is_null(w)) {
            rc = load_name(&ld, w, "word", &g->word);
            if (rc)
                goto out;
        }
    }
out:
    json_decref(root);
    return rc ? NULL : g;
}
