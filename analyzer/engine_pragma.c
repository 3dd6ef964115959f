/* Inline pragmas: the model finds them (dockwright, hadolint and BuildKit
 * `check=` forms, with their scope and target); the engine resolves their
 * names and decides which findings they cover. Rules never see this.
 *
 * A finding is covered when its primary span starts inside the covered
 * range: the target instruction (heredoc bodies and continuation lines
 * included, and its end, where findings about something missing point),
 * the stage from its FROM to the next FROM, or the whole file. */
#include "analyzer/engine_int.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The top-level instruction whose span holds offset (ends included), or
 * -1. Instructions are in file order and do not overlap. */
static long instr_at(const struct df_model *m, uint32_t offset)
{
    uint32_t lo = 0, hi = m->n_instrs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->instrs[mid]->span.start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return -1;
    const struct df_instr *in = m->instrs[lo - 1];
    return offset <= in->span.end ? (long)(lo - 1) : -1;
}

/* The stage whose range (its FROM to the next FROM) holds offset, or -1. */
static long stage_at(const struct df_model *m, uint32_t offset)
{
    uint32_t lo = 0, hi = m->n_stages;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct df_instr *from = m->stages[mid].from;
        if (from && from->span.start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

static long index_of_instr(const struct df_model *m, const struct df_instr *target)
{
    while (target->parent)
        target = target->parent;
    long i = instr_at(m, target->span.start);
    return i >= 0 && m->instrs[i] == target ? i : -1;
}

static bool same_meaning(const struct eng_name *a, const struct eng_name *b)
{
    if (a->cls != b->cls)
        return false;
    switch (a->cls) {
    case ENG_NAME_RULE:
        return a->rule == b->rule &&
               (a->kind == b->kind || (a->kind && b->kind && !strcmp(a->kind, b->kind)));
    case ENG_NAME_PREFIX: return !strcmp(a->prefix, b->prefix);
    default: return true;
    }
}

/* Adds name k of item to list l unless l has a name of the same meaning.
 * stamp[rule] == serial marks the rules l names whole, so that the common
 * case is checked in constant time; the other names (kinds, prefixes,
 * `all`) are few whatever the input, as the registry bounds them. */
static void add_name(struct eng_pragmas *p, struct eng_pragma_list *l, uint32_t serial,
                     uint32_t *stamp, uint32_t item, uint32_t k)
{
    const struct eng_name *nm = &p->items[item].names[k];
    if (nm->cls != ENG_NAME_RULE && nm->cls != ENG_NAME_PREFIX && nm->cls != ENG_NAME_BUILDKIT_ALL)
        return; /* unknown, ShellCheck, retired: they cover nothing */
    if (nm->cls == ENG_NAME_RULE && !nm->kind) {
        if (stamp[nm->rule] == serial)
            return;
        stamp[nm->rule] = serial;
    } else {
        for (uint32_t i = 0; i < l->n; i++) {
            const struct eng_name *o = &p->items[l->refs[i].item].names[l->refs[i].name];
            if (same_meaning(o, nm))
                return;
        }
    }
    l->refs[l->n++] = (struct eng_pragma_ref){ item, k };
}

void eng_pragmas_build(const struct eng *e, struct df_file *f, struct eng_pragmas *out)
{
    memset(out, 0, sizeof *out);
    const struct df_model *m = &f->model;
    if (!e->inline_ignores || !m->n_pragmas)
        return;
    struct arena *a = &f->arena;
    out->items = ARENA_NEW_ARRAY(a, struct eng_pragma, m->n_pragmas);
    out->item_of = ARENA_NEW_ARRAY(a, uint32_t, m->n_pragmas);
    out->instr = ARENA_NEW_ARRAY(a, struct eng_pragma_list, m->n_instrs + 1);
    out->stage = ARENA_NEW_ARRAY(a, struct eng_pragma_list, m->n_stages + 1);
    /* The list each item goes to: 0 global, 1 + i instruction i,
     * 1 + n_instrs + s stage s. */
    uint32_t *list_of = xcalloc(m->n_pragmas, sizeof *list_of);
    uint32_t n_lists = 1 + m->n_instrs + m->n_stages;
    uint32_t *cap = xcalloc(n_lists, sizeof *cap);

    for (uint32_t i = 0; i < m->n_pragmas; i++) {
        const struct df_pragma *src = &m->pragmas[i];
        uint32_t list = 0;
        switch (src->scope) {
        case DF_PRAGMA_GLOBAL: break;
        case DF_PRAGMA_NEXT: {
            long in = src->target ? index_of_instr(m, src->target) : -1;
            if (in < 0)
                continue;
            list = 1 + (uint32_t)in;
            break;
        }
        case DF_PRAGMA_STAGE:
            if (!src->target || src->target->stage < 0 ||
                (uint32_t)src->target->stage >= m->n_stages)
                continue;
            list = 1 + m->n_instrs + (uint32_t)src->target->stage;
            break;
        default: continue;
        }
        uint32_t k = out->n++;
        out->item_of[i] = k + 1;
        list_of[k] = list;
        cap[list] += src->n_names;
        struct eng_pragma *p = &out->items[k];
        p->src = src;
        p->n_names = src->n_names;
        p->names = ARENA_NEW_ARRAY(a, struct eng_name, src->n_names + 1);
        p->used = ARENA_NEW_ARRAY(a, bool, src->n_names + 1);
        for (uint32_t j = 0; j < src->n_names; j++)
            eng_name_resolve(e->registry, e->n_rules, src->names[j].raw,
                             src->origin == DF_PRAGMA_BUILDKIT, &p->names[j]);
    }

    /* One list at a time (items in file order within it), so that a stamp
     * equal to the list's serial means "named in this list". */
    uint32_t *start = xcalloc(n_lists + 1, sizeof *start);
    for (uint32_t k = 0; k < out->n; k++)
        start[list_of[k] + 1]++;
    for (uint32_t l = 0; l < n_lists; l++)
        start[l + 1] += start[l];
    uint32_t *order = xcalloc(out->n + 1, sizeof *order);
    for (uint32_t k = 0; k < out->n; k++)
        order[start[list_of[k]]++] = k;
    free(start);
    uint32_t *stamp = xcalloc(e->n_rules + 1, sizeof *stamp);
    for (uint32_t o = 0; o < out->n; o++) {
        uint32_t k = order[o];
        uint32_t list = list_of[k];
        struct eng_pragma_list *l = list == 0             ? &out->global
                                    : list <= m->n_instrs ? &out->instr[list - 1]
                                                          : &out->stage[list - 1 - m->n_instrs];
        if (!l->refs)
            l->refs = ARENA_NEW_ARRAY(a, struct eng_pragma_ref, cap[list] + 1);
        for (uint32_t j = 0; j < out->items[k].n_names; j++)
            add_name(out, l, list + 1, stamp, k, j);
    }
    free(order);
    free(stamp);
    free(cap);
    free(list_of);
}

static bool list_covers(const struct eng *e, const struct eng_pragmas *p,
                        const struct eng_pragma_list *l, uint32_t rule, const char *kind,
                        bool kind_known, bool mark)
{
    bool hit = false;
    for (uint32_t i = 0; i < l->n; i++) {
        const struct eng_pragma *it = &p->items[l->refs[i].item];
        const struct eng_name *nm = &it->names[l->refs[i].name];
        /* Before the rule has said which alias kind a finding is of, only
         * names that cover every kind can decide. */
        if (!kind_known && nm->cls == ENG_NAME_RULE && nm->kind)
            continue;
        if (eng_name_matches(e, nm, rule, kind)) {
            hit = true;
            if (mark)
                it->used[l->refs[i].name] = true;
        }
    }
    return hit;
}

bool eng_pragmas_cover(const struct eng *e, const struct df_file *f, const struct eng_pragmas *p,
                       uint32_t rule, const char *kind, bool kind_known, uint32_t offset, bool mark)
{
    if (!p->n)
        return false;
    bool hit = list_covers(e, p, &p->global, rule, kind, kind_known, mark);
    const struct df_model *m = &f->model;
    long in = instr_at(m, offset);
    if (in >= 0)
        hit |= list_covers(e, p, &p->instr[in], rule, kind, kind_known, mark);
    long st = stage_at(m, offset);
    if (st >= 0)
        hit |= list_covers(e, p, &p->stage[st], rule, kind, kind_known, mark);
    return hit;
}
