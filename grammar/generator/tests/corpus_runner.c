/* The generator's corpus runner: checks a parser that tsgen generated
 * against a tree-sitter corpus file.
 *
 *   corpus_runner CORPUS [--symbols FILE] [--tsgen-log FILE] [--only NAME]
 *                 [--mutations N] [--verbose]
 *
 * The language comes from runner_language(), defined in a one-line C file
 * that CMake generates per test grammar (it returns tree_sitter_<name>(),
 * or NULL when tsgen could not produce a parser; --tsgen-log then names
 * the file holding tsgen's messages).
 *
 * For every case (see corpus.h for the format):
 *  1. tree: ts_node_string of a fresh parse equals the expected
 *     S-expression after collapsing whitespace; field labels are dropped
 *     from ours when the expectation has none, as tree-sitter's own test
 *     runner does. `:error` cases only need an error (ERROR or MISSING)
 *     somewhere. Every tree is also walked: node ranges nest and do not
 *     overlap.
 *  2. incremental: a few byte ranges are deleted (ts_tree_edit, reparse
 *     with the old tree) and re-inserted, and a prefix of the input is
 *     parsed then extended to the whole input; each reparse must print the
 *     same tree as a fresh parse of the same text. Where the fresh tree has
 *     an error the two may legitimately differ (error recovery depends on
 *     the parse history), so a difference there is only reported with
 *     --verbose.
 *  3. mutations: random byte deletions and insertions (fixed seed) parsed
 *     fresh and incrementally must finish within the timeout, give
 *     consistent trees, and agree with each other when error-free.
 * Then, for the language: `(T) @x` compiles for every named node type and
 * supertype, `"t" @x` for every anonymous one, `(P f: (_) @x)` compiles and
 * matches for every field f (P is a parent seen with that field in the
 * corpus; a field never seen is a failure: the corpus must cover it),
 * every named type seen in the corpus is matched by its query, bogus
 * node types and fields are rejected with TSQueryErrorNodeType and
 * TSQueryErrorField, and `(T (T))` for a named token T with
 * TSQueryErrorStructure. With --symbols, each line `+ (name)` / `+ "text"` of
 * FILE names a named / anonymous node type the language must have (queries
 * can name it), and `- ...` one it must not have (a hidden, inlined or
 * renamed rule); lines starting with '#' are comments.
 *
 * Prints one line per case and a closing "corpus: N passed, M failed";
 * exits 0 when everything passed, 1 otherwise, 2 on usage errors. */
#include "corpus.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tree_sitter/api.h>
/* For TSLanguage's symbol_metadata (the supertype flag), which api.h does
 * not expose. */
#include <tree_sitter/parser.h>

const TSLanguage *runner_language(void);

#define CORPUS_LIMIT (16u << 20)
#define PARSE_TIMEOUT_MICROS 5000000u
#define MUTATIONS_PER_CASE 12 /* default of --mutations */

struct seen_field {
    const char *parent; /* node type, owned by the language */
    const char *field;
    bool child_named;
    size_t case_index;
};

struct seen_type {
    const char *type;
    size_t case_index;
};

struct runner {
    const TSLanguage *lang;
    TSParser *parser;
    struct corpus corpus;
    const char *path;
    bool verbose;
    /* Failures of the case being run, printed under its result line. */
    struct buf report;
    bool case_failed;
    struct seen_field *fields;
    size_t n_fields, cap_fields;
    struct seen_type *types;
    size_t n_types, cap_types;
    unsigned passed, failed;
    unsigned n_reparses, n_mutations; /* checks made, for --verbose */
    unsigned mutations_per_case;
    uint64_t rng;
};

DW_PRINTF(2, 3) static void note(struct runner *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(&r->report, fmt, ap);
    va_end(ap);
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
}

DW_PRINTF(2, 3) static void fail(struct runner *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(&r->report, fmt, ap);
    va_end(ap);
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
    r->case_failed = true;
}

/* xorshift64*: a fixed seed gives the same mutations on every run. */
static uint64_t rng_next(struct runner *r)
{
    r->rng ^= r->rng >> 12;
    r->rng ^= r->rng << 25;
    r->rng ^= r->rng >> 27;
    return r->rng * 0x2545F4914F6CDD1DULL;
}

static size_t rng_below(struct runner *r, size_t n)
{
    return n ? (size_t)(rng_next(r) % n) : 0;
}

static TSPoint point_at(const char *text, size_t byte)
{
    TSPoint p = { 0, 0 };
    for (size_t i = 0; i < byte; i++) {
        if (text[i] == '\n') {
            p.row++;
            p.column = 0;
        } else {
            p.column++;
        }
    }
    return p;
}

/* Parses text, reusing old when given. NULL when the parse did not finish
 * within the timeout (the parser is reset then). */
static TSTree *parse(struct runner *r, const TSTree *old, const char *text, size_t len)
{
    TSTree *t = ts_parser_parse_string(r->parser, old, text, (uint32_t)len);
    if (!t)
        ts_parser_reset(r->parser);
    return t;
}

/* ts_node_string as a heap string (the library allocates it with malloc). */
static char *tree_string(const TSTree *t)
{
    char *s = ts_node_string(ts_tree_root_node(t));
    char *copy = xstrdup(s ? s : "");
    free(s);
    return copy;
}

/* Checks that node ranges nest: every child lies inside its parent and
 * siblings follow each other. Returns false and reports the first bad
 * node. */
static bool check_ranges(struct runner *r, TSNode node, size_t len, const char *what)
{
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    if (start > end || end > len) {
        fail(r,
             "  %s: node '%s' has range [%" PRIu32 ", %" PRIu32 ") outside the input of %zu "
             "bytes\n",
             what, ts_node_type(node), start, end, len);
        return false;
    }
    uint32_t prev_end = start;
    uint32_t n = ts_node_child_count(node);
    for (uint32_t i = 0; i < n; i++) {
        TSNode child = ts_node_child(node, i);
        uint32_t cs = ts_node_start_byte(child), ce = ts_node_end_byte(child);
        if (cs < prev_end || ce > end) {
            fail(r,
                 "  %s: child %" PRIu32 " '%s' [%" PRIu32 ", %" PRIu32 ") of '%s' [%" PRIu32
                 ", %" PRIu32 ") overlaps its sibling or leaves its parent\n",
                 what, i, ts_node_type(child), cs, ce, ts_node_type(node), start, end);
            return false;
        }
        prev_end = ce;
        if (!check_ranges(r, child, len, what))
            return false;
    }
    return true;
}

static void remember_type(struct runner *r, const char *type, size_t case_index)
{
    for (size_t i = 0; i < r->n_types; i++) {
        if (strcmp(r->types[i].type, type) == 0)
            return;
    }
    if (r->n_types == r->cap_types) {
        r->cap_types = r->cap_types ? 2 * r->cap_types : 32;
        r->types = xreallocarray(r->types, r->cap_types, sizeof *r->types);
    }
    r->types[r->n_types++] = (struct seen_type){ type, case_index };
}

static void remember_field(struct runner *r, const char *parent, const char *field, bool named,
                           size_t case_index)
{
    for (size_t i = 0; i < r->n_fields; i++) {
        if (strcmp(r->fields[i].field, field) == 0)
            return;
    }
    if (r->n_fields == r->cap_fields) {
        r->cap_fields = r->cap_fields ? 2 * r->cap_fields : 16;
        r->fields = xreallocarray(r->fields, r->cap_fields, sizeof *r->fields);
    }
    r->fields[r->n_fields++] = (struct seen_field){ parent, field, named, case_index };
}

/* Records the named node types and (parent, field) pairs of an error-free
 * tree, for the query checks. */
static void collect(struct runner *r, TSTreeCursor *c, const char *parent, size_t case_index)
{
    TSNode node = ts_tree_cursor_current_node(c);
    /* A query cursor finds no match on an empty node (an empty program),
     * so only nodes with text are remembered. */
    bool has_text = ts_node_end_byte(node) > ts_node_start_byte(node);
    if (ts_node_is_named(node) && has_text)
        remember_type(r, ts_node_type(node), case_index);
    const char *field = ts_tree_cursor_current_field_name(c);
    if (field && parent && has_text)
        remember_field(r, parent, field, ts_node_is_named(node), case_index);
    if (ts_tree_cursor_goto_first_child(c)) {
        do {
            collect(r, c, ts_node_type(node), case_index);
        } while (ts_tree_cursor_goto_next_sibling(c));
        ts_tree_cursor_goto_parent(c);
    }
}

/* Compares a reparse with a fresh parse of the same text. */
static void compare_reparse(struct runner *r, const char *what, const TSTree *inc,
                            const TSTree *fresh)
{
    char *a = tree_string(fresh), *b = tree_string(inc);
    r->n_reparses++;
    if (strcmp(a, b) != 0) {
        char *pa = sexp_pretty(a), *pb = sexp_pretty(b);
        char *d = text_diff(pa, pb);
        if (ts_node_has_error(ts_tree_root_node(fresh))) {
            if (r->verbose)
                note(r,
                     "  note: %s: incremental tree differs from a fresh parse (input has "
                     "errors, allowed):\n%s",
                     what, d);
        } else {
            fail(r,
                 "  %s: incremental reparse differs from a fresh parse (- fresh, + "
                 "incremental):\n%s",
                 what, d);
        }
        free(d);
        free(pa);
        free(pb);
    }
    free(a);
    free(b);
}

static void edit_tree(TSTree *t, const char *old_text, size_t start, size_t old_end,
                      const char *new_text, size_t new_end)
{
    TSInputEdit e = {
        .start_byte = (uint32_t)start,
        .old_end_byte = (uint32_t)old_end,
        .new_end_byte = (uint32_t)new_end,
        .start_point = point_at(old_text, start),
        .old_end_point = point_at(old_text, old_end),
        .new_end_point = point_at(new_text, new_end),
    };
    ts_tree_edit(t, &e);
}

/* Deletes len bytes at pos, reparses incrementally, re-inserts them and
 * reparses again; both reparses must equal fresh parses. */
static void check_delete_insert(struct runner *r, const struct corpus_case *k, const TSTree *orig,
                                const TSTree *orig_fresh, size_t pos, size_t len)
{
    char what[96];
    size_t n = k->input_len;
    char *cut = xmalloc(n - len + 1);
    memcpy(cut, k->input, pos);
    memcpy(cut + pos, k->input + pos + len, n - pos - len);
    cut[n - len] = '\0';

    TSTree *t = ts_tree_copy(orig);
    edit_tree(t, k->input, pos, pos + len, cut, pos);
    TSTree *inc = parse(r, t, cut, n - len);
    TSTree *fresh = parse(r, NULL, cut, n - len);
    snprintf(what, sizeof what, "delete %zu byte(s) at %zu", len, pos);
    if (!inc || !fresh) {
        fail(r, "  %s: parse did not finish\n", what);
    } else {
        check_ranges(r, ts_tree_root_node(inc), n - len, what);
        compare_reparse(r, what, inc, fresh);
        /* Put the bytes back. */
        edit_tree(inc, cut, pos, pos, k->input, pos + len);
        TSTree *back = parse(r, inc, k->input, n);
        snprintf(what, sizeof what, "re-insert %zu byte(s) at %zu", len, pos);
        if (!back) {
            fail(r, "  %s: parse did not finish\n", what);
        } else {
            compare_reparse(r, what, back, orig_fresh);
            ts_tree_delete(back);
        }
    }
    if (inc)
        ts_tree_delete(inc);
    if (fresh)
        ts_tree_delete(fresh);
    ts_tree_delete(t);
    free(cut);
}

/* Parses the first half of the input, then extends it to the whole. */
static void check_extend(struct runner *r, const struct corpus_case *k, const TSTree *orig_fresh)
{
    size_t half = k->input_len / 2;
    TSTree *t = parse(r, NULL, k->input, half);
    if (!t) {
        fail(r, "  parse of the first %zu bytes did not finish\n", half);
        return;
    }
    edit_tree(t, k->input, half, half, k->input, k->input_len);
    TSTree *full = parse(r, t, k->input, k->input_len);
    char what[64];
    snprintf(what, sizeof what, "extend %zu bytes to %zu", half, k->input_len);
    if (!full) {
        fail(r, "  %s: parse did not finish\n", what);
    } else {
        compare_reparse(r, what, full, orig_fresh);
        ts_tree_delete(full);
    }
    ts_tree_delete(t);
}

static void check_incremental(struct runner *r, const struct corpus_case *k, const TSTree *tree)
{
    size_t n = k->input_len;
    if (n == 0)
        return;
    size_t positions[] = { 0, n / 3, n / 2, (2 * n) / 3, n - 1 };
    size_t done[DW_ARRAY_LEN(positions)];
    size_t n_done = 0;
    for (size_t i = 0; i < DW_ARRAY_LEN(positions); i++) {
        size_t pos = positions[i];
        bool dup = false;
        for (size_t j = 0; j < n_done; j++)
            dup = dup || done[j] == pos;
        if (dup)
            continue;
        done[n_done++] = pos;
        size_t len = 1 + i % 3;
        if (len > n - pos)
            len = n - pos;
        check_delete_insert(r, k, tree, tree, pos, len);
    }
    check_extend(r, k, tree);
}

/* Bytes the mutation pass inserts: the grammars' punctuation, space and
 * newline, a byte of another UTF-8 sequence and an invalid byte. */
static const char mutation_bytes[] = "(){}[];:,.\"'\\#=+-*/<>^%@$ \n\t\xce\xff";

static void check_mutations(struct runner *r, const struct corpus_case *k, const TSTree *orig)
{
    for (unsigned m = 0; m < r->mutations_per_case; m++) {
        size_t n = k->input_len;
        char *text = xmalloc(n + 8);
        memcpy(text, k->input, n);
        size_t pos = rng_below(r, n + 1);
        size_t del = 0, ins = 0;
        if (n > 0 && rng_next(r) % 2 == 0) {
            del = 1 + rng_below(r, 4);
            if (pos + del > n)
                del = n - pos;
        }
        if (del == 0 || rng_next(r) % 2 == 0)
            ins = 1 + rng_below(r, 3);
        /* Replace [pos, pos+del) with ins random bytes. */
        memmove(text + pos + ins, text + pos + del, n - pos - del);
        for (size_t i = 0; i < ins; i++) {
            size_t choice = rng_below(r, sizeof mutation_bytes - 1 + 4);
            text[pos + i] = choice < sizeof mutation_bytes - 1 ? mutation_bytes[choice]
                                                               : k->input[rng_below(r, n ? n : 1)];
            if (n == 0 && choice >= sizeof mutation_bytes - 1)
                text[pos + i] = 'a';
        }
        size_t len = n - del + ins;
        text[len] = '\0';

        r->n_mutations++;
        char what[96];
        snprintf(what, sizeof what, "mutation %u (replace %zu byte(s) at %zu with %zu)", m + 1, del,
                 pos, ins);
        TSTree *fresh = parse(r, NULL, text, len);
        TSTree *t = ts_tree_copy(orig);
        edit_tree(t, k->input, pos, pos + del, text, pos + ins);
        TSTree *inc = parse(r, t, text, len);
        if (!fresh || !inc) {
            fail(r, "  %s: parse did not finish within %u s\n", what,
                 PARSE_TIMEOUT_MICROS / 1000000u);
        } else {
            check_ranges(r, ts_tree_root_node(fresh), len, what);
            check_ranges(r, ts_tree_root_node(inc), len, what);
            compare_reparse(r, what, inc, fresh);
        }
        if (fresh)
            ts_tree_delete(fresh);
        if (inc)
            ts_tree_delete(inc);
        ts_tree_delete(t);
        free(text);
    }
}

static void print_tree_mismatch(struct runner *r, const char *expected, const char *actual)
{
    char *pe = sexp_pretty(expected), *pa = sexp_pretty(actual);
    char *d = text_diff(pe, pa);
    fail(r, "  tree differs (- expected, + actual):\n%s", d);
    free(d);
    free(pe);
    free(pa);
}

static void run_case(struct runner *r, size_t index)
{
    const struct corpus_case *k = &r->corpus.cases[index];
    TSTree *tree = parse(r, NULL, k->input, k->input_len);
    if (!tree) {
        fail(r, "  parse did not finish within %u s\n", PARSE_TIMEOUT_MICROS / 1000000u);
        return;
    }
    TSNode root = ts_tree_root_node(tree);
    char *actual_raw = tree_string(tree);
    if (k->expect_error) {
        if (!ts_node_has_error(root))
            fail(r, "  expected an error (:error), got %s\n", actual_raw);
    } else {
        bool drop = !sexp_has_fields(k->expected);
        char *expected = sexp_normalize(k->expected, false);
        char *actual = sexp_normalize(actual_raw, drop);
        if (strcmp(expected, actual) != 0)
            print_tree_mismatch(r, expected, actual);
        free(expected);
        free(actual);
    }
    check_ranges(r, root, k->input_len, "tree");
    if (!ts_node_has_error(root)) {
        TSTreeCursor c = ts_tree_cursor_new(root);
        collect(r, &c, NULL, index);
        ts_tree_cursor_delete(&c);
    }
    check_incremental(r, k, tree);
    check_mutations(r, k, tree);
    if (r->verbose) {
        note(r, "  %u reparses compared, %u mutations parsed\n", r->n_reparses, r->n_mutations);
        r->n_reparses = r->n_mutations = 0;
    }
    free(actual_raw);
    ts_tree_delete(tree);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */

/* Appends name as the body of a query string literal. */
static void append_escaped(struct buf *b, const char *name)
{
    int rc = 0;
    for (const char *p = name; *p; p++) {
        switch (*p) {
        case '"': rc |= buf_append_cstr(b, "\\\""); break;
        case '\\': rc |= buf_append_cstr(b, "\\\\"); break;
        case '\n': rc |= buf_append_cstr(b, "\\n"); break;
        case '\r': rc |= buf_append_cstr(b, "\\r"); break;
        case '\t': rc |= buf_append_cstr(b, "\\t"); break;
        default: rc |= buf_append_char(b, *p); break;
        }
    }
    if (rc != 0)
        DW_BUG("unlimited buffer failed to grow");
}

static const char *query_error_name(TSQueryError e)
{
    switch (e) {
    case TSQueryErrorNone: return "none";
    case TSQueryErrorSyntax: return "syntax";
    case TSQueryErrorNodeType: return "node type";
    case TSQueryErrorField: return "field";
    case TSQueryErrorCapture: return "capture";
    case TSQueryErrorStructure: return "structure";
    case TSQueryErrorLanguage: return "language";
    }
    return "unknown";
}

/* Compiles source; on failure reports it and returns NULL. */
static TSQuery *compile(struct runner *r, const char *source)
{
    uint32_t offset = 0;
    TSQueryError e = TSQueryErrorNone;
    TSQuery *q = ts_query_new(r->lang, source, (uint32_t)strlen(source), &offset, &e);
    if (!q)
        fail(r, "  query %s: %s error at offset %" PRIu32 "\n", source, query_error_name(e),
             offset);
    return q;
}

/* Runs q over the tree of corpus case `index`; returns the capture count. */
static unsigned count_matches(struct runner *r, const TSQuery *q, size_t index)
{
    const struct corpus_case *k = &r->corpus.cases[index];
    TSTree *t = parse(r, NULL, k->input, k->input_len);
    if (!t)
        return 0;
    TSQueryCursor *qc = ts_query_cursor_new();
    ts_query_cursor_exec(qc, q, ts_tree_root_node(t));
    TSQueryMatch m;
    unsigned n = 0;
    while (ts_query_cursor_next_match(qc, &m))
        n += m.capture_count;
    ts_query_cursor_delete(qc);
    ts_tree_delete(t);
    return n;
}

static void expect_query_error(struct runner *r, const char *source, TSQueryError want)
{
    uint32_t offset = 0;
    TSQueryError e = TSQueryErrorNone;
    TSQuery *q = ts_query_new(r->lang, source, (uint32_t)strlen(source), &offset, &e);
    if (q) {
        fail(r, "  query %s: compiled, expected a %s error\n", source, query_error_name(want));
        ts_query_delete(q);
    } else if (e != want) {
        fail(r, "  query %s: %s error, expected a %s error\n", source, query_error_name(e),
             query_error_name(want));
    }
}

static void run_queries(struct runner *r)
{
    struct buf src = BUF_INIT;
    uint32_t n_symbols = ts_language_symbol_count(r->lang);
    unsigned compiled = 0;
    for (TSSymbol s = 1; s < n_symbols; s++) {
        const char *name = ts_language_symbol_name(r->lang, s);
        TSSymbolType type = ts_language_symbol_type(r->lang, s);
        bool supertype = s < r->lang->symbol_count && r->lang->symbol_metadata[s].supertype;
        buf_reset(&src);
        int rc = 0;
        if (type == TSSymbolTypeRegular || supertype) {
            rc |= buf_printf(&src, "(%s) @x", name);
        } else if (type == TSSymbolTypeAnonymous) {
            rc |= buf_append_char(&src, '"');
            append_escaped(&src, name);
            rc |= buf_append_cstr(&src, "\" @x");
        } else {
            continue;
        }
        if (rc != 0)
            DW_BUG("unlimited buffer failed to grow");
        TSQuery *q = compile(r, buf_cstr(&src));
        if (q) {
            compiled++;
            ts_query_delete(q);
        }
    }

    /* Every named type the corpus shows is found by its own query. */
    for (size_t i = 0; i < r->n_types; i++) {
        buf_reset(&src);
        if (buf_printf(&src, "(%s) @x", r->types[i].type) != 0)
            DW_BUG("unlimited buffer failed to grow");
        TSQuery *q = compile(r, buf_cstr(&src));
        if (!q)
            continue;
        if (count_matches(r, q, r->types[i].case_index) == 0)
            fail(r, "  query %s matches nothing in case '%s', whose tree has that node\n",
                 buf_cstr(&src), r->corpus.cases[r->types[i].case_index].name);
        ts_query_delete(q);
    }

    /* Every field: compiles with a parent that has it, and matches. */
    uint32_t n_fields = ts_language_field_count(r->lang);
    for (TSFieldId f = 1; f <= n_fields; f++) {
        const char *name = ts_language_field_name_for_id(r->lang, f);
        const struct seen_field *seen = NULL;
        for (size_t i = 0; i < r->n_fields && !seen; i++) {
            if (strcmp(r->fields[i].field, name) == 0)
                seen = &r->fields[i];
        }
        if (!seen) {
            fail(r, "  field '%s' appears in no error-free tree of the corpus: add a case\n", name);
            continue;
        }
        buf_reset(&src);
        if (buf_printf(&src, "(%s %s: %s @x)", seen->parent, name,
                       seen->child_named ? "(_)" : "_") != 0)
            DW_BUG("unlimited buffer failed to grow");
        TSQuery *q = compile(r, buf_cstr(&src));
        if (!q)
            continue;
        if (count_matches(r, q, seen->case_index) == 0)
            fail(r, "  query %s matches nothing in case '%s', whose tree has that field\n",
                 buf_cstr(&src), r->corpus.cases[seen->case_index].name);
        ts_query_delete(q);
    }

    /* A token has no children: `(T (T))` is impossible, which the query
     * analysis (fed by the parse table) must see. */
    for (TSSymbol s = 1; s < r->lang->token_count; s++) {
        if (ts_language_symbol_type(r->lang, s) != TSSymbolTypeRegular)
            continue;
        const char *name = ts_language_symbol_name(r->lang, s);
        buf_reset(&src);
        if (buf_printf(&src, "(%s (%s))", name, name) != 0)
            DW_BUG("unlimited buffer failed to grow");
        expect_query_error(r, buf_cstr(&src), TSQueryErrorStructure);
        break;
    }
    expect_query_error(r, "(dw_no_such_node_type) @x", TSQueryErrorNodeType);
    expect_query_error(r, "\"dw no such token\" @x", TSQueryErrorNodeType);
    if (r->n_types > 0) {
        buf_reset(&src);
        if (buf_printf(&src, "(%s dw_no_such_field: (_))", r->types[0].type) != 0)
            DW_BUG("unlimited buffer failed to grow");
        expect_query_error(r, buf_cstr(&src), TSQueryErrorField);
    }
    if (r->verbose)
        note(r, "  %u node-type queries compiled, %zu named types and %zu fields seen\n", compiled,
             r->n_types, r->n_fields);
    buf_release(&src);
}

/* The --symbols file: node types that must or must not exist. */
static void check_symbols(struct runner *r, const char *path)
{
    struct buf text = BUF_INIT;
    struct err e;
    if (file_read_all(path, CORPUS_LIMIT, &text, &e) != 0) {
        fail(r, "  cannot read %s: %s\n", path, e.msg);
        buf_release(&text);
        return;
    }
    char *save = NULL;
    unsigned lineno = 0;
    char *copy = xstrdup(buf_cstr(&text));
    for (char *line = copy; line; line = save) {
        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        lineno++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char close = n >= 4 && line[2] == '(' ? ')' : '"';
        if (n < 4 || (line[0] != '+' && line[0] != '-') || line[1] != ' ' ||
            (line[2] != '(' && line[2] != '"') || line[n - 1] != close) {
            fail(r, "  %s:%u: expected `+ (name)`, `+ \"text\"` or the same with '-'\n", path,
                 lineno);
            continue;
        }
        bool named = line[2] == '(';
        const char *name = line + 3;
        uint32_t len = (uint32_t)(n - 4);
        TSSymbol sym = ts_language_symbol_for_name(r->lang, name, len, named);
        if (line[0] == '+' && sym == 0)
            fail(r, "  the language has no %s node type %s\n", named ? "named" : "anonymous",
                 line + 2);
        else if (line[0] == '-' && sym != 0)
            fail(r, "  the language has a %s node type %s, which it should not\n",
                 named ? "named" : "anonymous", line + 2);
    }
    free(copy);
    buf_release(&text);
}

/* ------------------------------------------------------------------ */

static void finish_check(struct runner *r, unsigned number, const char *name, uint32_t line)
{
    if (r->case_failed) {
        r->failed++;
        printf("FAIL %u - %s (%s:%u)\n%s", number, name, r->path, line, buf_cstr(&r->report));
    } else {
        r->passed++;
        printf("ok %u - %s\n%s", number, name, buf_cstr(&r->report));
    }
    buf_reset(&r->report);
    r->case_failed = false;
    fflush(stdout);
}

static void print_log(const char *path)
{
    struct buf b = BUF_INIT;
    struct err e;
    if (path && file_read_all(path, 1u << 20, &b, &e) == 0)
        fprintf(stderr, "%s", buf_cstr(&b));
    buf_release(&b);
}

static int usage(void)
{
    fprintf(stderr, "usage: corpus_runner CORPUS [--symbols FILE] [--tsgen-log FILE] [--only NAME] "
                    "[--mutations N] [--verbose]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *log = NULL, *only = NULL, *symbols = NULL;
    bool verbose = false;
    unsigned mutations = MUTATIONS_PER_CASE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tsgen-log") == 0 && i + 1 < argc)
            log = argv[++i];
        else if (strcmp(argv[i], "--symbols") == 0 && i + 1 < argc)
            symbols = argv[++i];
        else if (strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end || n > 1000000)
                return usage();
            mutations = (unsigned)n;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (argv[i][0] == '-' || path)
            return usage();
        else
            path = argv[i];
    }
    if (!path)
        return usage();

    const TSLanguage *lang = runner_language();
    if (!lang) {
        fprintf(stderr, "corpus_runner: no parser: tsgen failed on this grammar\n");
        print_log(log);
        printf("corpus: 0 passed, 1 failed\n");
        return 1;
    }

    struct runner r = { 0 };
    r.lang = lang;
    r.path = path;
    r.verbose = verbose;
    r.rng = 0x9E3779B97F4A7C15ULL;
    r.mutations_per_case = mutations;
    buf_init(&r.report, 0);

    struct err e;
    err_clear(&e);
    struct buf text = BUF_INIT;
    if (file_read_all(path, CORPUS_LIMIT, &text, &e) != 0 ||
        corpus_parse(buf_cstr(&text), text.len, path, &r.corpus, &e) != 0) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX + 32];
        err_format(&e, msg, sizeof msg);
        fprintf(stderr, "corpus_runner: %s\n", msg);
        buf_release(&text);
        return 1;
    }
    buf_release(&text);

    r.parser = ts_parser_new();
    if (!ts_parser_set_language(r.parser, lang)) {
        fprintf(stderr, "corpus_runner: the runtime refuses the language (version %" PRIu32 ")\n",
                ts_language_version(lang));
        ts_parser_delete(r.parser);
        corpus_release(&r.corpus);
        return 1;
    }
    ts_parser_set_timeout_micros(r.parser, PARSE_TIMEOUT_MICROS);

    unsigned number = 0;
    for (size_t i = 0; i < r.corpus.n_cases; i++) {
        const struct corpus_case *k = &r.corpus.cases[i];
        if (k->skip || (only && strcmp(only, k->name) != 0))
            continue;
        run_case(&r, i);
        finish_check(&r, ++number, k->name, k->line);
    }
    if (!only) {
        run_queries(&r);
        finish_check(&r, ++number, "queries", 1);
    }
    if (symbols && !only) {
        check_symbols(&r, symbols);
        finish_check(&r, ++number, "node types", 1);
    }
    printf("corpus: %u passed, %u failed\n", r.passed, r.failed);

    ts_parser_delete(r.parser);
    corpus_release(&r.corpus);
    buf_release(&r.report);
    free(r.fields);
    free(r.types);
    return r.failed ? 1 : 0;
}
