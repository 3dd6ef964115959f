/* DW112 relative-copy-destination: COPY or ADD to a relative destination
 * while neither the stage nor its in-file parents set a WORKDIR, so the
 * files land in whatever working directory the base image has (hadolint
 * DL3045). */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a COPY or ADD whose destination is a relative path (`.`, `app/`)\n"
    "while no WORKDIR was set before it in the stage or in the in-file stages\n"
    "it is built on. Destinations that start with a variable and Windows drive\n"
    "paths are not reported.\n"
    "\n"
    "## Why is this bad?\n"
    "A relative destination is joined to the base image's working directory,\n"
    "which the Dockerfile does not show: `/` for most images, something else\n"
    "for `node`, `python` or images of your own. When the base image changes,\n"
    "the files move. Set a WORKDIR or write an absolute destination.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "COPY package.json .\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "WORKDIR /app\n"
    "COPY package.json .\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe, and offered only when the base directory is known: the stage is\n"
    "built on `scratch` (directly or through in-file stages without a\n"
    "WORKDIR), whose working directory is `/`. The destination becomes the\n"
    "absolute path it resolves to, a trailing `/` kept, so the same files land\n"
    "in the same place. Otherwise there is no fix.\n";

static const struct rule_alias aliases[] = {
    { "DL3045", NULL },
    { NULL, NULL },
};

static bool root_is_scratch(const struct df_model *m, int stage)
{
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages; steps++) {
        const struct df_stage *st = &m->stages[stage];
        if (steps > m->n_stages)
            return false;
        if (st->base_stage < 0)
            return st->from && st->from->image.is_scratch;
        stage = st->base_stage;
    }
    return false;
}

/* Whether a WORKDIR comes before `in` in its stage or anywhere in the
 * stage's in-file parents. */
static bool workdir_before(const struct df_model *m, const struct df_instr *in)
{
    int stage = in->stage;
    bool own = true;
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages && steps <= m->n_stages;
         steps++) {
        const struct df_stage *st = &m->stages[stage];
        for (uint32_t i = 0; i < st->n_instrs; i++) {
            const struct df_instr *x = st->instrs[i];
            if (own && x->index >= in->index)
                break;
            if (x->kind == DF_WORKDIR)
                return true;
        }
        own = false;
        stage = st->base_stage;
    }
    return false;
}

static bool is_absolute(struct str v)
{
    if (v.len && (v.ptr[0] == '/' || v.ptr[0] == '\\'))
        return true;
    return v.len >= 2 && isalpha((unsigned char)v.ptr[0]) && v.ptr[1] == ':' &&
           (v.len == 2 || v.ptr[2] == '\\' || v.ptr[2] == '/');
}

/* The absolute path a relative destination resolves to from `/`, cleaned
 * as Go's path.Join does, with a trailing `/` when the destination names a
 * directory by its form (ends in `/`, or its last element is `.` or `..`):
 * BuildKit copies into a directory then, and so must the fixed text. */
static const char *absolute_of(struct rule_ctx *ctx, struct str p)
{
    char *out = rule_alloc(ctx, p.len + 3);
    size_t n = 0;
    out[n++] = '/';
    size_t i = 0;
    struct str last = STR_NULL;
    while (i <= p.len) {
        size_t j = i;
        while (j < p.len && p.ptr[j] != '/')
            j++;
        struct str el = str_slice(p, i, j);
        last = el;
        if (str_eq_cstr(el, "..")) {
            while (n > 1 && out[n - 1] != '/')
                n--;
            if (n > 1)
                n--;
        } else if (el.len && !str_eq_cstr(el, ".")) {
            if (n > 1)
                out[n++] = '/';
            memcpy(out + n, el.ptr, el.len);
            n += el.len;
        }
        i = j + 1;
    }
    bool dir = !last.len || str_eq_cstr(last, ".") || str_eq_cstr(last, "..");
    if (dir && n > 1)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

/* A destination the fix may rewrite: no quotes, variables, escapes,
 * blanks or glob characters, and written on one line. */
static bool plain(const struct df_text *w, int escape)
{
    struct str s = w->raw;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '"' || c == '\'' || c == '$' || c == escape || c == '\\' ||
            isspace((unsigned char)c))
            return false;
    }
    return s.len > 0;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (in->has_syntax_error)
        return;
    const struct df_text *w;
    bool exec = in->form == DF_FORM_EXEC;
    if (exec) {
        if (in->n_exec < 2)
            return;
        w = &in->exec[in->n_exec - 1];
    } else {
        if (in->n_args < 2)
            return;
        w = &in->args[in->n_args - 1];
    }
    struct str raw = w->raw;
    if (!raw.len || str_starts_with(raw, STR_LIT("<<")))
        return; /* a heredoc destination is DW012's */
    size_t q = (!exec && (raw.ptr[0] == '"' || raw.ptr[0] == '\'')) ? 1 : 0;
    if (raw.len > q && raw.ptr[q] == '$')
        return; /* starts with a variable: its value decides */
    struct exp_result r;
    struct err err;
    if (df_expand(f, in, w, 0, &r, &err) != 0)
        return; /* DW015 */
    /* The text as written counts too: `C:\app` with the default escape
     * character expands to `C:app`, but is meant as a drive path. */
    if (is_absolute(r.value) || is_absolute(str_slice(raw, q, raw.len)) || workdir_before(m, in))
        return;
    const char *kw = df_kind_name(in->kind);
    bool fixable = root_is_scratch(m, in->stage) && plain(w, m->escape) &&
                   span_len(w->span) == raw.len + (exec ? 2 : 0);
    if (!fixable) {
        rule_report(ctx, w->span,
                    "%s destination '%.*s' is relative while no WORKDIR is set in this stage or "
                    "its parents: the files land in the base image's working directory",
                    kw, STR_FMT(raw));
        return;
    }
    const char *abs = absolute_of(ctx, raw);
    struct rule_finding *rf =
        rule_report(ctx, w->span,
                    "%s destination '%.*s' is relative while no WORKDIR is set in this stage or "
                    "its parents: it resolves to '%s' on scratch",
                    kw, STR_FMT(raw), abs);
    if (!rf)
        return;
    const char *text = exec ? rule_printf(ctx, "\"%s\"", abs) : abs;
    struct edit e = { w->span.start, w->span.end, str_from_cstr(text) };
    rule_finding_fix(rf, FIX_SAFE, rule_printf(ctx, "replace the destination with %s", abs), &e, 1);
}

const struct rule rule_DW112 = {
    .id = "DW112",
    .name = "relative-copy-destination",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "COPY or ADD has a relative destination and no WORKDIR is set",
    .aliases = aliases,
    .on = DF_ON(DF_COPY) | DF_ON(DF_ADD),
    .check = check,
    .doc = doc,
};
