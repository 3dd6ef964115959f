/* The rendered lex functions really lex: the C that lexer_render writes is
 * compiled with the system compiler against <tree_sitter/parser.h> into a
 * harness that runs it over strings the way the runtime does, and its
 * answers are checked against the DFA walker and against expectations. */
#include "test_lex_util.h"

#include "common/buf.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_CASES 64

struct lex_case {
    const char *input;
    int gram;      /* which grammar */
    int pstate;    /* parse state (its lex state), or -1: the keyword function */
    int32_t token; /* expected token index, LEX_ACCEPT_END, or LEX_NO_ACCEPT */
    size_t from, to;
};

struct gram {
    struct arena a;
    struct test_grammar tg;
    struct lexer *lx;
    uint16_t lex_state_of[8];
    const char **enum_names;
};

static void add_names(struct gram *g, int k)
{
    g->enum_names = ARENA_NEW_ARRAY(&g->a, const char *, g->tg.g.n_vars);
    for (uint32_t t = 0; t < g->tg.g.n_vars; t++)
        g->enum_names[t] = arena_printf(&g->a, "g%d_tok_%u", k, t);
}

/* Grammar 0: separators, Unicode identifiers (a character-set helper),
 * negated classes, escapes in strings, an immediate token, precedence, and
 * a token ("-") that a longer one ("-->") passes through a non-accepting
 * state to extend (the lexer must fall back to the shorter one's end). */
static void grammar0(struct gram *g)
{
    struct arena *a = &g->a;
    struct err err;
    tg_sep(&g->tg, r_pat(a, "\\s", NULL));
    /* Letters of a few scripts and Arabic-Indic digits: a set with more
     * than 8 ranges, so a character-set helper. */
    tg_add(&g->tg, "identifier",
           r_pat(a,
                 "[a-zA-Z_\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\u0391-\\u03a9"
                 "\\u03b1-\\u03c9\\u0400-\\u04ff\\u4e00-\\u9fff][a-zA-Z_0-9\\u00c0-\\u00d6"
                 "\\u00d8-\\u00f6\\u00f8-\\u024f\\u0391-\\u03a9\\u03b1-\\u03c9\\u0400-\\u04ff"
                 "\\u4e00-\\u9fff\\u0660-\\u0669]*",
                 NULL));                                                 /* 0 */
    tg_add(&g->tg, "if", r_str(a, "if"));                                /* 1 */
    tg_add(&g->tg, "=", r_str(a, "="));                                  /* 2 */
    tg_add(&g->tg, "==", r_str(a, "=="));                                /* 3 */
    tg_add(&g->tg, "comment", r_pat(a, "#[^\\n]*", NULL));               /* 4 */
    tg_add(&g->tg, "string", r_pat(a, "\"([^\"\\\\]|\\\\.)*\"", NULL));  /* 5 */
    tg_add(&g->tg, "number", r_pat(a, "\\d+", NULL));                    /* 6 */
    tg_add(&g->tg, "(", r_wrap(a, RULE_IMMEDIATE_TOKEN, r_str(a, "("))); /* 7 */
    tg_add(&g->tg, "'", r_str(a, "'"));                                  /* 8 */
    tg_add(&g->tg, "bs", r_str(a, "\\"));                                /* 9 */
    tg_add(&g->tg, "-", r_str(a, "-"));                                  /* 10 */
    tg_add(&g->tg, "-->", r_str(a, "-->"));                              /* 11 */
    g->lx = lexer_new(&g->tg.g, a, &err);
    assert_non_null(g->lx);
    lexer_analyze(g->lx, NULL);
    struct lex_state_tokens st[3] = {
        ls_make(a, 12, true, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1),
        ls_make(a, 12, false, 2, -1),
        ls_make(a, 12, false, 0, 3, -1),
    };
    lexer_build(g->lx, st, 3, NULL, sym_make(SYM_NONE, 0), g->lex_state_of);
    add_names(g, 0);
}

/* Grammar 1: a word token with keywords. */
static void grammar1(struct gram *g)
{
    struct arena *a = &g->a;
    struct err err;
    tg_sep(&g->tg, r_pat(a, "[ \\t]", NULL));
    tg_add(&g->tg, "word", r_pat(a, "[a-zA-Z_]+", NULL)); /* 0 */
    tg_add(&g->tg, "FROM", r_str(a, "FROM"));             /* 1 */
    tg_add(&g->tg, "AS", r_str(a, "AS"));                 /* 2 */
    tg_add(&g->tg, "nl", r_str(a, "\n"));                 /* 3 */
    g->lx = lexer_new(&g->tg.g, a, &err);
    assert_non_null(g->lx);
    lexer_analyze(g->lx, NULL);
    struct lex_state_tokens st[2] = {
        ls_make(a, 4, true, 1, 3, -1),
        ls_make(a, 4, false, 0, 2, 3, -1),
    };
    struct tokset kw = lexer_identify_keywords(g->lx, st, 2, sym_make(SYM_TERMINAL, 0));
    assert_true(tokset_has(&kw, 1));
    assert_true(tokset_has(&kw, 2));
    lexer_build(g->lx, st, 2, &kw, sym_make(SYM_TERMINAL, 0), g->lex_state_of);
    add_names(g, 1);
}

static const struct lex_case cases[] = {
    { "if", 0, 0, 1, 0, 2 },
    { "  iffy = 1", 0, 0, 0, 2, 6 },
    { "h\xc3\xa9llo", 0, 0, 0, 0, 5 },
    { "\xe6\x97\xa5\xe6\x9c\xac x", 0, 0, 0, 0, 2 },
    { "a\xd9\xa3 ", 0, 0, 0, 0, 2 },
    { "\xd9\xa3", 0, 0, LEX_NO_ACCEPT, 0, 0 },
    /* the helper's ASCII bits and its tree: '@' (64, the second word), '`',
     * '{', DEL, U+0080 outside the set, U+00C0 in it, U+00F7 outside */
    { "ab_Z9@", 0, 0, 0, 0, 5 },
    { "q`", 0, 0, 0, 0, 1 },
    { "Az{", 0, 0, 0, 0, 2 },
    { "z\x7f", 0, 0, 0, 0, 1 },
    { "a\xc2\x80", 0, 0, 0, 0, 1 },
    { "\xc3\x80x\xc3\xb7", 0, 0, 0, 0, 2 },
    { "==", 0, 0, 3, 0, 2 },
    { "=x", 0, 0, 2, 0, 1 },
    { "# note\nnext", 0, 0, 4, 0, 6 },
    { "#", 0, 0, 4, 0, 1 },
    { "\"a\\\"b\" rest", 0, 0, 5, 0, 6 },
    { "\"open", 0, 0, LEX_NO_ACCEPT, 0, 0 },
    { "123x", 0, 0, 6, 0, 3 },
    { "(", 0, 0, 7, 0, 1 },
    { " (", 0, 0, LEX_NO_ACCEPT, 0, 0 },
    { "'", 0, 0, 8, 0, 1 },
    { "\\", 0, 0, 9, 0, 1 },
    { "", 0, 0, LEX_ACCEPT_END, 0, 0 },
    { " \t\n", 0, 0, LEX_ACCEPT_END, 3, 3 },
    { "\xc2\xa0x", 0, 0, 0, 1, 2 },
    { "-->x", 0, 0, 11, 0, 3 },
    { "--x", 0, 0, 10, 0, 1 },
    { "--", 0, 0, 10, 0, 1 },
    { "-", 0, 0, 10, 0, 1 },
    { "==", 0, 1, 2, 0, 1 },
    { " =", 0, 1, 2, 1, 2 },
    { "if", 0, 1, LEX_NO_ACCEPT, 0, 0 },
    { "", 0, 1, LEX_NO_ACCEPT, 0, 0 },
    { "x==", 0, 2, 0, 0, 1 },
    { "FROM x", 1, 0, 0, 0, 4 },
    { " From", 1, 0, 0, 1, 5 },
    { "\n", 1, 0, 3, 0, 1 },
    { "", 1, 0, LEX_ACCEPT_END, 0, 0 },
    { "AS", 1, 1, 0, 0, 2 },
    { "FROM", 1, -1, 1, 0, 4 },
    { "AS", 1, -1, 2, 0, 2 },
    { "ASK", 1, -1, 2, 0, 2 },
    { "xAS", 1, -1, LEX_NO_ACCEPT, 0, 0 },
};

static const char harness_head[] = "#include <tree_sitter/parser.h>\n"
                                   "#include <stdio.h>\n"
                                   "#include <unistd.h>\n";

static const char harness_tail[] =
    "struct str_lexer {\n"
    "  TSLexer base;\n"
    "  const uint32_t *cps;\n"
    "  size_t n, pos, start, end;\n"
    "};\n"
    "static void set_lookahead(struct str_lexer *s) {\n"
    "  s->base.lookahead = s->pos < s->n ? (int32_t)s->cps[s->pos] : 0;\n"
    "}\n"
    "static void h_advance(TSLexer *l, bool skip) {\n"
    "  struct str_lexer *s = (struct str_lexer *)l;\n"
    "  if (s->pos < s->n) s->pos++;\n"
    "  if (skip) s->start = s->pos;\n"
    "  set_lookahead(s);\n"
    "}\n"
    "static void h_mark_end(TSLexer *l) {\n"
    "  struct str_lexer *s = (struct str_lexer *)l;\n"
    "  s->end = s->pos;\n"
    "}\n"
    "static uint32_t h_column(TSLexer *l) { (void)l; return 0; }\n"
    "static bool h_included(const TSLexer *l) { (void)l; return false; }\n"
    "static bool h_eof(const TSLexer *l) {\n"
    "  const struct str_lexer *s = (const struct str_lexer *)l;\n"
    "  return s->pos >= s->n;\n"
    "}\n"
    "int main(void) {\n"
    "  alarm(5);\n"
    "  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {\n"
    "    struct str_lexer s = { { 0, 0, h_advance, h_mark_end, h_column, h_included, h_eof },\n"
    "                           cases[i].cps, cases[i].n, 0, 0, 0 };\n"
    "    set_lookahead(&s);\n"
    "    bool ok = cases[i].fn(&s.base, cases[i].state);\n"
    "    printf(\"%d %d %zu %zu\\n\", ok, ok ? (int)s.base.result_symbol : -1,\n"
    "           ok ? s.start : 0, ok ? s.end : 0);\n"
    "  }\n"
    "  return 0;\n"
    "}\n";

static void must(int rc)
{
    assert_int_equal(rc, 0);
}

/* Writes the harness for the two grammars and the cases into b. */
static void write_harness(struct buf *b, struct gram *g, int n_grams)
{
    must(buf_append_cstr(b, harness_head));
    for (int k = 0; k < n_grams; k++) {
        must(buf_printf(b, "enum {\n"));
        for (uint32_t t = 0; t < g[k].tg.g.n_vars; t++)
            must(buf_printf(b, "  %s = %u,\n", g[k].enum_names[t], t + 1));
        must(buf_printf(b, "};\n"));
        struct lexer_names names = {
            .enum_names = g[k].enum_names,
            .end_name = "ts_builtin_sym_end",
            .lex_fn = arena_printf(&g[k].a, "g%d_lex", k),
            .keyword_fn = arena_printf(&g[k].a, "g%d_lex_keywords", k),
        };
        must(lexer_render(g[k].lx, b, &names));
    }
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++) {
        uint32_t cps[256];
        size_t n = utf8_to_cps(cases[i].input, cps, 256);
        must(buf_printf(b, "static const uint32_t in_%zu[] = { ", i));
        for (size_t k = 0; k < n; k++)
            must(buf_printf(b, "%u, ", cps[k]));
        must(buf_printf(b, "0 };\n"));
    }
    must(buf_printf(b, "static const struct { bool (*fn)(TSLexer *, TSStateId); TSStateId state; "
                       "const uint32_t *cps; size_t n; } cases[] = {\n"));
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++) {
        uint32_t cps[256];
        size_t n = utf8_to_cps(cases[i].input, cps, 256);
        const struct lex_case *c = &cases[i];
        unsigned state = c->pstate < 0 ? 0 : g[c->gram].lex_state_of[c->pstate];
        must(buf_printf(b, "  { g%d_lex%s, %u, in_%zu, %zu },\n", c->gram,
                        c->pstate < 0 ? "_keywords" : "", state, i, n));
    }
    must(buf_printf(b, "};\n"));
    must(buf_append_cstr(b, harness_tail));
}

static bool write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return false;
    bool ok = fwrite(data, 1, len, fp) == len;
    return fclose(fp) == 0 && ok;
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        must(buf_append(&b, chunk, n));
    fclose(fp);
    size_t len;
    return buf_detach(&b, &len);
}

static void test_rendered_code_lexes(void **state)
{
    (void)state;
    struct gram g[2];
    memset(g, 0, sizeof g);
    arena_init(&g[0].a);
    arena_init(&g[1].a);
    grammar0(&g[0]);
    grammar1(&g[1]);

    /* The walker over the tables agrees with the expectations. */
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++) {
        const struct lex_case *c = &cases[i];
        const struct lexer *lx = g[c->gram].lx;
        size_t s, e;
        int32_t tok = c->pstate < 0 ? dfa_lex(&lx->keywords, 0, c->input, &s, &e)
                                    : dfa_lex(&lx->main, g[c->gram].lex_state_of[c->pstate],
                                              c->input, &s, &e);
        if (tok != c->token || (tok != LEX_NO_ACCEPT && (s != c->from || e != c->to)))
            fail_msg("case %zu '%s': walker gives %d [%zu, %zu)", i, c->input, tok, s, e);
    }

    struct buf src = BUF_INIT;
    write_harness(&src, g, 2);

    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tsgen-lex-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    assert_non_null(mkdtemp(dir));
    char c_path[600], exe[600], out[600], log[600], cmd[4096];
    snprintf(c_path, sizeof c_path, "%s/harness.c", dir);
    snprintf(exe, sizeof exe, "%s/harness", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(log, sizeof log, "%s/cc.log", dir);
    assert_true(write_file(c_path, buf_cstr(&src), src.len));
    const char *cc = getenv("CC");
    snprintf(cmd, sizeof cmd, "%s -std=c11 -Wall -Wextra -Werror -o '%s' '%s' > '%s' 2>&1",
             cc && *cc ? cc : "cc", exe, c_path, log);
    int rc = system(cmd);
    char *cc_log = read_file(log);
    bool skipped = false;
    if (rc != 0) {
        if ((cc_log && strstr(cc_log, "tree_sitter/parser.h")) || WEXITSTATUS(rc) == 127) {
            skipped = true; /* no compiler or no tree-sitter header here */
        } else {
            fail_msg("the rendered lexer does not compile:\n%s", cc_log ? cc_log : "");
        }
    }
    free(cc_log);
    if (!skipped) {
        snprintf(cmd, sizeof cmd, "'%s' > '%s'", exe, out);
        assert_int_equal(system(cmd), 0);
        char *text = read_file(out);
        assert_non_null(text);
        const char *p = text;
        for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++) {
            const struct lex_case *c = &cases[i];
            int ok, sym, used;
            size_t s, e;
            assert_int_equal(sscanf(p, "%d %d %zu %zu%n", &ok, &sym, &s, &e, &used), 4);
            p += used;
            int want_sym = c->token == LEX_NO_ACCEPT    ? -1
                           : c->token == LEX_ACCEPT_END ? 0
                                                        : c->token + 1;
            if (ok != (c->token != LEX_NO_ACCEPT) || sym != want_sym ||
                (ok && (s != c->from || e != c->to)))
                fail_msg("case %zu '%s': compiled lexer gives %d %d [%zu, %zu)", i, c->input, ok,
                         sym, s, e);
        }
        free(text);
    }
    remove(c_path);
    remove(exe);
    remove(out);
    remove(log);
    rmdir(dir);
    buf_release(&src);
    arena_release(&g[0].a);
    arena_release(&g[1].a);
    if (skipped)
        skip();
}

/* The same input renders to the same bytes; the text has the expected
 * shape (eof read first, helpers for big sets, negated classes excluding
 * end of input). */
static void test_render_shape(void **state)
{
    (void)state;
    struct gram g[2];
    memset(g, 0, sizeof g);
    arena_init(&g[0].a);
    arena_init(&g[1].a);
    grammar0(&g[0]);
    grammar0(&g[1]);
    struct buf x = BUF_INIT, y = BUF_INIT;
    struct lexer_names names = {
        .enum_names = g[0].enum_names,
        .end_name = "ts_builtin_sym_end",
        .lex_fn = "ts_lex",
        .keyword_fn = "ts_lex_keywords",
    };
    must(lexer_render(g[0].lx, &x, &names));
    must(lexer_render(g[1].lx, &y, &names));
    if (getenv("TSGEN_LEX_DUMP"))
        fputs(buf_cstr(&x), stderr);
    assert_string_equal(buf_cstr(&x), buf_cstr(&y));
    const char *s = buf_cstr(&x);
    assert_non_null(strstr(s, "static bool ts_lex(TSLexer *lexer, TSStateId state) {\n"
                              "  START_LEXER();\n  eof = lookahead == 0 && lexer->eof(lexer);\n"));
    assert_non_null(strstr(s, "static inline bool g0_tok_0_character_set_1(int32_t c) {"));
    assert_non_null(strstr(s, "lookahead != 0 &&"));
    assert_non_null(strstr(s, "if (eof) ADVANCE("));
    assert_non_null(strstr(s, "lexer->result_symbol = ts_builtin_sym_end;"));
    /* The token end is marked on leaving the last accepting state. */
    assert_null(strstr(s, "ACCEPT_TOKEN("));
    assert_non_null(strstr(s, "{ lexer->mark_end(lexer); ADVANCE("));
    assert_non_null(strstr(s, "      lexer->mark_end(lexer);\n      END_STATE();\n"));
    assert_non_null(strstr(s, "SKIP("));
    assert_non_null(strstr(s, "lookahead == '\\''"));
    assert_non_null(strstr(s, "lookahead == '\\\\'"));
    assert_non_null(strstr(s, "    default:\n      return false;\n  }\n}\n"));
    assert_null(strstr(s, "ts_lex_keywords"));
    buf_release(&x);
    buf_release(&y);
    arena_release(&g[0].a);
    arena_release(&g[1].a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rendered_code_lexes),
        cmocka_unit_test(test_render_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
