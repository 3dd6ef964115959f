/* The LR(1) builder on small grammars: precedence and associativity,
 * named precedences, unresolved conflicts and their report, declared
 * conflicts (GLR), repetitions, reduce/reduce, nullable rules and
 * non-terminal extras. The lexer is not involved at this stage. */
#include "test_core_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct built {
    struct prepared p;
    struct parse_table pt;
    struct buf report;
    int rc;
};

static void build(struct built *b, const char *json)
{
    prepare_json(&b->p, json);
    if (b->p.rc)
        fail_msg("preparation failed: %s", b->p.err.msg);
    buf_init(&b->report, 0);
    b->rc = parse_table_build(&b->p.syn, &b->p.lex, &b->p.a, &b->pt, &b->report, &b->p.err);
}

static void built_release(struct built *b)
{
    buf_release(&b->report);
    prepared_release(&b->p);
}

static uint32_t la(const struct built *b, const char *token)
{
    int t = token_named(&b->p.lex, token);
    if (t < 0)
        fail_msg("no token '%s'", token);
    return la_of_term((uint32_t)t);
}

static const struct tentry *entry(const struct built *b, uint32_t state, uint32_t lookahead)
{
    const struct pstate *ps = &b->pt.states[state];
    for (uint32_t i = 0; i < ps->n_terms; i++)
        if (ps->terms[i].la == lookahead)
            return &ps->terms[i];
    return NULL;
}

static uint32_t shift(const struct built *b, uint32_t state, const char *token)
{
    const struct tentry *e = entry(b, state, la(b, token));
    if (!e || e->actions[e->n_actions - 1].kind != PACT_SHIFT)
        fail_msg("state %u does not shift '%s'", state, token);
    return e->actions[e->n_actions - 1].state;
}

static uint32_t go(const struct built *b, uint32_t state, const char *rule)
{
    int v = var_named(&b->p.syn, rule);
    const struct pstate *ps = &b->pt.states[state];
    for (uint32_t i = 0; i < ps->n_gotos; i++)
        if ((int)ps->gotos[i].var == v)
            return ps->gotos[i].state;
    fail_msg("state %u has no goto on %s", state, rule);
    return 0;
}

static bool only_action(const struct tentry *e, enum pact_kind kind)
{
    return e && e->n_actions == 1 && e->actions[0].kind == kind;
}

#define ARITH_RULES(plus_prec, times_prec, pow_prec)                                               \
    J_RULE("program", J_SYM("e"))                                                                  \
    C J_RULE(                                                                                      \
        "e",                                                                                       \
        J_CHOICE(J_PREC_LEFT(plus_prec, J_SEQ(J_SYM("e") C J_STR("+") C J_SYM("e")))               \
                     C J_PREC_LEFT(times_prec, J_SEQ(J_SYM("e") C J_STR("*") C J_SYM("e")))        \
                         C J_PREC_RIGHT(pow_prec, J_SEQ(J_SYM("e") C J_STR("^") C J_SYM("e")))     \
                             C J_PAT("[0-9]+")))

static void test_precedence_and_associativity(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(ARITH_RULES("1", "2", "3"), ""));
    assert_int_equal(b.rc, 0);
    /* state 0 is the (empty) error state, state 1 the start */
    assert_int_equal(b.pt.states[0].n_terms, 0);
    assert_true(only_action(entry(&b, go(&b, 1, "program"), LA_END), PACT_ACCEPT));
    uint32_t e1 = go(&b, 1, "e");
    assert_true(only_action(entry(&b, e1, LA_END), PACT_REDUCE));
    uint32_t plus = go(&b, shift(&b, e1, "+"), "e");
    /* e + e . +  -> reduce (left);  e + e . *  -> shift (tighter) */
    assert_true(only_action(entry(&b, plus, la(&b, "+")), PACT_REDUCE));
    assert_true(only_action(entry(&b, plus, la(&b, "*")), PACT_SHIFT));
    assert_true(only_action(entry(&b, plus, LA_END), PACT_REDUCE));
    uint32_t times = go(&b, shift(&b, e1, "*"), "e");
    assert_true(only_action(entry(&b, times, la(&b, "+")), PACT_REDUCE));
    assert_true(only_action(entry(&b, times, la(&b, "*")), PACT_REDUCE));
    assert_true(only_action(entry(&b, times, la(&b, "^")), PACT_SHIFT));
    uint32_t pow = go(&b, shift(&b, e1, "^"), "e");
    /* e ^ e . ^ -> shift (right) */
    assert_true(only_action(entry(&b, pow, la(&b, "^")), PACT_SHIFT));
    assert_true(only_action(entry(&b, pow, la(&b, "*")), PACT_REDUCE));
    /* nowhere more than one action */
    for (uint32_t s = 0; s < b.pt.n_states; s++)
        for (uint32_t i = 0; i < b.pt.states[s].n_terms; i++)
            assert_int_equal(b.pt.states[s].terms[i].n_actions, 1);
    built_release(&b);
}

static void test_named_precedences(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(ARITH_RULES("\"add\"", "\"mul\"", "\"pow\""),
                        C "\"precedences\":[[" J_STR("pow") C J_STR("mul") C J_STR("add") "]]"));
    assert_int_equal(b.rc, 0);
    uint32_t e1 = go(&b, 1, "e");
    uint32_t plus = go(&b, shift(&b, e1, "+"), "e");
    assert_true(only_action(entry(&b, plus, la(&b, "*")), PACT_SHIFT));
    assert_true(only_action(entry(&b, plus, la(&b, "+")), PACT_REDUCE));
    uint32_t times = go(&b, shift(&b, e1, "*"), "e");
    assert_true(only_action(entry(&b, times, la(&b, "+")), PACT_REDUCE));
    assert_true(only_action(entry(&b, times, la(&b, "^")), PACT_SHIFT));
    built_release(&b);
}

#define AMBIGUOUS                                                                                  \
    J_RULE("program", J_SYM("expr"))                                                               \
    C J_RULE("expr", J_CHOICE(J_SEQ(J_SYM("expr") C J_STR("+") C J_SYM("expr")) C J_PAT("[0-9]"    \
                                                                                        "+")))

static void test_unresolved_conflict_report(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(AMBIGUOUS, ""));
    assert_int_equal(b.rc, ERR_INVALID);
    assert_non_null(strstr(b.p.err.msg, "unresolved conflict for symbol sequence: expr '+' expr "
                                        "\xe2\x80\xa2 '+'"));
    const char *r = buf_cstr(&b.report);
    assert_non_null(strstr(r, "Unresolved conflict for symbol sequence:"));
    assert_non_null(strstr(r, "expr -> expr '+' expr \xe2\x80\xa2  [reduce]"));
    assert_non_null(strstr(r, "expr -> expr \xe2\x80\xa2 '+' expr  [shift]"));
    assert_non_null(strstr(r, "specify a left or right associativity in `expr`"));
    assert_non_null(strstr(r, "add a conflict for these rules: `expr`"));
    built_release(&b);
}

static void test_declared_conflict_is_glr(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(AMBIGUOUS, C "\"conflicts\":[[\"expr\"]]"));
    assert_int_equal(b.rc, 0);
    uint32_t e1 = go(&b, 1, "expr");
    uint32_t s = go(&b, shift(&b, e1, "+"), "expr");
    const struct tentry *e = entry(&b, s, la(&b, "+"));
    assert_non_null(e);
    assert_int_equal(e->n_actions, 2);
    /* reductions first, the shift last; not a repetition */
    assert_int_equal(e->actions[0].kind, PACT_REDUCE);
    assert_int_equal(e->actions[1].kind, PACT_SHIFT);
    assert_false(e->actions[1].repetition);
    built_release(&b);
}

static void test_repetition_shift(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(J_RULE("list", J_REPEAT(J_SYM("item")))
                            C J_RULE("item", J_SEQ(J_STR("a") C J_STR("b"))),
                        ""));
    assert_int_equal(b.rc, 0);
    uint32_t repeats = 0;
    for (uint32_t s = 0; s < b.pt.n_states; s++)
        for (uint32_t i = 0; i < b.pt.states[s].n_terms; i++) {
            const struct tentry *e = &b.pt.states[s].terms[i];
            if (e->n_actions == 2) {
                assert_int_equal(e->actions[0].kind, PACT_REDUCE);
                assert_int_equal(e->actions[0].child_count, 2);
                assert_int_equal(e->actions[1].kind, PACT_SHIFT);
                assert_true(e->actions[1].repetition);
                repeats++;
            }
        }
    assert_true(repeats > 0);
    built_release(&b);
}

static void test_reduce_reduce(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(J_RULE("s", J_CHOICE(J_SYM("a") C J_SYM("b")))
                            C J_RULE("a", J_PREC("2", J_SEQ(J_STR("x") C J_STR("y"))))
                                C J_RULE("b", J_PREC("1", J_SEQ(J_STR("x") C J_STR("y")))),
                        ""));
    assert_int_equal(b.rc, 0);
    uint32_t s = shift(&b, shift(&b, 1, "x"), "y");
    const struct tentry *e = entry(&b, s, LA_END);
    assert_true(only_action(e, PACT_REDUCE));
    assert_int_equal(e->actions[0].var, (uint32_t)var_named(&b.p.syn, "a"));
    built_release(&b);

    build(&b, J_GRAMMAR(J_RULE("s", J_CHOICE(J_SYM("a") C J_SYM("b")))
                            C J_RULE("a", J_SEQ(J_STR("x") C J_STR("y")))
                                C J_RULE("b", J_SEQ(J_STR("x") C J_STR("y"))),
                        ""));
    assert_int_equal(b.rc, ERR_INVALID);
    assert_non_null(strstr(buf_cstr(&b.report), "add a conflict for these rules: `a`, `b`"));
    built_release(&b);
}

static void test_nullable_rule(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(J_RULE("s", J_SEQ(J_SYM("opt") C J_STR("x")))
                            C J_RULE("opt", J_CHOICE(J_BLANK C J_STR("y"))),
                        ""));
    assert_int_equal(b.rc, 0);
    const struct tentry *e = entry(&b, 1, la(&b, "x"));
    assert_true(only_action(e, PACT_REDUCE));
    assert_int_equal(e->actions[0].child_count, 0);
    assert_true(only_action(entry(&b, 1, la(&b, "y")), PACT_SHIFT));
    built_release(&b);
}

static void test_extras(void **state)
{
    (void)state;
    struct built b;
    build(&b, J_GRAMMAR(J_RULE("s", J_REPEAT1(J_STR("w")))
                            C J_RULE("note", J_SEQ(J_STR("<") C J_STR(">")))
                                C J_RULE("comment", J_PAT("#.*")),
                        C "\"extras\":[" J_SYM("comment") C J_SYM("note") "]"));
    assert_int_equal(b.rc, 0);
    /* every state but the one ending the non-terminal extra shifts extras */
    uint32_t ends = 0;
    for (uint32_t s = 0; s < b.pt.n_states; s++) {
        const struct pstate *ps = &b.pt.states[s];
        if (ps->nt_extra_end) {
            ends++;
            assert_int_equal(ps->n_terms, 1);
            assert_int_equal(ps->terms[0].la, LA_NT_EXTRA_END);
            assert_int_equal(ps->terms[0].actions[0].kind, PACT_REDUCE);
            continue;
        }
        const struct tentry *c = entry(&b, s, la(&b, "comment"));
        assert_true(only_action(c, PACT_SHIFT_EXTRA));
        assert_true(only_action(entry(&b, s, la(&b, "<")), PACT_SHIFT));
        bool extra_goto = false;
        for (uint32_t g = 0; g < ps->n_gotos; g++)
            if ((int)ps->gotos[g].var == var_named(&b.p.syn, "note"))
                extra_goto = ps->gotos[g].extra && ps->gotos[g].state == s;
        assert_true(extra_goto);
    }
    assert_int_equal(ends, 1);
    built_release(&b);
}

/* Items of one rule that differ only in the symbols already consumed are
 * one item: after "a" or "b" the parser is in the same state. */
static void test_consumed_symbols_do_not_split_states(void **state)
{
    (void)state;
    struct built b;
    build(&b,
          J_GRAMMAR(J_RULE("s", J_SEQ(J_CHOICE(J_STR("a") C J_STR("b")) C J_STR("x") C J_STR("y"))),
                    ""));
    assert_int_equal(b.rc, 0);
    assert_int_equal(shift(&b, 1, "a"), shift(&b, 1, "b"));
    built_release(&b);
    /* ... unless a field tells them apart */
    build(&b, J_GRAMMAR(J_RULE("s", J_SEQ(J_CHOICE(J_FIELD("f", J_STR("a")) C J_STR("b"))
                                              C J_STR("x") C J_STR("y"))),
                        ""));
    assert_int_equal(b.rc, 0);
    assert_int_not_equal(shift(&b, 1, "a"), shift(&b, 1, "b"));
    built_release(&b);
}

static void test_prec_compare(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_CHOICE(J_SYM("a") C J_SYM("b")))
                                   C J_RULE("a", J_SEQ(J_STR("x") C J_STR("x")))
                                       C J_RULE("b", J_SEQ(J_STR("y") C J_STR("y"))),
                               C "\"precedences\":[[" J_STR("hi") C J_SYM("a") C J_STR("lo") "]]"));
    assert_int_equal(p.rc, 0);
    struct prec none = { PREC_NONE, 0, NULL }, one = { PREC_INT, 1, NULL },
                zero = { PREC_INT, 0, NULL }, hi = { PREC_NAME, 0, "hi" },
                lo = { PREC_NAME, 0, "lo" };
    uint32_t a = (uint32_t)var_named(&p.syn, "a"), b = (uint32_t)var_named(&p.syn, "b");
    assert_true(prec_compare(&p.syn, one, b, none, b) > 0);
    assert_true(prec_compare(&p.syn, none, b, one, b) < 0);
    assert_int_equal(prec_compare(&p.syn, zero, b, none, b), 0);
    assert_true(prec_compare(&p.syn, hi, b, lo, b) > 0);
    assert_true(prec_compare(&p.syn, lo, b, hi, b) < 0);
    /* a rule in a list stands for its productions' precedence */
    assert_true(prec_compare(&p.syn, none, a, lo, b) > 0);
    assert_true(prec_compare(&p.syn, hi, b, none, a) > 0);
    assert_int_equal(prec_compare(&p.syn, none, b, lo, b), 0);
    prepared_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence_and_associativity),
        cmocka_unit_test(test_named_precedences),
        cmocka_unit_test(test_unresolved_conflict_report),
        cmocka_unit_test(test_declared_conflict_is_glr),
        cmocka_unit_test(test_repetition_shift),
        cmocka_unit_test(test_reduce_reduce),
        cmocka_unit_test(test_nullable_rule),
        cmocka_unit_test(test_extras),
        cmocka_unit_test(test_consumed_symbols_do_not_split_states),
        cmocka_unit_test(test_prec_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
