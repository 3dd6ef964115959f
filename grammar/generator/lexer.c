/* lexer_new and the per-token facts: the NFA, first characters, the
 * characters each token uses, separator characters, preferences. */
#include "lex_int.h"

#include "common/vec.h"

#include <string.h>

static void lexer_cleanup(void *p)
{
    struct lexer *lx = p;
    nfa_release(&lx->nfa);
}

struct lexer *lexer_new(const struct lexical_grammar *g, struct arena *a, struct err *err)
{
    struct lexer *lx = ARENA_NEW(a, struct lexer);
    lx->a = a;
    lx->g = g;
    lx->n = g->n_vars;
    lx->max_states = LEX_MAX_STATES;
    lx->max_pair_points = LEX_PAIR_MAX_POINTS;
    arena_on_release(a, lexer_cleanup, lx);
    lx->toks = ARENA_NEW_ARRAY(a, struct nfa_token, lx->n ? lx->n : 1);
    if (nfa_build(&lx->nfa, lx->toks, g, a, err))
        return NULL;

    lx->first = ARENA_NEW_ARRAY(a, struct crange *, lx->n ? lx->n : 1);
    lx->n_first = ARENA_NEW_ARRAY(a, uint32_t, lx->n ? lx->n : 1);
    lx->chars = ARENA_NEW_ARRAY(a, struct crange *, lx->n ? lx->n : 1);
    lx->n_chars = ARENA_NEW_ARRAY(a, uint32_t, lx->n ? lx->n : 1);

    struct nfa_scratch sc;
    struct u32s set = VEC_INIT;
    struct cset cs;
    cset_init(&cs);
    nfa_scratch_init(&sc, &lx->nfa);
    for (uint32_t t = 0; t < lx->n; t++) {
        /* What a following token can start with, as the conflict analysis
         * asks it: its first characters or a separator in front of it. */
        cset_clear(&cs);
        nfa_closure(&lx->nfa, &sc, &lx->toks[t].start_sep, 1, &set);
        for (size_t k = 0; k < set.len; k++) {
            const struct nfa_state *st = &lx->nfa.states[set.items[k]];
            if (st->kind == NFA_ADVANCE)
                cset_add_ranges(&cs, st->r, st->n_r);
        }
        lx->first[t] = cset_freeze(&cs, a);
        lx->n_first[t] = cs.n;
    }

    /* The characters of each token's own transitions (separators aside):
     * keyword candidates must use only characters of the word token. */
    struct cset *per = xcalloc(lx->n ? lx->n : 1, sizeof *per);
    for (uint32_t s = 0; s < lx->nfa.n; s++) {
        const struct nfa_state *st = &lx->nfa.states[s];
        if (st->kind == NFA_ADVANCE && !st->sep)
            cset_add_ranges(&per[st->token], st->r, st->n_r);
    }
    for (uint32_t t = 0; t < lx->n; t++) {
        lx->chars[t] = cset_freeze(&per[t], a);
        lx->n_chars[t] = per[t].n;
        cset_release(&per[t]);
    }
    free(per);
    cset_release(&cs);
    VEC_RELEASE(&set);
    nfa_scratch_release(&sc);
    return lx;
}

bool lexer_prefer_token(const struct lexer *lx, uint32_t i, uint32_t j)
{
    const struct nfa_token *a = &lx->toks[i], *b = &lx->toks[j];
    if (a->prec != b->prec)
        return a->prec > b->prec;
    if (a->implicit != b->implicit)
        return a->implicit > b->implicit;
    return i <= j;
}

bool lexer_is_immediate(const struct lexer *lx, uint32_t i)
{
    return lx->toks[i].immediate;
}

uint32_t lexer_main_state_count(const struct lexer *lx)
{
    return lx->main.n_states;
}

uint32_t lexer_keyword_state_count(const struct lexer *lx)
{
    return lx->keywords.n_states;
}
