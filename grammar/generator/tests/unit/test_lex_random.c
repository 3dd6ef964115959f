/* Randomised checks with a fixed seed:
 * - the built, minimised and renumbered DFAs lex exactly like a direct
 *   simulation of the NFA under the same rules (longest match, precedence,
 *   separators, end of input), for random parse states and inputs;
 * - the regex parser and NFA builder survive random patterns (errors are
 *   fine, crashes and sanitizer reports are not). */
#include "test_lex_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

/* The lexer's rules applied directly on the NFA: what a lex function built
 * from these start states must answer. */
static int32_t reference_lex(const struct lexer *lx, const struct tokset *tokens, bool eof_valid,
                             const uint32_t *in, size_t n, size_t *start, size_t *end)
{
    struct nfa_scratch sc;
    struct nfa_moves mv;
    struct u32s set = VEC_INIT, seeds = VEC_INIT;
    nfa_scratch_init(&sc, &lx->nfa);
    nfa_moves_init(&mv);
    for (uint32_t t = 0; t < lx->n; t++)
        if (tokset_has(tokens, t))
            VEC_PUSH(&seeds, lx->toks[t].start_sep);
    nfa_closure(&lx->nfa, &sc, seeds.items, seeds.len, &set);
    bool at_start = true;
    int32_t result = LEX_NO_ACCEPT;
    size_t pos = 0;
    *start = *end = 0;
    for (;;) {
        int32_t accept = LEX_NO_ACCEPT;
        for (size_t k = 0; k < set.len; k++) {
            const struct nfa_state *st = &lx->nfa.states[set.items[k]];
            if (st->kind == NFA_ACCEPT &&
                (accept < 0 || lexer_prefer_token(lx, st->token, (uint32_t)accept)))
                accept = (int32_t)st->token;
        }
        if (accept != LEX_NO_ACCEPT) {
            result = accept;
            *end = pos;
        }
        if (pos == n) {
            if (at_start && eof_valid) {
                result = LEX_ACCEPT_END;
                *end = pos;
            }
            break;
        }
        nfa_moves_compute(&mv, &lx->nfa, &sc, set.items, set.len);
        bool has_sep = false;
        for (size_t m = 0; m < mv.moves.len; m++)
            has_sep = has_sep || mv.moves.items[m].sep;
        const struct nfa_move *hit = NULL;
        for (size_t m = 0; m < mv.moves.len && !hit; m++)
            if (in[pos] != 0 && cranges_contain(nfa_move_ranges(&mv, &mv.moves.items[m]),
                                                mv.moves.items[m].n_r, in[pos]))
                hit = &mv.moves.items[m];
        if (!hit)
            break;
        if (accept >= 0) {
            int32_t p = lx->toks[accept].prec;
            bool keep = hit->prec > p;
            if (hit->prec == p && !hit->sep) {
                keep = !has_sep;
                const uint32_t *nx = nfa_move_states(&mv, hit);
                for (uint32_t k = 0; k < hit->n_s && !keep; k++)
                    keep = lx->nfa.states[nx[k]].token == (uint32_t)accept;
            }
            if (!keep)
                break;
        }
        pos++;
        if (hit->sep)
            *start = pos;
        else
            at_start = false;
        VEC_CLEAR(&seeds);
        const uint32_t *nx = nfa_move_states(&mv, hit);
        for (uint32_t k = 0; k < hit->n_s; k++)
            VEC_PUSH(&seeds, nx[k]);
        VEC_CLEAR(&set);
        for (size_t k = 0; k < seeds.len; k++)
            VEC_PUSH(&set, seeds.items[k]);
    }
    VEC_RELEASE(&set);
    VEC_RELEASE(&seeds);
    nfa_moves_release(&mv);
    nfa_scratch_release(&sc);
    return result;
}

#define N_POOL 13

static void pool_grammar(struct test_grammar *tg, struct arena *a)
{
    memset(tg, 0, sizeof *tg);
    tg_sep(tg, r_pat(a, "[ \\t]", NULL));
    tg_sep(tg, r_str(a, "\\\n"));
    tg_add(tg, "ident", r_pat(a, "[a-z]+", NULL));
    tg_add(tg, "if", r_str(a, "if"));
    tg_add(tg, "=", r_str(a, "="));
    tg_add(tg, "==", r_str(a, "=="));
    tg_add(tg, "comment", r_pat(a, "#[^\\n]*", NULL));
    tg_add(tg, "#", r_str(a, "#"));
    tg_add(tg, "number", r_pat(a, "\\d+(\\.\\d+)?", NULL));
    tg_add(tg, "a.", r_wrap(a, RULE_TOKEN, r_prec(a, 2, r_str(a, "a."))));
    tg_add(tg, "(", r_wrap(a, RULE_IMMEDIATE_TOKEN, r_str(a, "(")));
    tg_add(tg, "nl", r_str(a, "\n"));
    tg_add(tg, "ab?", r_pat(a, "a+b?", NULL));
    tg_add(tg, "assign", r_wrap(a, RULE_TOKEN, r_prec(a, -1, r_pat(a, "[a-z]*=", NULL))));
    tg_add(tg, "ab", r_str(a, "ab"));
}

static void test_dfa_matches_nfa_simulation(void **state)
{
    (void)state;
    static const char alphabet[] = "aibf=#(.1\n \t\\x";
    for (int round = 0; round < 10; round++) {
        struct arena a;
        arena_init(&a);
        struct test_grammar tg;
        pool_grammar(&tg, &a);
        struct err err;
        struct lexer *lx = lexer_new(&tg.g, &a, &err);
        assert_non_null(lx);
        lexer_analyze(lx, NULL);
        struct lex_state_tokens st[6];
        uint32_t n_states = 1 + rnd(6);
        for (uint32_t s = 0; s < n_states; s++) {
            tokset_init(&st[s].tokens, &a, N_POOL);
            st[s].eof_valid = rnd(2);
            uint32_t k = 1 + rnd(5);
            for (uint32_t i = 0; i < k; i++)
                tokset_add(&st[s].tokens, rnd(N_POOL));
        }
        uint16_t lex_state_of[6];
        lexer_build(lx, st, n_states, NULL, sym_make(SYM_NONE, 0), lex_state_of);
        for (uint32_t s = 0; s < n_states; s++) {
            uint32_t g = lx->group_of[s];
            /* A state's group holds at least its tokens. */
            for (uint32_t t = 0; t < N_POOL; t++)
                if (tokset_has(&st[s].tokens, t))
                    assert_true(tokset_has(&lx->group_tokens[g], t));
            for (int k = 0; k < 150; k++) {
                uint32_t in[8];
                size_t n = rnd(9);
                for (size_t i = 0; i < n; i++)
                    in[i] = (unsigned char)alphabet[rnd(sizeof alphabet - 1)];
                size_t s1, e1, s2, e2;
                int32_t got = lex_dfa_run(&lx->main, lex_state_of[s], in, n, &s1, &e1);
                int32_t want =
                    reference_lex(lx, &lx->group_tokens[g], lx->group_eof[g], in, n, &s2, &e2);
                if (got != want || (got != LEX_NO_ACCEPT && (s1 != s2 || e1 != e2))) {
                    char text[9];
                    for (size_t i = 0; i < n; i++)
                        text[i] = (char)in[i];
                    text[n] = 0;
                    fail_msg("round %d state %u input '%s': dfa %d [%zu,%zu), nfa %d [%zu,%zu)",
                             round, s, text, got, s1, e1, want, s2, e2);
                }
            }
        }
        arena_release(&a);
    }
}

static void test_random_patterns_do_not_crash(void **state)
{
    (void)state;
    static const char alphabet[] = "ab()[]{}|*+?.^$\\-,0123dswpuxL^:<=!";
    int parsed = 0;
    for (int k = 0; k < 4000; k++) {
        char pat[16];
        size_t n = rnd(sizeof pat);
        for (size_t i = 0; i < n; i++)
            pat[i] = alphabet[rnd(sizeof alphabet - 1)];
        pat[n] = 0;
        struct arena a;
        arena_init(&a);
        struct err err;
        struct rx_node *node = rx_parse(pat, n, rnd(3) ? NULL : "i", "rules.x", &a, &err);
        if (node) {
            parsed++;
            struct test_grammar tg;
            memset(&tg, 0, sizeof tg);
            tg_add(&tg, "x", r_pat(&a, pat, NULL));
            struct lexer *lx = lexer_new(&tg.g, &a, &err);
            /* The NFA agrees with the tree on the empty string. */
            assert_true(lx ? !rx_matches_empty(node) : rx_matches_empty(node));
        } else {
            assert_int_equal(err.code, ERR_INVALID);
            assert_true(strncmp(err.msg, "rules.x: ", 9) == 0);
        }
        arena_release(&a);
    }
    assert_true(parsed > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dfa_matches_nfa_simulation),
        cmocka_unit_test(test_random_patterns_do_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
