/* DW007 empty-continuation-line: an empty or blank-only line inside an
 * instruction continued with the escape character. BuildKit drops it and
 * warns (NoEmptyContinuation); a future release may refuse it. The lines
 * are found in the model's dropped ranges (continuations and comment
 * lines with the blank lines after them), so heredoc bodies, which are
 * content, never count. The fix deletes them: BuildKit ignores them
 * already, so nothing built changes. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports empty or blank-only lines inside an instruction that is\n"
    "continued with the escape character (`\\`, or the backquote set by\n"
    "`# escape=`). Lines of heredoc bodies are content and never reported.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit drops such lines and warns that a future release will refuse\n"
    "them. They also hide mistakes: a blank line does not end the\n"
    "instruction, so the next instruction is joined into this one.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && \\\n"
    "\n"
    "    apt-get install -y curl\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12\n"
    "RUN apt-get update && \\\n"
    "    apt-get install -y curl\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix deletes the blank lines, which BuildKit ignores already.\n";

static const struct rule_alias aliases[] = {
    { "NoEmptyContinuation", NULL },
    { NULL, NULL },
};

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The end of the line at p: its '\n', or len. */
static uint32_t line_end(const struct df_file *f, uint32_t p)
{
    const char *nl = memchr(f->src + p, '\n', f->len - p);
    return nl ? (uint32_t)(nl - f->src) : f->len;
}

static bool blank_line(const struct df_file *f, uint32_t p, uint32_t e)
{
    for (uint32_t i = p; i < e; i++)
        if (!blank(f->src[i]))
            return false;
    return true;
}

/* The top-level instruction whose span holds offset, or NULL. */
static const struct df_instr *instr_at(const struct df_model *m, uint32_t offset)
{
    uint32_t lo = 0, hi = m->n_instrs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->instrs[mid]->span.start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? m->instrs[lo - 1] : NULL;
}

/* Reports the blank lines [first, end) (whole lines, line endings
 * included) inside instruction in. */
static void report(struct rule_ctx *ctx, const struct df_instr *in, uint32_t first, uint32_t end,
                   uint32_t n)
{
    const struct df_file *f = rule_file(ctx);
    uint32_t e = line_end(f, first);
    if (e > first && f->src[e - 1] == '\r')
        e--;
    const char *kw = in ? df_kind_name(in->kind) : "";
    if (!*kw)
        kw = "continued";
    struct rule_finding *rf =
        n == 1 ? rule_report(ctx, span_make(first, e),
                             "empty continuation line in this %s instruction: BuildKit drops it "
                             "and may refuse it in a future release",
                             kw)
               : rule_report(ctx, span_make(first, e),
                             "%u empty continuation lines in this %s instruction: BuildKit drops "
                             "them and may refuse them in a future release",
                             n, kw);
    if (!rf)
        return;
    struct edit del = { first, end, STR_LIT("") };
    rule_finding_fix(rf, FIX_SAFE, n == 1 ? "delete the empty line" : "delete the empty lines",
                     &del, 1);
}

/* The blank lines of one dropped range: every line that starts after the
 * range's first line ending and ends inside it. */
static void scan_range(struct rule_ctx *ctx, struct span d)
{
    const struct df_file *f = rule_file(ctx);
    uint32_t p = line_end(f, d.start);
    if (p >= d.end || p >= f->len)
        return;
    p++;
    uint32_t first = p, n = 0;
    while (p < d.end) {
        uint32_t e = line_end(f, p);
        bool inside = e < d.end || (e == f->len && d.end >= f->len && e > p);
        if (!inside || !blank_line(f, p, e))
            break;
        n++;
        p = e < f->len ? e + 1 : e;
    }
    if (n)
        report(ctx, instr_at(rule_model(ctx), d.start), first, p, n);
}

/* A continuation on the last line of the file followed by blank and
 * comment lines only: BuildKit drops them too, but the model keeps no
 * dropped range there, as no instruction text follows. */
static void scan_eof(struct rule_ctx *ctx)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    if (!m->n_instrs)
        return;
    const struct df_instr *last = m->instrs[m->n_instrs - 1];
    uint32_t q = last->span.end;
    if (m->n_dropped && m->dropped[m->n_dropped - 1].end > q)
        return;
    while (q < f->len && blank(f->src[q]))
        q++;
    if (q >= f->len || f->src[q] != m->escape || (q > 0 && f->src[q - 1] == m->escape))
        return;
    q++;
    while (q < f->len && blank(f->src[q]))
        q++;
    if (q >= f->len || f->src[q] != '\n')
        return;
    /* Everything up to the end must be blank or comment lines. */
    for (uint32_t p = q + 1; p < f->len;) {
        uint32_t e = line_end(f, p), k = p;
        while (k < e && blank(f->src[k]))
            k++;
        if (k < e && f->src[k] != '#')
            return;
        p = e < f->len ? e + 1 : e;
    }
    uint32_t p = q + 1, first = 0, n = 0;
    while (p < f->len) {
        uint32_t e = line_end(f, p), next = e < f->len ? e + 1 : e;
        if (blank_line(f, p, e)) {
            if (!n)
                first = p;
            n++;
        } else if (n) {
            report(ctx, last, first, p, n);
            n = 0;
        }
        p = next;
    }
    if (n)
        report(ctx, last, first, f->len, n);
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_dropped; i++)
        scan_range(ctx, m->dropped[i]);
    scan_eof(ctx);
}

const struct rule rule_DW007 = {
    .id = "DW007",
    .name = "empty-continuation-line",
    .severity = SEV_WARNING,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "a blank line inside a continued instruction",
    .aliases = aliases,
    .finish = finish,
    .doc = doc,
};
