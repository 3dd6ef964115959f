/* Helpers private to the output formatters (cli/output_*.c). */
#ifndef DW_CLI_OUTPUT_INT_H
#define DW_CLI_OUTPUT_INT_H

#include "cli/output.h"
#include "common/buf.h"
#include "common/compiler.h"

#include <jansson.h>
#include <stdbool.h>
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

/* A streaming JSON writer that writes exactly what out_jdump writes for
 * the same values (jansson's JSON_INDENT(2) layout and string escapes):
 * `lint --format json` writes every finding through it, as building a
 * jansson tree per finding and dumping it cost more than linting. Values
 * go into the innermost open container; in an object, out_jw_key comes
 * before each value. Errors stick: check out_jw_end once at the end. */
#define OUT_JW_MAX_DEPTH 32
struct out_jw {
    struct buf *b;
    int indent;     /* spaces before every line after the first */
    unsigned depth; /* open containers */
    bool first[OUT_JW_MAX_DEPTH];
    bool after_key; /* the next value follows "key": on the same line */
    int rc;
};
void out_jw_init(struct out_jw *w, struct buf *b, int indent);
void out_jw_open(struct out_jw *w, char bracket); /* '{' or '[' */
void out_jw_close(struct out_jw *w, char bracket);
void out_jw_key(struct out_jw *w, const char *key);
/* A key given already quoted with its ": " (OUT_JW_KEY), for the fixed
 * keys of the formats: n bytes at the start of an array of OUT_JW_KEY_MAX
 * (zero-padded), which the writer copies whole, as a fixed-size copy costs
 * less than a copy of n bytes. A longer key does not compile. */
#define OUT_JW_KEY_MAX 48
void out_jw_key_quoted(struct out_jw *w, const char quoted[OUT_JW_KEY_MAX], size_t n);
#define OUT_JW_KEY(w, lit)                                                                         \
    out_jw_key_quoted((w), (const char[OUT_JW_KEY_MAX]){ "\"" lit "\": " },                        \
                      sizeof("\"" lit "\": ") - 1)
void out_jw_str(struct out_jw *w, const char *s, size_t n); /* invalid UTF-8 as U+FFFD */
void out_jw_cstr(struct out_jw *w, const char *s);          /* NULL: null */
void out_jw_int(struct out_jw *w, long long v);
void out_jw_bool(struct out_jw *w, bool v);
void out_jw_null(struct out_jw *w);
void out_jw_aliases(struct out_jw *w, const struct rule *r);  /* as out_jaliases */
void out_jw_help_uri(struct out_jw *w, const struct rule *r); /* out_rule_help_uri as a string */
/* 0, or ERR_TOO_LARGE when a write failed or the containers are unbalanced. */
DW_NODISCARD int out_jw_end(struct out_jw *w);

/* The rule's aliases as a JSON array of names. New reference. */
json_t *out_jaliases(const struct rule *r);

/* The first paragraph of the "## What it does" section of a rule's doc,
 * or the summary when there is none; at most max bytes, cut at a UTF-8
 * character boundary. Appended to b. */
DW_NODISCARD int out_rule_description(const struct rule *r, size_t max, struct buf *b);

/* v in decimal ("%u") into out, which has room for 10 bytes; returns the
 * length. No terminator. */
size_t out_fmt_u32(char *out, uint32_t v);
/* v as 16 lowercase hex digits ("%016llx") into out. No terminator. */
void out_fmt_hex16(char *out, uint64_t v);

#endif
