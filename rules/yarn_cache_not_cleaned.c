/* DW323 yarn-cache-not-cleaned: `yarn install` (or a bare `yarn`) keeps a
 * copy of every package in Yarn's cache, which stays in the layer unless
 * the same RUN runs `yarn cache clean` afterwards (hadolint DL3060). Yarn
 * 2+ projects using Plug'n'Play load packages from that cache at run
 * time, so with the build context the rule leaves them alone, and its fix
 * is safe only when the context shows a Yarn 1 project. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that runs `yarn install` or a bare `yarn` (flags only,\n"
    "other than `--version`/`-v` and `--help`/`-h`) and does not run\n"
    "`yarn cache clean` (any options) or remove the cache directory after\n"
    "its last install. Exempt: a cache or tmpfs mount on the\n"
    "Yarn cache directory (`/usr/local/share/.cache/yarn`, `~/.cache/yarn`,\n"
    "`~/.yarn/berry/cache`, or the directory `--cache-folder` or\n"
    "`YARN_CACHE_FOLDER` names) and, when the build context is known, Yarn 2+\n"
    "projects using Plug'n'Play: a `.pnp.cjs`, or a `.yarnrc.yml` that does\n"
    "not set `nodeLinker` to `node-modules` or `pnpm`, or a Yarn 2+\n"
    "`yarn.lock` without `.yarnrc.yml`, at the root of the context. Only\n"
    "output stages are checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "Yarn 1 keeps a copy of every package it installs in its global cache:\n"
    "often as large as `node_modules`, and never read again in the image.\n"
    "Removing it in a later RUN saves nothing.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "COPY package.json yarn.lock ./\n"
    "RUN yarn install --frozen-lockfile --production\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "COPY package.json yarn.lock ./\n"
    "RUN yarn install --frozen-lockfile --production && yarn cache clean\n"
    "```\n"
    "\n"
    "Or, with BuildKit, keep the cache between builds and out of the image:\n"
    "`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install`.\n"
    "\n"
    "## Fix safety\n"
    "The fix appends ` && yarn cache clean` (with the same `--cache-folder`\n"
    "when the install names one). It is safe when the build context shows a\n"
    "Yarn 1 project: a `yarn.lock` in the v1 format and no `.yarnrc.yml`.\n"
    "Otherwise it is unsafe: a Yarn 2+ project may load its packages from\n"
    "the cache (Plug'n'Play, or a zero-install cache inside the project).\n"
    "It is unsafe too when the install runs only under a condition (an `if`\n"
    "or `case` branch, a loop, after `||`), where yarn may be missing when\n"
    "the appended command runs.\n"
    "No fix is offered when the RUN may run in PowerShell or cmd (a Windows\n"
    "base image, or a SHELL naming them), where `&&` may not work, or when the\n"
    "install runs under `sudo` (the cache may be another user's).\n";

static const struct rule_alias aliases[] = {
    { "DL3060", NULL },
    { NULL, NULL },
};

static const char *const tails[] = {
    "/.cache/yarn",
    "/.yarn-cache",
    "/.yarn/berry/cache",
    NULL,
};

/* The cache folder named by --cache-folder, an inline YARN_CACHE_FOLDER=
 * or an ENV in scope; STR_NULL when none. */
static struct str cache_folder(struct rule_ctx *ctx, const struct df_instr *in,
                               const struct sh_call *c, bool *from_flag)
{
    *from_flag = false;
    struct sh_arg a;
    if (sh_call_find_flag(c, 0, "cache-folder", &pm_yarn_spec, &a) && a.has_value) {
        *from_flag = true;
        return a.value;
    }
    for (uint32_t i = 0; i < c->node->n_assigns; i++)
        if (str_eq_cstr(sh_word_assign_name(&c->node->assigns[i]), "YARN_CACHE_FOLDER"))
            return sh_word_assign_value(&c->node->assigns[i]);
    struct df_var v;
    if (df_lookup(rule_file(ctx), in->parent ? in->parent : in, STR_LIT("YARN_CACHE_FOLDER"), &v) &&
        v.set && v.origin == DF_VAR_ENV)
        return v.value;
    return STR_NULL;
}

/* Whether text has a line `key: value` (quotes around value allowed). */
static bool yaml_sets(struct str text, const char *key, const char *value)
{
    size_t kn = strlen(key), vn = strlen(value);
    for (size_t i = 0; i < text.len;) {
        size_t e = i;
        while (e < text.len && text.ptr[e] != '\n')
            e++;
        struct str line = str_trim(str_slice(text, i, e));
        if (line.len > kn && !memcmp(line.ptr, key, kn) && line.ptr[kn] == ':') {
            struct str v = str_trim(str_slice(line, kn + 1, line.len));
            if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
                v = str_slice(v, 1, v.len - 1);
            if (v.len == vn && !memcmp(v.ptr, value, vn))
                return true;
        }
        i = e + 1;
    }
    return false;
}

enum yarn_kind { YARN_UNKNOWN, YARN_1, YARN_BERRY_PNP, YARN_BERRY };

/* What the build context says about the Yarn project at its root. */
static enum yarn_kind context_yarn(struct rule_ctx *ctx)
{
    if (!rule_context_dir(ctx))
        return YARN_UNKNOWN;
    struct str rc, lock, pnp;
    bool rc_exists = false, lock_exists = false, pnp_exists = false;
    bool rc_ok = rule_context_file(ctx, ".yarnrc.yml", &rc, &rc_exists);
    bool lock_ok = rule_context_file(ctx, "yarn.lock", &lock, &lock_exists);
    if ((rule_context_file(ctx, ".pnp.cjs", &pnp, &pnp_exists) && pnp_exists) ||
        (rule_context_file(ctx, ".pnp.js", &pnp, &pnp_exists) && pnp_exists))
        return YARN_BERRY_PNP;
    if (rc_ok && rc_exists) {
        if (yaml_sets(rc, "nodeLinker", "node-modules") || yaml_sets(rc, "nodeLinker", "pnpm"))
            return YARN_BERRY;
        return YARN_BERRY_PNP;
    }
    if (!lock_ok || !lock_exists)
        return YARN_UNKNOWN;
    /* Yarn 1 lockfiles start with "# yarn lockfile v1"; Yarn 2+ ones are
     * YAML with a __metadata entry (and default to Plug'n'Play). */
    if (str_contains(str_slice(lock, 0, lock.len < 4096 ? lock.len : 4096), "__metadata:"))
        return YARN_BERRY_PNP;
    if (str_contains(str_slice(lock, 0, lock.len < 512 ? lock.len : 512), "# yarn lockfile v1"))
        return YARN_1;
    return YARN_UNKNOWN;
}

/* `yarn --version`, `yarn -v`, `yarn --help`: a bare yarn that installs
 * nothing. */
static bool informational(const struct sh_call *c)
{
    return sh_call_has_long(c, "version", &pm_yarn_spec) ||
           sh_call_has_long(c, "help", &pm_yarn_spec) || sh_call_has_short(c, 'v', &pm_yarn_spec) ||
           sh_call_has_short(c, 'h', &pm_yarn_spec);
}

struct state {
    uint8_t *shell; /* pm_shell_not_posix's verdicts */
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct sh_word *last = NULL;
    const struct sh_visit *last_visit = NULL;
    struct str dir = STR_NULL;
    bool dir_flag = false;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        const struct sh_word *sub;
        uint32_t at;
        if (pm_yarn_sub(c, &sub, &at)) {
            if ((!sub && !informational(c)) || (sub && sh_word_is(sub, "install"))) {
                last = sub ? sub : &c->argv[0];
                last_visit = cmds[i];
                dir = cache_folder(ctx, in, c, &dir_flag);
                cleaned = false;
            } else if (last && sub && sh_word_is(sub, "cache")) {
                const struct sh_word *w = pm_operand(c, 1, &pm_yarn_spec);
                if (w && sh_word_is(w, "clean"))
                    cleaned = true;
            }
        } else if (last && (pm_rm_covers_tail(c, tails) ||
                            (dir.len && dir.ptr[0] == '/' &&
                             pm_rm_covers(c, rule_printf(ctx, "%.*s", STR_FMT(dir)))))) {
            cleaned = true;
        }
    }
    if (!last || cleaned || pm_cache_mount_tail(in, tails))
        return;
    if (dir.len && pm_in_cache_mount(in, dir))
        return;
    enum yarn_kind kind = context_yarn(ctx);
    if (kind == YARN_BERRY_PNP)
        return;
    bool bare = !sh_word_is(last, "install");
    struct rule_finding *f = rule_report(
        ctx, last->span,
        "'%s' leaves the Yarn cache%s%.*s%s in the layer: end the RUN with "
        "'yarn cache clean'",
        bare ? "yarn" : "yarn install", dir.len ? " (" : "", STR_FMT(dir), dir.len ? ")" : "");
    /* `&&` would break a PowerShell RUN; under sudo the cache may be
     * another user's, which a clean run as root would not touch. */
    if (!f || pm_shell_not_posix(ctx, in, &((struct state *)rule_state(ctx))->shell) ||
        pm_visit_sudo(last_visit))
        return;
    const char *cmd = "yarn cache clean";
    if (dir_flag) {
        if (!pm_plain_word(dir))
            return;
        cmd = rule_printf(ctx, "yarn cache clean --cache-folder %.*s", STR_FMT(dir));
    }
    struct edit e;
    if (!pm_append_edit(ctx, in, cmd, &e))
        return;
    bool safe = kind == YARN_1 && !pm_visit_conditional(last_visit);
    rule_finding_fix(f, safe ? FIX_SAFE : FIX_UNSAFE, "append yarn cache clean", &e, 1);
}

const struct rule rule_DW323 = {
    .id = "DW323",
    .name = "yarn-cache-not-cleaned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "yarn install leaves the Yarn cache in the layer",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
