/* DW320 npm-unpinned: `npm install` (or its aliases i, add, ...) names a
 * registry package without a version (hadolint DL3016). Local folders,
 * tarballs, git URLs with a #ref and versions from variables are exempt.
 * Unlike DL3016, which accepts any `@`, a dist-tag (`npm@latest`,
 * `typescript@next`) or `@*` is reported: it moves as much as no version. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports each package that `npm install` (or one of its aliases: `i`,\n"
    "`add`, `in`, `ins`, `isntall`, ...) names without a version: `express`,\n"
    "`@types/node`. A bare `npm install` or `npm ci` (they install from\n"
    "package.json and the lockfile), local folders, tarballs (files and URLs)\n"
    "and git URLs or GitHub shorthands with a `#ref` are exempt; a version\n"
    "taken from a variable counts as a pin. Global installs (`-g`) are\n"
    "checked too.\n"
    "\n"
    "A version range (`express@^4.19`, `express@4.x`) counts as a version,\n"
    "as in hadolint's DL3016. A dist-tag does not: `npm@latest`,\n"
    "`typescript@next` or `pkg@*` point to whatever was published last, so\n"
    "they are reported, where DL3016 accepts anything after an `@`.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a version every rebuild installs whatever the registry has that\n"
    "day: two builds of the same Dockerfile can differ, and a new major\n"
    "release can break the image without any change on your side.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "RUN npm install -g pm2\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "RUN npm install -g pm2@5.4.2\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3016", NULL },
    { NULL, NULL },
};

static bool starts(struct str v, const char *p)
{
    return str_starts_with(v, str_from_cstr(p));
}

/* A folder or tarball on disk, or a tarball URL. */
static bool local_or_tarball(struct str v)
{
    return starts(v, ".") || starts(v, "/") || starts(v, "~") || starts(v, "file:") ||
           str_ends_with(v, STR_LIT(".tgz")) || str_ends_with(v, STR_LIT(".tar.gz")) ||
           str_ends_with(v, STR_LIT(".tar"));
}

static bool gitish(struct str v)
{
    return starts(v, "git+") || starts(v, "git:") || starts(v, "git@") || starts(v, "github:") ||
           starts(v, "gitlab:") || starts(v, "bitbucket:") || starts(v, "gist:") ||
           str_ends_with(v, STR_LIT(".git"));
}

/* Whether a git reference carries a non-empty #ref (commit, tag, semver:). */
static bool has_ref(struct str v)
{
    long h = str_find_char(v, '#', 0);
    return h >= 0 && (size_t)h + 1 < v.len;
}

/* A dist-tag rather than a version or range: npm reads every spec that is
 * no semver range as a tag. Ranges start with a digit, an operator, `v1`,
 * or the `x` wildcard. */
static bool is_tag(struct str spec)
{
    char c = spec.ptr[0];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        return false;
    if ((c == 'v' || c == 'V' || c == '=') && spec.len > 1 && spec.ptr[1] >= '0' &&
        spec.ptr[1] <= '9')
        return false;
    if ((c == 'x' || c == 'X') && (spec.len == 1 || spec.ptr[1] == '.'))
        return false;
    return true;
}

/* Whether spec (what follows the '@') accepts every version. */
static bool any_version(struct str spec)
{
    return !spec.len || str_eq_cstr(spec, "*") || str_eq_cstr(spec, "x") || str_eq_cstr(spec, "X");
}

static void check_package(struct rule_ctx *ctx, const struct sh_word *w)
{
    struct str v = w->value;
    if (!v.len || pm_word_dynamic(w) || local_or_tarball(v))
        return;
    if (strstr(v.ptr, "://") || gitish(v)) {
        if (!gitish(v) || has_ref(v))
            return; /* a tarball URL, or a pinned git URL */
        rule_report(ctx, w->span,
                    "git dependency '%.*s' is not pinned: add '#<commit or tag>' to the URL",
                    STR_FMT(v));
        return;
    }
    /* The '@' that starts the version: a scope's '@' comes first. */
    long at = str_find_char(v, '@', v.ptr[0] == '@' ? 1 : 0);
    if (at < 0) {
        if (v.ptr[0] != '@' && str_find_char(v, '/', 0) >= 0) {
            /* user/repo: a GitHub shorthand. */
            if (!has_ref(v))
                rule_report(ctx, w->span,
                            "git dependency '%.*s' is not pinned: add '#<commit or tag>'",
                            STR_FMT(v));
            return;
        }
        rule_report(ctx, w->span, "package '%.*s' is not pinned: use '%.*s@<version>'", STR_FMT(v),
                    STR_FMT(v));
        return;
    }
    struct str name = str_slice(v, 0, (size_t)at);
    struct str spec = str_slice(v, (size_t)at + 1, v.len);
    if (starts(spec, "npm:")) {
        /* alias@npm:real@version: the real package decides. */
        struct str real = str_slice(spec, 4, spec.len);
        long at2 = real.len ? str_find_char(real, '@', real.ptr[0] == '@' ? 1 : 0) : -1;
        if (at2 >= 0) {
            spec = str_slice(real, (size_t)at2 + 1, real.len);
        } else {
            rule_report(ctx, w->span, "package '%.*s' is not pinned: use '%.*s@<version>'",
                        STR_FMT(v), STR_FMT(v));
            return;
        }
    }
    if (str_find_char(spec, ':', 0) >= 0 || str_find_char(spec, '/', 0) >= 0) {
        /* name@file:../x, name@github:u/r#ref, name@https://...tgz */
        if (local_or_tarball(spec))
            return;
        bool shorthand = str_find_char(spec, ':', 0) < 0 && spec.ptr[0] != '.' &&
                         spec.ptr[0] != '/' && spec.ptr[0] != '~';
        if ((gitish(spec) || shorthand) && !has_ref(spec))
            rule_report(ctx, w->span,
                        "git dependency '%.*s' is not pinned: add '#<commit or tag>' to the URL",
                        STR_FMT(v));
        return;
    }
    if (any_version(spec)) {
        rule_report(ctx, w->span, "package '%.*s' accepts any version: use '%.*s@<version>'",
                    STR_FMT(v), STR_FMT(name));
    } else if (is_tag(spec)) {
        rule_report(ctx, w->span,
                    "package '%.*s' names the dist-tag '%.*s', which moves: use "
                    "'%.*s@<version>'",
                    STR_FMT(v), STR_FMT(spec), STR_FMT(name));
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        uint32_t at;
        const char *sub = pm_npm_sub(c, &at);
        if (!sub || strcmp(sub, "install"))
            continue;
        for (uint32_t k = 1;; k++) {
            const struct sh_word *w = pm_operand(c, k, &pm_npm_spec);
            if (!w)
                break;
            check_package(ctx, w);
        }
    }
}

const struct rule rule_DW320 = {
    .id = "DW320",
    .name = "npm-unpinned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "npm install names a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
