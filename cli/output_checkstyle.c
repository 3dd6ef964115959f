/* `--format checkstyle`: Checkstyle 4.3 XML, one <file> per file with
 * findings and one <error> per finding (source = the rule id). Attribute
 * values are escaped for XML 1.0: the five entities, line breaks and tabs
 * as character references (so they survive attribute normalisation), and
 * characters XML cannot hold at all (other C0 controls, invalid UTF-8)
 * replaced with U+FFFD. Clean files are left out. */
#include "cli/output.h"

#include <string.h>

/* Appends s escaped; raw is scratch space, kept between calls. */
static int attr(struct buf *b, struct buf *raw, const char *s)
{
    buf_truncate(raw, 0);
    if (out_append_utf8(raw, s, strlen(s)))
        return ERR_TOO_LARGE;
    const char *p = buf_cstr(raw);
    size_t from = 0; /* bytes not yet copied start here */
    for (size_t i = 0; i < raw->len; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *e;
        switch (c) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&apos;"; break;
        case '\n': e = "&#10;"; break;
        case '\r': e = "&#13;"; break;
        case '\t': e = "&#9;"; break;
        default: e = c < 0x20 ? "\xEF\xBF\xBD" : NULL; break;
        }
        if (!e)
            continue;
        if (buf_append(b, p + from, i - from) || buf_append_cstr(b, e))
            return ERR_TOO_LARGE;
        from = i + 1;
    }
    return buf_append(b, p + from, raw->len - from);
}

static const char *severity_of(enum rule_severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_INFO:
    case SEV_STYLE: return "info";
    }
    return "warning";
}

int out_checkstyle_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    if (!f->n_findings)
        return 0;
    struct buf *b = &c->part[0];
    struct buf raw = BUF_INIT;
    int rc = buf_append_cstr(b, "<file name=\"") || attr(b, &raw, f->path) ||
             buf_append_cstr(b, "\">\n");
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        /* Appended piece by piece: printf cost more than the rest. */
        rc = buf_append_cstr(b, "  <error line=\"") || out_append_u32(b, x->line) ||
             buf_append_cstr(b, "\" column=\"") || out_append_u32(b, x->col) ||
             buf_append_cstr(b, "\" severity=\"") || buf_append_cstr(b, severity_of(x->severity)) ||
             buf_append_cstr(b, "\" message=\"") || attr(b, &raw, x->message ? x->message : "") ||
             buf_append_cstr(b, "\" source=\"") || attr(b, &raw, x->rule->id) ||
             buf_append_cstr(b, "\"/>\n");
    }
    rc = rc || buf_append_cstr(b, "</file>\n");
    buf_release(&raw);
    return rc ? ERR_TOO_LARGE : 0;
}
