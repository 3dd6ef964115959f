/* DW318 pip-no-cache-dir: `pip install` (pip, pip3, pip3.11, a venv's pip,
 * `python -m pip`) without --no-cache-dir leaves pip's download and wheel
 * cache in the layer (hadolint DL3042). PIP_NO_CACHE_DIR from ENV/ARG,
 * an inline assignment or an earlier `export`, and a cache or tmpfs mount
 * on the cache directory are accepted. The fix adds the flag right after
 * `install`; it changes nothing but the cache, so it is always safe. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports `pip install` (also `pip3`, `pip3.11`, a virtual environment's\n"
    "`/opt/venv/bin/pip` and `python -m pip`) run without `--no-cache-dir`.\n"
    "Only output stages are checked (and ONBUILD triggers).\n"
    "\n"
    "Exempt: `PIP_NO_CACHE_DIR` set by ENV or ARG, by an inline assignment\n"
    "(`PIP_NO_CACHE_DIR=1 pip install ...`, also behind `env`) or by an\n"
    "`export` earlier in the RUN, and a cache or tmpfs mount on the pip cache\n"
    "(`/root/.cache/pip`, the USER's `~/.cache/pip`, a `.cache` directory\n"
    "above it, or the directory that `--cache-dir`, `PIP_CACHE_DIR` or\n"
    "`XDG_CACHE_HOME` names). The layer keeps no cache either when the same\n"
    "RUN empties it after the install: `pip cache purge`, or `rm` of\n"
    "`~/.cache` or `~/.cache/pip` (any home), or of the directory named as\n"
    "above; those installs are not reported.\n"
    "\n"
    "Which values of `PIP_NO_CACHE_DIR` count: pip passes the variable to the\n"
    "callback of `--no-cache-dir`, which checks it with pip's `strtobool` and\n"
    "then turns the cache off whatever the answer, for compatibility with old\n"
    "releases. So `1`, `true`, `yes`, `on`, `y`, `t` and also `0`, `false`,\n"
    "`no`, `off`, `n`, `f` (any case) all disable the cache. pip ignores an\n"
    "empty value and stops with an error on any other one; both are reported\n"
    "here. A value that comes from a variable counts as set.\n"
    "\n"
    "## Why is this bad?\n"
    "pip keeps every downloaded archive and built wheel under `~/.cache/pip`.\n"
    "In an image that cache is never read again, and for packages such as\n"
    "numpy or torch it is as large as the installed packages themselves.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "RUN pip install flask==3.0.3\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "RUN pip install --no-cache-dir flask==3.0.3\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix inserts `--no-cache-dir` right after `install` and keeps\n"
    "the other flags; only pip's download cache changes. An exec-form RUN is\n"
    "reported without a fix (the edit would fall inside its JSON).\n";

static const struct rule_alias aliases[] = {
    { "DL3042", NULL },
    { NULL, NULL },
};

static const char var_name[] = "PIP_NO_CACHE_DIR";

/* Whether pip disables its cache for this PIP_NO_CACHE_DIR value (see the
 * doc: every value strtobool accepts does). */
static bool disables_cache(struct str v)
{
    static const char *const words[] = {
        "y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0", NULL,
    };
    if (str_find_char(v, '$', 0) >= 0)
        return true;
    for (size_t i = 0; words[i]; i++)
        if (str_eq_nocase(v, str_from_cstr(words[i])))
            return true;
    return false;
}

/* Whether word w assigns name a value that disables the cache. */
static bool assigns(const struct sh_word *w, const char *name)
{
    if (!str_eq_cstr(sh_word_assign_name(w), name))
        return false;
    return disables_cache(sh_word_assign_value(w)) || pm_word_dynamic(w);
}

/* The value of an ENV/ARG variable visible to in, or STR_NULL. */
static struct str env_value(struct rule_ctx *ctx, const struct df_instr *in, const char *name)
{
    struct df_var v;
    if (!df_lookup(rule_file(ctx), in, str_from_cstr(name), &v) || !v.set)
        return STR_NULL;
    if (v.origin == DF_VAR_GLOBAL_ARG || v.origin == DF_VAR_PREDEFINED)
        return STR_NULL;
    return v.value;
}

/* Whether the call itself sets PIP_NO_CACHE_DIR: `PIP_NO_CACHE_DIR=1 pip
 * ...`, or an assignment given to a wrapper (`env PIP_NO_CACHE_DIR=1 pip`,
 * `sudo VAR=1 pip`). */
static bool inline_disables(const struct sh_call *c)
{
    const struct sh_node *node = c->node;
    for (uint32_t i = 0; i < node->n_assigns; i++)
        if (assigns(&node->assigns[i], var_name))
            return true;
    for (const struct sh_word *w = node->argv; w < c->argv; w++)
        if (assigns(w, var_name))
            return true;
    return false;
}

/* Whether c is `export` setting PIP_NO_CACHE_DIR to a value that counts. */
static bool export_disables(const struct sh_call *c)
{
    if (!sh_call_is(c, "export"))
        return false;
    for (uint32_t a = 1; a < c->argc; a++)
        if (assigns(&c->argv[a], var_name))
            return true;
    return false;
}

static struct str strip_slashes(struct str s)
{
    while (s.len > 1 && s.ptr[s.len - 1] == '/')
        s.len--;
    return s;
}

/* Whether dir is path or a directory above it (not the root). */
static bool covers(struct str dir, struct str path)
{
    dir = strip_slashes(dir);
    path = strip_slashes(path);
    if (!dir.len || !path.len || str_eq_cstr(dir, "/"))
        return false;
    if (str_eq(dir, path))
        return true;
    return dir.len < path.len && !memcmp(dir.ptr, path.ptr, dir.len) && path.ptr[dir.len] == '/';
}

/* Whether a cache or tmpfs mount of in holds the pip cache: its target is
 * one of the known cache places (the explicit directory when one is
 * given), or ends with /.cache/pip or /.cache (a user's home). */
static bool holds_pip_cache(struct str target, const void *arg)
{
    const struct str *explicit_dir = arg;
    if (explicit_dir->ptr)
        return covers(target, *explicit_dir);
    return str_ends_with(target, STR_LIT("/.cache/pip")) ||
           str_ends_with(target, STR_LIT("/.cache")) || str_eq_cstr(target, "/root/.cache/pip");
}

static bool cache_mounted(const struct df_instr *in, struct str explicit_dir)
{
    return pm_each_cache_target(in, holds_pip_cache, &explicit_dir);
}

/* The cache directory pip uses when one is named: --cache-dir, else
 * PIP_CACHE_DIR, else XDG_CACHE_HOME/pip (ENV or ARG); STR_NULL for the
 * default ~/.cache/pip. */
static struct str cache_dir(struct rule_ctx *ctx, const struct df_instr *in,
                            const struct sh_call *c, const struct pm_install *pi)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    struct str dir = STR_NULL;
    sh_arg_iter_init(&it, c, pi->args, &pm_pip_spec);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "cache-dir") && a.has_value)
            dir = a.value;
    if (dir.ptr)
        return dir;
    dir = env_value(ctx, in, "PIP_CACHE_DIR");
    if (dir.ptr && dir.len)
        return dir;
    dir = env_value(ctx, in, "XDG_CACHE_HOME");
    if (dir.ptr && dir.len)
        return str_from_cstr(rule_printf(ctx, "%.*s/pip", STR_FMT(strip_slashes(dir))));
    return STR_NULL;
}

/* --no-cache-dir, or a prefix of it that pip (optparse) takes for it:
 * --no-cache, --no-cache-d, --no-cache-di. */
/* Whether c is `rm` or `pip cache purge`: a command that may empty the
 * cache. */
static bool may_purge(const struct sh_call *c)
{
    if (sh_call_is(c, "rm"))
        return true;
    /* `pip cache purge`, `python -m pip cache purge` */
    for (uint32_t j = 1; j + 1 < c->argc; j++)
        if (sh_word_is(&c->argv[j], "cache") && sh_word_is(&c->argv[j + 1], "purge"))
            return j == 1 ? str_starts_with(sh_call_name(c), STR_LIT("pip"))
                          : sh_word_is(&c->argv[j - 1], "pip");
    return false;
}

/* Whether c (a may_purge command) empties the pip cache: `pip cache purge`,
 * or `rm` of dir or a directory above it when dir is given, else of a
 * `.cache` or `.cache/pip` directory (`~/.cache`, `$HOME/.cache/pip`,
 * `/root/.cache/pip` and its content). */
static bool purges(const struct sh_call *c, struct str dir)
{
    if (!sh_call_is(c, "rm"))
        return true;
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, NULL);
    while (sh_arg_next(&it, &a)) {
        if (a.kind != SH_ARG_OPERAND)
            continue;
        struct str op = a.name;
        if (str_ends_with(op, STR_LIT("/*")))
            op.len -= 2;
        op = strip_slashes(op);
        if (dir.ptr ? covers(op, dir)
                    : (str_ends_with(op, STR_LIT("/.cache")) ||
                       str_ends_with(op, STR_LIT("/.cache/pip"))))
            return true;
    }
    return false;
}

/* Whether a command after visit i of cmds empties the cache in dir
 * (STR_NULL: the default one). rms lists the may_purge visits in order;
 * last_default is one past the last that empties the default cache (0:
 * none). At most 64 of them are tried for an explicit directory. */
static bool purged_later(const struct sh_visit *const *cmds, const uint32_t *rms, uint32_t n_rms,
                         uint32_t last_default, uint32_t i, struct str dir)
{
    if (!dir.ptr)
        return last_default > i + 1;
    uint32_t tried = 0;
    for (uint32_t r = 0; r < n_rms && tried < 64; r++) {
        if (rms[r] <= i)
            continue;
        tried++;
        if (purges(&cmds[rms[r]]->call, dir))
            return true;
    }
    return false;
}

static bool has_no_cache_dir(const struct sh_call *c, const struct pm_install *pi)
{
    static const char *const names[] = {
        "no-cache-dir", "no-cache", "no-cache-d", "no-cache-di", NULL,
    };
    for (size_t i = 0; names[i]; i++)
        if (pm_has_long_from(c, pi->args, names[i], &pm_pip_spec))
            return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    int env_set = -1; /* PIP_NO_CACHE_DIR from ENV/ARG, looked up once per RUN */
    bool exported = false;
    /* The commands that may empty the cache: pip installs before one that
     * does leave nothing behind. */
    uint32_t *rms = NULL, n_rms = 0, last_default = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (!may_purge(&cmds[k]->call))
            continue;
        if (!rms)
            rms = rule_alloc(ctx, n * sizeof *rms);
        rms[n_rms++] = k;
        if (purges(&cmds[k]->call, STR_NULL))
            last_default = k + 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        struct pm_install pi;
        if (export_disables(c))
            exported = true; /* for the commands after it (execution order) */
        if (!pm_pip_install(ctx, c, false, &pi) || has_no_cache_dir(c, &pi))
            continue;
        if (env_set < 0) {
            struct str v = env_value(ctx, in, var_name);
            env_set = v.ptr && disables_cache(v);
        }
        if (env_set || exported || inline_disables(c))
            continue;
        bool mount = df_instr_flag(in, "mount") != NULL;
        if (mount || (n_rms && rms[n_rms - 1] > i)) {
            struct str dir = cache_dir(ctx, in, c, &pi);
            if ((mount && cache_mounted(in, dir)) ||
                purged_later(cmds, rms, n_rms, last_default, i, dir))
                continue;
        }
        const struct sh_word *sub = &c->argv[pi.sub];
        struct rule_finding *f =
            rule_report(ctx, sub->span,
                        "'%s install' without --no-cache-dir keeps pip's download cache in "
                        "the layer",
                        pi.name);
        if (!f || !pm_fixable(in))
            continue;
        struct edit e = { sub->span.end, sub->span.end, STR_LIT(" --no-cache-dir") };
        rule_finding_fix(f, FIX_SAFE, "add --no-cache-dir", &e, 1);
    }
}

const struct rule rule_DW318 = {
    .id = "DW318",
    .name = "pip-no-cache-dir",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "pip install keeps its download cache in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
