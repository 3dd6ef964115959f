/* DW322 npm-cache-not-cleaned: `npm ci` and `npm install` keep every
 * tarball they download in npm's cache (~/.npm/_cacache), which stays in
 * the layer unless the same RUN cleans it afterwards. A cache mount on the
 * cache directory, or a `--cache` that points into a mount, keeps it out of
 * the layer instead. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a RUN that installs with `npm ci` or `npm install` (any alias:\n"
    "`npm i`, `npm clean-install`, `npm install-ci-test`, ...) and does not\n"
    "run `npm cache clean --force` (or remove the cache directory: `~/.npm`,\n"
    "`$(npm config get cache)`) after its last install. Exempt: a cache or\n"
    "tmpfs mount on the npm cache directory (`/root/.npm`, `/home/node/.npm`,\n"
    "any `.../.npm`), and a cache directory given with `--cache` or\n"
    "`npm_config_cache` that lies in such a mount. Only output stages are\n"
    "checked (and ONBUILD triggers).\n"
    "\n"
    "## Why is this bad?\n"
    "npm keeps a copy of every package tarball it downloads in\n"
    "`~/.npm/_cacache`. The image never reads it again, and it is often as\n"
    "large as `node_modules` itself. Removing it in a later RUN saves nothing.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci --omit=dev\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci --omit=dev && npm cache clean --force\n"
    "```\n"
    "\n"
    "Or, with BuildKit, keep the cache between builds and out of the image:\n"
    "`RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev`.\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix appends ` && npm cache clean --force` (with the same\n"
    "`--cache` directory when the install names one); only npm's download\n"
    "cache changes, and npm fetches packages again when a later step needs\n"
    "them. The fix is unsafe when the install runs only under a condition\n"
    "(an `if` or `case` branch, a loop, after `||`), where npm may be missing\n"
    "when the appended command runs. No fix is offered when the RUN may run in PowerShell or cmd "
    "(a\n"
    "Windows base image, or a SHELL naming them), where `&&` may not work, or\n"
    "when the install runs under `sudo` (the cache may be another user's).\n";

static const char *const tails[] = { "/.npm", "/.npm/_cacache", NULL };

static bool is_install(const char *sub)
{
    return !strcmp(sub, "install") || !strcmp(sub, "ci") || !strcmp(sub, "install-test") ||
           !strcmp(sub, "install-ci-test");
}

/* Whether an npm call cleans the cache: `npm cache clean|clear|rm`. */
static bool cleans(const struct sh_call *c, const char *sub)
{
    if (strcmp(sub, "cache"))
        return false;
    const struct sh_word *w = pm_operand(c, 1, &pm_npm_spec);
    return w && (sh_word_is(w, "clean") || sh_word_is(w, "clear") || sh_word_is(w, "rm"));
}

/* The cache directory an install uses when it is not the default: its
 * `--cache` flag, an inline `npm_config_cache=` assignment, or an ENV
 * in scope. STR_NULL when none is set. */
static struct str cache_dir(struct rule_ctx *ctx, const struct df_instr *in,
                            const struct sh_call *c, bool *from_flag)
{
    *from_flag = false;
    struct sh_arg a;
    if (sh_call_find_flag(c, 0, "cache", &pm_npm_spec, &a) && a.has_value) {
        *from_flag = true;
        return a.value;
    }
    for (uint32_t i = 0; i < c->node->n_assigns; i++) {
        struct str name = sh_word_assign_name(&c->node->assigns[i]);
        if (str_eq_nocase(name, STR_LIT("npm_config_cache")))
            return sh_word_assign_value(&c->node->assigns[i]);
    }
    struct df_var v;
    const char *names[] = { "npm_config_cache", "NPM_CONFIG_CACHE" };
    for (size_t k = 0; k < 2; k++)
        if (df_lookup(rule_file(ctx), in->parent ? in->parent : in, str_from_cstr(names[k]), &v) &&
            v.set && v.origin == DF_VAR_ENV)
            return v.value;
    return STR_NULL;
}

/* `rm -rf "$(npm config get cache)"`: removes whatever cache npm uses. */
static bool rm_asks_npm(const struct sh_call *c)
{
    if (!sh_call_is(c, "rm"))
        return false;
    for (uint32_t i = 1; i < c->argc; i++) {
        struct str v = c->argv[i].value;
        static const char needle[] = "npm config get cache";
        for (size_t k = 0; k + sizeof needle - 1 <= v.len; k++)
            if (!memcmp(v.ptr + k, needle, sizeof needle - 1))
                return true;
    }
    return false;
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
    const struct sh_call *last = NULL;
    const struct sh_visit *last_visit = NULL;
    const struct sh_word *last_word = NULL;
    struct str dir = STR_NULL;
    bool dir_flag = false;
    bool cleaned = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        uint32_t at;
        const char *sub = pm_npm_sub(c, &at);
        if (sub && is_install(sub)) {
            last = c;
            last_visit = cmds[i];
            last_word = &c->argv[at];
            dir = cache_dir(ctx, in, c, &dir_flag);
            cleaned = false;
        } else if (!last) {
            continue;
        } else if (sub && cleans(c, sub)) {
            cleaned = true;
        } else if (pm_rm_covers_tail(c, tails) || rm_asks_npm(c)) {
            cleaned = true;
        } else if (dir.len && dir.ptr[0] == '/' &&
                   pm_rm_covers(c, rule_printf(ctx, "%.*s", STR_FMT(dir)))) {
            cleaned = true;
        }
    }
    if (!last || cleaned || pm_cache_mount_tail(in, tails))
        return;
    if (dir.len && pm_in_cache_mount(in, dir))
        return;
    struct rule_finding *f =
        rule_report(ctx, last_word->span,
                    "'npm %.*s' leaves its download cache (%s) in the layer: end the RUN with "
                    "'npm cache clean --force'",
                    STR_FMT(last_word->value),
                    dir.len ? rule_printf(ctx, "%.*s", STR_FMT(dir)) : "~/.npm/_cacache");
    /* `&&` would break a PowerShell RUN; under sudo the cache may be
     * another user's, which a clean run as root would not touch. */
    if (!f || pm_shell_not_posix(ctx, in, &((struct state *)rule_state(ctx))->shell) ||
        pm_visit_sudo(last_visit))
        return;
    const char *cmd = "npm cache clean --force";
    if (dir_flag) {
        if (!pm_plain_word(dir))
            return;
        cmd = rule_printf(ctx, "npm cache clean --force --cache %.*s", STR_FMT(dir));
    }
    struct edit e;
    if (!pm_append_edit(ctx, in, cmd, &e))
        return;
    rule_finding_fix(f, pm_visit_conditional(last_visit) ? FIX_UNSAFE : FIX_SAFE,
                     "append npm cache clean --force", &e, 1);
}

const struct rule rule_DW322 = {
    .id = "DW322",
    .name = "npm-cache-not-cleaned",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_PREVIEW,
    .fix = FIX_SOMETIMES,
    .summary = "npm leaves its download cache in the layer",
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
