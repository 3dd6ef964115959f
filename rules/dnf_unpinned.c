/* DW310 dnf-unpinned: dnf or microdnf installs a package without a version
 * (`curl-8.6.0`), or a module without a stream (`nodejs:20`) (hadolint
 * DL3041). Groups (`@group`, group installs), local .rpm files, paths,
 * URLs, capabilities and versions from variables are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports each package that `dnf` or `microdnf` installs without a\n"
    "version (`curl-8.6.0`, `curl-8.6.0-1.fc40`), and each module that\n"
    "`dnf module install` names without a `:stream`. Group installs, `@`\n"
    "names, local `.rpm` files and versions taken from variables are exempt.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a pin every rebuild installs whatever the repository has that\n"
    "day, so two builds of the same Dockerfile can differ.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install -y curl && dnf clean all\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install -y curl-8.6.0 && dnf clean all\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3041", NULL },
    { NULL, NULL },
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
        struct str sub = str_from_cstr(name);
        bool module = str_eq_cstr(sub, "module install");
        if (!module && !str_eq_cstr(sub, "install") && !str_eq_cstr(sub, "in"))
            continue;
        pm_rpm_report_unpinned(ctx, c, first, module);
    }
}

const struct rule rule_DW310 = {
    .id = "DW310",
    .name = "dnf-unpinned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "dnf installs a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
