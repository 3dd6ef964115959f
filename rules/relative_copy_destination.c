/* DW112 relative-copy-destination: COPY or ADD to a relative destination
 * while neither the stage nor its in-file parents set a WORKDIR, so the
 * files land in whatever working directory the base image has (hadolint
 * DL3045). */
#include "analyzer/rule_api.h"
#include "rules/workdir.h"

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
    if (wd_is_absolute(r.value) || wd_is_absolute(str_slice(raw, q, raw.len)) ||
        wd_set_before(m, in))
        return;
    const char *kw = df_kind_name(in->kind);
    bool fixable = wd_root_is_scratch(m, in->stage) && plain(w, m->escape) &&
                   span_len(w->span) == raw.len + (exec ? 2 : 0);
    if (!fixable) {
        rule_report(ctx, w->span,
                    "%s destination '%.*s' is relative while no WORKDIR is set in this stage or "
                    "its parents: the files land in the base image's working directory",
                    kw, STR_FMT(raw));
        return;
    }
    const char *abs = wd_absolute(ctx, raw, true);
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
