/* DW304 apt-unpinned: `apt-get install` names a package without
 * `=version` (hadolint DL3008). Info only: mirrors drop old versions, so
 * exact pins break rebuilds unless a snapshot mirror is used. Local .deb
 * files and versions taken from variables count as pinned. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports each package that `apt-get install` or `apt install` names\n"
    "without `=version` (`curl=7.88.1-10+deb12u5`, `curl=7.88.*`). Local\n"
    "`.deb` paths are exempt, and a version taken from a variable counts as\n"
    "a pin.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a pin every rebuild installs whatever the mirror has that day,\n"
    "so two builds of the same Dockerfile can differ. Exact pins need a\n"
    "snapshot mirror (distribution mirrors drop old versions), which is why\n"
    "this is only informational.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update \\\n"
    "    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3008", NULL },
    { NULL, NULL },
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!sh_call_is(c, "apt-get") && !sh_call_is(c, "apt"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
        if (!sub || !sh_word_is(sub, "install") || pm_apt_simulates(c))
            continue;
        for (uint32_t k = 1;; k++) {
            const struct sh_word *w = pm_operand(c, k, &pm_apt_spec);
            if (!w)
                break;
            struct str v = w->value;
            if (!v.len || pm_word_dynamic(w) || pm_local_file(v, ".deb") ||
                str_find_char(v, '=', 0) >= 0)
                continue;
            rule_report(ctx, w->span,
                        "package '%.*s' is not pinned: use '%.*s=<version>' for reproducible "
                        "builds",
                        STR_FMT(v), STR_FMT(v));
        }
    }
}

const struct rule rule_DW304 = {
    .id = "DW304",
    .name = "apt-unpinned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "apt installs a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
