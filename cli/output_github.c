/* `--format github`: GitHub Actions workflow commands, one line per finding
 *
 *   ::error file=P,line=L,endLine=L2,col=C,endColumn=C2,title=T::MESSAGE
 *
 * (warning and notice likewise; col and endColumn only when the finding is
 * on one line). GitHub shows only the first few annotations of each kind,
 * so errors come first, then warnings, then notices, and a plain summary
 * line ends the report. Escaping as the runner decodes it: %, CR and LF in
 * the message; also ':' and ',' in property values. */
#include "cli/output.h"

#include <string.h>

static int escape(struct buf *b, const char *s, bool property)
{
    struct buf raw = BUF_INIT;
    /* Invalid UTF-8 would be mangled by the runner; make it U+FFFD first. */
    int rc = out_append_utf8(&raw, s, strlen(s));
    for (size_t i = 0; i < raw.len && !rc; i++) {
        char c = raw.data[i];
        switch (c) {
        case '%': rc = buf_append_cstr(b, "%25"); break;
        case '\r': rc = buf_append_cstr(b, "%0D"); break;
        case '\n': rc = buf_append_cstr(b, "%0A"); break;
        case ':': rc = property ? buf_append_cstr(b, "%3A") : buf_append_char(b, c); break;
        case ',': rc = property ? buf_append_cstr(b, "%2C") : buf_append_char(b, c); break;
        default: rc = buf_append_char(b, c); break;
        }
    }
    buf_release(&raw);
    return rc;
}

int out_github_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    int rc = 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        int part;
        const char *cmd;
        switch (x->severity) {
        case SEV_ERROR:
            part = 0;
            cmd = "error";
            break;
        case SEV_WARNING:
            part = 1;
            cmd = "warning";
            break;
        default:
            part = 2;
            cmd = "notice";
            break;
        }
        struct buf *b = &c->part[part];
        uint32_t end_line = x->end_line >= x->line ? x->end_line : x->line;
        rc = buf_printf(b, "::%s file=", cmd);
        rc = rc ? rc : escape(b, f->path, true);
        rc = rc ? rc : buf_printf(b, ",line=%u,endLine=%u", x->line, end_line);
        if (!rc && end_line == x->line)
            rc = buf_printf(b, ",col=%u,endColumn=%u", x->col,
                            x->end_col > x->col ? x->end_col : x->col);
        if (!rc) {
            struct buf title = BUF_INIT;
            rc = buf_printf(&title, "%s %s", x->rule->id, x->rule->name);
            rc = rc ? rc : buf_append_cstr(b, ",title=");
            rc = rc ? rc : escape(b, buf_cstr(&title), true);
            buf_release(&title);
        }
        rc = rc ? rc : buf_append_cstr(b, "::");
        rc = rc ? rc : escape(b, x->message ? x->message : "", false);
        rc = rc ? rc : buf_append_char(b, '\n');
    }
    return rc ? ERR_TOO_LARGE : 0;
}

int out_github_end(const struct out_options *o, const struct out_totals *t, struct buf *b)
{
    if (buf_append_cstr(b, "dockwright: ") || out_summary_text(o, t, b))
        return ERR_TOO_LARGE;
    return buf_append_char(b, '\n');
}
