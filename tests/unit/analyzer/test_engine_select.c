/* The rule engine without a Dockerfile: name resolution (ids, names, peer
 * aliases with their kinds, prefixes, SC codes, retired hadolint ids) and
 * rule selection (status defaults, --preview, select/ignore/severity in
 * layer order with the more specific entry winning inside a layer,
 * config-gated rules, `only`, unknown names as warnings, invalid rule
 * option sections as usage errors). A fake registry stands in for rules/. */
#include "analyzer/config.h"
#include "analyzer/engine.h"
#include "common/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const struct rule_alias a001[] = { { "DL1000", NULL }, { NULL, NULL } };
static const struct rule_alias a114[] = {
    { "DL4003", "cmd" },
    { "DL4004", "entrypoint" },
    { "DL3012", "healthcheck" },
    { "MultipleInstructionsDisallowed", NULL },
    { NULL, NULL },
};
static const struct rule_alias a301[] = { { "DL3009", NULL }, { NULL, NULL } };
static const struct rule_alias a601[] = {
    { "ConsistentInstructionCasing", "keyword" },
    { "FromAsCasing", "as" },
    { NULL, NULL },
};
static const struct rule_alias a613[] = { { "DL1001", NULL }, { NULL, NULL } };
static const struct rule_alias a615[] = { { "InvalidDefinitionDescription", NULL },
                                          { NULL, NULL } };
static const char *const opts601[] = { "mode", NULL };

static const struct rule r001 = { .id = "DW001",
                                  .name = "syntax-error",
                                  .aliases = a001,
                                  .severity = SEV_ERROR,
                                  .status = RULE_STABLE };
static const struct rule r114 = { .id = "DW114",
                                  .name = "overridden-instruction",
                                  .aliases = a114,
                                  .severity = SEV_WARNING,
                                  .status = RULE_STABLE };
static const struct rule r301 = { .id = "DW301",
                                  .name = "apt-lists-not-cleaned",
                                  .aliases = a301,
                                  .severity = SEV_WARNING,
                                  .status = RULE_STABLE };
static const struct rule r321 = {
    .id = "DW321", .name = "npm-install-instead-of-ci", .severity = SEV_INFO, .status = RULE_PREVIEW
};
static const struct rule r409 = { .id = "DW409",
                                  .name = "untrusted-registry",
                                  .severity = SEV_ERROR,
                                  .status = RULE_CONFIG,
                                  .config_key = "trusted-registries" };
static const struct rule r601 = { .id = "DW601",
                                  .name = "instruction-casing",
                                  .aliases = a601,
                                  .severity = SEV_STYLE,
                                  .status = RULE_STABLE,
                                  .options = opts601 };
static const struct rule r613 = { .id = "DW613",
                                  .name = "inline-suppression",
                                  .aliases = a613,
                                  .severity = SEV_INFO,
                                  .status = RULE_OFF };
static const struct rule r615 = { .id = "DW615",
                                  .name = "invalid-definition-description",
                                  .aliases = a615,
                                  .severity = SEV_INFO,
                                  .status = RULE_OFF };

static const struct rule *const reg[] = { &r001, &r114, &r301, &r321, &r409, &r601, &r613, &r615 };
#define NREG (sizeof reg / sizeof reg[0])

static struct cfg *load(const char *yaml)
{
    struct cfg *c = cfg_new(CFG_MODE_DOCKWRIGHT);
    struct err e;
    int rc = cfg_load_text(c, ".dockwright.yaml", yaml, strlen(yaml), &e);
    if (rc)
        fail_msg("config: %s", e.msg);
    return c;
}

static struct eng *make(const struct eng_options *o)
{
    struct err e;
    err_clear(&e);
    struct eng *eng = eng_new(reg, NREG, o, &e);
    if (!eng)
        fail_msg("eng_new: %s", e.msg);
    return eng;
}

static void test_find(void **state)
{
    (void)state;
    const char *kind = "x";
    assert_ptr_equal(eng_rule_find(reg, NREG, "dw114", &kind), &r114);
    assert_null(kind);
    assert_ptr_equal(eng_rule_find(reg, NREG, "Overridden-Instruction", &kind), &r114);
    assert_ptr_equal(eng_rule_find(reg, NREG, "DL4004", &kind), &r114);
    assert_string_equal(kind, "entrypoint");
    assert_ptr_equal(eng_rule_find(reg, NREG, "MultipleInstructionsDisallowed", &kind), &r114);
    assert_null(kind);
    /* Outside `check=` pragmas BuildKit names are accepted in any case. */
    assert_ptr_equal(eng_rule_find(reg, NREG, "fromascasing", &kind), &r601);
    assert_string_equal(kind, "as");
    assert_ptr_equal(eng_rule_find(reg, NREG, " DL3009 ", NULL), &r301);
    assert_null(eng_rule_find(reg, NREG, "DW3", NULL));
    assert_null(eng_rule_find(reg, NREG, "DW999", NULL));
    assert_null(eng_rule_find(reg, NREG, "SC2086", NULL));
    assert_null(eng_rule_find(reg, NREG, "", NULL));
    assert_string_equal(eng_severity_name(SEV_WARNING), "warning");
    assert_string_equal(eng_category_name(CAT_CACHE), "cache and layers");
}

static void test_defaults(void **state)
{
    (void)state;
    struct eng_options o = { 0 };
    struct eng *e = make(&o);
    assert_true(eng_rule_enabled(e, &r001));
    assert_true(eng_rule_enabled(e, &r114));
    assert_false(eng_rule_enabled(e, &r321)); /* preview */
    assert_false(eng_rule_enabled(e, &r409)); /* config-gated, key unset */
    assert_false(eng_rule_enabled(e, &r613)); /* off */
    uint32_t n;
    eng_warnings(e, &n);
    assert_int_equal(n, 0);
    eng_free(e);

    o.preview = true;
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r321));
    assert_false(eng_rule_enabled(e, &r613));
    eng_free(e);

    struct cfg *c = load("preview: true\ntrusted-registries: [docker.io]\n");
    o = (struct eng_options){ .cfg = c };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r321));
    assert_true(eng_rule_enabled(e, &r409));
    eng_free(e);
    cfg_free(c);
    assert_true(eng_config_key_known("trusted-registries"));
    assert_true(eng_config_key_known("label-schema"));
    assert_false(eng_config_key_known("context"));
}

static void test_select_ignore_names(void **state)
{
    (void)state;
    /* Selecting by id, name or alias turns on off and preview rules; a
     * prefix turns on only what is on by default. */
    const char *const sel1[] = { "DW321", "inline-suppression", NULL };
    struct eng_options o = { .select = sel1 };
    struct eng *e = make(&o);
    assert_true(eng_rule_enabled(e, &r321));
    assert_true(eng_rule_enabled(e, &r613));
    eng_free(e);

    const char *const sel2[] = { "DW3xx", "DW6", NULL };
    o = (struct eng_options){ .select = sel2 };
    e = make(&o);
    assert_false(eng_rule_enabled(e, &r321));
    assert_false(eng_rule_enabled(e, &r613));
    assert_true(eng_rule_enabled(e, &r301));
    eng_free(e);

    const char *const sel3[] = { "InvalidDefinitionDescription", NULL };
    o = (struct eng_options){ .select = sel3 };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r615));
    eng_free(e);

    /* Ignoring one alias kind leaves the rule running for the others;
     * the kind-less BuildKit name covers every kind. */
    const char *const ign1[] = { "DL4003", "DL4004", "DL3012", NULL };
    o = (struct eng_options){ .ignore = ign1 };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r114));
    eng_free(e);
    const char *const ign2[] = { "MultipleInstructionsDisallowed", "dw0", "DW30x", NULL };
    o = (struct eng_options){ .ignore = ign2 };
    e = make(&o);
    assert_false(eng_rule_enabled(e, &r114));
    assert_false(eng_rule_enabled(e, &r001));
    assert_false(eng_rule_enabled(e, &r301));
    assert_true(eng_rule_enabled(e, &r601));
    eng_free(e);

    /* ALL is every rule's prefix: ignoring it and selecting one rule runs
     * just that rule, whatever the order on the command line. */
    const char *const sel4[] = { "DW301", NULL };
    const char *const ign3[] = { "all", NULL };
    o = (struct eng_options){ .select = sel4, .ignore = ign3 };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r301));
    assert_false(eng_rule_enabled(e, &r001));
    assert_false(eng_rule_enabled(e, &r114));
    assert_false(eng_rule_enabled(e, &r601));
    eng_free(e);
    /* A prefix is more specific than ALL, a longer prefix than a shorter. */
    const char *const sel6[] = { "DW3", NULL };
    const char *const ign4[] = { "ALL", "DW30", NULL };
    o = (struct eng_options){ .select = sel6, .ignore = ign4 };
    e = make(&o);
    assert_false(eng_rule_enabled(e, &r301));
    assert_false(eng_rule_enabled(e, &r001));
    eng_free(e);
    const char *const sel7[] = { "DW3", NULL };
    const char *const ign5[] = { "ALL", NULL };
    o = (struct eng_options){ .select = sel7, .ignore = ign5 };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r301));
    assert_false(eng_rule_enabled(e, &r114));
    eng_free(e);
    const char *const sel5[] = { "ALL", NULL };
    o = (struct eng_options){ .select = sel5 };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r601));
    assert_false(eng_rule_enabled(e, &r613)); /* a prefix leaves off rules off */
    eng_free(e);
}

static void test_layers(void **state)
{
    (void)state;
    /* Inside one layer the specific entry wins over the prefix; a later
     * layer (the command line) wins over the file. */
    struct cfg *c = load("select: [DW613]\nignore: [DW3, DW1xx]\nseverity: {DW301: info}\n");
    const char *const ign[] = { "DW613", NULL };
    struct eng_options o = { .cfg = c, .ignore = ign };
    struct eng *e = make(&o);
    assert_false(eng_rule_enabled(e, &r613));
    assert_true(eng_rule_enabled(e, &r301)); /* severity by id turns it on again */
    assert_false(eng_rule_enabled(e, &r114));
    eng_free(e);
    cfg_free(c);

    /* A severity override by name enables an off rule; `off` disables. */
    c = load("severity: {inline-suppression: warning, DL3009: off}\n");
    o = (struct eng_options){ .cfg = c };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r613));
    assert_false(eng_rule_enabled(e, &r301));
    eng_free(e);
    cfg_free(c);

    /* CLI values layered through cfg_apply_cli come after the file. */
    c = load("ignore: [DW114]\n");
    const char *const cli_sel[] = { "overridden-instruction" };
    struct cfg_cli cli = { .select = cli_sel, .n_select = 1 };
    struct err err;
    assert_int_equal(cfg_apply_cli(c, &cli, &err), 0);
    o = (struct eng_options){ .cfg = c };
    e = make(&o);
    assert_true(eng_rule_enabled(e, &r114));
    eng_free(e);
    cfg_free(c);
}

static void test_unknown_names_warn(void **state)
{
    (void)state;
    struct cfg *c = load("ignore: [DW999, apt-list-not-cleaned, SC2086, SC, DL3005, DL3039]\n"
                         "severity: {nope: error}\n");
    const char *const sel[] = { "DW3x", NULL };
    struct eng_options o = { .cfg = c, .select = sel };
    struct eng *e = make(&o);
    uint32_t n;
    const char *const *w = eng_warnings(e, &n);
    assert_int_equal(n, 4);
    assert_string_equal(w[0], ".dockwright.yaml:1:10: unknown rule 'DW999' in ignore");
    assert_string_equal(w[1], ".dockwright.yaml:1:17: unknown rule 'apt-list-not-cleaned' in "
                              "ignore (did you mean 'apt-lists-not-cleaned'?)");
    assert_non_null(strstr(w[2], "unknown rule 'nope' in severity"));
    assert_string_equal(w[3], "option --select: unknown rule 'DW3x' in select");
    /* Unknown names change nothing. */
    assert_true(eng_rule_enabled(e, &r301));
    eng_free(e);
    cfg_free(c);
}

static void test_rule_set(void **state)
{
    (void)state;
    struct cfg *c = load("rule-set: 1\n");
    struct eng_options o = { .cfg = c };
    struct eng *e = make(&o);
    uint32_t n;
    eng_warnings(e, &n);
    assert_int_equal(n, 0);
    eng_free(e);
    cfg_free(c);
    c = load("rule-set: 7\n");
    o.cfg = c;
    e = make(&o);
    const char *const *w = eng_warnings(e, &n);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], ".dockwright.yaml:1:11: rule set 7 is newer than this dockwright "
                              "knows; using rule set 1");
    assert_true(eng_rule_enabled(e, &r301));
    eng_free(e);
    cfg_free(c);
}

static void test_only(void **state)
{
    (void)state;
    const char *const only[] = { "DW321", "DL1001", NULL };
    const char *const sel[] = { "DW1", NULL };
    struct eng_options o = { .only = only, .select = sel };
    struct eng *e = make(&o);
    for (size_t i = 0; i < NREG; i++)
        assert_int_equal(eng_rule_enabled(e, reg[i]), reg[i] == &r321 || reg[i] == &r613);
    eng_free(e);

    const char *const bad[] = { "DW3", NULL };
    o = (struct eng_options){ .only = bad };
    struct err err;
    assert_null(eng_new(reg, NREG, &o, &err));
    assert_int_equal(err.code, ERR_USAGE);
    assert_string_equal(err.msg, "unknown rule 'DW3'");
}

static void test_rule_options_checked(void **state)
{
    (void)state;
    struct err err;
    struct cfg *c = load("instruction-casing:\n  mode: consistent\n");
    struct eng_options o = { .cfg = c };
    struct eng *e = eng_new(reg, NREG, &o, &err);
    assert_non_null(e);
    eng_free(e);
    cfg_free(c);

    c = load("instruction-casing:\n  mdoe: consistent\n");
    o = (struct eng_options){ .cfg = c };
    assert_null(eng_new(reg, NREG, &o, &err));
    assert_int_equal(err.code, ERR_USAGE);
    assert_non_null(strstr(err.msg, "mdoe"));
    cfg_free(c);

    /* A section for no rule, and a section for a rule without options. */
    c = load("no-such-rule:\n  x: 1\n");
    o = (struct eng_options){ .cfg = c };
    assert_null(eng_new(reg, NREG, &o, &err));
    assert_int_equal(err.code, ERR_USAGE);
    cfg_free(c);
    c = load("DW114:\n  x: 1\n");
    o = (struct eng_options){ .cfg = c };
    assert_null(eng_new(reg, NREG, &o, &err));
    assert_int_equal(err.code, ERR_USAGE);
    cfg_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_select_ignore_names),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_unknown_names_warn),
        cmocka_unit_test(test_rule_set),
        cmocka_unit_test(test_only),
        cmocka_unit_test(test_rule_options_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
