/* DW001 syntax-error: what the model could not read as BuildKit reads it.
 * The model collects the problems (ERROR and MISSING nodes, unterminated
 * heredocs, unclosed quotes, overlong lines, ...) with their message; this
 * rule reports each one that no more specific syntax rule claims. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports text that BuildKit cannot read as a Dockerfile: an unterminated\n"
    "heredoc, an unclosed quote in an ENV, LABEL or ARG word, a physical line\n"
    "over 65,535 bytes, ENV or LABEL pairs without `=` or value, a file with no\n"
    "instruction, and anything else the grammar cannot place.\n"
    "\n"
    "## Why is this bad?\n"
    "The build fails before any step runs. The rest of the file is still\n"
    "checked as far as it could be read, so other findings may follow from the\n"
    "same mistake.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN <<EOF\n"
    "echo never closed\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN <<EOF\n"
    "echo closed\n"
    "EOF\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL1000", NULL }, /* the code hadolint reports parse errors under */
    { NULL, NULL },
};

/* The rule that owns a more specific report of this kind of error, when
 * that rule is registered (rules.md: DW001 reports what no more specific
 * DW0xx rule claims). */
static bool claimed(const struct rule_ctx *ctx, enum df_syntax_kind kind)
{
    const char *owner;
    switch (kind) {
    case DF_SYN_JSON_NON_STRING: owner = "DW005"; break;
    case DF_SYN_MISSING_ARGUMENTS:
    case DF_SYN_EXTRA_ARGUMENTS: owner = "DW012"; break;
    default: return false;
    }
    return rule_name_check(ctx, str_from_cstr(owner), DF_PRAGMA_DOCKWRIGHT) == RULE_NAME_VALID;
}

/* BuildKit refuses a file without instructions ("file with no
 * instructions") and one without a stage. The model reports neither (they
 * are facts of the whole file, not of a node), so they are found here,
 * unless the model reported some other error already. */
static void no_stage(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    if (m->n_syntax_errors)
        return;
    if (!m->n_instrs) {
        rule_report(ctx, span_make(0, 0), "file with no instructions");
        return;
    }
    for (uint32_t i = 0; i < m->n_instrs; i++)
        if (m->instrs[i]->kind != DF_ARG)
            return;
    rule_report(ctx, m->instrs[0]->keyword,
                "the file has only ARG instructions: there is no FROM, so no stage to build");
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    no_stage(ctx);
    for (uint32_t i = 0; i < m->n_syntax_errors; i++) {
        const struct df_syntax_error *e = &m->syntax_errors[i];
        if (claimed(ctx, e->kind))
            continue;
        rule_report(ctx, e->span, "%s", e->message ? e->message : "syntax error");
    }
}

const struct rule rule_DW001 = {
    .id = "DW001",
    .name = "syntax-error",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "the file cannot be read as BuildKit reads it",
    .aliases = aliases,
    .on = 0,
    .finish = finish,
    .doc = doc,
};
