/* DW302 apt-no-install-recommends: `apt-get install` pulls in recommended
 * packages unless told not to (hadolint DL3015). An apt configuration
 * written earlier in the stage (`APT::Install-Recommends "0"`) counts as
 * telling it. The fix is unsafe: the image may have relied on a
 * recommended package (ca-certificates for TLS clients above all, which
 * the fix adds back). */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports `apt-get install` or `apt install` without\n"
    "`--no-install-recommends` (or `-o APT::Install-Recommends=false`/`0`)\n"
    "when no apt configuration written earlier in the stage turns\n"
    "recommends off, and `aptitude install` without `-R`/`--without-recommends`.\n"
    "Only output stages are checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "Recommended packages are installed by default: documentation, extra\n"
    "tools and libraries the image never uses, often doubling its size.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y python3 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends python3 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe: the fix adds `--no-install-recommends` (and `ca-certificates` when\n"
    "curl, wget, git or another TLS client is installed), and packages the\n"
    "image relied on may no longer be installed.\n";

static const struct rule_alias aliases[] = {
    { "DL3015", NULL },
    { NULL, NULL },
};

static const char *const off_values[] = { "0", "false", "no", "off", NULL };

/* Whether an -o option value turns recommends off. */
static bool option_off(struct str v)
{
    static const char key[] = "APT::Install-Recommends=";
    struct str k = STR_LIT(key);
    if (v.len < k.len || !str_eq_nocase(str_slice(v, 0, k.len), k))
        return false;
    struct str val = str_slice(v, k.len, v.len);
    for (size_t i = 0; off_values[i]; i++)
        if (str_eq_nocase(val, str_from_cstr(off_values[i])))
            return true;
    return false;
}

static bool apt_has_off(const struct sh_call *c)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, &pm_apt_spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind == SH_ARG_LONG && (str_eq_cstr(a.name, "no-install-recommends")))
            return true;
        if (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "install-recommends") && a.has_value &&
            (str_eq_cstr(a.value, "no") || str_eq_cstr(a.value, "false") ||
             str_eq_cstr(a.value, "0")))
            return true;
        if (a.has_value &&
            ((a.kind == SH_ARG_SHORT && a.name.len && a.name.ptr[a.name.len - 1] == 'o') ||
             (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "option"))) &&
            option_off(a.value))
            return true;
    }
    return false;
}

static bool aptitude_has_off(const struct sh_call *c)
{
    return sh_call_has_short(c, 'R', &pm_apt_spec) ||
           sh_call_has_long(c, "without-recommends", &pm_apt_spec);
}

static bool is_tls_client(struct str name)
{
    static const char *const clients[] = {
        "curl", "wget", "git", "git-core", "aria2", "httpie", "lftp", "openssh-client", NULL,
    };
    long eq = str_find_char(name, '=', 0);
    if (eq >= 0)
        name = str_slice(name, 0, (size_t)eq);
    for (size_t i = 0; clients[i]; i++)
        if (str_eq_cstr(name, clients[i]))
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in))
        return;
    const struct df_file *file = rule_file(ctx);
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        bool aptitude = sh_call_is(c, "aptitude");
        if (!aptitude && !sh_call_is(c, "apt-get") && !sh_call_is(c, "apt"))
            continue;
        const struct sh_word *sub = pm_operand(c, 0, &pm_apt_spec);
        if (!sub || !sh_word_is(sub, "install") || pm_apt_simulates(c))
            continue;
        if (aptitude ? aptitude_has_off(c) : apt_has_off(c))
            continue;
        if (pm_apt_config_before(file, in, c->argv[0].span.start, "APT::Install-Recommends",
                                 off_values))
            continue;
        struct rule_finding *f = rule_report(
            ctx, sub->span, "'%.*s install' without %s installs recommended packages too",
            STR_FMT(sh_call_name(c)),
            aptitude ? "'--without-recommends'" : "'--no-install-recommends'");
        if (!f || !pm_fixable(in))
            continue;
        /* Packages: ca-certificates is added when a TLS client is installed
         * and it is not listed already. */
        bool tls = false, has_ca = false;
        uint32_t last_end = sub->span.end;
        for (uint32_t k = 1;; k++) {
            const struct sh_word *w = pm_operand(c, k, &pm_apt_spec);
            if (!w)
                break;
            last_end = w->span.end;
            if (is_tls_client(w->value))
                tls = true;
            if (str_starts_with(w->value, STR_LIT("ca-certificates")))
                has_ca = true;
        }
        struct edit e[2] = {
            { sub->span.end, sub->span.end,
              aptitude ? STR_LIT(" --without-recommends") : STR_LIT(" --no-install-recommends") },
            { last_end, last_end, STR_LIT(" ca-certificates") },
        };
        rule_finding_fix(f, FIX_UNSAFE,
                         tls && !has_ca ? "add --no-install-recommends and ca-certificates"
                                        : "add --no-install-recommends",
                         e, tls && !has_ca && last_end != sub->span.end ? 2 : 1);
    }
}

const struct rule rule_DW302 = {
    .id = "DW302",
    .name = "apt-no-install-recommends",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "apt installs recommended packages",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
