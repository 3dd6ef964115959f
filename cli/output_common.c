/* What every output format shares: dispatch by format, the summary counts,
 * positions, fingerprints and the JSON helpers. */
#include "cli/output.h"
#include "cli/output_int.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The project's home page and where the rule pages live under it. A
 * packager or fork sets them with -DDW_PROJECT_URL=... at configure time. */
#ifndef DW_PROJECT_URL
#define DW_PROJECT_URL "https://github.com/dockwright/dockwright"
#endif
#ifndef DW_RULE_DOCS_PATH
#define DW_RULE_DOCS_PATH "/blob/main/docs/rules/"
#endif

const char *out_project_url(void)
{
    return DW_PROJECT_URL;
}

int out_rule_help_uri(const struct rule *r, struct buf *b)
{
    /* Concatenated, not printf'd: every finding of a JSON, SARIF or GitLab
     * report asks for one. */
    return buf_append_cstr(b, DW_PROJECT_URL DW_RULE_DOCS_PATH) || buf_append_cstr(b, r->name) ||
                   buf_append_cstr(b, ".md")
               ? ERR_TOO_LARGE
               : 0;
}

const char *out_severity_name(enum rule_severity s)
{
    switch (s) {
    case SEV_STYLE: return "style";
    case SEV_INFO: return "info";
    case SEV_WARNING: return "warning";
    case SEV_ERROR: return "error";
    }
    return "error";
}

const char *out_category_name(enum rule_category c)
{
    switch (c) {
    case CAT_SYNTAX: return "syntax";
    case CAT_CORRECTNESS: return "correctness";
    case CAT_CACHE: return "cache";
    case CAT_PACKAGES: return "packages";
    case CAT_SECURITY: return "security";
    case CAT_CONTEXT: return "context";
    case CAT_STYLE: return "style";
    }
    return "correctness";
}

const char *out_status_name(enum rule_status s)
{
    switch (s) {
    case RULE_STABLE: return "stable";
    case RULE_PREVIEW: return "preview";
    case RULE_OFF: return "off";
    case RULE_CONFIG: return "config";
    }
    return "stable";
}

const char *out_fix_name(enum rule_fix f)
{
    switch (f) {
    case FIX_NONE: return "none";
    case FIX_SOMETIMES: return "sometimes";
    case FIX_ALWAYS: return "always";
    }
    return "none";
}

/* ------------------------------------------------------------------ UTF-8 */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are no valid sequence (overlong forms, surrogates and values
 * past U+10FFFF are invalid, as RFC 3629 says). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* How many bytes from the start of p are ASCII (below 0x80), tested eight
 * at a time: the text of a report mostly is. */
static size_t ascii_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        if (v & UINT64_C(0x8080808080808080))
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

int out_append_escaped(struct buf *b, struct buf *raw, const char *s,
                       const char *(*esc)(unsigned char c))
{
    buf_truncate(raw, 0);
    if (out_append_utf8(raw, s, strlen(s)))
        return ERR_TOO_LARGE;
    const char *p = buf_cstr(raw);
    size_t from = 0; /* bytes not yet copied start here */
    for (size_t i = 0; i < raw->len; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *e = c < 0x80 ? esc(c) : NULL;
        if (!e)
            continue;
        if (buf_append(b, p + from, i - from) || buf_append_cstr(b, e))
            return ERR_TOO_LARGE;
        from = i + 1;
    }
    return buf_append(b, p + from, raw->len - from);
}

int out_append_utf8(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* valid bytes not yet copied start at i - run */
    while (i < n) {
        size_t a = ascii_prefix(p + i, n - i);
        i += a;
        run += a;
        if (i == n)
            break;
        size_t k = utf8_seq(p + i, n - i);
        if (k) {
            i += k;
            run += k;
            continue;
        }
        if (run && buf_append(b, s + i - run, run))
            return ERR_TOO_LARGE;
        run = 0;
        if (buf_append_cstr(b, "\xEF\xBF\xBD"))
            return ERR_TOO_LARGE;
        i++;
    }
    if (run && buf_append(b, s + i - run, run))
        return ERR_TOO_LARGE;
    return 0;
}

size_t out_fmt_u32(char *out, uint32_t v)
{
    char num[10], *p = num + sizeof num;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t n = (size_t)(num + sizeof num - p);
    memcpy(out, p, n);
    return n;
}

void out_fmt_hex16(char *out, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = hex[v & 15];
}

int out_append_u32(struct buf *b, uint32_t v)
{
    char num[10];
    return buf_append(b, num, out_fmt_u32(num, v));
}

json_t *out_jstr(const char *s, size_t n)
{
    if (!s)
        n = 0;
    json_t *j = json_stringn(s ? s : "", n);
    if (j)
        return j;
    struct buf b = BUF_INIT;
    if (out_append_utf8(&b, s, n) == 0)
        j = json_stringn(buf_cstr(&b), b.len);
    buf_release(&b);
    /* Only an embedded NUL is left to refuse; fall back to the empty string
     * rather than dropping the member. */
    return j ? j : json_string("");
}

json_t *out_jcstr(const char *s)
{
    return s ? out_jstr(s, strlen(s)) : json_null();
}

int out_jdump(json_t *j, int indent, struct buf *b)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return ERR_TOO_LARGE;
    int rc = 0;
    /* jansson never puts a raw line break inside a string, so every '\n'
     * it writes starts a new line of structure. */
    for (const char *p = s; *p && !rc; p++) {
        rc = buf_append_char(b, *p);
        if (*p == '\n')
            for (int i = 0; i < indent && !rc; i++)
                rc = buf_append_char(b, ' ');
    }
    free(s);
    return rc ? ERR_TOO_LARGE : 0;
}

json_t *out_jaliases(const struct rule *r)
{
    json_t *a = json_array();
    for (const struct rule_alias *al = r->aliases; al && al->name; al++) {
        bool seen = false;
        for (const struct rule_alias *p = r->aliases; p < al; p++)
            if (strcmp(p->name, al->name) == 0)
                seen = true;
        if (!seen)
            json_array_append_new(a, out_jcstr(al->name));
    }
    return a;
}

/* ------------------------------------------------------- streaming JSON */

void out_jw_init(struct out_jw *w, struct buf *b, int indent)
{
    memset(w, 0, sizeof *w);
    w->b = b;
    w->indent = indent;
}

/* Room for n more bytes at the end of the buffer (the terminator's too),
 * or NULL once a write has failed. A writer fills the room and then calls
 * jw_commit: one capacity check per piece instead of one per byte. */
static inline char *jw_room(struct out_jw *w, size_t n)
{
    struct buf *b = w->b;
    if (w->rc)
        return NULL;
    if ((n >= b->cap - b->len || b->limit) && buf_reserve(b, n)) {
        w->rc = ERR_TOO_LARGE;
        return NULL;
    }
    return b->data + b->len;
}

static inline void jw_commit(struct out_jw *w, size_t n)
{
    w->b->len += n;
    w->b->data[w->b->len] = '\0';
}

static void jw_raw(struct out_jw *w, const char *s, size_t n)
{
    char *d = jw_room(w, n);
    if (!d)
        return;
    if (n <= 8) /* most pieces: a bracket, a comma, a number; cheaper than a call */
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    else
        memcpy(d, s, n);
    jw_commit(w, n);
}

/* Spaces for the indentation of a line: more than any report nests. */
static const char jw_spaces[] = "                                                                ";
#define JW_SPACES (sizeof jw_spaces - 1)

/* Writes the comma (when `comma`), the line break and ind spaces at d
 * (ind <= JW_SPACES); returns the bytes written. */
static inline size_t jw_put_newline(char *d, size_t ind, bool comma)
{
    size_t k = 0;
    if (comma)
        d[k++] = ',';
    d[k++] = '\n';
    memcpy(d + k, jw_spaces, ind);
    return k + ind;
}

/* A line break and the indentation of depth d, after a comma when
 * `comma`. */
static void jw_newline(struct out_jw *w, unsigned d, bool comma)
{
    size_t n = (size_t)w->indent + 2 * (size_t)d;
    if (n <= JW_SPACES) {
        char *p = jw_room(w, n + 2);
        if (p)
            jw_commit(w, jw_put_newline(p, n, comma));
        return;
    }
    jw_raw(w, comma ? ",\n" : "\n", 1 + comma);
    for (size_t k; n && !w->rc; n -= k) {
        k = n < JW_SPACES ? n : JW_SPACES;
        jw_raw(w, jw_spaces, k);
    }
}

/* Where a value or key starts: after "key": it follows directly; in a
 * container it goes on a new line, after a comma unless it is the first. */
static void jw_value_start(struct out_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->depth)
        return;
    bool comma = !w->first[w->depth - 1];
    w->first[w->depth - 1] = false;
    jw_newline(w, w->depth, comma);
}

void out_jw_open(struct out_jw *w, char bracket)
{
    jw_value_start(w);
    if (w->depth == OUT_JW_MAX_DEPTH) {
        w->rc = ERR_TOO_LARGE;
        return;
    }
    jw_raw(w, &bracket, 1);
    w->first[w->depth++] = true;
}

void out_jw_close(struct out_jw *w, char bracket)
{
    if (!w->depth || w->after_key) {
        w->rc = ERR_TOO_LARGE;
        return;
    }
    w->depth--;
    if (!w->first[w->depth])
        jw_newline(w, w->depth, false);
    jw_raw(w, &bracket, 1);
}

/* Bytes a JSON string holds as they are: ASCII from ' ' on, except '"'
 * and '\\'. */
static inline bool plain_ascii(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* How many bytes from the start of p are plain_ascii. Strings are mostly
 * plain: eight bytes are tested at once, as one 64-bit word in which a
 * byte's high bit says that it is no plain byte. Per byte of the word:
 * b - 0x20 borrows (high bit) when b < 0x20; b itself has it from 0x80;
 * (b ^ '"') - 1 and (b ^ '\\') - 1 borrow when b is that character. A
 * borrow only runs into higher bytes, and only out of a byte that is not
 * plain, so the word is all plain exactly when no high bit is set. */
static size_t plain_prefix(const unsigned char *p, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = ones * 0x80;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        uint64_t q = v ^ (ones * '"'), bs = v ^ (ones * '\\');
        if (((v - ones * 0x20) | v | (q - ones) | (bs - ones)) & high)
            break;
    }
    while (i < n && plain_ascii(p[i]))
        i++;
    return i;
}

void out_jw_str(struct out_jw *w, const char *s, size_t n)
{
    jw_value_start(w);
    if (!s)
        n = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = plain_prefix(p, n);
    if (i == n) { /* nothing to escape: the usual string, in one piece */
        char *d = jw_room(w, n + 2);
        if (!d)
            return;
        d[0] = '"';
        if (n)
            memcpy(d + 1, s, n);
        d[n + 1] = '"';
        jw_commit(w, n + 2);
        return;
    }
    size_t run = i; /* bytes to copy as they are end at i */
    jw_raw(w, "\"", 1);
    while (i < n) {
        size_t from = i;
        i += plain_prefix(p + i, n - i);
        run += i - from;
        if (i == n)
            break;
        unsigned char c = p[i];
        size_t k = c < 0x80 ? 1 : utf8_seq(p + i, n - i);
        if (k > 1) {
            i += k;
            run += k;
            continue;
        }
        if (run)
            jw_raw(w, s + i - run, run);
        run = 0;
        char esc[8];
        const char *e = esc;
        size_t elen = 2;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default:
            if (c >= 0x80) { /* no valid sequence: U+FFFD, as out_jstr */
                e = "\xEF\xBF\xBD";
                elen = 3;
            } else {
                static const char hex[] = "0123456789ABCDEF";
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            }
        }
        jw_raw(w, e, elen);
        i++;
    }
    if (run)
        jw_raw(w, s + i - run, run);
    jw_raw(w, "\"", 1);
}

void out_jw_cstr(struct out_jw *w, const char *s)
{
    if (s)
        out_jw_str(w, s, strlen(s));
    else
        out_jw_null(w);
}

void out_jw_key(struct out_jw *w, const char *key)
{
    /* Keys are the formats' own ASCII names: no escaping to do, unless
     * one ever holds a character JSON escapes. */
    size_t n = strlen(key);
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++)
        plain = (unsigned char)key[i] >= 0x20 && (unsigned char)key[i] < 0x80 && key[i] != '"' &&
                key[i] != '\\';
    if (plain) {
        jw_value_start(w);
        jw_raw(w, "\"", 1);
        jw_raw(w, key, n);
        jw_raw(w, "\": ", 3);
    } else {
        out_jw_str(w, key, n);
        jw_raw(w, ": ", 2);
    }
    w->after_key = true;
}

void out_jw_key_quoted(struct out_jw *w, const char quoted[OUT_JW_KEY_MAX], size_t n)
{
    /* A key in an object: the line break before it and the key go in one
     * piece (a finding has a dozen keys). Anything else as a value. */
    size_t ind = (size_t)w->indent + 2 * (size_t)w->depth;
    if (w->after_key || !w->depth || ind > JW_SPACES) {
        jw_value_start(w);
        jw_raw(w, quoted, n);
        w->after_key = true;
        return;
    }
    bool comma = !w->first[w->depth - 1];
    w->first[w->depth - 1] = false;
    w->after_key = true;
    /* Fixed-size copies, with room for them: all the spaces, then the
     * whole key array over the ones past the indentation. */
    char *d = jw_room(w, 2 + JW_SPACES + OUT_JW_KEY_MAX);
    if (!d)
        return;
    size_t k = 0;
    if (comma)
        d[k++] = ',';
    d[k++] = '\n';
    memcpy(d + k, jw_spaces, JW_SPACES);
    memcpy(d + k + ind, quoted, OUT_JW_KEY_MAX);
    jw_commit(w, k + ind + n);
}

void out_jw_int(struct out_jw *w, long long v)
{
    jw_value_start(w);
    char num[24];
    char *p = num + sizeof num;
    /* As "%lld" writes it; the magnitude as unsigned so LLONG_MIN works. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    jw_raw(w, p, (size_t)(num + sizeof num - p));
}

void out_jw_bool(struct out_jw *w, bool v)
{
    jw_value_start(w);
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

void out_jw_null(struct out_jw *w)
{
    jw_value_start(w);
    jw_raw(w, "null", 4);
}

void out_jw_aliases(struct out_jw *w, const struct rule *r)
{
    out_jw_open(w, '[');
    for (const struct rule_alias *al = r->aliases; al && al->name; al++) {
        bool seen = false;
        for (const struct rule_alias *p = r->aliases; p < al; p++)
            if (strcmp(p->name, al->name) == 0)
                seen = true;
        if (!seen)
            out_jw_cstr(w, al->name);
    }
    out_jw_close(w, ']');
}

void out_jw_help_uri(struct out_jw *w, const struct rule *r)
{
    /* On the stack: a finding's URI built in a heap buffer cost as much as
     * the rest of the finding's JSON. */
    static const char base[] = DW_PROJECT_URL DW_RULE_DOCS_PATH;
    char uri[256];
    size_t n = strlen(r->name);
    if (sizeof base + n + 3 <= sizeof uri) {
        memcpy(uri, base, sizeof base - 1);
        memcpy(uri + sizeof base - 1, r->name, n);
        memcpy(uri + sizeof base - 1 + n, ".md", 3);
        out_jw_str(w, uri, sizeof base - 1 + n + 3);
        return;
    }
    struct buf b = BUF_INIT;
    if (out_rule_help_uri(r, &b) == 0)
        out_jw_str(w, buf_cstr(&b), b.len);
    else
        w->rc = ERR_TOO_LARGE;
    buf_release(&b);
}

int out_jw_end(struct out_jw *w)
{
    return w->rc || w->depth || w->after_key ? ERR_TOO_LARGE : 0;
}

/* Cuts n bytes of s back to a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

int out_rule_description(const struct rule *r, size_t max, struct buf *b)
{
    struct buf para = BUF_INIT;
    const char *doc = r->doc;
    const char *h = doc ? strstr(doc, "## What it does") : NULL;
    if (h) {
        const char *p = strchr(h, '\n');
        while (p && *p == '\n')
            p++;
        /* The paragraph ends at a blank line or the next heading; its
         * lines are joined with single spaces. */
        while (p && *p && *p != '\n' && *p != '#') {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            struct str line = str_trim(str_make(p, n));
            if (line.len) {
                if ((para.len && buf_append_char(&para, ' ')) || buf_append_str(&para, line)) {
                    buf_release(&para);
                    return ERR_TOO_LARGE;
                }
            }
            p = e ? e + 1 : NULL;
        }
    }
    const char *text = para.len ? buf_cstr(&para) : r->summary;
    if (!text || !*text)
        text = r->name;
    size_t n = strlen(text);
    if (n > max)
        n = utf8_cut(text, max);
    int rc = buf_append(b, text, n);
    buf_release(&para);
    return rc;
}

/* ------------------------------------------------------------- positions */

void out_lines_init(struct out_lines *l, const char *src, uint32_t len)
{
    l->src = src ? src : "";
    l->len = src ? len : 0;
    /* memchr from line break to line break: lines are tens of bytes. */
    const char *end = l->src + l->len;
    uint32_t count = 1;
    for (const char *p = l->src; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        count++;
    l->starts = xmalloc((size_t)count * sizeof *l->starts);
    l->starts[0] = 0;
    uint32_t k = 1;
    for (const char *p = l->src; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        l->starts[k++] = (uint32_t)(p - l->src) + 1;
    l->count = count;
}

void out_lines_release(struct out_lines *l)
{
    free(l->starts);
    l->starts = NULL;
    l->count = 0;
}

struct str out_line_text(const struct out_lines *l, uint32_t n)
{
    if (n < 1 || n > l->count)
        return str_make("", 0);
    uint32_t start = l->starts[n - 1];
    uint32_t end = n < l->count ? l->starts[n] - 1 : l->len;
    if (end > start && l->src[end - 1] == '\r')
        end--;
    return str_make(l->src + start, end - start);
}

void out_lines_locate(const struct out_lines *l, uint32_t offset, uint32_t *line, uint32_t *col)
{
    if (offset > l->len)
        offset = l->len;
    uint32_t lo = 0, hi = l->count; /* last start <= offset is in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = offset - l->starts[lo] + 1;
}

uint32_t out_utf16_column(const struct out_lines *l, uint32_t n, uint32_t byte_col)
{
    if (byte_col < 1)
        return 1;
    struct str t = out_line_text(l, n);
    size_t want = byte_col - 1, upto = want < t.len ? want : t.len;
    uint32_t units = 0;
    for (size_t i = 0; i < upto; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: counted with its lead */
        units += c >= 0xF0 ? 2 : 1;
    }
    /* Past the visible text (a position on the line break): one unit per
     * byte, since those bytes are ASCII (\r, \n). */
    units += (uint32_t)(want - upto);
    return units + 1;
}

/* ----------------------------------------------------------- fingerprints */

uint64_t out_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Hashes text with every run of blanks made one space and the ends
 * trimmed, without copying it: out_fnv1a's steps, one byte at a time. */
static uint64_t hash_normalized(uint64_t h, const char *s, size_t n)
{
    const uint64_t prime = UINT64_C(0x100000001b3);
    bool pending = false, started = false;
    for (size_t i = 0; i < n; i++) {
        if (is_blank(s[i])) {
            pending = started;
            continue;
        }
        if (pending)
            h = (h ^ (unsigned char)' ') * prime;
        pending = false;
        started = true;
        h = (h ^ (unsigned char)s[i]) * prime;
    }
    return h;
}

struct fp_key {
    uint64_t hash;
    uint32_t index;
};

static int fp_cmp(const void *a, const void *b)
{
    const struct fp_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void out_fingerprints(const struct out_file *f, uint64_t *hashes, uint32_t *occurrences)
{
    if (!f->n_findings)
        return;
    /* The lines are indexed only for a finding without an anchor. */
    struct out_lines lines = { 0 };
    bool have_lines = false;
    struct fp_key *keys = xmalloc((size_t)f->n_findings * sizeof *keys);
    for (uint32_t i = 0; i < f->n_findings; i++) {
        const struct eng_finding *x = &f->findings[i];
        uint64_t h = out_fnv1a(OUT_FNV_INIT, x->rule->id, strlen(x->rule->id) + 1);
        struct span a = f->anchors ? f->anchors[i] : span_make(0, 0);
        if (f->src && a.end > a.start && a.end <= f->len) {
            h = hash_normalized(h, f->src + a.start, a.end - a.start);
        } else if (f->src) {
            if (!have_lines)
                out_lines_init(&lines, f->src, f->len);
            have_lines = true;
            uint32_t last = x->end_line >= x->line ? x->end_line : x->line;
            for (uint32_t n = x->line; n <= last && n <= lines.count; n++) {
                struct str t = out_line_text(&lines, n);
                h = hash_normalized(h, t.ptr, t.len);
                h = out_fnv1a(h, "\n", 1);
            }
        } else if (x->message) {
            h = hash_normalized(h, x->message, strlen(x->message));
        }
        hashes[i] = h;
        keys[i] = (struct fp_key){ h, i };
    }
    qsort(keys, f->n_findings, sizeof *keys, fp_cmp);
    for (uint32_t i = 0; i < f->n_findings; i++) {
        bool same = i > 0 && keys[i - 1].hash == keys[i].hash;
        occurrences[keys[i].index] = same ? occurrences[keys[i - 1].index] + 1 : 1;
    }
    free(keys);
    if (have_lines)
        out_lines_release(&lines);
}

int out_other_path(const struct out_file *f, const char *rel, struct buf *b)
{
    const char *dir = f->context_dir;
    size_t dlen;
    if (dir) {
        dlen = strlen(dir);
    } else {
        const char *slash = strrchr(f->path, '/');
        dir = f->path;
        dlen = slash ? (size_t)(slash - f->path) : 0;
        if (slash == f->path)
            dlen = 1; /* "/Dockerfile": the root */
    }
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    if (dlen == 0 || (dlen == 1 && dir[0] == '.'))
        return buf_append_cstr(b, rel);
    if (buf_append(b, dir, dlen))
        return ERR_TOO_LARGE;
    if (dir[dlen - 1] != '/' && buf_append_char(b, '/'))
        return ERR_TOO_LARGE;
    return buf_append_cstr(b, rel);
}

/* -------------------------------------------------------------- summaries */

void out_totals_add(struct out_totals *t, const struct out_file *f, const struct out_options *o)
{
    (void)o;
    t->files++;
    if (f->n_findings)
        t->files_with_findings++;
    for (uint32_t i = 0; i < f->n_findings; i++) {
        const struct eng_finding *x = &f->findings[i];
        if ((unsigned)x->severity < 4)
            t->by_severity[x->severity]++;
        if (x->fix && x->fix->safety == FIX_SAFE)
            t->fixable_safe++;
        else if (x->fix && x->fix->safety == FIX_UNSAFE)
            t->fixable_unsafe++;
    }
}

static const char *plural(uint32_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int out_summary_text(const struct out_options *o, const struct out_totals *t, struct buf *b)
{
    int rc = 0;
    uint32_t total = 0;
    for (int i = 0; i < 4; i++)
        total += t->by_severity[i];
    if (o->fix_mode && t->fixes_applied)
        rc |= buf_printf(b, "fixed %u %s in %u %s; ", t->fixes_applied,
                         plural(t->fixes_applied, "problem", "problems"), t->files_fixed,
                         plural(t->files_fixed, "file", "files"));
    if (total == 0) {
        rc |=
            buf_printf(b, "no problems%s in %u %s", o->fix_mode && t->fixes_applied ? " left" : "",
                       t->files, plural(t->files, "file", "files"));
        return rc ? ERR_TOO_LARGE : 0;
    }
    rc |= buf_printf(b, "%u %s (", total, plural(total, "problem", "problems"));
    static const char *const one[] = { "style", "info", "warning", "error" };
    static const char *const many[] = { "style", "info", "warnings", "errors" };
    bool first = true;
    for (int i = 3; i >= 0; i--) {
        if (!t->by_severity[i])
            continue;
        rc |= buf_printf(b, "%s%u %s", first ? "" : ", ", t->by_severity[i],
                         plural(t->by_severity[i], one[i], many[i]));
        first = false;
    }
    rc |= buf_printf(b, ") in %u of %u %s", t->files_with_findings, t->files,
                     plural(t->files, "file", "files"));
    if (o->fix_mode) {
        /* What is left after --fix: fixes that did not apply, or that need
         * the other mode. */
        if (!o->unsafe_fixes && t->fixable_unsafe)
            rc |= buf_printf(b, "; %u fixable with --unsafe-fixes", t->fixable_unsafe);
    } else if (o->unsafe_fixes) {
        if (t->fixable_safe + t->fixable_unsafe)
            rc |= buf_printf(b, "; %u fixable with --fix --unsafe-fixes",
                             t->fixable_safe + t->fixable_unsafe);
    } else {
        if (t->fixable_safe)
            rc |= buf_printf(b, "; %u fixable with --fix", t->fixable_safe);
        if (t->fixable_unsafe)
            rc |= buf_printf(b, "; %u %s with --fix --unsafe-fixes", t->fixable_unsafe,
                             t->fixable_safe ? "more" : "fixable");
    }
    return rc ? ERR_TOO_LARGE : 0;
}

/* --------------------------------------------------------------- dispatch */

void out_chunk_release(struct out_chunk *c)
{
    for (int i = 0; i < OUT_NPARTS; i++)
        buf_release(&c->part[i]);
}

static int format_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    switch (o->format) {
    case CFG_FORMAT_TTY: return out_tty_file(o, f, c);
    case CFG_FORMAT_JSON: return out_json_file(o, f, c);
    case CFG_FORMAT_SARIF: return out_sarif_file(o, f, c);
    case CFG_FORMAT_GITHUB: return out_github_file(o, f, c);
    case CFG_FORMAT_GITLAB: return out_gitlab_file(o, f, c);
    case CFG_FORMAT_CHECKSTYLE: return out_checkstyle_file(o, f, c);
    case CFG_FORMAT_GNU: return out_gnu_file(o, f, c);
    }
    return out_tty_file(o, f, c);
}

int out_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    int rc = format_file(o, f, c);
    /* Chunks wait for every file to finish: keep only their text, not the
     * up to half-empty room of buffers grown by doubling. */
    for (int i = 0; i < OUT_NPARTS; i++)
        buf_shrink(&c->part[i]);
    return rc;
}

static int begin(const struct out_options *o, struct buf *b)
{
    switch (o->format) {
    case CFG_FORMAT_JSON: return out_json_begin(o, b);
    case CFG_FORMAT_SARIF: return out_sarif_begin(o, b);
    case CFG_FORMAT_GITLAB: return buf_append_char(b, '[');
    case CFG_FORMAT_CHECKSTYLE:
        return buf_append_cstr(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                  "<checkstyle version=\"4.3\">\n");
    case CFG_FORMAT_TTY:
    case CFG_FORMAT_GITHUB:
    case CFG_FORMAT_GNU: return 0;
    }
    return 0;
}

static int end(const struct out_options *o, const struct out_totals *t, bool any, struct buf *b)
{
    switch (o->format) {
    case CFG_FORMAT_TTY: return out_tty_end(o, t, b);
    case CFG_FORMAT_JSON: return out_json_end(o, t, b);
    case CFG_FORMAT_SARIF: return out_sarif_end(o, t, b);
    case CFG_FORMAT_GITHUB: return out_github_end(o, t, b);
    case CFG_FORMAT_GITLAB: return buf_append_cstr(b, any ? "\n]\n" : "]\n");
    case CFG_FORMAT_CHECKSTYLE: return buf_append_cstr(b, "</checkstyle>\n");
    case CFG_FORMAT_GNU: return 0;
    }
    return 0;
}

/* The separator between two non-empty parts: the JSON arrays' comma. Each
 * part starts with its own line break and indentation. */
static const char *separator(enum cfg_format f)
{
    return f == CFG_FORMAT_JSON || f == CFG_FORMAT_SARIF || f == CFG_FORMAT_GITLAB ? "," : "";
}

int out_join(const struct out_options *o, const struct out_chunk *chunks, size_t n,
             const struct out_totals *t, struct buf *b)
{
    if (begin(o, b))
        return ERR_TOO_LARGE;
    const char *sep = separator(o->format);
    bool any = false;
    for (int p = 0; p < OUT_NPARTS; p++) {
        for (size_t i = 0; i < n; i++) {
            const struct buf *part = &chunks[i].part[p];
            if (!part->len)
                continue;
            if (any && buf_append_cstr(b, sep))
                return ERR_TOO_LARGE;
            if (buf_append(b, part->data, part->len))
                return ERR_TOO_LARGE;
            any = true;
        }
    }
    return end(o, t, any, b) ? ERR_TOO_LARGE : 0;
}

/* A stream's output goes out in batches of this many bytes: a stream to a
 * pipe or file buffers a few KiB, which made a report of megabytes a
 * thousand write calls. */
#define OUT_WRITE_BATCH ((size_t)64 * 1024)

static void batch_flush(struct out_stream *s)
{
    if (s->batch.len && fwrite(s->batch.data, 1, s->batch.len, s->fp) != s->batch.len)
        s->rc = ERR_IO;
    buf_truncate(&s->batch, 0);
}

static void batch_put(struct out_stream *s, const char *p, size_t n)
{
    if (s->batch.len + n > OUT_WRITE_BATCH)
        batch_flush(s);
    if (n >= OUT_WRITE_BATCH) { /* large enough to go out by itself */
        if (fwrite(p, 1, n, s->fp) != n)
            s->rc = ERR_IO;
    } else if (n && buf_append(&s->batch, p, n)) {
        s->rc = ERR_IO;
    }
}

static void stream_part(struct out_stream *s, struct buf *part)
{
    if (!part->len)
        return;
    if (s->any)
        batch_put(s, separator(s->o->format), strlen(separator(s->o->format)));
    batch_put(s, part->data, part->len);
    s->any = true;
}

void out_stream_begin(struct out_stream *s, const struct out_options *o, FILE *fp)
{
    *s = (struct out_stream){ .o = o, .fp = fp, .batch = BUF_INIT };
    struct buf b = BUF_INIT;
    if (begin(o, &b) == 0)
        batch_put(s, b.data, b.len);
    buf_release(&b);
}

void out_stream_file(struct out_stream *s, struct out_chunk *c)
{
    stream_part(s, &c->part[0]);
    buf_release(&c->part[0]);
    bool later = false;
    for (int p = 1; p < OUT_NPARTS; p++)
        later |= c->part[p].len > 0;
    if (later) {
        VEC_PUSH(&s->later, *c);
        memset(c, 0, sizeof *c);
    }
}

int out_stream_end(struct out_stream *s, const struct out_totals *t)
{
    for (int p = 1; p < OUT_NPARTS; p++)
        for (size_t i = 0; i < s->later.len; i++) {
            stream_part(s, &s->later.items[i].part[p]);
            buf_release(&s->later.items[i].part[p]);
        }
    VEC_RELEASE(&s->later);
    struct buf b = BUF_INIT;
    if (end(s->o, t, s->any, &b) == 0)
        batch_put(s, b.data, b.len);
    buf_release(&b);
    batch_flush(s);
    buf_release(&s->batch);
    return s->rc ? ERR_IO : 0;
}

int out_write(const struct out_options *o, struct out_chunk *chunks, size_t n,
              const struct out_totals *t, FILE *fp)
{
    struct out_stream s;
    out_stream_begin(&s, o, fp);
    for (size_t i = 0; i < n; i++)
        out_stream_file(&s, &chunks[i]);
    return out_stream_end(&s, t);
}

int out_render(const struct out_options *o, const struct out_file *files, size_t n, struct buf *b)
{
    struct out_chunk *chunks = xcalloc(n ? n : 1, sizeof *chunks);
    struct out_totals t = { 0 };
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = out_file(o, &files[i], &chunks[i]);
        out_totals_add(&t, &files[i], o);
    }
    if (!rc)
        rc = out_join(o, chunks, n, &t, b);
    for (size_t i = 0; i < n; i++)
        out_chunk_release(&chunks[i]);
    free(chunks);
    return rc;
}
