/* DW301 apt-lists-not-cleaned: a RUN that fetches apt lists (`apt-get
 * update`, or an install) leaves /var/lib/apt/lists in its layer
 * (hadolint DL3009). Cleaning must happen in the same RUN, after the last
 * apt command; a cache or tmpfs mount on the lists is the alternative. The
 * fix is safe only when no later RUN of the stage (or of a stage built on
 * it) installs with apt while relying on these lists. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that runs `apt-get update` or installs packages with\n"
    "`apt-get`, `apt` or `aptitude`, and does not empty `/var/lib/apt/lists`\n"
    "after its last apt command (`rm -rf /var/lib/apt/lists/*`, removal of the\n"
    "directory, or `apt-get dist-clean`). `apt-get clean` alone does not\n"
    "count, nor does removal in a later RUN. Exempt: a cache or tmpfs mount\n"
    "on `/var/lib/apt/lists` or `/var/lib/apt`. Only output stages are\n"
    "checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "The package lists take tens of megabytes and are useless at run time.\n"
    "Once a layer holds them, removing them in a later layer saves nothing.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "The fix appends ` && rm -rf /var/lib/apt/lists/*` to the RUN. It is safe\n"
    "when no later RUN of the stage, or of a stage built on it, installs with\n"
    "apt without running `apt-get update` itself: such a step would find no\n"
    "lists and fail. Otherwise the fix is unsafe.\n";

static const struct rule_alias aliases[] = {
    { "DL3009", NULL },
    { NULL, NULL },
};

static const char *const mount_dirs[] = { "/var/lib/apt/lists", "/var/lib/apt", NULL };

static bool is_apt(const struct sh_call *c)
{
    return sh_call_is(c, "apt-get") || sh_call_is(c, "apt") || sh_call_is(c, "aptitude");
}

static bool sub_is(const struct sh_word *w, const char *const *names)
{
    for (size_t i = 0; w && names[i]; i++)
        if (sh_word_is(w, names[i]))
            return true;
    return false;
}

static const char *const fetches[] = { "update", "install", "reinstall", "build-dep", NULL };
static const char *const installs[] = { "install", "reinstall", "build-dep", NULL };

/* Whether the commands of a RUN install with apt and never update. */
static bool installs_without_update(const struct sh_visit *const *cmds, uint32_t n)
{
    bool inst = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!is_apt(c))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
        if (sub_is(sub, installs))
            inst = true;
        else if (sub && sh_word_is(sub, "update"))
            return false;
    }
    return inst;
}

/* Whether a later RUN of the stage or of stages built on it needs lists. */
static bool later_needs_lists(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = in->index + 1; i < m->n_all_instrs; i++) {
        const struct df_instr *o = m->all_instrs[i];
        if (o->kind != DF_RUN || !pm_stage_builds_on(m, o->stage, in->stage))
            continue;
        if (o->parent)
            continue;
        uint32_t n;
        const struct sh_visit *const *cmds = pm_run_cmds(ctx, o, &n);
        if (installs_without_update(cmds, n))
            return true;
    }
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in) || pm_cache_mount(in, mount_dirs))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct sh_call *last = NULL;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (is_apt(c)) {
            const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
            if (sub_is(sub, fetches) && !pm_apt_simulates(c)) {
                last = c;
                cleaned = false;
            } else if (sub && sh_word_is(sub, "dist-clean")) {
                cleaned = true;
            }
        } else if (pm_rm_covers(c, "/var/lib/apt/lists")) {
            cleaned = true;
        }
    }
    if (!last || cleaned)
        return;
    const struct sh_word *sub = pm_operand(last, 0, &pm_apt_spec);
    struct rule_finding *f =
        rule_report(ctx, sub->span,
                    "'%.*s %.*s' leaves /var/lib/apt/lists in the layer: remove it in the same "
                    "RUN with 'rm -rf /var/lib/apt/lists/*'",
                    STR_FMT(sh_call_name(last)), STR_FMT(sub->value));
    struct edit e;
    if (!f || !pm_append_edit(ctx, in, "rm -rf /var/lib/apt/lists/*", &e))
        return;
    bool unsafe = in->parent || later_needs_lists(ctx, in);
    rule_finding_fix(f, unsafe ? FIX_UNSAFE : FIX_SAFE, "remove the apt lists in the same RUN", &e,
                     1);
}

const struct rule rule_DW301 = {
    .id = "DW301",
    .name = "apt-lists-not-cleaned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "apt lists are left in the layer of the RUN that fetched them",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
