/* Helpers private to the output formatters (cli/output_*.c). */
#ifndef DW_CLI_OUTPUT_INT_H
#define DW_CLI_OUTPUT_INT_H

#include "cli/output.h"
#include "common/buf.h"
#include "common/compiler.h"

#include <jansson.h>
#include <stddef.h>

/* A JSON string of s (n bytes), invalid UTF-8 replaced with U+FFFD (jansson
 * refuses invalid UTF-8, and a Dockerfile may hold any bytes). New
 * reference; never NULL. */
json_t *out_jstr(const char *s, size_t n);
/* out_jstr of a C string, or JSON null when s is NULL. */
json_t *out_jcstr(const char *s);
/* Appends j (the reference is consumed) as indented JSON, every line after
 * the first prefixed with indent spaces so that it nests in the document
 * at that depth. Keys keep insertion order. */
DW_NODISCARD int out_jdump(json_t *j, int indent, struct buf *b);

/* The rule's aliases as a JSON array of names. New reference. */
json_t *out_jaliases(const struct rule *r);

/* The first paragraph of the "## What it does" section of a rule's doc,
 * or the summary when there is none; at most max bytes, cut at a UTF-8
 * character boundary. Appended to b. */
DW_NODISCARD int out_rule_description(const struct rule *r, size_t max, struct buf *b);

#endif
