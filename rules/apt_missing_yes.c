/* DW303 apt-missing-yes: apt-get asks for confirmation as soon as a step
 * involves packages beyond those named, and a build has no terminal to
 * answer (hadolint DL3014). -y, -qq (which implies it) and the Assume-Yes
 * option answer it, as does an apt configuration written earlier in the
 * stage. Adding -y is safe: a build that succeeded never hit the prompt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports `apt-get` or `apt` `install`, `upgrade`, `dist-upgrade`,\n"
    "`full-upgrade`, `remove`, `purge` or `autoremove` without `-y`/`--yes`/\n"
    "`--assume-yes`, `-qq`/`-q=2` or `-o APT::Get::Assume-Yes=true`, when no\n"
    "apt configuration written earlier in the stage sets Assume-Yes.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a terminal the confirmation prompt reads end of input and apt\n"
    "aborts: the step fails as soon as extra packages are involved.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install --no-install-recommends curl \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
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
    "Safe: the fix adds `-y` after the subcommand; a build that succeeded\n"
    "never reached the prompt, so the packages installed do not change.\n";

static const struct rule_alias aliases[] = {
    { "DL3014", NULL },
    { NULL, NULL },
};

static const char *const subs[] = {
    "install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", NULL,
};

static const char *const true_values[] = { "true", "1", "yes", NULL };

static bool value_true(struct str v)
{
    for (size_t i = 0; true_values[i]; i++)
        if (str_eq_nocase(v, str_from_cstr(true_values[i])))
            return true;
    return false;
}

static bool answers_yes(const struct sh_call *c)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    uint32_t q = 0;
    sh_arg_iter_init(&it, c, 1, &pm_apt_spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind == SH_ARG_LONG) {
            if (str_eq_cstr(a.name, "yes") || str_eq_cstr(a.name, "assume-yes") ||
                str_eq_cstr(a.name, "force-yes"))
                return true;
            if (str_eq_cstr(a.name, "quiet"))
                q += a.has_value && str_eq_cstr(a.value, "2") ? 2 : 1;
            if (str_eq_cstr(a.name, "option") && a.has_value &&
                str_starts_with(a.value, STR_LIT("APT::Get::Assume-Yes=")) &&
                value_true(str_slice(a.value, 21, a.value.len)))
                return true;
        } else if (a.kind == SH_ARG_SHORT) {
            for (size_t k = 0; k < a.name.len; k++) {
                char ch = a.name.ptr[k];
                if (ch == 'y')
                    return true;
                if (ch != 'q')
                    continue;
                /* -q=2 */
                if (k + 1 < a.name.len && a.name.ptr[k + 1] == '=') {
                    if (k + 2 < a.name.len && a.name.ptr[k + 2] >= '2' && a.name.ptr[k + 2] <= '9')
                        return true;
                    break;
                }
                q++;
            }
            if (a.has_value && a.name.len && a.name.ptr[a.name.len - 1] == 'o' &&
                str_starts_with(a.value, STR_LIT("APT::Get::Assume-Yes=")) &&
                value_true(str_slice(a.value, 21, a.value.len)))
                return true;
        }
    }
    return q >= 2;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *file = rule_file(ctx);
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!sh_call_is(c, "apt-get") && !sh_call_is(c, "apt"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
        bool match = false;
        for (size_t k = 0; sub && subs[k]; k++)
            match = match || sh_word_is(sub, subs[k]);
        if (!match || answers_yes(c) || pm_apt_simulates(c))
            continue;
        if (pm_apt_config_before(file, in, c->argv[0].span.start, "APT::Get::Assume-Yes",
                                 true_values))
            continue;
        struct rule_finding *f = rule_report(
            ctx, sub->span, "'%.*s %.*s' without -y: the build aborts at the confirmation prompt",
            STR_FMT(sh_call_name(c)), STR_FMT(sub->value));
        if (!f || !pm_fixable(in))
            continue;
        struct edit e = { sub->span.end, sub->span.end, STR_LIT(" -y") };
        rule_finding_fix(f, FIX_SAFE, "add -y", &e, 1);
    }
}

const struct rule rule_DW303 = {
    .id = "DW303",
    .name = "apt-missing-yes",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "apt-get runs without -y and aborts at the prompt",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
