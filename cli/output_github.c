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

static const char *message_escape(unsigned char c)
{
    switch (c) {
    case '%': return "%25";
    case '\r': return "%0D";
    case '\n': return "%0A";
    default: return NULL;
    }
}

static const char *property_escape(unsigned char c)
{
    switch (c) {
    case ':': return "%3A";
    case ',': return "%2C";
    default: return message_escape(c);
    }
}

/* Appends s escaped; raw is scratch space, kept between calls. Invalid
 * UTF-8 would be mangled by the runner: it becomes U+FFFD first. */
static int escape(struct buf *b, struct buf *raw, const char *s, bool property)
{
    return out_append_escaped(b, raw, s, property ? property_escape : message_escape);
}

int out_github_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    int rc = 0;
    struct buf raw = BUF_INIT, title = BUF_INIT;
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
        /* Appended piece by piece: printf cost more than the rest. */
        rc = buf_append(b, "::", 2) || buf_append_cstr(b, cmd) || buf_append_cstr(b, " file=") ||
             escape(b, &raw, f->path, true) || buf_append_cstr(b, ",line=") ||
             out_append_u32(b, x->line) || buf_append_cstr(b, ",endLine=") ||
             out_append_u32(b, end_line);
        if (!rc && end_line == x->line)
            rc = buf_append_cstr(b, ",col=") || out_append_u32(b, x->col) ||
                 buf_append_cstr(b, ",endColumn=") ||
                 out_append_u32(b, x->end_col > x->col ? x->end_col : x->col);
        if (!rc) {
            buf_truncate(&title, 0);
            rc = buf_append_cstr(&title, x->rule->id) || buf_append_char(&title, ' ') ||
                 buf_append_cstr(&title, x->rule->name) || buf_append_cstr(b, ",title=") ||
                 escape(b, &raw, buf_cstr(&title), true);
        }
        rc = rc || buf_append_cstr(b, "::") ||
             escape(b, &raw, x->message ? x->message : "", false) || buf_append_char(b, '\n');
    }
    buf_release(&raw);
    buf_release(&title);
    return rc ? ERR_TOO_LARGE : 0;
}

int out_github_end(const struct out_options *o, const struct out_totals *t, struct buf *b)
{
    if (buf_append_cstr(b, "dockwright: ") || out_summary_text(o, t, b))
        return ERR_TOO_LARGE;
    return buf_append_char(b, '\n');
}
