/* After the LR(1) table is built and the lexer has analysed token
 * conflicts: keywords, the error-recovery state, minimisation, the lex
 * states of the final parse states, fragile tokens and the external
 * scanner's valid-token rows. The order is tree-sitter's: the
 * error-recovery state and the keyword choice look at the table before
 * merging (which pairs of tokens are ever valid together). */
#include "common/xalloc.h"
#include "lexer.h"
#include "tsgen_int.h"

#include <stdlib.h>
#include <string.h>

static bool la_is_term(uint32_t n_terms, uint32_t la)
{
    return la >= LA_FIRST_TERM && la < LA_FIRST_TERM + n_terms;
}

static struct lex_state_tokens *state_tokens(const struct parse_table *pt, uint32_t n_terms,
                                             struct arena *a)
{
    struct lex_state_tokens *st = ARENA_NEW_ARRAY(a, struct lex_state_tokens, pt->n_states + 1);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        tokset_init(&st[s].tokens, a, n_terms);
        const struct pstate *ps = &pt->states[s];
        for (uint32_t t = 0; t < ps->n_terms; t++) {
            uint32_t la = ps->terms[t].la;
            if (la == LA_END)
                st[s].eof_valid = true;
            else if (la_is_term(n_terms, la))
                tokset_add(&st[s].tokens, la - LA_FIRST_TERM);
        }
    }
    return st;
}

/* Inserts an entry (if absent, or always when replace) keeping order. */
static void set_entry(struct pstate *ps, uint32_t la, struct pact act, bool reusable, bool replace,
                      struct arena *a)
{
    uint32_t at = 0;
    while (at < ps->n_terms && ps->terms[at].la < la)
        at++;
    if (at < ps->n_terms && ps->terms[at].la == la) {
        if (!replace)
            return;
    } else {
        struct tentry *terms = ARENA_NEW_ARRAY(a, struct tentry, ps->n_terms + 2);
        memcpy(terms, ps->terms, at * sizeof *terms);
        memcpy(terms + at + 1, ps->terms + at, (ps->n_terms - at) * sizeof *terms);
        ps->terms = terms;
        ps->n_terms++;
    }
    struct tentry *te = &ps->terms[at];
    te->la = la;
    te->reusable = reusable;
    te->n_actions = 1;
    te->actions = ARENA_NEW_ARRAY(a, struct pact, 1);
    te->actions[0] = act;
}

static void populate_error_state(const struct syntax_grammar *syn, const struct lexer *lx,
                                 struct parse_table *pt, const bool *coincident, struct arena *a)
{
    uint32_t n = syn->n_terms;
    bool *free_of_conflicts = xcalloc(n + 1, 1);
    /* A conflict-free token: no other token that is never valid beside it
     * can stop where it goes on, or go on where it stops. */
    for (uint32_t i = 0; i < n; i++) {
        bool clash = false;
        for (uint32_t j = 0; j < n && !clash; j++)
            clash = j != i && !coincident[(size_t)i * n + j] &&
                    lexer_does_match_shorter_or_longer(lx, i, j);
        free_of_conflicts[i] = !clash;
    }
    struct pstate *st0 = &pt->states[0];
    struct pact recover = { 0 };
    recover.kind = PACT_RECOVER;
    for (uint32_t i = 0; i < n; i++) {
        bool is_keyword = pt->has_keywords && tokset_has(&pt->keywords, i);
        bool is_word = syn->word.kind == SYM_TERMINAL && syn->word.index == i;
        if (!free_of_conflicts[i] && !is_keyword && !is_word) {
            bool excluded = false;
            for (uint32_t t = 0; t < n && !excluded; t++)
                excluded = free_of_conflicts[t] && t != i && !coincident[(size_t)i * n + t] &&
                           lexer_does_conflict(lx, i, t);
            if (excluded)
                continue;
        }
        set_entry(st0, la_of_term(i), recover, false, false, a);
    }
    for (uint32_t e = 0; e < syn->n_externals; e++)
        if (syn->externals[e].internal.kind == SYM_NONE)
            set_entry(st0, LA_FIRST_TERM + n + e, recover, false, false, a);
    set_entry(st0, LA_END, recover, false, true, a);
    free(free_of_conflicts);
}

static void mark_used(const struct syntax_grammar *syn, struct parse_table *pt, struct arena *a)
{
    uint32_t nt = syn->n_terms;
    pt->term_used = ARENA_NEW_ARRAY(a, bool, nt + 1);
    pt->ext_used = ARENA_NEW_ARRAY(a, bool, syn->n_externals + 1);
    pt->nt_used = ARENA_NEW_ARRAY(a, bool, syn->n_vars + 1);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        const struct pstate *ps = &pt->states[s];
        for (uint32_t t = 0; t < ps->n_terms; t++) {
            uint32_t la = ps->terms[t].la;
            if (la_is_term(nt, la))
                pt->term_used[la - LA_FIRST_TERM] = true;
            else if (la >= LA_FIRST_TERM + nt)
                pt->ext_used[la - LA_FIRST_TERM - nt] = true;
            for (uint32_t k = 0; k < ps->terms[t].n_actions; k++)
                if (ps->terms[t].actions[k].kind == PACT_REDUCE)
                    pt->nt_used[ps->terms[t].actions[k].var] = true;
        }
        for (uint32_t g = 0; g < ps->n_gotos; g++)
            pt->nt_used[ps->gotos[g].var] = true;
    }
    pt->nt_used[0] = true;
}

static void mark_fragile(const struct syntax_grammar *syn, const struct lexer *lx,
                         struct parse_table *pt)
{
    uint32_t nt = syn->n_terms;
    uint32_t *valid = xmalloc((nt + 1) * sizeof *valid);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        struct pstate *ps = &pt->states[s];
        uint32_t nv = 0;
        for (uint32_t t = 0; t < ps->n_terms; t++)
            if (la_is_term(nt, ps->terms[t].la))
                valid[nv++] = ps->terms[t].la - LA_FIRST_TERM;
        for (uint32_t t = 0; t < ps->n_terms; t++) {
            if (!la_is_term(nt, ps->terms[t].la))
                continue;
            uint32_t tok = ps->terms[t].la - LA_FIRST_TERM;
            for (uint32_t i = 0; i < nv; i++)
                if (valid[i] != tok && lexer_does_overlap(lx, valid[i], tok)) {
                    ps->terms[t].reusable = false;
                    break;
                }
        }
    }
    free(valid);
}

static void external_rows(const struct syntax_grammar *syn, struct parse_table *pt, struct arena *a)
{
    uint32_t ne = syn->n_externals, nt = syn->n_terms;
    pt->n_ext_rows = 0;
    if (ne == 0) {
        pt->ext_rows = NULL;
        return;
    }
    bool *rows = ARENA_NEW_ARRAY(a, bool, (size_t)(pt->n_states + 1) * ne);
    bool *row = xcalloc(ne + 1, 1);
    pt->n_ext_rows = 1; /* row 0: no external token is valid */
    for (uint32_t s = 0; s < pt->n_states; s++) {
        struct pstate *ps = &pt->states[s];
        memset(row, 0, ne);
        bool any = false;
        for (uint32_t t = 0; t < ps->n_terms; t++) {
            uint32_t la = ps->terms[t].la;
            if (la >= LA_FIRST_TERM + nt) {
                row[la - LA_FIRST_TERM - nt] = any = true;
            } else if (la_is_term(nt, la)) {
                for (uint32_t e = 0; e < ne; e++)
                    if (syn->externals[e].internal.kind == SYM_TERMINAL &&
                        syn->externals[e].internal.index == la - LA_FIRST_TERM)
                        row[e] = any = true;
            }
        }
        ps->ext_lex_state = 0;
        if (!any)
            continue;
        uint32_t r = 1;
        while (r < pt->n_ext_rows && memcmp(&rows[(size_t)r * ne], row, ne) != 0)
            r++;
        if (r == pt->n_ext_rows) {
            memcpy(&rows[(size_t)r * ne], row, ne);
            pt->n_ext_rows++;
        }
        ps->ext_lex_state = (uint16_t)r;
    }
    pt->ext_rows = rows;
    free(row);
}

int parse_table_finish(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                       struct lexer *lx, struct arena *a, struct parse_table *pt, struct err *err)
{
    uint32_t n = lex->n_vars;
    pt->lexer = lx;
    struct lex_state_tokens *before = state_tokens(pt, n, a);

    tokset_init(&pt->keywords, a, n);
    pt->has_keywords = false;
    if (syn->word.kind == SYM_TERMINAL) {
        pt->keywords = lexer_identify_keywords(lx, before, pt->n_states, syn->word);
        pt->has_keywords = pt->keywords.bits && !tokset_is_empty(&pt->keywords);
        if (!pt->keywords.bits)
            tokset_init(&pt->keywords, a, n);
    }

    /* Which pairs of tokens are valid together in some state. */
    bool *coincident = xcalloc((size_t)n * n + 1, 1);
    uint32_t *valid = xmalloc((n + 1) * sizeof *valid);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        uint32_t nv = 0;
        for (uint32_t t = 0; t < n; t++)
            if (tokset_has(&before[s].tokens, t))
                valid[nv++] = t;
        for (uint32_t i = 0; i < nv; i++)
            for (uint32_t j = 0; j < nv; j++)
                coincident[(size_t)valid[i] * n + valid[j]] = true;
    }
    free(valid);
    populate_error_state(syn, lx, pt, coincident, a);
    free(coincident);
    mark_used(syn, pt, a);

    parse_table_remove_unit_reductions(syn, pt);
    parse_table_merge_states(syn, lx, pt, a);
    parse_table_drop_unreachable(pt, a);
    if (pt->n_states > 65535u)
        return err_set(err, ERR_INVALID, "the parse table has %u states; the runtime allows 65535",
                       pt->n_states);

    struct lex_state_tokens *after = state_tokens(pt, n, a);
    uint16_t *lex_state_of = ARENA_NEW_ARRAY(a, uint16_t, pt->n_states + 1);
    lexer_build(lx, after, pt->n_states, &pt->keywords, syn->word, lex_state_of);
    for (uint32_t s = 0; s < pt->n_states; s++)
        pt->states[s].lex_state = pt->states[s].nt_extra_end ? (uint16_t)0xFFFF : lex_state_of[s];
    mark_fragile(syn, lx, pt);
    external_rows(syn, pt, a);
    return 0;
}
