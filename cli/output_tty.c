/* The default, human format: one header line per finding
 *
 *   path:line:col: severity[DW123 rule-name] message
 *
 * then a code frame of the line(s) with the span underlined (^^^) and the
 * fix title, and a help line with the rule's summary; a summary line ends
 * the report. Colour only when asked (the caller decides: a terminal, no
 * NO_COLOR, no --no-color). Control characters from the file are shown as
 * '?' so a Dockerfile cannot drive the terminal. */
#include "cli/output.h"

#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"
#define C_CYAN "\033[1;36m"

/* Display columns of one tab stop in code frames. */
#define TAB_WIDTH 4
/* Lines longer than this many bytes are shown as a window around the span. */
#define FRAME_MAX_LINE 240
#define FRAME_WINDOW 200
#define FRAME_LEAD 60
/* A multi-line span shows at most this many lines (first two, last two). */
#define FRAME_MAX_LINES 5

struct tty {
    const struct out_options *o;
    struct buf *b;
    int rc;
};

static void put(struct tty *t, const char *s)
{
    if (!t->rc)
        t->rc = buf_append_cstr(t->b, s);
}

static void putn(struct tty *t, const char *s, size_t n)
{
    if (!t->rc)
        t->rc = buf_append(t->b, s, n);
}

static void color(struct tty *t, const char *code)
{
    if (t->o->color)
        put(t, code);
}

static void putc_n(struct tty *t, char c, size_t n)
{
    for (size_t i = 0; i < n && !t->rc; i++)
        t->rc = buf_append_char(t->b, c);
}

/* Text from the file or a rule: control characters become '?', tabs a
 * space; UTF-8 passes (invalid bytes become U+FFFD). */
static void put_clean(struct tty *t, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f) {
            run++;
            continue;
        }
        if (run && !t->rc)
            t->rc = out_append_utf8(t->b, s + i - run, run);
        run = 0;
        putn(t, c == '\t' ? " " : "?", 1);
    }
    if (run && !t->rc)
        t->rc = out_append_utf8(t->b, s + n - run, run);
}

static const char *sev_color(enum rule_severity s)
{
    switch (s) {
    case SEV_ERROR: return C_RED;
    case SEV_WARNING: return C_YELLOW;
    case SEV_INFO: return C_BLUE;
    case SEV_STYLE: return C_CYAN;
    }
    return C_BOLD;
}

static unsigned digits(uint32_t n)
{
    unsigned d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* Display width of bytes [from, to) of a line shown from column `at`:
 * tabs go to the next stop, a UTF-8 sequence is one column. */
static size_t advance(const char *s, size_t from, size_t to, size_t at)
{
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t')
            at += TAB_WIDTH - at % TAB_WIDTH;
        else if ((c & 0xC0) != 0x80)
            at++;
    }
    return at;
}

static void put_line_display(struct tty *t, const char *s, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\t') {
            size_t w = TAB_WIDTH - at % TAB_WIDTH;
            putc_n(t, ' ', w);
            at += w;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != '\t')
            j++;
        at = advance(s, i, j, at);
        put_clean(t, s + i, j - i);
        i = j - 1;
    }
}

static size_t utf8_back(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static void gutter(struct tty *t, unsigned width, uint32_t line)
{
    color(t, C_BLUE);
    if (line) {
        putc_n(t, ' ', width - digits(line));
        if (!t->rc)
            t->rc = out_append_u32(t->b, line);
    } else {
        putc_n(t, ' ', width);
    }
    put(t, " |");
    color(t, C_RESET);
}

/* One source line of the frame and its carets under bytes [c0, c1). */
static void frame_line(struct tty *t, const struct eng_finding *x, unsigned width, uint32_t n,
                       struct str text, size_t c0, size_t c1, const char *tail)
{
    size_t ws = 0, we = text.len;
    if (text.len > FRAME_MAX_LINE) {
        ws = c0 > FRAME_LEAD ? utf8_back(text.ptr, c0 - FRAME_LEAD) : 0;
        we = ws + FRAME_WINDOW < text.len ? utf8_back(text.ptr, ws + FRAME_WINDOW) : text.len;
    }
    if (c0 < ws)
        c0 = ws;
    if (c1 > we)
        c1 = we;
    if (c1 < c0)
        c1 = c0;
    gutter(t, width, n);
    put(t, " ");
    size_t lead = 0;
    if (ws > 0) {
        put(t, "...");
        lead = 3;
    }
    put_line_display(t, text.ptr + ws, we - ws);
    if (we < text.len)
        put(t, "...");
    put(t, "\n");
    gutter(t, width, 0);
    put(t, " ");
    size_t d0 = lead + advance(text.ptr, ws, c0, 0);
    size_t d1 = lead + advance(text.ptr, ws, c1, 0);
    putc_n(t, ' ', d0);
    color(t, sev_color(x->severity));
    putc_n(t, '^', d1 > d0 ? d1 - d0 : 1);
    color(t, C_RESET);
    if (tail)
        put(t, tail);
    put(t, "\n");
}

static void fix_hint(struct tty *t, const struct eng_finding *x, struct buf *out)
{
    (void)t;
    if (!x->fix || !x->fix->title)
        return;
    const char *kind = x->fix->safety == FIX_SAFE     ? "fix"
                       : x->fix->safety == FIX_UNSAFE ? "unsafe fix"
                                                      : "suggestion";
    if (buf_append_cstr(out, " (") || buf_append_cstr(out, kind) || buf_append_cstr(out, ": "))
        return;
    struct tty tmp = { t->o, out, 0 };
    put_clean(&tmp, x->fix->title, strlen(x->fix->title));
    if (!tmp.rc)
        tmp.rc = buf_append_char(out, ')');
}

static void frame(struct tty *t, const struct out_lines *l, const struct eng_finding *x,
                  const char *tail)
{
    uint32_t first = x->line, last = x->end_line, end_col = x->end_col;
    if (first < 1)
        first = 1;
    if (first > l->count)
        first = l->count;
    if (last < first) {
        last = first;
        end_col = x->col;
    }
    if (last > l->count) {
        last = l->count;
        end_col = (uint32_t)out_line_text(l, last).len + 1;
    }
    /* A span that ends at the start of a line ends, for the eye, at the end
     * of the line before. */
    if (last > first && end_col <= 1) {
        last--;
        end_col = (uint32_t)out_line_text(l, last).len + 1;
    }
    unsigned width = digits(last);
    gutter(t, width, 0);
    put(t, "\n");
    for (uint32_t n = first; n <= last; n++) {
        if (last - first + 1 > FRAME_MAX_LINES && n == first + 2) {
            color(t, C_BLUE);
            put(t, "...");
            color(t, C_RESET);
            put(t, "\n");
            n = last - 2;
            continue;
        }
        struct str text = out_line_text(l, n);
        size_t c0 = n == first && x->col > 0 ? x->col - 1 : 0;
        size_t c1 = n == last ? (end_col > 0 ? end_col - 1 : 0) : text.len;
        if (c0 > text.len)
            c0 = text.len;
        if (c1 > text.len)
            c1 = text.len;
        frame_line(t, x, width, n, text, c0, c1, n == last ? tail : NULL);
    }
}

static void finding(struct tty *t, const struct out_file *f, const struct out_lines *l,
                    const struct eng_finding *x)
{
    const struct rule *r = x->rule;
    color(t, C_BOLD);
    put_clean(t, f->path, strlen(f->path));
    if (!t->rc)
        t->rc = buf_append_char(t->b, ':') || out_append_u32(t->b, x->line) ||
                        buf_append_char(t->b, ':') || out_append_u32(t->b, x->col) ||
                        buf_append_char(t->b, ':')
                    ? ERR_TOO_LARGE
                    : 0;
    color(t, C_RESET);
    put(t, " ");
    color(t, sev_color(x->severity));
    put(t, out_severity_name(x->severity));
    color(t, C_RESET);
    if (!t->rc)
        t->rc = buf_append_char(t->b, '[') || buf_append_cstr(t->b, r->id) ||
                        buf_append_char(t->b, ' ') || buf_append_cstr(t->b, r->name) ||
                        buf_append_cstr(t->b, "] ")
                    ? ERR_TOO_LARGE
                    : 0;
    color(t, C_BOLD);
    if (x->message)
        put_clean(t, x->message, strlen(x->message));
    color(t, C_RESET);
    put(t, "\n");

    struct buf hint = BUF_INIT;
    fix_hint(t, x, &hint);
    if (f->src) {
        frame(t, l, x, hint.len ? buf_cstr(&hint) : NULL);
    } else if (hint.len) {
        put(t, "  =");
        put(t, buf_cstr(&hint));
        put(t, "\n");
    }
    buf_release(&hint);
    for (uint32_t i = 0; i < x->n_related; i++) {
        const struct eng_related *rel = &x->related[i];
        put(t, "  = note: ");
        put_clean(t, f->path, strlen(f->path));
        if (!t->rc)
            t->rc = buf_append_char(t->b, ':') || out_append_u32(t->b, rel->line) ||
                            buf_append_char(t->b, ':') || out_append_u32(t->b, rel->col) ||
                            buf_append_cstr(t->b, ": ")
                        ? ERR_TOO_LARGE
                        : 0;
        if (rel->message)
            put_clean(t, rel->message, strlen(rel->message));
        put(t, "\n");
    }
    if (r->summary && *r->summary && (!x->message || strcmp(r->summary, x->message) != 0)) {
        put(t, "  = help: ");
        put_clean(t, r->summary, strlen(r->summary));
        put(t, "\n");
    }
    put(t, "\n");
}

int out_tty_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    struct tty t = { o, &c->part[0], 0 };
    struct out_lines l;
    out_lines_init(&l, f->src, f->len);
    for (uint32_t i = 0; i < f->n_findings && !t.rc; i++)
        finding(&t, f, &l, &f->findings[i]);
    out_lines_release(&l);
    return t.rc ? ERR_TOO_LARGE : 0;
}

int out_tty_end(const struct out_options *o, const struct out_totals *tot, struct buf *b)
{
    struct tty t = { o, b, 0 };
    color(&t, C_BOLD);
    if (!t.rc)
        t.rc = out_summary_text(o, tot, b);
    color(&t, C_RESET);
    put(&t, "\n");
    return t.rc ? ERR_TOO_LARGE : 0;
}
