/* The whole generator with the real lexer: determinism, invariants of the
 * finished tables, node-types.json, and an end-to-end run: parser.c is
 * compiled with the system C compiler into a shared object, loaded next to
 * libtree-sitter, and made to parse. The end-to-end test skips (77) when no
 * C compiler or no libtree-sitter is available. */
#include "lexer.h"
#include "test_core_util.h"

#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tree_sitter/api.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A small language with most features: fields, a default alias, a
 * repetition, precedences, a token extra, keywords. */
static const char *const LANG = J_GRAMMAR(
    J_RULE("source", J_REPEAT(J_SYM("_stmt"))) C J_RULE("_stmt",
                                                        J_CHOICE(J_SYM("let") C J_SYM("expr_stmt")))
        C J_RULE("let", J_SEQ(J_STR("let") C J_FIELD("name", J_SYM("ident")) C J_STR("=")
                                  C J_FIELD("value", J_SYM("_expr")) C J_STR(";")))
            C J_RULE("expr_stmt", J_SEQ(J_SYM("_expr") C J_STR(";")))
                C J_RULE("_expr", J_CHOICE(J_SYM("ident") C J_SYM("number") C J_SYM("binary")
                                               C J_ALIAS("group", "true", J_SYM("paren"))))
                    C J_RULE("paren", J_SEQ(J_STR("(") C J_SYM("_expr") C J_STR(")"))) C J_RULE(
                        "binary",
                        J_CHOICE(J_PREC_LEFT("1", J_SEQ(J_FIELD("l", J_SYM("_expr")) C J_STR("+")
                                                            C J_FIELD("r", J_SYM("_expr"))))
                                     C J_PREC_LEFT("2", J_SEQ(J_FIELD("l", J_SYM("_expr")) C J_STR(
                                                            "*") C J_FIELD("r", J_SYM("_expr"))))))
                        C J_RULE("ident", J_PAT("[a-z]+")) C J_RULE("number", J_PAT("\\\\d+"))
                            C J_RULE("comment", J_TOKEN(J_SEQ(J_STR("//") C J_PAT(".*")))),
    C "\"extras\":[" J_PAT("\\\\s") C J_SYM("comment") "]" C "\"word\":\"ident\"");

static void test_deterministic(void **state)
{
    (void)state;
    struct err err;
    struct tsgen_output a, b;
    assert_int_equal(tsgen_generate(LANG, strlen(LANG), true, &a, &err), 0);
    assert_int_equal(tsgen_generate(LANG, strlen(LANG), true, &b, &err), 0);
    assert_int_equal(a.parser_c.len, b.parser_c.len);
    assert_memory_equal(a.parser_c.data, b.parser_c.data, a.parser_c.len);
    assert_int_equal(a.node_types.len, b.node_types.len);
    assert_memory_equal(a.node_types.data, b.node_types.data, a.node_types.len);
    assert_non_null(strstr(a.parser_c.data, "#define LANGUAGE_VERSION 14"));
    assert_non_null(strstr(a.parser_c.data, "const TSLanguage *tree_sitter_t(void)"));
    assert_non_null(strstr(a.parser_c.data, "anon_sym_LPAREN"));
    assert_non_null(strstr(a.parser_c.data, "[sym_paren] = \"group\""));
    assert_non_null(strstr(a.parser_c.data, ".keyword_lex_fn = ts_lex_keywords"));
    tsgen_output_release(&a);
    tsgen_output_release(&b);
}

/* Symbol identifiers are spelled as tree-sitter 0.20.7 spells them. */
static void test_identifiers(void **state)
{
    (void)state;
    const char *g = J_GRAMMAR(J_RULE("s", J_REPEAT(J_CHOICE(J_STR("\\\\") C J_STR("\\\\ ") C J_STR(
                                              "--") C J_STR("[") C J_STR("\\n") C J_STR("a.b")))),
                              "");
    struct err err;
    struct tsgen_output o;
    assert_int_equal(tsgen_generate(g, strlen(g), true, &o, &err), 0);
    const char *c = buf_cstr(&o.parser_c);
    assert_non_null(strstr(c, "anon_sym_BSLASH = "));
    assert_non_null(strstr(c, "anon_sym_BSLASH2 = "));
    assert_non_null(strstr(c, "anon_sym_DASH_DASH = "));
    assert_non_null(strstr(c, "anon_sym_LBRACK = "));
    assert_non_null(strstr(c, "anon_sym_LF = "));
    assert_non_null(strstr(c, "anon_sym_a_DOTb = "));
    assert_non_null(strstr(c, "[anon_sym_BSLASH2] = \"\\\\ \","));
    assert_non_null(strstr(c, "[anon_sym_LF] = \"\\n\","));
    assert_non_null(strstr(c, "aux_sym_s_repeat1"));
    /* the root entry of node-types.json */
    assert_non_null(strstr(buf_cstr(&o.node_types),
                           "\"type\": \"s\",\n    \"named\": true,\n    \"root\": true"));
    tsgen_output_release(&o);
}

static void test_errors_are_reported(void **state)
{
    (void)state;
    struct err err;
    struct tsgen_output o;
    const char *bad = J_GRAMMAR(J_RULE("s", J_SEQ(J_STR("a") C J_SYM("nowhere"))), "");
    assert_int_equal(tsgen_generate(bad, strlen(bad), false, &o, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "rules.s.members[1]: undefined symbol 'nowhere'"));
    assert_int_equal(o.parser_c.len, 0);
    tsgen_output_release(&o);
    const char *empty = J_GRAMMAR(
        J_RULE("s", J_SEQ(J_STR("a") C J_SYM("maybe"))) C J_RULE("maybe", J_PAT("x*")), "");
    assert_int_equal(tsgen_generate(empty, strlen(empty), false, &o, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "matches the empty string"));
    tsgen_output_release(&o);
    const char *amb = J_GRAMMAR(
        J_RULE("s", J_SYM("e"))
            C J_RULE("e", J_CHOICE(J_SEQ(J_SYM("e") C J_STR("-") C J_SYM("e")) C J_STR("n"))),
        "");
    assert_int_equal(tsgen_generate(amb, strlen(amb), false, &o, &err), ERR_INVALID);
    assert_non_null(strstr(buf_cstr(&o.report), "Unresolved conflict for symbol sequence:"));
    tsgen_output_release(&o);
}

/* The finished table keeps the runtime's invariants. */
static void test_table_invariants(void **state)
{
    (void)state;
    struct prepared p;
    prepare_json(&p, LANG);
    assert_int_equal(p.rc, 0);
    struct lexer *lx = lexer_new(&p.lex, &p.a, &p.err);
    assert_non_null(lx);
    struct parse_table pt;
    struct buf report = BUF_INIT;
    assert_int_equal(parse_table_build(&p.syn, &p.lex, &p.a, &pt, &report, &p.err), 0);
    uint32_t lr1 = pt.n_states;
    lexer_analyze(lx, grammar_following_tokens(&p.syn, &p.lex, &p.a));
    assert_int_equal(parse_table_finish(&p.syn, &p.lex, lx, &p.a, &pt, &p.err), 0);
    assert_true(pt.n_states <= lr1);
    assert_true(pt.has_keywords);
    assert_true(tokset_has(&pt.keywords, (uint32_t)token_named(&p.lex, "let")));
    /* state 0 recovers on end */
    assert_int_equal(pt.states[0].terms[0].la, LA_END);
    assert_int_equal(pt.states[0].terms[0].actions[0].kind, PACT_RECOVER);
    uint32_t accepts = 0;
    for (uint32_t s = 0; s < pt.n_states; s++) {
        const struct pstate *ps = &pt.states[s];
        for (uint32_t i = 0; i < ps->n_terms; i++) {
            if (i)
                assert_true(ps->terms[i - 1].la < ps->terms[i].la);
            for (uint32_t k = 0; k < ps->terms[i].n_actions; k++) {
                const struct pact *a = &ps->terms[i].actions[k];
                if (a->kind == PACT_SHIFT)
                    assert_true(a->state < pt.n_states && a->state != 0);
                if (a->kind == PACT_RECOVER)
                    assert_int_equal(s, 0);
                if (a->kind == PACT_REDUCE)
                    assert_true(a->production_id < pt.n_infos);
                accepts += a->kind == PACT_ACCEPT;
            }
        }
        for (uint32_t g = 0; g < ps->n_gotos; g++)
            assert_true(ps->gotos[g].state < pt.n_states);
        /* states sorted by falling size after the first two */
        if (s > 2)
            assert_true(ps->n_terms + ps->n_gotos <=
                        pt.states[s - 1].n_terms + pt.states[s - 1].n_gotos);
    }
    assert_int_equal(accepts, 1);
    buf_release(&report);
    prepared_release(&p);
}

static json_t *find_type(json_t *arr, const char *type, bool named)
{
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 &&
            json_is_true(json_object_get(o, "named")) == named)
            return o;
    }
    return NULL;
}

static bool has_type(json_t *types, const char *type, bool named)
{
    return find_type(types, type, named) != NULL;
}

static void test_node_types(void **state)
{
    (void)state;
    struct err err;
    struct tsgen_output o;
    assert_int_equal(tsgen_generate(LANG, strlen(LANG), true, &o, &err), 0);
    json_error_t jerr;
    json_t *root = json_loads(buf_cstr(&o.node_types), 0, &jerr);
    assert_non_null(root);
    json_t *let = find_type(root, "let", true);
    assert_non_null(let);
    json_t *name = json_object_get(json_object_get(let, "fields"), "name");
    assert_true(json_is_false(json_object_get(name, "multiple")));
    assert_true(json_is_true(json_object_get(name, "required")));
    assert_true(has_type(json_object_get(name, "types"), "ident", true));
    json_t *value = json_object_get(json_object_get(let, "fields"), "value");
    json_t *vt = json_object_get(value, "types");
    assert_int_equal(json_array_size(vt), 4);
    assert_true(has_type(vt, "binary", true) && has_type(vt, "group", true) &&
                has_type(vt, "ident", true) && has_type(vt, "number", true));
    json_t *src = find_type(root, "source", true);
    json_t *children = json_object_get(src, "children");
    assert_true(json_is_true(json_object_get(children, "multiple")));
    assert_true(json_is_false(json_object_get(children, "required")));
    assert_true(has_type(json_object_get(children, "types"), "let", true));
    assert_true(has_type(json_object_get(children, "types"), "expr_stmt", true));
    /* the default alias renames paren; the hidden rules do not show */
    assert_non_null(find_type(root, "group", true));
    assert_null(find_type(root, "paren", true));
    assert_null(find_type(root, "_expr", true));
    assert_non_null(find_type(root, "let", false));
    assert_non_null(find_type(root, "+", false));
    assert_non_null(find_type(root, "comment", true));
    /* nodes with children or fields first, then leaves, each by name */
    size_t n = json_array_size(root);
    assert_string_equal(json_string_value(json_object_get(json_array_get(root, 0), "type")),
                        "binary");
    assert_string_equal(json_string_value(json_object_get(json_array_get(root, n - 1), "type")),
                        "number");
    json_decref(root);
    tsgen_output_release(&o);
}

static void test_node_types_supertypes(void **state)
{
    (void)state;
    const char *g =
        J_GRAMMAR(J_RULE("s", J_REPEAT(J_SYM("_expr")))
                      C J_RULE("_expr", J_CHOICE(J_SYM("num") C J_SYM("call")))
                          C J_RULE("call", J_SEQ(J_FIELD("fn", J_SYM("name")) C J_STR("(")
                                                     C J_FIELD("arg", J_SYM("_expr")) C J_STR(")")))
                              C J_RULE("num", J_PAT("[0-9]+")) C J_RULE("name", J_PAT("[a-z]+")),
                  C "\"supertypes\":[\"_expr\"]" C "\"extras\":[" J_PAT("\\\\s") "]");
    struct err err;
    struct tsgen_output o;
    assert_int_equal(tsgen_generate(g, strlen(g), true, &o, &err), 0);
    /* the supertype stays a symbol, invisible, flagged */
    assert_non_null(strstr(buf_cstr(&o.parser_c), ".supertype = true"));
    json_error_t jerr;
    json_t *root = json_loads(buf_cstr(&o.node_types), 0, &jerr);
    assert_non_null(root);
    /* supertypes come first, with their subtypes */
    json_t *first = json_array_get(root, 0);
    assert_string_equal(json_string_value(json_object_get(first, "type")), "_expr");
    json_t *sub = json_object_get(first, "subtypes");
    assert_int_equal(json_array_size(sub), 2);
    assert_true(has_type(sub, "call", true) && has_type(sub, "num", true));
    /* a field of the supertype lists the supertype, not its subtypes */
    json_t *call = find_type(root, "call", true);
    json_t *arg = json_object_get(json_object_get(call, "fields"), "arg");
    assert_int_equal(json_array_size(json_object_get(arg, "types")), 1);
    assert_true(has_type(json_object_get(arg, "types"), "_expr", true));
    json_decref(root);
    tsgen_output_release(&o);
}

/* ------------------------------------------------------------------ */
/* End to end */

struct ts_api {
    void *lib, *lang_lib;
    TSParser *(*parser_new)(void);
    bool (*set_language)(TSParser *, const TSLanguage *);
    TSTree *(*parse_string)(TSParser *, const TSTree *, const char *, uint32_t);
    TSNode (*root_node)(const TSTree *);
    char *(*node_string)(TSNode);
    void (*tree_delete)(TSTree *);
    void (*parser_delete)(TSParser *);
    const TSLanguage *(*language)(void);
};

static int run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static char *parse_to_string(struct ts_api *api, const char *src)
{
    TSParser *p = api->parser_new();
    assert_true(api->set_language(p, api->language()));
    TSTree *t = api->parse_string(p, NULL, src, (uint32_t)strlen(src));
    char *s = api->node_string(api->root_node(t));
    api->tree_delete(t);
    api->parser_delete(p);
    return s;
}

static void expect_tree(struct ts_api *api, const char *src, const char *want)
{
    char *got = parse_to_string(api, src);
    if (strcmp(got, want) != 0)
        fail_msg("input '%s'\n  want %s\n  got  %s", src, want, got);
    free(got);
}

/* The parser with the given budget for dense states parses LANG right. */
static void end_to_end(size_t budget, bool dense_all)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tsgen-e2e-XXXXXX", tmp && tmp[0] ? tmp : P_tmpdir);
    if (!mkdtemp(dir))
        skip();
    char path[600], so[600], cmd[2048];
    snprintf(path, sizeof path, "%s/parser.c", dir);
    snprintf(so, sizeof so, "%s/lang.so", dir);

    struct err err;
    struct tsgen_output o;
    assert_int_equal(tsgen_generate_with_budget(LANG, strlen(LANG), false, budget, &o, &err), 0);
    assert_non_null(strstr(o.parser_c.data, dense_all ? "ts_parse_table[LARGE_STATE_COUNT]"
                                                      : "ts_small_parse_table_map[]"));
    assert_true((strstr(o.parser_c.data, "ts_small_parse_table[]") == NULL) == dense_all);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(o.parser_c.data, 1, o.parser_c.len, fp), o.parser_c.len);
    fclose(fp);
    tsgen_output_release(&o);

    const char *cc = getenv("CC");
    snprintf(cmd, sizeof cmd, "%s -std=c11 -Wall -Werror -shared -fPIC -O0 -o '%s' '%s' 2>&1",
             cc && cc[0] ? cc : "cc", so, path);
    int rc = run(cmd);
    struct ts_api api = { 0 };
    api.lib = dlopen("libtree-sitter.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (rc == 127 || !api.lib) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void)run(cmd);
        if (api.lib)
            dlclose(api.lib);
        skip();
    }
    assert_int_equal(rc, 0);
    api.lang_lib = dlopen(so, RTLD_NOW);
    assert_non_null(api.lang_lib);
    *(void **)&api.parser_new = dlsym(api.lib, "ts_parser_new");
    *(void **)&api.set_language = dlsym(api.lib, "ts_parser_set_language");
    *(void **)&api.parse_string = dlsym(api.lib, "ts_parser_parse_string");
    *(void **)&api.root_node = dlsym(api.lib, "ts_tree_root_node");
    *(void **)&api.node_string = dlsym(api.lib, "ts_node_string");
    *(void **)&api.tree_delete = dlsym(api.lib, "ts_tree_delete");
    *(void **)&api.parser_delete = dlsym(api.lib, "ts_parser_delete");
    *(void **)&api.language = dlsym(api.lang_lib, "tree_sitter_t");
    assert_non_null(api.parser_new);
    assert_non_null(api.language);

    expect_tree(&api, "let x = 1 + 2 * y; // hi\n(a);",
                "(source (let name: (ident) value: (binary l: (number) r: (binary l: (number) r: "
                "(ident)))) (comment) (expr_stmt (group (ident))))");
    expect_tree(&api, "a + b + c;",
                "(source (expr_stmt (binary l: (binary l: (ident) r: (ident)) r: (ident))))");
    /* keywords: "letter" is an identifier, "let" is not */
    expect_tree(&api, "letter;", "(source (expr_stmt (ident)))");
    expect_tree(&api, "", "(source)");
    char *broken = parse_to_string(&api, "let = 1;");
    assert_true(strstr(broken, "ERROR") || strstr(broken, "MISSING"));
    free(broken);

    dlclose(api.lang_lib);
    dlclose(api.lib);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(run(cmd), 0);
}

/* LANG's table fits the default budget: every state is dense. */
static void test_end_to_end(void **state)
{
    (void)state;
    end_to_end(TSGEN_DENSE_TABLE_BUDGET, true);
}

/* No budget: only states 0 and 1 dense, the others in the small table
 * that the runtime scans. */
static void test_end_to_end_small_states(void **state)
{
    (void)state;
    end_to_end(0, false);
}

/* All states dense while they fit; else as many as fit, never fewer than
 * states 0 and 1. */
static void test_dense_state_count(void **state)
{
    (void)state;
    assert_int_equal(render_dense_state_count(1340, 165, TSGEN_DENSE_TABLE_BUDGET), 1340);
    assert_int_equal(render_dense_state_count(1340, 165, 1340 * 165 * 2), 1340);
    assert_int_equal(render_dense_state_count(1340, 165, 1340 * 165 * 2 - 1), 1339);
    assert_int_equal(render_dense_state_count(1340, 165, 100 * 330 + 329), 100);
    assert_int_equal(render_dense_state_count(1340, 165, 0), 2);
    assert_int_equal(render_dense_state_count(1340, 165, 331), 2);
    assert_int_equal(render_dense_state_count(1, 165, 0), 1);
    assert_int_equal(render_dense_state_count(100000, 60000, TSGEN_DENSE_TABLE_BUDGET), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),       cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_errors_are_reported), cmocka_unit_test(test_table_invariants),
        cmocka_unit_test(test_node_types),          cmocka_unit_test(test_node_types_supertypes),
        cmocka_unit_test(test_end_to_end),          cmocka_unit_test(test_end_to_end_small_states),
        cmocka_unit_test(test_dense_state_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
