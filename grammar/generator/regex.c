/* The JavaScript regex parser for PATTERN rules: recursive descent over the
 * source bytes, building struct rx_node trees over code-point sets.
 *
 * The accepted language is what grammar.js authors write in practice
 * (ECMAScript syntax with the Annex B leniencies that tree-sitter grammars
 * rely on, such as a `{` that does not start a quantifier being a literal),
 * minus everything that has no meaning inside a lexer: anchors, lookaround
 * and backreferences are rejected with a message rather than ignored. */
#include "regex.h"

#include "common/vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Groups nest at most this deep: the parser recurses once per level. */
#define RX_MAX_DEPTH 200

struct rx_parser {
    const unsigned char *s;
    size_t len, pos;
    bool icase, dotall;
    const char *where;
    struct arena *a;
    struct err *err;
    bool failed;
    unsigned depth;
};

DW_PRINTF(3, 4) static void fail(struct rx_parser *p, size_t offset, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err_set(p->err, ERR_INVALID, "%s: %s at offset %zu", p->where, what, offset);
}

size_t rx_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (!len)
        return 0;
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > RX_MAX_CP || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static struct rx_node *node_new(struct rx_parser *p, enum rx_kind kind)
{
    struct rx_node *n = ARENA_NEW(p->a, struct rx_node);
    n->kind = kind;
    return n;
}

static struct rx_node *chars_node(struct rx_parser *p, struct cset *set)
{
    struct rx_node *n = node_new(p, RX_CHARS);
    n->r = cset_freeze(set, p->a);
    n->n_r = set->n;
    return n;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads exactly n hex digits at pos; returns false (pos unchanged) if
 * there are fewer. */
static bool read_hex(struct rx_parser *p, size_t n, uint32_t *out)
{
    if (p->len - p->pos < n)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hex_value(p->s[p->pos + i]);
        if (h < 0)
            return false;
        v = v * 16 + (uint32_t)h;
    }
    p->pos += n;
    *out = v;
    return true;
}

/* \u escapes: \uHHHH (a surrogate pair written as two escapes is one code
 * point) and \u{H...}. pos is after the 'u'. */
static bool parse_unicode_escape(struct rx_parser *p, size_t start, uint32_t *cp)
{
    if (p->pos < p->len && p->s[p->pos] == '{') {
        size_t i = p->pos + 1;
        uint32_t v = 0;
        size_t digits = 0;
        while (i < p->len && hex_value(p->s[i]) >= 0) {
            v = v * 16 + (uint32_t)hex_value(p->s[i]);
            if (v > RX_MAX_CP) {
                fail(p, start, "code point out of range in \\u{...} escape");
                return false;
            }
            i++, digits++;
        }
        if (!digits || i >= p->len || p->s[i] != '}') {
            fail(p, start, "invalid \\u{...} escape");
            return false;
        }
        p->pos = i + 1;
        if (v >= 0xD800 && v <= 0xDFFF) {
            fail(p, start, "lone surrogate in \\u escape");
            return false;
        }
        *cp = v;
        return true;
    }
    uint32_t v;
    if (!read_hex(p, 4, &v)) {
        fail(p, start, "invalid \\u escape (expected 4 hex digits)");
        return false;
    }
    if (v >= 0xD800 && v <= 0xDBFF && p->len - p->pos >= 6 && p->s[p->pos] == '\\' &&
        p->s[p->pos + 1] == 'u') {
        size_t save = p->pos;
        uint32_t lowv;
        p->pos += 2;
        if (read_hex(p, 4, &lowv) && lowv >= 0xDC00 && lowv <= 0xDFFF) {
            *cp = 0x10000 + ((v - 0xD800) << 10) + (lowv - 0xDC00);
            return true;
        }
        p->pos = save;
    }
    if (v >= 0xD800 && v <= 0xDFFF) {
        fail(p, start, "lone surrogate in \\u escape");
        return false;
    }
    *cp = v;
    return true;
}

/* \p{Name} and \P{Name}; pos is after the 'p' or 'P'. */
static void parse_property(struct rx_parser *p, size_t start, bool negated, struct cset *out)
{
    if (p->pos >= p->len || p->s[p->pos] != '{') {
        fail(p, start, "invalid \\%c escape (expected {name})", negated ? 'P' : 'p');
        return;
    }
    size_t name = p->pos + 1, end = name;
    while (end < p->len && p->s[end] != '}')
        end++;
    if (end >= p->len || end == name) {
        fail(p, start, "invalid \\%c escape (expected {name})", negated ? 'P' : 'p');
        return;
    }
    struct cset prop;
    cset_init(&prop);
    if (!cset_add_unicode_property(&prop, (const char *)p->s + name, end - name)) {
        fail(p, start, "unsupported unicode property '%.*s'", (int)(end - name),
             (const char *)p->s + name);
        cset_release(&prop);
        return;
    }
    if (negated)
        cset_negate(&prop);
    cset_add_ranges(out, prop.r, prop.n);
    cset_release(&prop);
    p->pos = end + 1;
}

/* Parses the escape at pos (a backslash) into out. *is_class tells whether
 * it stood for a class (\d, \p{L}, ...) rather than one code point, which
 * matters for ranges inside brackets. */
static void parse_escape(struct rx_parser *p, bool in_class, struct cset *out, bool *is_class)
{
    size_t start = p->pos++;
    *is_class = false;
    if (p->pos >= p->len) {
        fail(p, start, "trailing backslash");
        return;
    }
    unsigned char c = p->s[p->pos++];
    uint32_t cp;
    struct cset tmp;
    switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S':
        *is_class = true;
        cset_init(&tmp);
        if (c == 'd' || c == 'D')
            cset_add_digit(&tmp);
        else if (c == 'w' || c == 'W')
            cset_add_word(&tmp);
        else
            cset_add_space(&tmp);
        if (c == 'D' || c == 'W' || c == 'S')
            cset_negate(&tmp);
        cset_add_ranges(out, tmp.r, tmp.n);
        cset_release(&tmp);
        return;
    case 'p':
    case 'P':
        *is_class = true;
        parse_property(p, start, c == 'P', out);
        return;
    case 'b':
        if (!in_class) {
            fail(p, start, "word boundary assertions are not supported in tokens");
            return;
        }
        cp = 0x08; /* backspace, inside brackets */
        break;
    case 'B': fail(p, start, "word boundary assertions are not supported in tokens"); return;
    case 'n': cp = '\n'; break;
    case 't': cp = '\t'; break;
    case 'r': cp = '\r'; break;
    case 'f': cp = '\f'; break;
    case 'v': cp = '\v'; break;
    case '0':
        if (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            fail(p, start, "octal escapes are not supported");
            return;
        }
        cp = 0;
        break;
    case 'x':
        if (!read_hex(p, 2, &cp)) {
            fail(p, start, "invalid \\x escape (expected 2 hex digits)");
            return;
        }
        break;
    case 'u':
        if (!parse_unicode_escape(p, start, &cp))
            return;
        break;
    case 'c':
        if (p->pos < p->len && ((p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z') ||
                                (p->s[p->pos] >= 'A' && p->s[p->pos] <= 'Z'))) {
            cp = p->s[p->pos++] & 31u;
            break;
        }
        fail(p, start, "invalid \\c escape (expected a letter)");
        return;
    case 'k': fail(p, start, "backreferences are not supported in tokens"); return;
    default:
        if (c >= '1' && c <= '9') {
            fail(p, start, "backreferences are not supported in tokens");
            return;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            fail(p, start, "unknown escape '\\%c'", c);
            return;
        }
        /* Any other escaped character stands for itself (\. \/ \- \\ ...). */
        p->pos--;
        size_t n = rx_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
        if (!n) {
            fail(p, p->pos, "invalid utf-8");
            return;
        }
        p->pos += n;
        break;
    }
    cset_add_range(out, cp, cp);
}

/* A quantifier in braces at pos: {n}, {n,} or {n,m}. Returns false, with
 * pos unchanged, when the text is not one (then `{` is a literal). */
static bool parse_braces(struct rx_parser *p, uint32_t *min, uint32_t *max)
{
    size_t i = p->pos + 1;
    uint64_t lo = 0, hi;
    size_t digits = 0;
    while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
        if (lo <= RX_MAX_REPEAT)
            lo = lo * 10 + (p->s[i] - '0');
        i++, digits++;
    }
    if (!digits || i >= p->len)
        return false;
    if (p->s[i] == '}') {
        hi = lo;
    } else if (p->s[i] == ',') {
        i++;
        if (i < p->len && p->s[i] == '}') {
            hi = RX_INF;
        } else {
            hi = 0;
            digits = 0;
            while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
                if (hi <= RX_MAX_REPEAT)
                    hi = hi * 10 + (p->s[i] - '0');
                i++, digits++;
            }
            if (!digits || i >= p->len || p->s[i] != '}')
                return false;
        }
    } else {
        return false;
    }
    size_t start = p->pos;
    p->pos = i + 1;
    if (lo > RX_MAX_REPEAT || (hi != RX_INF && hi > RX_MAX_REPEAT)) {
        fail(p, start, "repetition count too large (at most %u)", RX_MAX_REPEAT);
        return true;
    }
    if (hi < lo) {
        fail(p, start, "numbers out of order in {} quantifier");
        return true;
    }
    *min = (uint32_t)lo;
    *max = (uint32_t)hi;
    return true;
}

static bool at_quantifier(struct rx_parser *p)
{
    if (p->pos >= p->len)
        return false;
    unsigned char c = p->s[p->pos];
    if (c == '*' || c == '+' || c == '?')
        return true;
    if (c != '{')
        return false;
    size_t save = p->pos;
    uint32_t lo, hi;
    bool failed = p->failed;
    struct err *err = p->err;
    /* A dry run: errors of the quantifier are reported when it is parsed. */
    p->err = NULL;
    bool is = parse_braces(p, &lo, &hi);
    p->pos = save;
    p->failed = failed;
    p->err = err;
    return is;
}

static struct rx_node *parse_alt(struct rx_parser *p);

static struct rx_node *parse_class(struct rx_parser *p)
{
    size_t open = p->pos++;
    bool negated = false;
    if (p->pos < p->len && p->s[p->pos] == '^') {
        negated = true;
        p->pos++;
    }
    struct cset set, a, b;
    cset_init(&set);
    cset_init(&a);
    cset_init(&b);
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, open, "unterminated character class");
            break;
        }
        if (p->s[p->pos] == ']') {
            p->pos++;
            break;
        }
        size_t atom = p->pos;
        bool a_class = false, b_class = false;
        cset_clear(&a);
        if (p->s[p->pos] == '\\') {
            parse_escape(p, true, &a, &a_class);
        } else {
            uint32_t cp;
            size_t n = rx_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
            if (!n)
                fail(p, p->pos, "invalid utf-8");
            else
                cset_add_range(&a, cp, cp);
            p->pos += n;
        }
        if (p->failed)
            break;
        if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']') {
            p->pos++;
            cset_clear(&b);
            if (p->s[p->pos] == '\\') {
                parse_escape(p, true, &b, &b_class);
            } else {
                uint32_t cp;
                size_t n = rx_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
                if (!n)
                    fail(p, p->pos, "invalid utf-8");
                else
                    cset_add_range(&b, cp, cp);
                p->pos += n;
            }
            if (p->failed)
                break;
            if (a_class || b_class) {
                /* [\d-x]: no range, the dash is a literal (Annex B). */
                cset_add_ranges(&set, a.r, a.n);
                cset_add_range(&set, '-', '-');
                cset_add_ranges(&set, b.r, b.n);
            } else if (a.r[0].lo > b.r[0].lo) {
                fail(p, atom, "range out of order in character class");
                break;
            } else {
                cset_add_range(&set, a.r[0].lo, b.r[0].lo);
            }
        } else {
            cset_add_ranges(&set, a.r, a.n);
        }
    }
    struct rx_node *n = NULL;
    if (!p->failed) {
        if (p->icase)
            cset_add_case_variants(&set);
        if (negated)
            cset_negate(&set);
        n = chars_node(p, &set);
    }
    cset_release(&set);
    cset_release(&a);
    cset_release(&b);
    return n;
}

static struct rx_node *parse_group(struct rx_parser *p)
{
    size_t open = p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '?') {
        unsigned char k = p->pos + 1 < p->len ? p->s[p->pos + 1] : 0;
        unsigned char k2 = p->pos + 2 < p->len ? p->s[p->pos + 2] : 0;
        if (k == ':') {
            p->pos += 2;
        } else if (k == '=' || k == '!') {
            fail(p, open, "lookahead assertions are not supported in tokens");
            return NULL;
        } else if (k == '<' && (k2 == '=' || k2 == '!')) {
            fail(p, open, "lookbehind assertions are not supported in tokens");
            return NULL;
        } else if (k == '<') {
            /* A named group: the name does not matter to a lexer. */
            size_t i = p->pos + 2, name = i;
            while (i < p->len &&
                   (p->s[i] == '_' || p->s[i] == '$' || (p->s[i] >= '0' && p->s[i] <= '9') ||
                    (p->s[i] >= 'a' && p->s[i] <= 'z') || (p->s[i] >= 'A' && p->s[i] <= 'Z') ||
                    p->s[i] >= 0x80))
                i++;
            if (i == name || i >= p->len || p->s[i] != '>') {
                fail(p, open, "invalid group name");
                return NULL;
            }
            p->pos = i + 1;
        } else {
            fail(p, open, "invalid group");
            return NULL;
        }
    }
    if (++p->depth > RX_MAX_DEPTH) {
        fail(p, open, "groups nest too deeply (at most %d)", RX_MAX_DEPTH);
        return NULL;
    }
    struct rx_node *inner = parse_alt(p);
    p->depth--;
    if (p->failed)
        return NULL;
    if (p->pos >= p->len || p->s[p->pos] != ')') {
        fail(p, open, "unterminated group");
        return NULL;
    }
    p->pos++;
    return inner;
}

static struct rx_node *parse_atom(struct rx_parser *p)
{
    unsigned char c = p->s[p->pos];
    struct cset set;
    struct rx_node *n;
    switch (c) {
    case '(': return parse_group(p);
    case '[': return parse_class(p);
    case '^':
    case '$': fail(p, p->pos, "anchors are not supported in tokens ('%c')", c); return NULL;
    case '*':
    case '+':
    case '?': fail(p, p->pos, "nothing to repeat"); return NULL;
    case '.':
        cset_init(&set);
        cset_add_range(&set, 0, RX_MAX_CP);
        /* tree-sitter's reading of `.`: anything but a newline. */
        if (!p->dotall)
            cset_remove_range(&set, '\n', '\n');
        p->pos++;
        n = chars_node(p, &set);
        cset_release(&set);
        return n;
    case '{':
        if (at_quantifier(p)) {
            fail(p, p->pos, "nothing to repeat");
            return NULL;
        }
        break;
    default: break;
    }
    cset_init(&set);
    if (c == '\\') {
        bool is_class;
        parse_escape(p, false, &set, &is_class);
    } else {
        uint32_t cp;
        size_t len = rx_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
        if (!len)
            fail(p, p->pos, "invalid utf-8");
        else
            cset_add_range(&set, cp, cp);
        p->pos += len;
    }
    n = NULL;
    if (!p->failed) {
        if (p->icase)
            cset_add_case_variants(&set);
        n = chars_node(p, &set);
    }
    cset_release(&set);
    return n;
}

static struct rx_node *parse_quantified(struct rx_parser *p)
{
    struct rx_node *atom = parse_atom(p);
    if (p->failed || !at_quantifier(p))
        return atom;
    uint32_t min, max;
    switch (p->s[p->pos]) {
    case '*': min = 0, max = RX_INF, p->pos++; break;
    case '+': min = 1, max = RX_INF, p->pos++; break;
    case '?': min = 0, max = 1, p->pos++; break;
    default:
        parse_braces(p, &min, &max);
        if (p->failed)
            return NULL;
        break;
    }
    /* A lazy quantifier matches the same strings; longest match decides. */
    if (p->pos < p->len && p->s[p->pos] == '?')
        p->pos++;
    if (at_quantifier(p)) {
        fail(p, p->pos, "nothing to repeat");
        return NULL;
    }
    struct rx_node *n = node_new(p, RX_REPEAT);
    n->kid = atom;
    n->min = min;
    n->max = max;
    return n;
}

static struct rx_node *list_node(struct rx_parser *p, enum rx_kind kind, struct rx_node **items,
                                 size_t n)
{
    if (n == 0)
        return node_new(p, RX_EMPTY);
    if (n == 1)
        return items[0];
    struct rx_node *node = node_new(p, kind);
    node->kids = ARENA_NEW_ARRAY(p->a, struct rx_node *, n);
    memcpy(node->kids, items, n * sizeof *items);
    node->n_kids = (uint32_t)n;
    return node;
}

static struct rx_node *parse_seq(struct rx_parser *p)
{
    VEC(struct rx_node *) items = VEC_INIT;
    while (p->pos < p->len && p->s[p->pos] != '|' && p->s[p->pos] != ')') {
        struct rx_node *n = parse_quantified(p);
        if (p->failed)
            break;
        VEC_PUSH(&items, n);
    }
    struct rx_node *n = p->failed ? NULL : list_node(p, RX_SEQ, items.items, items.len);
    VEC_RELEASE(&items);
    return n;
}

static struct rx_node *parse_alt(struct rx_parser *p)
{
    VEC(struct rx_node *) alts = VEC_INIT;
    for (;;) {
        struct rx_node *n = parse_seq(p);
        if (p->failed)
            break;
        VEC_PUSH(&alts, n);
        if (p->pos < p->len && p->s[p->pos] == '|')
            p->pos++;
        else
            break;
    }
    struct rx_node *n = p->failed ? NULL : list_node(p, RX_ALT, alts.items, alts.len);
    VEC_RELEASE(&alts);
    return n;
}

struct rx_node *rx_parse(const char *src, size_t len, const char *flags, const char *where,
                         struct arena *a, struct err *err)
{
    struct rx_parser p = {
        .s = (const unsigned char *)src,
        .len = len,
        .where = where ? where : "pattern",
        .a = a,
        .err = err,
    };
    for (const char *f = flags ? flags : ""; *f; f++) {
        switch (*f) {
        case 'i': p.icase = true; break;
        case 's': p.dotall = true; break;
        case 'u':
        case 'g':
        case 'm': break;
        default:
            err_set(err, ERR_INVALID, "%s: unsupported regex flag '%c'", p.where, *f);
            return NULL;
        }
    }
    struct rx_node *n = parse_alt(&p);
    if (!p.failed && p.pos < p.len)
        fail(&p, p.pos, "unmatched ')'");
    return p.failed ? NULL : n;
}

bool rx_matches_empty(const struct rx_node *n)
{
    switch (n->kind) {
    case RX_EMPTY: return true;
    case RX_CHARS: return false;
    case RX_SEQ:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (!rx_matches_empty(n->kids[i]))
                return false;
        return true;
    case RX_ALT:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (rx_matches_empty(n->kids[i]))
                return true;
        return false;
    case RX_REPEAT: return n->min == 0 || rx_matches_empty(n->kid);
    }
    return false;
}
