/* DW111 relative-workdir: the first WORKDIR of a stage (counting those of
 * its in-file parent stages) is a relative path, so it resolves against
 * whatever working directory the base image sets, as BuildKit's
 * WorkdirRelativePath warns. Later relative WORKDIRs build on an absolute
 * one of this file and are fine. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports the first WORKDIR of a stage when it is a relative path. WORKDIRs\n"
    "of in-file parent stages count: a stage built `FROM` a stage of this file\n"
    "that set an absolute WORKDIR may use relative ones. Later relative\n"
    "WORKDIRs, paths that start with a variable and Windows drive paths are\n"
    "not reported.\n"
    "\n"
    "## Why is this bad?\n"
    "A relative WORKDIR is joined to the base image's working directory, which\n"
    "the Dockerfile does not show and which may change when the base image is\n"
    "updated or replaced. Files then end up in another place than intended.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "WORKDIR app\n"
    "COPY . .\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe, and offered only when the base directory is known: the stage is\n"
    "built on `scratch` (directly or through in-file stages that set no\n"
    "WORKDIR), whose working directory is `/`. The path is replaced with the\n"
    "absolute path it resolves to, so the image keeps its working directory.\n"
    "Otherwise there is no fix: the base image's directory is not known.\n";

static const struct rule_alias aliases[] = {
    { "DL3000", NULL },
    { "WorkdirRelativePath", NULL },
    { NULL, NULL },
};

/* Whether the stage and its in-file parents build on scratch, whose
 * working directory is the root. */
static bool root_is_scratch(const struct df_model *m, int stage)
{
    for (uint32_t steps = 0; stage >= 0 && (uint32_t)stage < m->n_stages; steps++) {
        const struct df_stage *st = &m->stages[stage];
        if (steps > m->n_stages)
            return false; /* a cycle: the model should not produce one */
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
    /* A Windows drive: `C:`, `C:\app`, `c:/app`. */
    return v.len >= 2 && isalpha((unsigned char)v.ptr[0]) && v.ptr[1] == ':' &&
           (v.len == 2 || v.ptr[2] == '\\' || v.ptr[2] == '/');
}

/* "/" joined with p and cleaned the way Go's path.Join does: empty and
 * "." elements dropped, ".." removes the element before it (and stays at
 * the root). */
static const char *absolute_of(struct rule_ctx *ctx, struct str p)
{
    char *out = rule_alloc(ctx, p.len + 2);
    size_t n = 0;
    out[n++] = '/';
    size_t i = 0;
    while (i < p.len) {
        size_t j = i;
        while (j < p.len && p.ptr[j] != '/')
            j++;
        struct str el = str_slice(p, i, j);
        if (str_eq_cstr(el, "..")) {
            while (n > 1 && out[n - 1] != '/')
                n--;
            if (n > 1)
                n--; /* the '/' before the dropped element */
        } else if (el.len && !str_eq_cstr(el, ".")) {
            if (n > 1)
                out[n++] = '/';
            memcpy(out + n, el.ptr, el.len);
            n += el.len;
        }
        i = j + 1;
    }
    out[n] = '\0';
    return out;
}

/* A path the fix may rewrite: no quotes, variables, escapes or blanks. */
static bool plain(struct str s, int escape)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '"' || c == '\'' || c == '$' || c == escape || isspace((unsigned char)c))
            return false;
    }
    return s.len > 0;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (!in->n_args || in->has_syntax_error)
        return;
    const struct df_text *w = &in->args[0];
    struct str raw = str_trim(w->raw);
    if (!raw.len)
        return;
    size_t q = (raw.ptr[0] == '"' || raw.ptr[0] == '\'') ? 1 : 0;
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
    if (!root_is_scratch(m, in->stage) || !plain(w->raw, m->escape) ||
        span_len(w->span) != w->raw.len) {
        rule_report(ctx, w->span,
                    "WORKDIR '%.*s' is relative and the first of its stage: it resolves against "
                    "the base image's working directory",
                    STR_FMT(w->raw));
        return;
    }
    const char *abs = absolute_of(ctx, w->raw);
    struct rule_finding *rf = rule_report(
        ctx, w->span,
        "WORKDIR '%.*s' is relative and the first of its stage: it resolves to '%s' on scratch",
        STR_FMT(w->raw), abs);
    if (!rf)
        return;
    struct edit e = { w->span.start, w->span.end, str_from_cstr(abs) };
    rule_finding_fix(rf, FIX_SAFE, rule_printf(ctx, "replace with %s", abs), &e, 1);
}

const struct rule rule_DW111 = {
    .id = "DW111",
    .name = "relative-workdir",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "the first WORKDIR of a stage is a relative path",
    .aliases = aliases,
    .on = DF_ON(DF_WORKDIR),
    .check = check,
    .doc = doc,
};
