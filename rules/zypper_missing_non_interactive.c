/* DW314 zypper-missing-non-interactive: zypper asks for confirmation
 * before changing packages and a build has no terminal to answer (hadolint
 * DL3034). The global -n/--non-interactive or the command's -y/--no-confirm
 * answers it. The fix adds --non-interactive after `zypper`. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports `zypper` `install`/`in`, `remove`/`rm`, `update`/`up`, `patch` or\n"
    "`dist-upgrade`/`dup` without the global `-n`/`--non-interactive` or the\n"
    "command's `-y`/`--no-confirm`.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a terminal the confirmation prompt cannot be answered and the\n"
    "step fails (or waits for input that never comes).\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper install curl && zypper clean --all\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper --non-interactive install curl && zypper clean --all\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix adds `--non-interactive` after `zypper`.\n";

static const struct rule_alias aliases[] = {
    { "DL3034", NULL },
    { NULL, NULL },
};

static const char *const subs[] = {
    "install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup", NULL,
};

static bool answered(const struct sh_call *c, uint32_t cmd_index)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, &pm_zypper_spec);
    while (sh_arg_next(&it, &a)) {
        bool global = a.index < cmd_index;
        if (a.kind == SH_ARG_LONG) {
            if ((global && str_eq_cstr(a.name, "non-interactive")) ||
                (!global && str_eq_cstr(a.name, "no-confirm")))
                return true;
        } else if (a.kind == SH_ARG_SHORT) {
            for (size_t k = 0; k < a.name.len; k++)
                if ((global && a.name.ptr[k] == 'n') || (!global && a.name.ptr[k] == 'y'))
                    return true;
        }
    }
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        uint32_t idx;
        const struct sh_word *w = pm_zypper_cmd(c, &idx);
        if (!w || !pm_word_in(w, subs) || answered(c, idx))
            continue;
        struct rule_finding *f = rule_report(
            ctx, w->span,
            "'zypper %.*s' without --non-interactive: the build cannot answer the prompt",
            STR_FMT(w->value));
        if (!f || !pm_fixable(in))
            continue;
        struct edit e = { c->argv[0].span.end, c->argv[0].span.end, STR_LIT(" --non-interactive") };
        rule_finding_fix(f, FIX_SAFE, "add --non-interactive", &e, 1);
    }
}

const struct rule rule_DW314 = {
    .id = "DW314",
    .name = "zypper-missing-non-interactive",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "zypper runs without --non-interactive",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
