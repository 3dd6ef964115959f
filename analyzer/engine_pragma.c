/* Inline pragmas: the model finds them (dockwright, hadolint and BuildKit
 * `check=` forms, with their scope and target); the engine resolves their
 * names and decides which findings they cover. Rules never see this.
 *
 * A finding is covered when its primary span starts inside the covered
 * range: the target instruction (heredoc bodies and continuation lines
 * included, and its end, where findings about something missing point),
 * the stage from its FROM to the next FROM, or the whole file. */
#include "analyzer/engine_int.h"

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

void eng_pragmas_build(const struct eng *e, struct df_file *f, struct eng_pragmas *out)
{
    memset(out, 0, sizeof *out);
    const struct df_model *m = &f->model;
    if (!e->inline_ignores || !m->n_pragmas)
        return;
    struct arena *a = &f->arena;
    out->items = ARENA_NEW_ARRAY(a, struct eng_pragma, m->n_pragmas);
    out->global = ARENA_NEW_ARRAY(a, uint32_t, m->n_pragmas);
    out->next = ARENA_NEW_ARRAY(a, uint32_t, m->n_pragmas);
    out->instr_head = ARENA_NEW_ARRAY(a, uint32_t, m->n_instrs + 1);
    out->stage_head = ARENA_NEW_ARRAY(a, uint32_t, m->n_stages + 1);
    out->item_of = ARENA_NEW_ARRAY(a, uint32_t, m->n_pragmas);

    for (uint32_t i = 0; i < m->n_pragmas; i++) {
        const struct df_pragma *src = &m->pragmas[i];
        long slot = -1;
        struct span covers = { 0, 0 };
        switch (src->scope) {
        case DF_PRAGMA_GLOBAL: covers = span_make(0, f->len); break;
        case DF_PRAGMA_NEXT:
            if (!src->target)
                continue;
            slot = index_of_instr(m, src->target);
            if (slot < 0)
                continue;
            covers = m->instrs[slot]->span;
            break;
        case DF_PRAGMA_STAGE: {
            if (!src->target || src->target->stage < 0 ||
                (uint32_t)src->target->stage >= m->n_stages)
                continue;
            slot = src->target->stage;
            /* Ranges are closed (an instruction's end is covered); the
             * next stage's FROM is not. */
            uint32_t end = (uint32_t)slot + 1 < m->n_stages && m->stages[slot + 1].from
                               ? m->stages[slot + 1].from->span.start - 1
                               : f->len;
            covers = span_make(src->target->span.start, end);
            break;
        }
        }
        uint32_t k = out->n++;
        out->item_of[i] = k + 1;
        struct eng_pragma *p = &out->items[k];
        p->src = src;
        p->covers = covers;
        p->n_names = src->n_names;
        p->names = ARENA_NEW_ARRAY(a, struct eng_name, src->n_names + 1);
        p->used = ARENA_NEW_ARRAY(a, bool, src->n_names + 1);
        for (uint32_t j = 0; j < src->n_names; j++)
            eng_name_resolve(e->registry, e->n_rules, src->names[j].raw,
                             src->origin == DF_PRAGMA_BUILDKIT, &p->names[j]);
        switch (src->scope) {
        case DF_PRAGMA_GLOBAL: out->global[out->n_global++] = k; break;
        case DF_PRAGMA_NEXT:
            out->next[k] = out->instr_head[slot];
            out->instr_head[slot] = k + 1;
            break;
        case DF_PRAGMA_STAGE:
            out->next[k] = out->stage_head[slot];
            out->stage_head[slot] = k + 1;
            break;
        }
    }
}

static bool pragma_covers(const struct eng *e, const struct eng_pragma *p, uint32_t rule,
                          const char *kind, bool kind_known, uint32_t offset, bool mark)
{
    if (offset < p->covers.start || offset > p->covers.end)
        return false;
    bool hit = false;
    for (uint32_t i = 0; i < p->n_names; i++) {
        const struct eng_name *nm = &p->names[i];
        /* Before the rule has said which alias kind a finding is of, only
         * names that cover every kind can decide. */
        if (!kind_known && nm->cls == ENG_NAME_RULE && nm->kind)
            continue;
        if (eng_name_matches(e, nm, rule, kind)) {
            hit = true;
            if (mark)
                p->used[i] = true;
        }
    }
    return hit;
}

bool eng_pragmas_cover(const struct eng *e, const struct df_file *f, const struct eng_pragmas *p,
                       uint32_t rule, const char *kind, bool kind_known, uint32_t offset, bool mark)
{
    if (!p->n)
        return false;
    bool hit = false;
    for (uint32_t i = 0; i < p->n_global; i++)
        hit |= pragma_covers(e, &p->items[p->global[i]], rule, kind, kind_known, offset, mark);
    const struct df_model *m = &f->model;
    long in = instr_at(m, offset);
    if (in >= 0)
        for (uint32_t k = p->instr_head[in]; k; k = p->next[k - 1])
            hit |= pragma_covers(e, &p->items[k - 1], rule, kind, kind_known, offset, mark);
    long st = stage_at(m, offset);
    if (st >= 0)
        for (uint32_t k = p->stage_head[st]; k; k = p->next[k - 1])
            hit |= pragma_covers(e, &p->items[k - 1], rule, kind, kind_known, offset, mark);
    return hit;
}
