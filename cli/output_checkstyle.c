/* `--format checkstyle`: Checkstyle 4.3 XML, one <file> per file with
 * findings and one <error> per finding (source = the rule id). Attribute
 * values are escaped for XML 1.0: the five entities, line breaks and tabs
 * as character references (so they survive attribute normalisation), and
 * characters XML cannot hold at all (other C0 controls, invalid UTF-8)
 * replaced with U+FFFD. Clean files are left out. */
#include "cli/output.h"

static const char *xml_escape(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&apos;";
    case '\n': return "&#10;";
    case '\r': return "&#13;";
    case '\t': return "&#9;";
    default: return c < 0x20 ? "\xEF\xBF\xBD" : NULL;
    }
}

/* Appends s escaped; raw is scratch space, kept between calls. */
static int attr(struct buf *b, struct buf *raw, const char *s)
{
    return out_append_escaped(b, raw, s, xml_escape);
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
