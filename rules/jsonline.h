/* A cursor over the logical line of a Dockerfile from a source offset,
 * joined the way BuildKit's line parser joins it (dockerfile.md section 4):
 * an escape character that ends a physical line (not itself escaped)
 * continues it, and the blank and comment lines after it are dropped; any
 * other line ending is the end of the text. The JSON-form rules (DW005,
 * DW006) read arrays with it: the model's ranges cannot be used there,
 * because the grammar may leave an invalid array outside the instruction.
 * Uses nothing but analyzer/rule_api.h. */
#ifndef DW_RULES_JSONLINE_H
#define DW_RULES_JSONLINE_H

#include "analyzer/rule_api.h"

#include <stdint.h>

struct jcur {
    const char *src;
    uint32_t pos, len; /* the cursor, and the end of src */
    int esc;           /* the file's escape character */
};

/* A cursor at pos in f's source. */
struct jcur jcur_at(const struct df_file *f, uint32_t pos);

/* The byte at the cursor after stepping over continuations, or -1 at the
 * end of the logical line. */
int jcur_peek(struct jcur *c);

/* Steps over blanks (space, tab, CR) and continuations. */
void jcur_skip_ws(struct jcur *c);

#endif
