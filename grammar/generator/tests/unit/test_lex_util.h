/* Helpers for the lexical side's unit tests: rule trees written by hand,
 * small lexical grammars, and runners over the NFA and the DFAs. */
#ifndef DW_GRAMMAR_GENERATOR_TESTS_UNIT_TEST_LEX_UTIL_H
#define DW_GRAMMAR_GENERATOR_TESTS_UNIT_TEST_LEX_UTIL_H

#include "lex_int.h"

#include "common/vec.h"

#include <stdarg.h>
#include <string.h>

static inline struct rule *r_new(struct arena *a, enum rule_kind kind)
{
    struct rule *r = ARENA_NEW(a, struct rule);
    r->kind = kind;
    return r;
}

static inline struct rule *r_str(struct arena *a, const char *s)
{
    struct rule *r = r_new(a, RULE_STRING);
    r->value = s;
    r->value_len = strlen(s);
    return r;
}

static inline struct rule *r_pat(struct arena *a, const char *s, const char *flags)
{
    struct rule *r = r_new(a, RULE_PATTERN);
    r->value = s;
    r->value_len = strlen(s);
    r->flags = flags;
    return r;
}

static inline struct rule *r_list(struct arena *a, enum rule_kind kind, int n, ...)
{
    struct rule *r = r_new(a, kind);
    r->members = ARENA_NEW_ARRAY(a, struct rule *, n ? (size_t)n : 1);
    r->n_members = (size_t)n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        r->members[i] = va_arg(ap, struct rule *);
    va_end(ap);
    return r;
}

static inline struct rule *r_wrap(struct arena *a, enum rule_kind kind, struct rule *content)
{
    struct rule *r = r_new(a, kind);
    r->content = content;
    return r;
}

static inline struct rule *r_prec(struct arena *a, int32_t value, struct rule *content)
{
    struct rule *r = r_wrap(a, RULE_PREC, content);
    r->prec.kind = PREC_INT;
    r->prec.value = value;
    return r;
}

/* A lexical grammar of up to 16 tokens, given as name/rule pairs, and
 * optional separators. */
struct test_grammar {
    struct lex_var vars[16];
    const struct rule *seps[4];
    struct lexical_grammar g;
};

static inline void tg_add(struct test_grammar *tg, const char *name, struct rule *r)
{
    tg->vars[tg->g.n_vars].name = name;
    tg->vars[tg->g.n_vars].kind = r->kind == RULE_STRING ? VAR_ANONYMOUS : VAR_NAMED;
    tg->vars[tg->g.n_vars].rule = r;
    tg->g.n_vars++;
    tg->g.vars = tg->vars;
}

static inline void tg_sep(struct test_grammar *tg, struct rule *r)
{
    tg->seps[tg->g.n_separators++] = r;
    tg->g.separators = tg->seps;
}

/* UTF-8 to code points; returns the count. */
static inline size_t utf8_to_cps(const char *s, uint32_t *out, size_t cap)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < cap;) {
        uint32_t cp;
        size_t k = rx_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (!k)
            return n;
        out[n++] = cp;
        i += k;
    }
    return n;
}

/* Whether token t's NFA (from its own start, no separators) matches all of
 * s. */
static inline bool nfa_matches(const struct lexer *lx, uint32_t t, const char *s)
{
    uint32_t cps[256];
    size_t n = utf8_to_cps(s, cps, 256);
    struct nfa_scratch sc;
    struct u32s set = VEC_INIT, seeds = VEC_INIT;
    nfa_scratch_init(&sc, &lx->nfa);
    nfa_closure(&lx->nfa, &sc, &lx->toks[t].start, 1, &set);
    for (size_t i = 0; i < n; i++) {
        VEC_CLEAR(&seeds);
        for (size_t k = 0; k < set.len; k++) {
            const struct nfa_state *st = &lx->nfa.states[set.items[k]];
            if (st->kind == NFA_ADVANCE && cranges_contain(st->r, st->n_r, cps[i]))
                VEC_PUSH(&seeds, st->next);
        }
        nfa_closure(&lx->nfa, &sc, seeds.items, seeds.len, &set);
    }
    bool ok = false;
    for (size_t k = 0; k < set.len; k++)
        ok = ok || set.items[k] == lx->toks[t].accept;
    VEC_RELEASE(&set);
    VEC_RELEASE(&seeds);
    nfa_scratch_release(&sc);
    return ok;
}

/* Lexes s with the main DFA from state; returns the token (or
 * LEX_NO_ACCEPT / LEX_ACCEPT_END) and the token's code-point span. */
static inline int32_t dfa_lex(const struct lex_dfa *d, uint32_t state, const char *s, size_t *start,
                              size_t *end)
{
    uint32_t cps[256];
    size_t n = utf8_to_cps(s, cps, 256);
    return lex_dfa_run(d, state, cps, n, start, end);
}

/* A parse state's tokens from a list of indices ending with -1. */
static inline struct lex_state_tokens ls_make(struct arena *a, uint32_t n_tokens, int eof, ...)
{
    struct lex_state_tokens s;
    tokset_init(&s.tokens, a, n_tokens);
    s.eof_valid = eof != 0;
    va_list ap;
    va_start(ap, eof);
    for (int t = va_arg(ap, int); t >= 0; t = va_arg(ap, int))
        tokset_add(&s.tokens, (uint32_t)t);
    va_end(ap);
    return s;
}

#endif
