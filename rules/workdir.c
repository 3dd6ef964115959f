/* Working-directory helpers of the relative-path rules: see workdir.h. */
#include "rules/workdir.h"

#include <ctype.h>
#include <string.h>

bool wd_root_is_scratch(const struct df_model *m, int stage)
{
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages; steps++) {
        const struct df_stage *st = &m->stages[stage];
        if (steps > m->n_stages)
            return false; /* a cycle: the model should not produce one */
        if (st->base_stage < 0)
            return st->from && st->from->image.is_scratch;
        stage = st->base_stage;
    }
    return false;
}

bool wd_set_before(const struct df_model *m, const struct df_instr *in)
{
    int stage = in->stage;
    bool own = true;
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages;
         steps++) {
        const struct df_stage *st = &m->stages[stage];
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *x = st->instrs[i];
            if (own && x->index >= in->index)
                break;
            if (x->kind == DF_WORKDIR)
                return true;
        }
        own = false;
        stage = st->base_stage;
    }
    return false;
}

bool wd_is_absolute(struct str v)
{
    if (v.len && (v.ptr[0] == '/' || v.ptr[0] == '\\'))
        return true;
    return v.len >= 2 && isalpha((unsigned char)v.ptr[0]) && v.ptr[1] == ':' &&
           (v.len == 2 || v.ptr[2] == '\\' || v.ptr[2] == '/');
}

const char *wd_absolute(struct rule_ctx *ctx, struct str p, bool dir_slash)
{
    char *out = rule_alloc(ctx, p.len + 3);
    size_t n = 0;
    out[n++] = '/';
    size_t i = 0;
    struct str last = STR_NULL;
    while (i <= p.len) {
        size_t j = i;
        while (j < p.len && p.ptr[j] != '/')
            j++;
        struct str el = str_slice(p, i, j);
        last = el;
        if (str_eq_cstr(el, "..")) {
            while (n > 1 && out[n - 1] != '/')
                n--;
            if (n > 1)
                n--; /* the '/' before the dropped element */
        } else if (el.len && !str_eq_cstr(el, ".")) {
            if (n > 1)
                out[n++] = '/';
            memcpy(out + n, el.ptr, el.len);
            n += el.len;
        }
        i = j + 1;
    }
    bool dir = !last.len || str_eq_cstr(last, ".") || str_eq_cstr(last, "..");
    if (dir_slash && dir && n > 1)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}
