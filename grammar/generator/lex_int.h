/* The lexer's private state, shared by lexer.c, lex_conflict.c, lex_dfa.c,
 * lex_render.c and their unit tests. Never include from outside the
 * lexical side of tsgen. */
#ifndef DW_GRAMMAR_GENERATOR_LEX_INT_H
#define DW_GRAMMAR_GENERATOR_LEX_INT_H

#include "lexer.h"
#include "nfa.h"

/* Relation flags of an ordered token pair (i, j), lexer.pair[i * n + j]:
 * what i can do to j when both are lexed from one start state. These are
 * tree-sitter's token conflict statuses (see lexer.h). */
enum lex_pair_flag {
    /* Both match some string and i is preferred there (lexer_prefer_token). */
    LP_SAME_WIN = 1 << 0,
    /* i matches a string j does not. */
    LP_DIFF = 1 << 1,
    /* i is complete and preferred where j could go on, but the lexer stops
     * (i's precedence beats the move, or separators could start there):
     * i wins over j's longer match. */
    LP_BLOCK = 1 << 2,
    /* j is complete (the preferred completion) and i goes on past it
     * without j, on a move the lexer takes: i wins by longest match. Also
     * set when i and j went on together for a while and j fell away. */
    LP_CONT = 1 << 3,
    /* ... and the character after j's end can start a token that may
     * follow j (separators included). */
    LP_VALID_CONT = 1 << 4,
    /* i is complete at a point where separator moves are possible: i
     * matches text that j's separators would skip. */
    LP_SEP = 1 << 5,
};

/* DFA state accept values besides a terminal index. */
#define LEX_NO_ACCEPT (-1)
#define LEX_ACCEPT_END (-2) /* the end symbol (after `if (eof)`) */
#define LEX_NONE UINT32_MAX
/* A lex function's states are numbered with TSStateId (uint16_t). */
#define LEX_MAX_STATES 65535u
/* Points explored for one token pair before the analysis gives up and
 * assumes every relation (exponential subset blow-ups, never real tokens). */
#define LEX_PAIR_MAX_POINTS 50000u

/* A transition of a DFA state on [lo, hi]. */
struct lex_trans {
    uint32_t lo, hi;
    uint32_t target;
    uint32_t token; /* the token the move belongs to, or NFA_MIXED (for helper names) */
    bool skip;      /* a separator: SKIP instead of ADVANCE */
};

struct lex_dstate {
    int32_t accept;      /* terminal index, LEX_NO_ACCEPT or LEX_ACCEPT_END */
    uint32_t eof_target; /* state to go to at end of input, or LEX_NONE */
    uint32_t t_off, n_t; /* transitions in lex_dfa.trans, sorted by lo, disjoint */
};

/* A lex function's DFA after minimisation and numbering. */
struct lex_dfa {
    struct lex_dstate *states;
    uint32_t n_states;
    struct lex_trans *trans;
    uint32_t n_trans;
};

struct lexer {
    struct arena *a;
    const struct lexical_grammar *g;
    uint32_t n; /* tokens */
    struct nfa nfa;
    struct nfa_token *toks;
    /* Per token: the code points it can start with (separators in front
     * included), and every code point its own transitions use. */
    struct crange **first;
    uint32_t *n_first;
    struct crange **chars;
    uint32_t *n_chars;
    uint8_t *pair; /* n * n relation flags; NULL before lexer_analyze */
    struct lex_dfa main, keywords;
    /* The groups of lexer_build: each group's tokens and end-of-input
     * validity, and the group of each parse state (for tests and stats). */
    struct tokset *group_tokens;
    bool *group_eof;
    uint32_t n_groups;
    uint32_t *group_of;
    /* The limits (LEX_MAX_STATES and LEX_PAIR_MAX_POINTS unless a test
     * lowers them to reach the limit cheaply). */
    uint32_t max_states, max_pair_points;
    /* A DFA hit max_states: it is incomplete and lexer_render fails. */
    bool too_large;
};

static inline uint8_t lex_pair(const struct lexer *lx, uint32_t i, uint32_t j)
{
    return lx->pair[(size_t)i * lx->n + j];
}

/* Whether the lexer follows move mv (out of a set whose moves include
 * separator moves when has_sep) rather than stop at the completion of
 * token done: the move's precedence must be at least the completion's,
 * and at equal precedence it must not be a separator move and, where
 * separators could start, must lead on within done itself. */
bool lex_move_preferred(const struct lexer *lx, const struct nfa_moves *m,
                        const struct nfa_move *mv, uint32_t done, bool has_sep);

/* Builds the DFA of a set of start points (subset construction, conflict
 * resolution, minimisation, BFS numbering). starts[k] lists the NFA states
 * of start k, eof[k] whether end of input is valid there (NULL: never);
 * on return start_ids[k] is the DFA state of start k. Heap scratch only;
 * the result lives in lx->a. */
void lex_dfa_build(struct lexer *lx, const struct u32s *starts, const bool *eof, uint32_t n_starts,
                   struct lex_dfa *out, uint32_t *start_ids);

/* Runs dfa from state over input[0..n), as the tree-sitter runtime runs a
 * lex function: separators move the token start, the last accepted token
 * wins. Returns the token (LEX_ACCEPT_END for the end symbol) with
 * start and end set to its code-point offsets, or LEX_NO_ACCEPT. For tests. */
int32_t lex_dfa_run(const struct lex_dfa *dfa, uint32_t state, const uint32_t *input, size_t n,
                    size_t *start, size_t *end);

#endif
