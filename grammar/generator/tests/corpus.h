/* Tree-sitter corpus files and S-expression comparison, for the generator's
 * corpus runner (corpus_runner.c) and its unit test.
 *
 * A corpus file is a list of cases:
 *
 *   ==================
 *   Case name
 *   :error                  (optional attribute lines)
 *   ==================
 *   input bytes ...
 *   ---
 *   (expected (s-expression))
 *
 * A header line is three or more '=' (anything after them is ignored); the
 * first line between the two header lines is the name and the following
 * lines starting with ':' are attributes (`:error`: the input must parse
 * with an error somewhere and the tree is not compared; `:skip`: the case
 * is not run; others are ignored). The divider is the longest line of three
 * or more '-' after the header (the last one when several are equally
 * long), so inputs may contain shorter dashed lines. The input is
 * everything between the header and the divider minus one final newline
 * (and a '\r' before it); the expected tree is everything after the divider
 * up to the next header. */
#ifndef DW_GRAMMAR_GENERATOR_TESTS_CORPUS_H
#define DW_GRAMMAR_GENERATOR_TESTS_CORPUS_H

#include "common/compiler.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct corpus_case {
    char *name;    /* heap, NUL-terminated */
    uint32_t line; /* 1-based line of the case's first header line */
    char *input;   /* heap, NUL-terminated; input_len bytes (may hold NULs) */
    size_t input_len;
    char *expected; /* heap, the S-expression as written (trimmed) */
    bool expect_error;
    bool skip;
};

struct corpus {
    struct corpus_case *cases; /* heap */
    size_t n_cases;
};

/* Parses a corpus file held in text[0..len). path is used in messages. On
 * success fills out (release with corpus_release) and returns 0; on a
 * malformed file returns ERR_SYNTAX with "path:line: what" in err and
 * leaves out empty. A file without any case is an error. */
DW_NODISCARD int corpus_parse(const char *text, size_t len, const char *path, struct corpus *out,
                              struct err *err);
/* Frees everything corpus_parse allocated; c is empty afterwards. */
void corpus_release(struct corpus *c);

/* Returns the canonical one-line form of an S-expression: tokens ('(' ,
 * ')', atoms, "quoted strings") separated by single spaces, except after
 * '(' and before ')'. Whitespace inside a quoted string is kept as is; a
 * quoted string ends at a '"' followed by ')' or whitespace, as
 * ts_node_string writes `(MISSING ";")` without escaping. With drop_fields,
 * field labels (atoms ending in ':') are removed. Heap string, never NULL. */
char *sexp_normalize(const char *s, bool drop_fields);
/* True when the S-expression has a field label (an atom ending in ':'
 * outside quoted strings). */
bool sexp_has_fields(const char *s);
/* An indented multi-line rendering of a normalized S-expression: each '('
 * that follows other content starts a new line indented two spaces per
 * depth. Heap string ending in '\n', never NULL. */
char *sexp_pretty(const char *normalized);
/* Writes a line diff of a and b (both multi-line strings) to a heap
 * string: common lines prefixed "  ", lines only in a "- ", only in b "+ ".
 * Never NULL. */
char *text_diff(const char *a, const char *b);

#endif
