/* Parse table minimisation: unit reductions through invisible rules are
 * skipped, states with the same LR(0) core whose actions are compatible
 * are merged (partition refinement), unreachable states are dropped and
 * the rest renumbered: 0 = error recovery, 1 = start, then by falling
 * entry count. */
#include "common/vec.h"
#include "common/xalloc.h"
#include "lexer.h"
#include "tsgen_int.h"

#include <stdlib.h>
#include <string.h>

static struct gentry *find_goto(struct pstate *s, uint32_t var)
{
    uint32_t lo = 0, hi = s->n_gotos;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->gotos[mid].var < var)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_gotos && s->gotos[lo].var == var ? &s->gotos[lo] : NULL;
}

static struct tentry *find_term(const struct pstate *s, uint32_t la)
{
    uint32_t lo = 0, hi = s->n_terms;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->terms[mid].la < la)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_terms && s->terms[lo].la == la ? &s->terms[lo] : NULL;
}

/* ------------------------------------------------------------------ */

void parse_table_remove_unit_reductions(const struct syntax_grammar *syn, struct parse_table *pt)
{
    uint32_t nv = syn->n_vars;
    bool *aliased = xcalloc(nv + 1, 1);
    for (uint32_t v = 0; v < nv; v++)
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
            for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                const struct prod_step *st = &syn->vars[v].prods[p].steps[i];
                if (st->alias.value && st->sym.kind == SYM_NONTERMINAL)
                    aliased[st->sym.index] = true;
            }
    /* unit[s]: the invisible rule state s only ever reduces to, by one
     * child, or UINT32_MAX. */
    uint32_t *unit = xmalloc((pt->n_states + 1) * sizeof *unit);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        const struct pstate *ps = &pt->states[s];
        uint32_t sym = UINT32_MAX;
        bool only = true;
        for (uint32_t t = 0; t < ps->n_terms && only; t++) {
            for (uint32_t k = 0; k < ps->terms[t].n_actions && only; k++) {
                const struct pact *a = &ps->terms[t].actions[k];
                if (a->kind == PACT_SHIFT_EXTRA)
                    continue;
                if (a->kind == PACT_REDUCE && a->child_count == 1 && a->production_id == 0) {
                    const struct syntax_var *v = &syn->vars[a->var];
                    if (!syn->nt_alias[a->var].value && !v->supertype && !aliased[a->var] &&
                        v->kind != VAR_NAMED && (sym == UINT32_MAX || sym == a->var)) {
                        sym = a->var;
                        continue;
                    }
                }
                only = false;
            }
        }
        unit[s] = only ? sym : UINT32_MAX;
    }
    for (uint32_t s = 0; s < pt->n_states; s++) {
        struct pstate *ps = &pt->states[s];
        /* Follow chains of unit states; a chain longer than the number of
         * states would be a cycle, which we leave alone. */
        for (uint32_t t = 0; t < ps->n_terms; t++)
            for (uint32_t k = 0; k < ps->terms[t].n_actions; k++) {
                struct pact *a = &ps->terms[t].actions[k];
                if (a->kind != PACT_SHIFT)
                    continue;
                for (uint32_t guard = 0; guard < pt->n_states && unit[a->state] != UINT32_MAX;
                     guard++) {
                    struct gentry *g = find_goto(ps, unit[a->state]);
                    if (!g || g->extra || g->state == a->state)
                        break;
                    a->state = g->state;
                }
            }
        for (uint32_t g = 0; g < ps->n_gotos; g++) {
            struct gentry *ge = &ps->gotos[g];
            if (ge->extra)
                continue;
            for (uint32_t guard = 0; guard < pt->n_states && unit[ge->state] != UINT32_MAX;
                 guard++) {
                struct gentry *to = find_goto(ps, unit[ge->state]);
                if (!to || to->extra || to->state == ge->state)
                    break;
                ge->state = to->state;
            }
        }
    }
    free(unit);
    free(aliased);
}

/* ------------------------------------------------------------------ */
/* Merging */

struct u32vec {
    uint32_t *items;
    size_t len, cap;
};

struct merger {
    const struct syntax_grammar *syn;
    const struct lexer *lx;
    struct parse_table *pt;
    uint32_t n_terms;
    uint32_t *group_of; /* state -> group */
    struct u32vec *groups;
    size_t n_groups, cap_groups;
};

static bool is_internal_of_external(const struct syntax_grammar *syn, uint32_t t)
{
    for (uint32_t e = 0; e < syn->n_externals; e++)
        if (syn->externals[e].internal.kind == SYM_TERMINAL &&
            syn->externals[e].internal.index == t)
            return true;
    return false;
}

/* Whether adding lookahead `la` (valid in another state) to state `to`
 * could change how `to` lexes. */
static bool token_conflicts(const struct merger *m, const struct pstate *to, uint32_t la)
{
    if (la == LA_END)
        return false;
    if (la == LA_NT_EXTRA_END)
        return true;
    if (la >= LA_FIRST_TERM + m->n_terms)
        return true; /* externals: their scanner sees the valid set */
    uint32_t t = la - LA_FIRST_TERM;
    if (is_internal_of_external(m->syn, t))
        return true;
    const struct parse_table *pt = m->pt;
    struct sym word = m->syn->word;
    for (uint32_t i = 0; i < to->n_terms; i++) {
        uint32_t ola = to->terms[i].la;
        if (ola < LA_FIRST_TERM || ola >= LA_FIRST_TERM + m->n_terms)
            continue;
        uint32_t o = ola - LA_FIRST_TERM;
        if (pt->has_keywords && word.kind == SYM_TERMINAL) {
            if (word.index == o && tokset_has(&pt->keywords, t))
                continue;
            if (word.index == t && tokset_has(&pt->keywords, o))
                continue;
        }
        if (lexer_does_conflict(m->lx, t, o) || lexer_does_match_same_string(m->lx, t, o))
            return true;
    }
    return false;
}

static bool actions_conflict(const struct merger *m, const struct tentry *x, const struct tentry *y)
{
    if (x->n_actions != y->n_actions)
        return true;
    for (uint32_t i = 0; i < x->n_actions; i++) {
        const struct pact *a = &x->actions[i], *b = &y->actions[i];
        if (a->kind != b->kind)
            return true;
        switch (a->kind) {
        case PACT_SHIFT:
            if (m->group_of[a->state] != m->group_of[b->state] || a->repetition != b->repetition)
                return true;
            break;
        case PACT_REDUCE:
            if (a->var != b->var || a->child_count != b->child_count ||
                a->dyn_prec != b->dyn_prec || a->production_id != b->production_id)
                return true;
            break;
        default: break;
        }
    }
    return false;
}

static bool states_conflict(const struct merger *m, const struct pstate *l, const struct pstate *r)
{
    for (uint32_t i = 0; i < l->n_terms; i++) {
        const struct tentry *re = find_term(r, l->terms[i].la);
        if (re) {
            if (actions_conflict(m, &l->terms[i], re))
                return true;
        } else if (token_conflicts(m, r, l->terms[i].la)) {
            return true;
        }
    }
    for (uint32_t i = 0; i < r->n_terms; i++)
        if (!find_term(l, r->terms[i].la) && token_conflicts(m, l, r->terms[i].la))
            return true;
    if (l->nt_extra_end != r->nt_extra_end)
        return true;
    return false;
}

static bool successors_differ(const struct merger *m, const struct pstate *l,
                              const struct pstate *r)
{
    for (uint32_t i = 0; i < l->n_terms; i++) {
        const struct tentry *le = &l->terms[i];
        const struct pact *la = &le->actions[le->n_actions - 1];
        if (la->kind != PACT_SHIFT)
            continue;
        const struct tentry *re = find_term(r, le->la);
        if (!re)
            continue;
        const struct pact *ra = &re->actions[re->n_actions - 1];
        if (ra->kind == PACT_SHIFT && m->group_of[la->state] != m->group_of[ra->state])
            return true;
    }
    for (uint32_t i = 0; i < l->n_gotos; i++) {
        struct gentry *rg = find_goto((struct pstate *)r, l->gotos[i].var);
        if (!rg)
            continue;
        if (l->gotos[i].extra != rg->extra)
            return true;
        if (!rg->extra && m->group_of[l->gotos[i].state] != m->group_of[rg->state])
            return true;
    }
    return false;
}

static void push_group(struct merger *m)
{
    if (m->n_groups == m->cap_groups) {
        size_t old = m->cap_groups;
        m->cap_groups = m->cap_groups ? m->cap_groups * 2 : 64;
        m->groups = xreallocarray(m->groups, m->cap_groups, sizeof *m->groups);
        memset(m->groups + old, 0, (m->cap_groups - old) * sizeof *m->groups);
    }
    m->n_groups++;
}

/* Splits every group: the states incompatible (by f) with an earlier state
 * of their group that stays move to a new group. Returns whether any group
 * was split. */
static bool split_groups(struct merger *m, bool (*f)(const struct merger *, const struct pstate *,
                                                     const struct pstate *))
{
    bool any = false;
    bool *moved = xcalloc(m->pt->n_states + 1, 1);
    VEC(uint32_t) split = VEC_INIT;
    for (size_t g = 0; g < m->n_groups; g++) {
        VEC_CLEAR(&split);
        size_t n = m->groups[g].len;
        for (size_t i = 0; i < n; i++) {
            uint32_t ls = m->groups[g].items[i];
            if (moved[ls])
                continue;
            for (size_t j = i + 1; j < n; j++) {
                uint32_t rs = m->groups[g].items[j];
                if (moved[rs])
                    continue;
                if (f(m, &m->pt->states[ls], &m->pt->states[rs])) {
                    moved[rs] = true;
                    VEC_PUSH(&split, rs);
                }
            }
        }
        if (split.len == 0)
            continue;
        any = true;
        size_t k = 0;
        for (size_t i = 0; i < m->groups[g].len; i++)
            if (!moved[m->groups[g].items[i]])
                m->groups[g].items[k++] = m->groups[g].items[i];
        m->groups[g].len = k;
        push_group(m);
        uint32_t ng = (uint32_t)(m->n_groups - 1);
        for (size_t i = 0; i < split.len; i++) {
            VEC_PUSH(&m->groups[ng], split.items[i]);
            m->group_of[split.items[i]] = ng;
            moved[split.items[i]] = false;
        }
    }
    VEC_RELEASE(&split);
    free(moved);
    return any;
}

static bool conflict_fn(const struct merger *m, const struct pstate *l, const struct pstate *r)
{
    return states_conflict(m, l, r);
}

static bool differ_fn(const struct merger *m, const struct pstate *l, const struct pstate *r)
{
    return successors_differ(m, l, r);
}

/* Appends the entries of src missing from dst into a new sorted array. */
static void merge_into(struct pstate *dst, const struct pstate *src, struct arena *a)
{
    uint32_t nt = 0, ng = 0;
    struct tentry *terms = ARENA_NEW_ARRAY(a, struct tentry, dst->n_terms + src->n_terms + 1);
    for (uint32_t i = 0, j = 0; i < dst->n_terms || j < src->n_terms;) {
        if (j >= src->n_terms || (i < dst->n_terms && dst->terms[i].la < src->terms[j].la))
            terms[nt++] = dst->terms[i++];
        else if (i >= dst->n_terms || src->terms[j].la < dst->terms[i].la)
            terms[nt++] = src->terms[j++];
        else {
            terms[nt++] = dst->terms[i++];
            j++;
        }
    }
    struct gentry *gotos = ARENA_NEW_ARRAY(a, struct gentry, dst->n_gotos + src->n_gotos + 1);
    for (uint32_t i = 0, j = 0; i < dst->n_gotos || j < src->n_gotos;) {
        if (j >= src->n_gotos || (i < dst->n_gotos && dst->gotos[i].var < src->gotos[j].var))
            gotos[ng++] = dst->gotos[i++];
        else if (i >= dst->n_gotos || src->gotos[j].var < dst->gotos[i].var)
            gotos[ng++] = src->gotos[j++];
        else {
            gotos[ng++] = dst->gotos[i++];
            j++;
        }
    }
    dst->terms = terms;
    dst->n_terms = nt;
    dst->gotos = gotos;
    dst->n_gotos = ng;
}

static void renumber(struct parse_table *pt, const uint32_t *new_of, struct arena *a,
                     uint32_t n_new, const uint32_t *old_of_new)
{
    struct pstate *states = ARENA_NEW_ARRAY(a, struct pstate, n_new + 1);
    for (uint32_t n = 0; n < n_new; n++) {
        states[n] = pt->states[old_of_new[n]];
        struct pstate *ps = &states[n];
        /* entries may be shared with other states: copy before editing */
        struct tentry *terms = ARENA_NEW_ARRAY(a, struct tentry, ps->n_terms + 1);
        for (uint32_t t = 0; t < ps->n_terms; t++) {
            terms[t] = ps->terms[t];
            terms[t].actions = ARENA_NEW_ARRAY(a, struct pact, terms[t].n_actions);
            memcpy(terms[t].actions, ps->terms[t].actions,
                   terms[t].n_actions * sizeof *terms[t].actions);
            for (uint32_t k = 0; k < terms[t].n_actions; k++)
                if (terms[t].actions[k].kind == PACT_SHIFT)
                    terms[t].actions[k].state = new_of[terms[t].actions[k].state];
        }
        ps->terms = terms;
        struct gentry *gotos = ARENA_NEW_ARRAY(a, struct gentry, ps->n_gotos + 1);
        for (uint32_t g = 0; g < ps->n_gotos; g++) {
            gotos[g] = ps->gotos[g];
            gotos[g].state = gotos[g].extra ? n : new_of[gotos[g].state];
        }
        ps->gotos = gotos;
    }
    pt->states = states;
    pt->n_states = n_new;
}

void parse_table_merge_states(const struct syntax_grammar *syn, const struct lexer *lx,
                              struct parse_table *pt, struct arena *a)
{
    struct merger m = { 0 };
    m.syn = syn;
    m.lx = lx;
    m.pt = pt;
    m.n_terms = syn->n_terms;
    m.group_of = xmalloc((pt->n_states + 1) * sizeof *m.group_of);
    uint32_t n_cores = 0;
    for (uint32_t s = 0; s < pt->n_states; s++)
        if (pt->states[s].core_id + 1 > n_cores)
            n_cores = pt->states[s].core_id + 1;
    for (uint32_t c = 0; c < n_cores; c++)
        push_group(&m);
    for (uint32_t s = 0; s < pt->n_states; s++) {
        m.group_of[s] = pt->states[s].core_id;
        VEC_PUSH(&m.groups[pt->states[s].core_id], s);
    }
    split_groups(&m, conflict_fn);
    while (split_groups(&m, differ_fn))
        ;

    /* Group order: the groups of states 0 and 1 first, then by first
     * member, which keeps the numbering close to discovery order. */
    uint32_t n_groups = (uint32_t)m.n_groups;
    uint32_t *order = xmalloc((n_groups + 1) * sizeof *order);
    uint32_t *new_of_group = xmalloc((n_groups + 1) * sizeof *new_of_group);
    memset(new_of_group, 0xff, (n_groups + 1) * sizeof *new_of_group);
    uint32_t n = 0;
    for (uint32_t s = 0; s < pt->n_states; s++) {
        uint32_t g = m.group_of[s];
        if (new_of_group[g] == UINT32_MAX) {
            new_of_group[g] = n;
            order[n++] = g;
        }
    }
    uint32_t *new_of = xmalloc((pt->n_states + 1) * sizeof *new_of);
    uint32_t *rep = xmalloc((n + 1) * sizeof *rep);
    for (uint32_t s = 0; s < pt->n_states; s++)
        new_of[s] = new_of_group[m.group_of[s]];
    for (uint32_t k = 0; k < n; k++) {
        const struct u32vec *grp = &m.groups[order[k]];
        uint32_t first = grp->items[0];
        rep[k] = first;
        for (size_t i = 1; i < grp->len; i++)
            merge_into(&pt->states[first], &pt->states[grp->items[i]], a);
    }
    renumber(pt, new_of, a, n, rep);
    for (size_t g = 0; g < m.n_groups; g++)
        VEC_RELEASE(&m.groups[g]);
    free(m.groups);
    free(m.group_of);
    free(order);
    free(new_of_group);
    free(new_of);
    free(rep);
}

/* ------------------------------------------------------------------ */

static uint32_t entry_count(const struct pstate *s)
{
    return s->n_terms + s->n_gotos;
}

void parse_table_drop_unreachable(struct parse_table *pt, struct arena *a)
{
    uint32_t n = pt->n_states;
    bool *seen = xcalloc(n + 1, 1);
    uint32_t *queue = xmalloc((n + 1) * sizeof *queue);
    uint32_t qh = 0, qt = 0;
    for (uint32_t s = 0; s < n && s < 2; s++) {
        seen[s] = true;
        queue[qt++] = s;
    }
    while (qh < qt) {
        const struct pstate *ps = &pt->states[queue[qh++]];
        for (uint32_t t = 0; t < ps->n_terms; t++)
            for (uint32_t k = 0; k < ps->terms[t].n_actions; k++) {
                const struct pact *ac = &ps->terms[t].actions[k];
                if (ac->kind == PACT_SHIFT && !seen[ac->state]) {
                    seen[ac->state] = true;
                    queue[qt++] = ac->state;
                }
            }
        for (uint32_t g = 0; g < ps->n_gotos; g++)
            if (!seen[ps->gotos[g].state]) {
                seen[ps->gotos[g].state] = true;
                queue[qt++] = ps->gotos[g].state;
            }
    }
    /* Keep 0 and 1 in place; order the others by falling entry count
     * (stable), as the renderer's large/small split likes. */
    uint32_t *old_of_new = xmalloc((n + 1) * sizeof *old_of_new);
    uint32_t m = 0;
    for (uint32_t s = 0; s < n; s++)
        if (seen[s])
            old_of_new[m++] = s;
    if (m > 2) {
        /* stable merge sort of old_of_new[2..m) by descending entry count */
        uint32_t len = m - 2;
        uint32_t *src = old_of_new + 2;
        uint32_t *tmp = xmalloc((len + 1) * sizeof *tmp);
        for (uint32_t width = 1; width < len; width *= 2) {
            for (uint32_t lo = 0; lo < len; lo += 2 * width) {
                uint32_t mid = lo + width < len ? lo + width : len;
                uint32_t hi = lo + 2 * width < len ? lo + 2 * width : len;
                uint32_t i = lo, j = mid, k = lo;
                while (i < mid && j < hi) {
                    if (entry_count(&pt->states[src[j]]) > entry_count(&pt->states[src[i]]))
                        tmp[k++] = src[j++];
                    else
                        tmp[k++] = src[i++];
                }
                while (i < mid)
                    tmp[k++] = src[i++];
                while (j < hi)
                    tmp[k++] = src[j++];
            }
            memcpy(src, tmp, len * sizeof *src);
        }
        free(tmp);
    }
    uint32_t *new_of = xmalloc((n + 1) * sizeof *new_of);
    memset(new_of, 0xff, (n + 1) * sizeof *new_of);
    for (uint32_t k = 0; k < m; k++)
        new_of[old_of_new[k]] = k;
    renumber(pt, new_of, a, m, old_of_new);
    free(seen);
    free(queue);
    free(old_of_new);
    free(new_of);
}
