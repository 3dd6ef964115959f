/* DW308 dnf-missing-yes: dnf asks for confirmation before changing
 * packages and a build has no terminal to answer (hadolint DL3038).
 * microdnf is checked too. Adding -y is safe: a build that succeeded never
 * waited at the prompt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports `dnf` or `microdnf` `install`, `groupinstall`, `module install`,\n"
    "`upgrade`, `reinstall` or `remove` (and their aliases such as `in`,\n"
    "`update`, `erase`, `group install`) without `-y`/`--assumeyes`.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a terminal the confirmation prompt reads end of input and dnf\n"
    "aborts the transaction: the build fails.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install curl && dnf clean all\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install -y curl && dnf clean all\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix adds `-y` after the subcommand.\n";

static const struct rule_alias aliases[] = {
    { "DL3038", NULL },
    { NULL, NULL },
};

static const char *const subs[] = {
    "install", "in",          "groupinstall", "group install", "module install", "upgrade",
    "up",      "update",      "reinstall",    "rei",           "remove",         "rm",
    "erase",   "groupremove", "group remove", "module remove", "distro-sync",    NULL,
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        const char *name;
        const struct sh_word *last;
        uint32_t first;
        if (sh_call_is(c, "yum") || !pm_rpm_sub(ctx, c, &name, &last, &first))
            continue;
        bool match = false;
        for (size_t k = 0; subs[k] && !match; k++)
            match = str_eq_cstr(str_from_cstr(name), subs[k]);
        if (!match || pm_rpm_yes(c))
            continue;
        struct str tool = sh_call_name(c);
        struct rule_finding *f = rule_report(
            ctx, last->span, "'%.*s %s' without -y: the build aborts at the confirmation prompt",
            STR_FMT(tool), name);
        if (!f || !pm_fixable(in))
            continue;
        struct edit e = { last->span.end, last->span.end, STR_LIT(" -y") };
        rule_finding_fix(f, FIX_SAFE, "add -y", &e, 1);
    }
}

const struct rule rule_DW308 = {
    .id = "DW308",
    .name = "dnf-missing-yes",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "dnf runs without -y and aborts at the prompt",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
