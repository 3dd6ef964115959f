/* DW124 missing-healthcheck: the target stage has no HEALTHCHECK, neither
 * its own nor one inherited from an in-file parent stage. Off by default
 * (rules.md): a useful probe needs knowledge of the application, and
 * orchestrators such as Kubernetes ignore it. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a target stage (the last one) that has no HEALTHCHECK of its own\n"
    "and inherits none from an in-file stage it is built on. `HEALTHCHECK NONE`\n"
    "counts as a decision and silences the rule. A HEALTHCHECK of an external\n"
    "base image is not known and not counted. Off by default: enable it with\n"
    "`select`, or with a severity for DW124 or DL3057.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a health check, Docker and Swarm report a container as running as\n"
    "long as its process lives, even when it no longer answers.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "COPY site/ /usr/share/nginx/html/\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "COPY site/ /usr/share/nginx/html/\n"
    "HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3057", NULL },
    { NULL, NULL },
};

static bool has_healthcheck(const struct df_stage *st)
{
    for (uint32_t i = 0; i < st->n_instrs; i++)
        if (st->instrs[i]->kind == DF_HEALTHCHECK && !st->instrs[i]->parent)
            return true;
    return false;
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    if (m->target_stage < 0 || (uint32_t)m->target_stage >= m->n_stages)
        return;
    const struct df_stage *target = &m->stages[m->target_stage];
    /* Parents are earlier stages, so the walk ends; the bound guards a
     * malformed model all the same. */
    int s = m->target_stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        if (has_healthcheck(&m->stages[s]))
            return;
        s = m->stages[s].base_stage;
    }
    if (!target->from)
        return;
    if (target->name.ptr)
        rule_report(ctx, target->from->keyword, "the target stage '%.*s' has no HEALTHCHECK",
                    STR_FMT(target->name));
    else
        rule_report(ctx, target->from->keyword, "the target stage (stage %u) has no HEALTHCHECK",
                    target->index);
}

const struct rule rule_DW124 = {
    .id = "DW124",
    .name = "missing-healthcheck",
    .severity = SEV_INFO,
    .category = CAT_CORRECTNESS,
    .status = RULE_OFF,
    .fix = FIX_NONE,
    .summary = "the target stage has no HEALTHCHECK",
    .aliases = aliases,
    .finish = finish,
    .doc = doc,
};
