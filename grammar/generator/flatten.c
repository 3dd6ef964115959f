/* Flattening: each rule tree becomes a list of productions. Choices are
 * distributed first (every alternative is a choice-free tree), then each
 * tree is walked once with stacks of the enclosing precedence,
 * associativity, alias and field.
 *
 * One subtlety decides how conflicts resolve: an item's precedence is that
 * of the step just before its dot. When a precedence region ends before the
 * production does, the region's last step takes the outer precedence, since
 * an item whose dot sits right after that step is already outside the
 * region. At the very end of a production the step keeps the inner one: a
 * completed item reduces with the precedence it was written with. */
#include "common/vec.h"
#include "tsgen_int.h"

#include <stdlib.h>
#include <string.h>

/* Refuse grammars whose choices multiply into absurd numbers of
 * productions (tree-sitter has no limit; we'd rather fail clearly than
 * exhaust memory). */
#define MAX_ALTERNATIVES 20000u
#define MAX_STEPS 255u

struct alts {
    struct srule **v;
    uint32_t n;
};

struct flat {
    struct arena *a;
    struct err *err;
    const char *path;
    VEC(struct prod_step) steps;
    int32_t dyn;
    VEC(struct prec) precs;
    VEC(uint8_t) assocs;
    VEC(struct alias) aliases;
    VEC(const char *) fields;
};

static int extract_choices(struct flat *f, struct srule *s, struct alts *out)
{
    int rc;
    switch (s->kind) {
    case SR_CHOICE: {
        struct alts *parts = ARENA_NEW_ARRAY(f->a, struct alts, s->n_members);
        uint64_t total = 0;
        for (uint32_t i = 0; i < s->n_members; i++) {
            if ((rc = extract_choices(f, s->members[i], &parts[i])))
                return rc;
            total += parts[i].n;
        }
        if (total > MAX_ALTERNATIVES)
            return err_set(f->err, ERR_INVALID, "%s: more than %u alternatives", s->path,
                           MAX_ALTERNATIVES);
        out->n = 0;
        out->v = ARENA_NEW_ARRAY(f->a, struct srule *, total);
        for (uint32_t i = 0; i < s->n_members; i++)
            for (uint32_t k = 0; k < parts[i].n; k++)
                out->v[out->n++] = parts[i].v[k];
        return 0;
    }
    case SR_SEQ: {
        struct alts *parts = ARENA_NEW_ARRAY(f->a, struct alts, s->n_members);
        uint64_t total = 1;
        for (uint32_t i = 0; i < s->n_members; i++) {
            if ((rc = extract_choices(f, s->members[i], &parts[i])))
                return rc;
            total *= parts[i].n;
            if (total > MAX_ALTERNATIVES)
                return err_set(f->err, ERR_INVALID, "%s: more than %u alternatives", s->path,
                               MAX_ALTERNATIVES);
        }
        out->n = (uint32_t)total;
        out->v = ARENA_NEW_ARRAY(f->a, struct srule *, total ? total : 1);
        /* Alternatives in order: the first member varies slowest. */
        for (uint32_t k = 0; k < out->n; k++) {
            struct srule *seq = ARENA_NEW(f->a, struct srule);
            seq->kind = SR_SEQ;
            seq->path = s->path;
            seq->n_members = s->n_members;
            seq->members = ARENA_NEW_ARRAY(f->a, struct srule *, s->n_members);
            uint32_t rest = k;
            for (uint32_t i = s->n_members; i-- > 0;) {
                seq->members[i] = parts[i].v[rest % parts[i].n];
                rest /= parts[i].n;
            }
            out->v[k] = seq;
        }
        return 0;
    }
    case SR_META: {
        struct alts inner;
        if ((rc = extract_choices(f, s->content, &inner)))
            return rc;
        if (inner.n == 1 && inner.v[0] == s->content) {
            out->n = 1;
            out->v = ARENA_NEW_ARRAY(f->a, struct srule *, 1);
            out->v[0] = s;
            return 0;
        }
        out->n = inner.n;
        out->v = ARENA_NEW_ARRAY(f->a, struct srule *, inner.n);
        for (uint32_t k = 0; k < inner.n; k++) {
            struct srule *m = ARENA_NEW(f->a, struct srule);
            *m = *s;
            m->content = inner.v[k];
            out->v[k] = m;
        }
        return 0;
    }
    default:
        out->n = 1;
        out->v = ARENA_NEW_ARRAY(f->a, struct srule *, 1);
        out->v[0] = s;
        return 0;
    }
}

static int32_t abs32(int32_t x)
{
    return x < 0 ? -x : x;
}

static bool apply(struct flat *f, const struct srule *s, bool at_end)
{
    switch (s->kind) {
    case SR_SEQ: {
        bool pushed = false;
        for (uint32_t i = 0; i < s->n_members; i++)
            pushed |= apply(f, s->members[i], at_end && i + 1 == s->n_members);
        return pushed;
    }
    case SR_META: {
        bool has_prec = s->prec.kind != PREC_NONE, has_assoc = s->assoc != ASSOC_NONE;
        if (has_prec)
            VEC_PUSH(&f->precs, s->prec);
        if (has_assoc)
            VEC_PUSH(&f->assocs, s->assoc);
        if (s->alias.value)
            VEC_PUSH(&f->aliases, s->alias);
        if (s->field)
            VEC_PUSH(&f->fields, s->field);
        if (s->has_dyn && abs32(s->dyn) > abs32(f->dyn))
            f->dyn = s->dyn;
        bool pushed = apply(f, s->content, at_end);
        if (has_prec) {
            f->precs.len--;
            if (pushed && !at_end) {
                struct prec outer = { PREC_NONE, 0, NULL };
                if (f->precs.len)
                    outer = VEC_LAST(&f->precs);
                VEC_LAST(&f->steps).prec = outer;
            }
        }
        if (has_assoc) {
            f->assocs.len--;
            if (pushed && !at_end)
                VEC_LAST(&f->steps).assoc = f->assocs.len ? VEC_LAST(&f->assocs) : ASSOC_NONE;
        }
        if (s->alias.value)
            f->aliases.len--;
        if (s->field)
            f->fields.len--;
        return pushed;
    }
    case SR_SYMBOL: {
        struct prod_step st = { 0 };
        st.sym = s->sym;
        if (f->precs.len)
            st.prec = VEC_LAST(&f->precs);
        st.assoc = f->assocs.len ? VEC_LAST(&f->assocs) : ASSOC_NONE;
        if (f->aliases.len)
            st.alias = VEC_LAST(&f->aliases);
        st.field = f->fields.len ? VEC_LAST(&f->fields) : NULL;
        VEC_PUSH(&f->steps, st);
        return true;
    }
    default: return false;
    }
}

static bool step_equal(const struct prod_step *a, const struct prod_step *b)
{
    if (!sym_eq(a->sym, b->sym) || a->assoc != b->assoc || a->prec.kind != b->prec.kind ||
        !alias_eq(a->alias, b->alias))
        return false;
    if (a->prec.kind == PREC_INT && a->prec.value != b->prec.value)
        return false;
    if (a->prec.kind == PREC_NAME && strcmp(a->prec.name, b->prec.name) != 0)
        return false;
    if ((a->field == NULL) != (b->field == NULL))
        return false;
    return !a->field || strcmp(a->field, b->field) == 0;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return s ? tsgen_hash_bytes(h, s, strlen(s)) : tsgen_hash_bytes(h, "", 1);
}

/* A hash consistent with production_equal, so that duplicates are found in
 * linear time (a rule can expand to many thousands of alternatives). */
uint64_t production_hash(const struct production *p)
{
    uint64_t h = tsgen_hash_bytes(0, &p->n_steps, sizeof p->n_steps);
    h = tsgen_hash_bytes(h, &p->dyn_prec, sizeof p->dyn_prec);
    for (uint32_t i = 0; i < p->n_steps; i++) {
        const struct prod_step *st = &p->steps[i];
        uint32_t k[4] = { st->sym.kind, st->sym.index, (uint32_t)st->assoc,
                          (uint32_t)st->prec.kind };
        h = tsgen_hash_bytes(h, k, sizeof k);
        if (st->prec.kind == PREC_INT)
            h = tsgen_hash_bytes(h, &st->prec.value, sizeof st->prec.value);
        else if (st->prec.kind == PREC_NAME)
            h = hash_str(h, st->prec.name);
        h = hash_str(h, st->alias.value);
        if (st->alias.value)
            h = tsgen_hash_bytes(h, &st->alias.named, sizeof st->alias.named);
        h = hash_str(h, st->field);
    }
    return h;
}

bool production_equal(const struct production *a, const struct production *b)
{
    if (a->n_steps != b->n_steps || a->dyn_prec != b->dyn_prec)
        return false;
    for (uint32_t i = 0; i < a->n_steps; i++)
        if (!step_equal(&a->steps[i], &b->steps[i]))
            return false;
    return true;
}

int prepare_flatten(struct syntax_grammar *syn, struct srule **rules, struct arena *a,
                    struct err *err)
{
    struct flat f;
    memset(&f, 0, sizeof f);
    f.a = a;
    f.err = err;
    int rc = 0;
    for (uint32_t v = 0; v < syn->n_vars && rc == 0; v++) {
        struct alts alts;
        f.path = syn->vars[v].path;
        if ((rc = extract_choices(&f, rules[v], &alts)))
            break;
        struct production *prods = ARENA_NEW_ARRAY(a, struct production, alts.n ? alts.n : 1);
        uint32_t n = 0;
        /* Open-addressing set of production indices + 1, twice the size. */
        uint32_t cap = 16;
        while (cap < alts.n * 2)
            cap *= 2;
        uint32_t *seen = ARENA_NEW_ARRAY(a, uint32_t, cap);
        for (uint32_t k = 0; k < alts.n; k++) {
            VEC_CLEAR(&f.steps);
            f.dyn = 0;
            apply(&f, alts.v[k], true);
            if (f.steps.len > MAX_STEPS) {
                rc = err_set(err, ERR_INVALID, "%s: a production has more than %u symbols",
                             syn->vars[v].path, MAX_STEPS);
                break;
            }
            struct production p;
            p.n_steps = (uint32_t)f.steps.len;
            p.dyn_prec = f.dyn;
            p.steps = ARENA_NEW_ARRAY(a, struct prod_step, p.n_steps ? p.n_steps : 1);
            if (p.n_steps)
                memcpy(p.steps, f.steps.items, p.n_steps * sizeof *p.steps);
            bool dup = false;
            uint32_t slot = (uint32_t)production_hash(&p) & (cap - 1);
            for (; seen[slot]; slot = (slot + 1) & (cap - 1))
                if (production_equal(&prods[seen[slot] - 1], &p)) {
                    dup = true;
                    break;
                }
            if (!dup) {
                prods[n] = p;
                seen[slot] = ++n;
            }
        }
        syn->vars[v].prods = prods;
        syn->vars[v].n_prods = n;
    }
    VEC_RELEASE(&f.steps);
    VEC_RELEASE(&f.precs);
    VEC_RELEASE(&f.assocs);
    VEC_RELEASE(&f.aliases);
    VEC_RELEASE(&f.fields);
    return rc;
}
