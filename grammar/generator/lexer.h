/* The lexical side of tsgen: tokens to NFA, the token conflict analysis,
 * keyword extraction, the lex DFAs (one start state per group of
 * compatible parse states), and their rendering as C.
 *
 * The parse-table side drives it in this order:
 *
 *   lx = lexer_new(lexical_grammar, ...)          NFA; regex errors
 *   lexer_analyze(lx, following)                  token conflict map
 *   lexer_identify_keywords(lx, states, word)     (grammars with `word`)
 *   ... error-recovery state, state merging, fragile tokens: they ask
 *       lexer_does_conflict / _overlap / _match_same_string / ...
 *   lexer_build(lx, final states, keywords, word) lex DFAs + lex state per parse state
 *   lexer_render(lx, out, names)                  ts_lex / ts_lex_keywords C code
 *
 * Terminal indices are indices into lexical_grammar.vars. */
#ifndef DW_GRAMMAR_GENERATOR_LEXER_H
#define DW_GRAMMAR_GENERATOR_LEXER_H

#include "common/buf.h"
#include "tsgen.h"

struct lexer;

/* Builds the NFA of every token (and of the separators). Fails with
 * ERR_INVALID and the rule path in err for a pattern that does not parse or
 * uses a feature tsgen does not support, and for a token that matches the
 * empty string ("rule 'X' matches the empty string"). The lexer and
 * everything it returns live in a. */
struct lexer *lexer_new(const struct lexical_grammar *g, struct arena *a, struct err *err);

/* Computes the token conflict map. following[i] is the set of terminals
 * that can come right after terminal i in some parse state (computed by the
 * parse-table builder; it decides whether a token that matches a prefix of
 * another really conflicts with it). */
void lexer_analyze(struct lexer *lx, const struct tokset *following);

/* Token-pair relations (valid after lexer_analyze), as tree-sitter defines
 * them. Each tells what i can do to j when both are lexed from one start
 * state ("where j should" = where a lexer for j without i returns j):
 * - does_conflict(i, j): i can win where j should: i goes on past a point
 *   where j is complete, on a character that can start a token following j
 *   (a separator in front of one included); or i matches text that j's
 *   separators would skip; or both match a string and i is preferred.
 * - does_match_same_string(i, j): i and j match a common string and i is
 *   preferred there (prefer_token).
 * - does_match_different_string(i, j): i matches some string that j does not.
 * - does_match_prefix(i, j): i is complete where j could go on, and the
 *   lexer stops at i (i's precedence beats j's move): i wins with a proper
 *   prefix of a string of j.
 * - does_match_shorter_or_longer(i, j): i goes on past j as in
 *   does_conflict (valid continuation or separators), and j does not match
 *   i's separators.
 * - does_overlap(i, j): i can take j's text in any way: going on past j
 *   (valid or not), a prefix win, a common string it wins, separators.
 * - prefer_token(i, j): when both are complete at the same point, i wins
 *   (higher explicit precedence, then higher implicit precedence, then the
 *   lower index). */
bool lexer_does_conflict(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_does_match_same_string(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_does_match_different_string(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_does_match_prefix(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_does_match_shorter_or_longer(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_does_overlap(const struct lexer *lx, uint32_t i, uint32_t j);
bool lexer_prefer_token(const struct lexer *lx, uint32_t i, uint32_t j);
/* Whether token i is immediate (token.immediate: no separators before it). */
bool lexer_is_immediate(const struct lexer *lx, uint32_t i);

/* The valid terminals of one parse state, as the lexer needs them. */
struct lex_state_tokens {
    struct tokset tokens; /* valid terminals */
    bool eof_valid;       /* end of input is a valid lookahead */
};

/* The keywords (tree-sitter's rules): tokens using only characters of the
 * word token that beat it on a string both match and match no string it
 * does not; minus those another such token beats on a common string, and
 * those whose replacement by the word token would change the relations
 * (lexer_does_*) with a token they share a parse state with where the word
 * token is not valid. states[] are the parse states' valid terminals
 * (before state merging). The result is allocated in the lexer's arena;
 * empty when word is not a terminal. */
struct tokset lexer_identify_keywords(struct lexer *lx, const struct lex_state_tokens *states,
                                      uint32_t n_states, struct sym word);

/* Builds the main lex DFA for the final parse states, and the keyword DFA
 * when keywords is non-empty. Keywords valid in a state are replaced by the
 * word token for the main lexer. Parse states whose token sets are
 * compatible share a start state. On return lex_state_of[s] is the DFA
 * start state of parse state s (lex_state_of has n_states entries). */
void lexer_build(struct lexer *lx, const struct lex_state_tokens *states, uint32_t n_states,
                 const struct tokset *keywords, struct sym word, uint16_t *lex_state_of);

/* Names for rendering: the C enum identifier of each terminal
 * (enum_names[i] for lexical var i, for example "anon_sym_FROM") and of the
 * end symbol ("ts_builtin_sym_end"). */
struct lexer_names {
    const char *const *enum_names;
    const char *end_name;
    const char *lex_fn;     /* "ts_lex" */
    const char *keyword_fn; /* "ts_lex_keywords" */
};

/* Appends to out the C code of the character-set helpers (static inline
 * bool ..._character_set_N(int32_t c)), the main lex function and, when
 * there are keywords, the keyword lex function, written with the 0.20.7
 * parser.h macros (START_LEXER, ADVANCE, SKIP, ACCEPT_TOKEN, END_STATE),
 * with `eof = lexer->eof(lexer);` after START_LEXER. Deterministic: the same
 * input gives the same bytes. Returns 0, or ERR_TOO_LARGE when out's limit
 * is reached or a lex function would need more than 65535 states (the
 * TSStateId range; lexer_build then stopped early). */
int lexer_render(const struct lexer *lx, struct buf *out, const struct lexer_names *names);

/* Statistics for reports and tests. */
uint32_t lexer_main_state_count(const struct lexer *lx);
uint32_t lexer_keyword_state_count(const struct lexer *lx);

#endif
