#include "fixture.h"

#include "common/buf.h"
#include "common/span.h"
#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

struct line {
    struct str text; /* without the line ending */
    struct str ending;
};

static size_t split_lines(const char *text, size_t len, struct line **out)
{
    size_t n = 0, cap = 16;
    struct line *lines = malloc(cap * sizeof *lines);
    size_t i = 0;
    while (i < len) {
        size_t s = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t e = i;
        size_t ending_start = e;
        if (e > s && text[e - 1] == '\r')
            ending_start = --e;
        if (i < len)
            i++;
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n].text = str_make(text + s, e - s);
        lines[n].ending = str_make(text + ending_start, i - ending_start);
        n++;
    }
    *out = lines;
    return n;
}

static bool annotation(struct str line, const char *kw, struct str *rest)
{
    struct str t = str_trim(line);
    size_t kwlen = strlen(kw);
    if (t.len < 2 + kwlen || t.ptr[0] != '#' || t.ptr[1] != ' ' || strncmp(t.ptr + 2, kw, kwlen))
        return false;
    *rest = str_slice(t, 2 + kwlen, t.len);
    return true;
}

static int fail(struct err *err, const char *name, size_t line, const char *msg)
{
    err_set(err, ERR_SYNTAX, "%s", msg);
    err_at(err, name, (uint32_t)line, 1);
    return ERR_SYNTAX;
}

/* "@-1:1 DW601 \"fragment\"" */
static int parse_expect(struct fixture_expect *x, struct arena *a, struct str s, size_t annot_line,
                        size_t n_lines)
{
    s = str_trim(s);
    if (!s.len || s.ptr[0] != '@')
        return -1;
    const char *p = s.ptr + 1, *end = s.ptr + s.len;
    int sign = 1;
    if (p < end && (*p == '+' || *p == '-'))
        sign = *p++ == '-' ? -1 : 1;
    long off = 0, col = 0;
    if (p >= end || *p < '0' || *p > '9')
        return -1;
    while (p < end && *p >= '0' && *p <= '9')
        off = off * 10 + (*p++ - '0');
    if (p >= end || *p++ != ':' || p >= end || *p < '0' || *p > '9')
        return -1;
    while (p < end && *p >= '0' && *p <= '9')
        col = col * 10 + (*p++ - '0');
    long line = (long)annot_line + sign * off;
    if (line < 1 || (size_t)line > n_lines || col < 1)
        return -1;
    while (p < end && *p == ' ')
        p++;
    const char *id = p;
    while (p < end && *p != ' ')
        p++;
    if (p == id)
        return -1;
    x->rule = arena_strndup(a, id, (size_t)(p - id));
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p != '"' || end[-1] != '"' || end - p < 2)
        return -1;
    x->fragment = arena_strndup(a, p + 1, (size_t)(end - p - 2));
    x->line = (uint32_t)line;
    x->col = (uint32_t)col;
    x->annot_line = (uint32_t)annot_line;
    return 0;
}

int fixture_parse(struct fixture *fx, struct arena *a, const char *name, const char *text,
                  size_t len, struct err *err)
{
    memset(fx, 0, sizeof *fx);
    struct line *lines;
    size_t n = split_lines(text, len, &lines);
    VEC(struct fixture_expect) expects = VEC_INIT;
    VEC(const char *) rules = VEC_INIT;
    /* fixed[i]: replacement text for line i (NULL = unchanged); deleted[i]. */
    struct buf *fixed = calloc(n + 1, sizeof *fixed);
    bool *has_fixed = calloc(n + 1, sizeof *has_fixed);
    bool *is_annot = calloc(n + 1, sizeof *is_annot);
    bool any_fixed = false;
    int rc = 0;
    size_t last_target = 0;  /* the line "# fixed:" lines attach to */
    bool prev_fixed = false; /* the previous line was a "# fixed:" line */

    for (size_t i = 0; i < n; i++) {
        struct str rest;
        struct str t = lines[i].text;
        bool was_fixed = prev_fixed;
        prev_fixed = false;
        if (annotation(t, "test:", &rest)) {
            is_annot[i] = true;
            /* key=value words */
            size_t k = 0;
            while (k < rest.len) {
                while (k < rest.len && rest.ptr[k] == ' ')
                    k++;
                size_t s = k;
                while (k < rest.len && rest.ptr[k] != ' ')
                    k++;
                struct str w = str_slice(rest, s, k);
                if (!w.len)
                    continue;
                if (str_starts_with(w, STR_LIT("rules="))) {
                    struct str v = str_slice(w, 6, w.len);
                    size_t b = 0;
                    for (size_t c = 0; c <= v.len; c++)
                        if (c == v.len || v.ptr[c] == ',') {
                            if (c > b)
                                VEC_PUSH(&rules, arena_strndup(a, v.ptr + b, c - b));
                            b = c + 1;
                        }
                } else if (str_eq_cstr(w, "fix=safe")) {
                    fx->fix = FIXTURE_FIX_SAFE;
                } else if (str_eq_cstr(w, "fix=unsafe")) {
                    fx->fix = FIXTURE_FIX_UNSAFE;
                } else if (str_eq_cstr(w, "fix=none")) {
                    fx->fix = FIXTURE_FIX_NONE;
                } else {
                    rc = fail(err, name, i + 1, "unknown key in '# test:' (want rules=, fix=)");
                    goto out;
                }
            }
        } else if (annotation(t, "expect", &rest)) {
            is_annot[i] = true;
            struct fixture_expect x;
            if (parse_expect(&x, a, rest, i + 1, n)) {
                rc = fail(err, name, i + 1,
                          "malformed expectation (want: # expect @-N:COL RULE \"fragment\")");
                goto out;
            }
            VEC_PUSH(&expects, x);
        } else if (annotation(t, "fixed:", &rest) || str_eq_cstr(str_trim(t), "# fixed:")) {
            is_annot[i] = true;
            prev_fixed = true;
            if (!str_eq_cstr(str_trim(t), "# fixed:") && rest.len && rest.ptr[0] == ' ')
                rest = str_slice(rest, 1, rest.len);
            else if (str_eq_cstr(str_trim(t), "# fixed:"))
                rest = STR_LIT("");
            /* A "# fixed:" line right after another one continues its block;
             * otherwise it attaches to the nearest code line above. */
            if (!was_fixed) {
                size_t j = i;
                while (j > 0 && is_annot[j - 1])
                    j--;
                if (j == 0) {
                    rc = fail(err, name, i + 1, "'# fixed:' has no line above it to replace");
                    goto out;
                }
                last_target = j - 1;
                if (has_fixed[last_target]) {
                    rc = fail(err, name, i + 1, "a second '# fixed:' block for the same line");
                    goto out;
                }
            } else {
                if (buf_append_str(&fixed[last_target], lines[last_target].ending))
                    abort();
            }
            has_fixed[last_target] = true;
            any_fixed = true;
            if (!str_eq_cstr(rest, "<deleted>") && buf_append_str(&fixed[last_target], rest))
                abort();
            if (str_eq_cstr(rest, "<deleted>"))
                buf_append_cstr(&fixed[last_target], "\x01") == 0 ? (void)0 : abort();
        }
    }

    struct buf blank = BUF_INIT, out = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        struct str body = is_annot[i] ? STR_LIT("#") : lines[i].text;
        if (buf_append_str(&blank, body) || buf_append_str(&blank, lines[i].ending))
            abort();
        if (has_fixed[i]) {
            struct str f = buf_str(&fixed[i]);
            if (str_eq_cstr(f, "\x01"))
                continue; /* <deleted>: the line and its ending go */
            if (buf_append_str(&out, f) || buf_append_str(&out, lines[i].ending))
                abort();
        } else if (buf_append_str(&out, body) || buf_append_str(&out, lines[i].ending)) {
            abort();
        }
    }
    fx->blanked = arena_strndup(a, buf_cstr(&blank), blank.len);
    fx->blanked_len = blank.len;
    if (any_fixed) {
        fx->fixed = arena_strndup(a, buf_cstr(&out), out.len);
        fx->fixed_len = out.len;
    }
    buf_release(&blank);
    buf_release(&out);
    fx->n_expects = expects.len;
    fx->expects = ARENA_NEW_ARRAY(a, struct fixture_expect, expects.len);
    if (expects.len)
        memcpy(fx->expects, expects.items, expects.len * sizeof *expects.items);
    fx->n_rules = rules.len;
    fx->rules = ARENA_NEW_ARRAY(a, const char *, rules.len + 1);
    if (rules.len)
        memcpy(fx->rules, rules.items, rules.len * sizeof *rules.items);
out:
    for (size_t i = 0; i <= n; i++)
        buf_release(&fixed[i]);
    free(fixed);
    free(has_fixed);
    free(is_annot);
    free(lines);
    VEC_RELEASE(&expects);
    VEC_RELEASE(&rules);
    return rc;
}
