/* DW321 npm-install-instead-of-ci: a bare `npm install` resolves versions
 * from package.json (and may rewrite the lockfile) in a stage that copied
 * package-lock.json or npm-shrinkwrap.json; `npm ci` installs exactly the
 * lockfile. A COPY/ADD counts when one of its sources names or glob-matches
 * a lockfile; a directory copy (`COPY . .`) counts only when the build
 * context shows a lockfile in that directory. */
#include "rules/pkgmgr.h"

#include <fnmatch.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a bare `npm install` (no package names; `i`, `add` and the other\n"
    "aliases too) in a stage where `package-lock.json` or\n"
    "`npm-shrinkwrap.json` was copied before it: by a COPY or ADD of the\n"
    "stage, or of a stage it is built `FROM`, whose sources name those files\n"
    "or match them with a glob (`COPY package*.json ./`). A directory copy\n"
    "(`COPY . .`, `COPY app/ ./`) or a bare `*` counts only when the build\n"
    "context is known and holds a lockfile there. Global installs (`-g`)\n"
    "are not reported: `npm ci` has no global mode.\n"
    "\n"
    "## Why is this bad?\n"
    "`npm install` resolves the ranges of package.json again and may install\n"
    "newer versions than the lockfile records (and rewrite it), so the image\n"
    "does not contain what was tested. `npm ci` installs exactly the\n"
    "lockfile, fails when it no longer matches package.json, and is faster.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "WORKDIR /app\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm install\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "WORKDIR /app\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe: the fix replaces `install` with `ci`. `npm ci` fails when the\n"
    "lockfile is stale (out of sync with package.json) and deletes an\n"
    "existing `node_modules` before installing.\n";

static const char *const lockfiles[] = { "package-lock.json", "npm-shrinkwrap.json", NULL };

/* Whether the context holds a lockfile in directory dir ("" or "a/b/")
 * that .dockerignore does not leave out. */
static bool ctx_has_lockfile(struct rule_ctx *ctx, const char *dir)
{
    /* The ignore file that applies (parsed once per file by the engine). */
    const struct rule_build_context *bc = rule_build_context(ctx);
    for (size_t k = 0; lockfiles[k]; k++) {
        const char *rel = rule_printf(ctx, "%s%s", dir, lockfiles[k]);
        struct str text;
        bool exists = false;
        if (!rule_context_file(ctx, rel, &text, &exists) || !exists)
            continue;
        if (!bc || !bc->ignore || !di_match(bc->ignore, rel, strlen(rel), NULL))
            return true;
    }
    return false;
}

/* Whether one COPY/ADD source brings a lockfile. */
static bool source_copies_lockfile(struct rule_ctx *ctx, struct str src, bool from_context)
{
    if (!src.len || memchr(src.ptr, '$', src.len) || str_starts_with(src, STR_LIT("<<")) ||
        str_find_char(src, ':', 0) >= 0)
        return false;
    while (src.len > 1 && src.ptr[src.len - 1] == '/')
        src.len--;
    size_t slash = src.len;
    while (slash && src.ptr[slash - 1] != '/')
        slash--;
    struct str base = str_slice(src, slash, src.len);
    struct str dir = str_slice(src, 0, slash); /* "" or "a/b/" */
    while (dir.len >= 2 && dir.ptr[0] == '.' && dir.ptr[1] == '/')
        dir = str_slice(dir, 2, dir.len);
    while (dir.len && dir.ptr[0] == '/')
        dir = str_slice(dir, 1, dir.len);
    const char *dir_c = rule_printf(ctx, "%.*s", STR_FMT(dir));
    bool glob = memchr(base.ptr, '*', base.len) || memchr(base.ptr, '?', base.len) ||
                memchr(base.ptr, '[', base.len);
    bool dirlike = str_eq_cstr(base, ".") || str_eq_cstr(base, "*") ||
                   (!glob && !memchr(base.ptr, '.', base.len));
    if (str_eq_cstr(base, ".") || str_eq_cstr(base, "*")) {
        /* The whole directory. */
    } else if (!glob) {
        for (size_t k = 0; lockfiles[k]; k++)
            if (str_eq_cstr(base, lockfiles[k]))
                return true;
        if (!dirlike)
            return false;
        /* `COPY app ./` or `COPY app/ ./`: a directory of the context. */
        dir_c = rule_printf(ctx, "%s%.*s/", dir_c, STR_FMT(base));
    } else {
        const char *pat = rule_printf(ctx, "%.*s", STR_FMT(base));
        bool match = false;
        for (size_t k = 0; lockfiles[k]; k++)
            match |= !fnmatch(pat, lockfiles[k], 0);
        if (!match)
            return false;
        /* Without the context the glob is taken at its word; with it, the
         * lockfile must exist (BuildKit accepts a glob matching nothing). */
        if (!from_context || !rule_context_dir(ctx))
            return true;
        return ctx_has_lockfile(ctx, dir_c);
    }
    if (!from_context || !rule_context_dir(ctx))
        return false;
    return ctx_has_lockfile(ctx, dir_c);
}

/* Whether a COPY/ADD instruction brings a lockfile. */
static bool copies_lockfile(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->kind != DF_COPY && in->kind != DF_ADD)
        return false;
    bool from_context = !df_instr_flag(in, "from");
    if (in->form == DF_FORM_EXEC) {
        for (uint32_t i = 0; i + 1 < in->n_exec; i++)
            if (source_copies_lockfile(ctx, in->exec[i].raw, from_context))
                return true;
        return false;
    }
    for (uint32_t i = 0; i + 1 < in->n_args; i++)
        if (source_copies_lockfile(ctx, in->args[i].raw, from_context))
            return true;
    return false;
}

/* Per file: which instructions copy a lockfile (memo, by all_instrs
 * index: 0 not yet known, 1 no, 2 yes), and per stage how far its
 * instructions were scanned and the last lockfile copy among them. RUNs
 * come in file order, so each stage is scanned once: linear in the file
 * even with thousands of `COPY . .` / `RUN npm install` pairs. (A stage
 * scanned past `in` would only make a later copy count.) */
struct state {
    bool init;
    uint8_t *memo;
    /* [0] for RUNs, [1] for ONBUILD triggers (which also see the ONBUILD
     * COPY/ADD triggers before them). */
    uint32_t *scanned[2];
    const struct df_instr **found[2];
};

static struct state *get_state(struct rule_ctx *ctx)
{
    struct state *st = rule_state(ctx);
    if (!st->init) {
        const struct df_model *m = rule_model(ctx);
        st->init = true;
        st->memo = rule_alloc(ctx, m->n_all_instrs + 1);
        memset(st->memo, 0, m->n_all_instrs + 1);
        for (int k = 0; k < 2; k++) {
            st->scanned[k] = rule_alloc(ctx, (m->n_stages + 1) * sizeof *st->scanned[k]);
            memset(st->scanned[k], 0, (m->n_stages + 1) * sizeof *st->scanned[k]);
            st->found[k] = rule_alloc(ctx, (m->n_stages + 1) * sizeof *st->found[k]);
            memset(st->found[k], 0, (m->n_stages + 1) * sizeof *st->found[k]);
        }
    }
    return st;
}

static bool copies_lockfile_memo(struct rule_ctx *ctx, struct state *st, const struct df_instr *x)
{
    if (x->index >= rule_model(ctx)->n_all_instrs)
        return copies_lockfile(ctx, x);
    if (!st->memo[x->index])
        st->memo[x->index] = copies_lockfile(ctx, x) ? 2 : 1;
    return st->memo[x->index] == 2;
}

/* The COPY/ADD that brought a lockfile before `in` (in its stage, up to
 * its position, or anywhere in the stages it is built on), or NULL. An
 * ONBUILD trigger also sees the ONBUILD COPY/ADD triggers before it. */
static const struct df_instr *lockfile_copy(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    struct state *state = get_state(ctx);
    uint32_t upto = in->parent ? in->parent->span.start : in->span.start;
    int s = in->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        /* Checks come in file order, so each stage is scanned once. */
        int k = in->parent ? 1 : 0;
        uint32_t *pos = &state->scanned[k][s];
        while (*pos < st->n_instrs && st->instrs[*pos]->span.start < upto) {
            const struct df_instr *x = st->instrs[(*pos)++];
            if (x->kind == DF_ONBUILD)
                x = k ? x->trigger : NULL;
            if (x && copies_lockfile_memo(ctx, state, x))
                state->found[k][s] = x;
        }
        const struct df_instr *found = state->found[k][s];
        if (found)
            return found;
        s = st->base_stage;
        upto = UINT32_MAX;
    }
    return NULL;
}

/* Whether an `npm install` call names no package and is not global. */
static bool bare_install(const struct sh_call *c)
{
    if (pm_operand(c, 1, &pm_npm_spec))
        return false;
    if (sh_call_has_short(c, 'g', &pm_npm_spec) || sh_call_has_long(c, "global", &pm_npm_spec))
        return false;
    struct sh_arg a;
    if (sh_call_find_flag(c, 0, "location", &pm_npm_spec, &a) && str_eq_cstr(a.value, "global"))
        return false;
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    const struct df_instr *copy = NULL;
    bool looked = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        uint32_t at;
        const char *sub = pm_npm_sub(c, &at);
        if (!sub || strcmp(sub, "install") || !bare_install(c))
            continue;
        if (!looked) {
            copy = lockfile_copy(ctx, in);
            looked = true;
        }
        if (!copy)
            return;
        const struct sh_word *w = &c->argv[at];
        uint32_t line, col;
        df_file_locate(rule_file(ctx), copy->span.start, &line, &col);
        struct rule_finding *f =
            rule_report(ctx, w->span,
                        "'npm %.*s' resolves package.json again although the %s on line %u "
                        "copied a lockfile: use 'npm ci'",
                        STR_FMT(w->value), df_kind_name(copy->kind), line);
        if (!f)
            continue;
        rule_finding_related(f, copy->keyword, "the lockfile is copied here");
        if (!pm_fixable(in) || (w->flags & (SH_WORD_QUOTED | SH_WORD_EXPANSION)))
            continue;
        struct edit e = { w->span.start, w->span.end, STR_LIT("ci") };
        rule_finding_fix(f, FIX_UNSAFE, "replace npm install with npm ci", &e, 1);
    }
}

const struct rule rule_DW321 = {
    .id = "DW321",
    .name = "npm-install-instead-of-ci",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_PREVIEW,
    .fix = FIX_SOMETIMES,
    .summary = "a bare npm install runs where a lockfile was copied",
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
