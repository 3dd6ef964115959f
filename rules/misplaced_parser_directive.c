/* DW010 misplaced-parser-directive: a comment shaped like `# syntax=`,
 * `# escape=` or `# check=` that BuildKit reads as a plain comment because
 * directive scanning had stopped (after a blank line, another comment or an
 * instruction; dockerfile.md section 2), and an `escape` directive below a
 * `#!` first line, which BuildKit ignores there while `syntax` and `check`
 * still work. A `# check=` line in the comment block directly above an
 * instruction is a per-instruction pragma, not a misplaced directive. The
 * fix moves the line to the top of the file, where it takes effect. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a comment written like a parser directive (`# syntax=`,\n"
    "`# escape=`, `# check=`) that BuildKit reads as a plain comment:\n"
    "directives count only in the first lines of the file, before any blank\n"
    "line, other comment or instruction. An `escape` directive below a `#!`\n"
    "first line is reported too: BuildKit ignores it there, while `syntax`\n"
    "and `check` still work. A `# check=` line in the comment block directly\n"
    "above an instruction is a per-instruction pragma and is not reported.\n"
    "\n"
    "## Why is this bad?\n"
    "The directive silently does nothing: the file is built with the\n"
    "default frontend instead of the pinned one, `\\` stays the escape\n"
    "character (Windows paths then continue lines), or the build checks are\n"
    "not configured as written.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "# Build the web app\n"
    "# syntax=docker/dockerfile:1\n"
    "FROM alpine:3.20\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "# syntax=docker/dockerfile:1\n"
    "# Build the web app\n"
    "FROM alpine:3.20\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix moves the line to the top of the file, where the\n"
    "directive takes effect: another frontend parses the file, another\n"
    "escape character applies, or checks change. There is no fix when the\n"
    "file starts with a `#!` line or already has a directive of that name,\n"
    "nor for an `escape` directive that would end a continuation whose next\n"
    "line is indented, or start a new one.\n";

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The blanks inside a directive line, as the grammar's scanner reads them
 * (a CR there is not one: the scanner would not make the moved line a
 * directive, and the fix would never settle). */
static bool dir_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* `# key = value` at [s, e): sets the key when it is syntax, escape or
 * check (any case), the keys this rule cares about. */
static bool directive_shape(const struct df_file *f, uint32_t s, uint32_t e, const char **key)
{
    static const char *const keys[] = { "syntax", "escape", "check" };
    while (s < e && blank(f->src[s]))
        s++;
    if (s >= e || f->src[s] != '#')
        return false;
    uint32_t p = s + 1;
    while (p < e && dir_blank(f->src[p]))
        p++;
    uint32_t k = p;
    while (p < e && isalnum((unsigned char)f->src[p]))
        p++;
    struct str word = str_make(f->src + k, p - k);
    while (p < e && dir_blank(f->src[p]))
        p++;
    if (p >= e || f->src[p] != '=')
        return false;
    p++;
    while (p < e && dir_blank(f->src[p]))
        p++;
    if (p >= e)
        return false; /* `# syntax=` without a value is no directive anywhere */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (str_eq_nocase(word, str_from_cstr(keys[i]))) {
            *key = keys[i];
            return true;
        }
    return false;
}

static uint32_t line_end(const struct df_file *f, uint32_t p)
{
    const char *nl = memchr(f->src + p, '\n', f->len - p);
    return nl ? (uint32_t)(nl - f->src) : f->len;
}

static uint32_t line_start(const struct df_file *f, uint32_t p)
{
    while (p > 0 && f->src[p - 1] != '\n')
        p--;
    return p;
}

/* Whether a top-level instruction starts on the line at p. */
static bool instr_starts(const struct df_model *m, const struct df_file *f, uint32_t p)
{
    uint32_t lo = 0, hi = m->n_instrs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->instrs[mid]->span.start < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_instrs && m->instrs[lo]->span.start < line_end(f, p);
}

static bool empty_comment(const struct df_file *f, struct span c)
{
    for (uint32_t i = c.start; i < c.end; i++)
        if (f->src[i] != '#' && !blank(f->src[i]))
            return false;
    return true;
}

/* For each comment: whether it is in the comment block directly above an
 * instruction, where a `# check=` line is a per-instruction pragma. Only
 * comment lines (not an empty `#`, which discards the block) and blank
 * lines may separate it from the line the instruction starts on (BuildKit's
 * comment block survives blank lines; dockerfile.md section 3). Computed
 * from the last comment up, so that long blocks stay linear. */
static bool *pragma_blocks(struct rule_ctx *ctx, const struct df_model *m, const struct df_file *f)
{
    bool *in_block = rule_alloc(ctx, (m->n_comments + 1) * sizeof *in_block);
    for (uint32_t i = m->n_comments; i-- > 0;) {
        uint32_t p = line_end(f, m->comments[i].start);
        p = p < f->len ? p + 1 : p;
        uint32_t limit = i + 1 < m->n_comments ? line_start(f, m->comments[i + 1].start) : f->len;
        bool decided = false, result = false;
        while (p < limit && !decided) {
            uint32_t le = line_end(f, p), q = p;
            while (q < le && blank(f->src[q]))
                q++;
            if (q < le) {
                result = instr_starts(m, f, p);
                decided = true;
            }
            p = le < f->len ? le + 1 : le;
        }
        if (!decided && i + 1 < m->n_comments)
            result = !empty_comment(f, m->comments[i + 1]) && in_block[i + 1];
        in_block[i] = result;
    }
    return in_block;
}

/* The comments right below a `#!` first line that BuildKit still reads as
 * `syntax` and `check` directives: contiguous directive-shaped lines. */
static uint32_t shebang_header_end(const struct df_model *m, const struct df_file *f)
{
    uint32_t top = f->bom ? 3 : 0;
    if (!m->n_comments || m->comments[0].start != top || f->len < top + 2 || f->src[top + 1] != '!')
        return 0;
    uint32_t prev_end = m->comments[0].end, i = 1;
    for (; i < m->n_comments; i++) {
        struct span c = m->comments[i];
        uint32_t gap = prev_end;
        if (gap < c.start && f->src[gap] == '\r')
            gap++;
        const char *key;
        if (gap >= c.start || f->src[gap] != '\n' || gap + 1 != c.start ||
            !directive_shape(f, c.start, c.end, &key))
            break;
        prev_end = c.end;
    }
    return i; /* comments [1, i) form the header */
}

/* Whether comment c is a directive; *next walks the directives (both lists
 * are in file order). */
static bool is_directive(const struct df_model *m, struct span c, uint32_t *next)
{
    while (*next < m->n_directives && m->directives[*next].name.span.start < c.start)
        (*next)++;
    return *next < m->n_directives && m->directives[*next].name.span.end <= c.end;
}

/* Whether a directive of this key is already in effect at the top. */
static bool key_taken(const struct df_model *m, const struct df_file *f, const char *key,
                      uint32_t header_end)
{
    for (uint32_t i = 0; i < m->n_directives; i++)
        if (str_eq_nocase(m->directives[i].name.raw, str_from_cstr(key)))
            return true;
    for (uint32_t i = 1; i < header_end; i++) {
        const char *k;
        if (directive_shape(f, m->comments[i].start, m->comments[i].end, &k) && !strcmp(k, key))
            return true;
    }
    return false;
}

/* Whether moving `# escape=<v>` at [s, e) to the top would break lines
 * that join on purpose: a line ends with the current escape character and
 * the next line is indented (a deliberate continuation that would end), or
 * a line ends with the new one (a continuation would start). A line ending
 * with the current one before an unindented line is what the directive is
 * usually for (`COPY x C:\app\` then `RUN ...`), and no obstacle. */
static bool escape_move_breaks(const struct df_model *m, const struct df_file *f, struct span c)
{
    const char *eq = memchr(f->src + c.start, '=', span_len(c));
    uint32_t v = eq ? (uint32_t)(eq - f->src) + 1 : c.end;
    while (v < c.end && blank(f->src[v]))
        v++;
    uint32_t ve = c.end;
    while (ve > v && blank(f->src[ve - 1]))
        ve--;
    if (ve != v + 1 || (f->src[v] != '\\' && f->src[v] != '`'))
        return true; /* an invalid value: DW009 once moved */
    char nc = f->src[v];
    if (nc == m->escape)
        return false;
    for (uint32_t p = 0; p < f->len;) {
        uint32_t le = line_end(f, p), q = le, next = le < f->len ? le + 1 : le;
        while (q > p && blank(f->src[q - 1]))
            q--;
        bool in_directive = q > c.start && q <= c.end;
        if (q > p && !in_directive) {
            if (f->src[q - 1] == nc)
                return true;
            /* The line it joins: past blank and comment lines. */
            uint32_t j = next;
            while (j < f->len) {
                uint32_t je = line_end(f, j), k = j;
                while (k < je && blank(f->src[k]))
                    k++;
                if (k < je && f->src[k] != '#')
                    break;
                j = je < f->len ? je + 1 : je;
            }
            if (f->src[q - 1] == m->escape && j < f->len && blank(f->src[j]))
                return true;
        }
        p = next;
    }
    return false;
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    uint32_t header_end = shebang_header_end(m, f);
    bool offered[3] = { false, false, false }; /* syntax, escape, check */
    bool *in_block = pragma_blocks(ctx, m, f);
    uint32_t next_directive = 0;
    for (uint32_t i = 0; i < m->n_comments; i++) {
        struct span c = m->comments[i];
        const char *key;
        if (!directive_shape(f, c.start, c.end, &key) || is_directive(m, c, &next_directive))
            continue;
        int slot = key[0] == 's' ? 0 : key[0] == 'e' ? 1 : 2;
        struct rule_finding *rf;
        if (i > 0 && i < header_end) {
            if (slot != 1)
                continue; /* syntax and check work below a shebang */
            rf = rule_report(ctx, c,
                             "'# escape=' below a '#!' first line is ignored: BuildKit stops "
                             "reading directives at the shebang (only syntax and check still "
                             "work there)");
        } else {
            if (slot == 2 && in_block[i])
                continue; /* a per-instruction check pragma */
            rf = rule_report(ctx, c,
                             "'# %s=' is read as a plain comment: parser directives count only at "
                             "the top of the file, before any blank line, other comment or "
                             "instruction",
                             key);
        }
        if (!rf || header_end > 0 || offered[slot] || key_taken(m, f, key, header_end) ||
            (slot == 1 && escape_move_breaks(m, f, c)))
            continue;
        offered[slot] = true;
        /* Delete the line with its line ending, and write it first. */
        uint32_t ls = line_start(f, c.start), le = line_end(f, c.start);
        struct edit del = { ls, le < f->len ? le + 1 : le, STR_LIT("") };
        if (le >= f->len && ls > 0) {
            del.start = ls - 1;
            if (del.start > 0 && f->src[del.start - 1] == '\r')
                del.start--;
        }
        uint32_t top = f->bom ? 3 : 0;
        const char *eol = f->crlf ? "\r\n" : "\n";
        struct edit edits[2] = {
            { top, top,
              str_from_cstr(rule_printf(ctx, "%.*s%s", (int)span_len(c), f->src + c.start, eol)) },
            del,
        };
        if (del.start < top)
            continue;
        rule_finding_fix(rf, FIX_UNSAFE, "move the directive to the top of the file", edits, 2);
    }
}

const struct rule rule_DW010 = {
    .id = "DW010",
    .name = "misplaced-parser-directive",
    .severity = SEV_WARNING,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "a parser directive BuildKit reads as a plain comment",
    .finish = finish,
    .doc = doc,
};
