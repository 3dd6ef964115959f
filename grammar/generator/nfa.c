/* The tokens' NFA: construction from rule trees and regex trees, epsilon
 * closures, the moves out of a state set, and state-set interning. */
#include "nfa.h"

#include "common/vec.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Rule trees nest at most this deep inside one token (the builder recurses
 * once per level). */
#define NFA_MAX_DEPTH 1000

struct nfa_builder {
    struct nfa *nfa;
    struct arena *a;
    struct err *err;
    uint32_t token;
    const char *token_name;
    int32_t prec;
    bool sep;
    unsigned depth;
};

static int add_state(struct nfa_builder *b, enum nfa_kind kind, uint32_t *id)
{
    struct nfa *nfa = b->nfa;
    if (nfa->n >= NFA_MAX_STATES)
        return err_set(b->err, ERR_TOO_LARGE,
                       "rules.%s: the tokens need more than %u automaton states", b->token_name,
                       NFA_MAX_STATES);
    if (nfa->n == nfa->cap) {
        nfa->cap = nfa->cap ? nfa->cap * 2 : 256;
        nfa->states = xreallocarray(nfa->states, nfa->cap, sizeof *nfa->states);
    }
    *id = nfa->n++;
    nfa->states[*id] = (struct nfa_state){
        .kind = (uint8_t)kind,
        .sep = b->sep,
        .prec = b->prec,
        .token = b->token,
    };
    return 0;
}

static int add_advance(struct nfa_builder *b, const struct crange *r, uint32_t n_r, uint32_t next,
                       uint32_t *id)
{
    int rc = add_state(b, NFA_ADVANCE, id);
    if (rc)
        return rc;
    struct nfa_state *s = &b->nfa->states[*id];
    s->r = r;
    s->n_r = n_r;
    s->next = next;
    return 0;
}

static int add_split(struct nfa_builder *b, uint32_t next, uint32_t alt, uint32_t *id)
{
    int rc = add_state(b, NFA_SPLIT, id);
    if (rc)
        return rc;
    b->nfa->states[*id].next = next;
    b->nfa->states[*id].alt = alt;
    return 0;
}

/* Builds n backwards: the returned entry state matches n, then goes on at
 * next. */
static int compile_rx(struct nfa_builder *b, const struct rx_node *n, uint32_t next, uint32_t *out)
{
    int rc = 0;
    uint32_t s, e;
    switch (n->kind) {
    case RX_EMPTY: *out = next; return 0;
    case RX_CHARS: return add_advance(b, n->r, n->n_r, next, out);
    case RX_SEQ:
        s = next;
        for (uint32_t i = n->n_kids; i-- > 0;)
            if ((rc = compile_rx(b, n->kids[i], s, &s)))
                return rc;
        *out = s;
        return 0;
    case RX_ALT:
        if ((rc = compile_rx(b, n->kids[n->n_kids - 1], next, &s)))
            return rc;
        for (uint32_t i = n->n_kids - 1; i-- > 0;) {
            if ((rc = compile_rx(b, n->kids[i], next, &e)) || (rc = add_split(b, e, s, &s)))
                return rc;
        }
        *out = s;
        return 0;
    case RX_REPEAT:
        if (n->max == RX_INF) {
            /* x{min,}: min-1 copies, then x+ (or x* when min is 0). */
            uint32_t loop;
            if ((rc = add_split(b, 0, next, &loop)) || (rc = compile_rx(b, n->kid, loop, &e)))
                return rc;
            b->nfa->states[loop].next = e;
            s = n->min == 0 ? loop : e;
            for (uint32_t i = 1; i < n->min; i++)
                if ((rc = compile_rx(b, n->kid, s, &s)))
                    return rc;
        } else {
            /* x{min,max}: min copies, then max-min optional ones, each of
             * which may stop the repetition. */
            s = next;
            for (uint32_t i = n->min; i < n->max; i++) {
                if ((rc = compile_rx(b, n->kid, s, &e)) || (rc = add_split(b, e, next, &s)))
                    return rc;
            }
            for (uint32_t i = 0; i < n->min; i++)
                if ((rc = compile_rx(b, n->kid, s, &s)))
                    return rc;
        }
        *out = s;
        return 0;
    }
    return 0;
}

static const char *rule_where(struct nfa_builder *b, const struct rule *r)
{
    return r->path ? r->path : arena_printf(b->a, "rules.%s", b->token_name);
}

static int compile_rule(struct nfa_builder *b, const struct rule *r, uint32_t next, uint32_t *out);

static int compile_members(struct nfa_builder *b, const struct rule *r, bool choice, uint32_t next,
                           uint32_t *out)
{
    int rc;
    uint32_t s = next, e;
    if (r->n_members == 0) {
        *out = next;
        return 0;
    }
    if (!choice) {
        for (size_t i = r->n_members; i-- > 0;)
            if ((rc = compile_rule(b, r->members[i], s, &s)))
                return rc;
        *out = s;
        return 0;
    }
    if ((rc = compile_rule(b, r->members[r->n_members - 1], next, &s)))
        return rc;
    for (size_t i = r->n_members - 1; i-- > 0;) {
        if ((rc = compile_rule(b, r->members[i], next, &e)) || (rc = add_split(b, e, s, &s)))
            return rc;
    }
    *out = s;
    return 0;
}

static int compile_string(struct nfa_builder *b, const struct rule *r, uint32_t next, uint32_t *out)
{
    const unsigned char *v = (const unsigned char *)(r->value ? r->value : "");
    size_t len = r->value ? r->value_len : 0;
    struct u32s cps = VEC_INIT;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = rx_utf8_decode(v + i, len - i, &cp);
        if (!n) {
            VEC_RELEASE(&cps);
            return err_set(b->err, ERR_INVALID, "%s: string is not valid utf-8 at offset %zu",
                           rule_where(b, r), i);
        }
        VEC_PUSH(&cps, cp);
        i += n;
    }
    uint32_t s = next;
    int rc = 0;
    for (size_t i = cps.len; i-- > 0 && !rc;) {
        struct crange *one = ARENA_NEW(b->a, struct crange);
        one->lo = one->hi = cps.items[i];
        rc = add_advance(b, one, 1, s, &s);
    }
    VEC_RELEASE(&cps);
    *out = s;
    return rc;
}

static int compile_rule(struct nfa_builder *b, const struct rule *r, uint32_t next, uint32_t *out)
{
    int rc = 0;
    uint32_t loop, e;
    if (++b->depth > NFA_MAX_DEPTH) {
        b->depth--;
        return err_set(b->err, ERR_TOO_LARGE, "%s: token rules nest too deeply", rule_where(b, r));
    }
    switch (r->kind) {
    case RULE_BLANK: *out = next; break;
    case RULE_STRING: rc = compile_string(b, r, next, out); break;
    case RULE_PATTERN: {
        struct rx_node *n = rx_parse(r->value ? r->value : "", r->value ? r->value_len : 0,
                                     r->flags, rule_where(b, r), b->a, b->err);
        rc = n ? compile_rx(b, n, next, out) : ERR_INVALID;
        break;
    }
    case RULE_SYMBOL:
        rc = err_set(b->err, ERR_INVALID, "%s: symbol '%s' inside a token", rule_where(b, r),
                     r->value ? r->value : "");
        break;
    case RULE_SEQ: rc = compile_members(b, r, false, next, out); break;
    case RULE_CHOICE: rc = compile_members(b, r, true, next, out); break;
    case RULE_REPEAT:
    case RULE_REPEAT1:
        if (!r->content) {
            *out = next;
            break;
        }
        if ((rc = add_split(b, 0, next, &loop)) || (rc = compile_rule(b, r->content, loop, &e)))
            break;
        b->nfa->states[loop].next = e;
        *out = r->kind == RULE_REPEAT ? loop : e;
        break;
    case RULE_PREC:
    case RULE_PREC_LEFT:
    case RULE_PREC_RIGHT:
        if (r->prec.kind == PREC_NAME) {
            rc = err_set(b->err, ERR_INVALID,
                         "%s: named precedence '%s' is not supported inside a token",
                         rule_where(b, r), r->prec.name ? r->prec.name : "");
            break;
        }
        if (r->prec.kind == PREC_INT && r->content) {
            int32_t saved = b->prec;
            b->prec = r->prec.value;
            rc = compile_rule(b, r->content, next, out);
            b->prec = saved;
        } else if (r->content) {
            rc = compile_rule(b, r->content, next, out);
        } else {
            *out = next;
        }
        break;
    case RULE_TOKEN:
    case RULE_IMMEDIATE_TOKEN:
    case RULE_ALIAS:
    case RULE_FIELD:
    case RULE_PREC_DYNAMIC:
        if (r->content)
            rc = compile_rule(b, r->content, next, out);
        else
            *out = next;
        break;
    default:
        rc = err_set(b->err, ERR_INVALID, "%s: unknown rule kind %d inside a token",
                     rule_where(b, r), (int)r->kind);
        break;
    }
    b->depth--;
    return rc;
}

/* The precedence of a token's completion: that of the outermost prec()
 * around its body (through token(), alias and field wrappers). */
static int32_t completion_prec(const struct rule *r)
{
    for (; r; r = r->content) {
        switch (r->kind) {
        case RULE_PREC:
        case RULE_PREC_LEFT:
        case RULE_PREC_RIGHT:
            if (r->prec.kind == PREC_INT)
                return r->prec.value;
            break;
        case RULE_TOKEN:
        case RULE_IMMEDIATE_TOKEN:
        case RULE_ALIAS:
        case RULE_FIELD:
        case RULE_PREC_DYNAMIC: break;
        default: return 0;
        }
    }
    return 0;
}

static bool is_immediate(const struct rule *r)
{
    for (; r; r = r->content) {
        switch (r->kind) {
        case RULE_IMMEDIATE_TOKEN: return true;
        case RULE_PREC:
        case RULE_PREC_LEFT:
        case RULE_PREC_RIGHT:
        case RULE_TOKEN:
        case RULE_ALIAS:
        case RULE_FIELD:
        case RULE_PREC_DYNAMIC: break;
        default: return false;
        }
    }
    return false;
}

/* Implicit precedence: a string literal ranks 2, each token() or
 * token.immediate() wrapper adds one over its content, patterns rank 0, so
 * that "if" beats /[a-z]+/ on "if" without an explicit precedence. */
static int32_t implicit_prec(const struct rule *r)
{
    if (!r)
        return 0;
    switch (r->kind) {
    case RULE_STRING: return 2;
    case RULE_TOKEN:
    case RULE_IMMEDIATE_TOKEN: return implicit_prec(r->content) + 1;
    case RULE_PREC:
    case RULE_PREC_LEFT:
    case RULE_PREC_RIGHT:
    case RULE_PREC_DYNAMIC:
    case RULE_ALIAS:
    case RULE_FIELD: return implicit_prec(r->content);
    default: return 0;
    }
}

static bool closure_has(const struct u32s *set, uint32_t state)
{
    for (size_t i = 0; i < set->len; i++)
        if (set->items[i] == state)
            return true;
    return false;
}

int nfa_build(struct nfa *nfa, struct nfa_token *toks, const struct lexical_grammar *g,
              struct arena *a, struct err *err)
{
    struct nfa_builder b = { .nfa = nfa, .a = a, .err = err };
    int rc = 0;
    for (uint32_t t = 0; t < g->n_vars && !rc; t++) {
        const struct lex_var *v = &g->vars[t];
        struct nfa_token *tok = &toks[t];
        b.token = t;
        b.token_name = v->name ? v->name : "?";
        b.sep = false;
        b.prec = completion_prec(v->rule);
        tok->prec = b.prec;
        tok->implicit = implicit_prec(v->rule);
        tok->immediate = is_immediate(v->rule);
        if ((rc = add_state(&b, NFA_ACCEPT, &tok->accept)))
            break;
        b.prec = 0;
        if (!v->rule) {
            rc = err_set(err, ERR_INVALID, "rule '%s' matches the empty string", b.token_name);
            break;
        }
        if ((rc = compile_rule(&b, v->rule, tok->accept, &tok->start)))
            break;
        tok->start_sep = tok->start;
        if (!tok->immediate && g->n_separators) {
            /* repeat(choice(separators)) in front, as separator transitions. */
            uint32_t loop, s, e;
            b.sep = true;
            if ((rc = add_split(&b, 0, tok->start, &loop)))
                break;
            const struct rule *last = g->separators[g->n_separators - 1];
            if ((rc = compile_rule(&b, last, loop, &s)))
                break;
            for (uint32_t i = g->n_separators - 1; i-- > 0 && !rc;) {
                rc = compile_rule(&b, g->separators[i], loop, &e);
                if (!rc)
                    rc = add_split(&b, e, s, &s);
            }
            if (rc)
                break;
            nfa->states[loop].next = s;
            tok->start_sep = loop;
            b.sep = false;
        }
    }
    if (rc)
        return rc;
    /* A token that can match nothing would make the lexer loop. */
    struct nfa_scratch sc;
    struct u32s set = VEC_INIT;
    nfa_scratch_init(&sc, nfa);
    for (uint32_t t = 0; t < g->n_vars && !rc; t++) {
        nfa_closure(nfa, &sc, &toks[t].start, 1, &set);
        if (closure_has(&set, toks[t].accept))
            rc = err_set(err, ERR_INVALID, "rule '%s' matches the empty string",
                         g->vars[t].name ? g->vars[t].name : "?");
    }
    VEC_RELEASE(&set);
    nfa_scratch_release(&sc);
    return rc;
}

void nfa_release(struct nfa *nfa)
{
    free(nfa->states);
    nfa->states = NULL;
    nfa->n = nfa->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Closures                                                             */

void nfa_scratch_init(struct nfa_scratch *sc, const struct nfa *nfa)
{
    sc->mark = xcalloc(nfa->n ? nfa->n : 1, sizeof *sc->mark);
    sc->gen = 0;
    sc->stack = (struct u32s)VEC_INIT;
}

void nfa_scratch_release(struct nfa_scratch *sc)
{
    free(sc->mark);
    sc->mark = NULL;
    VEC_RELEASE(&sc->stack);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void nfa_closure(const struct nfa *nfa, struct nfa_scratch *sc, const uint32_t *seeds, size_t n,
                 struct u32s *out)
{
    if (++sc->gen == 0) {
        memset(sc->mark, 0, nfa->n * sizeof *sc->mark);
        sc->gen = 1;
    }
    VEC_CLEAR(out);
    VEC_CLEAR(&sc->stack);
    for (size_t i = 0; i < n; i++)
        VEC_PUSH(&sc->stack, seeds[i]);
    while (sc->stack.len) {
        uint32_t s = VEC_POP(&sc->stack);
        if (sc->mark[s] == sc->gen)
            continue;
        sc->mark[s] = sc->gen;
        const struct nfa_state *st = &nfa->states[s];
        if (st->kind == NFA_SPLIT) {
            VEC_PUSH(&sc->stack, st->alt);
            VEC_PUSH(&sc->stack, st->next);
        } else {
            VEC_PUSH(out, s);
        }
    }
    qsort(out->items, out->len, sizeof *out->items, cmp_u32);
}

/* ------------------------------------------------------------------ */
/* Moves                                                                */

void nfa_moves_init(struct nfa_moves *m)
{
    memset(m, 0, sizeof *m);
}

void nfa_moves_release(struct nfa_moves *m)
{
    VEC_RELEASE(&m->moves);
    VEC_RELEASE(&m->ranges);
    VEC_RELEASE(&m->states);
    VEC_RELEASE(&m->bounds);
    VEC_RELEASE(&m->adv);
    VEC_RELEASE(&m->contrib);
    VEC_RELEASE(&m->seeds);
    VEC_RELEASE(&m->cursor);
    VEC_RELEASE(&m->iv);
}

static int cmp_iv(const uint32_t *pool, const struct nfa_iv *x, const struct nfa_iv *y)
{
    uint32_t n = x->c_len < y->c_len ? x->c_len : y->c_len;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = pool[x->c_off + i], b = pool[y->c_off + i];
        if (a != b)
            return a < b ? -1 : 1;
    }
    if (x->c_len != y->c_len)
        return x->c_len < y->c_len ? -1 : 1;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A stable merge sort: the comparison needs the contributor pool, which
 * qsort cannot pass along. */
static void sort_iv(struct nfa_iv *a, struct nfa_iv *tmp, size_t n, const uint32_t *pool)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_iv(a, tmp, h, pool);
    sort_iv(a + h, tmp, n - h, pool);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_iv(pool, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

void nfa_moves_compute(struct nfa_moves *m, const struct nfa *nfa, struct nfa_scratch *sc,
                       const uint32_t *set, size_t n)
{
    VEC_CLEAR(&m->moves);
    VEC_CLEAR(&m->ranges);
    VEC_CLEAR(&m->states);
    VEC_CLEAR(&m->bounds);
    VEC_CLEAR(&m->adv);
    VEC_CLEAR(&m->contrib);
    VEC_CLEAR(&m->cursor);
    VEC_CLEAR(&m->iv);
    for (size_t i = 0; i < n; i++) {
        const struct nfa_state *st = &nfa->states[set[i]];
        if (st->kind != NFA_ADVANCE)
            continue;
        VEC_PUSH(&m->adv, set[i]);
        VEC_PUSH(&m->cursor, 0);
        for (uint32_t k = 0; k < st->n_r; k++) {
            uint32_t lo = st->r[k].lo ? st->r[k].lo : 1;
            if (lo > st->r[k].hi)
                continue;
            VEC_PUSH(&m->bounds, lo);
            VEC_PUSH(&m->bounds, st->r[k].hi + 1);
        }
    }
    if (!m->bounds.len)
        return;
    qsort(m->bounds.items, m->bounds.len, sizeof *m->bounds.items, cmp_u32);
    size_t nb = 1;
    for (size_t i = 1; i < m->bounds.len; i++)
        if (m->bounds.items[i] != m->bounds.items[nb - 1])
            m->bounds.items[nb++] = m->bounds.items[i];
    /* Elementary intervals between consecutive bounds, each with the
     * advancing states whose ranges cover it. */
    for (size_t k = 0; k + 1 < nb; k++) {
        uint32_t lo = m->bounds.items[k], hi = m->bounds.items[k + 1] - 1;
        uint32_t c_off = (uint32_t)m->contrib.len;
        for (size_t a = 0; a < m->adv.len; a++) {
            const struct nfa_state *st = &nfa->states[m->adv.items[a]];
            uint32_t *c = &m->cursor.items[a];
            while (*c < st->n_r && st->r[*c].hi < lo)
                (*c)++;
            if (*c < st->n_r && st->r[*c].lo <= lo)
                VEC_PUSH(&m->contrib, (uint32_t)a);
        }
        uint32_t c_len = (uint32_t)m->contrib.len - c_off;
        if (c_len)
            VEC_PUSH(&m->iv, ((struct nfa_iv){ lo, hi, c_off, c_len }));
    }
    /* Group the intervals by their advancing states. */
    struct nfa_iv *tmp = xreallocarray(NULL, m->iv.len ? m->iv.len : 1, sizeof *tmp);
    sort_iv(m->iv.items, tmp, m->iv.len, m->contrib.items);
    free(tmp);
    for (size_t i = 0; i < m->iv.len;) {
        size_t j = i + 1;
        while (j < m->iv.len && m->iv.items[j].c_len == m->iv.items[i].c_len &&
               memcmp(&m->contrib.items[m->iv.items[j].c_off],
                      &m->contrib.items[m->iv.items[i].c_off],
                      m->iv.items[i].c_len * sizeof(uint32_t)) == 0)
            j++;
        struct nfa_move mv = { .r_off = (uint32_t)m->ranges.len, .prec = INT32_MIN, .sep = true };
        for (size_t k = i; k < j; k++) {
            struct nfa_iv *iv = &m->iv.items[k];
            if (m->ranges.len > mv.r_off && VEC_LAST(&m->ranges).hi + 1 == iv->lo)
                VEC_LAST(&m->ranges).hi = iv->hi;
            else
                VEC_PUSH(&m->ranges, ((struct crange){ iv->lo, iv->hi }));
        }
        mv.n_r = (uint32_t)m->ranges.len - mv.r_off;
        const struct nfa_iv *iv = &m->iv.items[i];
        VEC_CLEAR(&m->seeds);
        mv.a_off = (uint32_t)m->states.len;
        mv.n_a = iv->c_len;
        for (uint32_t k = 0; k < iv->c_len; k++) {
            uint32_t s = m->adv.items[m->contrib.items[iv->c_off + k]];
            const struct nfa_state *st = &nfa->states[s];
            VEC_PUSH(&m->states, s);
            VEC_PUSH(&m->seeds, st->next);
            if (st->prec > mv.prec)
                mv.prec = st->prec;
            mv.sep = mv.sep && st->sep;
            if (k == 0)
                mv.token = st->token;
            else if (mv.token != st->token)
                mv.token = NFA_MIXED;
        }
        struct u32s closure = VEC_INIT;
        nfa_closure(nfa, sc, m->seeds.items, m->seeds.len, &closure);
        mv.s_off = (uint32_t)m->states.len;
        mv.n_s = (uint32_t)closure.len;
        for (size_t k = 0; k < closure.len; k++)
            VEC_PUSH(&m->states, closure.items[k]);
        VEC_RELEASE(&closure);
        VEC_PUSH(&m->moves, mv);
        i = j;
    }
}

/* ------------------------------------------------------------------ */
/* State-set interning                                                  */

void sset_init(struct sset_table *t)
{
    memset(t, 0, sizeof *t);
}

void sset_release(struct sset_table *t)
{
    VEC_RELEASE(&t->pool);
    VEC_RELEASE(&t->off);
    free(t->slots);
    sset_init(t);
}

static uint32_t sset_hash(uint32_t extra, const uint32_t *set, size_t n)
{
    uint32_t h = 2166136261u ^ extra;
    h *= 16777619u;
    for (size_t i = 0; i < n; i++) {
        h ^= set[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static bool sset_match(const struct sset_table *t, uint32_t id, uint32_t extra, const uint32_t *set,
                       size_t n)
{
    const uint32_t *p = t->pool.items + t->off.items[id];
    return p[0] == extra && p[1] == n && (n == 0 || memcmp(p + 2, set, n * sizeof *set) == 0);
}

static void sset_grow(struct sset_table *t)
{
    uint32_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = xcalloc(n_slots, sizeof *slots);
    for (uint32_t id = 0; id < t->off.len; id++) {
        const uint32_t *p = t->pool.items + t->off.items[id];
        uint32_t h = sset_hash(p[0], p + 2, p[1]) & (n_slots - 1);
        while (slots[h])
            h = (h + 1) & (n_slots - 1);
        slots[h] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
}

bool sset_find(const struct sset_table *t, uint32_t extra, const uint32_t *set, size_t n,
               uint32_t *id)
{
    if (!t->n_slots)
        return false;
    uint32_t h = sset_hash(extra, set, n) & (t->n_slots - 1);
    while (t->slots[h]) {
        if (sset_match(t, t->slots[h] - 1, extra, set, n)) {
            *id = t->slots[h] - 1;
            return true;
        }
        h = (h + 1) & (t->n_slots - 1);
    }
    return false;
}

uint32_t sset_intern(struct sset_table *t, uint32_t extra, const uint32_t *set, size_t n,
                     bool *added)
{
    if ((t->off.len + 1) * 2 > t->n_slots)
        sset_grow(t);
    uint32_t h = sset_hash(extra, set, n) & (t->n_slots - 1);
    while (t->slots[h]) {
        uint32_t id = t->slots[h] - 1;
        if (sset_match(t, id, extra, set, n)) {
            if (added)
                *added = false;
            return id;
        }
        h = (h + 1) & (t->n_slots - 1);
    }
    uint32_t id = (uint32_t)t->off.len;
    VEC_PUSH(&t->off, (uint32_t)t->pool.len);
    VEC_PUSH(&t->pool, extra);
    VEC_PUSH(&t->pool, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        VEC_PUSH(&t->pool, set[i]);
    t->slots[h] = id + 1;
    if (added)
        *added = true;
    return id;
}

const uint32_t *sset_get(const struct sset_table *t, uint32_t id, uint32_t *n, uint32_t *extra)
{
    const uint32_t *p = t->pool.items + t->off.items[id];
    if (n)
        *n = p[1];
    if (extra)
        *extra = p[0];
    return p + 2;
}
