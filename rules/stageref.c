/* Stage references of COPY and RUN: see stageref.h. */
#include "rules/stageref.h"

void sr_each_ref(struct rule_ctx *ctx, const struct df_instr *in,
                 void (*fn)(struct rule_ctx *ctx, const struct df_instr *in, const char *what,
                            const struct df_text *ref))
{
    if (in->kind == DF_COPY) {
        const struct df_flag *fl = df_instr_flag(in, "from");
        if (fl && fl->value.raw.ptr)
            fn(ctx, in, "COPY --from", &fl->value);
        return;
    }
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        if (!str_eq_nocase(fl->name.raw, STR_LIT("mount")))
            continue;
        for (uint32_t k = 0; k < fl->n_mount; k++) {
            const struct df_mount_opt *o = &fl->mount[k];
            if (o->value.raw.ptr && str_eq_nocase(o->key.raw, STR_LIT("from")))
                fn(ctx, in, "RUN --mount from", &o->value);
        }
    }
}
