/* DW109 undefined-stage-reference: `COPY --from` or `RUN --mount from=`
 * names no earlier stage. BuildKit fails on an index that is not below the
 * current stage's and on a stage defined further down ("needs to be defined
 * before current stage"); a bare word that is no stage is pulled as an
 * image, which is rarely what was meant. References to the stage itself
 * are DW110's. */
#include "analyzer/rule_api.h"
#include "rules/stageref.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a `COPY --from` or `RUN --mount from=` value that refers to no\n"
    "earlier stage: a stage index that is not below the current stage's, a\n"
    "stage name that is only defined further down, or a bare name that is no\n"
    "stage at all. Values with `:`, `/` or `@` are image references and are\n"
    "not checked; neither are names listed in the configuration's\n"
    "`build-contexts`.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses a reference to a later stage or a stage index out of\n"
    "range. A bare name that matches no stage, such as a misspelt stage name,\n"
    "is taken as a Docker Hub image with the `latest` tag: the build either\n"
    "fails to pull it or copies files out of an unrelated image.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build\n"
    "RUN go build -o /app ./cmd/app\n"
    "FROM alpine:3.20\n"
    "COPY --from=biuld /app /app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM golang:1.22 AS build\n"
    "RUN go build -o /app ./cmd/app\n"
    "FROM alpine:3.20\n"
    "COPY --from=build /app /app\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3022", NULL },
    { NULL, NULL },
};

static bool is_index(struct str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!isdigit((unsigned char)s.ptr[i]))
            return false;
    return true;
}

/* Names listed under build-contexts in the configuration. */
static bool is_build_context(struct rule_ctx *ctx, struct str name)
{
    const struct cfg *c = rule_config(ctx);
    if (!c)
        return false;
    for (size_t i = 0; i < c->n_build_contexts; i++)
        if (c->build_contexts[i].name &&
            str_eq_nocase(name, str_from_cstr(c->build_contexts[i].name)))
            return true;
    return false;
}

static void check_ref(struct rule_ctx *ctx, const struct df_instr *in, const char *what,
                      const struct df_text *ref)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    struct str v = ref->raw;
    if (!v.ptr || !v.len || in->stage < 0)
        return;
    /* Variables are refused by BuildKit in --from (DW004); ':', '/' and
     * '@' make an image reference. */
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '$' || v.ptr[i] == ':' || v.ptr[i] == '/' || v.ptr[i] == '@')
            return;
    uint32_t cur = (uint32_t)in->stage;
    uint32_t line, col;
    if (is_index(v)) {
        /* Leading zeros are allowed (Go's Atoi); more digits than a stage
         * count can have are simply out of range. */
        uint64_t n = 0;
        for (size_t i = 0; i < v.len && n <= m->n_stages; i++)
            n = n * 10 + (uint64_t)(v.ptr[i] - '0');
        if (n <= cur)
            return; /* an earlier stage, or the stage itself (DW110) */
        if (n < m->n_stages && m->stages[n].from) {
            df_file_locate(f, m->stages[n].from->span.start, &line, &col);
            rule_report(ctx, ref->span,
                        "%s=%.*s refers to stage %.*s at line %u, which comes after this one; "
                        "only earlier stages can be used",
                        what, STR_FMT(v), STR_FMT(v), line);
        } else {
            rule_report(ctx, ref->span, "%s=%.*s: there is no stage %.*s (the file has %u %s)",
                        what, STR_FMT(v), STR_FMT(v), m->n_stages,
                        m->n_stages == 1 ? "stage" : "stages");
        }
        return;
    }
    for (uint32_t i = 0; i < cur && i < m->n_stages; i++)
        if (m->stages[i].name.ptr && str_eq_nocase(m->stages[i].name, v))
            return;
    if (cur < m->n_stages && m->stages[cur].name.ptr && str_eq_nocase(m->stages[cur].name, v))
        return; /* DW110 */
    if (is_build_context(ctx, v))
        return;
    for (uint32_t i = cur + 1; i < m->n_stages; i++) {
        if (m->stages[i].name.ptr && str_eq_nocase(m->stages[i].name, v) && m->stages[i].from) {
            df_file_locate(f, m->stages[i].from->span.start, &line, &col);
            rule_report(ctx, ref->span,
                        "%s=%.*s refers to stage '%.*s', which is defined only further down "
                        "(line %u); only earlier stages can be used",
                        what, STR_FMT(v), STR_FMT(m->stages[i].name), line);
            return;
        }
    }
    rule_report(ctx, ref->span,
                "%s=%.*s names no stage of this file; an image reference needs a tag, digest "
                "or registry (e.g. '%.*s:<tag>')",
                what, STR_FMT(v), STR_FMT(v));
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    sr_each_ref(ctx, in, check_ref);
}

const struct rule rule_DW109 = {
    .id = "DW109",
    .name = "undefined-stage-reference",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "COPY --from or RUN --mount from= names no earlier stage",
    .aliases = aliases,
    .on = DF_ON(DF_COPY) | DF_ON(DF_RUN),
    .check = check,
    .doc = doc,
};
