/* DW316 zypper-unpinned: zypper installs a package without a version
 * constraint (hadolint DL3037). .rpm paths, non-package types (`-t
 * pattern`) and versions from variables are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports each package that `zypper install`/`in` names without a version\n"
    "constraint (`=`, `<`, `>`, `<=`, `>=`) and not as a `.rpm` path. Installs\n"
    "of patterns, patches and products (`-t pattern`) are exempt, and a\n"
    "version taken from a variable counts as a pin.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a pin every rebuild installs whatever the repository has that\n"
    "day, so two builds of the same Dockerfile can differ.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper --non-interactive install curl && zypper clean --all\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper --non-interactive install 'curl=8.6.0' && zypper clean --all\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3037", NULL },
    { NULL, NULL },
};

static const char *const installs[] = { "install", "in", NULL };

static bool constrained(struct str v)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '=' || v.ptr[i] == '<' || v.ptr[i] == '>')
            return true;
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
        if (!w || !pm_word_in(w, installs))
            continue;
        struct sh_arg t;
        if (sh_call_find_flag(c, 't', "type", &pm_zypper_spec, &t) && t.has_value &&
            !str_eq_cstr(t.value, "package"))
            continue;
        for (uint32_t k = 1;; k++) {
            const struct sh_word *p = pm_operand(c, k, &pm_zypper_spec);
            if (!p)
                break;
            struct str v = p->value;
            if (!v.len || pm_word_dynamic(p) || pm_local_file(v, ".rpm") || constrained(v))
                continue;
            /* `curl >= 8` written as three words: the next word is the operator. */
            const struct sh_word *next = pm_operand(c, k + 1, &pm_zypper_spec);
            if (next && constrained(next->value) && next->value.len <= 2)
                continue;
            if (v.len <= 2 && constrained(v))
                continue;
            rule_report(ctx, p->span, "package '%.*s' is not pinned: use '%.*s=<version>'",
                        STR_FMT(v), STR_FMT(v));
        }
    }
}

const struct rule rule_DW316 = {
    .id = "DW316",
    .name = "zypper-unpinned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "zypper installs a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
