/* DW312 yum-cache-not-cleaned: yum keeps metadata and packages in
 * /var/cache/yum unless the RUN cleans it after its last install (hadolint
 * DL3032). Appending `yum clean all` is safe: yum fetches metadata again
 * when a later step needs it. */
#include "rules/pkgmgr.h"

static const char doc[] = "## What it does\n"
                          "Reports a RUN that installs packages with `yum` and does not run\n"
                          "`yum clean all` or remove `/var/cache/yum` after its last yum install.\n"
                          "Exempt: a cache or tmpfs mount on `/var/cache/yum`. Only output stages\n"
                          "are checked (and ONBUILD triggers).\n"
                          "\n"
                          "## Why is this bad?\n"
                          "Repository metadata and downloaded packages stay in the layer: often\n"
                          "tens of megabytes the image never uses.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM centos:7\n"
                          "RUN yum install -y httpd\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM centos:7\n"
                          "RUN yum install -y httpd && yum clean all\n"
                          "```\n"
                          "\n"
                          "## Fix safety\n"
                          "Safe: the fix appends ` && yum clean all`; yum fetches metadata again\n"
                          "when a later step needs it.\n";

static const struct rule_alias aliases[] = {
    { "DL3032", NULL },
    { NULL, NULL },
};

static const char *const subs[] = {
    "install", "groupinstall", "group install", "localinstall", "reinstall", NULL,
};

static bool is_sub(const char *name)
{
    for (size_t k = 0; subs[k]; k++)
        if (str_eq_cstr(str_from_cstr(name), subs[k]))
            return true;
    return false;
}

static const char *const mount_dirs[] = { "/var/cache/yum", NULL };

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in) || pm_cache_mount(in, mount_dirs))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct sh_word *last_word = NULL;
    const char *last_name = NULL;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        const char *name;
        const struct sh_word *w;
        uint32_t first;
        if (sh_call_is(c, "yum") && pm_rpm_sub(ctx, c, &name, &w, &first)) {
            if (is_sub(name)) {
                last_word = w;
                last_name = name;
                cleaned = false;
            } else if (str_eq_cstr(str_from_cstr(name), "clean") && last_word) {
                const struct sh_word *what = pm_operand(c, 1, &pm_rpm_spec);
                if (what && sh_word_is(what, "all"))
                    cleaned = true;
            }
        } else if (last_word && pm_rm_covers(c, "/var/cache/yum")) {
            cleaned = true;
        }
    }
    if (!last_word || cleaned)
        return;
    struct rule_finding *f = rule_report(ctx, last_word->span,
                                         "'yum %s' leaves the package cache in /var/cache/yum: "
                                         "end the RUN with 'yum clean all'",
                                         last_name);
    struct edit e;
    if (!f || !pm_append_edit(ctx, in, "yum clean all", &e))
        return;
    rule_finding_fix(f, FIX_SAFE, "append yum clean all", &e, 1);
}

const struct rule rule_DW312 = {
    .id = "DW312",
    .name = "yum-cache-not-cleaned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "yum leaves its package cache in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
