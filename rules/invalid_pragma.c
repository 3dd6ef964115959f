/* DW016 invalid-pragma: a dockwright, hadolint or `check=` pragma that
 * does not do what it says. The model collects the pragmas with their
 * names and targets; the engine resolves names when it applies them and
 * ignores what it cannot resolve, so this rule is where those names are
 * reported (rule_name_check answers as the engine resolves). The valid
 * names of the same pragma still apply. */
#include "analyzer/rule_api.h"

static const char doc[] = "## What it does\n"
                          "Reports an inline pragma that does not do what it says: a rule name no\n"
                          "rule answers to (`# dockwright ignore=DW9999`), a pragma that lists no\n"
                          "rule, an `ignore` pragma with no instruction after it (a blank line or\n"
                          "the end of the file comes first), a `stage ignore` that is not in the\n"
                          "comment block directly above a FROM, and a BuildKit check name in a\n"
                          "`# check=skip=` list that matches only when case is ignored (BuildKit\n"
                          "compares check names exactly). The valid names of the same pragma\n"
                          "still apply.\n"
                          "\n"
                          "## Why is this bad?\n"
                          "The finding the pragma was written for is not suppressed, or is\n"
                          "suppressed by dockwright but still reported by BuildKit or hadolint. A\n"
                          "misspelt name looks like a suppression in review and does nothing.\n"
                          "\n"
                          "## Example\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "# dockwright ignore=unknown-instrucion\n"
                          "RUNN echo hello\n"
                          "```\n"
                          "\n"
                          "## Use instead\n"
                          "```dockerfile\n"
                          "FROM alpine:3.20\n"
                          "# dockwright ignore=unknown-instruction\n"
                          "RUNN echo hello\n"
                          "```\n";

static const char *origin_name(enum df_pragma_origin o)
{
    switch (o) {
    case DF_PRAGMA_DOCKWRIGHT: return "dockwright";
    case DF_PRAGMA_HADOLINT: return "hadolint";
    case DF_PRAGMA_BUILDKIT: return "check=skip";
    }
    return "";
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_pragmas; i++) {
        const struct df_pragma *p = &m->pragmas[i];
        const char *who = origin_name(p->origin);
        if (!p->n_names) {
            rule_report(ctx, p->span, "this %s pragma lists no rule, so it suppresses nothing",
                        who);
            continue;
        }
        if (p->scope == DF_PRAGMA_NEXT && !p->target) {
            rule_report(ctx, p->span,
                        "this %s ignore pragma covers nothing: a blank line or the end of the "
                        "file comes before the next instruction",
                        who);
        } else if (p->scope == DF_PRAGMA_STAGE && !p->target) {
            rule_report(ctx, p->span,
                        "this %s stage ignore pragma covers nothing: it must stand in the comment "
                        "block directly above a FROM",
                        who);
        }
        for (uint32_t k = 0; k < p->n_names; k++) {
            const struct df_text *n = &p->names[k];
            switch (rule_name_check(ctx, n->raw, p->origin)) {
            case RULE_NAME_VALID: break;
            case RULE_NAME_UNKNOWN:
                rule_report(ctx, n->span,
                            "unknown rule '%.*s' in this %s pragma: it suppresses nothing (the "
                            "other names still apply)",
                            STR_FMT(n->raw), who);
                break;
            case RULE_NAME_CASE_MISMATCH:
                rule_report(ctx, n->span,
                            "'%.*s' matches a BuildKit check name only when case is ignored: "
                            "BuildKit compares check names exactly and will not skip it",
                            STR_FMT(n->raw));
                break;
            }
        }
    }
}

const struct rule rule_DW016 = {
    .id = "DW016",
    .name = "invalid-pragma",
    .severity = SEV_WARNING,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "an inline pragma that does not do what it says",
    .finish = finish,
    .doc = doc,
};
