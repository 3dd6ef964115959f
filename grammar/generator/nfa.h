/* The NFA of all tokens, over code-point ranges (private to tsgen's lexical
 * side).
 *
 * Every token gets its own states: an ACCEPT state, the states of its body
 * built backwards from it, and for a token that may be preceded by
 * separators a loop of separator transitions in front. States are addressed
 * by index; a state set is a sorted array of indices of ADVANCE and ACCEPT
 * states (SPLIT states never appear in sets, their closure does). */
#ifndef DW_GRAMMAR_GENERATOR_NFA_H
#define DW_GRAMMAR_GENERATOR_NFA_H

#include "regex.h"
#include "tsgen.h"

/* Build-time cap on the NFA (states of all tokens together). */
#define NFA_MAX_STATES 500000u
/* nfa_move.token when the advancing states belong to several tokens. */
#define NFA_MIXED UINT32_MAX

enum nfa_kind {
    NFA_ADVANCE, /* on a code point in r[0..n_r) go to next */
    NFA_SPLIT,   /* go to next and to alt without input */
    NFA_ACCEPT,  /* the token is complete */
};

struct nfa_state {
    uint8_t kind; /* enum nfa_kind */
    bool sep;     /* ADVANCE: a separator transition (becomes SKIP) */
    int32_t prec; /* ADVANCE: precedence of the transition; ACCEPT: of the completion */
    uint32_t token;
    uint32_t next, alt;
    const struct crange *r; /* ADVANCE; arena memory */
    uint32_t n_r;
};

/* A growable array of indices (fits the VEC_* macros of common/vec.h). */
struct u32s {
    uint32_t *items;
    size_t len, cap;
};

struct nfa {
    struct nfa_state *states; /* heap; see nfa_release */
    uint32_t n, cap;
};

/* What the lexer knows about one token. */
struct nfa_token {
    uint32_t start;     /* first state of the token itself */
    uint32_t start_sep; /* the separator loop in front of it; == start when none */
    uint32_t accept;
    int32_t prec;     /* explicit precedence of the completion (outermost prec()) */
    int32_t implicit; /* string 2, +1 per token()/token.immediate() wrapper, else 0 */
    bool immediate;   /* token.immediate(): no separators before it */
};

/* Builds the states of every token of g into nfa and fills toks[0..n_vars).
 * Returns 0, or ERR_INVALID (a pattern that does not parse, a named
 * precedence or a symbol inside a token, a token matching the empty
 * string, invalid UTF-8 in a string) or ERR_TOO_LARGE, with the message in
 * err. Ranges are allocated in a; the state array is on the heap. */
DW_NODISCARD int nfa_build(struct nfa *nfa, struct nfa_token *toks, const struct lexical_grammar *g,
                           struct arena *a, struct err *err);
void nfa_release(struct nfa *nfa);

/* Scratch space for closures and moves, sized for one NFA. */
struct nfa_scratch {
    uint32_t *mark; /* per state: generation that last visited it */
    uint32_t gen;
    struct u32s stack;
};

void nfa_scratch_init(struct nfa_scratch *sc, const struct nfa *nfa);
void nfa_scratch_release(struct nfa_scratch *sc);

/* Replaces out by the epsilon closure of seeds[0..n): the ADVANCE and
 * ACCEPT states reachable through SPLITs, sorted. */
void nfa_closure(const struct nfa *nfa, struct nfa_scratch *sc, const uint32_t *seeds, size_t n,
                 struct u32s *out);

/* One move out of a state set: the code points on which the same advancing
 * states fire, and where they lead. */
struct nfa_move {
    uint32_t r_off, n_r; /* ranges in nfa_moves.ranges */
    uint32_t s_off, n_s; /* successor closure in nfa_moves.states */
    uint32_t a_off, n_a; /* the advancing states in nfa_moves.states */
    int32_t prec;        /* the highest precedence of the advancing states */
    bool sep;            /* every advancing state is a separator transition */
    uint32_t token;      /* their token, or NFA_MIXED */
};

/* An elementary interval of code points and the advancing states that
 * contain it (work space of nfa_moves_compute). */
struct nfa_iv {
    uint32_t lo, hi, c_off, c_len;
};

struct nfa_moves {
    struct {
        struct nfa_move *items;
        size_t len, cap;
    } moves;
    struct {
        struct crange *items;
        size_t len, cap;
    } ranges;
    struct u32s states;
    /* work space */
    struct u32s bounds, adv, contrib, seeds, cursor;
    struct {
        struct nfa_iv *items;
        size_t len, cap;
    } iv;
};

void nfa_moves_init(struct nfa_moves *m);
void nfa_moves_release(struct nfa_moves *m);
/* Replaces m's content by the moves out of set[0..n). Code point 0 is
 * never part of a move: the runtime reports end of input as lookahead 0,
 * so a transition on 0 would loop at the end of the input. Deterministic:
 * moves come in a fixed order for a given set. */
void nfa_moves_compute(struct nfa_moves *m, const struct nfa *nfa, struct nfa_scratch *sc,
                       const uint32_t *set, size_t n);

static inline const struct crange *nfa_move_ranges(const struct nfa_moves *m,
                                                   const struct nfa_move *mv)
{
    return m->ranges.items + mv->r_off;
}
static inline const uint32_t *nfa_move_states(const struct nfa_moves *m, const struct nfa_move *mv)
{
    return m->states.items + mv->s_off;
}
static inline const uint32_t *nfa_move_advancing(const struct nfa_moves *m,
                                                 const struct nfa_move *mv)
{
    return m->states.items + mv->a_off;
}

/* Interning of state sets (with one extra key word, such as a flag) to
 * dense ids, for subset constructions. */
struct sset_table {
    struct u32s pool; /* per set: extra, n, states... */
    struct u32s off;  /* id -> offset in pool */
    uint32_t *slots;  /* open addressing: id + 1, 0 = empty */
    uint32_t n_slots;
};

void sset_init(struct sset_table *t);
void sset_release(struct sset_table *t);
/* Returns the id of (extra, set[0..n)), adding it when new (*added). */
uint32_t sset_intern(struct sset_table *t, uint32_t extra, const uint32_t *set, size_t n,
                     bool *added);
/* Whether (extra, set[0..n)) is known; its id in *id. */
bool sset_find(const struct sset_table *t, uint32_t extra, const uint32_t *set, size_t n,
               uint32_t *id);
/* The set with that id: its states (borrowed until the next intern) and extra. */
const uint32_t *sset_get(const struct sset_table *t, uint32_t id, uint32_t *n, uint32_t *extra);
static inline uint32_t sset_count(const struct sset_table *t)
{
    return (uint32_t)t->off.len;
}

#endif
