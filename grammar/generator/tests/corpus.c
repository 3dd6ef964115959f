/* Corpus file parsing and S-expression normalisation; see corpus.h. */
#include "corpus.h"

#include "common/buf.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One line of the file: [start, end) without the newline; next is where
 * the following line starts. */
struct line {
    size_t start, end, next;
};

static struct line line_at(const char *text, size_t len, size_t pos)
{
    struct line l = { pos, pos, pos };
    while (l.end < len && text[l.end] != '\n')
        l.end++;
    l.next = l.end < len ? l.end + 1 : l.end;
    return l;
}

/* Length of a run of c at the start of the line, when it is at least 3
 * characters long; 0 otherwise. */
static size_t run_of(const char *text, struct line l, char c)
{
    size_t n = 0;
    while (l.start + n < l.end && text[l.start + n] == c)
        n++;
    return n >= 3 ? n : 0;
}

static bool is_header(const char *text, struct line l)
{
    return run_of(text, l, '=') > 0;
}

/* A divider is a line of dashes only (trailing spaces and '\r' allowed). */
static size_t divider_len(const char *text, struct line l)
{
    size_t n = run_of(text, l, '-');
    if (n == 0)
        return 0;
    for (size_t i = l.start + n; i < l.end; i++) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            return 0;
    }
    return n;
}

static char *trimmed_copy(const char *text, size_t start, size_t end)
{
    while (start < end && strchr(" \t\r\n", text[start]))
        start++;
    while (end > start && strchr(" \t\r\n", text[end - 1]))
        end--;
    return xstrndup(text + start, end - start);
}

static void push_case(struct corpus *c, size_t *cap, struct corpus_case *k)
{
    if (c->n_cases == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        c->cases = xreallocarray(c->cases, *cap, sizeof *c->cases);
    }
    c->cases[c->n_cases++] = *k;
}

static void case_release(struct corpus_case *k)
{
    free(k->name);
    free(k->input);
    free(k->expected);
}

int corpus_parse(const char *text, size_t len, const char *path, struct corpus *out,
                 struct err *err)
{
    struct corpus c = { NULL, 0 };
    size_t cap = 0;
    size_t pos = 0;
    uint32_t lineno = 1;

    /* Text before the first header is ignored, as tree-sitter does. */
    while (pos < len && !is_header(text, line_at(text, len, pos))) {
        pos = line_at(text, len, pos).next;
        lineno++;
    }
    while (pos < len) {
        struct corpus_case k = { 0 };
        k.line = lineno;
        struct line l = line_at(text, len, pos);
        pos = l.next;
        lineno++;

        /* Name and attributes up to the closing header line. */
        bool closed = false;
        while (pos < len) {
            l = line_at(text, len, pos);
            pos = l.next;
            lineno++;
            if (is_header(text, l)) {
                closed = true;
                break;
            }
            char *s = trimmed_copy(text, l.start, l.end);
            if (!k.name) {
                k.name = s;
            } else if (s[0] == ':') {
                if (strcmp(s, ":error") == 0)
                    k.expect_error = true;
                else if (strcmp(s, ":skip") == 0)
                    k.skip = true;
                free(s);
            } else if (s[0] == '\0') {
                free(s);
            } else {
                err_set(err, ERR_SYNTAX, "%s:%u: test '%s' has a second name line '%s'", path,
                        lineno - 1, k.name, s);
                free(s);
                goto fail_case;
            }
        }
        if (!closed) {
            err_set(err, ERR_SYNTAX, "%s:%u: unterminated test header", path, k.line);
            goto fail_case;
        }
        if (!k.name || k.name[0] == '\0') {
            err_set(err, ERR_SYNTAX, "%s:%u: test without a name", path, k.line);
            goto fail_case;
        }

        /* The body runs to the next header line or the end of the file. */
        size_t body = pos, body_end = len;
        size_t best = 0, div_start = 0, div_next = 0;
        uint32_t body_line = lineno;
        while (pos < len) {
            l = line_at(text, len, pos);
            if (is_header(text, l)) {
                body_end = l.start;
                break;
            }
            size_t d = divider_len(text, l);
            if (d > 0 && d >= best) {
                best = d;
                div_start = l.start;
                div_next = l.next;
            }
            pos = l.next;
            lineno++;
        }
        if (best == 0) {
            err_set(err, ERR_SYNTAX, "%s:%u: test '%s' has no '---' divider", path, body_line,
                    k.name);
            goto fail_case;
        }
        size_t in_end = div_start;
        if (in_end > body && text[in_end - 1] == '\n')
            in_end--;
        if (in_end > body && text[in_end - 1] == '\r')
            in_end--;
        k.input_len = in_end - body;
        k.input = xmalloc(k.input_len + 1);
        memcpy(k.input, text + body, k.input_len);
        k.input[k.input_len] = '\0';
        k.expected = trimmed_copy(text, div_next, body_end);
        if (!k.expect_error && !k.skip && k.expected[0] == '\0') {
            err_set(err, ERR_SYNTAX, "%s:%u: test '%s' has no expected tree", path, body_line,
                    k.name);
            goto fail_case;
        }
        push_case(&c, &cap, &k);
        continue;
    fail_case:
        case_release(&k);
        corpus_release(&c);
        return ERR_SYNTAX;
    }
    if (c.n_cases == 0)
        return err_set(err, ERR_SYNTAX, "%s: no test cases (a case starts with a '===' line)",
                       path);
    *out = c;
    return 0;
}

void corpus_release(struct corpus *c)
{
    for (size_t i = 0; i < c->n_cases; i++)
        case_release(&c->cases[i]);
    free(c->cases);
    c->cases = NULL;
    c->n_cases = 0;
}

/* ------------------------------------------------------------------ */
/* S-expressions                                                       */

enum tok_kind { TOK_OPEN, TOK_CLOSE, TOK_ATOM, TOK_END };

struct tok {
    enum tok_kind kind;
    const char *start;
    size_t len;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static struct tok next_tok(const char **p)
{
    const char *s = *p;
    while (*s && is_space(*s))
        s++;
    struct tok t = { TOK_END, s, 0 };
    if (!*s) {
        *p = s;
        return t;
    }
    if (*s == '(' || *s == ')') {
        t.kind = *s == '(' ? TOK_OPEN : TOK_CLOSE;
        t.len = 1;
        *p = s + 1;
        return t;
    }
    t.kind = TOK_ATOM;
    const char *e = s;
    if (*s == '"') {
        /* ts_node_string does not escape quotes inside MISSING names, so a
         * string ends at the first quote that a delimiter follows. */
        e = s + 1;
        while (*e && !(*e == '"' && (e[1] == ')' || e[1] == '\0' || is_space(e[1]))))
            e++;
        if (*e == '"')
            e++;
    } else {
        while (*e && !is_space(*e) && *e != '(' && *e != ')')
            e++;
    }
    t.len = (size_t)(e - s);
    *p = e;
    return t;
}

static bool is_field_label(struct tok t)
{
    return t.kind == TOK_ATOM && t.len > 1 && t.start[0] != '"' && t.start[t.len - 1] == ':';
}

char *sexp_normalize(const char *s, bool drop_fields)
{
    struct buf b = BUF_INIT;
    const char *p = s;
    enum tok_kind prev = TOK_OPEN; /* no space before the first token */
    int rc = 0;
    for (;;) {
        struct tok t = next_tok(&p);
        if (t.kind == TOK_END)
            break;
        if (drop_fields && is_field_label(t))
            continue;
        if (prev != TOK_OPEN && t.kind != TOK_CLOSE)
            rc |= buf_append_char(&b, ' ');
        rc |= buf_append(&b, t.start, t.len);
        prev = t.kind;
    }
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
    size_t n;
    return buf_detach(&b, &n);
}

bool sexp_has_fields(const char *s)
{
    const char *p = s;
    for (;;) {
        struct tok t = next_tok(&p);
        if (t.kind == TOK_END)
            return false;
        if (is_field_label(t))
            return true;
    }
}

char *sexp_pretty(const char *normalized)
{
    struct buf b = BUF_INIT;
    const char *p = normalized;
    int depth = 0, rc = 0;
    bool first = true;
    enum tok_kind prev = TOK_OPEN;
    struct tok label = { TOK_END, NULL, 0 };
    for (;;) {
        struct tok t = next_tok(&p);
        if (t.kind == TOK_END)
            break;
        if (is_field_label(t)) {
            /* Printed with the node it labels, on that node's line. */
            label = t;
            continue;
        }
        if (t.kind == TOK_OPEN) {
            if (!first)
                rc |= buf_append_char(&b, '\n');
            for (int i = 0; i < depth; i++)
                rc |= buf_append(&b, "  ", 2);
            depth++;
        } else if (t.kind == TOK_ATOM) {
            if (prev != TOK_OPEN)
                rc |= buf_append_char(&b, ' ');
        } else {
            depth--;
        }
        if (label.kind != TOK_END) {
            rc |= buf_append(&b, label.start, label.len);
            rc |= buf_append_char(&b, ' ');
            label.kind = TOK_END;
        }
        rc |= buf_append(&b, t.start, t.len);
        prev = t.kind;
        first = false;
    }
    rc |= buf_append_char(&b, '\n');
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
    size_t n;
    return buf_detach(&b, &n);
}

/* Splits text into lines (pointers into a heap copy). */
static char **split_lines(const char *text, size_t *n_out, char **copy)
{
    *copy = xstrdup(text);
    size_t cap = 16, n = 0;
    char **lines = xreallocarray(NULL, cap, sizeof *lines);
    char *s = *copy;
    while (*s) {
        char *nl = strchr(s, '\n');
        if (n == cap) {
            cap *= 2;
            lines = xreallocarray(lines, cap, sizeof *lines);
        }
        lines[n++] = s;
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    *n_out = n;
    return lines;
}

char *text_diff(const char *a, const char *b)
{
    char *ca, *cb;
    size_t na, nb;
    char **la = split_lines(a, &na, &ca);
    char **lb = split_lines(b, &nb, &cb);
    /* Longest common subsequence table, (na+1) x (nb+1); trees printed
     * here have at most a few hundred lines. */
    size_t w = nb + 1;
    unsigned *lcs = xcalloc((na + 1) * w, sizeof *lcs);
    for (size_t i = na; i-- > 0;) {
        for (size_t j = nb; j-- > 0;) {
            if (strcmp(la[i], lb[j]) == 0)
                lcs[i * w + j] = lcs[(i + 1) * w + j + 1] + 1;
            else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
                lcs[i * w + j] = lcs[(i + 1) * w + j];
            else
                lcs[i * w + j] = lcs[i * w + j + 1];
        }
    }
    struct buf out = BUF_INIT;
    int rc = 0;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
            rc |= buf_printf(&out, "  %s\n", la[i]);
            i++;
            j++;
        } else if (i < na && (j == nb || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            rc |= buf_printf(&out, "- %s\n", la[i]);
            i++;
        } else {
            rc |= buf_printf(&out, "+ %s\n", lb[j]);
            j++;
        }
    }
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
    free(lcs);
    free(la);
    free(lb);
    free(ca);
    free(cb);
    size_t n;
    char *result = buf_detach(&out, &n);
    return result;
}
