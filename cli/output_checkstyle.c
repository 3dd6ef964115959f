/* `--format checkstyle`: Checkstyle 4.3 XML, one <file> per file with
 * findings and one <error> per finding (source = the rule id). Attribute
 * values are escaped for XML 1.0: the five entities, line breaks and tabs
 * as character references (so they survive attribute normalisation), and
 * characters XML cannot hold at all (other C0 controls, invalid UTF-8)
 * replaced with U+FFFD. Clean files are left out. */
#include "cli/output.h"

#include <string.h>

static int attr(struct buf *b, const char *s)
{
    struct buf raw = BUF_INIT;
    int rc = out_append_utf8(&raw, s, strlen(s));
    for (size_t i = 0; i < raw.len && !rc; i++) {
        unsigned char c = (unsigned char)raw.data[i];
        switch (c) {
        case '&': rc = buf_append_cstr(b, "&amp;"); break;
        case '<': rc = buf_append_cstr(b, "&lt;"); break;
        case '>': rc = buf_append_cstr(b, "&gt;"); break;
        case '"': rc = buf_append_cstr(b, "&quot;"); break;
        case '\'': rc = buf_append_cstr(b, "&apos;"); break;
        case '\n': rc = buf_append_cstr(b, "&#10;"); break;
        case '\r': rc = buf_append_cstr(b, "&#13;"); break;
        case '\t': rc = buf_append_cstr(b, "&#9;"); break;
        default:
            rc = c < 0x20 ? buf_append_cstr(b, "\xEF\xBF\xBD") : buf_append_char(b, (char)c);
            break;
        }
    }
    buf_release(&raw);
    return rc;
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
    int rc = buf_append_cstr(b, "<file name=\"");
    rc = rc ? rc : attr(b, f->path);
    rc = rc ? rc : buf_append_cstr(b, "\">\n");
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        rc = buf_printf(b, "  <error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"", x->line,
                        x->col, severity_of(x->severity));
        rc = rc ? rc : attr(b, x->message ? x->message : "");
        rc = rc ? rc : buf_append_cstr(b, "\" source=\"");
        rc = rc ? rc : attr(b, x->rule->id);
        rc = rc ? rc : buf_append_cstr(b, "\"/>\n");
    }
    rc = rc ? rc : buf_append_cstr(b, "</file>\n");
    return rc ? ERR_TOO_LARGE : 0;
}
