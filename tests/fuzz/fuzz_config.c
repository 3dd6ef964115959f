/* libFuzzer target for config files. The first byte picks the mode
 * (.dockwright.yaml or .hadolint.yaml), the rest is the file. Errors are
 * expected; crashes, sanitizer reports and broken invariants (abort) are
 * not: an error has a message and, for YAML and key errors, a position;
 * a loaded config has sane enums and positions, and every rule option
 * survives every typed accessor. */
#include "analyzer/config.h"
#include "common/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_loc(const struct cfg_loc *l)
{
    if (l->src == CFG_SRC_FILE && (!l->origin || l->line < 1 || l->col < 1))
        abort();
}

static void check_list(const struct cfg_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        if (!l->items[i].text || !l->items[i].text[0])
            abort();
        check_loc(&l->items[i].loc);
    }
}

static void check_value_err(int rc, const struct err *e)
{
    if (rc == 0)
        return;
    if (rc != ERR_INVALID || !e->msg[0] || e->line < 1 || e->col < 1)
        abort();
}

static void try_value(const struct cfg_value *v)
{
    static const char *const choices[] = { "upper", "consistent", "on" };
    struct err e;
    const char *s;
    bool b;
    int64_t i;
    uint64_t u;
    size_t idx, n;
    const struct cfg_value *items;
    check_loc(&v->loc);
    check_value_err(cfg_value_string(v, &s, &e), &e);
    check_value_err(cfg_value_bool(v, &b, &e), &e);
    check_value_err(cfg_value_int(v, -5, 1000000, &i, &e), &e);
    check_value_err(cfg_value_bytes(v, &u, &e), &e);
    check_value_err(cfg_value_enum(v, choices, 3, &idx, &e), &e);
    int rc = cfg_value_list(v, &items, &n, &e);
    check_value_err(rc, &e);
    for (size_t k = 0; rc == 0 && k < n; k++)
        try_value(&items[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    enum cfg_mode mode = data[0] & 1 ? CFG_MODE_HADOLINT : CFG_MODE_DOCKWRIGHT;
    struct cfg *c = cfg_new(mode);
    struct err e;
    err_clear(&e);
    int rc = cfg_load_text(
        c, mode == CFG_MODE_HADOLINT ? "fuzz/.hadolint.yaml" : "fuzz/.dockwright.yaml",
        (const char *)data + 1, size - 1, &e);
    if (rc) {
        if (rc != e.code || !e.msg[0])
            abort();
        if ((rc == ERR_SYNTAX || rc == ERR_INVALID) && (e.line < 1 || e.col < 1))
            abort();
        cfg_free(c);
        return 0;
    }
    if ((unsigned)c->failure_threshold > CFG_FAIL_NONE || (unsigned)c->format > CFG_FORMAT_GNU ||
        (unsigned)c->shellcheck > CFG_SHELLCHECK_OFF || c->shellcheck_timeout_ms < 1)
        abort();
    check_list(&c->select);
    check_list(&c->ignore);
    check_list(&c->trusted_registries);
    check_list(&c->allowed_base_images);
    check_list(&c->secrets_allow);
    check_list(&c->exclude);
    for (size_t i = 0; i < c->n_severity; i++)
        if ((unsigned)c->severity[i].severity > CFG_SEV_OFF || !c->severity[i].rule)
            abort();
    for (size_t i = 0; i < c->n_label_schema; i++)
        if ((unsigned)c->label_schema[i].type > CFG_LABEL_EMAIL)
            abort();
    for (size_t i = 0; i < c->n_warnings; i++)
        if (!c->warnings[i].msg[0])
            abort();
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct cfg_rule_options *o = &c->rules[i];
        if (cfg_rule_options(c, NULL, o->rule) == NULL)
            abort();
        for (size_t k = 0; k < o->n_opts; k++) {
            if (cfg_option(o, o->opts[k].key) == NULL)
                abort();
            try_value(&o->opts[k].value);
        }
        static const char *const keys[] = { "mode", "min-bytes" };
        check_value_err(cfg_option_check_keys(o, keys, 2, &e), &e);
    }
    static const struct cfg_rule_ref reg[] = { { "DW601", "instruction-casing" },
                                               { "DW401", "root-user" } };
    check_value_err(cfg_check_rules(c, reg, 2, &e), &e);
    cfg_free(c);
    return 0;
}
