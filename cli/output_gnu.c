/* `--format gnu`: the GNU error format editors' quickfix lists read,
 *
 *   path:line:col: severity: message [DW123]
 *
 * one line per finding, nothing else. */
#include "cli/output.h"

static const char *line_break_escape(unsigned char c)
{
    return c == '\n' || c == '\r' ? " " : NULL;
}

/* Line breaks in a message would start a bogus entry: they become spaces.
 * raw is scratch space, kept between calls. */
static int one_line(struct buf *b, struct buf *raw, const char *s)
{
    return out_append_escaped(b, raw, s, line_break_escape);
}

int out_gnu_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    struct buf *b = &c->part[0];
    struct buf raw = BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        /* Appended piece by piece: printf cost more than the rest. */
        rc = one_line(b, &raw, f->path) || buf_append_char(b, ':') || out_append_u32(b, x->line) ||
             buf_append_char(b, ':') || out_append_u32(b, x->col) || buf_append_cstr(b, ": ") ||
             buf_append_cstr(b, out_severity_name(x->severity)) || buf_append_cstr(b, ": ") ||
             one_line(b, &raw, x->message ? x->message : "") || buf_append_cstr(b, " [") ||
             buf_append_cstr(b, x->rule->id) || buf_append_cstr(b, "]\n");
    }
    buf_release(&raw);
    return rc ? ERR_TOO_LARGE : 0;
}
