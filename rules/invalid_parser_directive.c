/* DW009 invalid-parser-directive: a parser directive BuildKit refuses
 * (dockerfile.md section 2, peers/buildkit-checks.md for `check=`): an
 * `escape` value other than `\` or a backquote, a second directive with
 * the same key, or a `check=` value with an unknown key, a part without
 * `=` or a non-boolean `error=`. `check=` lines below a `#!` first line
 * are read by BuildKit too, so they are judged as well. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a parser directive at the top of the file that BuildKit\n"
    "refuses: an `escape` directive whose value is neither `\\` nor a\n"
    "backquote, a directive given twice (`syntax`, `escape` or `check`), or a\n"
    "`check` directive with an unknown option, an option without `=`, or an\n"
    "`error=` value that is not a boolean.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit stops before the first instruction: the file does not build at\n"
    "all.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "# escape=/\n"
    "FROM alpine:3.20\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "# escape=`\n"
    "FROM alpine:3.20\n"
    "```\n";

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Go's strconv.ParseBool. */
static bool go_bool(struct str s)
{
    static const char *const ok[] = { "1", "t", "T", "TRUE",  "true",  "True",
                                      "0", "f", "F", "FALSE", "false", "False" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (str_eq_cstr(s, ok[i]))
            return true;
    return false;
}

/* The span of s, a slice of the file's text. */
static struct span span_of(const struct df_file *f, struct str s)
{
    uint32_t at = (uint32_t)(s.ptr - f->src);
    return span_make(at, at + (uint32_t)s.len);
}

/* Judges a `check=` value written at v (a slice of src), as BuildKit's
 * ParseLintOptions reads it: up to the first blank, at most three parts
 * split at ';', each key=value with key skip, error or experimental. */
static void check_value(struct rule_ctx *ctx, struct str v)
{
    const struct df_file *f = rule_file(ctx);
    size_t n = 0;
    while (n < v.len && !blank(v.ptr[n]))
        n++;
    v = str_make(v.ptr, n);
    if (!v.len)
        return;
    size_t p = 0;
    for (int part = 0; part < 3 && p <= v.len; part++) {
        size_t q = p;
        /* The third part takes the rest (Go's strings.SplitN(s, ";", 3)). */
        if (part < 2)
            while (q < v.len && v.ptr[q] != ';')
                q++;
        else
            q = v.len;
        struct str s = str_make(v.ptr + p, q - p);
        const char *eq = memchr(s.ptr, '=', s.len);
        if (!eq) {
            rule_report(ctx, s.len ? span_of(f, s) : span_of(f, str_make(v.ptr, v.len)),
                        "failed to parse check options: invalid check option '%.*s' (each part "
                        "is key=value: skip=, error= or experimental=)",
                        STR_FMT(s));
        } else {
            struct str key = str_trim(str_make(s.ptr, (size_t)(eq - s.ptr)));
            struct str val = str_make(eq + 1, s.len - (size_t)(eq + 1 - s.ptr));
            if (str_eq_nocase(key, STR_LIT("error"))) {
                struct str b = str_trim(val);
                if (!go_bool(b))
                    rule_report(ctx, span_of(f, val.len ? val : s),
                                "failed to parse check options: error=%.*s is not a boolean "
                                "(true or false)",
                                STR_FMT(val));
            } else if (!str_eq_nocase(key, STR_LIT("skip")) &&
                       !str_eq_nocase(key, STR_LIT("experimental"))) {
                rule_report(ctx, span_of(f, key.len ? key : s),
                            "failed to parse check options: invalid check option '%.*s' (skip, "
                            "error or experimental)",
                            STR_FMT(key));
            }
        }
        if (q >= v.len)
            break;
        p = q + 1;
    }
}

/* `# key = value` at [s, e) with a key of letters and digits; sets the
 * key and value slices. */
static bool directive_shape(const struct df_file *f, uint32_t s, uint32_t e, struct str *key,
                            struct str *value)
{
    if (s >= e || f->src[s] != '#')
        return false;
    uint32_t p = s + 1;
    while (p < e && blank(f->src[p]))
        p++;
    uint32_t k = p;
    if (p >= e || !isalpha((unsigned char)f->src[p]))
        return false;
    while (p < e && isalnum((unsigned char)f->src[p]))
        p++;
    *key = str_make(f->src + k, p - k);
    while (p < e && blank(f->src[p]))
        p++;
    if (p >= e || f->src[p] != '=')
        return false;
    p++;
    while (p < e && blank(f->src[p]))
        p++;
    uint32_t ve = e;
    while (ve > p && blank(f->src[ve - 1]))
        ve--;
    *value = str_make(f->src + p, ve - p);
    return true;
}

/* `check=` lines right below a `#!` first line: BuildKit finds them there
 * although its line parser does not (dockerfile.md section 2). */
static void shebang_header(struct rule_ctx *ctx)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    uint32_t top = f->bom ? 3 : 0;
    if (!m->n_comments || m->comments[0].start != top || f->len < top + 2 || f->src[top + 1] != '!')
        return;
    uint32_t prev_end = m->comments[0].end;
    for (uint32_t i = 1; i < m->n_comments; i++) {
        struct span c = m->comments[i];
        /* Only the line ending may stand between two header lines. */
        uint32_t gap = prev_end;
        if (gap < c.start && f->src[gap] == '\r')
            gap++;
        if (gap >= c.start || f->src[gap] != '\n' || gap + 1 != c.start)
            return;
        struct str key, value;
        if (!directive_shape(f, c.start, c.end, &key, &value))
            return;
        if (str_eq_nocase(key, STR_LIT("check")))
            check_value(ctx, value);
        else if (!str_eq_nocase(key, STR_LIT("syntax")) && !str_eq_nocase(key, STR_LIT("escape")))
            return;
        prev_end = c.end;
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t i = 0; i < m->n_directives; i++) {
        const struct df_directive *d = &m->directives[i];
        struct str name = d->name.raw, value = d->value.raw;
        if (d->duplicate) {
            char lower_name[16];
            size_t n = name.len < sizeof lower_name - 1 ? name.len : sizeof lower_name - 1;
            for (size_t k = 0; k < n; k++)
                lower_name[k] = (char)tolower((unsigned char)name.ptr[k]);
            lower_name[n] = '\0';
            rule_report(ctx, d->name.span,
                        "only one %s parser directive can be used: this second one makes "
                        "BuildKit refuse the file",
                        lower_name);
            continue;
        }
        if (str_eq_nocase(name, STR_LIT("escape"))) {
            if (value.len != 1 || (value.ptr[0] != '\\' && value.ptr[0] != '`'))
                rule_report(ctx, span_len(d->value.span) ? d->value.span : d->name.span,
                            "invalid escape token '%.*s' does not match ` or \\", STR_FMT(value));
        } else if (str_eq_nocase(name, STR_LIT("check")) && value.ptr) {
            check_value(ctx, value);
        }
    }
    shebang_header(ctx);
}

const struct rule rule_DW009 = {
    .id = "DW009",
    .name = "invalid-parser-directive",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a parser directive BuildKit refuses",
    .finish = finish,
    .doc = doc,
};
