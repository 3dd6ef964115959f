/* Edit distance for "did you mean" suggestions (unknown rule names, flags,
 * instructions, variables, config keys). */
#ifndef DW_COMMON_STRDIST_H
#define DW_COMMON_STRDIST_H

#include "span.h"

#include <stdbool.h>

/* Strings longer than this are never close to anything. */
#define STR_DISTANCE_MAX_LEN 64
/* What str_distance returns for strings too long to compare. */
#define STR_DISTANCE_FAR 1000u

/* The optimal string alignment distance between a and b (insertions,
 * deletions, substitutions and transpositions of adjacent characters
 * each count one), comparing bytes, ASCII-case-insensitively when
 * fold_case. STR_DISTANCE_FAR when either is longer than
 * STR_DISTANCE_MAX_LEN. */
unsigned str_distance(struct str a, struct str b, bool fold_case);

#endif
