/* grammar.json loading: every rule kind, the top-level lists, and the
 * errors with their locations. */
#include "test_core_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct input_grammar *load(struct arena *a, struct err *err, const char *json)
{
    err_clear(err);
    return grammar_load(json, strlen(json), a, err);
}

static void test_every_rule_kind(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;
    const char *json = J_GRAMMAR(
        J_RULE("start", J_SEQ(J_BLANK C J_STR("a\\u0000b") C
                              "{\"type\":\"PATTERN\",\"value\":\"x+\","
                              "\"flags\":\"i\"}" C J_SYM("other") C J_CHOICE(J_STR("c") C J_BLANK)
                                  C J_REPEAT(J_STR("d")) C J_REPEAT1(J_STR("e")) C J_TOKEN(
                                      J_STR("f")) C J_IMM(J_STR("g")) C J_FIELD("fld", J_STR("h"))
                                      C J_ALIAS("al", "true", J_STR("i")) C J_PREC("3", J_STR("j"))
                                          C J_PREC_LEFT("\"named\"", J_STR("k")) C J_PREC_RIGHT(
                                              "-2", J_STR("l")) C J_PREC_DYN("7", J_STR("m"))))
            C J_RULE("other", J_STR("o")),
        C "\"$schema\":\"ignored\"" C
          "\"extras\":[" J_PAT("\\\\s") "]" C "\"externals\":[" J_SYM("ext")
              C J_STR("lit") "]" C "\"conflicts\":[[\"start\",\"other\"]]" C
                             "\"precedences\":[[" J_STR("named")
                                 C J_SYM("other") "]]" C "\"inline\":[\"other\"]" C
                                                  "\"supertypes\":[]" C "\"word\":\"other\"");
    struct input_grammar *g = load(&a, &err, json);
    assert_non_null(g);
    assert_string_equal(g->name, "t");
    assert_int_equal(g->n_vars, 2);
    assert_string_equal(g->vars[0].name, "start");
    const struct rule *seq = g->vars[0].rule;
    assert_int_equal(seq->kind, RULE_SEQ);
    assert_int_equal(seq->n_members, 15);
    const enum rule_kind kinds[] = { RULE_BLANK,     RULE_STRING,     RULE_PATTERN,
                                     RULE_SYMBOL,    RULE_CHOICE,     RULE_REPEAT,
                                     RULE_REPEAT1,   RULE_TOKEN,      RULE_IMMEDIATE_TOKEN,
                                     RULE_FIELD,     RULE_ALIAS,      RULE_PREC,
                                     RULE_PREC_LEFT, RULE_PREC_RIGHT, RULE_PREC_DYNAMIC };
    for (size_t i = 0; i < DW_ARRAY_LEN(kinds); i++)
        assert_int_equal(seq->members[i]->kind, kinds[i]);
    /* a string with a NUL byte keeps its length */
    assert_int_equal(seq->members[1]->value_len, 3);
    assert_memory_equal(seq->members[1]->value, "a\0b", 3);
    assert_string_equal(seq->members[2]->flags, "i");
    assert_string_equal(seq->members[3]->value, "other");
    assert_string_equal(seq->members[9]->value, "fld");
    assert_true(seq->members[10]->named);
    assert_string_equal(seq->members[10]->value, "al");
    assert_int_equal(seq->members[11]->prec.kind, PREC_INT);
    assert_int_equal(seq->members[11]->prec.value, 3);
    assert_int_equal(seq->members[12]->prec.kind, PREC_NAME);
    assert_string_equal(seq->members[12]->prec.name, "named");
    assert_int_equal(seq->members[13]->prec.value, -2);
    assert_int_equal(seq->members[14]->prec.value, 7);
    assert_string_equal(seq->members[4]->path, "rules.start.members[4]");
    assert_string_equal(seq->members[5]->content->path, "rules.start.members[5].content");
    assert_int_equal(g->n_extras, 1);
    assert_int_equal(g->n_externals, 2);
    assert_int_equal(g->n_conflicts, 1);
    assert_string_equal(g->conflicts[0][1], "other");
    assert_null(g->conflicts[0][2]);
    assert_int_equal(g->n_precedences, 1);
    assert_false(g->precedences[0][0].is_symbol);
    assert_true(g->precedences[0][1].is_symbol);
    assert_null(g->precedences[0][2].name);
    assert_int_equal(g->n_inline, 1);
    assert_string_equal(g->word, "other");
    arena_release(&a);
}

static void test_rule_order_is_file_order(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;
    struct input_grammar *g =
        load(&a, &err,
             J_GRAMMAR(J_RULE("zeta", J_SYM("alpha")) C J_RULE("alpha", J_STR("a"))
                           C J_RULE("mid", J_STR("m")),
                       ""));
    assert_non_null(g);
    assert_string_equal(g->vars[0].name, "zeta");
    assert_string_equal(g->vars[1].name, "alpha");
    assert_string_equal(g->vars[2].name, "mid");
    arena_release(&a);
}

static void test_malformed_json(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;
    assert_null(load(&a, &err, "{\n  \"name\": \"t\",\n  \"rules\": {,}\n}"));
    assert_int_equal(err.code, ERR_SYNTAX);
    assert_int_equal(err.line, 3);
    assert_true(err.col > 0);
    assert_non_null(strstr(err.msg, "invalid JSON at line 3"));
    assert_null(load(&a, &err, ""));
    assert_int_equal(err.code, ERR_SYNTAX);
    arena_release(&a);
}

static void expect_invalid(const char *json, const char *fragment)
{
    struct arena a;
    arena_init(&a);
    struct err err;
    assert_null(load(&a, &err, json));
    assert_int_equal(err.code, ERR_INVALID);
    if (!strstr(err.msg, fragment))
        fail_msg("message '%s' lacks '%s'", err.msg, fragment);
    arena_release(&a);
}

static void test_schema_errors(void **state)
{
    (void)state;
    expect_invalid("[]", "must be a JSON object");
    expect_invalid("{\"rules\":{}}", "missing 'name'");
    expect_invalid("{\"name\":\"t\"}", "rules: missing");
    expect_invalid("{\"name\":\"t\",\"rules\":{}}", "no rules");
    expect_invalid("{\"name\":\"a-b\",\"rules\":{\"x\":" J_BLANK "}}", "not a C identifier");
    expect_invalid(J_GRAMMAR(J_RULE("x", "{\"type\":\"FROB\"}"), ""),
                   "rules.x: unknown rule type 'FROB'");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_SEQ(J_BLANK C "{\"type\":\"STRING\"}")), ""),
                   "rules.x.members[1]: missing 'value'");
    expect_invalid(J_GRAMMAR(J_RULE("x", "{\"type\":\"SEQ\"}"), ""), "missing array 'members'");
    expect_invalid(J_GRAMMAR(J_RULE("x", "{\"type\":\"REPEAT\"}"), ""), "missing 'content'");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_PREC("1.5", J_BLANK)), ""),
                   "expected an integer or a precedence name");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_PREC_DYN("\"n\"", J_BLANK)), ""), "expected an integer");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_STR("a")), C "\"conflicts\":[\"x\"]"),
                   "conflicts[0]: expected an array of rule names");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_STR("a")), C "\"conflicts\":[[3]]"),
                   "conflicts[0][0]: expected a rule name");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_STR("a")), C "\"word\":7"),
                   "word: expected a rule name");
    expect_invalid(J_GRAMMAR(J_RULE("x", J_STR("a")), C "\"precedences\":[[" J_BLANK "]]"),
                   "holds only strings and symbols");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_kind),
        cmocka_unit_test(test_rule_order_is_file_order),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_schema_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
