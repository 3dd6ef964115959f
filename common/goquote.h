/* Go's strconv.Quote, which BuildKit uses when it prints values (its AST
 * dump, image history entries): '"' and '\' escaped, \a \b \f \n \r \t \v,
 * other control bytes and invalid UTF-8 as \xNN, code points Go does not
 * print as \uNNNN or \UNNNNNNNN, printable text kept as it is. */
#ifndef DW_COMMON_GOQUOTE_H
#define DW_COMMON_GOQUOTE_H

#include "buf.h"
#include "compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Appends s[0..len) quoted to out. Returns 0 or ERR_TOO_LARGE. */
DW_NODISCARD int go_quote(struct buf *out, const char *s, size_t len);
/* Whether Go's strconv.IsPrint holds for cp (an approximation outside the
 * ranges that occur in Dockerfiles: controls, non-ASCII spaces, format
 * characters, private use and non-characters are not printable). */
bool go_is_print(uint32_t cp);

#endif
