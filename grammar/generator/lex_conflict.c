/* The token conflict map and keyword identification.
 *
 * For each pair of tokens the two NFAs run together from their start
 * states, separator loops included (a subset simulation over character
 * ranges). At each point the completed tokens, the moves, and which token
 * is left alive tell how one token can win over the other; the flags are
 * tree-sitter's token conflict statuses (lex_int.h).
 *
 * Beyond tree-sitter, each point also remembers the token that completed
 * last on the way (as long as the lexer would have followed every move
 * since) and whether the character after its end could start a following
 * token: when the other token later goes on alone, it has won past that
 * completion even though both went on together for a while (/a(bc)?/
 * against /abd/ on "abd"). */
#include "lex_int.h"

#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

/* The extra key word of an explored point: the pending completion. */
#define X_PEND_I 1u /* i completed last */
#define X_PEND_J 2u /* j completed last */
#define X_PEND_VALID 4u

struct pair_ctx {
    struct lexer *lx;
    struct nfa_scratch sc;
    struct nfa_moves moves;
    struct sset_table seen;
    struct u32s stack, set;
    struct crange **follow; /* per token: characters that can start a following token */
    uint32_t *n_follow;
};

static void flag(struct lexer *lx, uint32_t i, uint32_t j, uint8_t f)
{
    lx->pair[(size_t)i * lx->n + j] |= f;
}

static void push_point(struct pair_ctx *c, uint32_t extra, const uint32_t *set, size_t n)
{
    bool added;
    uint32_t id = sset_intern(&c->seen, extra, set, n, &added);
    if (added)
        VEC_PUSH(&c->stack, id);
}

bool lex_move_preferred(const struct lexer *lx, const struct nfa_moves *m,
                        const struct nfa_move *mv, uint32_t done, bool has_sep)
{
    int32_t p = lx->toks[done].prec;
    if (mv->prec != p)
        return mv->prec > p;
    if (mv->sep)
        return false;
    if (!has_sep)
        return true;
    const uint32_t *next = nfa_move_states(m, mv);
    for (uint32_t k = 0; k < mv->n_s; k++)
        if (lx->nfa.states[next[k]].token == done)
            return true;
    return false;
}

static void explore_pair(struct pair_ctx *c, uint32_t i, uint32_t j)
{
    struct lexer *lx = c->lx;
    const struct nfa *nfa = &lx->nfa;
    uint32_t tok[2] = { i, j };
    sset_release(&c->seen);
    VEC_CLEAR(&c->stack);
    uint32_t seeds[2] = { lx->toks[i].start_sep, lx->toks[j].start_sep };
    struct u32s start = VEC_INIT;
    nfa_closure(nfa, &c->sc, seeds, 2, &start);
    push_point(c, 0, start.items, start.len);
    VEC_RELEASE(&start);

    while (c->stack.len) {
        if (sset_count(&c->seen) > lx->max_pair_points) {
            /* Too many points to be a pair of real tokens: assume the worst
             * of both, which only costs merges and keywords. */
            uint8_t all = LP_SAME_WIN | LP_DIFF | LP_BLOCK | LP_CONT | LP_VALID_CONT | LP_SEP;
            flag(lx, i, j, all);
            flag(lx, j, i, all);
            break;
        }
        uint32_t id = VEC_POP(&c->stack), n, extra;
        const uint32_t *s = sset_get(&c->seen, id, &n, &extra);
        VEC_CLEAR(&c->set);
        for (uint32_t k = 0; k < n; k++)
            VEC_PUSH(&c->set, s[k]);
        bool live[2] = { false, false }, comp[2] = { false, false };
        for (size_t k = 0; k < c->set.len; k++) {
            const struct nfa_state *st = &nfa->states[c->set.items[k]];
            int w = st->token == i ? 0 : 1;
            live[w] = true;
            if (st->kind == NFA_ACCEPT)
                comp[w] = true;
        }
        int pend = extra & X_PEND_I ? 0 : extra & X_PEND_J ? 1 : -1;
        if (pend >= 0 && !live[pend] && live[!pend])
            flag(lx, tok[!pend], tok[pend], LP_CONT | (extra & X_PEND_VALID ? LP_VALID_CONT : 0));
        if (!live[0] || !live[1]) {
            /* One token is left alone: it matches strings the other does
             * not, and nothing more can happen between them. */
            if (live[0])
                flag(lx, i, j, LP_DIFF);
            if (live[1])
                flag(lx, j, i, LP_DIFF);
            continue;
        }
        nfa_moves_compute(&c->moves, nfa, &c->sc, c->set.items, c->set.len);
        bool has_sep = false;
        for (size_t m = 0; m < c->moves.moves.len; m++)
            has_sep = has_sep || c->moves.moves.items[m].sep;

        int done = -1; /* the completion the lexer would take here */
        for (int w = 0; w < 2; w++) {
            if (!comp[w])
                continue;
            if (has_sep)
                flag(lx, tok[w], tok[!w], LP_SEP);
            if (!comp[!w])
                flag(lx, tok[w], tok[!w], LP_DIFF);
        }
        if (comp[0] && comp[1]) {
            done = lexer_prefer_token(lx, i, j) ? 0 : 1;
            flag(lx, tok[done], tok[!done], LP_SAME_WIN);
        } else if (comp[0] || comp[1]) {
            done = comp[0] ? 0 : 1;
        }

        for (size_t m = 0; m < c->moves.moves.len; m++) {
            const struct nfa_move *mv = &c->moves.moves.items[m];
            const uint32_t *next = nfa_move_states(&c->moves, mv);
            uint32_t nextra = extra;
            if (done >= 0) {
                bool nlive[2] = { false, false };
                for (uint32_t k = 0; k < mv->n_s; k++)
                    nlive[nfa->states[next[k]].token == i ? 0 : 1] = true;
                uint32_t t = tok[done];
                bool kept = lex_move_preferred(lx, &c->moves, mv, t, has_sep);
                bool valid = cranges_intersect(nfa_move_ranges(&c->moves, mv), mv->n_r,
                                               c->follow[t], c->n_follow[t]);
                if (nlive[!done] && !nlive[done]) {
                    if (kept)
                        flag(lx, tok[!done], t, LP_CONT | (valid ? LP_VALID_CONT : 0));
                    else
                        flag(lx, t, tok[!done], LP_BLOCK);
                }
                nextra = 0;
                if (kept)
                    nextra = (done == 0 ? X_PEND_I : X_PEND_J) | (valid ? X_PEND_VALID : 0);
            }
            push_point(c, nextra, next, mv->n_s);
        }
    }
}

void lexer_analyze(struct lexer *lx, const struct tokset *following)
{
    uint32_t n = lx->n;
    lx->pair = ARENA_NEW_ARRAY(lx->a, uint8_t, (size_t)n * n + 1);
    struct pair_ctx c = { .lx = lx };
    nfa_scratch_init(&c.sc, &lx->nfa);
    nfa_moves_init(&c.moves);
    sset_init(&c.seen);
    c.follow = ARENA_NEW_ARRAY(lx->a, struct crange *, n ? n : 1);
    c.n_follow = ARENA_NEW_ARRAY(lx->a, uint32_t, n ? n : 1);
    struct cset cs;
    cset_init(&cs);
    for (uint32_t t = 0; t < n; t++) {
        cset_clear(&cs);
        /* Without the parse table's answer, anything may follow. */
        for (uint32_t u = 0; u < n; u++)
            if (!following || tokset_has(&following[t], u))
                cset_add_ranges(&cs, lx->first[u], lx->n_first[u]);
        c.follow[t] = cset_freeze(&cs, lx->a);
        c.n_follow[t] = cs.n;
    }
    cset_release(&cs);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            explore_pair(&c, i, j);
    nfa_scratch_release(&c.sc);
    nfa_moves_release(&c.moves);
    sset_release(&c.seen);
    VEC_RELEASE(&c.stack);
    VEC_RELEASE(&c.set);
}

static uint8_t pair_of(const struct lexer *lx, uint32_t i, uint32_t j)
{
    DW_ASSERT(lx->pair && i < lx->n && j < lx->n);
    return lex_pair(lx, i, j);
}

bool lexer_does_conflict(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return pair_of(lx, i, j) & (LP_VALID_CONT | LP_SEP | LP_SAME_WIN);
}

bool lexer_does_match_same_string(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return pair_of(lx, i, j) & LP_SAME_WIN;
}

bool lexer_does_match_different_string(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return pair_of(lx, i, j) & LP_DIFF;
}

bool lexer_does_match_prefix(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return pair_of(lx, i, j) & LP_BLOCK;
}

bool lexer_does_match_shorter_or_longer(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return (pair_of(lx, i, j) & (LP_VALID_CONT | LP_SEP)) && !(pair_of(lx, j, i) & LP_SEP);
}

bool lexer_does_overlap(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return pair_of(lx, i, j) & (LP_SEP | LP_BLOCK | LP_SAME_WIN | LP_CONT);
}

/* ------------------------------------------------------------------ */
/* Keywords                                                             */

/* The flags that make up tree-sitter's "conflict status" of a pair. */
#define LP_STATUS (LP_SAME_WIN | LP_DIFF | LP_BLOCK | LP_CONT | LP_VALID_CONT | LP_SEP)

struct tokset lexer_identify_keywords(struct lexer *lx, const struct lex_state_tokens *states,
                                      uint32_t n_states, struct sym word)
{
    uint32_t n = lx->n;
    struct tokset kw;
    tokset_init(&kw, lx->a, n);
    if (word.kind != SYM_TERMINAL || word.index >= n)
        return kw;
    uint32_t w = word.index;

    /* Candidates: made of the word token's characters, beating the word
     * token on a string both match, and matching none it does not. */
    bool *cand = xcalloc(n ? n : 1, sizeof *cand);
    for (uint32_t t = 0; t < n; t++)
        cand[t] = t != w && lx->n_chars[t] &&
                  cranges_subset(lx->chars[t], lx->n_chars[t], lx->chars[w], lx->n_chars[w]) &&
                  lexer_does_match_same_string(lx, t, w) &&
                  !lexer_does_match_different_string(lx, t, w);

    /* A candidate that another candidate beats on some string would be
     * shadowed by it behind the word token. */
    bool *keep = xcalloc(n ? n : 1, sizeof *keep);
    for (uint32_t t = 0; t < n; t++) {
        keep[t] = cand[t];
        for (uint32_t u = 0; u < n && keep[t]; u++)
            if (u != t && cand[u] && lexer_does_match_same_string(lx, u, t))
                keep[t] = false;
    }

    /* Where a candidate k and another token t are valid without the word
     * token, making k a keyword puts the word token beside t: the word
     * token must stand to t as k does. */
    uint8_t *together = xcalloc((size_t)n * n + 1, 1);
    struct u32s members = VEC_INIT;
    for (uint32_t s = 0; s < n_states; s++) {
        const struct tokset *ts = &states[s].tokens;
        if (tokset_has(ts, w))
            continue;
        VEC_CLEAR(&members);
        for (uint32_t t = 0; t < n; t++)
            if (tokset_has(ts, t))
                VEC_PUSH(&members, t);
        for (size_t a = 0; a < members.len; a++) {
            if (!keep[members.items[a]])
                continue;
            for (size_t b = 0; b < members.len; b++)
                together[(size_t)members.items[a] * n + members.items[b]] = 1;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        if (!keep[k])
            continue;
        bool ok = true;
        for (uint32_t t = 0; t < n && ok; t++) {
            if (t == w || cand[t] || !together[(size_t)k * n + t])
                continue;
            if ((lex_pair(lx, k, t) & LP_STATUS) != (lex_pair(lx, w, t) & LP_STATUS))
                ok = false;
        }
        if (ok)
            tokset_add(&kw, k);
    }
    VEC_RELEASE(&members);
    free(together);
    free(keep);
    free(cand);
    return kw;
}
