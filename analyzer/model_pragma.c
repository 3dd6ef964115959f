/* Parser directives and inline pragmas (rules.md "Pragmas and config
 * aliases"; peers/buildkit-checks.md for `check=`):
 *
 *   # dockwright ignore=A,B        the next instruction: only comment lines
 *   # hadolint ignore=A,B          may stand between, a blank line ends it
 *   # dockwright global ignore=... the whole file (also hadolint)
 *   # dockwright stage ignore=...  the stage whose FROM follows in the same
 *                                  comment block (also hadolint)
 *   # dockwright shell=X           the shell dialect (also hadolint)
 *   # check=skip=A,B               as a directive: the file; in the comment
 *                                  block of an instruction: that instruction
 *
 * Blanks around '=' and ',' are allowed; a reason may follow after ` -- ` or
 * a second '#'. Other trailing words are kept as names, so that the engine
 * reports them (DW016) instead of silently honouring a misspelt list.
 * Pragmas are read from comment lines between instructions only; a comment
 * line inside a continued instruction is dropped text, as for BuildKit. */
#include "analyzer/model_int.h"

#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct df_text slice(const struct mb *b, uint32_t start, uint32_t end)
{
    return (struct df_text){ str_make(b->src + start, end - start), span_make(start, end) };
}

static struct df_pragma *new_pragma(struct mb *b, enum df_pragma_origin origin,
                                    enum df_pragma_scope scope, struct span comment)
{
    struct df_pragma *p = VEC_PUSH_ZERO(&b->pragmas);
    p->origin = origin;
    p->scope = scope;
    p->span = comment;
    return p;
}

static void set_names(struct mb *b, uint32_t pragma, size_t names_base)
{
    struct df_pragma *p = &b->pragmas.items[pragma];
    p->n_names = (uint32_t)(b->names.len - names_base);
    /* `ignore=` with no name: the vector may be unallocated, and NULL + 0
     * is undefined. */
    p->names = p->n_names
                   ? mb_dup(b, b->names.items + names_base, p->n_names, sizeof *b->names.items)
                   : NULL;
    b->names.len = names_base;
}

/* ------------------------------------------------------------- directives */

void mb_check_pragma(struct mb *b, uint32_t start, uint32_t end, enum df_pragma_scope scope,
                     struct span comment, const struct df_instr *target)
{
    /* BuildKit reads the value up to the first blank. */
    uint32_t e = start;
    while (e < end && !blank(b->src[e]) && b->src[e] != '\n')
        e++;
    uint32_t p = start;
    while (p < e) {
        uint32_t q = p;
        while (q < e && b->src[q] != ';')
            q++;
        if (q - p >= 5 && memcmp(b->src + p, "skip=", 5) == 0) {
            size_t nb = b->names.len;
            uint32_t s = p + 5;
            while (s <= q) {
                uint32_t t = s;
                while (t < q && b->src[t] != ',')
                    t++;
                if (t > s)
                    VEC_PUSH(&b->names, slice(b, s, t));
                s = t + 1;
            }
            struct df_pragma *pr = new_pragma(b, DF_PRAGMA_BUILDKIT, scope, comment);
            pr->target = target;
            set_names(b, (uint32_t)b->pragmas.len - 1, nb);
        }
        p = q + 1;
    }
}

void mb_directive(struct mb *b, TSNode node)
{
    uint32_t n;
    uint32_t base = mb_kids(b, node, &n);
    struct df_directive d;
    memset(&d, 0, sizeof d);
    uint32_t ns = ts_node_start_byte(node);
    d.name = slice(b, ns, ns);
    d.value =
        (struct df_text){ STR_NULL, span_make(ts_node_end_byte(node), ts_node_end_byte(node)) };
    for (uint32_t i = 0; i < n; i++) {
        struct mb_kid k = mb_kid_at(b, base + i);
        if (k.sym == S_DIRECTIVE_NAME)
            d.name = slice(b, k.start, k.end);
        else if (k.sym == S_DIRECTIVE_VALUE)
            d.value = slice(b, k.start, k.end);
    }
    mb_kids_pop(b, base);
    /* The scanner makes directives of the three known keys only: one flag
     * per key finds duplicates without rescanning (a file of thousands of
     * directive lines stays linear). */
    static const char *const keys[] = { "syntax", "escape", "check" };
    size_t key = 3;
    for (size_t i = 0; i < 3; i++)
        if (str_eq_nocase(d.name.raw, str_from_cstr(keys[i])))
            key = i;
    if (key < 3) {
        d.duplicate = b->directive_seen[key];
        b->directive_seen[key] = true;
    } else {
        for (size_t i = 0; i < b->directives.len && !d.duplicate; i++)
            d.duplicate = str_eq_nocase(b->directives.items[i].name.raw, d.name.raw);
    }
    VEC_PUSH(&b->directives, d);
    struct span whole = span_make(ns, ts_node_end_byte(node));
    if (str_eq_nocase(d.name.raw, STR_LIT("escape")) && d.value.raw.len == 1 &&
        (d.value.raw.ptr[0] == '\\' || d.value.raw.ptr[0] == '`'))
        b->escape = d.value.raw.ptr[0];
    else if (str_eq_nocase(d.name.raw, STR_LIT("check")) && d.value.raw.ptr && !d.duplicate)
        mb_check_pragma(b, d.value.span.start, d.value.span.end, DF_PRAGMA_GLOBAL, whole, NULL);
}

/* ---------------------------------------------------------------- comments */

/* `#`, blanks, a key of letters and digits, blanks, '=': the shape of a
 * directive. Sets the value's start. */
static bool directive_shape(const struct mb *b, uint32_t p, uint32_t e, const char *key,
                            uint32_t *value)
{
    if (p >= e || b->src[p] != '#')
        return false;
    p++;
    while (p < e && blank(b->src[p]))
        p++;
    size_t kl = strlen(key);
    if (e - p < kl || !str_eq_nocase(str_make(b->src + p, kl), str_make(key, kl)))
        return false;
    p += (uint32_t)kl;
    while (p < e && blank(b->src[p]))
        p++;
    if (p >= e || b->src[p] != '=')
        return false;
    p++;
    while (p < e && blank(b->src[p]))
        p++;
    *value = p;
    return true;
}

/* Matches a word at *p followed by a blank, '=' or the end. */
static bool word_at(const struct mb *b, uint32_t *p, uint32_t e, const char *w)
{
    size_t n = strlen(w);
    if (e - *p < n || memcmp(b->src + *p, w, n) != 0)
        return false;
    uint32_t q = *p + (uint32_t)n;
    if (q < e && !blank(b->src[q]) && b->src[q] != '=')
        return false;
    *p = q;
    return true;
}

static void skip_blanks(const struct mb *b, uint32_t *p, uint32_t e)
{
    while (*p < e && blank(b->src[*p]))
        (*p)++;
}

/* The names after `ignore=`, up to the end, ` -- ` or a second '#'. */
static void read_names(struct mb *b, uint32_t p, uint32_t e)
{
    for (;;) {
        skip_blanks(b, &p, e);
        if (p >= e || b->src[p] == '#')
            return;
        if (e - p >= 2 && b->src[p] == '-' && b->src[p + 1] == '-' &&
            (p + 2 == e || blank(b->src[p + 2])))
            return;
        if (b->src[p] == ',') {
            p++;
            continue;
        }
        uint32_t s = p;
        while (p < e && !blank(b->src[p]) && b->src[p] != ',' && b->src[p] != '#')
            p++;
        VEC_PUSH(&b->names, slice(b, s, p));
    }
}

/* A dockwright or hadolint pragma comment at [s, e) (without the line
 * ending). */
static void tool_pragma(struct mb *b, uint32_t s, uint32_t e)
{
    uint32_t p = s + 1;
    skip_blanks(b, &p, e);
    enum df_pragma_origin origin;
    if (word_at(b, &p, e, "dockwright"))
        origin = DF_PRAGMA_DOCKWRIGHT;
    else if (word_at(b, &p, e, "hadolint"))
        origin = DF_PRAGMA_HADOLINT;
    else
        return;
    skip_blanks(b, &p, e);
    enum df_pragma_scope scope = DF_PRAGMA_NEXT;
    if (word_at(b, &p, e, "global")) {
        scope = DF_PRAGMA_GLOBAL;
        skip_blanks(b, &p, e);
    } else if (word_at(b, &p, e, "stage")) {
        scope = DF_PRAGMA_STAGE;
        skip_blanks(b, &p, e);
    }
    bool shell = false;
    if (scope == DF_PRAGMA_NEXT && word_at(b, &p, e, "shell"))
        shell = true;
    else if (!word_at(b, &p, e, "ignore"))
        return;
    skip_blanks(b, &p, e);
    if (p >= e || b->src[p] != '=')
        return;
    p++;
    if (shell) {
        skip_blanks(b, &p, e);
        uint32_t v = p;
        while (p < e && !blank(b->src[p]) && b->src[p] != '#')
            p++;
        b->f->model.shell_pragma = slice(b, v, p);
        return;
    }
    size_t nb = b->names.len;
    read_names(b, p, e);
    new_pragma(b, origin, scope, span_make(s, e));
    set_names(b, (uint32_t)b->pragmas.len - 1, nb);
    if (scope != DF_PRAGMA_GLOBAL)
        VEC_PUSH(&b->pend_next, (uint32_t)b->pragmas.len - 1);
}

void mb_comment(struct mb *b, TSNode node, uint32_t next_start)
{
    uint32_t s = ts_node_start_byte(node), end = ts_node_end_byte(node);
    const char *nl = memchr(b->src + s, '\n', end - s);
    uint32_t line_end = nl ? (uint32_t)(nl - b->src) : end;
    uint32_t e = line_end;
    if (e > s && b->src[e - 1] == '\r')
        e--;
    VEC_PUSH(&b->comments, span_make(s, e));

    /* BuildKit finds `check=` below a `#!` first line too (it skips the
     * shebang when it looks for the directive, not when it parses). */
    bool at_top = s == 0 || (s == 3 && b->f->bom);
    if (at_top && e - s >= 2 && b->src[s + 1] == '!') {
        b->header_open = true;
    } else if (b->header_open) {
        uint32_t v;
        if (directive_shape(b, s, e, "check", &v)) {
            mb_check_pragma(b, v, e, DF_PRAGMA_GLOBAL, span_make(s, e), NULL);
        } else if (!directive_shape(b, s, e, "syntax", &v) &&
                   !directive_shape(b, s, e, "escape", &v)) {
            b->header_open = false;
        }
    }

    uint32_t v;
    uint32_t p = s + 1;
    skip_blanks(b, &p, e);
    if (p == e) {
        /* An empty `#` line discards BuildKit's pending comment block. */
        b->block_check = -1;
    } else if (directive_shape(b, s, e, "check", &v)) {
        if (b->block_check < 0 && !b->header_open) {
            b->block_check = (int32_t)s;
        }
    } else {
        tool_pragma(b, s, e);
    }

    /* A blank line between this comment and what follows ends the pending
     * `ignore` pragmas (BuildKit's comment block survives it). */
    uint32_t lines = 0;
    for (uint32_t i = line_end; i < next_start && i < b->len; i++)
        if (b->src[i] == '\n')
            lines++;
    if (lines >= 2)
        b->pend_next.len = 0;
    if (lines >= 2)
        b->header_open = false;
}

void mb_pragmas_before_instr(struct mb *b, struct df_instr *in)
{
    for (size_t i = 0; i < b->pend_next.len; i++) {
        struct df_pragma *p = &b->pragmas.items[b->pend_next.items[i]];
        if (p->scope == DF_PRAGMA_NEXT)
            p->target = in;
        else if (p->scope == DF_PRAGMA_STAGE && in->kind == DF_FROM)
            p->target = in;
    }
    b->pend_next.len = 0;
    if (b->block_check >= 0) {
        uint32_t s = (uint32_t)b->block_check;
        const char *nl = memchr(b->src + s, '\n', b->len - s);
        uint32_t e = nl ? (uint32_t)(nl - b->src) : b->len;
        if (e > s && b->src[e - 1] == '\r')
            e--;
        uint32_t v;
        if (directive_shape(b, s, e, "check", &v))
            mb_check_pragma(b, v, e, DF_PRAGMA_NEXT, span_make(s, e), in);
    }
    b->block_check = -1;
    b->header_open = false;
}

void mb_pragmas_finish(struct mb *b)
{
    b->pend_next.len = 0;
    b->block_check = -1;
}
