/* The whole generator pipeline, grammar.json text in, parser.c (and
 * optionally node-types.json) text out. main.c adds the command line and
 * the files. */
#include "lexer.h"
#include "tsgen_int.h"

#include <string.h>

int tsgen_generate(const char *json, size_t len, bool want_node_types, struct tsgen_output *out,
                   struct err *err)
{
    return tsgen_generate_with_budget(json, len, want_node_types, TSGEN_DENSE_TABLE_BUDGET, out,
                                      err);
}

int tsgen_generate_with_budget(const char *json, size_t len, bool want_node_types,
                               size_t dense_budget, struct tsgen_output *out, struct err *err)
{
    struct arena a;
    arena_init(&a);
    buf_init(&out->parser_c, 0);
    buf_init(&out->node_types, 0);
    buf_init(&out->report, 0);
    out->n_states = out->n_symbols = out->n_lr1_states = 0;
    int rc = 0;
    struct syntax_grammar syn;
    struct lexical_grammar lex;
    struct parse_table pt;
    struct lexer *lx;

    struct input_grammar *in = grammar_load(json, len, &a, err);
    if (!in) {
        rc = err->code ? (int)err->code : ERR_INVALID;
        goto out;
    }
    if ((rc = grammar_prepare(in, &a, &syn, &lex, err)))
        goto out;
    lx = lexer_new(&lex, &a, err);
    if (!lx) {
        rc = err->code ? (int)err->code : ERR_INVALID;
        goto out;
    }
    if ((rc = parse_table_build(&syn, &lex, &a, &pt, &out->report, err)))
        goto out;
    out->n_lr1_states = pt.n_states;
    lexer_analyze(lx, grammar_following_tokens(&syn, &lex, &a));
    if ((rc = parse_table_finish(&syn, &lex, lx, &a, &pt, err)))
        goto out;
    out->n_states = pt.n_states;
    if ((rc = render_parser(&syn, &lex, &pt, in->name, dense_budget, &a, &out->parser_c, err)))
        goto out;
    if (want_node_types)
        rc = render_node_types(&syn, &lex, &pt, &a, &out->node_types, err);
out:
    arena_release(&a);
    if (rc) {
        buf_release(&out->parser_c);
        buf_release(&out->node_types);
    }
    return rc;
}

void tsgen_output_release(struct tsgen_output *out)
{
    buf_release(&out->parser_c);
    buf_release(&out->node_types);
    buf_release(&out->report);
}
