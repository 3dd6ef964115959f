/* The token conflict map and keyword identification on classic cases. */
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
    struct tokset follow[16];
};

static struct lexer *make(struct fixture *f)
{
    struct err err;
    f->lx = lexer_new(&f->tg.g, &f->a, &err);
    if (!f->lx)
        fail_msg("lexer_new: %s", err.msg);
    for (uint32_t t = 0; t < f->tg.g.n_vars; t++)
        tokset_init(&f->follow[t], &f->a, f->tg.g.n_vars);
    return f->lx;
}

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

enum { IF, IDENT, EQ, EQEQ, COMMENT, HASH };

static void classic_grammar(struct fixture *f)
{
    tg_add(&f->tg, "if", r_str(&f->a, "if"));
    tg_add(&f->tg, "identifier", r_pat(&f->a, "[a-z]+", NULL));
    tg_add(&f->tg, "=", r_str(&f->a, "="));
    tg_add(&f->tg, "==", r_str(&f->a, "=="));
    tg_add(&f->tg, "comment", r_pat(&f->a, "#.*", NULL));
    tg_add(&f->tg, "#", r_str(&f->a, "#"));
    make(f);
}

/* "if" against /[a-z]+/: the same string "if", where the string wins by
 * its implicit precedence. */
static void test_keyword_vs_identifier(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    struct lexer *lx = f->lx;
    /* Only "=" may follow "if"; identifiers may follow identifiers. */
    tokset_add(&f->follow[IF], EQ);
    tokset_add(&f->follow[IDENT], IDENT);
    lexer_analyze(lx, f->follow);

    assert_true(lexer_prefer_token(lx, IF, IDENT));
    assert_true(lexer_does_match_same_string(lx, IF, IDENT));
    assert_false(lexer_does_match_same_string(lx, IDENT, IF));
    assert_true(lexer_does_match_different_string(lx, IDENT, IF));
    assert_false(lexer_does_match_different_string(lx, IF, IDENT));
    /* "if" wins on "if" where an identifier should be. */
    assert_true(lexer_does_conflict(lx, IF, IDENT));
    /* An identifier goes on past "if" ("iffy"), but only on letters, and
     * no letter can follow "if" here. */
    assert_false(lexer_does_conflict(lx, IDENT, IF));
    assert_int_equal(lex_pair(lx, IDENT, IF) & (LP_CONT | LP_VALID_CONT), LP_CONT);
    assert_true(lexer_does_overlap(lx, IF, IDENT));
    assert_true(lexer_does_overlap(lx, IDENT, IF));
    assert_false(lexer_does_match_shorter_or_longer(lx, IDENT, IF));
    assert_false(lexer_does_match_prefix(lx, IF, IDENT));
    /* Unrelated tokens. */
    assert_false(lexer_does_overlap(lx, IF, EQ));
    assert_false(lexer_does_overlap(lx, EQ, IF));
    assert_false(lexer_does_conflict(lx, IF, EQ));
    assert_false(lexer_does_match_same_string(lx, IDENT, EQ));
    assert_true(lexer_does_match_different_string(lx, IDENT, EQ));
}

static void test_keyword_vs_identifier_followed_by_letters(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    tokset_add(&f->follow[IF], IDENT);
    lexer_analyze(f->lx, f->follow);
    /* "ifx" would lex as one identifier where "if" then "x" was meant. */
    assert_true(lexer_does_conflict(f->lx, IDENT, IF));
    assert_true(lexer_does_match_shorter_or_longer(f->lx, IDENT, IF));
}

/* "=" against "==": "==" goes on past "="; a conflict only when "=" may
 * follow "=". */
static void test_prefix(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    lexer_analyze(f->lx, f->follow);
    assert_false(lexer_does_match_same_string(f->lx, EQ, EQEQ));
    assert_true(lexer_does_match_different_string(f->lx, EQ, EQEQ));
    assert_true(lexer_does_match_different_string(f->lx, EQEQ, EQ));
    assert_false(lexer_does_conflict(f->lx, EQ, EQEQ));
    assert_false(lexer_does_conflict(f->lx, EQEQ, EQ));
    assert_true(lexer_does_overlap(f->lx, EQEQ, EQ));
    assert_false(lexer_does_overlap(f->lx, EQ, EQEQ));
    assert_false(lexer_does_match_shorter_or_longer(f->lx, EQEQ, EQ));
    /* Nothing stops the longest match here. */
    assert_false(lexer_does_match_prefix(f->lx, EQ, EQEQ));
}

static void test_prefix_with_valid_continuation(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    tokset_add(&f->follow[EQ], EQ);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_conflict(f->lx, EQEQ, EQ));
    assert_false(lexer_does_conflict(f->lx, EQ, EQEQ));
    assert_true(lexer_does_match_shorter_or_longer(f->lx, EQEQ, EQ));
    assert_int_equal(lex_pair(f->lx, EQEQ, EQ) & (LP_CONT | LP_VALID_CONT),
                     LP_CONT | LP_VALID_CONT);
}

/* /#.* / against "#": both match "#", the string wins it; the comment goes
 * on past it. */
static void test_comment_vs_hash(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    tokset_add(&f->follow[HASH], IDENT);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_match_same_string(f->lx, HASH, COMMENT));
    assert_false(lexer_does_match_same_string(f->lx, COMMENT, HASH));
    assert_true(lexer_does_conflict(f->lx, HASH, COMMENT));
    assert_true(lexer_does_conflict(f->lx, COMMENT, HASH));
    assert_true(lexer_does_match_different_string(f->lx, COMMENT, HASH));
    assert_false(lexer_does_match_different_string(f->lx, HASH, COMMENT));
}

/* Precedence inside token(): a complete token with higher precedence stops
 * the longest match. */
static void test_precedence_inside_token(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_add(&f->tg, "a", r_wrap(a, RULE_TOKEN, r_prec(a, 1, r_str(a, "a"))));         /* 0 */
    tg_add(&f->tg, "ab", r_pat(a, "ab", NULL));                                      /* 1 */
    tg_add(&f->tg, "b", r_str(a, "b"));                                              /* 2 */
    tg_add(&f->tg, "x", r_str(a, "x"));                                              /* 3 */
    tg_add(&f->tg, "xy", r_wrap(a, RULE_TOKEN, r_prec(a, 1, r_pat(a, "xy", NULL)))); /* 4 */
    make(f);
    tokset_add(&f->follow[0], 2);
    tokset_add(&f->follow[3], 2);
    lexer_analyze(f->lx, f->follow);
    /* "a" stops /ab/: on "ab" the lexer returns "a". */
    assert_true(lexer_does_match_prefix(f->lx, 0, 1));
    assert_true(lexer_does_overlap(f->lx, 0, 1));
    assert_false(lexer_does_match_prefix(f->lx, 1, 0));
    assert_int_equal(lex_pair(f->lx, 1, 0) & LP_CONT, 0);
    /* A higher-precedence move goes on past a complete token. */
    assert_int_equal(lex_pair(f->lx, 4, 3) & (LP_BLOCK | LP_CONT), LP_CONT);
    assert_false(lexer_does_match_prefix(f->lx, 3, 4));
    assert_false(lexer_does_conflict(f->lx, 4, 3)); /* 'y' cannot start "b" */
}

/* Separators: a token going on over whitespace conflicts when a token with
 * separators in front may follow; a token made of separator characters
 * takes text the other's separators would skip. */
static void test_separators(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "a", r_str(a, "a"));            /* 0 */
    tg_add(&f->tg, "a b", r_pat(a, "a b", NULL));  /* 1 */
    tg_add(&f->tg, "ab", r_pat(a, "ab", NULL));    /* 2 */
    tg_add(&f->tg, "nl", r_str(a, "\n"));          /* 3 */
    tg_add(&f->tg, "word", r_pat(a, "[a-z]+", 0)); /* 4 */
    make(f);
    tokset_add(&f->follow[0], 3);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_conflict(f->lx, 1, 0));  /* ' ' may come before "\n" */
    assert_false(lexer_does_conflict(f->lx, 2, 0)); /* 'b' cannot start "\n" */
    assert_true(lexer_does_conflict(f->lx, 3, 4));
    assert_int_equal(lex_pair(f->lx, 3, 4) & LP_SEP, LP_SEP);
    assert_false(lexer_does_conflict(f->lx, 4, 3));
    assert_true(lexer_does_match_shorter_or_longer(f->lx, 3, 4));
}

/* The winner past a completion is found even when both tokens went on
 * together for a while: /a(bc)?/ completes at "a", /abd/ wins on "abd". */
static void test_delayed_continuation(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_add(&f->tg, "abc", r_pat(a, "a(bc)?", NULL));
    tg_add(&f->tg, "abd", r_pat(a, "abd", NULL));
    tg_add(&f->tg, "b", r_str(a, "b"));
    make(f);
    tokset_add(&f->follow[0], 2);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_conflict(f->lx, 1, 0));
    assert_false(lexer_does_conflict(f->lx, 0, 1));
}

/* NULL following: anything may follow anything. */
static void test_no_following(void **state)
{
    struct fixture *f = *state;
    classic_grammar(f);
    lexer_analyze(f->lx, NULL);
    assert_true(lexer_does_conflict(f->lx, EQEQ, EQ));
    assert_true(lexer_does_conflict(f->lx, IDENT, IF));
}

enum { W, KIF, KELSE, KEQ, KFOR, KFXR, KIFX, KUP, KI };

static void keyword_grammar(struct fixture *f)
{
    struct arena *a = &f->a;
    tg_add(&f->tg, "identifier", r_pat(a, "[a-z_]+", NULL)); /* W */
    tg_add(&f->tg, "if", r_str(a, "if"));
    tg_add(&f->tg, "else", r_str(a, "else"));
    tg_add(&f->tg, "=", r_str(a, "="));
    tg_add(&f->tg, "for", r_str(a, "for"));
    tg_add(&f->tg, "fxr", r_pat(a, "f[a-z]r", NULL)); /* "for" beats it on "for" */
    tg_add(&f->tg, "ifx!", r_str(a, "ifx!"));
    tg_add(&f->tg, "IF", r_str(a, "IF")); /* not made of the word's characters */
    /* Loses "i" to the word token: not a candidate. */
    tg_add(&f->tg, "i", r_wrap(a, RULE_TOKEN, r_prec(a, -1, r_str(a, "i"))));
    make(f);
    lexer_analyze(f->lx, NULL);
}

static void test_keywords(void **state)
{
    struct fixture *f = *state;
    keyword_grammar(f);
    struct lex_state_tokens st[1] = {
        ls_make(&f->a, 9, true, W, KIF, KELSE, KEQ, KFOR, KFXR, KIFX, KUP, KI, -1),
    };
    struct tokset kw = lexer_identify_keywords(f->lx, st, 1, sym_make(SYM_TERMINAL, W));
    assert_true(tokset_has(&kw, KIF));
    assert_true(tokset_has(&kw, KELSE));
    assert_true(tokset_has(&kw, KFOR));
    assert_false(tokset_has(&kw, W));
    assert_false(tokset_has(&kw, KEQ));
    assert_false(tokset_has(&kw, KFXR));
    assert_false(tokset_has(&kw, KIFX));
    assert_false(tokset_has(&kw, KUP));
    assert_false(tokset_has(&kw, KI));

    /* No word token: no keywords. */
    kw = lexer_identify_keywords(f->lx, st, 1, sym_make(SYM_NONE, 0));
    assert_true(tokset_is_empty(&kw));
}

/* "if" beside "i" in a state without the word token: as a keyword, the
 * identifier would take its place there, and the identifier does not stand
 * to "i" as "if" does (it beats "i" on "i"). */
static void test_keyword_changing_conflicts(void **state)
{
    struct fixture *f = *state;
    keyword_grammar(f);
    assert_true(lexer_does_match_same_string(f->lx, W, KI));
    assert_false(lexer_does_match_same_string(f->lx, KIF, KI));
    struct lex_state_tokens st[3] = {
        ls_make(&f->a, 9, true, W, KIF, KELSE, KEQ, -1),
        ls_make(&f->a, 9, false, KIF, KIFX, KEQ, -1),
        ls_make(&f->a, 9, false, KELSE, KI, W, -1),
    };
    struct tokset kw = lexer_identify_keywords(f->lx, st, 3, sym_make(SYM_TERMINAL, W));
    assert_true(tokset_has(&kw, KIF));
    assert_true(tokset_has(&kw, KELSE));
    st[1] = ls_make(&f->a, 9, false, KIF, KI, -1);
    kw = lexer_identify_keywords(f->lx, st, 3, sym_make(SYM_TERMINAL, W));
    assert_false(tokset_has(&kw, KIF));
    assert_true(tokset_has(&kw, KELSE));
}

/* The cases tree-sitter documents for its conflict map. */
static void test_in_identifier_instanceof(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_add(&f->tg, "in", r_str(a, "in"));                 /* 0 */
    tg_add(&f->tg, "identifier", r_pat(a, "\\w+", NULL)); /* 1 */
    tg_add(&f->tg, "instanceof", r_str(a, "instanceof")); /* 2 */
    make(f);
    tokset_add(&f->follow[0], 1);
    tokset_add(&f->follow[1], 0);
    tokset_add(&f->follow[2], 1);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_match_same_string(f->lx, 0, 1));
    assert_false(lexer_does_match_same_string(f->lx, 1, 0));
    assert_true(lexer_does_conflict(f->lx, 1, 0));
    assert_true(lexer_does_conflict(f->lx, 1, 2));
    assert_true(lexer_does_conflict(f->lx, 2, 0));
}

static void test_newline_and_separators(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "x", r_str(a, "x"));
    tg_add(&f->tg, "newline", r_str(a, "\n"));
    make(f);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_conflict(f->lx, 1, 0));
    assert_false(lexer_does_conflict(f->lx, 0, 1));
}

static void test_open_ended_token(void **state)
{
    struct fixture *f = *state;
    struct arena *a = &f->a;
    tg_sep(&f->tg, r_pat(a, "\\s", NULL));
    tg_add(&f->tg, "x", r_str(a, "x"));
    tg_add(&f->tg, "anything", r_prec(a, -1, r_pat(a, ".+", NULL)));
    make(f);
    lexer_analyze(f->lx, f->follow);
    assert_true(lexer_does_match_shorter_or_longer(f->lx, 1, 0));
    assert_false(lexer_does_match_shorter_or_longer(f->lx, 0, 1));
    /* "x" stops the low-precedence /.+/ after "x". */
    assert_true(lexer_does_match_prefix(f->lx, 0, 1));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_keyword_vs_identifier),
        T(test_keyword_vs_identifier_followed_by_letters),
        T(test_prefix),
        T(test_prefix_with_valid_continuation),
        T(test_comment_vs_hash),
        T(test_precedence_inside_token),
        T(test_separators),
        T(test_delayed_continuation),
        T(test_no_following),
        T(test_in_identifier_instanceof),
        T(test_newline_and_separators),
        T(test_open_ended_token),
        T(test_keywords),
        T(test_keyword_changing_conflicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
