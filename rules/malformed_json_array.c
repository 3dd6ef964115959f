/* DW006 malformed-json-array: arguments that start like an exec-form JSON
 * array (`[` then, after blanks, a quote or `]`) but are not one valid
 * JSON array, so BuildKit silently reads them as shell form
 * (dockerfile.md section 6): single quotes, a missing `]`, text after
 * `]`, a lone backslash. A shell test (`RUN [ -f x ]`, `RUN [ "$a" = b ]`)
 * is left alone. The fix rewrites the elements as double-quoted JSON
 * strings and closes the array. */
#include "analyzer/rule_api.h"
#include "rules/jsonline.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports the arguments of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD or\n"
    "VOLUME that start like an exec-form JSON array but are not valid JSON:\n"
    "elements in single quotes, a missing `]`, text after the `]`, or a\n"
    "backslash that JSON does not accept (`\"C:\\path\"` instead of\n"
    "`\"C:\\\\path\"`). Shell tests such as `RUN [ -f /x ] && ...` are not\n"
    "affected.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit does not report an error: it falls back to shell form and hands\n"
    "the whole text, brackets and quotes included, to `/bin/sh -c` (COPY,\n"
    "ADD and VOLUME split it on blanks). `CMD ['nginx', '-g', 'daemon off;']`\n"
    "then runs a command named `[nginx,` and the container fails to start.\n"
    "SHELL refuses anything but JSON.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "CMD ['nginx', '-g', 'daemon off;']\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. The fix rewrites single-quoted elements in double quotes,\n"
    "doubles backslashes JSON does not accept, and adds a missing `]`; text\n"
    "after the `]` gets no fix. The instruction then runs in exec form: what\n"
    "runs changes (no shell, so no variable expansion, pipes or `&&`), which\n"
    "is what the brackets asked for but not what was built so far.\n";

#define JSON_MAX_DEPTH 64
#define MAX_ELEMS 256

/* ------------------------------------------------ the strict JSON reader */

enum jproblem {
    JP_NONE,
    JP_SINGLE_QUOTE, /* a value starting with ' */
    JP_ESCAPE,       /* a backslash JSON does not accept */
    JP_UNTERMINATED, /* a string without its closing quote */
    JP_NO_CLOSE,     /* the text ends inside the array */
    JP_TRAILING,     /* text after the closing ] */
    JP_COMMA,        /* a ',' right before the closing bracket */
    JP_OTHER,
};

struct jstrict {
    enum jproblem problem;
    uint32_t at; /* where */
};

static bool fail(struct jstrict *st, enum jproblem p, uint32_t at)
{
    if (st->problem == JP_NONE) {
        st->problem = p;
        st->at = at;
    }
    return false;
}

static bool jvalue(struct jcur *c, struct jstrict *st, int depth);

static bool jstring(struct jcur *c, struct jstrict *st)
{
    uint32_t open = c->pos++;
    for (;;) {
        int ch = jcur_peek(c);
        if (ch < 0)
            return fail(st, JP_UNTERMINATED, open);
        if (ch < 0x20)
            return fail(st, JP_OTHER, c->pos);
        uint32_t at = c->pos++;
        if (ch == '"')
            return true;
        if (ch != '\\')
            continue;
        ch = jcur_peek(c);
        if (ch < 0 || !strchr("\"\\/bfnrtu", ch))
            return fail(st, JP_ESCAPE, at);
        c->pos++;
        if (ch == 'u')
            for (int i = 0; i < 4; i++, c->pos++) {
                ch = jcur_peek(c);
                if (ch < 0 || !strchr("0123456789abcdefABCDEF", ch))
                    return fail(st, JP_ESCAPE, at);
            }
    }
}

static bool jdigits(struct jcur *c)
{
    int ch = jcur_peek(c);
    if (ch < '0' || ch > '9')
        return false;
    while ((ch = jcur_peek(c)) >= '0' && ch <= '9')
        c->pos++;
    return true;
}

static bool jnumber(struct jcur *c, struct jstrict *st)
{
    uint32_t at = c->pos;
    if (jcur_peek(c) == '-')
        c->pos++;
    if (jcur_peek(c) == '0')
        c->pos++;
    else if (!jdigits(c))
        return fail(st, JP_OTHER, at);
    if (jcur_peek(c) == '.') {
        c->pos++;
        if (!jdigits(c))
            return fail(st, JP_OTHER, at);
    }
    int ch = jcur_peek(c);
    if (ch == 'e' || ch == 'E') {
        c->pos++;
        ch = jcur_peek(c);
        if (ch == '+' || ch == '-')
            c->pos++;
        if (!jdigits(c))
            return fail(st, JP_OTHER, at);
    }
    return true;
}

static bool jword(struct jcur *c, struct jstrict *st, const char *w)
{
    uint32_t at = c->pos;
    for (; *w; w++, c->pos++)
        if (jcur_peek(c) != *w)
            return fail(st, JP_OTHER, at);
    return true;
}

static bool jlist(struct jcur *c, struct jstrict *st, int close, int depth)
{
    c->pos++;
    jcur_skip_ws(c);
    if (jcur_peek(c) == close) {
        c->pos++;
        return true;
    }
    for (;;) {
        jcur_skip_ws(c);
        if (close == '}') {
            if (jcur_peek(c) != '"')
                return fail(st, jcur_peek(c) < 0 ? JP_NO_CLOSE : JP_OTHER, c->pos);
            if (!jstring(c, st))
                return false;
            jcur_skip_ws(c);
            if (jcur_peek(c) != ':')
                return fail(st, jcur_peek(c) < 0 ? JP_NO_CLOSE : JP_OTHER, c->pos);
            c->pos++;
            jcur_skip_ws(c);
        }
        if (!jvalue(c, st, depth + 1))
            return false;
        jcur_skip_ws(c);
        int ch = jcur_peek(c);
        if (ch < 0)
            return fail(st, JP_NO_CLOSE, c->pos);
        if (ch == close) {
            c->pos++;
            return true;
        }
        if (ch != ',')
            return fail(st, JP_OTHER, c->pos);
        uint32_t comma = c->pos++;
        jcur_skip_ws(c);
        if (jcur_peek(c) == close)
            return fail(st, JP_COMMA, comma);
    }
}

static bool jvalue(struct jcur *c, struct jstrict *st, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail(st, JP_OTHER, c->pos);
    int ch = jcur_peek(c);
    switch (ch) {
    case -1: return fail(st, JP_NO_CLOSE, c->pos);
    case '"': return jstring(c, st);
    case '\'': return fail(st, JP_SINGLE_QUOTE, c->pos);
    case '[': return jlist(c, st, ']', depth);
    case '{': return jlist(c, st, '}', depth);
    case 't': return jword(c, st, "true");
    case 'f': return jword(c, st, "false");
    case 'n': return jword(c, st, "null");
    default:
        if (ch == '-' || (ch >= '0' && ch <= '9'))
            return jnumber(c, st);
        return fail(st, JP_OTHER, c->pos);
    }
}

/* Reads the text at the cursor (on its '[') as one JSON value; any JSON
 * array, strings or not, counts as valid (non-strings are DW005's). */
static void jstrict_read(struct jcur c, struct jstrict *st)
{
    memset(st, 0, sizeof *st);
    if (!jlist(&c, st, ']', 0))
        return;
    jcur_skip_ws(&c);
    if (jcur_peek(&c) >= 0)
        fail(st, JP_TRAILING, c.pos);
}

/* ------------------------------------------------- the lenient reader */

/* An element as the author meant it: a single- or double-quoted string. */
struct lelem {
    uint32_t start, end; /* as written */
    const char *json;    /* the element as a JSON string */
    bool same;           /* json is what is written */
};

struct lenient {
    bool ok;
    struct lelem elems[MAX_ELEMS];
    uint32_t n;
    uint32_t comma;  /* a comma before ']' to delete, or UINT32_MAX */
    uint32_t close;  /* where ']' is, or UINT32_MAX when it is missing */
    bool first_gap;  /* a blank between '[' and the first element */
    int after_first; /* what follows the first element (-1: the end) */
};

/* A string element at the cursor, rewritten as JSON (arena memory). Fails
 * on anything that is not a quoted string on one line. */
static bool lelem_read(struct rule_ctx *ctx, struct jcur *c, struct lelem *e)
{
    int q = jcur_peek(c);
    e->start = c->pos;
    size_t cap = 2 * 64, n = 0;
    char *out = rule_alloc(ctx, cap);
    out[n++] = '"';
    c->pos++;
    for (;;) {
        if (c->pos >= c->len || c->src[c->pos] == '\n')
            return false; /* unterminated, or spanning a line: no rewrite */
        char ch = c->src[c->pos++];
        if (n + 8 >= cap) {
            char *grown = rule_alloc(ctx, cap * 2);
            memcpy(grown, out, n);
            out = grown;
            cap *= 2;
        }
        if (ch == q)
            break;
        if ((unsigned char)ch < 0x20 && ch != '\t')
            return false;
        if (ch == '\t') {
            memcpy(out + n, "\\t", 2);
            n += 2;
        } else if (q == '\'' && (ch == '"' || ch == '\\')) {
            out[n++] = '\\';
            out[n++] = ch;
        } else if (q == '"' && ch == '\\') {
            /* A JSON escape stays; any other backslash is doubled. */
            char nx = c->pos < c->len ? c->src[c->pos] : '\0';
            bool ok = nx && strchr("\"\\/bfnrt", nx);
            if (nx == 'u') {
                ok = c->pos + 5 <= c->len;
                for (uint32_t i = 1; ok && i <= 4; i++)
                    ok = strchr("0123456789abcdefABCDEF", c->src[c->pos + i]) != NULL &&
                         c->src[c->pos + i];
            }
            out[n++] = '\\';
            if (ok) {
                out[n++] = nx;
                c->pos++;
            } else {
                out[n++] = '\\';
            }
        } else {
            out[n++] = ch;
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    e->end = c->pos;
    e->json = out;
    e->same = n == e->end - e->start && !memcmp(out, c->src + e->start, n);
    return true;
}

static void lenient_read(struct rule_ctx *ctx, struct jcur c, struct lenient *l)
{
    memset(l, 0, sizeof *l);
    l->comma = l->close = UINT32_MAX;
    l->after_first = -1;
    c.pos++; /* '[' */
    uint32_t before = c.pos;
    jcur_skip_ws(&c);
    l->first_gap = c.pos != before;
    for (;;) {
        int ch = jcur_peek(&c);
        if (ch == ']' && (l->n == 0 || l->comma != UINT32_MAX)) {
            l->close = c.pos++;
            break;
        }
        if (ch != '"' && ch != '\'')
            return;
        if (l->n == MAX_ELEMS || !lelem_read(ctx, &c, &l->elems[l->n]))
            return;
        l->n++;
        l->comma = UINT32_MAX;
        jcur_skip_ws(&c);
        ch = jcur_peek(&c);
        if (l->n == 1)
            l->after_first = ch;
        if (ch < 0)
            break; /* the ']' is missing */
        if (ch == ']') {
            l->close = c.pos++;
            break;
        }
        if (ch != ',')
            return;
        l->comma = c.pos++;
        jcur_skip_ws(&c);
        if (jcur_peek(&c) < 0)
            return;
    }
    jcur_skip_ws(&c);
    l->ok = jcur_peek(&c) < 0;
}

/* ------------------------------------------------------------------ check */

static uint32_t args_start(const struct df_instr *in)
{
    uint32_t at = in->keyword.end;
    for (uint32_t i = 0; i < in->n_flags; i++)
        if (in->flags[i].span.end > at)
            at = in->flags[i].span.end;
    return at;
}

/* What BuildKit does instead of exec form. */
static const char *consequence(enum df_kind kind)
{
    switch (kind) {
    case DF_SHELL: return "BuildKit refuses it: SHELL requires the arguments to be in JSON form";
    case DF_COPY:
    case DF_ADD:
    case DF_VOLUME:
        return "BuildKit reads it as shell form and splits it on blanks, brackets and "
               "quotes included";
    default: return "BuildKit runs it as a shell command, brackets and quotes included";
    }
}

/* The end of the token at p (up to a blank, ',', ']' or the line end), at
 * most 40 bytes, for quoting it. */
static uint32_t token_end(const struct df_file *f, uint32_t p)
{
    uint32_t e = p;
    while (
        e < f->len && e - p < 40 && f->src[e] != '\n' && f->src[e] != '\r' &&
        (e == p || (f->src[e] != ' ' && f->src[e] != '\t' && f->src[e] != ',' && f->src[e] != ']')))
        e++;
    return e;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    struct jcur c = jcur_at(f, args_start(in));
    jcur_skip_ws(&c);
    if (jcur_peek(&c) != '[')
        return;
    uint32_t open = c.pos;
    struct jcur look = c;
    look.pos++;
    jcur_skip_ws(&look);
    int first = jcur_peek(&look);
    if (first != '"' && first != '\'' && first != ']')
        return; /* `RUN [ -f x ]`: a shell test */

    struct jstrict st;
    jstrict_read(c, &st);
    if (st.problem == JP_NONE)
        return; /* valid JSON; a non-string element is DW005's */

    struct lenient *l = rule_alloc(ctx, sizeof *l);
    lenient_read(ctx, c, l);
    /* `RUN [ "$a" = x ]`: `[` and a blank start a shell test whose first
     * operand is quoted; JSON would have a ',' or ']' after it. */
    if (l->first_gap && l->n >= 1 && l->after_first >= 0 && l->after_first != ',' &&
        l->after_first != ']')
        return;

    const char *kw = df_kind_name(in->kind);
    const char *then = consequence(in->kind);
    struct span at = span_make(st.at, token_end(f, st.at));
    struct rule_finding *rf = NULL;
    switch (st.problem) {
    case JP_SINGLE_QUOTE:
        rf = rule_report(ctx, at,
                         "single quotes are not JSON: the exec form of %s needs double quotes, "
                         "else %s",
                         kw, then);
        break;
    case JP_ESCAPE:
        rf = rule_report(ctx, span_make(st.at, st.at + 2 <= f->len ? st.at + 2 : st.at + 1),
                         "'%.*s' is not a JSON escape (write '\\\\' for a backslash): the array "
                         "of %s is not valid JSON, so %s",
                         st.at + 2 <= f->len ? 2 : 1, f->src + st.at, kw, then);
        break;
    case JP_UNTERMINATED:
        rf = rule_report(ctx, at,
                         "a JSON string in the array of %s is not closed, so the array is not "
                         "valid JSON and %s",
                         kw, then);
        break;
    case JP_NO_CLOSE:
        rf = rule_report(ctx, span_make(open, open + 1),
                         "the JSON array of %s has no closing ']', so %s", kw, then);
        break;
    case JP_TRAILING:
        rf = rule_report(ctx, at,
                         "text after the JSON array of %s ('%.*s'), so the line is not one JSON "
                         "array and %s",
                         kw, (int)(at.end - at.start), f->src + at.start, then);
        break;
    case JP_COMMA:
        rf = rule_report(ctx, span_make(st.at, st.at + 1),
                         "a ',' after the last element is not allowed in JSON: the array of %s "
                         "is not valid JSON, so %s",
                         kw, then);
        break;
    default:
        rf = rule_report(ctx, at,
                         "the arguments of %s start like a JSON array but are not valid JSON at "
                         "'%.*s', so %s",
                         kw, (int)(at.end - at.start), f->src + at.start, then);
        break;
    }
    if (!rf || !l->ok)
        return;

    struct edit *edits = rule_alloc(ctx, (l->n + 2) * sizeof *edits);
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (!l->elems[i].same)
            edits[k++] = (struct edit){ l->elems[i].start, l->elems[i].end,
                                        str_from_cstr(l->elems[i].json) };
    if (l->comma != UINT32_MAX)
        edits[k++] = (struct edit){ l->comma, l->comma + 1, STR_LIT("") };
    if (l->close == UINT32_MAX && l->n)
        edits[k++] = (struct edit){ l->elems[l->n - 1].end, l->elems[l->n - 1].end, STR_LIT("]") };
    if (k)
        rule_finding_fix(rf, FIX_UNSAFE, "rewrite as a JSON array of double-quoted strings", edits,
                         k);
}

const struct rule rule_DW006 = {
    .id = "DW006",
    .name = "malformed-json-array",
    .severity = SEV_WARNING,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "arguments look like a JSON array but BuildKit reads them as shell form",
    .on = DF_ON(DF_RUN) | DF_ON(DF_CMD) | DF_ON(DF_ENTRYPOINT) | DF_ON(DF_SHELL) | DF_ON(DF_COPY) |
          DF_ON(DF_ADD) | DF_ON(DF_VOLUME),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
