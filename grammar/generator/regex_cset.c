/* Code-point sets: sorted range lists with the operations the regex parser,
 * the NFA and the DFA builder need. */
#include "regex.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void cset_init(struct cset *s)
{
    s->r = NULL;
    s->n = s->cap = 0;
}

void cset_release(struct cset *s)
{
    free(s->r);
    cset_init(s);
}

void cset_clear(struct cset *s)
{
    s->n = 0;
}

static void cset_reserve(struct cset *s, uint32_t need)
{
    if (need <= s->cap)
        return;
    uint32_t c = s->cap ? s->cap * 2 : 8;
    while (c < need)
        c *= 2;
    s->r = xreallocarray(s->r, c, sizeof *s->r);
    s->cap = c;
}

void cset_add_range(struct cset *s, uint32_t lo, uint32_t hi)
{
    /* First range that ends at or after lo-1: everything before it stays. */
    uint32_t a = 0, b = s->n;
    while (a < b) {
        uint32_t m = a + (b - a) / 2;
        if (s->r[m].hi + 1 < lo)
            a = m + 1;
        else
            b = m;
    }
    uint32_t i = a, j = a;
    while (j < s->n && s->r[j].lo <= hi + 1) {
        if (s->r[j].lo < lo)
            lo = s->r[j].lo;
        if (s->r[j].hi > hi)
            hi = s->r[j].hi;
        j++;
    }
    if (i == j) {
        cset_reserve(s, s->n + 1);
        memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
        s->n++;
    } else if (j > i + 1) {
        memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof *s->r);
        s->n -= j - i - 1;
    }
    s->r[i].lo = lo;
    s->r[i].hi = hi;
}

void cset_add_ranges(struct cset *s, const struct crange *r, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        cset_add_range(s, r[i].lo, r[i].hi);
}

void cset_negate(struct cset *s)
{
    struct crange *out = xreallocarray(NULL, s->n + 1, sizeof *out);
    uint32_t k = 0, next = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->r[i].lo > next)
            out[k++] = (struct crange){ next, s->r[i].lo - 1 };
        next = s->r[i].hi + 1;
    }
    if (next <= RX_MAX_CP)
        out[k++] = (struct crange){ next, RX_MAX_CP };
    free(s->r);
    s->r = out;
    s->n = k;
    s->cap = s->n + 1;
}

void cset_remove_range(struct cset *s, uint32_t lo, uint32_t hi)
{
    struct cset out;
    cset_init(&out);
    cset_reserve(&out, s->n + 1);
    for (uint32_t i = 0; i < s->n; i++) {
        struct crange r = s->r[i];
        if (r.hi < lo || r.lo > hi) {
            out.r[out.n++] = r;
            continue;
        }
        if (r.lo < lo)
            out.r[out.n++] = (struct crange){ r.lo, lo - 1 };
        if (r.hi > hi)
            out.r[out.n++] = (struct crange){ hi + 1, r.hi };
    }
    free(s->r);
    *s = out;
}

/* Blocks where the other case is at a fixed distance. */
static const struct {
    uint32_t lo, hi;
    int32_t delta;
} case_shifts[] = {
    { 'a', 'z', -32 },     { 'A', 'Z', 32 },      { 0xE0, 0xF6, -32 },   { 0xC0, 0xD6, 32 },
    { 0xF8, 0xFE, -32 },   { 0xD8, 0xDE, 32 },    { 0xFF, 0xFF, 0x79 },  { 0x178, 0x178, -0x79 },
    { 0x3B1, 0x3C1, -32 }, { 0x391, 0x3A1, 32 },  { 0x3C3, 0x3C9, -32 }, { 0x3A3, 0x3A9, 32 },
    { 0x3C2, 0x3C2, -31 }, { 0x430, 0x44F, -32 }, { 0x410, 0x42F, 32 },  { 0x450, 0x45F, -80 },
    { 0x400, 0x40F, 80 },
};

/* Blocks of alternating upper/lower pairs (Latin Extended-A): the pairs
 * start at lo. */
static const struct {
    uint32_t lo, hi;
} case_pairs[] = {
    { 0x100, 0x137 },
    { 0x139, 0x148 },
    { 0x14A, 0x177 },
    { 0x179, 0x17E },
};

void cset_add_case_variants(struct cset *s)
{
    struct cset add;
    cset_init(&add);
    for (uint32_t i = 0; i < s->n; i++) {
        struct crange r = s->r[i];
        for (size_t k = 0; k < DW_ARRAY_LEN(case_shifts); k++) {
            uint32_t lo = r.lo > case_shifts[k].lo ? r.lo : case_shifts[k].lo;
            uint32_t hi = r.hi < case_shifts[k].hi ? r.hi : case_shifts[k].hi;
            if (lo <= hi)
                cset_add_range(&add, (uint32_t)((int32_t)lo + case_shifts[k].delta),
                               (uint32_t)((int32_t)hi + case_shifts[k].delta));
        }
        for (size_t k = 0; k < DW_ARRAY_LEN(case_pairs); k++) {
            uint32_t lo = r.lo > case_pairs[k].lo ? r.lo : case_pairs[k].lo;
            uint32_t hi = r.hi < case_pairs[k].hi ? r.hi : case_pairs[k].hi;
            for (uint32_t c = lo; c <= hi && lo <= hi; c++) {
                uint32_t other = ((c - case_pairs[k].lo) ^ 1u) + case_pairs[k].lo;
                cset_add_range(&add, other, other);
            }
        }
    }
    cset_add_ranges(s, add.r, add.n);
    cset_release(&add);
}

struct crange *cset_freeze(const struct cset *s, struct arena *a)
{
    if (!s->n)
        return NULL;
    struct crange *r = ARENA_NEW_ARRAY(a, struct crange, s->n);
    memcpy(r, s->r, s->n * sizeof *r);
    return r;
}

bool cranges_contain(const struct crange *r, uint32_t n, uint32_t c)
{
    uint32_t a = 0, b = n;
    while (a < b) {
        uint32_t m = a + (b - a) / 2;
        if (r[m].hi < c)
            a = m + 1;
        else if (r[m].lo > c)
            b = m;
        else
            return true;
    }
    return false;
}

bool cranges_intersect(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb)
{
    uint32_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i].hi < b[j].lo)
            i++;
        else if (b[j].hi < a[i].lo)
            j++;
        else
            return true;
    }
    return false;
}

bool cranges_subset(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < na; i++) {
        while (j < nb && b[j].hi < a[i].lo)
            j++;
        /* b's ranges are non-adjacent, so a range of a must fit in one. */
        if (j == nb || b[j].lo > a[i].lo || b[j].hi < a[i].hi)
            return false;
    }
    return true;
}

bool cranges_equal(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

uint64_t cranges_size(const struct crange *r, uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += (uint64_t)r[i].hi - r[i].lo + 1;
    return total;
}

void cset_add_digit(struct cset *s)
{
    cset_add_range(s, '0', '9');
}

void cset_add_word(struct cset *s)
{
    cset_add_range(s, '0', '9');
    cset_add_range(s, 'A', 'Z');
    cset_add_range(s, '_', '_');
    cset_add_range(s, 'a', 'z');
}

void cset_add_space(struct cset *s)
{
    /* ECMAScript WhiteSpace and LineTerminator: tab, LF, VT, FF, CR, space,
     * NBSP, the Zs category and LS, PS, BOM. */
    static const struct crange space[] = {
        { 0x09, 0x0D },     { 0x20, 0x20 },     { 0xA0, 0xA0 },     { 0x1680, 0x1680 },
        { 0x2000, 0x200A }, { 0x2028, 0x2029 }, { 0x202F, 0x202F }, { 0x205F, 0x205F },
        { 0x3000, 0x3000 }, { 0xFEFF, 0xFEFF },
    };
    cset_add_ranges(s, space, DW_ARRAY_LEN(space));
}

/* Property names and the two-letter categories they stand for. */
static const struct {
    const char *name;
    const char *cats;
} unicode_props[] = {
    { "L", "LuLlLtLmLo" },
    { "Letter", "LuLlLtLmLo" },
    { "LC", "LuLlLt" },
    { "Cased_Letter", "LuLlLt" },
    { "Lu", "Lu" },
    { "Uppercase_Letter", "Lu" },
    { "Ll", "Ll" },
    { "Lowercase_Letter", "Ll" },
    { "Lt", "Lt" },
    { "Titlecase_Letter", "Lt" },
    { "Lm", "Lm" },
    { "Modifier_Letter", "Lm" },
    { "Lo", "Lo" },
    { "Other_Letter", "Lo" },
    { "M", "MnMcMe" },
    { "Mark", "MnMcMe" },
    { "Combining_Mark", "MnMcMe" },
    { "Mn", "Mn" },
    { "Nonspacing_Mark", "Mn" },
    { "Mc", "Mc" },
    { "Spacing_Mark", "Mc" },
    { "Me", "Me" },
    { "Enclosing_Mark", "Me" },
    { "N", "NdNlNo" },
    { "Number", "NdNlNo" },
    { "Nd", "Nd" },
    { "Decimal_Number", "Nd" },
    { "digit", "Nd" },
    { "Nl", "Nl" },
    { "Letter_Number", "Nl" },
    { "No", "No" },
    { "Other_Number", "No" },
    { "P", "PcPdPsPePiPfPo" },
    { "Punctuation", "PcPdPsPePiPfPo" },
    { "punct", "PcPdPsPePiPfPo" },
    { "Pc", "Pc" },
    { "Connector_Punctuation", "Pc" },
    { "Pd", "Pd" },
    { "Dash_Punctuation", "Pd" },
    { "Ps", "Ps" },
    { "Open_Punctuation", "Ps" },
    { "Pe", "Pe" },
    { "Close_Punctuation", "Pe" },
    { "Pi", "Pi" },
    { "Initial_Punctuation", "Pi" },
    { "Pf", "Pf" },
    { "Final_Punctuation", "Pf" },
    { "Po", "Po" },
    { "Other_Punctuation", "Po" },
    { "S", "SmScSkSo" },
    { "Symbol", "SmScSkSo" },
    { "Sm", "Sm" },
    { "Math_Symbol", "Sm" },
    { "Sc", "Sc" },
    { "Currency_Symbol", "Sc" },
    { "Sk", "Sk" },
    { "Modifier_Symbol", "Sk" },
    { "So", "So" },
    { "Other_Symbol", "So" },
    { "Z", "ZsZlZp" },
    { "Separator", "ZsZlZp" },
    { "Zs", "Zs" },
    { "Space_Separator", "Zs" },
    { "Zl", "Zl" },
    { "Line_Separator", "Zl" },
    { "Zp", "Zp" },
    { "Paragraph_Separator", "Zp" },
    { "Cc", "Cc" },
    { "Control", "Cc" },
    { "cntrl", "Cc" },
    { "Cf", "Cf" },
    { "Format", "Cf" },
    { "Co", "Co" },
    { "Private_Use", "Co" },
};

static bool name_is(const char *name, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

bool cset_add_unicode_property(struct cset *s, const char *name, size_t len)
{
    static const char *const prefixes[] = { "General_Category=", "gc=" };
    for (size_t k = 0; k < DW_ARRAY_LEN(prefixes); k++) {
        size_t pl = strlen(prefixes[k]);
        if (len > pl && memcmp(name, prefixes[k], pl) == 0) {
            name += pl;
            len -= pl;
            break;
        }
    }
    for (size_t k = 0; k < DW_ARRAY_LEN(unicode_props); k++) {
        if (!name_is(name, len, unicode_props[k].name))
            continue;
        for (const char *c = unicode_props[k].cats; *c; c += 2) {
            for (size_t j = 0; j < rx_unicode_n_cats; j++) {
                const struct rx_unicode_cat *cat = &rx_unicode_cats[j];
                if (cat->name[0] != c[0] || cat->name[1] != c[1])
                    continue;
                for (size_t p = 0; p < cat->n; p++)
                    cset_add_range(s, cat->ranges[2 * p], cat->ranges[2 * p + 1]);
            }
        }
        return true;
    }
    return false;
}
