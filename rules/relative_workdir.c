/* DW111 relative-workdir: the first WORKDIR of a stage (counting those of
 * its in-file parent stages) is a relative path, so it resolves against
 * whatever working directory the base image sets, as BuildKit's
 * WorkdirRelativePath warns. Later relative WORKDIRs build on an absolute
 * one of this file and are fine. */
#include "analyzer/rule_api.h"
#include "rules/workdir.h"

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
    if (wd_is_absolute(r.value) || wd_is_absolute(str_slice(raw, q, raw.len)) ||
        wd_set_before(m, in))
        return;
    if (!wd_root_is_scratch(m, in->stage) || !plain(w->raw, m->escape) ||
        span_len(w->span) != w->raw.len) {
        rule_report(ctx, w->span,
                    "WORKDIR '%.*s' is relative and the first of its stage: it resolves against "
                    "the base image's working directory",
                    STR_FMT(w->raw));
        return;
    }
    const char *abs = wd_absolute(ctx, w->raw, false);
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
