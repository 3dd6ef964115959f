/* One instruction of the model from its syntax node: keyword, flags (with
 * --mount options split), exec form (decoded JSON strings), shell form
 * (the logical text BuildKit hands to the shell and its src segments),
 * blank-split words, pairs, heredocs, the FROM/USER/ONBUILD parts, and the
 * shell script of RUN. Every child list is read once with the cursor
 * (mb_kids); nothing here re-scans the instruction's text except the few
 * bytes of a heredoc marker or a shebang line. */
#include "analyzer/model_int.h"
#include "common/utf8.h"

#include <string.h>

/* Deepest nesting the scan of an instruction enters (expansions can nest
 * `${a:-${b:-...}}` deeply; errors below this depth are reported at the
 * enclosing ERROR). */
#define SCAN_MAX_DEPTH 256
/* ONBUILD triggers are built to this depth. BuildKit refuses any chained
 * `ONBUILD ONBUILD`; the cap keeps the recursion off the stack's limits
 * for a line of thousands of them. */
#define TRIGGER_MAX_DEPTH 16

int mb_keyword_kind(uint16_t sym)
{
    if (sym >= S_KW_FROM && sym <= S_KW_SHELL)
        return (int)(sym - S_KW_FROM);
    return -1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* ------------------------------------------------------------------- scan */

static void add_dropped(struct mb *b, uint32_t start, uint32_t end)
{
    if (b->dropped.len && VEC_LAST(&b->dropped).end > start) {
        /* Overlaps the previous range (a comment after a continuation):
         * merge so that the list stays sorted and disjoint. */
        if (VEC_LAST(&b->dropped).end < end)
            VEC_LAST(&b->dropped).end = end;
        return;
    }
    VEC_PUSH(&b->dropped, span_make(start, end));
}

static void add_comment(struct mb *b, uint32_t start, uint32_t end)
{
    const char *nl = memchr(b->src + start, '\n', end - start);
    uint32_t ce = nl ? (uint32_t)(nl - b->src) : end;
    if (ce > start && b->src[ce - 1] == '\r')
        ce--;
    VEC_PUSH(&b->comments, span_make(start, ce));
}

/* Walks an instruction that spans lines or holds errors: continuations and
 * comment lines become dropped ranges, comments are recorded, ERROR and
 * MISSING nodes are collected. Only children that span lines or hold errors
 * are entered: a single-line node can hold neither a continuation nor a
 * comment line (both end with a line ending). The children it reads stay
 * on b->kids, each entered kid pointing at its own, so that the build of
 * the instruction does not read them a second time (a sibling step of the
 * tree-sitter cursor costs hundreds of instructions). Returns the index
 * of node's first child in b->kids and sets *n. */
static uint32_t scan(struct mb *b, TSNode node, uint16_t sym, uint32_t depth, uint32_t *n)
{
    uint32_t base = mb_kids(b, node, n);
    for (uint32_t i = 0; i < *n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        bool enter = false;
        if (k.sym == S_LINE_CONTINUATION) {
            add_dropped(b, k.start, k.end);
        } else if (k.sym == S_COMMENT) {
            uint32_t s = k.start;
            add_comment(b, s, k.end);
            /* The whole line goes, with the blanks before its '#'. */
            while (s > 0 && (b->src[s - 1] == ' ' || b->src[s - 1] == '\t'))
                s--;
            add_dropped(b, s, k.end);
        } else if (k.sym == S_ERROR || k.missing) {
            struct mb_errnode *e = VEC_PUSH_ZERO(&b->errs);
            e->k = k;
            e->parent = node;
            e->parent_sym = sym;
            /* Comments and continuations inside an ERROR still go. */
            enter = k.sym == S_ERROR &&
                    ts_node_start_point(k.node).row != ts_node_end_point(k.node).row;
        } else {
            enter = ts_node_start_point(k.node).row != ts_node_end_point(k.node).row ||
                    ts_node_has_error(k.node);
        }
        if (enter && depth + 1 < SCAN_MAX_DEPTH) {
            uint32_t kn;
            uint32_t kb = scan(b, k.node, k.sym, depth + 1, &kn);
            b->kids.items[base + i].kids = kb;
            b->kids.items[base + i].n_kids = kn;
        }
    }
    return base;
}

/* ------------------------------------------------------------------ words */

static struct df_text kid_text(struct mb *b, struct mb_kid k)
{
    return mb_text(b, k.start, k.end);
}

struct str mb_flag_unquote(struct arena *a, struct str s, int escape)
{
    bool plain = true;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '\'' || s.ptr[i] == '"' || s.ptr[i] == escape)
            plain = false;
    if (plain)
        return s;
    char *out = arena_alloc(a, s.len + 1);
    size_t n = 0;
    char quote = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                out[n++] = c;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == escape) {
            /* The escape char keeps the next character; a trailing one is
             * dropped (dockerfile.md section 5). */
            if (i + 1 < s.len)
                out[n++] = s.ptr[++i];
        } else {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return str_make(out, n);
}

static uint32_t hex4(const char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        v = v * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

/* The content of a JSON string literal (between its quotes) decoded as
 * Go's encoding/json does: surrogate pairs joined, a lone surrogate becomes
 * U+FFFD. A slice of src when there is no escape. */
static struct str json_unescape(struct mb *b, const char *p, size_t n)
{
    if (!memchr(p, '\\', n))
        return str_make(p, n);
    char *out = arena_alloc(b->a, n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\' || i + 1 >= n) {
            out[len++] = p[i];
            continue;
        }
        char e = p[++i];
        switch (e) {
        case 'b': out[len++] = '\b'; break;
        case 'f': out[len++] = '\f'; break;
        case 'n': out[len++] = '\n'; break;
        case 'r': out[len++] = '\r'; break;
        case 't': out[len++] = '\t'; break;
        case 'u': {
            if (i + 4 >= n) {
                out[len++] = e;
                break;
            }
            uint32_t cp = hex4(p + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n && p[i + 1] == '\\' && p[i + 2] == 'u') {
                uint32_t lo = hex4(p + i + 3);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            len += utf8_encode(cp, out + len);
            break;
        }
        default: out[len++] = e;
        }
    }
    out[len] = '\0';
    return str_make(out, len);
}

struct df_text mb_json_string(struct mb *b, struct mb_kid str)
{
    /* A JSON string cannot span lines: its text is a slice of src. */
    uint32_t s = str.start + 1, e = str.end;
    if (e > s && b->src[e - 1] == '"')
        e--;
    if (e < s)
        e = s;
    struct df_text t = { json_unescape(b, b->src + s, e - s), span_make(str.start, str.end) };
    return t;
}

/* ------------------------------------------------------------------- JSON */

/* BuildKit tries exec form when the text starts with '[': the whole text
 * must be one JSON value (Go's encoding/json), an array; a valid array
 * with a non-string element is an error, anything else falls back to
 * shell form. The grammar reads arrays of strings and scalar elements; a
 * nested array or object falls back to shell form there, so the model
 * validates that text. Depth is capped (Go caps it too, at 10000). */
#define JSON_MAX_DEPTH 512

struct json_scan {
    const char *p, *s, *e;
    int depth;
};

static void json_ws(struct json_scan *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool json_value(struct json_scan *j);

static bool json_str(struct json_scan *j)
{
    j->p++;
    while (j->p < j->e) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            j->p++;
            if (j->p >= j->e)
                return false;
            if (*j->p == 'u') {
                for (int k = 1; k <= 4; k++) {
                    char h = j->p + k < j->e ? j->p[k] : 0;
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return false;
                }
                j->p += 4;
            } else if (!strchr("\"\\/bfnrt", *j->p)) {
                return false;
            }
        }
        j->p++;
    }
    return false;
}

static bool json_digits(struct json_scan *j)
{
    const char *d = j->p;
    while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > d;
}

static bool json_number(struct json_scan *j)
{
    if (*j->p == '-')
        j->p++;
    if (j->p < j->e && *j->p == '0')
        j->p++;
    else if (!json_digits(j))
        return false;
    if (j->p < j->e && *j->p == '.') {
        j->p++;
        if (!json_digits(j))
            return false;
    }
    if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!json_digits(j))
            return false;
    }
    return true;
}

static bool json_word(struct json_scan *j, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(j->e - j->p) < n || memcmp(j->p, w, n) != 0)
        return false;
    j->p += n;
    return true;
}

/* A list `open value {, value} close` (or key: value pairs for objects). */
static bool json_list(struct json_scan *j, char close, bool object)
{
    if (++j->depth > JSON_MAX_DEPTH)
        return false;
    j->p++;
    json_ws(j);
    if (j->p < j->e && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (j->p >= j->e || *j->p != '"' || !json_str(j))
                return false;
            json_ws(j);
            if (j->p >= j->e || *j->p != ':')
                return false;
            j->p++;
            json_ws(j);
        }
        if (!json_value(j))
            return false;
        json_ws(j);
        if (j->p < j->e && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->e && *j->p == close) {
            j->p++;
            j->depth--;
            return true;
        }
        return false;
    }
}

static bool json_value(struct json_scan *j)
{
    if (j->p >= j->e)
        return false;
    switch (*j->p) {
    case '"': return json_str(j);
    case '[': return json_list(j, ']', false);
    case '{': return json_list(j, '}', true);
    case 't': return json_word(j, "true");
    case 'f': return json_word(j, "false");
    case 'n': return json_word(j, "null");
    default: return json_number(j);
    }
}

/* Whether text is one JSON array holding a non-string element; *bad and
 * *bad_end are its logical offsets. The strings of the array are pushed on
 * b->exec (with empty spans: the caller maps them). */
static bool json_non_string(struct mb *b, struct str text, uint32_t *bad, uint32_t *bad_end)
{
    struct json_scan j = { text.ptr, text.ptr, text.ptr + text.len, 0 };
    json_ws(&j);
    if (j.p >= j.e || *j.p != '[')
        return false;
    j.p++;
    j.depth = 1;
    bool found = false;
    size_t eb = b->exec.len;
    json_ws(&j);
    if (j.p < j.e && *j.p == ']') {
        j.p++;
    } else {
        for (;;) {
            json_ws(&j);
            const char *v = j.p;
            if (!json_value(&j))
                goto invalid;
            if (*v == '"') {
                struct df_text t = { json_unescape(b, v + 1, (size_t)(j.p - v - 2)), { 0, 0 } };
                VEC_PUSH(&b->exec, t);
            } else if (!found) {
                found = true;
                *bad = (uint32_t)(v - text.ptr);
                *bad_end = (uint32_t)(j.p - text.ptr);
            }
            json_ws(&j);
            if (j.p < j.e && *j.p == ',') {
                j.p++;
                continue;
            }
            if (j.p < j.e && *j.p == ']') {
                j.p++;
                break;
            }
            goto invalid;
        }
    }
    json_ws(&j);
    if (j.p == j.e && found)
        return true;
invalid:
    b->exec.len = eb;
    return false;
}

/* The src offset of logical offset l of the text src[start, end). */
static uint32_t logical_to_src(struct mb *b, uint32_t start, uint32_t end, uint32_t l)
{
    size_t base = b->segs.len;
    mb_pieces(b, start, end);
    uint32_t pos = end;
    for (size_t i = base; i < b->segs.len; i++) {
        uint32_t n = b->segs.items[i].end - b->segs.items[i].start;
        if (l < n) {
            pos = b->segs.items[i].start + l;
            break;
        }
        l -= n;
    }
    b->segs.len = base;
    return pos;
}

/* A shell-form text that is valid JSON with a non-string element: BuildKit
 * refuses it (dockerfile.md section 6). */
static void check_json_fallback(struct mb *b, struct df_instr *in, struct df_text text)
{
    uint32_t bad = 0, bad_end = 0;
    size_t eb = b->exec.len;
    if (text.raw.len == 0 || text.raw.ptr[0] != '[' ||
        !json_non_string(b, text.raw, &bad, &bad_end))
        return;
    in->exec_non_string = true;
    in->form = DF_FORM_EXEC;
    /* The strings stay on b->exec: the instruction takes them from there. */
    for (size_t i = eb; i < b->exec.len; i++)
        b->exec.items[i].span = text.span;
    uint32_t s = logical_to_src(b, text.span.start, text.span.end, bad);
    uint32_t e = logical_to_src(b, text.span.start, text.span.end, bad_end - 1) + 1;
    struct str shown = str_make(text.raw.ptr + bad, bad_end - bad > 40 ? 40 : bad_end - bad);
    in->has_syntax_error = true;
    mb_error(b, span_make(s, e), DF_SYN_JSON_NON_STRING, in->parent ? in->parent : in,
             "expected a JSON string in the exec form of %s, found '%.*s' (BuildKit accepts "
             "arrays of strings only)",
             df_kind_name(in->kind), STR_FMT(shown));
}

static void json_array(struct mb *b, struct mb_kid arr)
{
    uint32_t n;
    uint32_t base = mb_kids_of(b, arr, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_JSON_STRING)
            VEC_PUSH(&b->exec, mb_json_string(b, k));
    }
    mb_kids_pop(b, base);
}

/* ------------------------------------------------------------------ flags */

static void mount_options(struct mb *b, struct mb_kid opts)
{
    uint32_t n;
    uint32_t base = mb_kids_of(b, opts, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid o = mb_kid_at(b, base + i);
        if (o.sym != S_MOUNT_OPTION)
            continue;
        struct df_mount_opt *m = VEC_PUSH_ZERO(&b->mopts);
        uint32_t on;
        uint32_t ob = mb_kids_of(b, o, &on);
        bool eq = false;
        for (uint32_t j = 0; j < on; j++) {
            struct mb_kid k = mb_kid_at(b, ob + j);
            /* m may move when mopts grows: only the outer loop pushes. */
            if (k.sym == S_MOUNT_KEY) {
                m->key = kid_text(b, k);
            } else if (k.sym == S_T_EQ && !k.missing) {
                eq = true;
                m->value = mb_text(b, k.end, k.end);
            } else if (k.sym == S_MOUNT_VALUE) {
                m->value = kid_text(b, k);
            }
        }
        if (!eq && !m->value.raw.ptr)
            m->value = (struct df_text){ STR_NULL, span_make(o.end, o.end) };
        mb_kids_pop(b, ob);
    }
    mb_kids_pop(b, base);
}

static void add_flag(struct mb *b, struct mb_kid flag)
{
    struct df_flag fl;
    memset(&fl, 0, sizeof fl);
    fl.span = span_make(flag.start, flag.end);
    fl.value = (struct df_text){ STR_NULL, span_make(flag.end, flag.end) };
    size_t mbase = b->mopts.len;
    uint32_t n;
    uint32_t base = mb_kids_of(b, flag, &n);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_FLAG_NAME) {
            fl.name = kid_text(b, k);
        } else if (k.sym == S_T_EQ && !k.missing) {
            fl.value = mb_text(b, k.end, k.end);
        } else if (k.sym == S_FLAG_VALUE) {
            fl.value = kid_text(b, k);
        } else if (k.sym == S_MOUNT_OPTIONS) {
            fl.value = kid_text(b, k);
            mount_options(b, k);
        }
    }
    mb_kids_pop(b, base);
    fl.n_mount = (uint32_t)(b->mopts.len - mbase);
    fl.mount = mb_dup(b, VEC_PTR(&b->mopts, mbase), fl.n_mount, sizeof *b->mopts.items);
    b->mopts.len = mbase;
    VEC_PUSH(&b->flags, fl);
}

/* ------------------------------------------------------------------ pairs */

static void add_pair(struct mb *b, struct mb_kid pair)
{
    struct df_pair p;
    memset(&p, 0, sizeof p);
    p.span = span_make(pair.start, pair.end);
    p.value = (struct df_text){ STR_NULL, span_make(pair.end, pair.end) };
    uint32_t n;
    uint32_t base = mb_kids_of(b, pair, &n);
    bool have_key = false;
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_KEY && !have_key) {
            p.key = kid_text(b, k);
            have_key = true;
        } else if (k.sym == S_T_EQ && !k.missing) {
            p.value = mb_text(b, k.end, k.end);
        } else if (k.sym == S_VALUE) {
            p.value = kid_text(b, k);
        } else if (k.sym == S_LEGACY_VALUE) {
            p.value = kid_text(b, k);
            p.legacy = true;
        }
    }
    mb_kids_pop(b, base);
    /* A pair the parser invented around a MISSING name (`ONBUILD ARG`). */
    if (!have_key || (p.key.raw.len == 0 && span_len(p.span) == 0))
        return;
    VEC_PUSH(&b->pairs, p);
}

/* --------------------------------------------------------------- heredocs */

/* Splits a marker `[n]<<[-][blanks]word` and removes shell quoting from the
 * word (backslash escapes whatever the escape directive says). */
static void add_marker(struct mb *b, struct mb_kid k)
{
    struct df_heredoc h;
    memset(&h, 0, sizeof h);
    h.marker = span_make(k.start, k.end);
    struct df_text t = kid_text(b, k);
    const char *p = t.raw.ptr, *e = p + t.raw.len;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    if (e - p >= 2 && p[0] == '<' && p[1] == '<')
        p += 2;
    if (p < e && *p == '-') {
        h.strip_tabs = true;
        p++;
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    bool plain = true;
    for (const char *q = p; q < e; q++)
        if (*q == '\'' || *q == '"' || *q == '\\')
            plain = false;
    if (plain) {
        h.delimiter = str_make(p, (size_t)(e - p));
    } else {
        char *out = arena_alloc(b->a, (size_t)(e - p) + 1);
        size_t n = 0;
        while (p < e) {
            char c = *p;
            if (c == '\'') {
                h.quoted = true;
                for (p++; p < e && *p != '\''; p++)
                    out[n++] = *p;
                if (p < e)
                    p++;
            } else if (c == '"') {
                h.quoted = true;
                for (p++; p < e && *p != '"'; p++) {
                    if (*p == '\\' && p + 1 < e &&
                        (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
                        p++;
                    out[n++] = *p;
                }
                if (p < e)
                    p++;
            } else if (c == '\\') {
                if (p + 1 < e)
                    out[n++] = p[1];
                p += 2;
            } else {
                out[n++] = c;
                p++;
            }
        }
        out[n] = '\0';
        h.delimiter = str_make(out, n);
    }
    VEC_PUSH(&b->heredocs, h);
}

static uint32_t trim_eol(const struct mb *b, uint32_t start, uint32_t end)
{
    if (end > start && b->src[end - 1] == '\n')
        end--;
    if (end > start && b->src[end - 1] == '\r')
        end--;
    return end;
}

static void heredoc_block(struct mb *b, struct mb_kid blk, struct df_heredoc *h)
{
    uint32_t n;
    uint32_t base = mb_kids_of(b, blk, &n);
    bool body = false;
    h->body = span_make(blk.start, blk.start);
    h->end = span_make(blk.end, blk.end);
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_HEREDOC_BODY) {
            h->body = span_make(k.start, k.end);
            body = true;
        } else if (k.sym == S_HEREDOC_END && !k.missing) {
            h->end = span_make(k.start, trim_eol(b, k.start, k.end));
            h->terminated = true;
            if (!body)
                h->body = span_make(k.start, k.start);
        }
    }
    if (!h->terminated)
        h->end = span_make(h->body.end, h->body.end);
    mb_kids_pop(b, base);
}

/* Whether a POSIX shell runs a heredoc body given as the whole RUN command:
 * no shebang, or one naming sh, bash, dash or ash (directly or via env). */
static bool body_is_posix(const struct mb *b, struct span body)
{
    const char *p = b->src + body.start, *e = b->src + body.end;
    if (e - p < 2 || p[0] != '#' || p[1] != '!')
        return true;
    const char *nl = memchr(p, '\n', (size_t)(e - p));
    if (nl)
        e = nl;
    p += 2;
    bool env = false;
    for (;;) {
        while (p < e && is_blank(*p))
            p++;
        const char *w = p;
        while (p < e && !is_blank(*p))
            p++;
        if (w == p)
            return false;
        const char *name = w;
        for (const char *q = w; q < p; q++)
            if (*q == '/')
                name = q + 1;
        struct str s = str_make(name, (size_t)(p - name));
        if (!env && str_eq_cstr(s, "env")) {
            env = true;
            continue;
        }
        if (env && w[0] == '-')
            continue; /* env -S, env -i ... */
        return str_eq_cstr(s, "sh") || str_eq_cstr(s, "bash") || str_eq_cstr(s, "dash") ||
               str_eq_cstr(s, "ash");
    }
}

/* Whether a command feeds a heredoc to a POSIX shell reading its stdin:
 * sh/bash/dash/ash with flags only, none of them -c. */
static bool call_is_stdin_shell(const struct sh_call *c)
{
    if (!(sh_call_is(c, "sh") || sh_call_is(c, "bash") || sh_call_is(c, "dash") ||
          sh_call_is(c, "ash")))
        return false;
    for (uint32_t i = 1; i < c->argc; i++) {
        struct str v = c->argv[i].value;
        if (v.len < 2 || v.ptr[0] != '-' || (v.ptr[1] == '-' && v.len == 2))
            return false;
        if (v.ptr[1] != '-' && memchr(v.ptr, 'c', v.len))
            return false;
    }
    return true;
}

/* The shell scripts of a RUN in shell form (dockerfile.md section 7). */
static void run_scripts(struct mb *b, struct df_instr *in, struct df_heredoc *hd, uint32_t n_hd,
                        bool marker_only)
{
    if (n_hd == 0) {
        struct sh_input si = { b->src, in->shell_segs, in->n_shell_segs };
        in->script = sh_parse(&si, b->a);
        return;
    }
    if (marker_only) {
        /* The body is the script, run by the shell unless a shebang names
         * another interpreter. */
        if (body_is_posix(b, hd[0].body))
            hd[0].script = sh_parse_range(b->src, hd[0].body.start, hd[0].body.end, b->a);
        in->script = hd[0].script;
        return;
    }
    /* BuildKit joins the command line, the bodies and their delimiters
     * with newlines and hands that to the shell: read the bodies from the
     * newline that ends the command line on. */
    size_t base = b->segs.len;
    for (uint32_t i = 0; i < in->n_shell_segs; i++)
        VEC_PUSH(&b->segs, in->shell_segs[i]);
    uint32_t from = hd[0].body.start > 0 ? hd[0].body.start - 1 : 0;
    uint32_t to = hd[n_hd - 1].terminated ? hd[n_hd - 1].end.end : hd[n_hd - 1].body.end;
    if (from >= in->shell.span.end && to > from)
        VEC_PUSH(&b->segs, ((struct sh_segment){ from, to }));
    struct sh_input si = { b->src, VEC_PTR(&b->segs, base), (uint32_t)(b->segs.len - base) };
    in->script = sh_parse(&si, b->a);
    b->segs.len = base;
    const struct sh_script *s = in->script;
    for (uint32_t h = 0; h < n_hd; h++) {
        const struct sh_call *consumer = NULL;
        for (uint32_t v = 0; v < s->n_cmds; v++) {
            const struct sh_node *node = s->cmds[v].call.node;
            for (const struct sh_redir *r = node->redirs; r; r = r->next) {
                if ((r->kind == SH_REDIR_HEREDOC || r->kind == SH_REDIR_HEREDOC_TABS) &&
                    r->body_span.start == hd[h].body.start)
                    consumer = &s->cmds[v].call; /* the last visit: after wrappers */
            }
        }
        if (consumer && call_is_stdin_shell(consumer))
            hd[h].script = sh_parse_range(b->src, hd[h].body.start, hd[h].body.end, b->a);
    }
}

/* ------------------------------------------------------------ instruction */

static unsigned trigger_depth(const struct df_instr *in)
{
    unsigned d = 0;
    for (; in->parent; in = in->parent)
        d++;
    return d;
}

static bool takes_command(enum df_kind kind)
{
    return kind == DF_RUN || kind == DF_CMD || kind == DF_ENTRYPOINT || kind == DF_SHELL ||
           kind == DF_HEALTHCHECK;
}

/* Builds an instruction from the children of self.node (the ones on
 * b->kids when self.kids is set) from the first_kid-th on (an ONBUILD that lost its shape inside an
 * ERROR holds its trigger's keyword and arguments as further children of the same node). */
static struct df_instr *build_instr(struct mb *b, struct mb_kid self, enum df_kind kind,
                                    bool from_error, const struct df_instr *parent,
                                    uint32_t first_kid, uint32_t first_start);

struct df_instr *mb_instr(struct mb *b, TSNode node, enum df_kind kind, bool from_error,
                          const struct df_instr *parent)
{
    struct mb_kid self = { .node = node, .kids = MB_NO_KIDS };
    return build_instr(b, self, kind, from_error, parent, 0, ts_node_start_byte(node));
}

static struct df_instr *build_instr(struct mb *b, struct mb_kid self, enum df_kind kind,
                                    bool from_error, const struct df_instr *parent,
                                    uint32_t first_kid, uint32_t first_start)
{
    TSNode node = self.node;
    struct df_instr *in = ARENA_NEW(b->a, struct df_instr);
    in->kind = kind;
    in->index = (uint32_t)b->all.len;
    VEC_PUSH(&b->all, in);
    in->parent = parent;
    in->stage = parent ? parent->stage : b->cur_stage;
    uint32_t start = first_start, end = ts_node_end_byte(node);
    in->span = span_make(start, end);
    in->keyword = span_make(start, start);
    in->as_keyword = span_make(end, end);
    in->stage_name.span = span_make(end, end);
    in->user.span = in->group.span = span_make(end, end);
    bool has_err = b->tree_has_error && ts_node_has_error(node);
    in->has_syntax_error = from_error || has_err;

    size_t errs_base = b->errs.len;
    uint32_t floor_save = b->kids_floor;
    bool scanned = false;
    if (!parent && self.kids == MB_NO_KIDS &&
        (from_error || has_err || ts_node_start_point(node).row != ts_node_end_point(node).row)) {
        /* The root is never reported: its caller words it. */
        self.kids = scan(b, node, S_OTHER, 0, &self.n_kids);
        b->kids_floor = (uint32_t)b->kids.len;
        scanned = true;
    }

    size_t flags_base = b->flags.len, texts_base = b->texts.len, exec_base = b->exec.len;
    size_t pairs_base = b->pairs.len, hd_base = b->heredocs.len;
    bool have_kw = false, have_trigger = false;
    uint32_t shell_start = UINT32_MAX, shell_end = 0, shell_parts = 0, shell_markers = 0;
    uint32_t blocks = 0;
    uint32_t user_start = UINT32_MAX, user_end = 0, colon_end = 0;
    bool colon = false;

    uint32_t n;
    uint32_t base = mb_kids_of(b, self, &n);
    for (uint32_t i = first_kid; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.missing && k.sym != S_T_EQ)
            continue;
        if (!have_kw && mb_keyword_kind(k.sym) >= 0) {
            in->keyword = span_make(k.start, k.end);
            have_kw = true;
            continue;
        }
        if (from_error && kind == DF_ONBUILD && !have_trigger && mb_keyword_kind(k.sym) >= 0 &&
            trigger_depth(in) < TRIGGER_MAX_DEPTH) {
            /* The rest of the ERROR is the trigger. */
            have_trigger = true;
            in->trigger =
                build_instr(b, self, (enum df_kind)mb_keyword_kind(k.sym), true, in, i, k.start);
            break;
        }
        switch (k.sym) {
        case S_INSTRUCTION_NAME:
            in->keyword = span_make(k.start, k.end);
            have_kw = true;
            break;
        case S_FLAG: add_flag(b, k); break;
        case S_KW_AS:
            in->as_keyword = span_make(k.start, k.end);
            VEC_PUSH(&b->texts, kid_text(b, k));
            break;
        case S_KW_CMD: VEC_PUSH(&b->texts, kid_text(b, k)); break;
        case S_KW_NONE:
            VEC_PUSH(&b->texts, kid_text(b, k));
            in->form = DF_FORM_NONE;
            break;
        case S_IMAGE_SPEC:
            in->image.text = kid_text(b, k);
            if (k.end > k.start)
                VEC_PUSH(&b->texts, in->image.text);
            break;
        case S_IMAGE_ALIAS:
            in->stage_name = kid_text(b, k);
            VEC_PUSH(&b->texts, in->stage_name);
            break;
        case S_SHELL_COMMAND: {
            if (shell_start == UINT32_MAX)
                shell_start = k.start;
            shell_end = k.end;
            uint32_t cn;
            uint32_t cb = mb_kids_of(b, k, &cn);
            for (uint32_t j = 0; j < cn; j++) {
                struct mb_kid c = mb_kid_at(b, cb + j);
                if (c.sym == S_SHELL_FRAGMENT) {
                    shell_parts++;
                } else if (c.sym == S_HEREDOC_MARKER) {
                    shell_parts++;
                    shell_markers++;
                    add_marker(b, c);
                }
            }
            mb_kids_pop(b, cb);
            break;
        }
        case S_SHELL_FRAGMENT:
            /* Only inside an ERROR: the command lost its wrapper. */
            if (takes_command(kind)) {
                if (shell_start == UINT32_MAX)
                    shell_start = k.start;
                shell_end = k.end;
                shell_parts++;
            }
            break;
        case S_HEREDOC_MARKER:
            add_marker(b, k);
            if (takes_command(kind)) {
                if (shell_start == UINT32_MAX)
                    shell_start = k.start;
                shell_end = k.end;
                shell_parts++;
                shell_markers++;
            } else {
                VEC_PUSH(&b->texts, kid_text(b, k));
            }
            break;
        case S_HEREDOC_BLOCK:
            if (hd_base + blocks < b->heredocs.len)
                heredoc_block(b, k, &b->heredocs.items[hd_base + blocks]);
            blocks++;
            break;
        case S_HEREDOC_BODY:
            /* An unterminated heredoc: the body ran to the end of the file. */
            if (hd_base + blocks < b->heredocs.len) {
                struct df_heredoc *h = &b->heredocs.items[hd_base + blocks];
                h->body = span_make(k.start, k.end);
                h->end = span_make(k.end, k.end);
            }
            blocks++;
            break;
        case S_JSON_ARRAY:
            in->form = DF_FORM_EXEC;
            json_array(b, k);
            break;
        case S_PATH:
        case S_EXPOSE_PORT:
        case S_SIGNAL:
        case S_MAINTAINER_TEXT:
        case S_ARGUMENTS:
            /* Empty: a word the parser invented around a MISSING node. */
            if (k.end > k.start)
                VEC_PUSH(&b->texts, kid_text(b, k));
            break;
        case S_ENV_PAIR:
        case S_LABEL_PAIR:
        case S_ARG_PAIR: add_pair(b, k); break;
        case S_USER_NAME:
            in->user = kid_text(b, k);
            if (user_start == UINT32_MAX)
                user_start = k.start;
            user_end = k.end;
            break;
        case S_T_COLON:
            if (kind == DF_USER && !k.missing) {
                colon = true;
                colon_end = k.end;
                if (user_start == UINT32_MAX)
                    user_start = k.start;
                user_end = k.end;
            }
            break;
        case S_USER_GROUP:
            in->group = kid_text(b, k);
            if (user_start == UINT32_MAX)
                user_start = k.start;
            user_end = k.end;
            break;
        default:
            /* `ONBUILD` followed by nothing the parser could place: the
             * trigger it invented has a MISSING keyword; leave it out. */
            if (k.sym <= S_UNKNOWN_I && kind == DF_ONBUILD && !have_trigger &&
                trigger_depth(in) < TRIGGER_MAX_DEPTH &&
                !(ts_node_child_count(k.node) > 0 &&
                  ts_node_is_missing(ts_node_child(k.node, 0)))) {
                have_trigger = true;
                in->trigger = build_instr(b, k, (enum df_kind)k.sym, false, in, 0, k.start);
            }
            break;
        }
    }
    mb_kids_pop(b, base);

    /* USER: the one argument is the whole text, split at the first ':'. */
    if (kind == DF_USER && user_start != UINT32_MAX) {
        VEC_PUSH(&b->texts, mb_text(b, user_start, user_end));
        if (colon && !in->group.raw.ptr)
            in->group = mb_text(b, colon_end, colon_end);
    }

    if (shell_start != UINT32_MAX && shell_end >= shell_start) {
        in->form = DF_FORM_SHELL;
        in->shell = mb_text(b, shell_start, shell_end);
        size_t sb = b->segs.len;
        mb_pieces(b, shell_start, shell_end);
        in->n_shell_segs = (uint32_t)(b->segs.len - sb);
        in->shell_segs = mb_dup(b, VEC_PTR(&b->segs, sb), in->n_shell_segs, sizeof *b->segs.items);
        b->segs.len = sb;
    }

    uint32_t n_hd = (uint32_t)(b->heredocs.len - hd_base);
    struct df_heredoc *hd = VEC_PTR(&b->heredocs, hd_base);
    for (uint32_t h = 0; h < n_hd; h++) {
        if (h >= blocks) /* no body at all: the marker was on the last line */
            hd[h].body = hd[h].end = span_make(end, end);
        if (!hd[h].terminated)
            mb_error(b, hd[h].marker, DF_SYN_UNTERMINATED_HEREDOC, parent ? parent : in,
                     "unterminated heredoc '%.*s': no line '%.*s' before the end of the file",
                     STR_FMT(hd[h].delimiter), STR_FMT(hd[h].delimiter));
    }
    if (takes_command(kind) && in->form == DF_FORM_SHELL)
        check_json_fallback(b, in, in->shell);
    if ((kind == DF_COPY || kind == DF_ADD || kind == DF_VOLUME) && in->form == DF_FORM_NONE &&
        b->texts.len > texts_base && b->texts.items[texts_base].raw.len &&
        b->texts.items[texts_base].raw.ptr[0] == '[')
        check_json_fallback(
            b, in, mb_text(b, b->texts.items[texts_base].span.start, VEC_LAST(&b->texts).span.end));
    if (kind == DF_RUN && in->form == DF_FORM_SHELL)
        run_scripts(b, in, hd, n_hd, shell_parts == 1 && shell_markers == 1);

    in->n_flags = (uint32_t)(b->flags.len - flags_base);
    in->flags = mb_dup(b, VEC_PTR(&b->flags, flags_base), in->n_flags, sizeof *b->flags.items);
    b->flags.len = flags_base;
    in->n_args = (uint32_t)(b->texts.len - texts_base);
    in->args = mb_dup(b, VEC_PTR(&b->texts, texts_base), in->n_args, sizeof *b->texts.items);
    b->texts.len = texts_base;
    in->n_exec = (uint32_t)(b->exec.len - exec_base);
    in->exec = mb_dup(b, VEC_PTR(&b->exec, exec_base), in->n_exec, sizeof *b->exec.items);
    b->exec.len = exec_base;
    in->n_pairs = (uint32_t)(b->pairs.len - pairs_base);
    in->pairs = mb_dup(b, VEC_PTR(&b->pairs, pairs_base), in->n_pairs, sizeof *b->pairs.items);
    b->pairs.len = pairs_base;
    in->n_heredocs = n_hd;
    in->heredocs = mb_dup(b, hd, n_hd, sizeof *hd);
    b->heredocs.len = hd_base;

    if (!parent) {
        if (from_error)
            mb_report_keyword_error(b, in, node);
        else
            mb_report_errors(b, in, (uint32_t)errs_base);
        b->errs.len = errs_base;
    }
    if (scanned) {
        b->kids_floor = floor_save;
        b->kids.len = self.kids;
    }
    return in;
}
