/* DW008 accidental-line-continuation: a line ending in the escape
 * character is followed by an unindented line that starts with an
 * upper-case keyword and a blank (`WORKDIR C:\` then `RUN ...`), so two
 * intended instructions were joined into one. Continuations are the
 * model's dropped ranges that start with the escape character; the line
 * after a chain of adjacent dropped ranges (blank and comment lines in
 * between) is the one that gets joined. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a line that ends with the escape character when the next line\n"
    "starts, unindented, with an upper-case instruction keyword and a blank,\n"
    "as in `WORKDIR C:\\` followed by `RUN dir`: the escape character joins\n"
    "the two lines into one instruction.\n"
    "\n"
    "## Why is this bad?\n"
    "The second instruction never runs as one: its text becomes arguments of\n"
    "the first (`WORKDIR C:RUN dir`). The build may still succeed and do\n"
    "something else than intended. Windows paths that end with a backslash\n"
    "are the usual cause; an `escape` directive set to the backquote avoids\n"
    "them.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
    "WORKDIR C:\\app\\\n"
    "RUN dir\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
    "WORKDIR C:\\app\\\\\n"
    "RUN dir\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix ends the instruction: a trailing backslash that closes a\n"
    "Windows path (`C:\\app\\`) is doubled, so it stays part of the path and\n"
    "no longer continues the line; any other trailing escape character is\n"
    "removed. The next line then runs as an instruction of its own, which it\n"
    "did not before.\n";

static const char *const keywords[] = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR",
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The upper-case keyword followed by a blank at p, or NULL. */
static const char *keyword_at(const struct df_file *f, uint32_t p)
{
    uint32_t e = p;
    while (e < f->len && isupper((unsigned char)f->src[e]))
        e++;
    if (e == p || e >= f->len || !blank(f->src[e]))
        return NULL;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
        if (strlen(keywords[k]) == e - p && !memcmp(f->src + p, keywords[k], e - p))
            return keywords[k];
    return NULL;
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

/* Whether the word ending just before the escape at esc closes a Windows
 * path (`C:\`, `C:\app\`, `\\server\share\`): then the backslash belongs
 * to the path and is doubled rather than removed. */
static bool closes_windows_path(const struct df_file *f, uint32_t line_start, uint32_t esc)
{
    if (f->src[esc] != '\\' || esc == line_start || blank(f->src[esc - 1]))
        return false;
    uint32_t w = esc;
    while (w > line_start && !blank(f->src[w - 1]))
        w--;
    struct str word = str_make(f->src + w, esc - w);
    /* A drive (`C:`), possibly after `--flag=` or `KEY=`. */
    for (size_t i = 0; i + 1 < word.len; i++)
        if (isalpha((unsigned char)word.ptr[i]) && word.ptr[i + 1] == ':' &&
            (i == 0 || word.ptr[i - 1] == '=' || word.ptr[i - 1] == '"'))
            return true;
    return memchr(word.ptr, '\\', word.len) != NULL;
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_dropped; i++) {
        if (m->dropped[i].start >= f->len || f->src[m->dropped[i].start] != m->escape)
            continue;
        /* Follow the adjacent dropped ranges (blank and comment lines, and
         * lines holding only the escape character): the last escape
         * character of the chain is the one that joins the next line. */
        uint32_t end = m->dropped[i].end, last = i;
        while (i + 1 < m->n_dropped && m->dropped[i + 1].start == end) {
            i++;
            end = m->dropped[i].end;
            if (m->dropped[i].start < f->len && f->src[m->dropped[i].start] == m->escape)
                last = i;
        }
        struct span d = m->dropped[last];
        if (end >= f->len || end == 0 || f->src[end - 1] != '\n')
            continue; /* the next line is indented: a deliberate continuation */
        const char *kw = keyword_at(f, end);
        if (!kw)
            continue;
        const struct df_instr *in = instr_at(m, d.start);
        if (!in || in->span.end < end)
            continue;
        uint32_t line, col;
        df_file_locate(f, end, &line, &col);
        const char *nl = memchr(f->src + end, '\n', f->len - end);
        uint32_t next_end = nl ? (uint32_t)(nl - f->src) : f->len;
        if (next_end > end && f->src[next_end - 1] == '\r')
            next_end--;
        uint32_t shown = next_end - end > 40 ? 40 : next_end - end;
        struct rule_finding *rf = rule_report(
            ctx, span_make(d.start, d.start + 1),
            "the escape character at the end of this line joins line %u ('%.*s%s') to this %s, so "
            "%s does not start an instruction",
            line, (int)shown, f->src + end, next_end - end > 40 ? "..." : "",
            df_kind_name(in->kind), kw);
        if (!rf)
            continue;
        uint32_t line_start = d.start;
        while (line_start > 0 && f->src[line_start - 1] != '\n')
            line_start--;
        if (closes_windows_path(f, line_start, d.start)) {
            struct edit e = { d.start + 1, d.start + 1, STR_LIT("\\") };
            rule_finding_fix(rf, FIX_UNSAFE, "double the backslash that ends the path", &e, 1);
            continue;
        }
        /* Remove the escape character and the blanks around it, up to the
         * line ending. */
        uint32_t s = d.start, e = d.start + 1;
        while (s > line_start && blank(f->src[s - 1]))
            s--;
        while (e < f->len && (blank(f->src[e]) || f->src[e] == '\r'))
            e++;
        if (e < f->len && f->src[e] == '\n' && e > d.start + 1 && f->src[e - 1] == '\r')
            e--;
        struct edit ed = { s, e, STR_LIT("") };
        rule_finding_fix(rf, FIX_UNSAFE, "end the instruction here", &ed, 1);
    }
}

const struct rule rule_DW008 = {
    .id = "DW008",
    .name = "accidental-line-continuation",
    .severity = SEV_WARNING,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_ALWAYS,
    .summary = "a trailing escape character joins the next instruction into this one",
    .finish = finish,
    .doc = doc,
};
