/* DW013 invalid-stage-name: a stage name that, lowercased, does not match
 * `[a-z][a-z0-9._-]*` (dockerfile.md section 9). BuildKit does not expand
 * variables in stage names, so `AS $NAME` is invalid too. */
#include "analyzer/rule_api.h"

#include <ctype.h>

static const char doc[] = "## What it does\n"
                          "Reports a stage name after `FROM ... AS` that BuildKit refuses: once\n"
                          "lowercased it must start with a letter and hold only letters, digits,\n"
                          "`.`, `_` and `-`. Variables are not expanded in stage names.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "BuildKit refuses the file: \"invalid name for build stage\".\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM golang:1.22 AS 1st-build\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM golang:1.22 AS build-1\n"
                          "```\n";

/* Why name (lowercased) is invalid, or NULL when it is valid. */
static const char *problem(struct str name)
{
    if (!name.len)
        return "it is empty";
    unsigned char c0 = (unsigned char)tolower((unsigned char)name.ptr[0]);
    if (isdigit(c0))
        return "it starts with a digit";
    if (!(c0 >= 'a' && c0 <= 'z'))
        return "it must start with a letter";
    for (size_t i = 1; i < name.len; i++) {
        unsigned char c = (unsigned char)tolower((unsigned char)name.ptr[i]);
        if (!((c >= 'a' && c <= 'z') || isdigit(c) || c == '.' || c == '_' || c == '-'))
            return c == '$' ? "variables are not expanded in stage names"
                            : "only letters, digits, '.', '_' and '-' may follow the first letter";
    }
    return NULL;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    struct str name = in->stage_name.raw;
    if (!name.ptr)
        return;
    const char *why = problem(name);
    if (!why)
        return;
    rule_report(ctx, in->stage_name.span,
                "invalid name for build stage: \"%.*s\", name can't start with a number or "
                "contain symbols (%s)",
                STR_FMT(name), why);
}

const struct rule rule_DW013 = {
    .id = "DW013",
    .name = "invalid-stage-name",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a stage name BuildKit refuses",
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
