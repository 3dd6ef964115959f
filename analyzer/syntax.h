/* Helpers over the Dockerfile syntax tree that several parts of the
 * analyzer and the CLI share: parsing a buffer, the escape character in
 * effect, the "logical" text of a node the way BuildKit reads it, and
 * BuildKit's AST dump format (shared/spec/dockerfile.md, Appendix A). */
#ifndef DW_ANALYZER_SYNTAX_H
#define DW_ANALYZER_SYNTAX_H

#include "common/buf.h"
#include "common/compiler.h"

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* Parses text with the Dockerfile language. Returns a tree owned by the
 * caller (ts_tree_delete), or NULL when tree-sitter refuses (cancelled or
 * the language does not load; never for bad input, which yields ERROR and
 * MISSING nodes). Each thread keeps one parser for all its calls; it is
 * freed when the thread ends. Tree-sitter allocates from per-thread free
 * lists (syntax.c) in every program that links this file: they are
 * installed before main. */
TSTree *syn_parse(const char *text, uint32_t len);

/* Whether a node is an instruction (its type ends in "_instruction"). */
bool syn_is_instruction(TSNode node);

/* The escape character set by the file's `# escape=` directive: '\\' or '`'. */
int syn_escape_char(TSNode root, const char *src);

/* Appends the text of node as BuildKit's line parser sees it: the node's
 * bytes without the line continuations and comment lines inside it.
 * Returns 0 or ERR_TOO_LARGE. */
DW_NODISCARD int syn_logical_text(TSNode node, const char *src, struct buf *out);

/* Appends BuildKit's AST dump of the file: one line per instruction,
 * `(name ["flags"...] "arg"...)`, each ending with a newline. Instructions
 * inside ERROR nodes are dumped as far as they parsed. */
DW_NODISCARD int syn_dump_buildkit(TSNode root, const char *src, struct buf *out);

#endif
