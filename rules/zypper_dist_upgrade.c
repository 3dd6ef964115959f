/* DW317 zypper-dist-upgrade: `zypper dist-upgrade` can move the image to
 * another distribution release (hadolint DL3035); a newer base image is
 * the reproducible way to get one. */
#include "rules/pkgmgr.h"

static const char doc[] = "## What it does\n"
                          "Reports a RUN that runs `zypper dist-upgrade` or `zypper dup`.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "A distribution upgrade can move the image to another release of the\n"
                          "distribution, whatever the base image tag says, and makes the result\n"
                          "depend on the day of the build. Use a newer base image instead.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM opensuse/leap:15.5\n"
                          "RUN zypper --non-interactive dup && zypper clean --all\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM opensuse/leap:15.6\n"
                          "RUN zypper --non-interactive patch && zypper clean --all\n"
                          "```\n";

static const struct rule_alias aliases[] = {
    { "DL3035", NULL },
    { NULL, NULL },
};

static const char *const subs[] = { "dist-upgrade", "dup", NULL };

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        const struct sh_word *w = pm_zypper_cmd(&cmds[i]->call, &idx);
        if (w && pm_word_in(w, subs))
            rule_report(ctx, w->span,
                        "'zypper %.*s' may move the image to another distribution release: use a "
                        "newer base image instead",
                        STR_FMT(w->value));
    }
}

const struct rule rule_DW317 = {
    .id = "DW317",
    .name = "zypper-dist-upgrade",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "zypper dist-upgrade can change the distribution release",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
