/* DW014 invalid-onbuild-trigger: ONBUILD wraps ONBUILD, FROM or
 * MAINTAINER, which BuildKit refuses (dockerfile.md section 9). The
 * trigger's own flags and arguments are judged now by the other syntax
 * rules (they subscribe to triggers), not only in the downstream build. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports an ONBUILD whose trigger is ONBUILD, FROM or MAINTAINER. The\n"
    "other syntax rules check the trigger's flags and arguments too, now\n"
    "rather than when a downstream image builds from this one.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses the file: ONBUILD triggers cannot be chained, and FROM\n"
    "and MAINTAINER are not allowed as triggers.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "ONBUILD FROM node:20-slim\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:20\n"
    "ONBUILD COPY package.json /app/\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3043", NULL },
    { NULL, NULL },
};

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_instr *t = in->trigger;
    if (!t)
        return;
    switch (t->kind) {
    case DF_ONBUILD:
        rule_report(ctx, t->keyword, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        break;
    case DF_FROM:
    case DF_MAINTAINER:
        rule_report(ctx, t->keyword,
                    "an ONBUILD trigger cannot be %s: %s isn't allowed as an "
                    "ONBUILD trigger",
                    df_kind_name(t->kind), df_kind_name(t->kind));
        break;
    default: break;
    }
}

const struct rule rule_DW014 = {
    .id = "DW014",
    .name = "invalid-onbuild-trigger",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "ONBUILD wraps ONBUILD, FROM or MAINTAINER",
    .aliases = aliases,
    .on = DF_ON(DF_ONBUILD),
    .check = check,
    .doc = doc,
};
