/* DW324 gem-unpinned: `gem install` names a gem without a version
 * (hadolint DL3028): neither `name:version` nor -v/--version. Local .gem
 * files and paths, and versions from variables, are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports each gem that `gem install` names without a version: neither\n"
    "`name:1.2.3` (any requirement after the colon, `'rails:~>7.1'`) nor a\n"
    "`-v`/`--version` option (RubyGems accepts that option with one gem\n"
    "only). Local `.gem` files and paths are exempt, and so is a gem or\n"
    "version taken from a variable. `gem install -g Gemfile` installs from a\n"
    "dependency file and names no gem.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a version every build installs the newest release of the gem\n"
    "and of whatever it depends on: two builds of the same Dockerfile can\n"
    "differ, and a new major release can break the image.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM ruby:3.3-slim\n"
    "RUN gem install bundler\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM ruby:3.3-slim\n"
    "RUN gem install bundler:2.5.11\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3028", NULL },
    { NULL, NULL },
};

static bool local_gem(struct str v)
{
    return str_ends_with(v, STR_LIT(".gem")) || str_find_char(v, '/', 0) >= 0;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        struct pm_install gi;
        if (!pm_gem_install(c, &gi))
            continue;
        if (sh_call_has_short(c, 'v', &pm_gem_spec) ||
            pm_has_long_from(c, 1, "version", &pm_gem_spec))
            continue;
        struct sh_arg_iter it;
        struct sh_arg a;
        sh_arg_iter_init(&it, c, gi.sub + 1, &pm_gem_spec);
        while (sh_arg_next(&it, &a)) {
            if (a.kind != SH_ARG_OPERAND)
                continue;
            const struct sh_word *w = &c->argv[a.index];
            struct str v = w->value;
            if (!v.len || pm_word_dynamic(w) || local_gem(v) || str_find_char(v, ':', 0) > 0)
                continue;
            rule_report(ctx, w->span,
                        "gem '%.*s' is not pinned: use '%.*s:<version>' or -v <version>",
                        STR_FMT(v), STR_FMT(v));
        }
    }
}

const struct rule rule_DW324 = {
    .id = "DW324",
    .name = "gem-unpinned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "gem install names a gem without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
