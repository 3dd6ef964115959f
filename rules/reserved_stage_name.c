/* DW108 reserved-stage-name: a stage named `scratch` or `context`. BuildKit
 * builds it with a warning (ReservedStageName), but the name already means
 * the empty image (`FROM scratch`) and the named build contexts
 * (`--build-context`), so references to it read ambiguously. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a stage named `scratch` or `context` (in any case).\n"
    "\n"
    "## Why is this bad?\n"
    "`scratch` already names the empty base image and `context` the build\n"
    "context that BuildKit passes by name. A stage that takes one of these\n"
    "names makes every `FROM` or `COPY --from` that uses it hard to read, and\n"
    "BuildKit warns about it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20 AS scratch\n"
    "RUN echo hello > /hello\n"
    "FROM alpine:3.20\n"
    "COPY --from=scratch /hello /hello\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20 AS prepare\n"
    "RUN echo hello > /hello\n"
    "FROM alpine:3.20\n"
    "COPY --from=prepare /hello /hello\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3063", NULL },
    { "ReservedStageName", NULL },
    { NULL, NULL },
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct str name = in->stage_name.raw;
    if (!name.ptr)
        return;
    const char *what = NULL;
    if (str_eq_nocase(name, STR_LIT("scratch")))
        what = "the empty base image";
    else if (str_eq_nocase(name, STR_LIT("context")))
        what = "the build context passed by name";
    if (!what)
        return;
    rule_report(ctx, in->stage_name.span, "stage name '%.*s' is reserved: it already means %s",
                STR_FMT(name), what);
}

const struct rule rule_DW108 = {
    .id = "DW108",
    .name = "reserved-stage-name",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a stage is named scratch or context",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
