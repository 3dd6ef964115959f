/* The annotated-fixture format of STYLE.md section 3:
 *
 *     # test: rules=DW601 fix=safe
 *     from alpine:3.20
 *     # expect @-1:1 DW601 "instruction 'from' should be uppercase"
 *     # fixed: FROM alpine:3.20
 *
 * fixture_parse reads the annotations, computes the absolute line each one
 * is about, and produces the source with every annotation blanked to "#"
 * (line numbers kept) and the expected text after fixing. */
#ifndef DW_TESTS_FIXTURE_H
#define DW_TESTS_FIXTURE_H

#include "common/arena.h"
#include "common/err.h"

#include <stdbool.h>
#include <stdint.h>

enum fixture_fix_mode { FIXTURE_FIX_NONE, FIXTURE_FIX_SAFE, FIXTURE_FIX_UNSAFE };

struct fixture_expect {
    uint32_t line;        /* 1-based line of the finding */
    uint32_t col;         /* 1-based byte column */
    const char *rule;     /* "DW601" */
    const char *fragment; /* must occur in the message */
    uint32_t annot_line;  /* where the annotation is, for messages */
};

struct fixture {
    const char **rules; /* from "# test: rules=A,B"; NULL-terminated */
    size_t n_rules;
    enum fixture_fix_mode fix;
    struct fixture_expect *expects;
    size_t n_expects;
    const char *blanked; /* the input with annotations blanked to "#" */
    size_t blanked_len;
    const char *fixed; /* expected output after fixing, with annotations blanked;
                        * NULL when the fixture has no "# fixed:" lines */
    size_t fixed_len;
};

/* Parses text (name is used in messages). All memory comes from a. Returns 0,
 * or ERR_SYNTAX with the line of the malformed annotation in err. */
int fixture_parse(struct fixture *fx, struct arena *a, const char *name, const char *text,
                  size_t len, struct err *err);

#endif
