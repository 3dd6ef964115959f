/* Code-point sets and the regex parser of tsgen's lexical side (private to
 * grammar/generator: lex*.c, nfa*.c, regex*.c and their tests).
 *
 * A PATTERN rule holds JavaScript regex source. rx_parse turns it into a
 * small tree (struct rx_node) over code-point sets, which nfa.c turns into
 * NFA states. Code points are Unicode scalar values, 0..RX_MAX_CP. */
#ifndef DW_GRAMMAR_GENERATOR_REGEX_H
#define DW_GRAMMAR_GENERATOR_REGEX_H

#include "common/arena.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RX_MAX_CP 0x10FFFFu
/* Largest count accepted in {n}, {n,} and {n,m}: repetitions are unrolled
 * into NFA states, so a huge count would only exhaust memory. */
#define RX_MAX_REPEAT 1000u
/* RX_REPEAT.max for "no upper bound". */
#define RX_INF UINT32_MAX

/* An inclusive range of code points. */
struct crange {
    uint32_t lo, hi;
};

/* A set of code points as sorted, disjoint, non-adjacent ranges. The
 * storage is on the heap (cset_release frees it); cset_freeze copies a set
 * into an arena when it must outlive the builder. */
struct cset {
    struct crange *r;
    uint32_t n, cap;
};

void cset_init(struct cset *s);
void cset_release(struct cset *s);
/* Empties s and keeps its storage. */
void cset_clear(struct cset *s);
/* Adds [lo, hi] (lo <= hi <= RX_MAX_CP), merging neighbours. */
void cset_add_range(struct cset *s, uint32_t lo, uint32_t hi);
/* Adds every range of r[0..n) (sorted or not). */
void cset_add_ranges(struct cset *s, const struct crange *r, uint32_t n);
/* Replaces s by its complement within 0..RX_MAX_CP. */
void cset_negate(struct cset *s);
/* Removes [lo, hi] from s. */
void cset_remove_range(struct cset *s, uint32_t lo, uint32_t hi);
/* Adds the other-case forms of the letters in s (ASCII, Latin-1, Greek,
 * Cyrillic), for the `i` flag. Approximate outside those blocks. */
void cset_add_case_variants(struct cset *s);
/* Copies the ranges into a, returns them (NULL when s is empty). */
struct crange *cset_freeze(const struct cset *s, struct arena *a);

/* Queries on frozen or live range arrays (sorted, disjoint). */
bool cranges_contain(const struct crange *r, uint32_t n, uint32_t c);
bool cranges_intersect(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb);
/* Whether every code point of a is in b. */
bool cranges_subset(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb);
bool cranges_equal(const struct crange *a, uint32_t na, const struct crange *b, uint32_t nb);
/* The number of code points in r. */
uint64_t cranges_size(const struct crange *r, uint32_t n);

/* The class escapes of the patterns: \d, \w and \s (JS's whitespace set,
 * Unicode spaces included). */
void cset_add_digit(struct cset *s);
void cset_add_word(struct cset *s);
void cset_add_space(struct cset *s);

/* A Unicode general category (two-letter name) as ranges: lo, hi pairs. */
struct rx_unicode_cat {
    const char *name;
    const uint32_t *ranges;
    size_t n; /* pairs */
};
extern const struct rx_unicode_cat rx_unicode_cats[];
extern const size_t rx_unicode_n_cats;

/* Adds the code points of a \p{...} property: a general category by short
 * (L, Lu, Nd, ...) or long name (Letter, Uppercase_Letter, ...), or
 * `General_Category=`/`gc=` followed by one. Returns false (s unchanged)
 * for a name tsgen does not know. */
bool cset_add_unicode_property(struct cset *s, const char *name, size_t len);

/* ------------------------------------------------------------------ */
/* The regex tree                                                       */

enum rx_kind {
    RX_EMPTY,  /* matches the empty string */
    RX_CHARS,  /* one code point from r[0..n_r) (possibly none) */
    RX_SEQ,    /* kids in order */
    RX_ALT,    /* one of kids */
    RX_REPEAT, /* kid, min..max times (max may be RX_INF) */
};

struct rx_node {
    enum rx_kind kind;
    const struct crange *r; /* RX_CHARS */
    uint32_t n_r;
    struct rx_node **kids; /* RX_SEQ, RX_ALT */
    uint32_t n_kids;
    struct rx_node *kid; /* RX_REPEAT */
    uint32_t min, max;
};

/* Parses the JavaScript regex src[0..len) (UTF-8) with flags (NULL or a
 * string of i, u, s, g, m; `i` folds case, `s` makes `.` match newlines,
 * the others change nothing for a lexer). The tree lives in a. On error
 * returns NULL and sets err (ERR_INVALID) to "<where>: <what> at offset N",
 * N being the byte offset in src where the problem starts; where is the
 * rule path used in messages. Unsupported features (anchors, lookaround,
 * backreferences, unknown properties) are errors, never ignored. */
struct rx_node *rx_parse(const char *src, size_t len, const char *flags, const char *where,
                         struct arena *a, struct err *err);

/* Whether the tree can match the empty string. */
bool rx_matches_empty(const struct rx_node *n);

/* Decodes one UTF-8 sequence from s[0..len) into *cp; returns its length,
 * or 0 for an invalid or truncated sequence (surrogates and overlong forms
 * included). */
size_t rx_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
