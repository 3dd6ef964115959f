/* UTF-8 decoding and encoding with Go's rules (BuildKit is written in Go,
 * and its lexers see text the way Go's utf8 package decodes it): an invalid
 * or truncated sequence, an overlong form, a surrogate or a code point over
 * U+10FFFF decodes as U+FFFD with length 1. */
#ifndef DW_COMMON_UTF8_H
#define DW_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_RUNE_ERROR 0xFFFDu

/* Decodes the code point at s[i] (i < n); *len receives its length in bytes
 * (1 for an invalid sequence). */
uint32_t utf8_decode(const char *s, size_t n, size_t i, size_t *len);
/* Writes cp as UTF-8 into out (room for 4 bytes) and returns the length; a
 * surrogate or a value over U+10FFFF is written as U+FFFD. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
