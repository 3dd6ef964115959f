/* DW011 instruction-before-from: an instruction other than ARG before the
 * first FROM. BuildKit has no stage to put it in and refuses the file
 * ("no build stage in current context"). Comments, blank lines and parser
 * directives before FROM are fine, and so are global ARGs. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports an instruction other than ARG that comes before the first FROM.\n"
    "Comments, blank lines, parser directives and ARG instructions may\n"
    "precede FROM.\n"
    "\n"
    "## Why is this bad?\n"
    "Every instruction but ARG belongs to a build stage, and a stage starts\n"
    "with FROM. BuildKit refuses the file: \"no build stage in current\n"
    "context\".\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "LABEL org.opencontainers.image.title=app\n"
    "FROM alpine:3.20\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "ARG BASE=alpine:3.20\n"
    "FROM ${BASE}\n"
    "LABEL org.opencontainers.image.title=app\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3061", NULL },
    { NULL, NULL },
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->stage >= 0 || in->parent)
        return;
    const char *kw = df_kind_name(in->kind);
    rule_report(ctx, in->keyword,
                "no build stage in current context: %s comes before the first FROM, where only "
                "ARG may stand",
                kw);
}

const struct rule rule_DW011 = {
    .id = "DW011",
    .name = "instruction-before-from",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "an instruction other than ARG before the first FROM",
    .aliases = aliases,
    .on = DF_ON_ALL & ~(DF_ON(DF_ARG) | DF_ON(DF_FROM) | DF_ON(DF_UNKNOWN)),
    .check = check,
    .doc = doc,
};
