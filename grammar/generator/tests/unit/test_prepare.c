/* Grammar preparation: token extraction and naming, extras, externals,
 * repeat expansion, flattening (choices, precedence, fields, aliases),
 * inline expansion, default aliases, and the errors. */
#include "test_core_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static const struct syntax_var *var(const struct prepared *p, const char *name)
{
    int v = var_named(&p->syn, name);
    if (v < 0)
        fail_msg("no variable '%s'", name);
    return &p->syn.vars[v];
}

static void test_token_extraction(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(
        &p,
        J_GRAMMAR(J_RULE("source", J_SEQ(J_STR("x") C J_PAT("a+") C J_SYM("ident") C J_TOKEN(
                                       J_SEQ(J_STR("q") C J_PAT("b"))) C J_STR("x") C J_SYM("other")
                                             C J_SYM("comment"))) C J_RULE("ident", J_PAT("[a-z]+"))
                      C J_RULE("other", J_SEQ(J_PAT("a+") C J_PAT("c")))
                          C J_RULE("comment", J_TOKEN(J_SEQ(J_STR("#") C J_PAT(".*"))))
                              C J_RULE("_hidden_tok", J_STR("h")),
                  C "\"extras\":[" J_PAT("\\\\s") C J_PAT("a+") C J_SYM("comment") "]"));
    assert_int_equal(p.rc, 0);
    const struct lexical_grammar *lex = &p.lex;
    assert_string_equal(lex->vars[0].name, "x");
    assert_int_equal(lex->vars[0].kind, VAR_ANONYMOUS);
    assert_string_equal(lex->vars[1].name, "source_token1");
    assert_int_equal(lex->vars[1].kind, VAR_AUXILIARY);
    assert_string_equal(lex->vars[2].name, "source_token2");
    /* a rule that is one token becomes the token, with its name and kind */
    assert_string_equal(lex->vars[3].name, "ident");
    assert_int_equal(lex->vars[3].kind, VAR_NAMED);
    /* equal patterns are shared; counting is per rule and only new tokens count */
    assert_string_equal(lex->vars[4].name, "other_token1");
    assert_string_equal(lex->vars[5].name, "comment");
    assert_string_equal(lex->vars[6].name, "_hidden_tok");
    assert_int_equal(lex->vars[6].kind, VAR_HIDDEN);
    assert_int_equal(lex->n_vars, 7);
    /* token rules are not syntax variables */
    assert_true(var_named(&p.syn, "ident") < 0);
    assert_true(var_named(&p.syn, "comment") < 0);
    assert_int_equal(p.syn.n_vars, 2);
    /* extras: /\s/ is a separator, /a+/ is the existing token, comment a terminal */
    assert_int_equal(lex->n_separators, 1);
    assert_int_equal(p.syn.n_extras, 2);
    assert_true(sym_eq(p.syn.extras[0], sym_make(SYM_TERMINAL, 1)));
    assert_true(sym_eq(p.syn.extras[1], sym_make(SYM_TERMINAL, 5)));
    /* source: x, source_token1, ident, source_token2, x, other, comment */
    const struct production *pr = &var(&p, "source")->prods[0];
    assert_int_equal(pr->n_steps, 7);
    assert_true(sym_eq(pr->steps[2].sym, sym_make(SYM_TERMINAL, 3)));
    assert_true(sym_eq(pr->steps[4].sym, sym_make(SYM_TERMINAL, 0)));
    assert_true(sym_eq(pr->steps[5].sym, sym_make(SYM_NONTERMINAL, 1)));
    prepared_release(&p);
}

static void test_token_used_twice_stays_a_rule(void **state)
{
    (void)state;
    struct prepared p;
    /* "," appears inside `comma` and elsewhere: `comma` stays a rule */
    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_SEQ(J_SYM("comma") C J_STR(",")))
                                   C J_RULE("comma", J_STR(",")),
                               ""));
    assert_int_equal(p.rc, 0);
    assert_true(var_named(&p.syn, "comma") >= 0);
    assert_int_equal(p.lex.n_vars, 1);
    prepared_release(&p);
}

static void test_externals(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_SEQ(J_SYM("ext") C J_SYM("twin")))
                                   C J_RULE("twin", J_PAT("t+")),
                               C "\"externals\":[" J_SYM("ext") C J_SYM("twin")
                                   C J_SYM("sentinel") "]"));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.syn.n_externals, 3);
    assert_string_equal(p.syn.externals[0].name, "ext");
    assert_int_equal(p.syn.externals[0].internal.kind, SYM_NONE);
    assert_string_equal(p.syn.externals[1].name, "twin");
    assert_int_equal(p.syn.externals[1].internal.kind, SYM_TERMINAL);
    assert_string_equal(p.lex.vars[p.syn.externals[1].internal.index].name, "twin");
    assert_true(sym_eq(var(&p, "s")->prods[0].steps[0].sym, sym_make(SYM_EXTERNAL, 0)));
    prepared_release(&p);
}

/* Whether var has the production lhs -> x y. */
static bool has_pair(const struct syntax_var *v, struct sym x, struct sym y)
{
    for (uint32_t i = 0; i < v->n_prods; i++)
        if (v->prods[i].n_steps == 2 && sym_eq(v->prods[i].steps[0].sym, x) &&
            sym_eq(v->prods[i].steps[1].sym, y))
            return true;
    return false;
}

static struct sym nt(struct prepared *p, const char *name)
{
    int i = var_named(&p->syn, name);
    assert_true(i >= 0);
    return sym_make(SYM_NONTERMINAL, (uint32_t)i);
}

static void test_repeat_expansion(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, J_GRAMMAR(J_RULE("list", J_SEQ(J_REPEAT(J_SYM("item")) C J_SYM("more") C J_SYM(
                                                  "_items") C J_REPEAT(J_SYM("item"))))
                                   C J_RULE("more", J_REPEAT1(J_SYM("item")))
                                       C J_RULE("_items", J_REPEAT1(J_STR("y")))
                                           C J_RULE("item", J_SEQ(J_STR("i") C J_STR("j"))),
                               ""));
    assert_int_equal(p.rc, 0);
    struct sym item = nt(&p, "item");
    /* inside a rule, tree-sitter's R -> R R | item */
    const struct syntax_var *r = var(&p, "list_repeat1");
    struct sym rs = nt(&p, "list_repeat1");
    assert_int_equal(r->kind, VAR_AUXILIARY);
    assert_true(r->is_repeat);
    assert_int_equal(r->n_prods, 2);
    assert_true(has_pair(r, rs, rs));
    assert_true(sym_eq(r->prods[1].steps[0].sym, item));
    /* repeat(x) is an optional R; the same body again shares the helper */
    assert_int_equal(var(&p, "list")->n_prods, 4);
    assert_true(var_named(&p.syn, "list_repeat2") < 0);
    assert_int_equal(p.syn.repeat_parents[rs.index].n, 1);
    /* a rule that is a repetition: one item, or two or more paired up,
     * R -> R R | R item | item R | item item (one reduction per item
     * after the first) */
    const struct syntax_var *m = var(&p, "more");
    assert_int_equal(m->n_prods, 2);
    assert_true(sym_eq(m->prods[0].steps[0].sym, item));
    struct sym ms = nt(&p, "more_repeat1");
    assert_true(sym_eq(m->prods[1].steps[0].sym, ms));
    const struct syntax_var *mr = var(&p, "more_repeat1");
    assert_true(mr->is_repeat);
    assert_int_equal(mr->n_prods, 4);
    assert_true(has_pair(mr, ms, ms));
    assert_true(has_pair(mr, ms, item));
    assert_true(has_pair(mr, item, ms));
    assert_true(has_pair(mr, item, item));
    /* a hidden one stays a rule too: one y, or its helper */
    const struct syntax_var *h = var(&p, "_items");
    assert_false(h->is_repeat);
    assert_int_equal(h->kind, VAR_HIDDEN);
    assert_int_equal(h->n_prods, 2);
    assert_int_equal(var(&p, "_items_repeat1")->n_prods, 4);
    prepared_release(&p);
}

/* Items that are labelled (a field, an alias), inlined, a choice of many
 * symbols or repetitions themselves keep tree-sitter's R -> R R | body: the
 * runtime's balancing moves children between R nodes, which keeps each node one of R's productions
 * only when rotations move whole R nodes. */
static void assert_binary_helper(struct prepared *p, const char *name)
{
    const struct syntax_var *r = var(p, name);
    struct sym self = nt(p, name);
    assert_true(r->is_repeat);
    assert_true(has_pair(r, self, self));
    /* every other production is an item: no R in it */
    for (uint32_t i = 0; i < r->n_prods; i++) {
        bool rr = r->prods[i].n_steps == 2 && sym_eq(r->prods[i].steps[0].sym, self) &&
                  sym_eq(r->prods[i].steps[1].sym, self);
        for (uint32_t k = 0; k < r->prods[i].n_steps && !rr; k++)
            assert_false(sym_eq(r->prods[i].steps[k].sym, self));
    }
}

static void test_repeat_labelled_body(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(
        &p, J_GRAMMAR(
                J_RULE("s", J_SEQ(J_SYM("r1") C J_STR(";") C J_SYM("r2") C J_STR(",") C J_SYM("r3")
                                      C J_STR(".") C J_SYM("r4") C J_STR("!") C J_SYM("r5")
                                          C J_STR("?") C J_SYM("r6")))
                    C J_RULE("r1", J_REPEAT1(J_FIELD("f", J_SYM("item")))) C J_RULE(
                        "r2", J_REPEAT1(J_ALIAS("other", "true", J_SYM("item"))))
                        C J_RULE("r3", J_REPEAT1(J_SYM("_in"))) C J_RULE(
                            "r4", J_REPEAT1(J_SEQ(J_SYM("item") C J_STR("k"))))
                            C J_RULE("r5", J_REPEAT1(J_CHOICE(J_STR("a") C J_STR("b") C J_STR("c")
                                                                  C J_STR("d") C J_STR("e"))))
                                C J_RULE("r6", J_REPEAT1(J_SYM("r1"))) C J_RULE("item", J_STR("i"))
                                    C J_RULE("_in", J_SEQ(J_STR("a") C J_STR("b"))),
                C "\"inline\":[\"_in\"]"));
    assert_int_equal(p.rc, 0);
    assert_binary_helper(&p, "r1_repeat1"); /* a field */
    assert_binary_helper(&p, "r2_repeat1"); /* an alias */
    assert_binary_helper(&p, "r3_repeat1"); /* an inlined rule */
    assert_binary_helper(&p, "r5_repeat1"); /* five symbols: 36 pair productions */
    assert_binary_helper(&p, "r6_repeat1"); /* a repetition repeated */
    prepared_release(&p);
}

/* Items of several symbols chain in chunks: the user takes T -> R | C_1 |
 * ... | C_K, the chain is C_1 -> item, C_j -> C_(j-1) item, and R pairs any
 * two of R and the C_j; the helpers know their group and link for the
 * conflict rule of the table builder. */
static void test_repeat_chunks(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_SEQ(J_STR("(") C J_REPEAT(
                                               J_SEQ(J_SYM("item") C J_STR(","))) C J_STR(")")))
                                   C J_RULE("item", J_SEQ(J_STR("i") C J_STR("j"))),
                               ""));
    assert_int_equal(p.rc, 0);
    const struct syntax_var *s = var(&p, "s");
    assert_int_equal(s->n_prods, 2); /* with and without the repetition: T is one symbol */
    struct sym t = nt(&p, "s_repeat1"), r = nt(&p, "s_repeat2"), item = nt(&p, "item");
    const struct syntax_var *tv = var(&p, "s_repeat1"), *rv = var(&p, "s_repeat2");
    uint32_t k = tv->n_prods - 1; /* the chain's length */
    assert_true(k >= 2);
    assert_int_equal(tv->chunk_group, 0);
    assert_int_equal(rv->chunk_group, t.index + 1);
    assert_int_equal(rv->chunk_link, 0);
    assert_int_equal(rv->n_prods, (k + 1) * (k + 1));
    assert_true(has_pair(rv, r, r));
    for (uint32_t j = 1; j <= k; j++) {
        struct sym c = sym_make(SYM_NONTERMINAL, r.index + j);
        const struct syntax_var *cv = &p.syn.vars[c.index];
        assert_int_equal(cv->chunk_group, t.index + 1);
        assert_int_equal(cv->chunk_link, j);
        assert_true(has_pair(rv, r, c));
        assert_true(has_pair(rv, c, r));
        assert_int_equal(cv->n_prods, 1);
        const struct production *pr = &cv->prods[0];
        assert_int_equal(pr->n_steps, j == 1 ? 2 : 3);
        if (j > 1)
            assert_true(sym_eq(pr->steps[0].sym, sym_make(SYM_NONTERMINAL, c.index - 1)));
        assert_true(sym_eq(pr->steps[j == 1 ? 0 : 1].sym, item));
    }
    assert_false(has_pair(tv, r, r));
    prepared_release(&p);
}

static void test_flattening(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(
        &p, J_GRAMMAR(
                J_RULE("s", J_CHOICE(J_SYM("bin") C J_SYM("nest") C J_SYM("opt") C J_SYM("al")))
                    C J_RULE("bin", J_PREC_LEFT("1", J_SEQ(J_FIELD("l", J_SYM("e")) C J_STR("+")
                                                               C J_FIELD("r", J_SYM("e")))))
                        C J_RULE("nest",
                                 J_PREC_DYN("-3", J_SEQ(J_PREC("2", J_SEQ(J_STR("a") C J_STR("b")))
                                                            C J_STR("c"))))
                            C J_RULE("opt", J_SEQ(J_CHOICE(J_STR("a") C J_STR("b"))
                                                      C J_CHOICE(J_STR("c") C J_BLANK)))
                                C J_RULE("al",
                                         J_SEQ(J_ALIAS("renamed", "true", J_SYM("e")) C J_SYM("e")))
                                    C J_RULE("e", J_SEQ(J_STR("e") C J_STR("e"))),
                ""));
    assert_int_equal(p.rc, 0);
    const struct production *b = &var(&p, "bin")->prods[0];
    assert_int_equal(b->n_steps, 3);
    assert_string_equal(b->steps[0].field, "l");
    assert_null(b->steps[1].field);
    assert_string_equal(b->steps[2].field, "r");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(b->steps[i].prec.kind, PREC_INT);
        assert_int_equal(b->steps[i].prec.value, 1);
        assert_int_equal(b->steps[i].assoc, ASSOC_LEFT);
    }
    /* a region that ends before the production does hands its last step
     * the outer precedence */
    const struct production *n = &var(&p, "nest")->prods[0];
    assert_int_equal(n->n_steps, 3);
    assert_int_equal(n->steps[0].prec.value, 2);
    assert_int_equal(n->steps[1].prec.kind, PREC_NONE);
    assert_int_equal(n->steps[2].prec.kind, PREC_NONE);
    assert_int_equal(n->dyn_prec, -3);
    /* choices multiply, first member slowest */
    const struct syntax_var *o = var(&p, "opt");
    assert_int_equal(o->n_prods, 4);
    assert_int_equal(o->prods[0].n_steps, 2);
    assert_int_equal(o->prods[1].n_steps, 1);
    assert_int_equal(o->prods[2].n_steps, 2);
    assert_int_equal(o->prods[3].n_steps, 1);
    /* an alias on a rule that also appears unaliased stays on the step */
    const struct production *al = &var(&p, "al")->prods[0];
    assert_string_equal(al->steps[0].alias.value, "renamed");
    assert_true(al->steps[0].alias.named);
    assert_null(al->steps[1].alias.value);
    assert_null(p.syn.nt_alias[var_named(&p.syn, "e")].value);
    prepared_release(&p);
}

static void test_default_aliases(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_SEQ(J_ALIAS("shown", "true", J_SYM("_inner"))
                                                     C J_ALIAS("shown", "true", J_SYM("_inner"))
                                                         C J_ALIAS("kw", "false", J_PAT("k+"))))
                                   C J_RULE("_inner", J_SEQ(J_STR("a") C J_STR("b"))),
                               ""));
    assert_int_equal(p.rc, 0);
    int inner = var_named(&p.syn, "_inner");
    assert_string_equal(p.syn.nt_alias[inner].value, "shown");
    assert_true(p.syn.nt_alias[inner].named);
    const struct production *pr = &var(&p, "s")->prods[0];
    assert_null(pr->steps[0].alias.value);
    assert_null(pr->steps[1].alias.value);
    assert_null(pr->steps[2].alias.value);
    int k = token_named(&p.lex, "s_token1");
    assert_true(k >= 0);
    assert_string_equal(p.syn.term_alias[k].value, "kw");
    assert_false(p.syn.term_alias[k].named);
    enum var_kind kind;
    assert_string_equal(
        syntax_symbol_name(&p.syn, &p.lex, sym_make(SYM_NONTERMINAL, (uint32_t)inner), true, &kind),
        "shown");
    assert_int_equal(kind, VAR_NAMED);
    prepared_release(&p);
}

static void test_inline(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(
        &p, J_GRAMMAR(J_RULE("s", J_SEQ(J_FIELD("f", J_SYM("_val")) C J_STR("z")))
                          C J_RULE("_val", J_CHOICE(J_STR("a") C J_SEQ(J_STR("b") C J_STR("c")))),
                      C "\"inline\":[\"_val\",\"not_a_rule\"]"));
    assert_int_equal(p.rc, 0);
    const struct syntax_var *s = var(&p, "s");
    assert_int_equal(s->n_prods, 2);
    assert_int_equal(s->prods[0].n_steps, 2);
    assert_string_equal(p.lex.vars[s->prods[0].steps[0].sym.index].name, "a");
    assert_string_equal(s->prods[0].steps[0].field, "f");
    assert_int_equal(s->prods[1].n_steps, 3);
    assert_string_equal(s->prods[1].steps[0].field, "f");
    assert_string_equal(s->prods[1].steps[1].field, "f");
    assert_null(s->prods[1].steps[2].field);
    assert_true(p.syn.inlined[var_named(&p.syn, "_val")]);
    prepared_release(&p);

    prepare_json(&p, J_GRAMMAR(J_RULE("s", J_SYM("_a")) C J_RULE(
                                   "_a", J_CHOICE(J_STR("x") C J_SEQ(J_SYM("_a") C J_STR("y")))),
                               C "\"inline\":[\"_a\"]"));
    assert_int_equal(p.rc, ERR_INVALID);
    assert_non_null(strstr(p.err.msg, "inline rule '_a' is recursive"));
    prepared_release(&p);
}

static void expect_error(const char *json, const char *fragment)
{
    struct prepared p;
    prepare_json(&p, json);
    assert_int_equal(p.rc, ERR_INVALID);
    if (!strstr(p.err.msg, fragment))
        fail_msg("message '%s' lacks '%s'", p.err.msg, fragment);
    prepared_release(&p);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(J_GRAMMAR(J_RULE("s", J_SEQ(J_STR("a") C J_SYM("nowhere"))), ""),
                 "rules.s.members[1]: undefined symbol 'nowhere'");
    expect_error(J_GRAMMAR(J_RULE("s", J_SEQ(J_STR("a") C J_STR(""))), ""),
                 "rules.s.members[1]: empty string");
    expect_error(J_GRAMMAR(J_RULE("s", J_STR("a")), C "\"conflicts\":[[\"s\",\"nosuch\"]]"),
                 "conflicts[0][1]: undefined rule 'nosuch'");
    expect_error(J_GRAMMAR(J_RULE("s", J_SEQ(J_SYM("list") C J_STR("a")))
                               C J_RULE("list", J_SEQ(J_STR("a") C J_STR("b"))),
                           C "\"word\":\"list\""),
                 "word: 'list' is not a token");
    expect_error(J_GRAMMAR(J_RULE("s", J_PREC("\"nope\"", J_STR("a"))), ""),
                 "rules.s: precedence 'nope' is not declared");
    expect_error(J_GRAMMAR(J_RULE("_s", J_STR("a")), ""), "start rule must be visible");
    expect_error(J_GRAMMAR(J_RULE("s", J_TOKEN(J_SEQ(J_STR("a") C J_SYM("s")))), ""),
                 "cannot be used inside a token");
    expect_error(J_GRAMMAR(J_RULE("s", J_SYM("r")) C J_RULE("r", J_SEQ(J_STR("a") C J_STR("b"))),
                           C "\"externals\":[" J_SYM("r") "]"),
                 "used both as an external token and as a rule");
    expect_error(J_GRAMMAR(J_RULE("s", J_STR("a")), C "\"supertypes\":[\"nothing\"]"),
                 "supertypes[0]: undefined symbol 'nothing'");
    expect_error(J_GRAMMAR(J_RULE("s", J_STR("a")), C "\"precedences\":[[" J_SYM("zz") "]]"),
                 "precedences[0][0]: undefined symbol 'zz'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_extraction),
        cmocka_unit_test(test_token_used_twice_stays_a_rule),
        cmocka_unit_test(test_externals),
        cmocka_unit_test(test_repeat_expansion),
        cmocka_unit_test(test_repeat_labelled_body),
        cmocka_unit_test(test_repeat_chunks),
        cmocka_unit_test(test_flattening),
        cmocka_unit_test(test_default_aliases),
        cmocka_unit_test(test_inline),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
