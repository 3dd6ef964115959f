#include "analyzer/syntax.h"

#include "common/err.h"
#include "common/goquote.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "grammar/grammar.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_to_stderr(void *payload, TSLogType type, const char *msg)
{
    (void)payload;
    fprintf(stderr, "%s %s\n", type == TSLogTypeLex ? "lex" : "parse", msg);
}

/* ------------------------------------------------------------------ */
/* Tree-sitter's allocator                                             */

/* Tree-sitter allocates each node of a tree on its own and frees them one
 * by one in ts_tree_delete. glibc's per-thread cache holds a few blocks
 * per size, so most of those calls took malloc's slow paths: 7.5M of a
 * 200M-instruction corpus lint. Blocks up to 256 bytes come from
 * per-thread free lists by size class instead, carved from slabs that are
 * never returned (a block freed by another thread than the one that made
 * it joins that thread's lists); larger ones go to malloc. Each block has
 * a 16-byte header with its class (0 for a malloc'd block) and size. The
 * slabs stay on one global list so that leak checkers see them
 * reachable; free blocks are no-access for valgrind, so that a use after
 * free or a read of uninitialised memory inside tree-sitter is still
 * caught (a tree never deleted is not: its blocks stay reachable from the
 * slabs; sanitizer builds, below, catch that). */

#define TSA_GRAIN 16
#define TSA_CLASSES 16 /* blocks up to TSA_GRAIN * TSA_CLASSES bytes */
#define TSA_SLAB ((size_t)64 * 1024)

struct tsa_head {
    uint32_t cls; /* 0: the block is malloc'd whole */
    size_t size;  /* what was asked, for realloc */
};
_Static_assert(sizeof(struct tsa_head) <= TSA_GRAIN, "tree-sitter block header too large");

struct tsa_slab {
    struct tsa_slab *next; /* in tsa_slabs */
};

struct tsa_free {
    struct tsa_free *next;
};

/* Under AddressSanitizer every block is malloc'd whole: LeakSanitizer then
 * reports a tree that is never deleted (from the slabs it would stay
 * reachable), and ASan's quarantine catches a use after free. The free
 * lists run in the other builds; release_smoke lints every fixture under
 * memcheck with them. */
#if defined(__SANITIZE_ADDRESS__)
#define TSA_SMALL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSA_SMALL 0
#endif
#endif
#ifndef TSA_SMALL
#define TSA_SMALL 1
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TSA_VALGRIND 1
#endif
#endif

/* Set once: the process runs under valgrind, the block annotations are
 * worth their cost. */
static bool tsa_annotate;

/* n bytes at p become usable (uninitialised) or unusable. */
static void tsa_mark_used(void *p, size_t n)
{
#ifdef TSA_VALGRIND
    if (tsa_annotate)
        VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
    (void)p, (void)n;
}

static void tsa_mark_free(void *p, size_t n)
{
#ifdef TSA_VALGRIND
    if (tsa_annotate)
        VALGRIND_MAKE_MEM_NOACCESS(p, n);
#endif
    (void)p, (void)n;
}

static pthread_mutex_t tsa_slabs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tsa_slab *tsa_slabs;
static _Thread_local struct tsa_free *tsa_lists[TSA_CLASSES + 1];
static _Thread_local unsigned char *tsa_next, *tsa_end;

static void *tsa_carve(size_t bytes)
{
    if (!tsa_next || (size_t)(tsa_end - tsa_next) < bytes) {
        struct tsa_slab *sl = xmalloc(TSA_SLAB);
        pthread_mutex_lock(&tsa_slabs_mu);
        sl->next = tsa_slabs;
        tsa_slabs = sl;
        pthread_mutex_unlock(&tsa_slabs_mu);
        tsa_next = (unsigned char *)sl + TSA_GRAIN;
        tsa_end = (unsigned char *)sl + TSA_SLAB;
        tsa_mark_free(tsa_next, (size_t)(tsa_end - tsa_next));
    }
    void *p = tsa_next;
    tsa_next += bytes;
    tsa_mark_used(p, bytes);
    return p;
}

static void *tsa_malloc(size_t n)
{
    struct tsa_head *h;
    if (!TSA_SMALL || n > TSA_GRAIN * TSA_CLASSES) {
        if (n > SIZE_MAX - TSA_GRAIN)
            DW_BUG("tree-sitter allocation too large: %zu", n);
        h = xmalloc(TSA_GRAIN + n);
        h->cls = 0;
    } else {
        uint32_t cls = n ? (uint32_t)((n + TSA_GRAIN - 1) / TSA_GRAIN) : 1;
        struct tsa_free *f = tsa_lists[cls];
        if (f) {
            tsa_lists[cls] = f->next;
            tsa_mark_used(f, (size_t)cls * TSA_GRAIN);
            h = (struct tsa_head *)((unsigned char *)f - TSA_GRAIN);
        } else {
            h = tsa_carve(TSA_GRAIN + (size_t)cls * TSA_GRAIN);
        }
        h->cls = cls;
    }
    h->size = n;
    return (unsigned char *)h + TSA_GRAIN;
}

static void tsa_free(void *p)
{
    if (!p)
        return;
    struct tsa_head *h = (struct tsa_head *)((unsigned char *)p - TSA_GRAIN);
    if (!h->cls) {
        free(h);
        return;
    }
    struct tsa_free *f = p;
    f->next = tsa_lists[h->cls];
    tsa_lists[h->cls] = f;
    /* The link stays readable. */
    tsa_mark_free((unsigned char *)p + TSA_GRAIN, (size_t)(h->cls - 1) * TSA_GRAIN);
}

static void *tsa_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        DW_BUG("tree-sitter allocation too large: %zu * %zu", count, size);
    void *p = tsa_malloc(count * size);
    memset(p, 0, count * size);
    return p;
}

static void *tsa_realloc(void *p, size_t n)
{
    if (!p)
        return tsa_malloc(n);
    struct tsa_head *h = (struct tsa_head *)((unsigned char *)p - TSA_GRAIN);
    if (h->cls && n <= (size_t)h->cls * TSA_GRAIN) {
        h->size = n;
        return p;
    }
    if (!h->cls && (!TSA_SMALL || n > TSA_GRAIN * TSA_CLASSES)) {
        if (n > SIZE_MAX - TSA_GRAIN)
            DW_BUG("tree-sitter allocation too large: %zu", n);
        h = xrealloc(h, TSA_GRAIN + n);
        h->size = n;
        return (unsigned char *)h + TSA_GRAIN;
    }
    void *q = tsa_malloc(n);
    memcpy(q, p, h->size < n ? h->size : n);
    tsa_free(p);
    return q;
}

/* Installed before main, so that every tree-sitter object of the process
 * comes from it whichever code makes the first: a parser made directly (as
 * the benchmarks do) and the trees of syn_parse must share an allocator. */
__attribute__((constructor)) static void tsa_install(void)
{
#ifdef TSA_VALGRIND
    tsa_annotate = RUNNING_ON_VALGRIND;
#endif
    ts_set_allocator(tsa_malloc, tsa_calloc, tsa_realloc, tsa_free);
}

/* One parser per thread, kept between files: creating and deleting a
 * parser (its stack, lexer buffers and subtree pool) for each file cost
 * over 1% of a corpus lint. The thread-local pointer keeps it reachable
 * for leak checkers; the key's destructor frees it when a worker thread
 * ends (the main thread's parser lives until exit). */
static _Thread_local TSParser *thread_parser;
static pthread_key_t parser_key;
static bool parser_key_ok;
static pthread_once_t parser_key_once = PTHREAD_ONCE_INIT;

static void parser_destroy(void *p)
{
    ts_parser_delete(p);
    thread_parser = NULL;
}

static void parser_key_init(void)
{
    parser_key_ok = pthread_key_create(&parser_key, parser_destroy) == 0;
}

static TSParser *parser_get(void)
{
    if (thread_parser)
        return thread_parser;
    TSParser *p = ts_parser_new();
    if (!ts_parser_set_language(p, tree_sitter_dockwright_dockerfile())) {
        ts_parser_delete(p);
        return NULL;
    }
    /* DOCKWRIGHT_TS_LOG=1 traces tree-sitter's lexing and parsing, for
     * grammar debugging and bug reports. */
    const char *trace = getenv("DOCKWRIGHT_TS_LOG");
    if (trace && *trace && strcmp(trace, "0") != 0)
        ts_parser_set_logger(p, (TSLogger){ NULL, log_to_stderr });
    pthread_once(&parser_key_once, parser_key_init);
    if (parser_key_ok)
        pthread_setspecific(parser_key, p);
    thread_parser = p;
    return p;
}

TSTree *syn_parse(const char *text, uint32_t len)
{
    TSParser *p = parser_get();
    if (!p)
        return NULL;
    TSTree *t = ts_parser_parse_string(p, NULL, text, len);
    /* A parse that did not finish leaves state for resuming it; the next
     * file starts afresh. */
    if (!t)
        ts_parser_reset(p);
    return t;
}

static bool type_is(TSNode n, const char *type)
{
    return strcmp(ts_node_type(n), type) == 0;
}

bool syn_is_instruction(TSNode node)
{
    const char *t = ts_node_type(node);
    size_t n = strlen(t);
    return n > 12 && strcmp(t + n - 12, "_instruction") == 0;
}

int syn_escape_char(TSNode root, const char *src)
{
    /* The scanner honours the last valid escape directive of the header;
     * BuildKit reports a second one as an error, so they agree whenever the
     * file is valid. */
    int esc = '\\';
    uint32_t n = ts_node_named_child_count(root);
    for (uint32_t i = 0; i < n; i++) {
        TSNode d = ts_node_named_child(root, i);
        if (!type_is(d, "parser_directive"))
            continue;
        TSNode name = ts_node_child_by_field_name(d, "name", 4);
        TSNode value = ts_node_child_by_field_name(d, "value", 5);
        if (ts_node_is_null(name) || ts_node_is_null(value))
            continue;
        uint32_t ns = ts_node_start_byte(name), ne = ts_node_end_byte(name);
        uint32_t vs = ts_node_start_byte(value), ve = ts_node_end_byte(value);
        if (!str_eq_nocase(str_make(src + ns, ne - ns), STR_LIT("escape")) || ve - vs != 1)
            continue;
        if (src[vs] == '\\' || src[vs] == '`')
            esc = src[vs];
    }
    return esc;
}

static bool is_dropped(TSNode n)
{
    return type_is(n, "line_continuation") || type_is(n, "comment");
}

/* Appends [from, to) of src minus the dropped nodes below node. */
static int append_logical(TSNode node, const char *src, uint32_t from, uint32_t to, struct buf *out)
{
    uint32_t pos = from;
    uint32_t n = ts_node_child_count(node);
    for (uint32_t i = 0; i < n && pos < to; i++) {
        TSNode c = ts_node_child(node, i);
        uint32_t cs = ts_node_start_byte(c), ce = ts_node_end_byte(c);
        if (ce <= pos || cs >= to)
            continue;
        if (is_dropped(c)) {
            /* A comment line goes whole, with the blanks before its '#'. */
            if (type_is(c, "comment"))
                while (cs > pos && (src[cs - 1] == ' ' || src[cs - 1] == '\t'))
                    cs--;
            if (cs > pos && buf_append(out, src + pos, cs - pos))
                return ERR_TOO_LARGE;
            pos = ce;
        } else if (ts_node_child_count(c) > 0) {
            if (cs > pos && buf_append(out, src + pos, cs - pos))
                return ERR_TOO_LARGE;
            int rc = append_logical(c, src, cs > pos ? cs : pos, ce < to ? ce : to, out);
            if (rc)
                return rc;
            pos = ce < to ? ce : to;
        }
    }
    if (pos < to && buf_append(out, src + pos, to - pos))
        return ERR_TOO_LARGE;
    return 0;
}

int syn_logical_text(TSNode node, const char *src, struct buf *out)
{
    return append_logical(node, src, ts_node_start_byte(node), ts_node_end_byte(node), out);
}

/* ------------------------------------------------------------------ */
/* BuildKit's AST dump                                                 */

struct dump {
    const char *src;
    int escape;
    struct buf *out;
    struct buf tmp;
};

static int quote_arg(struct dump *d, const char *s, size_t len)
{
    if (buf_append_char(d->out, ' '))
        return ERR_TOO_LARGE;
    return go_quote(d->out, s, len);
}

/* Dumps the logical text of [from, to) inside node as one argument. */
static int arg_range(struct dump *d, TSNode node, uint32_t from, uint32_t to)
{
    buf_reset(&d->tmp);
    if (append_logical(node, d->src, from, to, &d->tmp))
        return ERR_TOO_LARGE;
    struct str t = buf_str(&d->tmp);
    return quote_arg(d, t.ptr, t.len);
}

static int arg_node(struct dump *d, TSNode n)
{
    return arg_range(d, n, ts_node_start_byte(n), ts_node_end_byte(n));
}

/* A flag word with BuildKit's flag quoting removed: quotes group, the escape
 * char escapes the next character, a trailing escape char is dropped. */
static int flag_word(struct dump *d, TSNode flag, struct buf *words)
{
    buf_reset(&d->tmp);
    if (syn_logical_text(flag, d->src, &d->tmp))
        return ERR_TOO_LARGE;
    struct str t = buf_str(&d->tmp);
    struct buf w = BUF_INIT;
    char quote = 0;
    int rc = 0;
    for (size_t i = 0; i < t.len && !rc; i++) {
        char c = t.ptr[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                rc = buf_append_char(&w, c);
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == d->escape) {
            if (i + 1 < t.len)
                rc = buf_append_char(&w, t.ptr[++i]);
        } else {
            rc = buf_append_char(&w, c);
        }
    }
    if (!rc && words->len)
        rc = buf_append_char(words, ' ');
    if (!rc)
        rc = go_quote(words, buf_cstr(&w), w.len);
    buf_release(&w);
    return rc;
}

/* Decodes a json_string node into d->tmp. */
static int json_decode(struct dump *d, TSNode s)
{
    buf_reset(&d->tmp);
    uint32_t n = ts_node_child_count(s);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        TSNode c = ts_node_child(s, i);
        uint32_t cs = ts_node_start_byte(c), ce = ts_node_end_byte(c);
        if (type_is(c, "text")) {
            rc = buf_append(&d->tmp, d->src + cs, ce - cs);
        } else if (type_is(c, "json_escape_sequence") && ce - cs >= 2) {
            char e = d->src[cs + 1];
            switch (e) {
            case 'b': rc = buf_append_char(&d->tmp, '\b'); break;
            case 'f': rc = buf_append_char(&d->tmp, '\f'); break;
            case 'n': rc = buf_append_char(&d->tmp, '\n'); break;
            case 'r': rc = buf_append_char(&d->tmp, '\r'); break;
            case 't': rc = buf_append_char(&d->tmp, '\t'); break;
            case 'u': {
                uint32_t cp = 0;
                for (uint32_t k = cs + 2; k < ce; k++) {
                    char h = d->src[k];
                    cp = cp * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                /* A lone surrogate becomes U+FFFD, as Go decodes it. */
                char u[4];
                size_t ul = utf8_encode(cp, u);
                rc = buf_append(&d->tmp, u, ul);
                break;
            }
            default: rc = buf_append_char(&d->tmp, e);
            }
        }
    }
    return rc ? ERR_TOO_LARGE : 0;
}

static int json_args(struct dump *d, TSNode arr)
{
    uint32_t n = ts_node_named_child_count(arr);
    for (uint32_t i = 0; i < n; i++) {
        TSNode s = ts_node_named_child(arr, i);
        if (!type_is(s, "json_string"))
            continue;
        if (json_decode(d, s))
            return ERR_TOO_LARGE;
        struct str t = buf_str(&d->tmp);
        if (quote_arg(d, t.ptr, t.len))
            return ERR_TOO_LARGE;
    }
    return 0;
}

static int dump_instruction(struct dump *d, TSNode ins);

/* The arguments of one instruction (everything after the flags). */
static int dump_args(struct dump *d, TSNode ins)
{
    const char *type = ts_node_type(ins);
    uint32_t n = ts_node_child_count(ins);
    int rc = 0;
    if (strcmp(type, "unknown_instruction") == 0)
        return quote_arg(d, "", 0);
    if (strcmp(type, "onbuild_instruction") == 0) {
        TSNode trig = ts_node_child_by_field_name(ins, "trigger", 7);
        if (ts_node_is_null(trig))
            return 0;
        if (buf_append_char(d->out, ' '))
            return ERR_TOO_LARGE;
        return dump_instruction(d, trig);
    }
    bool pairs = strcmp(type, "env_instruction") == 0 || strcmp(type, "label_instruction") == 0;
    bool whole = strcmp(type, "user_instruction") == 0;
    /* Skip the keyword (child 0) and the flags. */
    uint32_t i = 1;
    while (i < n && (type_is(ts_node_child(ins, i), "flag") || is_dropped(ts_node_child(ins, i))))
        i++;
    if (whole) {
        /* USER: the whole rest of the line is the one argument. */
        if (i < n)
            rc =
                arg_range(d, ins, ts_node_start_byte(ts_node_child(ins, i)), ts_node_end_byte(ins));
        return rc;
    }
    for (; i < n && !rc; i++) {
        TSNode c = ts_node_child(ins, i);
        if (is_dropped(c) || !ts_node_is_named(c)) {
            /* Keywords inside the arguments (AS, CMD, NONE) are printed as
             * written; other anonymous tokens are syntax. */
            const char *t = ts_node_type(c);
            if (strcmp(t, "AS") == 0 || strcmp(t, "CMD") == 0 || strcmp(t, "NONE") == 0)
                rc = arg_node(d, c);
            continue;
        }
        if (type_is(c, "json_string_array")) {
            rc = json_args(d, c);
        } else if (pairs && (type_is(c, "env_pair") || type_is(c, "label_pair"))) {
            TSNode k = ts_node_named_child(c, 0);
            TSNode v = ts_node_child_by_field_name(c, "value", 5);
            bool legacy = !ts_node_is_null(v) && type_is(v, "legacy_value");
            rc = arg_node(d, k);
            if (!rc)
                rc = ts_node_is_null(v)
                         ? quote_arg(d, "", 0)
                         : arg_range(d, c, ts_node_start_byte(v), ts_node_end_byte(v));
            if (!rc)
                rc = legacy ? quote_arg(d, "", 0) : quote_arg(d, "=", 1);
        } else if (type_is(c, "heredoc_block")) {
            continue; /* bodies are not printed */
        } else {
            rc = arg_node(d, c);
        }
    }
    return rc;
}

static int dump_instruction(struct dump *d, TSNode ins)
{
    if (!syn_is_instruction(ins))
        return 0;
    TSNode kw = ts_node_child(ins, 0);
    if (strcmp(ts_node_type(ins), "unknown_instruction") == 0)
        kw = ts_node_child_by_field_name(ins, "name", 4);
    if (ts_node_is_null(kw))
        return 0;
    if (buf_append_char(d->out, '('))
        return ERR_TOO_LARGE;
    for (uint32_t k = ts_node_start_byte(kw); k < ts_node_end_byte(kw); k++) {
        char c = d->src[k];
        if (buf_append_char(d->out, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c))
            return ERR_TOO_LARGE;
    }
    struct buf flags = BUF_INIT;
    uint32_t n = ts_node_child_count(ins);
    int rc = 0;
    for (uint32_t i = 1; i < n && !rc; i++) {
        TSNode c = ts_node_child(ins, i);
        if (type_is(c, "flag"))
            rc = flag_word(d, c, &flags);
    }
    if (!rc && flags.len)
        rc = buf_printf(d->out, " [%s]", buf_cstr(&flags));
    buf_release(&flags);
    if (!rc)
        rc = dump_args(d, ins);
    if (!rc && buf_append_char(d->out, ')'))
        rc = ERR_TOO_LARGE;
    return rc;
}

static int dump_children(struct dump *d, TSNode node)
{
    uint32_t n = ts_node_named_child_count(node);
    for (uint32_t i = 0; i < n; i++) {
        TSNode c = ts_node_named_child(node, i);
        int rc = 0;
        if (syn_is_instruction(c)) {
            rc = dump_instruction(d, c);
            if (!rc && buf_append_char(d->out, '\n'))
                rc = ERR_TOO_LARGE;
        } else if (type_is(c, "ERROR")) {
            rc = dump_children(d, c);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int syn_dump_buildkit(TSNode root, const char *src, struct buf *out)
{
    struct dump d = { src, syn_escape_char(root, src), out, BUF_INIT };
    int rc = dump_children(&d, root);
    buf_release(&d.tmp);
    return rc;
}
