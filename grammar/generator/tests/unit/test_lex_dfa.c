/* The lex DFAs: walking the built tables on inputs (longest match,
 * precedence, separators, immediate tokens, end of input), grouping of
 * parse states, minimisation and the keyword DFA. */
#include "test_lex_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct fixture {
    struct arena a;
    struct test_grammar tg;
    struct lexer *lx;
    uint16_t lex_state_of[16];
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    arena_init(&f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    arena_release(&f->a);
    free(f);
    return 0;
}

static void build(struct fixture *f, const struct lex_state_tokens *st, uint32_t n,
                  const struct tokset *keywords, struct sym word)
{
    struct err err;
    f->lx = lexer_new(&f->tg.g, &f->a, &err);
    if (!f->lx)
        fail_msg("lexer_new: %s", err.msg);
    lexer_analyze(f->lx, NULL);
    lexer_build(f->lx, st, n, keywords, word, f->lex_state_of);
}

/* Lexes s from parse state ps; checks the token and its span. */
#define LEX(f, ps, s, tok, from, to)                                                               \
    do {                                                                                           \
        size_t st_, en_;                                                                           \
        int32_t got_ = dfa_lex(&(f)->lx->main, (f)->lex_state_of[ps], (s), &st_, &en_);            \
        assert_int_equal(got_, (tok));                                                             \
        if ((tok) != LEX_NO_ACCEPT) {                                                              \
            assert_int_equal(st_, (from));                                                         \
            assert_int_equal(en_, (to));                                                           \
        }                                                                                          \
    } while (0)

enum { IDENT, IF, EQ, EQEQ, COMMENT, LPAREN, NUM, A1, AB };

static void main_grammar(struct fixture *f)
{
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "identifier", r_pat(a, "[a-z]+", NULL));
    tg_add(&f->tg, "if", r_str(a, "if"));
    tg_add(&f->tg, "=", r_str(a, "="));
    tg_add(&f->tg, "==", r_str(a, "=="));
    tg_add(&f->tg, "comment", r_pat(a, "#.*", NULL));
    tg_add(&f->tg, "(", r_wrap(a, RULE_IMMEDIATE_TOKEN, r_str(a, "(")));
    tg_add(&f->tg, "number", r_pat(a, "\\d+", NULL));
    tg_add(&f->tg, "a1", r_wrap(a, RULE_TOKEN, r_prec(a, 1, r_str(a, "@"))));
    tg_add(&f->tg, "ab", r_pat(a, "@b", NULL));
}

static void test_longest_match_and_precedence(void **state)
{
    struct fixture *f = *state;
    main_grammar(f);
    struct lex_state_tokens st[1] = {
        ls_make(&f->a, 9, true, IDENT, IF, EQ, EQEQ, COMMENT, LPAREN, NUM, A1, AB, -1),
    };
    build(f, st, 1, NULL, sym_make(SYM_NONE, 0));
    LEX(f, 0, "if", IF, 0, 2);
    LEX(f, 0, "  if x", IF, 2, 4);
    LEX(f, 0, "iffy", IDENT, 0, 4);
    LEX(f, 0, "i", IDENT, 0, 1);
    LEX(f, 0, "==", EQEQ, 0, 2);
    LEX(f, 0, "=a", EQ, 0, 1);
    LEX(f, 0, "===", EQEQ, 0, 2);
    LEX(f, 0, "\t# hi\nx", COMMENT, 1, 5);
    LEX(f, 0, "#", COMMENT, 0, 1); /* "#" is not a token here */
    LEX(f, 0, "12ab", NUM, 0, 2);
    /* The explicit precedence of "@" stops the longest match. */
    LEX(f, 0, "@b", A1, 0, 1);
    /* Immediate tokens: only with nothing skipped before them. */
    LEX(f, 0, "(", LPAREN, 0, 1);
    LEX(f, 0, " (", LEX_NO_ACCEPT, 0, 0);
    /* End of input, also after separators. */
    LEX(f, 0, "", LEX_ACCEPT_END, 0, 0);
    LEX(f, 0, " \n ", LEX_ACCEPT_END, 3, 3);
    LEX(f, 0, "?", LEX_NO_ACCEPT, 0, 0);
}

/* A token complete before a separator is not extended over it. */
static void test_newline_token_with_separators(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "nl", r_str(a, "\n"));
    tg_add(&f->tg, "word", r_pat(a, "[a-z]+", NULL));
    struct lex_state_tokens st[1] = { ls_make(&f->a, 2, false, 0, 1, -1) };
    build(f, st, 1, NULL, sym_make(SYM_NONE, 0));
    LEX(f, 0, "\nabc", 0, 0, 1);
    LEX(f, 0, " \n x", 0, 1, 2);
    LEX(f, 0, "  abc", 1, 2, 5);
}

static void test_eof_only_at_token_start(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    /* After "aa", /a*b/ is back in its start set: end of input there must
     * not be taken for the end symbol. */
    tg_add(&f->tg, "ab", r_pat(a, "a*b", NULL));
    struct lex_state_tokens st[1] = { ls_make(&f->a, 1, true, 0, -1) };
    build(f, st, 1, NULL, sym_make(SYM_NONE, 0));
    LEX(f, 0, "aab", 0, 0, 3);
    LEX(f, 0, "aa", LEX_NO_ACCEPT, 0, 0);
    LEX(f, 0, "", LEX_ACCEPT_END, 0, 0);
}

/* Contextual lexing: each parse state lexes its own tokens; compatible
 * states share a start state. */
static void test_grouping(void **state)
{
    struct fixture *f = *state;
    main_grammar(f);
    struct lex_state_tokens st[5] = {
        ls_make(&f->a, 9, false, IDENT, EQ, -1), ls_make(&f->a, 9, false, NUM, EQ, -1),
        ls_make(&f->a, 9, false, EQEQ, -1),      ls_make(&f->a, 9, true, IF, -1),
        ls_make(&f->a, 9, false, IDENT, -1),
    };
    build(f, st, 5, NULL, sym_make(SYM_NONE, 0));
    /* identifier and number never clash: one lexer serves both. */
    assert_int_equal(f->lex_state_of[0], f->lex_state_of[1]);
    /* "==" was never valid beside "=" and overlaps it. */
    assert_int_not_equal(f->lex_state_of[0], f->lex_state_of[2]);
    /* "if" and identifier overlap and never meet. */
    assert_int_not_equal(f->lex_state_of[3], f->lex_state_of[4]);
    assert_int_equal(f->lex_state_of[0], 0);
    LEX(f, 0, "abc", IDENT, 0, 3);
    LEX(f, 1, "42", NUM, 0, 2);
    LEX(f, 2, "==", EQEQ, 0, 2);
    LEX(f, 2, "=", LEX_NO_ACCEPT, 0, 0);
    LEX(f, 3, "if", IF, 0, 2);
    LEX(f, 3, "iffy", IF, 0, 2);
    LEX(f, 3, "", LEX_ACCEPT_END, 0, 0);
    LEX(f, 4, "if", IDENT, 0, 2);
    LEX(f, 4, "", LEX_NO_ACCEPT, 0, 0);
}

static void test_minimal_sizes(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    /* Start, one looping state, the end state. */
    tg_add(&f->tg, "ident", r_pat(a, "[a-z]+", NULL));
    struct lex_state_tokens st[1] = { ls_make(&f->a, 1, true, 0, -1) };
    build(f, st, 1, NULL, sym_make(SYM_NONE, 0));
    assert_int_equal(lexer_main_state_count(f->lx), 3);
    assert_int_equal(lexer_keyword_state_count(f->lx), 0);
}

static void test_minimisation_merges(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    /* After 'a' and after 'c' the rest is the same: start, middle, end. */
    tg_add(&f->tg, "xb", r_pat(a, "ab|cb", NULL));
    struct lex_state_tokens st[1] = { ls_make(&f->a, 1, false, 0, -1) };
    build(f, st, 1, NULL, sym_make(SYM_NONE, 0));
    assert_int_equal(lexer_main_state_count(f->lx), 3);
    LEX(f, 0, "cb", 0, 0, 2);
    LEX(f, 0, "ab", 0, 0, 2);
    LEX(f, 0, "bb", LEX_NO_ACCEPT, 0, 0);
}

/* With keywords, the main lexer returns the word token and the keyword
 * DFA re-lexes it. */
static void test_keyword_dfa(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "identifier", r_pat(a, "[a-z_]+", NULL)); /* 0 */
    tg_add(&f->tg, "if", r_str(a, "if"));                    /* 1 */
    tg_add(&f->tg, "else", r_str(a, "else"));                /* 2 */
    tg_add(&f->tg, "=", r_str(a, "="));                      /* 3 */
    struct lex_state_tokens st[2] = {
        ls_make(&f->a, 4, true, 0, 1, 2, 3, -1),
        ls_make(&f->a, 4, false, 1, -1),
    };
    struct err err;
    f->lx = lexer_new(&f->tg.g, &f->a, &err);
    assert_non_null(f->lx);
    lexer_analyze(f->lx, NULL);
    struct tokset kw = lexer_identify_keywords(f->lx, st, 2, sym_make(SYM_TERMINAL, 0));
    assert_true(tokset_has(&kw, 1) && tokset_has(&kw, 2));
    lexer_build(f->lx, st, 2, &kw, sym_make(SYM_TERMINAL, 0), f->lex_state_of);
    /* The state that only wants "if" lexes identifiers now. */
    LEX(f, 1, " if", 0, 1, 3);
    LEX(f, 1, "else", 0, 0, 4);
    LEX(f, 0, "if", 0, 0, 2);
    LEX(f, 0, "=", 3, 0, 1);
    assert_true(lexer_keyword_state_count(f->lx) > 0);
    size_t s, e;
    assert_int_equal(dfa_lex(&f->lx->keywords, 0, "if", &s, &e), 1);
    assert_int_equal(e, 2);
    assert_int_equal(dfa_lex(&f->lx->keywords, 0, "else", &s, &e), 2);
    assert_int_equal(dfa_lex(&f->lx->keywords, 0, "elsewhere", &s, &e), 2);
    assert_int_equal(e, 4);
    assert_int_equal(dfa_lex(&f->lx->keywords, 0, " if", &s, &e), LEX_NO_ACCEPT);
}

/* Numbering is deterministic: the same input gives the same tables. */
static void test_deterministic(void **state)
{
    struct fixture *f = *state;
    main_grammar(f);
    struct lex_state_tokens st[3] = {
        ls_make(&f->a, 9, true, IDENT, IF, EQ, EQEQ, COMMENT, LPAREN, NUM, A1, AB, -1),
        ls_make(&f->a, 9, false, EQEQ, -1),
        ls_make(&f->a, 9, false, IF, NUM, -1),
    };
    build(f, st, 3, NULL, sym_make(SYM_NONE, 0));
    struct lexer *first = f->lx;
    uint16_t first_states[3];
    memcpy(first_states, f->lex_state_of, sizeof first_states);
    build(f, st, 3, NULL, sym_make(SYM_NONE, 0));
    assert_int_equal(first->main.n_states, f->lx->main.n_states);
    assert_int_equal(first->main.n_trans, f->lx->main.n_trans);
    for (uint32_t q = 0; q < first->main.n_states; q++) {
        const struct lex_dstate *x = &first->main.states[q], *y = &f->lx->main.states[q];
        assert_int_equal(x->accept, y->accept);
        assert_int_equal(x->eof_target, y->eof_target);
        assert_int_equal(x->t_off, y->t_off);
        assert_int_equal(x->n_t, y->n_t);
    }
    for (uint32_t k = 0; k < first->main.n_trans; k++) {
        const struct lex_trans *x = &first->main.trans[k], *y = &f->lx->main.trans[k];
        assert_int_equal(x->lo, y->lo);
        assert_int_equal(x->hi, y->hi);
        assert_int_equal(x->target, y->target);
        assert_int_equal(x->skip, y->skip);
    }
    assert_memory_equal(first_states, f->lex_state_of, sizeof first_states);
}

/* A token whose DFA needs more states than TSStateId can number: the
 * build stops and rendering reports it. */
static void test_too_many_states(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_add(&f->tg, "blowup", r_pat(a, "[ab]*a[ab]{16}", NULL));
    struct lex_state_tokens st[1] = { ls_make(&f->a, 1, false, 0, -1) };
    struct err err;
    f->lx = lexer_new(&f->tg.g, &f->a, &err);
    assert_non_null(f->lx);
    /* 2^17 states are needed; a lower limit reaches the same path fast. */
    f->lx->max_states = 1000;
    lexer_analyze(f->lx, NULL);
    lexer_build(f->lx, st, 1, NULL, sym_make(SYM_NONE, 0), f->lex_state_of);
    assert_true(f->lx->too_large);
    assert_true(lexer_main_state_count(f->lx) <= 1000);
    struct buf out = BUF_INIT;
    const char *names[] = { "sym_blowup" };
    struct lexer_names ln = { names, "ts_builtin_sym_end", "ts_lex", "ts_lex_keywords" };
    assert_int_equal(lexer_render(f->lx, &out, &ln), ERR_TOO_LARGE);
    buf_release(&out);
}

/* Two such tokens: their pair analysis gives up and assumes the worst. */
static void test_pair_analysis_cap(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_add(&f->tg, "x", r_pat(a, "[ab]*a[ab]{15}c", NULL));
    tg_add(&f->tg, "y", r_pat(a, "[ab]*b[ab]{15}d", NULL));
    struct err err;
    f->lx = lexer_new(&f->tg.g, &f->a, &err);
    assert_non_null(f->lx);
    f->lx->max_pair_points = 1000;
    lexer_analyze(f->lx, NULL);
    assert_true(lexer_does_conflict(f->lx, 0, 1));
    assert_true(lexer_does_conflict(f->lx, 1, 0));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_longest_match_and_precedence),
        T(test_newline_token_with_separators),
        T(test_eof_only_at_token_start),
        T(test_grouping),
        T(test_minimal_sizes),
        T(test_minimisation_merges),
        T(test_keyword_dfa),
        T(test_deterministic),
        T(test_too_many_states),
        T(test_pair_analysis_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
