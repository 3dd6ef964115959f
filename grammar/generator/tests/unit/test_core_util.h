/* Helpers for the parse-table side's unit tests: grammar.json written with
 * string macros, and shortcuts through loading and preparation. */
#ifndef DW_GRAMMAR_GENERATOR_TESTS_UNIT_TEST_CORE_UTIL_H
#define DW_GRAMMAR_GENERATOR_TESTS_UNIT_TEST_CORE_UTIL_H

#include "tsgen_int.h"

#include <string.h>

/* grammar.json fragments: members are joined with C (a comma). */
#define C ","
#define J_BLANK "{\"type\":\"BLANK\"}"
#define J_SYM(n) "{\"type\":\"SYMBOL\",\"name\":\"" n "\"}"
#define J_STR(s) "{\"type\":\"STRING\",\"value\":\"" s "\"}"
#define J_PAT(s) "{\"type\":\"PATTERN\",\"value\":\"" s "\"}"
#define J_SEQ(m) "{\"type\":\"SEQ\",\"members\":[" m "]}"
#define J_CHOICE(m) "{\"type\":\"CHOICE\",\"members\":[" m "]}"
#define J_REPEAT(x) "{\"type\":\"REPEAT\",\"content\":" x "}"
#define J_REPEAT1(x) "{\"type\":\"REPEAT1\",\"content\":" x "}"
#define J_TOKEN(x) "{\"type\":\"TOKEN\",\"content\":" x "}"
#define J_IMM(x) "{\"type\":\"IMMEDIATE_TOKEN\",\"content\":" x "}"
#define J_FIELD(n, x) "{\"type\":\"FIELD\",\"name\":\"" n "\",\"content\":" x "}"
#define J_ALIAS(v, named, x)                                                                       \
    "{\"type\":\"ALIAS\",\"value\":\"" v "\",\"named\":" named ",\"content\":" x "}"
#define J_PREC(v, x) "{\"type\":\"PREC\",\"value\":" v ",\"content\":" x "}"
#define J_PREC_LEFT(v, x) "{\"type\":\"PREC_LEFT\",\"value\":" v ",\"content\":" x "}"
#define J_PREC_RIGHT(v, x) "{\"type\":\"PREC_RIGHT\",\"value\":" v ",\"content\":" x "}"
#define J_PREC_DYN(v, x) "{\"type\":\"PREC_DYNAMIC\",\"value\":" v ",\"content\":" x "}"
#define J_RULE(n, x) "\"" n "\":" x
/* A grammar named "t" with the given rules and extra top-level members
 * (each starting with a comma, or empty). */
#define J_GRAMMAR(rules, rest) "{\"name\":\"t\",\"rules\":{" rules "}" rest "}"

struct prepared {
    struct arena a;
    struct err err;
    struct input_grammar *in;
    struct syntax_grammar syn;
    struct lexical_grammar lex;
    int rc;
};

/* Loads and prepares json; rc and err say how it went. Release with
 * prepared_release. */
static inline void prepare_json(struct prepared *p, const char *json)
{
    arena_init(&p->a);
    err_clear(&p->err);
    p->in = grammar_load(json, strlen(json), &p->a, &p->err);
    if (!p->in) {
        p->rc = p->err.code ? (int)p->err.code : -1;
        return;
    }
    p->rc = grammar_prepare(p->in, &p->a, &p->syn, &p->lex, &p->err);
}

static inline void prepared_release(struct prepared *p)
{
    arena_release(&p->a);
}

/* The index of the syntax variable or token named name, or -1. */
static inline int var_named(const struct syntax_grammar *syn, const char *name)
{
    for (uint32_t i = 0; i < syn->n_vars; i++)
        if (strcmp(syn->vars[i].name, name) == 0)
            return (int)i;
    return -1;
}

static inline int token_named(const struct lexical_grammar *lex, const char *name)
{
    for (uint32_t i = 0; i < lex->n_vars; i++)
        if (strcmp(lex->vars[i].name, name) == 0)
            return (int)i;
    return -1;
}

#endif
