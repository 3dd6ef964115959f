/* DW005 json-array-non-string: an exec-form argument list that is valid
 * JSON but holds a non-string element, which BuildKit refuses ("when using
 * JSON array syntax, arrays must be comprised of strings only").
 *
 * The model reports these arrays as syntax errors of kind
 * DF_SYN_JSON_NON_STRING (DW001 leaves them to this rule). The array is
 * read again here, as Go's encoding/json reads the logical line: an array
 * that is not valid JSON as a whole is shell form for BuildKit (DW006's
 * business), not an error. The fix quotes numbers and booleans. */
#include "analyzer/rule_api.h"
#include "rules/jsonline.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an exec-form argument list (`CMD [...]`, `RUN [...]`, `COPY\n"
    "[...]`, ...) that is valid JSON but holds an element that is not a\n"
    "string: a number, `true`, `false`, `null`, an object or a nested array.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses the whole Dockerfile: \"when using JSON array syntax,\n"
    "arrays must be comprised of strings only\". Every argument of an exec\n"
    "form is a string, even a port number or a flag value.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "CMD [\"python\", \"-m\", \"http.server\", 8000]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM python:3.12-slim\n"
    "CMD [\"python\", \"-m\", \"http.server\", \"8000\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Unsafe. Numbers and booleans are put in double quotes, exactly as\n"
    "written (`8000` becomes `\"8000\"`); arrays holding `null`, objects or\n"
    "nested arrays get no fix. BuildKit refused the original file, so the\n"
    "fixed one runs a command for the first time: check it.\n";

/* -------------------------------------------------------- the JSON reader */

/* Elements of the top-level array remembered for the report and the fix;
 * longer arrays are still read, their later elements just not kept. */
#define JSON_MAX_ELEMS 256
#define JSON_MAX_DEPTH 64

enum jtype { J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_OBJECT, J_ARRAY };

struct jelem {
    enum jtype type;
    uint32_t start, end; /* src offsets of the element as written */
};

struct jarray {
    bool valid; /* the whole remainder is one JSON array */
    struct jelem elems[JSON_MAX_ELEMS];
    uint32_t n, total; /* kept, and read */
};

static bool jvalue(struct jcur *c, enum jtype *type, int depth);

static bool jstring(struct jcur *c)
{
    c->pos++; /* the opening quote */
    for (;;) {
        int ch = jcur_peek(c);
        if (ch < 0x20) /* the end, or a control character */
            return false;
        c->pos++;
        if (ch == '"')
            return true;
        if (ch != '\\')
            continue;
        ch = jcur_peek(c);
        if (ch < 0 || !strchr("\"\\/bfnrtu", ch))
            return false;
        c->pos++;
        if (ch == 'u') {
            for (int i = 0; i < 4; i++, c->pos++) {
                ch = jcur_peek(c);
                if (ch < 0 || !strchr("0123456789abcdefABCDEF", ch))
                    return false;
            }
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

static bool jnumber(struct jcur *c)
{
    if (jcur_peek(c) == '-')
        c->pos++;
    if (jcur_peek(c) == '0')
        c->pos++;
    else if (!jdigits(c))
        return false;
    if (jcur_peek(c) == '.') {
        c->pos++;
        if (!jdigits(c))
            return false;
    }
    int ch = jcur_peek(c);
    if (ch == 'e' || ch == 'E') {
        c->pos++;
        ch = jcur_peek(c);
        if (ch == '+' || ch == '-')
            c->pos++;
        if (!jdigits(c))
            return false;
    }
    return true;
}

static bool jword(struct jcur *c, const char *w)
{
    for (; *w; w++, c->pos++)
        if (jcur_peek(c) != *w)
            return false;
    return true;
}

/* The elements of an array or object after its opening bracket; top is
 * the array to record them in, or NULL. */
static bool jlist(struct jcur *c, int close, struct jarray *top, int depth)
{
    c->pos++;
    jcur_skip_ws(c);
    if (jcur_peek(c) == close) {
        c->pos++;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (jcur_peek(c) != '"' || !jstring(c))
                return false;
            jcur_skip_ws(c);
            if (jcur_peek(c) != ':')
                return false;
            c->pos++;
            jcur_skip_ws(c);
        }
        jcur_skip_ws(c);
        uint32_t start = c->pos;
        enum jtype type;
        if (jcur_peek(c) < 0 || !jvalue(c, &type, depth + 1))
            return false;
        if (top) {
            if (top->n < JSON_MAX_ELEMS)
                top->elems[top->n++] = (struct jelem){ type, start, c->pos };
            top->total++;
        }
        jcur_skip_ws(c);
        int ch = jcur_peek(c);
        c->pos++;
        if (ch == close)
            return true;
        if (ch != ',')
            return false;
        jcur_skip_ws(c);
    }
}

static bool jvalue(struct jcur *c, enum jtype *type, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return false;
    int ch = jcur_peek(c);
    switch (ch) {
    case '"': *type = J_STRING; return jstring(c);
    case '[': *type = J_ARRAY; return jlist(c, ']', NULL, depth);
    case '{': *type = J_OBJECT; return jlist(c, '}', NULL, depth);
    case 't': *type = J_TRUE; return jword(c, "true");
    case 'f': *type = J_FALSE; return jword(c, "false");
    case 'n': *type = J_NULL; return jword(c, "null");
    default: *type = J_NUMBER; return (ch == '-' || (ch >= '0' && ch <= '9')) && jnumber(c);
    }
}

/* Reads the logical text from start as one JSON array. */
static void jarray_read(const struct df_file *f, uint32_t start, struct jarray *out)
{
    struct jcur c = jcur_at(f, start);
    out->valid = false;
    out->n = out->total = 0; /* the elements past n are never read */
    jcur_skip_ws(&c);
    if (jcur_peek(&c) != '[' || !jlist(&c, ']', out, 0))
        return;
    jcur_skip_ws(&c);
    out->valid = jcur_peek(&c) < 0;
}

/* Where the argument list of in starts: after its keyword and flags (after
 * the CMD word of HEALTHCHECK). UINT32_MAX when it has none to read. */
static uint32_t args_start(const struct df_instr *in)
{
    uint32_t at = in->keyword.end;
    switch (in->kind) {
    case DF_RUN:
    case DF_CMD:
    case DF_ENTRYPOINT:
    case DF_SHELL:
    case DF_COPY:
    case DF_ADD:
    case DF_VOLUME: break;
    case DF_HEALTHCHECK:
        if (!in->n_args || !str_eq_nocase(in->args[0].raw, STR_LIT("CMD")))
            return UINT32_MAX;
        at = in->args[0].span.end;
        break;
    default: return UINT32_MAX;
    }
    for (uint32_t i = 0; i < in->n_flags; i++)
        if (in->flags[i].span.end > at)
            at = in->flags[i].span.end;
    return at;
}

/* ------------------------------------------------------------------ check */

/* "the number 8000", "null", "an object '{...}'". */
static const char *describe(struct rule_ctx *ctx, const struct jelem *e)
{
    const char *text = rule_file(ctx)->src + e->start;
    int n = (int)(e->end - e->start > 40 ? 40 : e->end - e->start);
    switch (e->type) {
    case J_NUMBER: return rule_printf(ctx, "the number %.*s", n, text);
    case J_TRUE:
    case J_FALSE: return rule_printf(ctx, "the boolean %.*s", n, text);
    case J_NULL: return "null";
    case J_OBJECT: return rule_printf(ctx, "an object '%.*s'", n, text);
    case J_ARRAY: return rule_printf(ctx, "a nested array '%.*s'", n, text);
    case J_STRING: break;
    }
    return "a string";
}

/* Reports in when its arguments are a valid JSON array with a non-string
 * element; returns whether it did. */
static bool report(struct rule_ctx *ctx, const struct df_instr *in)
{
    uint32_t start = args_start(in);
    if (start == UINT32_MAX)
        return false;
    const struct df_file *f = rule_file(ctx);
    struct jarray arr; /* read and dropped here: no need for the file's arena */
    struct jarray *a = &arr;
    jarray_read(f, start, a);
    if (!a->valid)
        return false;
    const struct jelem *bad = NULL;
    uint32_t n_bad = 0;
    bool fixable = a->n == a->total;
    for (uint32_t i = 0; i < a->n; i++) {
        const struct jelem *e = &a->elems[i];
        if (e->type == J_STRING)
            continue;
        if (!bad)
            bad = e;
        n_bad++;
        if (e->type != J_NUMBER && e->type != J_TRUE && e->type != J_FALSE)
            fixable = false;
    }
    if (!bad)
        return false;
    struct rule_finding *rf = rule_report(
        ctx, span_make(bad->start, bad->end),
        "when using JSON array syntax, arrays must be comprised of strings only: %s in the exec "
        "form of %s%s",
        describe(ctx, bad), df_kind_name(in->kind),
        n_bad > 1 ? rule_printf(ctx, " (and %u more)", n_bad - 1) : "");
    if (!rf || !fixable)
        return true;
    struct edit *edits = rule_alloc(ctx, 2 * n_bad * sizeof *edits);
    uint32_t k = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        const struct jelem *e = &a->elems[i];
        if (e->type == J_STRING)
            continue;
        edits[k++] = (struct edit){ e->start, e->start, STR_LIT("\"") };
        edits[k++] = (struct edit){ e->end, e->end, STR_LIT("\"") };
    }
    rule_finding_fix(rf, FIX_UNSAFE,
                     n_bad > 1 ? "quote the numbers and booleans" : "quote the value", edits, k);
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    report(ctx, in);
}

/* Arrays the model found where this rule does not read arguments (it
 * knows the grammar's places for JSON better than args_start). */
static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_syntax_errors; i++) {
        const struct df_syntax_error *e = &m->syntax_errors[i];
        if (e->kind != DF_SYN_JSON_NON_STRING)
            continue;
        const struct df_instr *in = e->instr;
        while (in && in->trigger)
            in = in->trigger;
        if (in && args_start(in) != UINT32_MAX)
            continue; /* read by check(): reported there, or shell form */
        rule_report(ctx, e->span, "%s", e->message ? e->message : "non-string in a JSON array");
    }
}

const struct rule rule_DW005 = {
    .id = "DW005",
    .name = "json-array-non-string",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "an exec-form JSON array holds a non-string element",
    .on = DF_ON(DF_RUN) | DF_ON(DF_CMD) | DF_ON(DF_ENTRYPOINT) | DF_ON(DF_SHELL) | DF_ON(DF_COPY) |
          DF_ON(DF_ADD) | DF_ON(DF_VOLUME) | DF_ON(DF_HEALTHCHECK),
    .on_triggers = true,
    .check = check,
    .finish = finish,
    .doc = doc,
};
