/* Preparation, last steps: default aliases and inline expansion, then the
 * parents of each repeat helper (for matching `conflicts` entries). */
#include "common/vec.h"
#include "tsgen_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Default aliases: a symbol that never appears unaliased is renamed to
 * its most frequent alias (ties: the alias seen last), and the steps that
 * use that alias drop it. tree-sitter does the same, so a rule used only
 * as alias($.x, $.y) shows as `y` without an alias symbol. */

struct alias_count {
    struct alias alias;
    uint32_t count;
};

struct sym_status {
    struct alias_count *v;
    uint32_t n, cap;
    bool unaliased;
};

static struct sym_status *status_of(struct sym_status *terms, struct sym_status *nts,
                                    struct sym_status *exts, struct sym s)
{
    switch (s.kind) {
    case SYM_TERMINAL: return &terms[s.index];
    case SYM_NONTERMINAL: return &nts[s.index];
    case SYM_EXTERNAL: return &exts[s.index];
    default: return NULL;
    }
}

static struct alias *default_of(const struct syntax_grammar *syn, struct sym s)
{
    switch (s.kind) {
    case SYM_TERMINAL: return &syn->term_alias[s.index];
    case SYM_NONTERMINAL: return &syn->nt_alias[s.index];
    case SYM_EXTERNAL: return &syn->ext_alias[s.index];
    default: return NULL;
    }
}

void prepare_default_aliases(struct syntax_grammar *syn, const bool *inlined, struct arena *a)
{
    uint32_t nt = syn->n_terms, nn = syn->n_vars, ne = syn->n_externals;
    struct sym_status *terms = xcalloc(nt + 1, sizeof *terms);
    struct sym_status *nts = xcalloc(nn + 1, sizeof *nts);
    struct sym_status *exts = xcalloc(ne + 1, sizeof *exts);
    syn->term_alias = ARENA_NEW_ARRAY(a, struct alias, nt + 1);
    syn->nt_alias = ARENA_NEW_ARRAY(a, struct alias, nn + 1);
    syn->ext_alias = ARENA_NEW_ARRAY(a, struct alias, ne + 1);

    for (uint32_t v = 0; v < nn; v++) {
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++) {
            const struct production *prod = &syn->vars[v].prods[p];
            for (uint32_t i = 0; i < prod->n_steps; i++) {
                const struct prod_step *st = &prod->steps[i];
                struct sym_status *ss = status_of(terms, nts, exts, st->sym);
                if (!ss || (st->sym.kind == SYM_NONTERMINAL && inlined[st->sym.index]))
                    continue;
                if (!st->alias.value) {
                    ss->unaliased = true;
                    continue;
                }
                uint32_t k = 0;
                while (k < ss->n && !alias_eq(ss->v[k].alias, st->alias))
                    k++;
                if (k == ss->n) {
                    if (ss->n == ss->cap) {
                        ss->cap = ss->cap ? ss->cap * 2 : 4;
                        ss->v = xreallocarray(ss->v, ss->cap, sizeof *ss->v);
                    }
                    ss->v[ss->n].alias = st->alias;
                    ss->v[ss->n].count = 0;
                    ss->n++;
                }
                ss->v[k].count++;
            }
        }
    }

    struct sym_status *lists[3] = { terms, nts, exts };
    uint32_t counts[3] = { nt, nn, ne };
    struct alias *outs[3] = { syn->term_alias, syn->nt_alias, syn->ext_alias };
    for (int l = 0; l < 3; l++) {
        for (uint32_t i = 0; i < counts[l]; i++) {
            struct sym_status *ss = &lists[l][i];
            if (ss->unaliased || ss->n == 0)
                continue;
            uint32_t best = 0;
            for (uint32_t k = 1; k < ss->n; k++)
                if (ss->v[k].count >= ss->v[best].count)
                    best = k;
            outs[l][i] = ss->v[best].alias;
        }
    }

    /* Drop the alias where it is the default, unless another production of
     * the same rule has the same alias at that index on a symbol for which
     * it is not the default (then the alias sequence must keep it). */
    for (uint32_t v = 0; v < nn; v++) {
        struct syntax_var *var = &syn->vars[v];
        bool *clear = NULL;
        uint32_t total = 0;
        for (uint32_t p = 0; p < var->n_prods; p++)
            total += var->prods[p].n_steps;
        clear = xcalloc(total + 1, 1);
        uint32_t base = 0;
        for (uint32_t p = 0; p < var->n_prods; p++) {
            const struct production *prod = &var->prods[p];
            for (uint32_t j = 0; j < prod->n_steps; j++) {
                const struct prod_step *st = &prod->steps[j];
                const struct alias *def = default_of(syn, st->sym);
                if (!st->alias.value || !def || !def->value || !alias_eq(*def, st->alias))
                    continue;
                bool must_keep = false;
                for (uint32_t q = 0; q < var->n_prods && !must_keep; q++) {
                    if (q == p || var->prods[q].n_steps <= j)
                        continue;
                    const struct prod_step *o = &var->prods[q].steps[j];
                    const struct alias *odef = default_of(syn, o->sym);
                    if (alias_eq(o->alias, st->alias) && !(odef && alias_eq(*odef, o->alias)))
                        must_keep = true;
                }
                if (!must_keep)
                    clear[base + j] = true;
            }
            base += prod->n_steps;
        }
        base = 0;
        for (uint32_t p = 0; p < var->n_prods; p++) {
            for (uint32_t j = 0; j < var->prods[p].n_steps; j++)
                if (clear[base + j])
                    var->prods[p].steps[j].alias.value = NULL;
            base += var->prods[p].n_steps;
        }
        free(clear);
    }

    for (int l = 0; l < 3; l++) {
        for (uint32_t i = 0; i < counts[l]; i++)
            free(lists[l][i].v);
        free(lists[l]);
    }
}

/* ------------------------------------------------------------------ */
/* Inline expansion: every use of an inline rule is replaced by each of its
 * productions. The use site's alias and field apply to every inserted step;
 * its precedence and associativity go to the last inserted step when that
 * has none (the item after the inlined symbol had the use site's). */

struct work {
    struct production prod;
    uint32_t depth;
};

static int32_t abs32(int32_t x)
{
    return x < 0 ? -x : x;
}

static struct production splice(struct arena *a, const struct production *outer, uint32_t at,
                                const struct production *inner)
{
    struct production r;
    const struct prod_step *removed = &outer->steps[at];
    r.n_steps = outer->n_steps - 1 + inner->n_steps;
    r.steps = ARENA_NEW_ARRAY(a, struct prod_step, r.n_steps ? r.n_steps : 1);
    r.dyn_prec = outer->dyn_prec;
    if (abs32(inner->dyn_prec) > abs32(r.dyn_prec))
        r.dyn_prec = inner->dyn_prec;
    memcpy(r.steps, outer->steps, at * sizeof *r.steps);
    for (uint32_t i = 0; i < inner->n_steps; i++) {
        struct prod_step st = inner->steps[i];
        if (removed->alias.value)
            st.alias = removed->alias;
        if (removed->field)
            st.field = removed->field;
        if (i + 1 == inner->n_steps) {
            if (st.prec.kind == PREC_NONE)
                st.prec = removed->prec;
            if (st.assoc == ASSOC_NONE)
                st.assoc = removed->assoc;
        }
        r.steps[at + i] = st;
    }
    memcpy(r.steps + at + inner->n_steps, outer->steps + at + 1,
           (outer->n_steps - at - 1) * sizeof *r.steps);
    return r;
}

/* The distinct productions an inlining made so far, as an open-addressing
 * set of their indexes + 1 into an array the caller keeps: comparing each
 * new one with every earlier one was quadratic (a fuzzed grammar of 4 KB
 * took 53 s). */
struct prod_set {
    uint32_t *slot;
    uint32_t cap, n;
};

static void prod_set_clear(struct prod_set *s)
{
    if (s->slot)
        memset(s->slot, 0, s->cap * sizeof *s->slot);
    s->n = 0;
}

static bool prod_set_has(const struct prod_set *s, const struct production *items,
                         const struct production *p)
{
    if (!s->n)
        return false;
    for (uint32_t i = (uint32_t)production_hash(p) & (s->cap - 1); s->slot[i];
         i = (i + 1) & (s->cap - 1))
        if (production_equal(&items[s->slot[i] - 1], p))
            return true;
    return false;
}

static void prod_set_add(struct prod_set *s, const struct production *items, uint32_t index)
{
    if (2 * (s->n + 1) > s->cap) {
        uint32_t cap = s->cap ? 2 * s->cap : 64;
        free(s->slot);
        s->slot = xcalloc(cap, sizeof *s->slot);
        s->cap = cap;
        for (uint32_t k = 0; k < index; k++) /* every earlier one is in the set */
            for (uint32_t i = (uint32_t)production_hash(&items[k]) & (cap - 1);;
                 i = (i + 1) & (cap - 1))
                if (!s->slot[i]) {
                    s->slot[i] = k + 1;
                    break;
                }
    }
    uint32_t i = (uint32_t)production_hash(&items[index]) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = index + 1;
    s->n++;
}

int prepare_inline(struct syntax_grammar *syn, const bool *inlined, struct arena *a,
                   struct err *err)
{
    uint32_t n_inlined = 0;
    for (uint32_t v = 0; v < syn->n_vars; v++)
        n_inlined += inlined[v];
    int rc = 0;
    VEC(struct work) todo = VEC_INIT;
    VEC(struct production) done = VEC_INIT;
    struct prod_set seen = { 0 };
    for (uint32_t v = 0; v < syn->n_vars && rc == 0 && n_inlined; v++) {
        struct syntax_var *var = &syn->vars[v];
        bool any = false;
        for (uint32_t p = 0; p < var->n_prods && !any; p++)
            for (uint32_t i = 0; i < var->prods[p].n_steps && !any; i++) {
                struct sym s = var->prods[p].steps[i].sym;
                any = s.kind == SYM_NONTERMINAL && inlined[s.index];
            }
        if (!any)
            continue;
        VEC_CLEAR(&todo);
        VEC_CLEAR(&done);
        prod_set_clear(&seen);
        /* Depth-first in production order keeps the result ordered like
         * the source: alternatives of an inlined rule appear where it was. */
        for (uint32_t p = var->n_prods; p-- > 0;) {
            struct work w = { var->prods[p], 0 };
            VEC_PUSH(&todo, w);
        }
        while (todo.len && rc == 0) {
            struct work w = VEC_POP(&todo);
            uint32_t at = UINT32_MAX;
            for (uint32_t i = 0; i < w.prod.n_steps && at == UINT32_MAX; i++) {
                struct sym s = w.prod.steps[i].sym;
                if (s.kind == SYM_NONTERMINAL && inlined[s.index])
                    at = i;
            }
            if (at == UINT32_MAX) {
                if (!prod_set_has(&seen, done.items, &w.prod)) {
                    VEC_PUSH(&done, w.prod);
                    prod_set_add(&seen, done.items, (uint32_t)done.len - 1);
                }
                continue;
            }
            const struct syntax_var *iv = &syn->vars[w.prod.steps[at].sym.index];
            if (w.depth > n_inlined) {
                rc = err_set(err, ERR_INVALID, "%s: inline rule '%s' is recursive", iv->path,
                             iv->name);
                break;
            }
            for (uint32_t q = iv->n_prods; q-- > 0;) {
                struct work nw;
                nw.prod = splice(a, &w.prod, at, &iv->prods[q]);
                nw.depth = w.depth + 1;
                if (nw.prod.n_steps > 255u) {
                    rc = err_set(err, ERR_INVALID,
                                 "%s: inlining '%s' makes a production longer "
                                 "than 255 symbols",
                                 var->path, iv->name);
                    break;
                }
                VEC_PUSH(&todo, nw);
            }
            if (todo.len > 1000000u)
                rc = err_set(err, ERR_INVALID, "%s: inlining produces too many productions",
                             var->path);
        }
        if (rc)
            break;
        var->n_prods = (uint32_t)done.len;
        var->prods = ARENA_NEW_ARRAY(a, struct production, done.len ? done.len : 1);
        if (done.len)
            memcpy(var->prods, done.items, done.len * sizeof *var->prods);
    }
    VEC_RELEASE(&todo);
    VEC_RELEASE(&done);
    free(seen.slot);
    if (rc)
        return rc;

    /* Parents of repeat helpers: the rules (not helpers themselves) whose
     * productions use them, directly or through other helpers. */
    uint32_t n = syn->n_vars;
    syn->repeat_parents = ARENA_NEW_ARRAY(a, struct conflict_set, n);
    bool *par = xcalloc((size_t)n * n + 1, 1); /* par[aux * n + parent] */
    bool changed = true;
    for (uint32_t v = 0; v < n; v++) {
        if (inlined[v])
            continue;
        for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
            for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                struct sym s = syn->vars[v].prods[p].steps[i].sym;
                if (s.kind == SYM_NONTERMINAL && syn->vars[s.index].is_repeat &&
                    !syn->vars[v].is_repeat)
                    par[(size_t)s.index * n + v] = true;
            }
    }
    while (changed) {
        changed = false;
        for (uint32_t v = 0; v < n; v++) {
            if (!syn->vars[v].is_repeat)
                continue;
            for (uint32_t p = 0; p < syn->vars[v].n_prods; p++)
                for (uint32_t i = 0; i < syn->vars[v].prods[p].n_steps; i++) {
                    struct sym s = syn->vars[v].prods[p].steps[i].sym;
                    if (s.kind != SYM_NONTERMINAL || !syn->vars[s.index].is_repeat || s.index == v)
                        continue;
                    for (uint32_t q = 0; q < n; q++)
                        if (par[(size_t)v * n + q] && !par[(size_t)s.index * n + q]) {
                            par[(size_t)s.index * n + q] = true;
                            changed = true;
                        }
                }
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        if (!syn->vars[v].is_repeat)
            continue;
        struct conflict_set *cs = &syn->repeat_parents[v];
        cs->vars = ARENA_NEW_ARRAY(a, uint32_t, n);
        for (uint32_t q = 0; q < n; q++)
            if (par[(size_t)v * n + q])
                cs->vars[cs->n++] = q;
    }
    free(par);
    return 0;
}
