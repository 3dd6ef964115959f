/* The lex DFAs: grouping parse states by compatible token sets, subset
 * construction with tree-sitter's conflict resolution, minimisation and
 * deterministic numbering. */
#include "lex_int.h"

#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

/* A DFA under construction (heap). */
struct raw_state {
    int32_t accept;
    bool eof;
    uint32_t t_off, n_t;
};

struct raw_dfa {
    struct {
        struct raw_state *items;
        size_t len, cap;
    } states;
    struct {
        struct lex_trans *items;
        size_t len, cap;
    } trans;
};

static int cmp_trans(const void *a, const void *b)
{
    const struct lex_trans *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Subset construction. Key of a DFA state: its NFA states plus whether it
 * is at the start of a token with end of input valid (only start states
 * and those reached by separators answer `if (eof)`: a set reached after
 * real characters may equal a start set, as in /a*b/). The end state that
 * accepts the end symbol is built apart. */
static void subset_construct(struct lexer *lx, const struct u32s *starts, const bool *eof,
                             uint32_t n_starts, struct raw_dfa *d, uint32_t *start_ids)
{
    const struct nfa *nfa = &lx->nfa;
    struct sset_table tab;
    struct nfa_scratch sc;
    struct nfa_moves mv;
    struct u32s work = VEC_INIT, set = VEC_INIT;
    sset_init(&tab);
    nfa_scratch_init(&sc, nfa);
    nfa_moves_init(&mv);
    bool any_eof = false;

    for (uint32_t k = 0; k < n_starts; k++) {
        nfa_closure(nfa, &sc, starts[k].items, starts[k].len, &set);
        bool added;
        uint32_t id = sset_intern(&tab, eof && eof[k] ? 1 : 0, set.items, set.len, &added);
        if (added) {
            VEC_PUSH(&work, id);
            struct raw_state *rs = VEC_PUSH_ZERO(&d->states);
            rs->accept = LEX_NO_ACCEPT;
        }
        start_ids[k] = id;
    }
    /* Ids of the table and of d->states stay equal: the end state, which
     * has no key, is appended only after every keyed state exists. */
    for (size_t w = 0; w < work.len; w++) {
        uint32_t id = work.items[w], n, flag;
        const uint32_t *s = sset_get(&tab, id, &n, &flag);
        VEC_CLEAR(&set);
        for (uint32_t k = 0; k < n; k++)
            VEC_PUSH(&set, s[k]);

        int32_t accept = LEX_NO_ACCEPT;
        for (size_t k = 0; k < set.len; k++) {
            const struct nfa_state *st = &nfa->states[set.items[k]];
            if (st->kind == NFA_ACCEPT &&
                (accept < 0 || lexer_prefer_token(lx, st->token, (uint32_t)accept)))
                accept = (int32_t)st->token;
        }
        nfa_moves_compute(&mv, nfa, &sc, set.items, set.len);
        bool has_sep = false;
        for (size_t m = 0; m < mv.moves.len; m++)
            has_sep = has_sep || mv.moves.items[m].sep;

        uint32_t t_off = (uint32_t)d->trans.len, to_known;
        for (size_t m = 0; m < mv.moves.len; m++) {
            const struct nfa_move *v = &mv.moves.items[m];
            /* Longest match, unless the complete token's precedence is
             * higher; at equal precedence separators never extend a
             * complete token, and where separators could start (the token
             * ended just before them) only the token itself may go on. */
            if (accept >= 0 && !lex_move_preferred(lx, &mv, v, (uint32_t)accept, has_sep))
                continue;
            bool added;
            uint32_t key = flag && v->sep ? 1 : 0;
            if (d->states.len + 1 >= lx->max_states) {
                /* Only a known set may still be a target; lexer_render
                 * reports the overflow. */
                lx->too_large = true;
                if (!sset_find(&tab, key, nfa_move_states(&mv, v), v->n_s, &to_known))
                    continue;
            }
            uint32_t to = sset_intern(&tab, key, nfa_move_states(&mv, v), v->n_s, &added);
            if (added) {
                VEC_PUSH(&work, to);
                struct raw_state *rs = VEC_PUSH_ZERO(&d->states);
                rs->accept = LEX_NO_ACCEPT;
            }
            const struct crange *r = nfa_move_ranges(&mv, v);
            for (uint32_t k = 0; k < v->n_r; k++)
                VEC_PUSH(&d->trans, ((struct lex_trans){ .lo = r[k].lo,
                                                         .hi = r[k].hi,
                                                         .target = to,
                                                         .token = v->token,
                                                         .skip = v->sep }));
        }
        struct raw_state *rs = &d->states.items[id];
        rs->accept = accept;
        rs->eof = flag != 0;
        rs->t_off = t_off;
        rs->n_t = (uint32_t)d->trans.len - t_off;
        if (rs->n_t > 1)
            qsort(d->trans.items + t_off, rs->n_t, sizeof *d->trans.items, cmp_trans);
        any_eof = any_eof || rs->eof;
    }
    /* raw_state.eof means "goes to this state at end of input". */
    if (any_eof) {
        struct raw_state *rs = VEC_PUSH_ZERO(&d->states);
        rs->accept = LEX_ACCEPT_END;
        rs->t_off = (uint32_t)d->trans.len;
    }
    VEC_RELEASE(&work);
    VEC_RELEASE(&set);
    nfa_moves_release(&mv);
    nfa_scratch_release(&sc);
    sset_release(&tab);
}

/* The transitions of state s with targets replaced by their classes,
 * adjacent ranges with the same class and kind merged, appended to sig as
 * (lo, hi, class, skip) quadruples. */
static void class_transitions(const struct raw_dfa *d, uint32_t s, const uint32_t *cls,
                              struct u32s *sig)
{
    const struct raw_state *st = &d->states.items[s];
    size_t first = sig->len;
    for (uint32_t k = 0; k < st->n_t; k++) {
        const struct lex_trans *t = &d->trans.items[st->t_off + k];
        uint32_t c = cls[t->target];
        if (sig->len > first && sig->items[sig->len - 3] + 1 == t->lo &&
            sig->items[sig->len - 2] == c && sig->items[sig->len - 1] == t->skip) {
            sig->items[sig->len - 3] = t->hi;
            continue;
        }
        VEC_PUSH(sig, t->lo);
        VEC_PUSH(sig, t->hi);
        VEC_PUSH(sig, c);
        VEC_PUSH(sig, (uint32_t)t->skip);
    }
}

/* Moore's partition refinement: states are equivalent when they accept
 * the same token, answer end of input alike and move on the same
 * characters, with the same kind of move, into equivalent states. Returns
 * the number of classes; cls[s] is the class of s. */
static uint32_t minimise(const struct raw_dfa *d, uint32_t *cls)
{
    uint32_t n = (uint32_t)d->states.len, n_cls = 1;
    uint32_t *next = xcalloc(n ? n : 1, sizeof *next);
    struct u32s sig = VEC_INIT;
    memset(cls, 0, n * sizeof *cls);
    for (;;) {
        struct sset_table tab;
        sset_init(&tab);
        for (uint32_t s = 0; s < n; s++) {
            const struct raw_state *st = &d->states.items[s];
            VEC_CLEAR(&sig);
            VEC_PUSH(&sig, cls[s]);
            VEC_PUSH(&sig, (uint32_t)st->accept);
            VEC_PUSH(&sig, (uint32_t)st->eof);
            class_transitions(d, s, cls, &sig);
            next[s] = sset_intern(&tab, 0, sig.items, sig.len, NULL);
        }
        uint32_t count = sset_count(&tab);
        sset_release(&tab);
        memcpy(cls, next, n * sizeof *cls);
        if (count == n_cls)
            break;
        n_cls = count;
    }
    VEC_RELEASE(&sig);
    free(next);
    return n_cls;
}

void lex_dfa_build(struct lexer *lx, const struct u32s *starts, const bool *eof, uint32_t n_starts,
                   struct lex_dfa *out, uint32_t *start_ids)
{
    struct raw_dfa d;
    memset(&d, 0, sizeof d);
    uint32_t *raw_start = xcalloc(n_starts ? n_starts : 1, sizeof *raw_start);
    subset_construct(lx, starts, eof, n_starts, &d, raw_start);
    uint32_t n = (uint32_t)d.states.len;
    uint32_t end_state = LEX_NONE;
    for (uint32_t s = 0; s < n; s++)
        if (d.states.items[s].accept == LEX_ACCEPT_END)
            end_state = s;

    uint32_t *cls = xcalloc(n ? n : 1, sizeof *cls);
    uint32_t n_cls = minimise(&d, cls);
    /* A representative per class: its lowest state. */
    uint32_t *rep = xreallocarray(NULL, n_cls ? n_cls : 1, sizeof *rep);
    for (uint32_t c = 0; c < n_cls; c++)
        rep[c] = LEX_NONE;
    for (uint32_t s = 0; s < n; s++)
        if (rep[cls[s]] == LEX_NONE)
            rep[cls[s]] = s;

    /* Number the classes breadth-first from the start states, in the order
     * of the starts; within a state the end-of-input move comes first,
     * then the transitions by character. */
    uint32_t *num = xreallocarray(NULL, n_cls ? n_cls : 1, sizeof *num);
    for (uint32_t c = 0; c < n_cls; c++)
        num[c] = LEX_NONE;
    struct u32s order = VEC_INIT;
    for (uint32_t k = 0; k < n_starts; k++) {
        uint32_t c = cls[raw_start[k]];
        if (num[c] == LEX_NONE) {
            num[c] = (uint32_t)order.len;
            VEC_PUSH(&order, c);
        }
    }
    for (size_t q = 0; q < order.len; q++) {
        const struct raw_state *st = &d.states.items[rep[order.items[q]]];
        if (st->eof && end_state != LEX_NONE && num[cls[end_state]] == LEX_NONE) {
            num[cls[end_state]] = (uint32_t)order.len;
            VEC_PUSH(&order, cls[end_state]);
        }
        for (uint32_t k = 0; k < st->n_t; k++) {
            uint32_t c = cls[d.trans.items[st->t_off + k].target];
            if (num[c] == LEX_NONE) {
                num[c] = (uint32_t)order.len;
                VEC_PUSH(&order, c);
            }
        }
    }

    /* Copy out, merging adjacent ranges that now go to the same state. */
    out->n_states = (uint32_t)order.len;
    out->states = ARENA_NEW_ARRAY(lx->a, struct lex_dstate, order.len ? order.len : 1);
    struct {
        struct lex_trans *items;
        size_t len, cap;
    } trans = VEC_INIT;
    for (size_t q = 0; q < order.len; q++) {
        const struct raw_state *st = &d.states.items[rep[order.items[q]]];
        struct lex_dstate *o = &out->states[q];
        o->accept = st->accept;
        o->eof_target = st->eof && end_state != LEX_NONE ? num[cls[end_state]] : LEX_NONE;
        o->t_off = (uint32_t)trans.len;
        for (uint32_t k = 0; k < st->n_t; k++) {
            struct lex_trans t = d.trans.items[st->t_off + k];
            t.target = num[cls[t.target]];
            if (trans.len > o->t_off) {
                struct lex_trans *last = &VEC_LAST(&trans);
                if (last->hi + 1 == t.lo && last->target == t.target && last->skip == t.skip) {
                    last->hi = t.hi;
                    if (last->token != t.token)
                        last->token = NFA_MIXED;
                    continue;
                }
            }
            VEC_PUSH(&trans, t);
        }
        o->n_t = (uint32_t)trans.len - o->t_off;
    }
    out->n_trans = (uint32_t)trans.len;
    out->trans = ARENA_NEW_ARRAY(lx->a, struct lex_trans, trans.len ? trans.len : 1);
    if (trans.len)
        memcpy(out->trans, trans.items, trans.len * sizeof *trans.items);
    for (uint32_t k = 0; k < n_starts; k++)
        start_ids[k] = num[cls[raw_start[k]]];

    VEC_RELEASE(&trans);
    VEC_RELEASE(&order);
    free(num);
    free(rep);
    free(cls);
    free(raw_start);
    VEC_RELEASE(&d.states);
    VEC_RELEASE(&d.trans);
}

/* ------------------------------------------------------------------ */
/* Grouping parse states                                                */

struct group {
    struct tokset tokens;
    bool eof;
};

/* Whether the lexer of a can also serve b (and the other way round): a
 * token of one set that is new to the other must not win where a token of
 * the other should (by a longer or a common string, over its separators,
 * or by stopping it with precedence), and tokens never valid together in
 * a parse state must not overlap at all: nothing checked their interplay.
 * forbidden[t] holds the tokens t may not join for those reasons. */
static bool compatible(uint32_t n, const struct tokset *a, const struct tokset *b,
                       const struct tokset *forbidden)
{
    for (uint32_t w = 0; w < a->n_words; w++) {
        uint64_t diff = a->bits[w] ^ b->bits[w];
        while (diff) {
            uint32_t t = w * 64 + (uint32_t)__builtin_ctzll(diff);
            diff &= diff - 1;
            if (t >= n)
                break;
            const struct tokset *other = tokset_has(a, t) ? b : a;
            for (uint32_t k = 0; k < other->n_words; k++)
                if (other->bits[k] & forbidden[t].bits[k])
                    return false;
        }
    }
    return true;
}

void lexer_build(struct lexer *lx, const struct lex_state_tokens *states, uint32_t n_states,
                 const struct tokset *keywords, struct sym word, uint16_t *lex_state_of)
{
    uint32_t n = lx->n;
    bool has_word = word.kind == SYM_TERMINAL && word.index < n;
    bool has_kw = keywords && keywords->bits && !tokset_is_empty(keywords);

    /* The tokens each parse state asks the main lexer for. */
    struct tokset *eff = xcalloc(n_states ? n_states : 1, sizeof *eff);
    struct arena scratch;
    arena_init(&scratch);
    for (uint32_t s = 0; s < n_states; s++) {
        tokset_init(&eff[s], &scratch, n);
        bool kw_seen = false;
        for (uint32_t t = 0; t < n; t++) {
            if (!tokset_has(&states[s].tokens, t))
                continue;
            if (has_kw && has_word && tokset_has(keywords, t))
                kw_seen = true;
            else
                tokset_add(&eff[s], t);
        }
        if (kw_seen)
            tokset_add(&eff[s], word.index);
    }
    uint8_t *coincident = xcalloc((size_t)n * n + 1, 1);
    struct u32s members = VEC_INIT;
    for (uint32_t s = 0; s < n_states; s++) {
        VEC_CLEAR(&members);
        for (uint32_t t = 0; t < n; t++)
            if (tokset_has(&eff[s], t))
                VEC_PUSH(&members, t);
        for (size_t a = 0; a < members.len; a++)
            for (size_t b = 0; b < members.len; b++)
                coincident[(size_t)members.items[a] * n + members.items[b]] = 1;
    }
    struct tokset *forbidden = xcalloc(n ? n : 1, sizeof *forbidden);
    for (uint32_t t = 0; t < n; t++) {
        tokset_init(&forbidden[t], &scratch, n);
        for (uint32_t u = 0; u < n; u++) {
            if (u == t)
                continue;
            if (lexer_does_conflict(lx, t, u) || lexer_does_match_prefix(lx, t, u) ||
                (!coincident[(size_t)t * n + u] &&
                 (lexer_does_overlap(lx, t, u) || lexer_does_overlap(lx, u, t))))
                tokset_add(&forbidden[t], u);
        }
    }

    struct {
        struct group *items;
        size_t len, cap;
    } groups = VEC_INIT;
    uint32_t *group_of = xcalloc(n_states ? n_states : 1, sizeof *group_of);
    for (uint32_t s = 0; s < n_states; s++) {
        size_t g = 0;
        for (; g < groups.len; g++)
            if (compatible(n, &groups.items[g].tokens, &eff[s], forbidden))
                break;
        if (g == groups.len) {
            struct group *ng = VEC_PUSH_ZERO(&groups);
            tokset_init(&ng->tokens, &scratch, n);
        }
        tokset_union(&groups.items[g].tokens, &eff[s]);
        groups.items[g].eof |= states[s].eof_valid;
        group_of[s] = (uint32_t)g;
    }

    struct u32s *starts = xcalloc(groups.len ? groups.len : 1, sizeof *starts);
    bool *eof = xcalloc(groups.len ? groups.len : 1, sizeof *eof);
    uint32_t *start_ids = xcalloc(groups.len ? groups.len : 1, sizeof *start_ids);
    for (size_t g = 0; g < groups.len; g++) {
        for (uint32_t t = 0; t < n; t++)
            if (tokset_has(&groups.items[g].tokens, t))
                VEC_PUSH(&starts[g], lx->toks[t].start_sep);
        eof[g] = groups.items[g].eof;
    }
    lex_dfa_build(lx, starts, eof, (uint32_t)groups.len, &lx->main, start_ids);
    lx->n_groups = (uint32_t)groups.len;
    lx->group_tokens = ARENA_NEW_ARRAY(lx->a, struct tokset, groups.len ? groups.len : 1);
    lx->group_eof = ARENA_NEW_ARRAY(lx->a, bool, groups.len ? groups.len : 1);
    for (size_t g = 0; g < groups.len; g++) {
        tokset_init(&lx->group_tokens[g], lx->a, n);
        tokset_union(&lx->group_tokens[g], &groups.items[g].tokens);
        lx->group_eof[g] = groups.items[g].eof;
    }
    lx->group_of = ARENA_NEW_ARRAY(lx->a, uint32_t, n_states ? n_states : 1);
    memcpy(lx->group_of, group_of, n_states * sizeof *group_of);
    for (uint32_t s = 0; s < n_states; s++)
        lex_state_of[s] = (uint16_t)start_ids[group_of[s]];

    /* The keyword lexer: every keyword from one start, no separators. */
    memset(&lx->keywords, 0, sizeof lx->keywords);
    if (has_kw && has_word) {
        struct u32s kw_start = VEC_INIT;
        for (uint32_t t = 0; t < n; t++)
            if (tokset_has(keywords, t))
                VEC_PUSH(&kw_start, lx->toks[t].start);
        uint32_t kw_id;
        lex_dfa_build(lx, &kw_start, NULL, 1, &lx->keywords, &kw_id);
        VEC_RELEASE(&kw_start);
    }

    for (size_t g = 0; g < groups.len; g++)
        VEC_RELEASE(&starts[g]);
    free(starts);
    free(eof);
    free(start_ids);
    free(group_of);
    VEC_RELEASE(&groups);
    VEC_RELEASE(&members);
    free(coincident);
    free(forbidden);
    free(eff);
    arena_release(&scratch);
}

/* ------------------------------------------------------------------ */

int32_t lex_dfa_run(const struct lex_dfa *dfa, uint32_t state, const uint32_t *input, size_t n,
                    size_t *start, size_t *end)
{
    size_t pos = 0;
    int32_t result = LEX_NO_ACCEPT;
    *start = *end = 0;
    for (;;) {
        if (state >= dfa->n_states)
            return LEX_NO_ACCEPT;
        const struct lex_dstate *st = &dfa->states[state];
        if (st->accept != LEX_NO_ACCEPT) {
            result = st->accept;
            *end = pos;
        }
        if (pos == n) {
            if (st->eof_target == LEX_NONE)
                break;
            state = st->eof_target;
            continue;
        }
        uint32_t c = input[pos];
        const struct lex_trans *hit = NULL;
        for (uint32_t k = 0; k < st->n_t && !hit; k++) {
            const struct lex_trans *t = &dfa->trans[st->t_off + k];
            if (c != 0 && t->lo <= c && c <= t->hi)
                hit = t;
        }
        if (!hit)
            break;
        pos++;
        if (hit->skip)
            *start = pos;
        state = hit->target;
    }
    return result;
}
