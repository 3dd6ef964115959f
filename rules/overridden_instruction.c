/* DW114 overridden-instruction: a stage holds more than one CMD, ENTRYPOINT
 * or HEALTHCHECK. Only the last of each kind reaches the image config, so
 * every earlier one is dead text. Each overridden instruction is reported
 * (as BuildKit's MultipleInstructionsDisallowed does, on the earlier one)
 * with the one that wins as related location; the fix deletes it. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a CMD, ENTRYPOINT or HEALTHCHECK that a later instruction of the\n"
    "same kind in the same stage overrides. Each overridden instruction is\n"
    "reported, pointing at the one that takes effect. Instructions of parent\n"
    "stages and ONBUILD triggers do not count.\n"
    "\n"
    "## Why is this bad?\n"
    "Only the last CMD, ENTRYPOINT and HEALTHCHECK of a stage end up in the\n"
    "image. The earlier ones do nothing, yet a reader may believe they run,\n"
    "and they are often the remains of an edit that went wrong.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "CMD [\"echo\", \"one\"]\n"
    "CMD [\"echo\", \"two\"]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "CMD [\"echo\", \"two\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe. The fix deletes the overridden instruction; the image config is\n"
    "the same, because the later instruction replaced its value anyway. (An\n"
    "ENTRYPOINT clears a CMD inherited from the base image only when no CMD\n"
    "came earlier in the stage; a deleted CMD always has a later one, so\n"
    "that does not change either.) Comments above it are kept.\n";

static const struct rule_alias aliases[] = {
    { "DL4003", "cmd" },
    { "DL4004", "entrypoint" },
    { "DL3012", "healthcheck" },
    { "MultipleInstructionsDisallowed", NULL },
    { NULL, NULL },
};

/* The alias a finding of kind k is filed under. */
static const char *alias_of(enum df_kind k)
{
    switch (k) {
    case DF_CMD: return "DL4003";
    case DF_ENTRYPOINT: return "DL4004";
    default: return "DL3012";
    }
}

/* The bytes that deleting `in` removes: from the start of its first line
 * (leading blanks included) through the line ending after it. */
static struct edit delete_edit(const struct df_file *f, const struct df_instr *in)
{
    uint32_t start = in->span.start, end = in->span.end;
    while (start > 0 && (f->src[start - 1] == ' ' || f->src[start - 1] == '\t'))
        start--;
    while (end < f->len && (f->src[end] == ' ' || f->src[end] == '\t'))
        end++;
    if (end < f->len && f->src[end] == '\r')
        end++;
    if (end < f->len && f->src[end] == '\n')
        end++;
    struct edit e = { start, end, STR_LIT("") };
    return e;
}

static void check_stage(struct rule_ctx *ctx, const struct df_stage *st)
{
    static const enum df_kind kinds[] = { DF_CMD, DF_ENTRYPOINT, DF_HEALTHCHECK };
    const struct df_file *f = rule_file(ctx);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const struct df_instr *last = NULL;
        for (uint32_t i = st->n_instrs; i-- > 0;) {
            const struct df_instr *in = st->instrs[i];
            if (in->kind == kinds[k] && !in->parent) {
                last = in;
                break;
            }
        }
        if (!last)
            continue;
        uint32_t line, col;
        df_file_locate(f, last->keyword.start, &line, &col);
        const char *name = df_kind_name(kinds[k]);
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *in = st->instrs[i];
            if (in == last)
                break;
            if (in->kind != kinds[k] || in->parent)
                continue;
            struct rule_finding *rf = rule_report(ctx, in->keyword,
                                                  "this %s is overridden by the %s on line %u: "
                                                  "only the last %s of a stage takes effect",
                                                  name, name, line, name);
            if (!rf)
                continue;
            rule_finding_alias(rf, alias_of(kinds[k]));
            rule_finding_related(rf, last->keyword,
                                 rule_printf(ctx, "the %s that takes effect", name));
            if (in->has_syntax_error)
                continue; /* what a partly read instruction spans is uncertain */
            struct edit e = delete_edit(f, in);
            rule_finding_fix(rf, FIX_SAFE, rule_printf(ctx, "delete the overridden %s", name), &e,
                             1);
        }
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t s = 0; s < m->n_stages; s++)
        check_stage(ctx, &m->stages[s]);
}

const struct rule rule_DW114 = {
    .id = "DW114",
    .name = "overridden-instruction",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "a later CMD, ENTRYPOINT or HEALTHCHECK of the stage overrides this one",
    .aliases = aliases,
    .finish = finish,
    .doc = doc,
};
