/* Rendering the lex DFAs as C for the 0.20.7 parser.h macros. */
#include "lex_int.h"

#include "common/vec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Sets with more tests than this become a helper function. */
#define LEX_INLINE_TESTS 8
/* Conditions wrap before this column. */
#define LEX_LINE_WIDTH 100

struct helper {
    struct crange *r;
    uint32_t n;
    char *name;
};

struct prefix_count {
    const char *prefix;
    uint32_t count;
};

struct render_ctx {
    const struct lexer *lx;
    const struct lexer_names *names;
    struct {
        struct helper *items;
        size_t len, cap;
    } helpers;
    struct {
        struct prefix_count *items;
        size_t len, cap;
    } counts;
    struct buf helper_out;
    int rc;
};

DW_PRINTF(3, 4) static void put(struct render_ctx *c, struct buf *b, const char *fmt, ...)
{
    if (c->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    c->rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* A code point as C: a character literal when printable ASCII or a common
 * control escape, else a number. */
static void put_char(struct render_ctx *c, struct buf *b, uint32_t cp)
{
    switch (cp) {
    case '\t': put(c, b, "'\\t'"); return;
    case '\n': put(c, b, "'\\n'"); return;
    case '\v': put(c, b, "'\\v'"); return;
    case '\f': put(c, b, "'\\f'"); return;
    case '\r': put(c, b, "'\\r'"); return;
    case '\'': put(c, b, "'\\''"); return;
    case '\\': put(c, b, "'\\\\'"); return;
    default: break;
    }
    if (cp >= 0x20 && cp < 0x7F)
        put(c, b, "'%c'", (char)cp);
    else
        put(c, b, "%u", cp);
}

static const char *token_name(const struct render_ctx *c, int32_t accept)
{
    if (accept == LEX_ACCEPT_END)
        return c->names->end_name;
    return c->names->enum_names[accept];
}

/* Emits a balanced comparison tree over r[lo..hi) testing `c`. */
static void put_search(struct render_ctx *c, struct buf *b, const struct crange *r, uint32_t lo,
                       uint32_t hi, unsigned depth)
{
    if (hi - lo == 1) {
        if (r[lo].lo == r[lo].hi) {
            put(c, b, "c == ");
            put_char(c, b, r[lo].lo);
        } else {
            put(c, b, "(");
            put_char(c, b, r[lo].lo);
            put(c, b, " <= c && c <= ");
            put_char(c, b, r[lo].hi);
            put(c, b, ")");
        }
        return;
    }
    uint32_t mid = lo + (hi - lo) / 2;
    put(c, b, "(c < ");
    put_char(c, b, r[mid].lo);
    put(c, b, "\n%*s? ", (int)(2 * depth + 4), "");
    put_search(c, b, r, lo, mid, depth + 1);
    put(c, b, "\n%*s: ", (int)(2 * depth + 4), "");
    put_search(c, b, r, mid, hi, depth + 1);
    put(c, b, ")");
}

/* The helper testing r[0..n), shared between identical sets. */
static const char *helper_for(struct render_ctx *c, const struct crange *r, uint32_t n,
                              uint32_t token)
{
    for (size_t k = 0; k < c->helpers.len; k++)
        if (cranges_equal(c->helpers.items[k].r, c->helpers.items[k].n, r, n))
            return c->helpers.items[k].name;
    const char *prefix = token != NFA_MIXED ? c->names->enum_names[token] : "lex";
    struct prefix_count *pc = NULL;
    for (size_t k = 0; k < c->counts.len && !pc; k++)
        if (strcmp(c->counts.items[k].prefix, prefix) == 0)
            pc = &c->counts.items[k];
    if (!pc) {
        pc = VEC_PUSH_ZERO(&c->counts);
        pc->prefix = prefix;
    }
    pc->count++;
    struct helper *h = VEC_PUSH_ZERO(&c->helpers);
    h->name = arena_printf(c->lx->a, "%s_character_set_%u", prefix, pc->count);
    h->r = ARENA_NEW_ARRAY(c->lx->a, struct crange, n);
    memcpy(h->r, r, n * sizeof *r);
    h->n = n;
    put(c, &c->helper_out, "static inline bool %s(int32_t c) {\n", h->name);
    /* ASCII, most of the text, is one bit of two 64-bit constants rather
     * than a walk down the tree; the tree keeps the rest (and c < 0). */
    uint64_t bits[2] = { 0, 0 };
    uint32_t first = 0;
    for (uint32_t k = 0; k < n; k++) {
        for (uint32_t cp = r[k].lo; cp <= r[k].hi && cp < 128; cp++)
            bits[cp >> 6] |= (uint64_t)1 << (cp & 63);
        if (r[k].hi < 128)
            first = k + 1;
    }
    put(c, &c->helper_out,
        "  if ((uint32_t)c < 128)\n    return c < 64 ? (0x%016llxULL >> c) & 1\n"
        "                  : (0x%016llxULL >> (c - 64)) & 1;\n",
        (unsigned long long)bits[0], (unsigned long long)bits[1]);
    struct crange *rest = ARENA_NEW_ARRAY(c->lx->a, struct crange, n - first + 1);
    uint32_t n_rest = 0;
    for (uint32_t k = first; k < n; k++) {
        rest[n_rest] = r[k];
        if (rest[n_rest].lo < 128)
            rest[n_rest].lo = 128;
        n_rest++;
    }
    if (n_rest) {
        put(c, &c->helper_out, "  return ");
        put_search(c, &c->helper_out, rest, 0, n_rest, 0);
        put(c, &c->helper_out, ";\n}\n\n");
    } else {
        put(c, &c->helper_out, "  return false;\n}\n\n");
    }
    return h->name;
}

/* Appends the terms of a condition, wrapping long lines. */
struct cond_writer {
    struct render_ctx *c;
    struct buf *b;
    const char *join;
    size_t line_start;
    bool first;
};

static void cond_term(struct cond_writer *w, struct buf *term)
{
    if (!w->first) {
        put(w->c, w->b, " %s", w->join);
        if (w->b->len - w->line_start + term->len + 1 > LEX_LINE_WIDTH) {
            put(w->c, w->b, "\n          ");
            w->line_start = w->b->len - 10;
        } else {
            put(w->c, w->b, " ");
        }
    }
    put(w->c, w->b, "%s", buf_cstr(term));
    w->first = false;
    buf_reset(term);
}

/* One transition's condition on `lookahead`. The transitions of a state
 * are tested in order, so characters handled by earlier ones (done) may
 * be folded in when that makes the test shorter. */
static void put_condition(struct render_ctx *c, struct buf *b, const struct cset *set,
                          const struct cset *done, uint32_t token)
{
    /* The positive form: set's ranges, bridging gaps that are all done. */
    struct cset pos, neg, all;
    cset_init(&pos);
    cset_init(&neg);
    cset_init(&all);
    for (uint32_t k = 0; k < set->n; k++) {
        if (pos.n) {
            struct crange gap = { pos.r[pos.n - 1].hi + 1, set->r[k].lo - 1 };
            if (cranges_subset(&gap, 1, done->r, done->n)) {
                pos.r[pos.n - 1].hi = set->r[k].hi;
                continue;
            }
        }
        cset_add_range(&pos, set->r[k].lo, set->r[k].hi);
    }
    /* The negative form: what is neither in set nor done must be excluded
     * (end of input, code point 0, among it); gaps between exclusions that
     * hold no character of set may be excluded too. */
    cset_add_ranges(&all, set->r, set->n);
    cset_add_ranges(&all, done->r, done->n);
    cset_negate(&all);
    for (uint32_t k = 0; k < all.n; k++) {
        if (neg.n) {
            struct crange gap = { neg.r[neg.n - 1].hi + 1, all.r[k].lo - 1 };
            if (!cranges_intersect(&gap, 1, set->r, set->n)) {
                neg.r[neg.n - 1].hi = all.r[k].hi;
                continue;
            }
        }
        cset_add_range(&neg, all.r[k].lo, all.r[k].hi);
    }
    struct buf term = BUF_INIT;
    struct cond_writer w = { .c = c, .b = b, .line_start = 0, .first = true };
    /* The line so far: "      if (" */
    w.line_start = b->len >= 10 ? b->len - 10 : 0;
    /* Fewer tests win; on a tie a set that runs to the last code point
     * reads better as exclusions (`lookahead != 0 && lookahead != '\n'`). */
    bool positive = pos.n < neg.n || (pos.n == neg.n && pos.r[pos.n - 1].hi != RX_MAX_CP);
    uint32_t tests = positive ? pos.n : neg.n;
    if (tests > LEX_INLINE_TESTS) {
        put(c, b, "%s(lookahead)", helper_for(c, pos.r, pos.n, token));
    } else if (positive) {
        w.join = "||";
        for (uint32_t k = 0; k < pos.n; k++) {
            if (pos.r[k].lo == pos.r[k].hi) {
                put(c, &term, "lookahead == ");
                put_char(c, &term, pos.r[k].lo);
            } else {
                put(c, &term, "(");
                put_char(c, &term, pos.r[k].lo);
                put(c, &term, " <= lookahead && lookahead <= ");
                put_char(c, &term, pos.r[k].hi);
                put(c, &term, ")");
            }
            cond_term(&w, &term);
        }
    } else {
        w.join = "&&";
        for (uint32_t k = 0; k < neg.n; k++) {
            if (neg.r[k].lo == neg.r[k].hi) {
                put(c, &term, "lookahead != ");
                put_char(c, &term, neg.r[k].lo);
            } else {
                put(c, &term, "(lookahead < ");
                put_char(c, &term, neg.r[k].lo);
                put(c, &term, " || ");
                put_char(c, &term, neg.r[k].hi);
                put(c, &term, " < lookahead)");
            }
            cond_term(&w, &term);
        }
    }
    buf_release(&term);
    cset_release(&pos);
    cset_release(&neg);
    cset_release(&all);
}

/* The transitions of one state grouped by where they go. */
struct move_group {
    struct cset set;
    uint32_t target;
    uint32_t token;
    bool skip;
    uint64_t size;
};

static int cmp_group(const void *a, const void *b)
{
    const struct move_group *x = a, *y = b;
    /* The most specific first: fewer characters, then by character. */
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    if (x->set.r[0].lo != y->set.r[0].lo)
        return x->set.r[0].lo < y->set.r[0].lo ? -1 : 1;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    return (int)x->skip - (int)y->skip;
}

/* One state's move: ADVANCE or SKIP to target, marking the token end first
 * when leaving an accepting state for one that does not accept.
 *
 * parser.h's ACCEPT_TOKEN marks the token end on entering every accepting
 * state: once per character of a word. The token ends where the last
 * accepting state was entered, so marking when an accepting state is left
 * for a non-accepting one, or when the lexer stops in it, gives the same
 * end with one mark per token; each mark is an indirect call into the
 * runtime. */
static void put_move(struct render_ctx *c, struct buf *b, const struct lex_dfa *d, bool accepting,
                     uint32_t target, bool skip)
{
    const char *move = skip ? "SKIP" : "ADVANCE";
    if (accepting && d->states[target].accept == LEX_NO_ACCEPT)
        put(c, b, "{ lexer->mark_end(lexer); %s(%u); }\n", move, target);
    else
        put(c, b, "%s(%u);\n", move, target);
}

/* A move from a state back to itself (the characters of a word, a run of
 * blanks): the characters are consumed in a loop of their own rather than
 * by one pass through the switch per character, which also repeats the
 * state's result and every earlier test. The loop's test cannot rely on
 * earlier tests having failed, so it is the whole set, and it stops at a 0
 * (end of input or a NUL) to leave both to the state's own tests: at the
 * first character outside the set the lexer re-enters the same state
 * through `start`, as ADVANCE would have, and that pass takes the other
 * moves. Staying in the state needs no mark_end (see put_move). */
static void put_self_loop(struct render_ctx *c, struct buf *b, const struct cset *set,
                          uint32_t token, bool skip)
{
    struct cset none;
    cset_init(&none);
    put(c, b, "{\n        do lexer->advance(lexer, %s);\n", skip ? "true" : "false");
    put(c, b, "        while ((lookahead = lexer->lookahead) != 0 &&\n          (");
    put_condition(c, b, set, &none, token);
    put(c, b, "));\n        goto start;\n      }\n");
    cset_release(&none);
}

static void render_fn(struct render_ctx *c, const struct lex_dfa *d, const char *fn,
                      struct buf *out)
{
    struct buf body = BUF_INIT;
    bool uses_eof = false, uses_lookahead = false;
    struct {
        struct move_group *items;
        size_t len, cap;
    } groups = VEC_INIT;
    struct cset done;
    cset_init(&done);
    for (uint32_t q = 0; q < d->n_states; q++) {
        const struct lex_dstate *st = &d->states[q];
        bool accepting = st->accept != LEX_NO_ACCEPT;
        put(c, &body, "    case %u:\n", q);
        if (accepting)
            put(c, &body, "      result = true;\n      lexer->result_symbol = %s;\n",
                token_name(c, st->accept));
        if (st->eof_target != LEX_NONE) {
            put(c, &body, "      if (eof) ");
            put_move(c, &body, d, accepting, st->eof_target, false);
            uses_eof = true;
        }
        groups.len = 0;
        for (uint32_t k = 0; k < st->n_t; k++) {
            const struct lex_trans *t = &d->trans[st->t_off + k];
            struct move_group *g = NULL;
            for (size_t j = 0; j < groups.len && !g; j++)
                if (groups.items[j].target == t->target && groups.items[j].skip == t->skip)
                    g = &groups.items[j];
            if (!g) {
                g = VEC_PUSH_ZERO(&groups);
                cset_init(&g->set);
                g->target = t->target;
                g->skip = t->skip;
                g->token = t->token;
            } else if (g->token != t->token) {
                g->token = NFA_MIXED;
            }
            cset_add_range(&g->set, t->lo, t->hi);
        }
        for (size_t j = 0; j < groups.len; j++)
            groups.items[j].size = cranges_size(groups.items[j].set.r, groups.items[j].set.n);
        if (groups.len)
            qsort(groups.items, groups.len, sizeof *groups.items, cmp_group);
        cset_clear(&done);
        for (size_t j = 0; j < groups.len; j++) {
            struct move_group *g = &groups.items[j];
            put(c, &body, "      if (");
            put_condition(c, &body, &g->set, &done, g->token);
            put(c, &body, ") ");
            if (g->target == q)
                put_self_loop(c, &body, &g->set, g->token, g->skip);
            else
                put_move(c, &body, d, accepting, g->target, g->skip);
            cset_add_ranges(&done, g->set.r, g->set.n);
            uses_lookahead = true;
            cset_release(&g->set);
        }
        if (accepting)
            put(c, &body, "      lexer->mark_end(lexer);\n");
        put(c, &body, "      END_STATE();\n");
    }
    put(c, out, "static bool %s(TSLexer *lexer, TSStateId state) {\n", fn);
    /* The runtime's lookahead is 0 at the end of input: the (indirect) eof
     * call, made after every character, is needed only for a 0. */
    put(c, out, "  START_LEXER();\n  eof = lookahead == 0 && lexer->eof(lexer);\n");
    /* Keep -Wall quiet when no state tests them. */
    if (!uses_eof)
        put(c, out, "  (void)eof;\n");
    if (!uses_lookahead)
        put(c, out, "  (void)lookahead;\n");
    put(c, out, "  switch (state) {\n%s", buf_cstr(&body));
    put(c, out, "    default:\n      return false;\n  }\n}\n\n");
    cset_release(&done);
    VEC_RELEASE(&groups);
    buf_release(&body);
}

int lexer_render(const struct lexer *lx, struct buf *out, const struct lexer_names *names)
{
    if (lx->too_large)
        return ERR_TOO_LARGE;
    struct render_ctx c = { .lx = lx, .names = names };
    buf_init(&c.helper_out, 0);
    struct buf fns = BUF_INIT;
    render_fn(&c, &lx->main, names->lex_fn, &fns);
    if (lx->keywords.n_states)
        render_fn(&c, &lx->keywords, names->keyword_fn, &fns);
    put(&c, out, "%s%s", buf_cstr(&c.helper_out), buf_cstr(&fns));
    buf_release(&fns);
    buf_release(&c.helper_out);
    VEC_RELEASE(&c.helpers);
    VEC_RELEASE(&c.counts);
    return c.rc ? ERR_TOO_LARGE : 0;
}
