/* tsgen: dockwright's grammar compiler, grammar.json -> parser.c (tree-sitter
 * language ABI 14, for the libtree-sitter 0.20.7 runtime).
 *
 * This header holds the types every stage of the generator shares:
 *
 *   grammar.json --load--> struct input_grammar (rule trees)
 *                --prepare--> struct syntax_grammar + struct lexical_grammar
 *                --parse_table (LR(1), conflicts, GLR)--> struct parse_table
 *                --lexer.h (NFA, token conflicts, keywords, lex DFAs)-->
 *                --render--> parser.c, node-types.json
 *
 * Private to grammar/generator. All memory of one run comes from one arena
 * (struct tsgen.arena); nothing is freed before the run ends. */
#ifndef DW_GRAMMAR_GENERATOR_TSGEN_H
#define DW_GRAMMAR_GENERATOR_TSGEN_H

#include "common/arena.h"
#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Rule trees, as grammar.json has them                                */

enum rule_kind {
    RULE_BLANK,
    RULE_STRING,          /* value (may hold any bytes; value_len) */
    RULE_PATTERN,         /* value = JS regex source, flags (may be NULL) */
    RULE_SYMBOL,          /* value = rule name */
    RULE_SEQ,             /* members */
    RULE_CHOICE,          /* members */
    RULE_REPEAT,          /* content; zero or more */
    RULE_REPEAT1,         /* content; one or more */
    RULE_TOKEN,           /* content */
    RULE_IMMEDIATE_TOKEN, /* content */
    RULE_FIELD,           /* value = field name, content */
    RULE_ALIAS,           /* value = alias, named, content */
    RULE_PREC,            /* prec, content */
    RULE_PREC_LEFT,
    RULE_PREC_RIGHT,
    RULE_PREC_DYNAMIC, /* prec.value (always an integer), content */
};

enum prec_kind { PREC_NONE, PREC_INT, PREC_NAME };

/* A precedence: none, an integer, or a name from the grammar's
 * `precedences` lists (compared through those lists). */
struct prec {
    enum prec_kind kind;
    int32_t value;    /* PREC_INT */
    const char *name; /* PREC_NAME */
};

struct rule {
    enum rule_kind kind;
    const char *value; /* NUL-terminated; see kinds above */
    size_t value_len;
    const char *flags; /* RULE_PATTERN: regex flags such as "i", or NULL */
    bool named;        /* RULE_ALIAS */
    struct prec prec;  /* RULE_PREC* */
    struct rule **members;
    size_t n_members;
    struct rule *content;
    /* Where the rule is, for messages: "rules.from_instruction.members[2]". */
    const char *path;
};

/* One entry of a `precedences` list: a named precedence or a symbol. */
struct prec_entry {
    bool is_symbol;
    const char *name; /* the precedence name, or the rule name when is_symbol */
};

struct input_var {
    const char *name;
    struct rule *rule;
};

/* grammar.json as read; see load.c. */
struct input_grammar {
    const char *name;
    struct input_var *vars; /* in file order; vars[0] is the start rule */
    size_t n_vars;
    struct rule **extras;
    size_t n_extras;
    struct rule **externals;
    size_t n_externals;
    const char ***conflicts; /* each a NULL-terminated list of rule names */
    size_t n_conflicts;
    struct prec_entry **precedences; /* each list ends with an entry whose name is NULL */
    size_t n_precedences;
    const char **inline_rules;
    size_t n_inline;
    const char **supertypes;
    size_t n_supertypes;
    const char *word; /* or NULL */
};

/* ------------------------------------------------------------------ */
/* Symbols                                                             */

enum sym_kind {
    SYM_NONE,        /* "no symbol" (for example: no word token) */
    SYM_END,         /* end of input, ts_builtin_sym_end */
    SYM_TERMINAL,    /* index into lexical_grammar.vars */
    SYM_EXTERNAL,    /* index into syntax_grammar.externals */
    SYM_NONTERMINAL, /* index into syntax_grammar.vars */
};

struct sym {
    uint16_t kind; /* enum sym_kind */
    uint16_t index;
};

static inline struct sym sym_make(enum sym_kind kind, uint32_t index)
{
    return (struct sym){ (uint16_t)kind, (uint16_t)index };
}
static inline bool sym_eq(struct sym a, struct sym b)
{
    return a.kind == b.kind && a.index == b.index;
}

/* How a symbol shows in trees. */
enum var_kind {
    VAR_NAMED,     /* a rule with a visible name: (from_instruction ...) */
    VAR_ANONYMOUS, /* a string token: "FROM" */
    VAR_HIDDEN,    /* a rule whose name starts with '_' */
    VAR_AUXILIARY, /* generated: repeat helpers, extracted pattern tokens */
};

/* ------------------------------------------------------------------ */
/* Token sets: bitsets over terminal indices (lexical_grammar.vars)    */

struct tokset {
    uint64_t *bits;
    uint32_t n_words;
};

void tokset_init(struct tokset *s, struct arena *a, uint32_t n_tokens);
static inline bool tokset_has(const struct tokset *s, uint32_t i)
{
    return (s->bits[i >> 6] >> (i & 63)) & 1;
}
static inline void tokset_add(struct tokset *s, uint32_t i)
{
    s->bits[i >> 6] |= (uint64_t)1 << (i & 63);
}
/* Adds every member of b to a; returns whether a changed. */
bool tokset_union(struct tokset *a, const struct tokset *b);
bool tokset_equal(const struct tokset *a, const struct tokset *b);
bool tokset_is_empty(const struct tokset *s);

/* ------------------------------------------------------------------ */
/* The lexical grammar: one variable per token the lexer produces       */

struct lex_var {
    const char *name;   /* the node type: "FROM", "identifier", "source_file_token1" */
    enum var_kind kind; /* VAR_ANONYMOUS for strings, VAR_NAMED/HIDDEN for named tokens,
                         * VAR_AUXILIARY for patterns extracted from inside rules */
    /* The token's body. May be wrapped in RULE_TOKEN / RULE_IMMEDIATE_TOKEN /
     * RULE_PREC* / RULE_ALIAS / RULE_FIELD nodes; contains no RULE_SYMBOL. */
    const struct rule *rule;
};

struct lexical_grammar {
    struct lex_var *vars;
    uint32_t n_vars;
    /* Separators: extras written inline as strings or patterns that are not
     * tokens of their own (typically /\s/). The lexer skips them before a
     * token (SKIP transitions), except before immediate tokens. Extras that
     * name a symbol (a comment token) are extra symbols of the syntax
     * grammar instead. */
    const struct rule **separators;
    uint32_t n_separators;
};

#endif
