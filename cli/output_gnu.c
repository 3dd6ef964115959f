/* `--format gnu`: the GNU error format editors' quickfix lists read,
 *
 *   path:line:col: severity: message [DW123]
 *
 * one line per finding, nothing else. */
#include "cli/output.h"

#include <string.h>

/* Line breaks in a message would start a bogus entry: they become spaces. */
static int one_line(struct buf *b, const char *s)
{
    struct buf raw = BUF_INIT;
    int rc = out_append_utf8(&raw, s, strlen(s));
    for (size_t i = 0; i < raw.len && !rc; i++) {
        char c = raw.data[i];
        rc = buf_append_char(b, c == '\n' || c == '\r' ? ' ' : c);
    }
    buf_release(&raw);
    return rc;
}

int out_gnu_file(const struct out_options *o, const struct out_file *f, struct out_chunk *c)
{
    (void)o;
    struct buf *b = &c->part[0];
    int rc = 0;
    for (uint32_t i = 0; i < f->n_findings && !rc; i++) {
        const struct eng_finding *x = &f->findings[i];
        rc = one_line(b, f->path);
        rc = rc ? rc
                : buf_printf(b, ":%u:%u: %s: ", x->line, x->col, out_severity_name(x->severity));
        rc = rc ? rc : one_line(b, x->message ? x->message : "");
        rc = rc ? rc : buf_printf(b, " [%s]\n", x->rule->id);
    }
    return rc ? ERR_TOO_LARGE : 0;
}
