/* DW002 unknown-instruction: the first word of an instruction is none of
 * BuildKit's 18 keywords. The fix renames it when exactly one keyword is
 * within edit distance 2, and separates `RUN["ls"]` into `RUN ["ls"]`. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an instruction whose first word is not one of BuildKit's\n"
    "keywords (compared without regard to case): a typo such as `FORM` or\n"
    "`RUNN`, a keyword glued to its JSON arguments (`RUN[\"ls\"]`), or a line\n"
    "meant as the heredoc body of an instruction that takes none (`CMD <<EOF`),\n"
    "which BuildKit reads as an instruction of its own.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses the whole Dockerfile with `unknown instruction`, so\n"
    "nothing is built.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUNN echo hello\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN echo hello\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. When exactly one keyword is within two edits of the word (`RUNN`\n"
    "becomes `RUN`), or the word is a keyword followed by `[` without a blank,\n"
    "the fix writes that keyword. BuildKit refused the original file, so the\n"
    "fixed one runs something for the first time: check that the keyword is\n"
    "the one you meant.\n";

static const char *const keywords[] = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR",
};

#define KW_COUNT (sizeof keywords / sizeof keywords[0])
#define MAX_WORD 16

/* Edit distance of a[0..n) against the keyword b, ignoring case. */
static unsigned distance(const char *a, size_t n, const char *b)
{
    return str_distance(str_make(a, n), str_from_cstr(b), true);
}

/* The keyword whose upper-case spelling equals word[0..n), or NULL. */
static const char *keyword_of(const char *word, size_t n)
{
    for (size_t k = 0; k < KW_COUNT; k++) {
        size_t m = strlen(keywords[k]);
        if (m != n)
            continue;
        size_t i = 0;
        while (i < n && toupper((unsigned char)word[i]) == keywords[k][i])
            i++;
        if (i == n)
            return keywords[k];
    }
    return NULL;
}

/* The keyword written in the case the user wrote the word in: all
 * lowercase stays lowercase, anything else gets the usual uppercase. */
static const char *in_case_of(struct rule_ctx *ctx, const char *word, size_t n, const char *kw)
{
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)word[i]))
            return kw;
    size_t m = strlen(kw);
    char *low = rule_alloc(ctx, m + 1);
    for (size_t i = 0; i < m; i++)
        low[i] = (char)tolower((unsigned char)kw[i]);
    low[m] = '\0';
    return low;
}

/* The instruction before `in` that has a heredoc marker although it takes
 * no heredoc (only RUN, COPY and ADD do), with only unknown instructions
 * between: BuildKit then reads the intended body lines as instructions. */
static const struct df_instr *heredoc_owner(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_model *m = rule_model(ctx);
    const struct df_file *f = rule_file(ctx);
    uint32_t i = 0;
    while (i < m->n_instrs && m->instrs[i] != in)
        i++;
    while (i-- > 0) {
        const struct df_instr *prev = m->instrs[i];
        if (prev->kind == DF_UNKNOWN)
            continue;
        if (prev->kind == DF_RUN || prev->kind == DF_COPY || prev->kind == DF_ADD)
            return NULL;
        for (uint32_t k = prev->keyword.end; k + 2 < prev->span.end; k++)
            if (f->src[k] == '<' && f->src[k + 1] == '<')
                return prev;
        return NULL;
    }
    return NULL;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    struct span kw = in->keyword;
    if (kw.end <= kw.start || kw.end > f->len)
        return;
    const char *word = f->src + kw.start;
    size_t n = kw.end - kw.start;

    /* `RUN["ls"]`: BuildKit splits the instruction at the first blank, so
     * the keyword and the JSON array are one unknown word. */
    const char *bracket = memchr(word, '[', n);
    if (bracket && bracket > word) {
        size_t kn = (size_t)(bracket - word);
        const char *k = keyword_of(word, kn);
        if (k) {
            struct rule_finding *rf =
                rule_report(ctx, kw, "unknown instruction '%.*s' (a blank is missing before '[')",
                            (int)(n > 40 ? 40 : n), word);
            if (rf) {
                uint32_t at = kw.start + (uint32_t)kn;
                struct edit e = { at, at, STR_LIT(" ") };
                rule_finding_fix(rf, FIX_UNSAFE,
                                 rule_printf(ctx, "insert a blank after %.*s", (int)kn, word), &e,
                                 1);
            }
            return;
        }
    }

    const struct df_instr *owner = in->parent ? NULL : heredoc_owner(ctx, in);
    if (owner) {
        rule_report(ctx, kw,
                    "unknown instruction '%.*s' (%s takes no heredoc, so BuildKit reads the "
                    "lines after its '<<' as instructions)",
                    (int)(n > 40 ? 40 : n), word, df_kind_name(owner->kind));
        return;
    }

    const char *only = NULL;
    int found = 0;
    if (n <= MAX_WORD) {
        for (size_t k = 0; k < KW_COUNT; k++) {
            size_t m = strlen(keywords[k]);
            if ((n > m ? n - m : m - n) > 2)
                continue;
            if (distance(word, n, keywords[k]) <= 2) {
                only = keywords[k];
                found++;
            }
        }
    }
    int shown = (int)(n > 40 ? 40 : n);
    if (found != 1) {
        rule_report(ctx, kw, "unknown instruction '%.*s'%s", shown, word, n > 40 ? "..." : "");
        return;
    }
    const char *repl = in_case_of(ctx, word, n, only);
    struct rule_finding *rf =
        rule_report(ctx, kw, "unknown instruction '%.*s' (did you mean '%s'?)", shown, word, repl);
    if (!rf)
        return;
    struct edit e = { kw.start, kw.end, str_from_cstr(repl) };
    rule_finding_fix(rf, FIX_UNSAFE, rule_printf(ctx, "replace with %s", repl), &e, 1);
}

const struct rule rule_DW002 = {
    .id = "DW002",
    .name = "unknown-instruction",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "the instruction name is not a Dockerfile keyword",
    .on = DF_ON(DF_UNKNOWN),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
