/* DW121 invalid-expose-port: an EXPOSE entry that BuildKit refuses because
 * its container port is not a number from 0 to 65535 (or a range whose
 * start exceeds its end) or its protocol is not tcp, udp or sctp. Entries
 * are expanded and re-split as BuildKit does; one with a variable whose
 * value is not known (an ARG without default) is skipped. The entry is read
 * the way Docker's port-spec parser reads it: `[[ip:]host:]port[/proto]`,
 * the protocol split off at '/', a range split at '-'. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports an EXPOSE entry whose port, or either end of a port range, is\n"
    "not a number from 0 to 65535, a range that starts after it ends, an\n"
    "entry without a port, and a protocol other than `tcp`, `udp` or `sctp`\n"
    "(in any case). Entries with variables are checked with the values the\n"
    "variables have at that point (ARG defaults, ENV values); an entry whose\n"
    "variables have no known value is skipped.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit refuses the instruction and the build fails at that step.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "EXPOSE 80/http 8443-8080\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM nginx:1.27\n"
    "EXPOSE 80/tcp 8080-8443\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3011", NULL },
    { NULL, NULL },
};

/* Where the parts of an expanded entry are in the source: only when the
 * entry is written literally (no variable, quote or escape), so that byte
 * i of the value is byte start + i of src. */
struct entry {
    struct str value;
    bool literal;
    uint32_t start;
    struct span word;       /* the word as written */
    const char *shown_from; /* the word as written, for messages; NULL when literal */
};

static struct span part_span(const struct entry *e, size_t from, size_t to)
{
    if (!e->literal)
        return e->word;
    return span_make(e->start + (uint32_t)from, e->start + (uint32_t)to);
}

static const char *from_note(struct rule_ctx *ctx, const struct entry *e)
{
    return e->shown_from ? rule_printf(ctx, " (from '%s')", e->shown_from) : "";
}

/* strconv.ParseUint(s, 10, 16): decimal digits only, at most 65535. */
static bool parse_port(struct str s, unsigned *out)
{
    if (!s.len)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s.ptr[i] - '0');
        if (v > 65535)
            return false;
    }
    *out = (unsigned)v;
    return true;
}

static void check_port_range(struct rule_ctx *ctx, const struct entry *e, size_t off,
                             struct str port)
{
    long dash = str_find_char(port, '-', 0);
    if (dash < 0) {
        unsigned v;
        if (!parse_port(port, &v))
            rule_report(ctx, part_span(e, off, off + port.len),
                        "port '%.*s' is not a number from 0 to 65535%s", STR_FMT(port),
                        from_note(ctx, e));
        return;
    }
    /* As Docker reads ranges: the text before the first '-' and the text
     * between it and the next '-'. */
    size_t d = (size_t)dash;
    struct str lo = str_slice(port, 0, d);
    long dash2 = str_find_char(port, '-', d + 1);
    size_t hi_end = dash2 < 0 ? port.len : (size_t)dash2;
    struct str hi = str_slice(port, d + 1, hi_end);
    unsigned a = 0, b = 0;
    if (!lo.len || !hi.len) {
        rule_report(ctx, part_span(e, off, off + port.len),
                    "port '%.*s' is not a number from 0 to 65535 or a range of two%s",
                    STR_FMT(port), from_note(ctx, e));
        return;
    }
    bool ok_a = parse_port(lo, &a), ok_b = parse_port(hi, &b);
    if (!ok_a)
        rule_report(ctx, part_span(e, off, off + d),
                    "port range '%.*s' starts with '%.*s', which is not a number from 0 to 65535%s",
                    STR_FMT(port), STR_FMT(lo), from_note(ctx, e));
    if (!ok_b)
        rule_report(ctx, part_span(e, off + d + 1, off + hi_end),
                    "port range '%.*s' ends with '%.*s', which is not a number from 0 to 65535%s",
                    STR_FMT(port), STR_FMT(hi), from_note(ctx, e));
    if (ok_a && ok_b && b < a)
        rule_report(ctx, part_span(e, off, off + port.len),
                    "port range '%.*s' starts after it ends (%u > %u)%s", STR_FMT(port), a, b,
                    from_note(ctx, e));
}

static void check_entry(struct rule_ctx *ctx, const struct entry *e)
{
    struct str v = e->value;
    /* The container part follows the last ':' (host IP and port come
     * before it; DW122 reports them). */
    size_t cstart = 0;
    for (size_t i = v.len; i > 0; i--)
        if (v.ptr[i - 1] == ':') {
            cstart = i;
            break;
        }
    struct str c = str_slice(v, cstart, v.len);
    long slash = str_find_char(c, '/', 0);
    struct str port = slash < 0 ? c : str_slice(c, 0, (size_t)slash);
    if (!port.len) {
        rule_report(ctx, part_span(e, cstart, v.len), "no port in EXPOSE entry '%.*s'%s",
                    STR_FMT(v), from_note(ctx, e));
        return;
    }
    check_port_range(ctx, e, cstart, port);
    if (slash < 0)
        return;
    /* The protocol is the text between the first and the second '/'; an
     * empty one means tcp. */
    size_t ps = (size_t)slash + 1;
    long slash2 = str_find_char(c, '/', ps);
    size_t pe = slash2 < 0 ? c.len : (size_t)slash2;
    struct str proto = str_slice(c, ps, pe);
    if (!proto.len || str_eq_nocase(proto, STR_LIT("tcp")) ||
        str_eq_nocase(proto, STR_LIT("udp")) || str_eq_nocase(proto, STR_LIT("sctp")))
        return;
    rule_report(ctx, part_span(e, cstart + ps, cstart + pe),
                "protocol '%.*s' is not tcp, udp or sctp%s", STR_FMT(proto), from_note(ctx, e));
}

/* Whether every variable of the word has a known value (set, or replaced
 * by a modifier's word whose own variables are checked in turn). */
static bool value_known(const struct exp_result *r)
{
    for (size_t i = 0; i < r->n_refs; i++) {
        const struct exp_ref *ref = &r->refs[i];
        if (ref->set)
            continue;
        switch (ref->mod) {
        case EXP_MOD_DEFAULT:
        case EXP_MOD_DEFAULT_NULL:
        case EXP_MOD_ALT:
        case EXP_MOD_ALT_NULL: continue;
        default: return false;
        }
    }
    return true;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    for (uint32_t i = 0; i < in->n_args; i++) {
        const struct df_text *w = &in->args[i];
        if (!w->raw.ptr || !w->raw.len)
            continue;
        struct exp_result r;
        struct err err;
        if (df_expand(f, in, w, EXP_SPLIT, &r, &err) || !value_known(&r))
            continue; /* DW015 reports broken substitutions */
        bool literal = r.n_words == 1 && !r.n_refs && str_eq(r.words[0], w->raw) &&
                       span_len(w->span) == w->raw.len &&
                       !memcmp(f->src + w->span.start, w->raw.ptr, w->raw.len);
        for (size_t k = 0; k < r.n_words; k++) {
            struct entry e = {
                .value = r.words[k],
                .literal = literal,
                .start = w->span.start,
                .word = w->span,
                .shown_from =
                    literal ? NULL
                            : rule_printf(ctx, "%.*s", (int)(w->raw.len > 60 ? 60 : w->raw.len),
                                          w->raw.ptr),
            };
            check_entry(ctx, &e);
        }
    }
}

const struct rule rule_DW121 = {
    .id = "DW121",
    .name = "invalid-expose-port",
    .severity = SEV_ERROR,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "an EXPOSE port or protocol that BuildKit refuses",
    .aliases = aliases,
    .on = DF_ON(DF_EXPOSE),
    .check = check,
    .doc = doc,
};
