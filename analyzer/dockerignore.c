/* .dockerignore as BuildKit reads and applies it. Three Go sources of
 * behaviour are reproduced here, each in its own section: the ignore-file
 * reader (moby/patternmatcher/ignorefile: lines, comments, trimming,
 * cleaning), the pattern matcher (moby/patternmatcher: patterns become
 * regular expressions, with shortcuts for literal, prefix and suffix
 * patterns, and a matched parent directory keeps matching below), and
 * Go's filepath.Match and filepath.Clean (pattern validation, COPY sources).
 * The walker follows fsutil's: depth first, lstat only, and excluded
 * directories skipped only when no exception could re-include anything in
 * them. */
#include "analyzer/dockerignore.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/utf8.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNE_ERROR UTF8_RUNE_ERROR
/* bufio.Scanner's default token limit: BuildKit's reader fails on a line
 * this long or longer. */
#define LINE_MAX_BYTES 65536

/* ---- UTF-8 and white space ---- */

/* Go's unicode.IsSpace, which strings.TrimSpace uses. */
static bool is_space(uint32_t cp)
{
    switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* Length of the UTF-8 sequence ending at s[n-1] when it is a valid one
 * (for trimming from the right), else 1. */
static size_t utf8_last(const char *s, size_t n, uint32_t *cp)
{
    size_t start = n - 1;
    while (start > 0 && n - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80)
        start--;
    size_t l;
    uint32_t c = utf8_decode(s, n, start, &l);
    if (start + l == n) {
        *cp = c;
        return l;
    }
    *cp = RUNE_ERROR;
    return 1;
}

static struct str trim_space(struct str s)
{
    while (s.len) {
        size_t l;
        uint32_t cp = utf8_decode(s.ptr, s.len, 0, &l);
        if (!is_space(cp))
            break;
        s.ptr += l;
        s.len -= l;
    }
    while (s.len) {
        uint32_t cp;
        size_t l = utf8_last(s.ptr, s.len, &cp);
        if (!is_space(cp))
            break;
        s.len -= l;
    }
    return s;
}

/* ---- filepath.Clean ---- */

/* Cleans path[0, len) into out (room for len + 1 bytes, NUL-terminated);
 * returns the length. */
static size_t clean_into(const char *path, size_t len, char *out)
{
    if (len == 0) {
        out[0] = '.';
        out[1] = '\0';
        return 1;
    }
    bool rooted = path[0] == '/';
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted) {
        out[w++] = '/';
        r = dotdot = 1;
    }
    while (r < len) {
        if (path[r] == '/') {
            r++;
        } else if (path[r] == '.' && (r + 1 == len || path[r + 1] == '/')) {
            r++;
        } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == len || path[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                /* Drop the previous element. */
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                /* Nothing to drop: a relative path keeps its leading `..`. */
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            while (r < len && path[r] != '/')
                out[w++] = path[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return w;
}

char *di_clean(struct arena *a, const char *path, size_t len)
{
    char *out = arena_alloc(a, len + 2);
    clean_into(path, len, out);
    return out;
}

/* ---- filepath.Match ---- */

/* One class element: a character, `\` escaping the next one. */
static int class_char(const char **p, const char *e, uint32_t *r)
{
    const char *c = *p;
    if (c >= e || *c == '-' || *c == ']')
        return ERR_SYNTAX;
    if (*c == '\\' && ++c >= e)
        return ERR_SYNTAX;
    size_t l;
    *r = utf8_decode(c, (size_t)(e - c), 0, &l);
    if (*r == RUNE_ERROR && l == 1)
        return ERR_SYNTAX;
    c += l;
    if (c >= e)
        return ERR_SYNTAX; /* a class must be closed */
    *p = c;
    return 0;
}

/* Matches chunk [c, ce) (no unescaped `*` outside classes) at the start of
 * s. Returns 1 and *rest, 0, or ERR_SYNTAX. Like Go it keeps parsing the
 * chunk after a mismatch so that a malformed pattern is always reported. */
static int match_chunk(const char *c, const char *ce, const char *s, const char *se,
                       const char **rest)
{
    bool failed = false;
    while (c < ce) {
        if (!failed && s >= se)
            failed = true;
        if (*c == '[') {
            uint32_t r = 0;
            if (!failed) {
                size_t l;
                r = utf8_decode(s, (size_t)(se - s), 0, &l);
                s += l;
            }
            c++;
            bool negated = c < ce && *c == '^';
            if (negated)
                c++;
            bool match = false;
            for (int nrange = 0;; nrange++) {
                if (c < ce && *c == ']' && nrange > 0) {
                    c++;
                    break;
                }
                uint32_t lo, hi;
                if (class_char(&c, ce, &lo))
                    return ERR_SYNTAX;
                hi = lo;
                if (*c == '-') {
                    c++;
                    if (class_char(&c, ce, &hi))
                        return ERR_SYNTAX;
                }
                if (lo <= r && r <= hi)
                    match = true;
            }
            if (match == negated)
                failed = true;
            continue;
        }
        if (*c == '?') {
            if (!failed) {
                if (*s == '/')
                    failed = true;
                size_t l;
                (void)utf8_decode(s, (size_t)(se - s), 0, &l);
                s += l;
            }
            c++;
            continue;
        }
        if (*c == '\\' && ++c >= ce)
            return ERR_SYNTAX;
        if (!failed) {
            if (*c != *s)
                failed = true;
            s++;
        }
        c++;
    }
    if (failed)
        return 0;
    *rest = s;
    return 1;
}

/* Splits off the next chunk: leading stars, then up to the next star that
 * is not inside a class. */
static const char *scan_chunk(const char *p, const char *pe, bool *star, const char **chunk)
{
    *star = false;
    while (p < pe && *p == '*') {
        p++;
        *star = true;
    }
    *chunk = p;
    bool inrange = false;
    for (; p < pe; p++) {
        if (*p == '\\') {
            if (p + 1 < pe)
                p++;
        } else if (*p == '[') {
            inrange = true;
        } else if (*p == ']') {
            inrange = false;
        } else if (*p == '*' && !inrange) {
            break;
        }
    }
    return p;
}

int di_glob_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
    const char *p = pattern, *pe = pattern + plen;
    const char *s = name, *se = name + nlen;
    while (p < pe) {
        bool star;
        const char *chunk;
        const char *ce = scan_chunk(p, pe, &star, &chunk);
        p = ce;
        if (star && chunk == ce) /* a trailing star takes the rest without `/` */
            return memchr(s, '/', (size_t)(se - s)) == NULL;
        const char *rest;
        int rc = match_chunk(chunk, ce, s, se, &rest);
        if (rc == 1 && (rest == se || p < pe)) {
            s = rest;
            continue;
        }
        if (rc < 0)
            return rc;
        if (star) {
            bool next = false;
            for (const char *t = s; t < se && *t != '/'; t++) {
                rc = match_chunk(chunk, ce, t + 1, se, &rest);
                if (rc == 1) {
                    /* The last chunk must use up the name. */
                    if (p == pe && rest != se)
                        continue;
                    s = rest;
                    next = true;
                    break;
                }
                if (rc < 0)
                    return rc;
            }
            if (next)
                continue;
        }
        /* No match; still report a malformed remainder. */
        static const char nothing[1] = "";
        while (p < pe) {
            p = scan_chunk(p, pe, &star, &chunk);
            if (match_chunk(chunk, p, nothing, nothing, &rest) < 0)
                return ERR_SYNTAX;
        }
        return 0;
    }
    return s == se;
}

/* ---- patterns as BuildKit matches them ---- */

/* moby/patternmatcher turns a pattern into a regular expression, except
 * that a pattern with no wildcard is compared as a string, `lit**` as a
 * prefix and `**lit` as a suffix (the latter a plain string suffix: `**foo`
 * matches `xfoo`). */
enum di_kind { DK_EXACT, DK_PREFIX, DK_SUFFIX, DK_REGEX };

enum { DT_LIT, DT_ANY, DT_STAR, DT_DSTAR_DIR, DT_DSTAR_ALL, DT_CLASS };

struct dtok {
    uint8_t kind;
    bool negated;    /* DT_CLASS */
    uint32_t cp;     /* DT_LIT */
    uint32_t r0, nr; /* DT_CLASS: ranges[r0 .. r0+nr) */
};

struct drange {
    uint32_t lo, hi;
};

struct di_prog {
    enum di_kind kind;
    struct str lit; /* DK_EXACT: the pattern; DK_PREFIX: without `**`;
                       DK_SUFFIX: without the leading `**` */
    struct dtok *toks;
    size_t n_toks;
    struct drange *ranges;
};

struct toks {
    struct dtok *items;
    size_t len, cap;
};

struct ranges {
    struct drange *items;
    size_t len, cap;
};

static void add_range(struct ranges *rs, uint32_t lo, uint32_t hi)
{
    struct drange r = { lo, hi };
    VEC_PUSH(rs, r);
}

/* A Perl class escape (`\d` `\s` `\w`, upper case negated): ASCII only in
 * Go's regexp. */
static void perl_class(struct dtok *t, struct ranges *rs, char c)
{
    t->kind = DT_CLASS;
    t->r0 = (uint32_t)rs->len;
    t->negated = c == 'D' || c == 'S' || c == 'W';
    switch (c) {
    case 'd':
    case 'D': add_range(rs, '0', '9'); break;
    case 's':
    case 'S':
        add_range(rs, '\t', '\n');
        add_range(rs, '\f', '\r');
        add_range(rs, ' ', ' ');
        break;
    default:
        add_range(rs, '0', '9');
        add_range(rs, 'A', 'Z');
        add_range(rs, '_', '_');
        add_range(rs, 'a', 'z');
        break;
    }
    t->nr = (uint32_t)rs->len - t->r0;
}

/* Compiles cleaned pattern p. Escapes follow Go's regexp, since BuildKit
 * passes `\c` through to it: punctuation is literal, `\n` `\t` ... are
 * control characters, `\d` `\s` `\w` classes. */
static int prog_compile(struct arena *a, const char *p, size_t n, struct di_prog **out,
                        struct err *err)
{
    struct di_prog *prog = ARENA_NEW(a, struct di_prog);
    struct toks ts = VEC_INIT;
    struct ranges rs = VEC_INIT;
    enum di_kind kind = DK_EXACT;
    int rc = 0;
    size_t pos = 0;
    while (pos < n) {
        size_t start = pos, l;
        uint32_t ch = utf8_decode(p, n, pos, &l);
        pos += l;
        struct dtok t = { DT_LIT, false, ch, 0, 0 };
        if (ch == '*') {
            if (pos < n && p[pos] == '*') {
                pos++;
                if (pos < n && p[pos] == '/')
                    pos++;
                if (pos == n) {
                    /* `**` at the end accepts everything below. */
                    if (kind == DK_EXACT) {
                        kind = DK_PREFIX;
                        if (start == 0)
                            kind = DK_SUFFIX;
                        continue;
                    }
                    t.kind = DT_DSTAR_ALL;
                } else {
                    /* Any number of whole segments, none included. */
                    t.kind = DT_DSTAR_DIR;
                }
                kind = start == 0 ? DK_SUFFIX : DK_REGEX;
            } else {
                t.kind = DT_STAR;
                kind = DK_REGEX;
            }
        } else if (ch == '?') {
            t.kind = DT_ANY;
            kind = DK_REGEX;
        } else if (ch == '\\' && pos < n) {
            uint32_t c2 = utf8_decode(p, n, pos, &l);
            pos += l;
            kind = DK_REGEX;
            const char *ctl = strchr("a\af\ft\tn\nr\rv\v", (int)c2);
            if (c2 < 0x80 && c2 && strchr("dDsSwW", (int)c2)) {
                perl_class(&t, &rs, (char)c2);
            } else if (c2 < 0x80 && c2 && ctl && c2 >= 'a') {
                t.cp = (unsigned char)ctl[1];
            } else if (c2 < 0x80 && !(c2 >= '0' && c2 <= '9') && !(c2 >= 'a' && c2 <= 'z') &&
                       !(c2 >= 'A' && c2 <= 'Z')) {
                t.cp = c2;
            } else if (c2 < 0x80 && c2 &&
                       (strchr("bBAzxpPQ", (int)c2) || (c2 >= '0' && c2 <= '7'))) {
                rc = err_set(err, ERR_UNSUPPORTED, "unsupported escape '\\%c' in pattern: \"%.*s\"",
                             (char)c2, (int)n, p);
                goto out;
            } else {
                rc = err_set(err, ERR_SYNTAX, "syntax error in pattern: \"%.*s\"", (int)n, p);
                goto out;
            }
        } else if (ch == '[') {
            /* A class, as filepath.Match reads it (the pattern was checked
             * with it already). */
            const char *c = p + pos, *ce = p + n;
            t.kind = DT_CLASS;
            t.negated = c < ce && *c == '^';
            if (t.negated)
                c++;
            t.r0 = (uint32_t)rs.len;
            for (int nrange = 0;; nrange++) {
                if (c < ce && *c == ']' && nrange > 0) {
                    c++;
                    break;
                }
                uint32_t lo, hi;
                if (class_char(&c, ce, &lo)) {
                    rc = err_set(err, ERR_SYNTAX, "syntax error in pattern: \"%.*s\"", (int)n, p);
                    goto out;
                }
                hi = lo;
                if (*c == '-') {
                    c++;
                    if (class_char(&c, ce, &hi)) {
                        rc = err_set(err, ERR_SYNTAX, "syntax error in pattern: \"%.*s\"", (int)n,
                                     p);
                        goto out;
                    }
                }
                add_range(&rs, lo, hi);
            }
            t.nr = (uint32_t)rs.len - t.r0;
            pos = (size_t)(c - p);
            kind = DK_REGEX;
        } else if (ch == ']') {
            kind = DK_REGEX;
        }
        VEC_PUSH(&ts, t);
    }
    prog->kind = kind;
    if (kind == DK_EXACT) {
        prog->lit = str_make(p, n);
    } else if (kind == DK_PREFIX) {
        prog->lit = str_make(p, n - 2);
    } else if (kind == DK_SUFFIX) {
        prog->lit = str_make(p + 2, n - 2);
    } else {
        prog->n_toks = ts.len;
        prog->toks = ARENA_NEW_ARRAY(a, struct dtok, ts.len ? ts.len : 1);
        if (ts.len)
            memcpy(prog->toks, ts.items, ts.len * sizeof *ts.items);
        prog->ranges = ARENA_NEW_ARRAY(a, struct drange, rs.len ? rs.len : 1);
        if (rs.len)
            memcpy(prog->ranges, rs.items, rs.len * sizeof *rs.items);
    }
    *out = prog;
out:
    VEC_RELEASE(&ts);
    VEC_RELEASE(&rs);
    return rc;
}

static bool class_has(const struct di_prog *p, const struct dtok *t, uint32_t cp)
{
    bool in = false;
    for (uint32_t i = 0; i < t->nr && !in; i++)
        in = p->ranges[t->r0 + i].lo <= cp && cp <= p->ranges[t->r0 + i].hi;
    return in != t->negated;
}

static bool skippable(uint8_t kind)
{
    return kind == DT_STAR || kind == DT_DSTAR_DIR || kind == DT_DSTAR_ALL;
}

/* Runs the whole-string match of a DK_REGEX program as an NFA over the
 * path's code points. State 2i is "before token i", 2i+1 "inside the
 * optional any-characters-then-slash group of a `**` token i"; 2n accepts.
 * As in Go's regexp, the any-character of `**` never matches a newline,
 * while the not-a-slash class of `*` and `?` does. */
static bool regex_match(const struct di_prog *p, const char *s, size_t n)
{
    size_t ns = 2 * p->n_toks + 1;
    uint8_t small[2][256];
    uint8_t *cur = small[0], *nxt = small[1], *heap = NULL;
    if (ns > sizeof small[0]) {
        heap = xmalloc(2 * ns);
        cur = heap;
        nxt = heap + ns;
    }
    memset(cur, 0, ns);
    cur[0] = 1;
    for (size_t i = 0; i < p->n_toks; i++)
        if (cur[2 * i] && skippable(p->toks[i].kind))
            cur[2 * i + 2] = 1;
    bool alive = true;
    for (size_t at = 0; at < n && alive;) {
        size_t l;
        uint32_t cp = utf8_decode(s, n, at, &l);
        at += l;
        memset(nxt, 0, ns);
        for (size_t i = 0; i < p->n_toks; i++) {
            const struct dtok *t = &p->toks[i];
            bool before = cur[2 * i], inside = cur[2 * i + 1];
            if (!before && !inside)
                continue;
            switch (t->kind) {
            case DT_LIT:
                if (cp == t->cp)
                    nxt[2 * i + 2] = 1;
                break;
            case DT_ANY:
                if (cp != '/')
                    nxt[2 * i + 2] = 1;
                break;
            case DT_CLASS:
                if (class_has(p, t, cp))
                    nxt[2 * i + 2] = 1;
                break;
            case DT_STAR:
                if (cp != '/')
                    nxt[2 * i] = 1;
                break;
            case DT_DSTAR_ALL:
                if (cp != '\n')
                    nxt[2 * i] = 1;
                break;
            default: /* DT_DSTAR_DIR */
                if (cp != '\n')
                    nxt[2 * i + 1] = 1;
                if (cp == '/')
                    nxt[2 * i + 2] = 1;
                break;
            }
        }
        alive = false;
        for (size_t i = 0; i < p->n_toks; i++)
            if (nxt[2 * i] && skippable(p->toks[i].kind))
                nxt[2 * i + 2] = 1;
        for (size_t i = 0; i < ns && !alive; i++)
            alive = nxt[i];
        uint8_t *t = cur;
        cur = nxt;
        nxt = t;
    }
    bool ok = alive && cur[ns - 1];
    free(heap);
    return ok;
}

static bool prog_match(const struct di_prog *p, const char *s, size_t n)
{
    switch (p->kind) {
    case DK_EXACT: return n == p->lit.len && memcmp(s, p->lit.ptr, n) == 0;
    case DK_PREFIX: return n >= p->lit.len && memcmp(s, p->lit.ptr, p->lit.len) == 0;
    case DK_SUFFIX:
        if (n >= p->lit.len && memcmp(s + n - p->lit.len, p->lit.ptr, p->lit.len) == 0)
            return true;
        /* `**` followed by `/x` also matches `x` itself. */
        return p->lit.len > 0 && p->lit.ptr[0] == '/' && n == p->lit.len - 1 &&
               memcmp(s, p->lit.ptr + 1, n) == 0;
    default: return regex_match(p, s, n);
    }
}

/* One step of fsutil's walk: the result for path given its parent
 * directory's per-pattern results (NULL at the root). A pattern that matched
 * the parent matches here without being evaluated; otherwise it is
 * evaluated only when it could change the outcome so far (a plain pattern
 * while not excluded, an exception while excluded), and a skipped pattern
 * counts as not matching for the children too. */
static bool match_step(const struct di_file *f, const char *path, size_t n, const uint8_t *parent,
                       uint8_t *info, int *decider)
{
    bool matched = false;
    int dec = -1;
    for (size_t i = 0; i < f->n_patterns; i++) {
        const struct di_pattern *pat = &f->patterns[i];
        bool m = parent && parent[i];
        if (!m) {
            if (pat->exclusion != matched) {
                info[i] = 0;
                continue;
            }
            m = prog_match(pat->prog, path, n);
        }
        info[i] = m;
        if (m) {
            matched = !pat->exclusion;
            dec = (int)i;
        }
    }
    if (decider)
        *decider = dec;
    return matched;
}

bool di_match(const struct di_file *f, const char *path, size_t len, int *decider)
{
    if (decider)
        *decider = -1;
    if (!f || !f->n_patterns)
        return false;
    char *clean = xmalloc(len + 2);
    size_t n = clean_into(path ? path : "", path ? len : 0, clean);
    const char *s = clean;
    if (s[0] == '/') {
        s++;
        n--;
    }
    bool matched = false;
    if (n && !(n == 1 && s[0] == '.')) {
        uint8_t *rows = xmalloc(2 * f->n_patterns);
        uint8_t *parent = NULL, *info = rows;
        for (size_t end = 0; end <= n; end++) {
            if (end < n && s[end] != '/')
                continue;
            matched = match_step(f, s, end, parent, info, decider);
            parent = info;
            info = info == rows ? rows + f->n_patterns : rows;
        }
        free(rows);
    }
    free(clean);
    return matched;
}

/* ---- the ignore file ---- */

DW_PRINTF(6, 7)
static int fail_at(struct err *err, int code, const char *name, uint32_t line, uint32_t col,
                   const char *fmt, ...)
{
    if (!err)
        return code;
    err_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err_at(err, name, line, col);
    return code;
}

struct patterns {
    struct di_pattern *items;
    size_t len, cap;
};

int di_load(struct arena *a, const char *name, const char *data, size_t len, struct di_file **out,
            struct err *err)
{
    *out = NULL;
    if (!name)
        name = ".dockerignore";
    struct patterns ps = VEC_INIT;
    struct buf scratch = BUF_INIT;
    int rc = 0;
    uint32_t line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - data) : len;
        struct str l = str_make(data + pos, eol - pos);
        size_t line_start = pos;
        pos = nl ? eol + 1 : len;
        line++;
        if (l.len >= LINE_MAX_BYTES) {
            rc = fail_at(err, ERR_TOO_LARGE, name, line, 1, "line too long (%d bytes or more)",
                         LINE_MAX_BYTES);
            goto out;
        }
        if (l.len && l.ptr[l.len - 1] == '\r')
            l.len--;
        if (line == 1 && l.len >= 3 && memcmp(l.ptr, "\xEF\xBB\xBF", 3) == 0)
            l = str_slice(l, 3, l.len);
        /* Only a `#` in the very first column starts a comment. */
        if (l.len && l.ptr[0] == '#')
            continue;
        struct str t = trim_space(l);
        if (!t.len)
            continue;
        uint32_t col = (uint32_t)(t.ptr - (data + line_start)) + 1;
        bool invert = t.ptr[0] == '!';
        struct str body = invert ? trim_space(str_slice(t, 1, t.len)) : t;
        buf_reset(&scratch);
        if (invert && buf_append_char(&scratch, '!'))
            goto large;
        if (body.len) {
            if (buf_reserve(&scratch, body.len + 2))
                goto large;
            size_t at = scratch.len;
            size_t n = clean_into(body.ptr, body.len, scratch.data + at);
            /* One leading `/` goes: patterns are relative to the context. */
            if (n > 1 && scratch.data[at] == '/') {
                memmove(scratch.data + at, scratch.data + at + 1, n);
                n--;
            }
            scratch.len = at + n;
        }
        /* What patternmatcher.New then does to the line: trim (again, so
         * `/ x` ends up as `x`), clean (again, so `!/` becomes `!`), and
         * take off the `!`. */
        struct str p = trim_space(buf_str(&scratch));
        if (!p.len)
            continue;
        char *cleaned = di_clean(a, p.ptr, p.len);
        size_t cn = strlen(cleaned);
        bool exclusion = cleaned[0] == '!';
        if (exclusion) {
            if (cn == 1) {
                rc = fail_at(err, ERR_SYNTAX, name, line, col, "illegal exclusion pattern: \"!\"");
                goto out;
            }
            cleaned++;
            cn--;
        }
        /* Malformed patterns are found the way BuildKit finds them: by
         * matching the pattern against ".". */
        if (di_glob_match(cleaned, cn, ".", 1) < 0) {
            rc = fail_at(err, ERR_SYNTAX, name, line, col, "syntax error in pattern: \"%s\"",
                         cleaned);
            goto out;
        }
        struct di_prog *prog = NULL;
        struct err perr;
        if ((rc = prog_compile(a, cleaned, cn, &prog, &perr))) {
            fail_at(err, rc, name, line, col, "%s", perr.msg);
            goto out;
        }
        struct di_pattern *dp = VEC_PUSH_ZERO(&ps);
        dp->text = str_make(cleaned, cn);
        dp->line = line;
        dp->col = col;
        dp->exclusion = exclusion;
        dp->prog = prog;
    }
    struct di_file *f = ARENA_NEW(a, struct di_file);
    f->path = arena_strdup(a, name);
    f->n_patterns = ps.len;
    f->patterns = ARENA_NEW_ARRAY(a, struct di_pattern, ps.len ? ps.len : 1);
    for (size_t i = 0; i < ps.len; i++) {
        f->patterns[i] = ps.items[i];
        f->has_exclusions |= ps.items[i].exclusion;
    }
    *out = f;
    goto out;
large:
    rc = fail_at(err, ERR_TOO_LARGE, name, line, 1, "pattern too large");
out:
    VEC_RELEASE(&ps);
    buf_release(&scratch);
    return rc;
}

int di_load_file(struct arena *a, const char *path, struct di_file **out, struct err *err)
{
    *out = NULL;
    struct buf b = BUF_INIT;
    int rc = file_read_all(path, DI_MAX_FILE, &b, err);
    if (!rc)
        rc = di_load(a, path, buf_cstr(&b), b.len, out, err);
    buf_release(&b);
    return rc;
}

/* 1 when path is a regular file, 0 when it does not exist, or an error. */
static int regular_file(const char *path, struct err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_sys(err, path, "cannot examine ignore file");
    }
    if (!S_ISREG(st.st_mode)) {
        err_set(err, ERR_IO, "ignore file is not a regular file");
        err_at(err, path, 0, 0);
        return ERR_IO;
    }
    return 1;
}

int di_find(struct arena *a, const char *dockerfile_path, const char *context_dir, const char **out,
            struct err *err)
{
    *out = NULL;
    int rc;
    if (dockerfile_path && *dockerfile_path && strcmp(dockerfile_path, "-") != 0) {
        char *p = arena_printf(a, "%s.dockerignore", dockerfile_path);
        if ((rc = regular_file(p, err)) < 0)
            return rc;
        if (rc) {
            *out = p;
            return 0;
        }
    }
    if (context_dir && *context_dir) {
        size_t n = strlen(context_dir);
        bool slash = context_dir[n - 1] == '/';
        char *p = arena_printf(a, "%s%s.dockerignore", context_dir, slash ? "" : "/");
        if ((rc = regular_file(p, err)) < 0)
            return rc;
        if (rc)
            *out = p;
    }
    return 0;
}

/* ---- the walker ---- */

struct entries {
    struct di_entry *items;
    size_t len, cap;
};

struct tops {
    struct di_top *items;
    size_t len, cap;
};

struct walker {
    struct arena *a;
    const struct di_file *f;
    const char *root;
    bool measure;
    bool literal_exceptions; /* every exception is a plain path */
    size_t max_entries;
    struct entries entries;
    struct tops tops;
    uint8_t *rows; /* per-pattern results, one row per depth */
    struct buf path;
    struct err *err;
};

/* Whether an excluded directory can be skipped: nothing below it can come
 * back when there is no exception, or when every exception is a plain path
 * that is not inside it (fsutil's shortcut; a plain exception can only
 * match its own path). */
static bool can_prune(const struct walker *w, const char *rel, size_t n)
{
    const struct di_file *f = w->f;
    if (!f->has_exclusions)
        return true;
    if (!w->literal_exceptions)
        return false;
    for (size_t i = 0; i < f->n_patterns; i++) {
        const struct di_pattern *p = &f->patterns[i];
        if (p->exclusion && p->text.len >= n && memcmp(p->text.ptr, rel, n) == 0 &&
            (p->text.len == n || p->text.ptr[n] == '/'))
            return false;
    }
    return true;
}

/* A failed system call on the current path (errno still set); the error
 * carries the full path. */
static int walk_error(struct walker *w, const char *what)
{
    int saved = errno;
    char full[ERR_PATH_MAX];
    if (w->path.len)
        snprintf(full, sizeof full, "%s/%s", w->root, buf_cstr(&w->path));
    else
        snprintf(full, sizeof full, "%s", w->root);
    errno = saved;
    return err_sys(w->err, full, "%s", what);
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

struct names {
    char **items;
    size_t len, cap;
};

static int read_names(struct walker *w, int fd, struct names *out)
{
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        errno = e;
        return walk_error(w, "cannot read directory");
    }
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        VEC_PUSH(out, xstrdup(de->d_name));
    }
    int e = errno;
    closedir(d);
    if (e) {
        errno = e;
        return walk_error(w, "cannot read directory");
    }
    if (out->len > 1)
        qsort(out->items, out->len, sizeof *out->items, name_cmp);
    return 0;
}

static int walk_dir(struct walker *w, int fd, unsigned depth, const uint8_t *parent, int top)
{
    struct names names = VEC_INIT;
    int rc = read_names(w, fd, &names);
    size_t base = w->path.len;
    size_t np = w->f ? w->f->n_patterns : 0;
    uint8_t *info = w->rows ? w->rows + (size_t)depth * np : NULL;
    for (size_t i = 0; !rc && i < names.len; i++) {
        buf_truncate(&w->path, base);
        if ((base && buf_append_char(&w->path, '/')) || buf_append_cstr(&w->path, names.items[i])) {
            rc = err_set(w->err, ERR_TOO_LARGE, "path too long in build context");
            break;
        }
        struct stat st;
        if (fstatat(fd, names.items[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue; /* removed while we walk */
            rc = walk_error(w, "cannot examine");
            break;
        }
        if (w->entries.len >= w->max_entries) {
            rc = err_set(w->err, ERR_TOO_LARGE, "build context has more than %zu entries",
                         w->max_entries);
            err_at(w->err, w->root, 0, 0);
            break;
        }
        const char *rel = buf_cstr(&w->path);
        size_t rlen = w->path.len;
        struct di_entry e = { 0 };
        e.path = arena_strndup(w->a, rel, rlen);
        e.type = S_ISDIR(st.st_mode)   ? DI_DIR
                 : S_ISLNK(st.st_mode) ? DI_SYMLINK
                 : S_ISREG(st.st_mode) ? DI_FILE
                                       : DI_OTHER;
        e.size = e.type == DI_FILE ? (uint64_t)st.st_size : 0;
        e.decider = -1;
        if (w->f && np)
            e.excluded = match_step(w->f, rel, rlen, parent, info, &e.decider);
        int t = top;
        if (depth == 0) {
            struct di_top *tp = VEC_PUSH_ZERO(&w->tops);
            tp->name = e.path;
            t = (int)w->tops.len - 1;
        }
        e.top = (uint32_t)t;
        struct di_top *tp = &w->tops.items[t];
        if (e.type != DI_DIR) {
            if (e.excluded) {
                tp->excluded_bytes += e.size;
                tp->excluded_files++;
            } else {
                tp->included_bytes += e.size;
                tp->included_files++;
            }
        }
        bool descend = e.type == DI_DIR;
        if (descend && e.excluded && !w->measure && can_prune(w, rel, rlen)) {
            e.pruned = true;
            descend = false;
        }
        VEC_PUSH(&w->entries, e);
        size_t idx = w->entries.len - 1;
        if (!descend) {
            tp->pruned |= e.pruned;
            continue;
        }
        if (depth + 1 >= DI_MAX_DEPTH) {
            char full[ERR_PATH_MAX];
            snprintf(full, sizeof full, "%s/%s", w->root, rel);
            rc = err_set(w->err, ERR_TOO_LARGE, "directory nested more than %d levels deep",
                         DI_MAX_DEPTH);
            err_at(w->err, full, 0, 0);
            break;
        }
        int cfd = openat(fd, names.items[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0) {
            if (errno == ENOENT)
                continue;
            if (e.excluded) {
                /* BuildKit would not send it anyway; just say it is unmeasured. */
                w->entries.items[idx].pruned = true;
                w->tops.items[t].pruned = true;
                continue;
            }
            rc = walk_error(w, "cannot open directory");
            break;
        }
        rc = walk_dir(w, cfd, depth + 1, info, t);
        close(cfd);
    }
    buf_truncate(&w->path, base);
    for (size_t i = 0; i < names.len; i++)
        free(names.items[i]);
    VEC_RELEASE(&names);
    return rc;
}

static bool is_literal(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (strchr("*?[]^\\", s.ptr[i]))
            return false;
    return true;
}

int di_walk(struct arena *a, const char *context_dir, const struct di_file *f,
            const struct di_walk_opts *opts, struct di_context **out, struct err *err)
{
    *out = NULL;
    struct walker w = {
        .a = a,
        .f = f,
        .root = context_dir,
        .measure = opts && opts->measure_excluded,
        .max_entries = opts && opts->max_entries ? opts->max_entries : DI_MAX_ENTRIES,
        .err = err,
    };
    buf_init(&w.path, 0);
    w.literal_exceptions = true;
    if (f) {
        for (size_t i = 0; i < f->n_patterns; i++)
            if (f->patterns[i].exclusion && !is_literal(f->patterns[i].text))
                w.literal_exceptions = false;
        if (f->n_patterns)
            w.rows = xcalloc(DI_MAX_DEPTH + 1, f->n_patterns);
    }
    int fd = open(context_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;
    if (fd < 0) {
        rc = walk_error(&w, "cannot open build context");
    } else {
        rc = walk_dir(&w, fd, 0, NULL, -1);
        close(fd);
    }
    if (!rc) {
        struct di_context *c = ARENA_NEW(a, struct di_context);
        c->n_entries = w.entries.len;
        c->entries = ARENA_NEW_ARRAY(a, struct di_entry, w.entries.len ? w.entries.len : 1);
        if (w.entries.len)
            memcpy(c->entries, w.entries.items, w.entries.len * sizeof *c->entries);
        c->n_tops = w.tops.len;
        c->tops = ARENA_NEW_ARRAY(a, struct di_top, w.tops.len ? w.tops.len : 1);
        if (w.tops.len)
            memcpy(c->tops, w.tops.items, w.tops.len * sizeof *c->tops);
        for (size_t i = 0; i < c->n_tops; i++) {
            c->included_bytes += c->tops[i].included_bytes;
            c->excluded_bytes += c->tops[i].excluded_bytes;
            c->included_files += c->tops[i].included_files;
            c->excluded_files += c->tops[i].excluded_files;
        }
        *out = c;
    }
    free(w.rows);
    buf_release(&w.path);
    VEC_RELEASE(&w.entries);
    VEC_RELEASE(&w.tops);
    return rc;
}

/* ---- COPY/ADD sources ---- */

struct eptrs {
    const struct di_entry **items;
    size_t len, cap;
};

/* Whether the source names something inside the unwalked directory dir:
 * its first segments spell dir literally and it goes deeper. A glob there
 * might or might not reach into dir; we do not guess. */
static bool reaches_into(const char *pat, size_t pn, const char *dir)
{
    size_t dn = strlen(dir);
    if (pn <= dn || pat[dn] != '/' || memcmp(pat, dir, dn) != 0)
        return false;
    for (size_t i = 0; i < dn; i++)
        if (strchr("*?[\\", pat[i]))
            return false;
    return true;
}

static void take(struct di_selection *out, struct eptrs *sel, const struct di_entry *e)
{
    VEC_PUSH(sel, e);
    if (e->type != DI_DIR) {
        out->bytes += e->size;
        out->files++;
    }
}

int di_select(struct arena *a, const struct di_context *ctx, const char *src, size_t len,
              struct di_selection *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    /* Rooted at the context, `..` cannot climb out of it. */
    char *rooted = arena_alloc(a, len + 2);
    rooted[0] = '/';
    if (len)
        memcpy(rooted + 1, src, len);
    char *c = di_clean(a, rooted, len + 1);
    const char *pat = c[1] ? c + 1 : ".";
    size_t pn = strlen(pat);
    out->cleaned = pat;
    if (di_glob_match(pat, pn, ".", 1) < 0)
        return err_set(err, ERR_SYNTAX, "syntax error in pattern: \"%s\"", pat);
    bool all = strcmp(pat, ".") == 0;
    struct eptrs sel = VEC_INIT, ign = VEC_INIT;
    for (size_t i = 0; i < ctx->n_entries;) {
        const struct di_entry *e = &ctx->entries[i++];
        if (all) {
            if (!e->excluded)
                take(out, &sel, e);
            continue;
        }
        size_t en = strlen(e->path);
        if (di_glob_match(pat, pn, e->path, en) != 1) {
            if (e->pruned && reaches_into(pat, pn, e->path))
                VEC_PUSH(&ign, e);
            continue;
        }
        if (e->excluded)
            VEC_PUSH(&ign, e);
        else
            take(out, &sel, e);
        if (e->type != DI_DIR)
            continue;
        /* A matched directory brings what it holds (the walk lists it right
         * after the directory); exceptions inside an excluded one count. */
        for (; i < ctx->n_entries; i++) {
            const struct di_entry *d = &ctx->entries[i];
            if (strncmp(d->path, e->path, en) != 0 || d->path[en] != '/')
                break;
            if (!d->excluded)
                take(out, &sel, d);
        }
    }
    out->n_entries = sel.len;
    out->entries = ARENA_NEW_ARRAY(a, const struct di_entry *, sel.len ? sel.len : 1);
    if (sel.len)
        memcpy(out->entries, sel.items, sel.len * sizeof *sel.items);
    out->n_ignored = ign.len;
    out->ignored = ARENA_NEW_ARRAY(a, const struct di_entry *, ign.len ? ign.len : 1);
    if (ign.len)
        memcpy(out->ignored, ign.items, ign.len * sizeof *ign.items);
    VEC_RELEASE(&sel);
    VEC_RELEASE(&ign);
    return 0;
}
