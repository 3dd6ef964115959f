/* DW117 env-same-instruction-reference: `ENV A=1 B=$A`. BuildKit expands
 * every pair of one ENV with the environment from before the instruction,
 * so B does not get 1 (hadolint DL3044). A pair naming itself
 * (`PATH=/opt/bin:$PATH`) reads the old value on purpose and is fine. The
 * fix ends the instruction before the referencing pair and starts a new
 * ENV there, so the reference sees the value the author expected. */
#include "analyzer/rule_api.h"

static const char doc[] =
    "## What it does\n"
    "Reports a variable reference in an ENV value that names a variable an\n"
    "earlier pair of the same ENV instruction sets, as in `ENV A=1 B=$A`.\n"
    "A pair that refers to its own name (`ENV PATH=/opt/bin:$PATH`) is fine.\n"
    "\n"
    "## Why is this bad?\n"
    "All substitutions of one instruction see the environment as it was\n"
    "before the instruction. `B` gets the old value of `A` (often empty), not\n"
    "the `1` written next to it.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "ENV APP_HOME=/opt/app\n"
    "ENV APP_BIN=$APP_HOME/bin\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix splits the ENV before the referencing pair, so the\n"
    "reference then gets the value set just before it: the variable's value\n"
    "in the image changes (to what was most likely meant). No fix is offered\n"
    "when a comment line sits between the two pairs.\n";

static const struct rule_alias aliases[] = {
    { "DL3044", NULL },
    { NULL, NULL },
};

/* The blanks that indent the line holding offset at. */
static struct str indent_of(const struct df_file *f, uint32_t at)
{
    uint32_t s = at;
    while (s > 0 && (f->src[s - 1] == ' ' || f->src[s - 1] == '\t'))
        s--;
    if (s > 0 && f->src[s - 1] != '\n')
        return STR_LIT("");
    return str_make(f->src + s, at - s);
}

/* The edit that ends the instruction after pair i - 1 and starts a new ENV
 * with pair i; false when a comment between them would be lost. */
static bool split_edit(struct rule_ctx *ctx, const struct df_instr *in, uint32_t i,
                       struct edit *out)
{
    const struct df_file *f = rule_file(ctx);
    uint32_t gap_start = in->pairs[i - 1].span.end, gap_end = in->pairs[i].span.start;
    if (gap_end <= gap_start || gap_end > f->len)
        return false;
    for (uint32_t k = gap_start; k < gap_end; k++)
        if (f->src[k] == '#')
            return false;
    struct str ind = indent_of(f, in->span.start);
    const char *text = rule_printf(ctx, "%s%.*s%.*s ", f->crlf ? "\r\n" : "\n", STR_FMT(ind),
                                   (int)span_len(in->keyword), f->src + in->keyword.start);
    *out = (struct edit){ gap_start, gap_end, str_from_cstr(text) };
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    for (uint32_t i = 1; i < in->n_pairs; i++) {
        const struct df_pair *p = &in->pairs[i];
        if (!p->value.raw.ptr || p->legacy)
            continue;
        struct exp_result r = { 0 };
        struct err err;
        /* On an expansion error the references read so far are still
         * listed; DW015 reports the error itself. */
        if (df_expand(f, in, &p->value, 0, &r, &err) && !r.n_refs)
            continue;
        bool fixed = false;
        for (size_t k = 0; k < r.n_refs; k++) {
            const struct exp_ref *ref = &r.refs[k];
            if (ref->kind != EXP_REF_NAME || str_eq(ref->name, p->key.raw))
                continue;
            const struct df_pair *earlier = NULL;
            for (uint32_t j = i; j-- > 0;)
                if (str_eq(in->pairs[j].key.raw, ref->name)) {
                    earlier = &in->pairs[j];
                    break;
                }
            if (!earlier)
                continue;
            struct rule_finding *rf = rule_report(
                ctx, ref->span,
                "'%.*s' does not see the %.*s set earlier in this ENV: every substitution of "
                "one instruction uses the values from before it",
                (int)span_len(ref->span), f->src + ref->span.start, STR_FMT(ref->name));
            if (!rf)
                continue;
            rule_finding_related(
                rf, earlier->key.span,
                rule_printf(ctx, "%.*s is set here, for later instructions", STR_FMT(ref->name)));
            struct edit e;
            if (fixed || in->has_syntax_error || !split_edit(ctx, in, i, &e))
                continue;
            fixed = true;
            rule_finding_fix(rf, FIX_UNSAFE,
                             rule_printf(ctx, "start a new ENV at %.*s", STR_FMT(p->key.raw)), &e,
                             1);
        }
    }
}

const struct rule rule_DW117 = {
    .id = "DW117",
    .name = "env-same-instruction-reference",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "an ENV value refers to a variable set earlier in the same instruction",
    .aliases = aliases,
    .on = DF_ON(DF_ENV),
    .check = check,
    .doc = doc,
};
