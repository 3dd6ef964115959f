/* DW306 apt-instead-of-apt-get: the `apt` front end is meant for people at
 * a terminal; its output and behaviour may change between releases and it
 * warns that it has no stable CLI (hadolint DL3027). The fix renames the
 * program where apt-get has the same subcommand with the same meaning. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that runs the interactive `apt` front end instead of\n"
    "`apt-get` or `apt-cache`.\n"
    "\n"
    "## Why is this bad?\n"
    "`apt` is made for interactive use: its command-line output and behaviour\n"
    "are not stable for scripts, and it prints a warning saying so.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt update && apt install -y --no-install-recommends curl \\\n"
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
    "The fix replaces `apt` with `apt-get`. Safe for `install`, `remove`,\n"
    "`purge`, `update`, `autoremove`, `clean` and `autoclean`, which do the\n"
    "same in both. Unsafe for `upgrade` and `full-upgrade`: `apt upgrade`\n"
    "also installs new dependencies, `apt-get upgrade` does not. No fix for\n"
    "`list`, `search`, `show` and other subcommands.\n";

static const struct rule_alias aliases[] = {
    { "DL3027", NULL },
    { NULL, NULL },
};

static const char *const safe_subs[] = {
    "install", "remove", "purge", "update", "autoremove", "clean", "autoclean", NULL,
};

static bool in_list(const struct sh_word *w, const char *const *names)
{
    for (size_t i = 0; w && names[i]; i++)
        if (sh_word_is(w, names[i]))
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        if (!sh_call_is(c, "apt"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
        const struct sh_word *prog = &c->argv[0];
        struct rule_finding *f;
        if (sub)
            f = rule_report(ctx, prog->span,
                            "'apt %.*s' uses the interactive apt front end: use apt-get, whose "
                            "behaviour is stable for scripts",
                            STR_FMT(sub->value));
        else
            f = rule_report(ctx, prog->span,
                            "'apt' is the interactive front end: use apt-get or apt-cache in "
                            "scripts");
        if (!f || !sub || !pm_fixable(in))
            continue;
        bool safe = in_list(sub, safe_subs);
        bool unsafe = sh_word_is(sub, "upgrade") || sh_word_is(sub, "full-upgrade");
        /* Only an unquoted program word ending in "apt" is renamed in place. */
        if ((!safe && !unsafe) || (prog->flags & SH_WORD_QUOTED) || prog->raw.len < 3 ||
            !str_ends_with(prog->raw, STR_LIT("apt")) || span_len(prog->span) != prog->raw.len)
            continue;
        struct edit e = { prog->span.end, prog->span.end, STR_LIT("-get") };
        rule_finding_fix(f, safe ? FIX_SAFE : FIX_UNSAFE, "use apt-get", &e, 1);
    }
}

const struct rule rule_DW306 = {
    .id = "DW306",
    .name = "apt-instead-of-apt-get",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "the interactive apt front end is used in a RUN",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
