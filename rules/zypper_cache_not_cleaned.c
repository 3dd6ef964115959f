/* DW315 zypper-cache-not-cleaned: zypper keeps repository metadata and
 * packages in /var/cache/zypp unless the RUN runs `zypper clean` after its
 * last install (hadolint DL3036). Appending `zypper clean --all` is safe:
 * zypper refreshes what a later step needs. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that installs packages with `zypper` and does not run\n"
    "`zypper clean` or `zypper cc` (with any options) after its last install.\n"
    "Exempt: a cache or tmpfs mount on `/var/cache/zypp`. Only output stages\n"
    "are checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "Repository metadata and downloaded packages stay in the layer: often\n"
    "tens of megabytes the image never uses.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper --non-interactive install curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM opensuse/leap:15.6\n"
    "RUN zypper --non-interactive install curl && zypper clean --all\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix appends ` && zypper clean --all`; zypper refreshes the\n"
    "metadata when a later step needs it.\n";

static const struct rule_alias aliases[] = {
    { "DL3036", NULL },
    { NULL, NULL },
};

static const char *const installs[] = { "install", "in", "source-install", "si", NULL };
static const char *const cleans[] = { "clean", "cc", NULL };
static const char *const mount_dirs[] = { "/var/cache/zypp", NULL };

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in) || pm_cache_mount(in, mount_dirs))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct sh_word *last = NULL;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        uint32_t idx;
        const struct sh_word *w = pm_zypper_cmd(c, &idx);
        if (w && pm_word_in(w, installs)) {
            last = w;
            cleaned = false;
        } else if (last && ((w && pm_word_in(w, cleans)) || pm_rm_covers(c, "/var/cache/zypp"))) {
            cleaned = true;
        }
    }
    if (!last || cleaned)
        return;
    struct rule_finding *f = rule_report(ctx, last->span,
                                         "'zypper %.*s' leaves the package cache in "
                                         "/var/cache/zypp: end the RUN with 'zypper clean --all'",
                                         STR_FMT(last->value));
    struct edit e;
    if (!f || !pm_append_edit(ctx, in, "zypper clean --all", &e))
        return;
    rule_finding_fix(f, FIX_SAFE, "append zypper clean --all", &e, 1);
}

const struct rule rule_DW315 = {
    .id = "DW315",
    .name = "zypper-cache-not-cleaned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "zypper leaves its package cache in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
