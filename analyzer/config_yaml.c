/* The YAML reader of the config loader: libyaml's event API turned into a
 * small tree of scalars, sequences and mappings with 1-based line and byte
 * column, so that the key tables can look ahead (`shellcheck: on` versus
 * `shellcheck: {mode: on}`) and report every problem at its place. */
#include "analyzer/config_int.h"
#include "common/arena.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ---- positions ----
 *
 * libyaml marks count characters (its index and column advance once per
 * code point, a UTF-8 BOM at the start is not counted, CR LF counts two),
 * while dockwright reports byte columns like every other module. A cursor
 * walks the text forward as marks arrive, which they mostly do in order;
 * a mark behind the cursor restarts it from the top. Line breaks are the
 * ones libyaml knows: LF, CR LF, a lone CR, NEL, LS and PS. */

struct pos_map {
    const unsigned char *text;
    size_t len;
    size_t start;      /* byte of character index 0 (after a BOM) */
    size_t ci, bi;     /* the cursor: character index, byte offset */
    uint32_t line;     /* 1-based line of the cursor */
    size_t line_start; /* byte offset where that line starts */
};

static void pm_reset(struct pos_map *m)
{
    m->ci = 0;
    m->bi = m->start;
    m->line = 1;
    m->line_start = m->start;
}

static void pm_init(struct pos_map *m, const char *text, size_t len)
{
    m->text = (const unsigned char *)text;
    m->len = len;
    m->start = (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    pm_reset(m);
}

static size_t utf8_width(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 1;
}

/* Moves the cursor over one character. */
static void pm_step(struct pos_map *m)
{
    const unsigned char *t = m->text + m->bi;
    size_t left = m->len - m->bi;
    size_t n = utf8_width(t[0]);
    if (n > left)
        n = left;
    bool brk = false;
    if (t[0] == '\n')
        brk = true;
    else if (t[0] == '\r')
        brk = !(left > 1 && t[1] == '\n');
    else if (n == 2 && t[0] == 0xC2 && t[1] == 0x85)
        brk = true;
    else if (n == 3 && t[0] == 0xE2 && t[1] == 0x80 && (t[2] == 0xA8 || t[2] == 0xA9))
        brk = true;
    m->bi += n;
    m->ci++;
    if (brk) {
        m->line++;
        m->line_start = m->bi;
    }
}

/* Line and byte column of the character at libyaml index `index`. */
static void pm_locate(struct pos_map *m, size_t index, uint32_t *line, uint32_t *col)
{
    if (index < m->ci)
        pm_reset(m);
    while (m->ci < index && m->bi < m->len)
        pm_step(m);
    *line = m->line;
    *col = (uint32_t)(m->bi - m->line_start + 1);
}

/* Line and byte column of a byte offset into the raw text (reader errors
 * carry one). */
static void pm_locate_byte(struct pos_map *m, size_t offset, uint32_t *line, uint32_t *col)
{
    pm_reset(m);
    if (offset < m->start)
        offset = m->start;
    while (m->bi < offset && m->bi < m->len)
        pm_step(m);
    *line = m->line;
    *col = (uint32_t)(m->bi - m->line_start + 1);
}

/* ---- the reader ---- */

struct yb {
    yaml_parser_t parser;
    struct arena *a;
    const char *path;
    struct pos_map pm;
    struct err *err;
};

static DW_PRINTF(5, 6) int yb_fail(struct yb *b, enum err_code code, uint32_t line, uint32_t col,
                                   const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(b->err, code, "%s", msg);
    err_at(b->err, b->path, line, col);
    return code;
}

static int yb_parser_error(struct yb *b)
{
    const yaml_parser_t *p = &b->parser;
    const char *problem = p->problem ? p->problem : "unknown problem";
    uint32_t line, col;
    if (p->error == YAML_MEMORY_ERROR)
        return yb_fail(b, ERR_INTERNAL, 0, 0, "out of memory while reading YAML");
    if (p->error == YAML_READER_ERROR) {
        pm_locate_byte(&b->pm, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            return yb_fail(b, ERR_SYNTAX, line, col, "malformed YAML: %s (#x%X)", problem,
                           (unsigned)p->problem_value);
        return yb_fail(b, ERR_SYNTAX, line, col, "malformed YAML: %s", problem);
    }
    if (p->context) {
        uint32_t cline, ccol;
        pm_locate(&b->pm, p->context_mark.index, &cline, &ccol);
        pm_locate(&b->pm, p->problem_mark.index, &line, &col);
        return yb_fail(b, ERR_SYNTAX, line, col, "malformed YAML: %s (%s at line %u, column %u)",
                       problem, p->context, cline, ccol);
    }
    pm_locate(&b->pm, p->problem_mark.index, &line, &col);
    return yb_fail(b, ERR_SYNTAX, line, col, "malformed YAML: %s", problem);
}

static int yb_next(struct yb *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev))
        return yb_parser_error(b);
    return 0;
}

static void yb_mark(struct yb *b, const yaml_mark_t *mark, uint32_t *line, uint32_t *col)
{
    pm_locate(&b->pm, mark->index, line, col);
}

/* Anchors serve only aliases, which would let a small file expand into a
 * huge tree; neither has a use in a config, so both are refused. Tags other
 * than the standard ones for the node's own kind are refused too. */
static int check_props(struct yb *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                       const yaml_char_t *tag, const char *own_tag)
{
    uint32_t line, col;
    if (anchor) {
        yb_mark(b, &ev->start_mark, &line, &col);
        return yb_fail(b, ERR_SYNTAX, line, col, "YAML anchors are not supported ('&%s')",
                       (const char *)anchor);
    }
    if (tag && strcmp((const char *)tag, own_tag) != 0) {
        yb_mark(b, &ev->start_mark, &line, &col);
        return yb_fail(b, ERR_SYNTAX, line, col, "YAML tags are not supported ('%s')",
                       (const char *)tag);
    }
    return 0;
}

static bool is_null_text(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 &&
            (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

struct key_ref {
    const struct cfg_node *key;
    size_t order;
};

static int cmp_key_ref(const void *pa, const void *pb)
{
    const struct key_ref *a = pa, *b = pb;
    size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
    int c = memcmp(a->key->text, b->key->text, n);
    if (c)
        return c;
    if (a->key->len != b->key->len)
        return a->key->len < b->key->len ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Keys must be scalars and unique. Sorting keeps this O(n log n) for the
 * fuzzer's million-key maps; of all repeated keys, the one written first
 * (in document order) is reported. */
static int check_map_keys(struct yb *b, const struct cfg_node *map)
{
    size_t n = map->n_kids / 2;
    for (size_t i = 0; i < n; i++) {
        const struct cfg_node *k = map->kids[2 * i];
        if (k->kind != CFG_NODE_SCALAR)
            return yb_fail(b, ERR_INVALID, k->line, k->col, "mapping keys must be strings");
    }
    if (n < 2)
        return 0;
    struct key_ref *refs = ARENA_NEW_ARRAY(b->a, struct key_ref, n);
    for (size_t i = 0; i < n; i++)
        refs[i] = (struct key_ref){ map->kids[2 * i], i };
    qsort(refs, n, sizeof *refs, cmp_key_ref);
    const struct key_ref *dup = NULL, *first = NULL;
    for (size_t i = 1; i < n; i++) {
        const struct cfg_node *p = refs[i - 1].key, *k = refs[i].key;
        if (p->len != k->len || memcmp(p->text, k->text, k->len) != 0)
            continue;
        if (!dup || refs[i].order < dup->order) {
            dup = &refs[i];
            size_t j = i - 1;
            while (j > 0 && refs[j - 1].key->len == k->len &&
                   memcmp(refs[j - 1].key->text, k->text, k->len) == 0)
                j--;
            first = &refs[j];
        }
    }
    if (dup)
        return yb_fail(b, ERR_INVALID, dup->key->line, dup->key->col,
                       "duplicate key '%s' (first at line %u)", dup->key->text, first->key->line);
    return 0;
}

static int build_node(struct yb *b, const yaml_event_t *ev, unsigned depth, struct cfg_node **out);

static int build_collection(struct yb *b, const yaml_event_t *ev, unsigned depth,
                            struct cfg_node *node)
{
    yaml_event_type_t end =
        node->kind == CFG_NODE_SEQ ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
    if (depth > CFG_MAX_DEPTH)
        return yb_fail(b, ERR_SYNTAX, node->line, node->col,
                       "YAML nesting is deeper than %d levels", CFG_MAX_DEPTH);
    (void)ev;
    size_t cap = 0;
    for (;;) {
        yaml_event_t kid;
        int rc = yb_next(b, &kid);
        if (rc)
            return rc;
        if (kid.type == end) {
            yaml_event_delete(&kid);
            break;
        }
        struct cfg_node *k = NULL;
        rc = build_node(b, &kid, depth + 1, &k);
        yaml_event_delete(&kid);
        if (rc)
            return rc;
        node->kids =
            cfg_grow(b->a, node->kids, node->n_kids, &cap, node->n_kids + 1, sizeof *node->kids);
        node->kids[node->n_kids++] = k;
    }
    if (node->kind == CFG_NODE_MAP)
        return check_map_keys(b, node);
    return 0;
}

static int build_node(struct yb *b, const yaml_event_t *ev, unsigned depth, struct cfg_node **out)
{
    struct cfg_node *node = ARENA_NEW(b->a, struct cfg_node);
    yb_mark(b, &ev->start_mark, &node->line, &node->col);
    *out = node;
    int rc;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return yb_fail(b, ERR_SYNTAX, node->line, node->col,
                       "YAML aliases are not supported ('*%s')",
                       (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: {
        rc = check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag, YAML_STR_TAG);
        if (rc)
            return rc;
        const char *v = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        if (memchr(v, '\0', n))
            return yb_fail(b, ERR_INVALID, node->line, node->col,
                           "strings must not contain NUL characters");
        node->kind = CFG_NODE_SCALAR;
        node->text = arena_strndup(b->a, v, n);
        node->len = n;
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
        node->is_null = node->plain && is_null_text(v, n);
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT:
        rc = check_props(b, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag,
                         YAML_SEQ_TAG);
        if (rc)
            return rc;
        node->kind = CFG_NODE_SEQ;
        return build_collection(b, ev, depth, node);
    case YAML_MAPPING_START_EVENT:
        rc = check_props(b, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag,
                         YAML_MAP_TAG);
        if (rc)
            return rc;
        node->kind = CFG_NODE_MAP;
        return build_collection(b, ev, depth, node);
    default:
        /* libyaml's parser only emits node events here. */
        return yb_fail(b, ERR_INTERNAL, node->line, node->col, "unexpected YAML event %d",
                       (int)ev->type);
    }
}

/* stream-start (document-start node document-end)? stream-end */
static int read_stream(struct yb *b, struct cfg_node **root)
{
    yaml_event_t ev;
    int rc = yb_next(b, &ev);
    if (rc)
        return rc;
    yaml_event_delete(&ev); /* stream start */
    if ((rc = yb_next(b, &ev)))
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* document start */
    if ((rc = yb_next(b, &ev)))
        return rc;
    rc = build_node(b, &ev, 1, root);
    yaml_event_delete(&ev);
    if (rc)
        return rc;
    if ((rc = yb_next(b, &ev)))
        return rc;
    yaml_event_delete(&ev); /* document end */
    if ((rc = yb_next(b, &ev)))
        return rc;
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
        uint32_t line, col;
        yb_mark(b, &ev.start_mark, &line, &col);
        yaml_event_delete(&ev);
        return yb_fail(b, ERR_SYNTAX, line, col,
                       "a config file holds one YAML document, found a second one");
    }
    yaml_event_delete(&ev); /* stream end */
    return 0;
}

int cfg_yaml_parse(struct arena *a, const char *path, const char *text, size_t len,
                   struct cfg_node **root, struct err *err)
{
    *root = NULL;
    struct yb b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.path = path;
    b.err = err;
    pm_init(&b.pm, text, len);
    /* libyaml would decode UTF-16 by its BOM, but then its character marks
     * no longer map onto these bytes; configs are UTF-8 in practice. */
    if (len >= 2 && (((unsigned char)text[0] == 0xFF && (unsigned char)text[1] == 0xFE) ||
                     ((unsigned char)text[0] == 0xFE && (unsigned char)text[1] == 0xFF)))
        return yb_fail(&b, ERR_SYNTAX, 1, 1, "config files must be UTF-8, not UTF-16");
    if (!yaml_parser_initialize(&b.parser))
        return yb_fail(&b, ERR_INTERNAL, 0, 0, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    int rc = read_stream(&b, root);
    yaml_parser_delete(&b.parser);
    if (rc)
        *root = NULL;
    return rc;
}
