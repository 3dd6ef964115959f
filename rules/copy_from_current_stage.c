/* DW110 copy-from-current-stage: `COPY --from` or `RUN --mount from=` names
 * the stage it sits in, by name or index. A stage cannot read its own
 * result while it is being built; BuildKit reports a circular dependency. */
#include "analyzer/rule_api.h"
#include "rules/stageref.h"

#include <ctype.h>

static const char doc[] =
    "## What it does\n"
    "Reports a `COPY --from` or `RUN --mount from=` that names the stage it is\n"
    "in, by its name (in any case) or by its index.\n"
    "\n"
    "## Why is this bad?\n"
    "A stage cannot copy from itself: its filesystem is what the instruction\n"
    "is building. BuildKit stops with a circular dependency error.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build\n"
    "RUN go build -o /out/app ./cmd/app\n"
    "COPY --from=build /out/app /usr/local/bin/app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build\n"
    "RUN go build -o /out/app ./cmd/app\n"
    "FROM alpine:3.20\n"
    "COPY --from=build /out/app /usr/local/bin/app\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3023", NULL },
    { NULL, NULL },
};

static void check_ref(struct rule_ctx *ctx, const struct df_instr *in, const char *what,
                      const struct df_text *ref)
{
    const struct df_model *m = rule_model(ctx);
    struct str v = ref->raw;
    if (!v.ptr || !v.len || in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return;
    const struct df_stage *st = &m->stages[in->stage];
    bool digits = true;
    uint64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (!isdigit((unsigned char)v.ptr[i])) {
            digits = false;
            break;
        }
        if (n <= st->index)
            n = n * 10 + (uint64_t)(v.ptr[i] - '0');
    }
    if (digits && n == st->index) {
        rule_report(ctx, ref->span, "%s=%.*s names stage %u, the stage it is in", what, STR_FMT(v),
                    st->index);
        return;
    }
    if (!digits && st->name.ptr && str_eq_nocase(st->name, v))
        rule_report(ctx, ref->span, "%s=%.*s names stage '%.*s', the stage it is in", what,
                    STR_FMT(v), STR_FMT(st->name));
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    sr_each_ref(ctx, in, check_ref);
}

const struct rule rule_DW110 = {
    .id = "DW110",
    .name = "copy-from-current-stage",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "COPY --from or RUN --mount from= names the stage it is in",
    .aliases = aliases,
    .on = DF_ON(DF_COPY) | DF_ON(DF_RUN),
    .check = check,
    .doc = doc,
};
