/* tsgen's parse-table side: the syntax grammar that preparation produces,
 * the parse table the LR(1) builder produces and the minimiser reshapes, and
 * the entry points of each stage. Private to grammar/generator (tsgen.h has
 * the types shared with the lexical side).
 *
 * Everything lives in the run's arena unless a comment says otherwise. */
#ifndef DW_GRAMMAR_GENERATOR_TSGEN_INT_H
#define DW_GRAMMAR_GENERATOR_TSGEN_INT_H

#include "common/buf.h"
#include "tsgen.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct lexer;

/* ------------------------------------------------------------------ */
/* A string -> uint32 map with deterministic behaviour (keys hashed by
 * content), arena-backed. */

struct strmap_slot {
    const char *key;
    uint32_t value;
};

struct strmap {
    struct strmap_slot *slots;
    uint32_t cap, count;
    struct arena *arena;
};

void strmap_init(struct strmap *m, struct arena *a);
/* Looks key up; returns whether it is present (and its value in *out). */
bool strmap_get(const struct strmap *m, const char *key, uint32_t *out);
/* Inserts or replaces; key is borrowed and must outlive the map. */
void strmap_put(struct strmap *m, const char *key, uint32_t value);

uint64_t tsgen_hash_bytes(uint64_t h, const void *p, size_t n);
#define TSGEN_HASH_SEED 1469598103934665603ull

/* ------------------------------------------------------------------ */
/* load.c: grammar.json -> struct input_grammar */

/* Parses the grammar.json text (len bytes). path is only used in messages.
 * On failure returns NULL with err set: ERR_SYNTAX for malformed JSON (line
 * and column of jansson's report in the message), ERR_INVALID for a schema
 * violation (the rule path in the message). */
struct input_grammar *grammar_load(const char *text, size_t len, struct arena *a, struct err *err);

/* ------------------------------------------------------------------ */
/* The syntax grammar                                                  */

enum assoc { ASSOC_NONE, ASSOC_LEFT, ASSOC_RIGHT };

struct alias {
    const char *value; /* NULL: no alias */
    bool named;
};

struct prod_step {
    struct sym sym;
    struct prec prec;
    uint8_t assoc; /* enum assoc */
    struct alias alias;
    const char *field; /* or NULL */
};

struct production {
    struct prod_step *steps;
    uint32_t n_steps;
    int32_t dyn_prec;
};

struct syntax_var {
    const char *name;
    enum var_kind kind;
    struct production *prods;
    uint32_t n_prods;
    bool supertype;
    bool is_repeat; /* a generated `<rule>_repeatN` helper (prepare.c) */
    /* Chunked repetition helpers (prepare.c): chunk_group is the index + 1
     * of the repetition's top helper, 0 for every other rule; chunk_link is
     * j for the chain helper C_j, 0 for the pairing helper R. */
    uint32_t chunk_group;
    uint8_t chunk_link;
    const char *path; /* "rules.<name>" for messages */
};

struct external_token {
    const char *name;
    enum var_kind kind;
    struct sym internal; /* the internal token of the same name, or SYM_NONE */
};

/* A `conflicts` entry: sorted, duplicate-free nonterminal indices. */
struct conflict_set {
    uint32_t *vars;
    uint32_t n;
};

/* One element of a `precedences` list after interning. */
struct prec_item {
    bool is_symbol;
    const char *name; /* precedence name, or the rule name */
    struct sym sym;   /* is_symbol: the rule's symbol (after token extraction) */
};

struct prec_list {
    struct prec_item *items;
    uint32_t n;
};

struct syntax_grammar {
    struct syntax_var *vars; /* vars[0] is the start rule */
    uint32_t n_vars;
    struct sym *extras; /* terminal, external or nonterminal extras */
    uint32_t n_extras;
    struct external_token *externals;
    uint32_t n_externals;
    struct conflict_set *conflicts;
    uint32_t n_conflicts;
    struct prec_list *precs;
    uint32_t n_precs;
    struct sym word; /* SYM_NONE when the grammar has none */
    /* Default (simple) aliases, per symbol; value NULL when none. */
    struct alias *term_alias;
    struct alias *nt_alias;
    struct alias *ext_alias;
    uint32_t n_terms; /* = lexical_grammar.n_vars */
    /* For each repeat helper, the non-auxiliary rules that use it (for
     * matching `conflicts` entries); NULL for other variables. */
    struct conflict_set *repeat_parents;
    /* Rules listed in `inline` (expanded at their use sites). */
    bool *inlined;
};

static inline bool alias_eq(struct alias a, struct alias b)
{
    if (!a.value || !b.value)
        return a.value == b.value;
    return a.named == b.named && strcmp(a.value, b.value) == 0;
}

/* prepare.c (with flatten.c and inline.c): interns symbols, extracts
 * tokens, expands repeats, flattens rules into productions, extracts
 * default aliases and expands inline rules. Errors: ERR_INVALID with the
 * rule path ("rules.x.members[2]: undefined symbol 'foo'"). */
int grammar_prepare(const struct input_grammar *in, struct arena *a, struct syntax_grammar *syn,
                    struct lexical_grammar *lex, struct err *err);

/* Name and kind under which symbol s shows (default alias applied when
 * use_alias). */
const char *syntax_symbol_name(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                               struct sym s, bool use_alias, enum var_kind *kind);

/* Preparation's rule trees: symbols interned, tokens extracted (they are
 * SR_SYMBOL terminals), REPEAT written as CHOICE(REPEAT1, BLANK), and the
 * wrappers PREC*, FIELD, ALIAS merged into SR_META nodes. */
enum srule_kind { SR_BLANK, SR_SYMBOL, SR_SEQ, SR_CHOICE, SR_REPEAT1, SR_META };

struct srule {
    uint8_t kind; /* enum srule_kind */
    struct sym sym;
    struct srule **members;
    uint32_t n_members;
    struct srule *content;
    /* SR_META: each part is optional */
    struct prec prec; /* kind PREC_NONE: no precedence */
    uint8_t assoc;    /* enum assoc */
    bool has_dyn;
    int32_t dyn;
    const char *field;
    struct alias alias;
    const char *path;
};

/* Preparation helpers shared by prepare.c, flatten.c and inline.c. */
int prepare_flatten(struct syntax_grammar *syn, struct srule **rules, struct arena *a,
                    struct err *err);
bool production_equal(const struct production *a, const struct production *b);
/* A hash that agrees with production_equal. */
uint64_t production_hash(const struct production *p);
void prepare_default_aliases(struct syntax_grammar *syn, const bool *inlined, struct arena *a);
int prepare_inline(struct syntax_grammar *syn, const bool *inlined, struct arena *a,
                   struct err *err);

/* ------------------------------------------------------------------ */
/* The parse table                                                     */

/* Lookahead indices: one space for end, the end of a non-terminal extra,
 * terminals and externals. */
#define LA_END 0u
#define LA_NT_EXTRA_END 1u
#define LA_FIRST_TERM 2u

enum pact_kind { PACT_SHIFT, PACT_SHIFT_EXTRA, PACT_REDUCE, PACT_ACCEPT, PACT_RECOVER };

struct pact {
    uint8_t kind; /* enum pact_kind */
    bool repetition;
    uint32_t state;       /* PACT_SHIFT */
    uint32_t var;         /* PACT_REDUCE: nonterminal index */
    uint32_t child_count; /* PACT_REDUCE */
    int32_t dyn_prec;
    uint32_t production_id; /* into parse_table.infos */
    /* For conflict resolution: the precedence and associativity of the
     * completed production (its last step). */
    struct prec prec;
    uint8_t assoc;
};

struct tentry {
    uint32_t la; /* lookahead index */
    bool reusable;
    struct pact *actions;
    uint32_t n_actions;
};

struct gentry {
    uint32_t var;
    uint32_t state;
    bool extra; /* the goto of a non-terminal extra: stay in this state */
};

struct pstate {
    struct tentry *terms; /* sorted by la */
    uint32_t n_terms;
    struct gentry *gotos; /* sorted by var */
    uint32_t n_gotos;
    uint32_t core_id; /* same LR(0) core, same id */
    bool nt_extra_end;
    uint16_t lex_state;
    uint16_t ext_lex_state;
};

struct field_loc {
    const char *field;
    uint32_t child;
    bool inherited;
};

/* What a REDUCE's production_id names: aliases of the children and the
 * field locations (sorted by field name, then child). */
struct prod_info {
    struct alias *aliases; /* n_aliases entries; trailing unaliased dropped */
    uint32_t n_aliases;
    struct field_loc *fields;
    uint32_t n_fields;
};

struct parse_table {
    struct pstate *states;
    uint32_t n_states;
    struct prod_info *infos; /* infos[0] is empty */
    uint32_t n_infos;
    uint32_t max_prod_len;
    uint32_t n_la;
    /* Symbols used by some state (before minimisation), per kind. */
    bool *term_used;
    bool *ext_used;
    bool *nt_used;
    /* Keywords (subset of terminals), empty without `word`. */
    struct tokset keywords;
    bool has_keywords;
    /* External lex states: n_ext_rows rows of n_externals flags. */
    bool *ext_rows;
    uint32_t n_ext_rows;
    /* States with (TSStateId)-1 lex mode: nt_extra_end. */
    struct lexer *lexer;
};

static inline uint32_t la_of_term(uint32_t t)
{
    return LA_FIRST_TERM + t;
}

/* Builds the canonical LR(1) table with conflicts resolved, plus the error
 * state (state 0). Does not minimise. Fails with ERR_INVALID when a conflict
 * is unresolved; the full report is appended to report (multi-line), the
 * first line is err's message. following (n_terms sets over terminals) is
 * filled for lexer_analyze. */
int parse_table_build(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                      struct arena *a, struct parse_table *pt, struct buf *report, struct err *err);

/* Terminals that can follow each terminal in some derivation (for the
 * token conflict analysis). Returns n_terms sets over terminals. */
struct tokset *grammar_following_tokens(const struct syntax_grammar *syn,
                                        const struct lexical_grammar *lex, struct arena *a);

/* After lexer_analyze: keywords, error-recovery state, minimisation, lex
 * states, fragile tokens, external lex states. */
int parse_table_finish(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                       struct lexer *lx, struct arena *a, struct parse_table *pt, struct err *err);

/* minimize.c */
void parse_table_remove_unit_reductions(const struct syntax_grammar *syn, struct parse_table *pt);
void parse_table_merge_states(const struct syntax_grammar *syn, const struct lexer *lx,
                              struct parse_table *pt, struct arena *a);
void parse_table_drop_unreachable(struct parse_table *pt, struct arena *a);

/* Compares two precedences as tree-sitter does (integers against integers
 * and the default 0; names through the `precedences` lists). Returns
 * <0, 0, >0. */
int prec_compare(const struct syntax_grammar *syn, struct prec l, uint32_t l_var, struct prec r,
                 uint32_t r_var);

/* ------------------------------------------------------------------ */
/* render.c, node_types.c */

/* The most bytes the dense part of the parse table (the runtime's "large"
 * states, one uint16_t cell per symbol) may take. */
#define TSGEN_DENSE_TABLE_BUDGET ((size_t)512 * 1024)

/* How many of n_states parse states (numbered by falling entry count,
 * states 0 and 1 first) parser.c stores as dense rows of symbol_count
 * cells: all of them while they fit in budget bytes, else as many as fit
 * but never fewer than min(2, n_states). */
uint32_t render_dense_state_count(uint32_t n_states, uint32_t symbol_count, size_t budget);

/* Appends parser.c for the finished table to out; the dense part of the
 * table takes at most dense_budget bytes (render_dense_state_count). */
int render_parser(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                  const struct parse_table *pt, const char *name, size_t dense_budget,
                  struct arena *a, struct buf *out, struct err *err);

/* Appends node-types.json to out. */
int render_node_types(const struct syntax_grammar *syn, const struct lexical_grammar *lex,
                      const struct parse_table *pt, struct arena *a, struct buf *out,
                      struct err *err);

/* ------------------------------------------------------------------ */
/* tsgen.c: the whole pipeline */

struct tsgen_output {
    struct buf parser_c;   /* heap; caller releases */
    struct buf node_types; /* heap; caller releases; empty unless asked */
    struct buf report;     /* long diagnostics (conflict reports) */
    /* Statistics. */
    uint32_t n_states, n_symbols, n_lr1_states;
};

/* Runs every stage on the grammar.json text. want_node_types fills
 * out->node_types too. On failure returns a negative code with err set
 * (message without the "tsgen: path:" prefix) and out->report may hold a
 * longer explanation. */
int tsgen_generate(const char *json, size_t len, bool want_node_types, struct tsgen_output *out,
                   struct err *err);
/* The same with the dense table's budget in bytes (tsgen_generate uses
 * TSGEN_DENSE_TABLE_BUDGET); tests use a small one to render small states. */
int tsgen_generate_with_budget(const char *json, size_t len, bool want_node_types,
                               size_t dense_budget, struct tsgen_output *out, struct err *err);
void tsgen_output_release(struct tsgen_output *out);

#endif
