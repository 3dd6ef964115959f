/* The logical-line cursor of the JSON-form rules: see jsonline.h. */
#include "rules/jsonline.h"

#include <stdbool.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* After a continuation at pos: the start of the next line that is neither
 * blank nor a comment, or len. */
static uint32_t continue_at(const struct jcur *c, uint32_t pos)
{
    const char *nl = memchr(c->src + pos, '\n', c->len - pos);
    uint32_t p = nl ? (uint32_t)(nl - c->src) + 1 : c->len;
    while (p < c->len) {
        uint32_t q = p;
        while (q < c->len && blank(c->src[q]))
            q++;
        if (q < c->len && c->src[q] != '\n' && c->src[q] != '#')
            break;
        nl = memchr(c->src + q, '\n', c->len - q);
        p = nl ? (uint32_t)(nl - c->src) + 1 : c->len;
    }
    return p;
}

/* Whether the escape character at pos ends its physical line. */
static bool is_continuation(const struct jcur *c, uint32_t pos)
{
    if (pos > 0 && c->src[pos - 1] == c->esc)
        return false;
    uint32_t q = pos + 1;
    while (q < c->len && blank(c->src[q]))
        q++;
    return q >= c->len || c->src[q] == '\n';
}

struct jcur jcur_at(const struct df_file *f, uint32_t pos)
{
    return (struct jcur){ f->src, pos, f->len, f->model.escape };
}

int jcur_peek(struct jcur *c)
{
    while (c->pos < c->len && c->src[c->pos] == c->esc && is_continuation(c, c->pos))
        c->pos = continue_at(c, c->pos);
    if (c->pos >= c->len || c->src[c->pos] == '\n')
        return -1;
    return (unsigned char)c->src[c->pos];
}

void jcur_skip_ws(struct jcur *c)
{
    for (int ch = jcur_peek(c); ch == ' ' || ch == '\t' || ch == '\r'; ch = jcur_peek(c))
        c->pos++;
}
