/* DW309 dnf-cache-not-cleaned: dnf keeps repository metadata and packages
 * in /var/cache/dnf (microdnf in /var/cache/yum) unless the RUN cleans it
 * after its last install (hadolint DL3040). The fix appends `dnf clean
 * all`, which is safe: dnf fetches metadata again when a later step needs
 * it. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that installs, upgrades or reinstalls packages with `dnf`\n"
    "or `microdnf` and does not run `dnf clean all` (`microdnf clean all`) or\n"
    "remove `/var/cache/dnf` (`/var/cache/yum` for microdnf) after its last\n"
    "dnf command. Exempt: a cache or tmpfs mount on that directory. Only\n"
    "output stages are checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "Repository metadata and downloaded packages stay in the layer: often\n"
    "tens of megabytes the image never uses.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install -y curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM fedora:40\n"
    "RUN dnf install -y curl && dnf clean all\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix appends ` && dnf clean all` (` && microdnf clean all`); dnf\n"
    "fetches metadata again when a later step needs it.\n";

static const struct rule_alias aliases[] = {
    { "DL3040", NULL },
    { NULL, NULL },
};

static const char *const subs[] = {
    "install", "in",        "groupinstall", "group install", "module install", "upgrade", "up",
    "update",  "reinstall", "rei",          "distro-sync",   "localinstall",   NULL,
};

static bool is_sub(const char *name)
{
    for (size_t k = 0; subs[k]; k++)
        if (str_eq_cstr(str_from_cstr(name), subs[k]))
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct sh_call *last = NULL;
    const struct sh_word *last_word = NULL;
    const char *last_name = NULL;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        const char *name;
        const struct sh_word *w;
        uint32_t first;
        if (!sh_call_is(c, "yum") && pm_rpm_sub(ctx, c, &name, &w, &first)) {
            if (is_sub(name)) {
                last = c;
                last_word = w;
                last_name = name;
                cleaned = false;
            } else if (str_eq_cstr(str_from_cstr(name), "clean") && last) {
                const struct sh_word *what = pm_operand(c, 1, &pm_rpm_spec);
                if (what && sh_word_is(what, "all"))
                    cleaned = true;
            }
        } else if (last) {
            bool micro = sh_call_is(last, "microdnf");
            if (pm_rm_covers(c, micro ? "/var/cache/yum" : "/var/cache/dnf") ||
                pm_rm_covers(c, micro ? "/var/cache/yum" : "/var/cache/libdnf5"))
                cleaned = true;
        }
    }
    if (!last || cleaned)
        return;
    bool micro = sh_call_is(last, "microdnf");
    const char *dir = micro ? "/var/cache/yum" : "/var/cache/dnf";
    const char *const dirs[] = { dir, "/var/cache/libdnf5", NULL };
    if (pm_cache_mount(in, dirs))
        return;
    struct str tool = sh_call_name(last);
    struct rule_finding *f =
        rule_report(ctx, last_word->span,
                    "'%.*s %s' leaves the package cache in %s: end the RUN with '%.*s clean all'",
                    STR_FMT(tool), last_name, dir, STR_FMT(tool));
    struct edit e;
    if (!f || !pm_append_edit(ctx, in, rule_printf(ctx, "%.*s clean all", STR_FMT(tool)), &e))
        return;
    rule_finding_fix(f, FIX_SAFE, rule_printf(ctx, "append %.*s clean all", STR_FMT(tool)), &e, 1);
}

const struct rule rule_DW309 = {
    .id = "DW309",
    .name = "dnf-cache-not-cleaned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "dnf leaves its package cache in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
