/* DW307 apk-unpinned: `apk add` names a package without a version
 * constraint (hadolint DL3018). Local .apk files, the name given to
 * --virtual/-t, and versions from variables are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] = "## What it does\n"
                          "Reports each package that `apk add` names without `=version` or\n"
                          "`~version` (other constraints such as `>=` count too). Local `.apk`\n"
                          "files and the name given to `--virtual`/`-t` are exempt, and a version\n"
                          "taken from a variable counts as a pin.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "Without a pin every rebuild installs whatever the repository has that\n"
                          "day, so two builds of the same Dockerfile can differ.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "RUN apk add --no-cache curl\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "RUN apk add --no-cache curl~8.9\n"
                          "```\n";

static const struct rule_alias aliases[] = {
    { "DL3018", NULL },
    { NULL, NULL },
};

static bool pinned(struct str v)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '=' || v.ptr[i] == '~' || v.ptr[i] == '<' || v.ptr[i] == '>')
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!sh_call_is(c, "apk"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apk_spec);
        if (!sub || !sh_word_is(sub, "add"))
            continue;
        for (uint32_t k = 1;; k++) {
            const struct sh_word *w = pm_operand(c, k, &pm_apk_spec);
            if (!w)
                break;
            struct str v = w->value;
            if (!v.len || pm_word_dynamic(w) || pm_local_file(v, ".apk") || pinned(v))
                continue;
            rule_report(ctx, w->span,
                        "package '%.*s' is not pinned: use '%.*s=<version>' or "
                        "'%.*s~<version>'",
                        STR_FMT(v), STR_FMT(v), STR_FMT(v));
        }
    }
}

const struct rule rule_DW307 = {
    .id = "DW307",
    .name = "apk-unpinned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "apk add installs a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
