/* DW319 pip-unpinned: `pip install`, `pipx install` or `python -m pip
 * install` names a package without a version specifier (hadolint DL3013).
 * Requirement operands are read the PEP 508 way: a name, optional
 * [extras], then a version specifier, a direct reference (`@ url`) or
 * only environment markers (`; python_version < "3.12"`, which pin
 * nothing). Requirements and constraints files, local paths, archives,
 * URLs and VCS URLs pinned to a ref are exempt. */
#include "rules/pkgmgr.h"

static const char doc[] =
    "## What it does\n"
    "Reports each package that `pip install` (also `pip3`, a virtual\n"
    "environment's pip, `python -m pip`) or `pipx install` names without a\n"
    "version specifier: `==`, `~=`, `>=`, `<=`, `<`, `>`, `!=`, `===` or a\n"
    "direct reference `name @ url`. Requirements are read as PEP 508 says:\n"
    "extras (`pkg[extra]==1.0`) are part of the name, and environment markers\n"
    "alone (`\"pkg; python_version < '3.12'\"`) pin nothing.\n"
    "\n"
    "Exempt: `-r`/`--requirement` files (packages named next to them are\n"
    "still checked), every package of a command given a constraints file\n"
    "(`-c`/`--constraint`, or `PIP_CONSTRAINT` from ENV/ARG), local paths\n"
    "(`.`, `./pkg`, `/wheels/x.whl`), archives (`.whl`, `.tar.gz`, `.zip`),\n"
    "URLs, and VCS URLs pinned to a ref (`git+https://host/repo.git@v1.2`).\n"
    "A VCS URL without a ref is reported, also after `-e`. A package taken\n"
    "from a variable counts as pinned.\n"
    "\n"
    "## Why is this bad?\n"
    "Without a specifier every build installs whatever PyPI has that day: a\n"
    "new major release can break the image, and two builds of the same\n"
    "Dockerfile differ.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "RUN pip install --no-cache-dir flask\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "RUN pip install --no-cache-dir flask==3.0.3\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3013", NULL },
    { NULL, NULL },
};

enum req_kind {
    REQ_PINNED,   /* a specifier, a direct reference, a VCS ref */
    REQ_EXEMPT,   /* a path, an archive, a URL */
    REQ_UNPINNED, /* a name with nothing after it but markers */
    REQ_VCS_NOREF,
};

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool starts_nocase(struct str s, const char *p)
{
    struct str ps = str_from_cstr(p);
    return s.len >= ps.len && str_eq_nocase(str_slice(s, 0, ps.len), ps);
}

static bool is_vcs(struct str v)
{
    return starts_nocase(v, "git+") || starts_nocase(v, "hg+") || starts_nocase(v, "svn+") ||
           starts_nocase(v, "bzr+");
}

/* Whether a VCS URL names a ref: an '@' in its path (after the host of
 * `scheme://user@host/path`, or after the ':' of `git+git@host:path`),
 * before any '#fragment'. */
static bool vcs_has_ref(struct str v)
{
    long hash = str_find_char(v, '#', 0);
    if (hash >= 0)
        v.len = (size_t)hash;
    size_t path = 0;
    for (size_t i = 0; i + 2 < v.len; i++)
        if (v.ptr[i] == ':' && v.ptr[i + 1] == '/' && v.ptr[i + 2] == '/') {
            long slash = str_find_char(v, '/', i + 3);
            if (slash < 0)
                return false;
            path = (size_t)slash;
            break;
        }
    if (!path) {
        long colon = str_find_char(v, ':', 0);
        if (colon < 0)
            return false;
        path = (size_t)colon;
    }
    long at = str_find_char(v, '@', path);
    return at >= 0 && (size_t)at + 1 < v.len;
}

static bool is_archive(struct str v)
{
    static const char *const exts[] = {
        ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", NULL,
    };
    for (size_t i = 0; exts[i]; i++)
        if (str_ends_with(v, str_from_cstr(exts[i])))
            return true;
    return false;
}

/* Classifies one requirement; *name_len is the length of the name and
 * extras (for the message) when the result is REQ_UNPINNED. */
static enum req_kind classify(struct str v, size_t *name_len)
{
    if (is_vcs(v))
        return vcs_has_ref(v) ? REQ_PINNED : REQ_VCS_NOREF;
    size_t i = 0;
    if (i < v.len && is_alnum(v.ptr[i])) {
        while (i < v.len &&
               (is_alnum(v.ptr[i]) || v.ptr[i] == '.' || v.ptr[i] == '_' || v.ptr[i] == '-'))
            i++;
        size_t name_end = i;
        while (i < v.len && is_blank(v.ptr[i]))
            i++;
        if (i < v.len && v.ptr[i] == '[') {
            long close = str_find_char(v, ']', i);
            i = close < 0 ? v.len : (size_t)close + 1;
            name_end = i;
            while (i < v.len && is_blank(v.ptr[i]))
                i++;
        }
        char c = i < v.len ? v.ptr[i] : ';';
        if (c == '=' || c == '~' || c == '!' || c == '<' || c == '>' || c == '(' || c == '@')
            return REQ_PINNED;
        if (c == ';' && !is_archive(str_slice(v, 0, name_end))) {
            *name_len = name_end;
            return REQ_UNPINNED;
        }
    }
    /* Not a plain requirement: a URL, a path or an archive (pip reads a
     * word with a '/' or a known archive suffix as a file). */
    return REQ_EXEMPT;
}

static void report(struct rule_ctx *ctx, const struct sh_word *w)
{
    size_t name_len = 0;
    struct str v = w->value;
    switch (classify(v, &name_len)) {
    case REQ_UNPINNED: {
        struct str name = str_slice(v, 0, name_len);
        rule_report(ctx, w->span, "package '%.*s' is not pinned: use '%.*s==<version>'",
                    STR_FMT(name), STR_FMT(name));
        break;
    }
    case REQ_VCS_NOREF:
        rule_report(ctx, w->span,
                    "version-control URL '%.*s' names no ref: append '@<tag or commit>' "
                    "to the repository",
                    STR_FMT(v));
        break;
    default: break;
    }
}

/* Whether the call installs under a constraints file, which pins every
 * package it names. */
static bool constrained(struct rule_ctx *ctx, const struct df_instr *in, const struct sh_call *c,
                        const struct pm_install *pi)
{
    if (pi->tool == PM_PIP && (pm_has_long_from(c, pi->args, "constraint", &pm_pip_spec) ||
                               sh_call_has_short(c, 'c', &pm_pip_spec)))
        return true;
    struct df_var v;
    return df_lookup(rule_file(ctx), in, STR_LIT("PIP_CONSTRAINT"), &v) && v.set && v.value.len &&
           v.origin != DF_VAR_GLOBAL_ARG;
}

static void check_call(struct rule_ctx *ctx, const struct df_instr *in, const struct sh_call *c,
                       const struct pm_install *pi)
{
    if (constrained(ctx, in, c, pi))
        return;
    const struct sh_flag_spec *spec = pi->tool == PM_PIPX ? &pm_pipx_spec : &pm_pip_spec;
    struct sh_arg_iter it;
    struct sh_arg a;
    bool spec_given = false;
    sh_arg_iter_init(&it, c, pi->sub + 1, spec);
    while (sh_arg_next(&it, &a)) {
        const struct sh_word *w = &c->argv[a.value_index];
        bool editable = pi->tool == PM_PIP && a.has_value &&
                        ((a.kind == SH_ARG_SHORT && str_ends_with(a.name, STR_LIT("e"))) ||
                         (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "editable")));
        bool pipx_spec =
            pi->tool == PM_PIPX && a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "spec");
        if (pipx_spec)
            spec_given = true;
        if ((editable || pipx_spec) && a.has_value && !pm_word_dynamic(w)) {
            /* The value alone, not `--spec=` before it. */
            size_t n = 0;
            enum req_kind k = classify(a.value, &n);
            if (k == REQ_VCS_NOREF || (pipx_spec && k == REQ_UNPINNED)) {
                struct sh_word vw = *w;
                vw.value = a.value;
                report(ctx, &vw);
            }
        }
    }
    if (spec_given)
        return; /* pipx: the operand names the app the spec provides */
    uint32_t skip_to = 0;
    sh_arg_iter_init(&it, c, pi->sub + 1, spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind != SH_ARG_OPERAND || a.index < skip_to)
            continue;
        const struct sh_word *w = &c->argv[a.index];
        /* `pkg @ url` split into three words is a direct reference too. */
        if (a.index + 1 < c->argc && sh_word_is(&c->argv[a.index + 1], "@")) {
            skip_to = a.index + 3;
            continue;
        }
        if (w->value.len && !pm_word_dynamic(w))
            report(ctx, w);
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct pm_install pi;
        if (pm_pip_install(ctx, &cmds[i]->call, true, &pi))
            check_call(ctx, in, &cmds[i]->call, &pi);
    }
}

const struct rule rule_DW319 = {
    .id = "DW319",
    .name = "pip-unpinned",
    .severity = SEV_WARNING,
    .category = CAT_PACKAGES,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "pip install names a package without a version",
    .aliases = aliases,
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
