/* Unified diffs for `lint --diff`: what --fix would write, as `patch -p0`
 * and `git apply` read it. Lines are compared whole (line ending
 * included). The common head and tail are cut first; what is left in
 * between is aligned by a longest-common-subsequence table when it is
 * small enough and otherwise shown as replaced whole: fixes touch few
 * lines, so the table is small in practice, and the cap bounds the memory
 * a pathological file can take. */
#include "cli/output.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Cells of the LCS table beyond which the middle is a plain replacement. */
#define DIFF_MAX_CELLS ((size_t)4 * 1024 * 1024)
#define DIFF_CONTEXT 3

struct line {
    const char *p;
    size_t n; /* with its '\n' when it has one */
};

static size_t split(const char *s, size_t len, struct line **out)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n')
            count++;
    if (len && s[len - 1] != '\n')
        count++;
    struct line *l = xmalloc((count ? count : 1) * sizeof *l);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            l[k++] = (struct line){ s + start, i + 1 - start };
            start = i + 1;
        }
    }
    if (start < len)
        l[k++] = (struct line){ s + start, len - start };
    *out = l;
    return count;
}

static bool same(struct line a, struct line b)
{
    return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

enum op { OP_EQ, OP_DEL, OP_ADD };

struct script {
    unsigned char *ops;
    size_t len, cap;
};

static void push(struct script *s, enum op o)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->ops = xrealloc(s->ops, s->cap);
    }
    s->ops[s->len++] = (unsigned char)o;
}

/* The edit script of a[0..n) -> b[0..m) for the middle part. */
static void middle(const struct line *a, size_t n, const struct line *b, size_t m, struct script *s)
{
    if (n == 0 || m == 0 || n * m > DIFF_MAX_CELLS) {
        for (size_t i = 0; i < n; i++)
            push(s, OP_DEL);
        for (size_t j = 0; j < m; j++)
            push(s, OP_ADD);
        return;
    }
    /* t[i][j]: LCS length of a[i..n) and b[j..m). */
    size_t w = m + 1;
    uint32_t *t = xcalloc((n + 1) * w, sizeof *t);
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            t[i * w + j] = same(a[i], b[j])                         ? t[(i + 1) * w + j + 1] + 1
                           : t[(i + 1) * w + j] >= t[i * w + j + 1] ? t[(i + 1) * w + j]
                                                                    : t[i * w + j + 1];
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (same(a[i], b[j])) {
            push(s, OP_EQ);
            i++;
            j++;
        } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
            push(s, OP_DEL);
            i++;
        } else {
            push(s, OP_ADD);
            j++;
        }
    }
    for (; i < n; i++)
        push(s, OP_DEL);
    for (; j < m; j++)
        push(s, OP_ADD);
    free(t);
}

static int put_line(struct buf *b, char mark, struct line l)
{
    if (buf_append_char(b, mark) || buf_append(b, l.p, l.n))
        return ERR_TOO_LARGE;
    if (l.n == 0 || l.p[l.n - 1] != '\n')
        return buf_append_cstr(b, "\n\\ No newline at end of file\n");
    return 0;
}

int out_unified_diff(const char *old_name, const char *new_name, const char *a, size_t alen,
                     const char *b, size_t blen, struct buf *out)
{
    struct line *la, *lb;
    size_t n = split(a, alen, &la), m = split(b, blen, &lb);
    size_t head = 0;
    while (head < n && head < m && same(la[head], lb[head]))
        head++;
    size_t tail = 0;
    while (tail < n - head && tail < m - head && same(la[n - 1 - tail], lb[m - 1 - tail]))
        tail++;
    struct script s = { 0 };
    for (size_t i = 0; i < head; i++)
        push(&s, OP_EQ);
    middle(la + head, n - head - tail, lb + head, m - head - tail, &s);
    for (size_t i = 0; i < tail; i++)
        push(&s, OP_EQ);

    int rc = 0;
    bool any = false;
    for (size_t k = 0; k < s.len; k++)
        if (s.ops[k] != OP_EQ)
            any = true;
    if (any)
        rc = buf_printf(out, "--- %s\n+++ %s\n", old_name, new_name);
    /* Walk the script; a hunk spans changes closer than 2 * context lines. */
    size_t k = 0, ai = 0, bi = 0; /* ai, bi: line indexes at script position k */
    while (any && !rc && k < s.len) {
        if (s.ops[k] == OP_EQ) {
            k++;
            ai++;
            bi++;
            continue;
        }
        /* A hunk starts up to DIFF_CONTEXT equal lines before k. */
        size_t back = 0;
        while (back < DIFF_CONTEXT && back < k && s.ops[k - 1 - back] == OP_EQ)
            back++;
        size_t hk = k - back, ha = ai - back, hb = bi - back;
        /* Find its end: after the last change followed by more than
         * 2 * DIFF_CONTEXT equal lines (or the end). */
        size_t e = k, last_change = k;
        while (e < s.len) {
            if (s.ops[e] != OP_EQ) {
                last_change = e;
                e++;
                continue;
            }
            size_t run = 0;
            while (e + run < s.len && s.ops[e + run] == OP_EQ)
                run++;
            if (e + run == s.len || run > 2 * DIFF_CONTEXT)
                break;
            e += run;
        }
        size_t stop = last_change + 1;
        size_t fwd = 0;
        while (fwd < DIFF_CONTEXT && stop + fwd < s.len && s.ops[stop + fwd] == OP_EQ)
            fwd++;
        stop += fwd;
        size_t ca = 0, cb = 0;
        for (size_t x = hk; x < stop; x++) {
            if (s.ops[x] != OP_ADD)
                ca++;
            if (s.ops[x] != OP_DEL)
                cb++;
        }
        rc = buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ca ? ha + 1 : ha, ca, cb ? hb + 1 : hb,
                        cb);
        size_t pa = ha, pb = hb;
        for (size_t x = hk; x < stop && !rc; x++) {
            switch (s.ops[x]) {
            case OP_EQ:
                rc = put_line(out, ' ', la[pa]);
                pa++;
                pb++;
                break;
            case OP_DEL: rc = put_line(out, '-', la[pa++]); break;
            case OP_ADD: rc = put_line(out, '+', lb[pb++]); break;
            }
        }
        k = stop;
        ai = pa;
        bi = pb;
    }
    free(s.ops);
    free(la);
    free(lb);
    return rc ? ERR_TOO_LARGE : 0;
}
