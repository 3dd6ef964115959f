/* DW107 duplicate-stage-name: two `FROM … AS` names that are equal after
 * lowercasing. BuildKit only warns (DuplicateStageName): later references
 * resolve to the later stage, so a COPY --from written for the first one
 * silently copies from the second. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a stage whose name (after `AS`, compared without regard to case)\n"
    "is already used by an earlier stage. The finding is at the later name,\n"
    "with the earlier one as related location.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit lowercases stage names and keeps the last stage of a name for\n"
    "every later lookup. A `COPY --from=build` or `FROM build` written for the\n"
    "first stage then uses the second one without any error.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build\n"
    "RUN go build -o /app ./cmd/app\n"
    "FROM node:20 AS Build\n"
    "RUN npm ci\n"
    "FROM alpine:3.20\n"
    "COPY --from=build /app /app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build-app\n"
    "RUN go build -o /app ./cmd/app\n"
    "FROM node:20 AS build-web\n"
    "RUN npm ci\n"
    "FROM alpine:3.20\n"
    "COPY --from=build-app /app /app\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3024", NULL },
    { "DuplicateStageName", NULL },
    { NULL, NULL },
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (!in->stage_name.raw.ptr || in->stage < 0 || (uint32_t)in->stage >= m->n_stages)
        return;
    const struct df_stage *self = &m->stages[in->stage];
    if (!self->name.ptr || !self->name.len)
        return;
    /* The nearest earlier stage of the same name: the one this stage
     * replaces for every later lookup. */
    const struct df_stage *prev = NULL;
    for (uint32_t i = (uint32_t)in->stage; i-- > 0;) {
        if (m->stages[i].name.ptr && str_eq(m->stages[i].name, self->name)) {
            prev = &m->stages[i];
            break;
        }
    }
    if (!prev || !prev->from)
        return;
    uint32_t line, col;
    df_file_locate(f, prev->from->stage_name.span.start, &line, &col);
    struct rule_finding *rf =
        rule_report(ctx, in->stage_name.span,
                    "stage name '%.*s' is already used by the stage at line %u; later references "
                    "resolve to this one",
                    STR_FMT(in->stage_name.raw), line);
    if (rf)
        rule_finding_related(rf, prev->from->stage_name.span,
                             rule_printf(ctx, "stage '%.*s' first defined here",
                                         STR_FMT(prev->from->stage_name.raw)));
}

const struct rule rule_DW107 = {
    .id = "DW107",
    .name = "duplicate-stage-name",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "two stages have the same name",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
