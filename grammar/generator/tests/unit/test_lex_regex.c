/* Regex parsing (every supported feature and the errors) and the NFA built
 * from patterns and rule trees. */
#include "test_lex_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Whether the single pattern token /pattern/flags matches all of input. */
static bool re_match(const char *pattern, const char *flags, const char *input)
{
    struct arena a;
    arena_init(&a);
    struct test_grammar tg;
    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "word", r_pat(&a, pattern, flags));
    struct err err;
    err_clear(&err);
    struct lexer *lx = lexer_new(&tg.g, &a, &err);
    if (!lx)
        fail_msg("pattern /%s/ rejected: %s", pattern, err.msg);
    bool ok = nfa_matches(lx, 0, input);
    arena_release(&a);
    return ok;
}

/* The error message of parsing pattern, or "" when it parses. */
static const char *re_error(const char *pattern, const char *flags)
{
    static struct err err;
    struct arena a;
    arena_init(&a);
    err_clear(&err);
    struct rx_node *n = rx_parse(pattern, strlen(pattern), flags, "rules.word", &a, &err);
    arena_release(&a);
    if (n)
        return "";
    assert_int_equal(err.code, ERR_INVALID);
    return err.msg;
}

static void test_literals_and_escapes(void **state)
{
    (void)state;
    assert_true(re_match("abc", NULL, "abc"));
    assert_false(re_match("abc", NULL, "ab"));
    assert_false(re_match("abc", NULL, "abcd"));
    assert_true(re_match("\\n\\t\\r\\f\\v", NULL, "\n\t\r\f\v"));
    assert_true(re_match("a\\.b", NULL, "a.b"));
    assert_false(re_match("a\\.b", NULL, "axb"));
    assert_true(re_match("\\\\\\/", NULL, "\\/"));
    assert_true(
        re_match("\\-\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$\\#\\~\\_\\ ", NULL, "-()[]{}*+?|^$#~_ "));
    assert_true(re_match("\\x41\\x7a", NULL, "Az"));
    assert_true(re_match("\\u00e9", NULL, "\xc3\xa9"));
    assert_true(re_match("\\u{1F600}", NULL, "\xf0\x9f\x98\x80"));
    assert_true(re_match("\\uD83D\\uDE00", NULL, "\xf0\x9f\x98\x80"));
    assert_true(re_match("\\cJ", NULL, "\n"));
    assert_true(re_match("caf\xc3\xa9", NULL, "caf\xc3\xa9"));
    /* A `{` that starts no quantifier is a literal (Annex B). */
    assert_true(re_match("a{", NULL, "a{"));
    assert_true(re_match("x{,3}", NULL, "x{,3}"));
    assert_true(re_match("a}", NULL, "a}"));
    assert_true(re_match("a]", NULL, "a]"));

    /* \0 is code point 0. */
    struct arena a;
    arena_init(&a);
    struct err err;
    struct rx_node *n = rx_parse("\\0", 2, NULL, "t", &a, &err);
    assert_non_null(n);
    assert_int_equal(n->kind, RX_CHARS);
    assert_int_equal(n->n_r, 1);
    assert_int_equal(n->r[0].lo, 0);
    arena_release(&a);
}

static void test_classes(void **state)
{
    (void)state;
    assert_true(re_match("[a-c]", NULL, "b"));
    assert_false(re_match("[a-c]", NULL, "d"));
    assert_true(re_match("[^a-c]", NULL, "d"));
    assert_false(re_match("[^a-c]", NULL, "a"));
    assert_true(re_match("[^a-c]", NULL, "\n"));
    assert_true(re_match("[a\\-z]", NULL, "-"));
    assert_false(re_match("[a\\-z]", NULL, "m"));
    assert_true(re_match("[\\w-]+", NULL, "a-b_9"));
    assert_true(re_match("[\\d-x]", NULL, "-"));
    assert_true(re_match("[\\]]", NULL, "]"));
    assert_true(re_match("[\\n\\t]", NULL, "\t"));
    assert_true(re_match("[\\x41-\\x43]", NULL, "B"));
    assert_true(re_match("[\\u0410-\\u042F]", NULL, "\xd0\x96")); /* Ж */
    assert_true(re_match("[\\b]", NULL, "\b"));
    assert_true(re_match("[.]", NULL, "."));
    assert_false(re_match("[.]", NULL, "x"));
    assert_true(re_match("[^]", NULL, "x"));
    assert_false(re_match("[]a", NULL, "a"));
    assert_true(re_match("[\\s\\d]", NULL, "7"));
    assert_true(re_match("[^\\s]", NULL, "x"));
    assert_false(re_match("[^\\s]", NULL, " "));
}

static void test_class_escapes(void **state)
{
    (void)state;
    assert_true(re_match("\\d+", NULL, "0189"));
    assert_false(re_match("\\d", NULL, "a"));
    assert_true(re_match("\\D", NULL, "a"));
    assert_false(re_match("\\D", NULL, "5"));
    assert_true(re_match("\\w+", NULL, "aZ_0"));
    assert_false(re_match("\\w", NULL, "-"));
    assert_false(re_match("\\w", NULL, "\xc3\xa9"));
    assert_true(re_match("\\W", NULL, "-"));
    assert_true(re_match("\\s", NULL, " "));
    assert_true(re_match("\\s", NULL, "\v"));
    assert_true(re_match("\\s", NULL, "\xc2\xa0"));     /* NBSP */
    assert_true(re_match("\\s", NULL, "\xe3\x80\x80")); /* ideographic space */
    assert_true(re_match("\\s", NULL, "\xef\xbb\xbf")); /* BOM */
    assert_true(re_match("\\s", NULL, "\xe2\x80\xa8")); /* LS */
    assert_false(re_match("\\s", NULL, "x"));
    assert_true(re_match("\\S", NULL, "x"));
    assert_false(re_match("\\S", NULL, "\xc2\xa0"));
}

static void test_dot_groups_alternation(void **state)
{
    (void)state;
    assert_true(re_match(".", NULL, "x"));
    assert_true(re_match(".", NULL, "\xe2\x82\xac"));
    assert_false(re_match(".", NULL, "\n"));
    assert_true(re_match(".", NULL, "\r"));
    assert_true(re_match(".", "s", "\n"));
    assert_true(re_match("#.*", NULL, "# a comment"));
    assert_true(re_match("a(bc)+d", NULL, "abcbcd"));
    assert_false(re_match("a(bc)+d", NULL, "ad"));
    assert_true(re_match("a(?:bc)?d", NULL, "ad"));
    assert_true(re_match("a(?<name>b)c", NULL, "abc"));
    assert_true(re_match("cat|dog", NULL, "dog"));
    assert_true(re_match("x(cat|dog|)y", NULL, "xy"));
    assert_true(re_match("x(cat|dog|)y", NULL, "xcaty"));
    assert_false(re_match("x(cat|dog)y", NULL, "xcy"));
    assert_true(re_match("((a|b)(c|d))*e", NULL, "acbde"));
}

static void test_quantifiers(void **state)
{
    (void)state;
    assert_true(re_match("a*b", NULL, "b"));
    assert_true(re_match("a*b", NULL, "aaab"));
    assert_true(re_match("a+b", NULL, "ab"));
    assert_false(re_match("a+b", NULL, "b"));
    assert_true(re_match("ab?c", NULL, "ac"));
    assert_true(re_match("ab?c", NULL, "abc"));
    assert_false(re_match("ab?c", NULL, "abbc"));
    assert_true(re_match("a{2}", NULL, "aa"));
    assert_false(re_match("a{2}", NULL, "a"));
    assert_false(re_match("a{2}", NULL, "aaa"));
    assert_true(re_match("a{2,}", NULL, "aa"));
    assert_true(re_match("a{2,}", NULL, "aaaaa"));
    assert_false(re_match("a{2,}", NULL, "a"));
    assert_true(re_match("ba{1,3}", NULL, "ba"));
    assert_true(re_match("ba{1,3}", NULL, "baaa"));
    assert_false(re_match("ba{1,3}", NULL, "baaaa"));
    assert_false(re_match("ba{1,3}", NULL, "b"));
    assert_true(re_match("b(xy){0,2}", NULL, "bxyxy"));
    assert_true(re_match("b(xy){0,2}", NULL, "b"));
    assert_false(re_match("b(xy){0,2}", NULL, "bx"));
    /* Lazy quantifiers match the same strings. */
    assert_true(re_match("a+?", NULL, "aaa"));
    assert_true(re_match("ba*?", NULL, "b"));
    assert_true(re_match("ba{1,2}?", NULL, "baa"));
}

static void test_case_insensitive(void **state)
{
    (void)state;
    assert_true(re_match("select", "i", "SeLeCt"));
    assert_false(re_match("select", NULL, "SELECT"));
    assert_true(re_match("[a-c]+", "i", "aBC"));
    assert_false(re_match("[^a]", "i", "A"));
    assert_true(re_match("[^a]", "i", "b"));
    assert_true(re_match("\xc3\xa9", "i", "\xc3\x89")); /* é É */
    assert_true(re_match("\xd0\xb6", "i", "\xd0\x96")); /* ж Ж */
    assert_true(re_match("\xce\xb1", "i", "\xce\x91")); /* α Α */
    assert_true(re_match("\\u0101", "i", "\xc4\x80"));  /* ā Ā */
    assert_true(re_match("from", "iu", "FROM"));
    assert_true(re_match("a", "gm", "a"));
}

static void test_unicode_properties(void **state)
{
    (void)state;
    assert_true(re_match("\\p{L}+", NULL, "abc\xc3\xa9\xd0\x96"));
    assert_false(re_match("\\p{L}", NULL, "1"));
    assert_true(re_match("\\p{Letter}", "u", "x"));
    assert_true(re_match("\\p{Lu}", NULL, "A"));
    assert_false(re_match("\\p{Lu}", NULL, "a"));
    assert_true(re_match("\\p{Ll}", NULL, "a"));
    assert_true(re_match("\\p{N}", NULL, "\xc2\xbd"));  /* ½ is No */
    assert_true(re_match("\\p{Nd}", NULL, "\xd9\xa3")); /* Arabic-Indic three */
    assert_false(re_match("\\p{Nd}", NULL, "\xc2\xbd"));
    assert_true(re_match("\\p{Z}", NULL, "\xe2\x80\xa8")); /* LS is Zl */
    assert_true(re_match("\\p{Zs}", NULL, "\xe3\x80\x80"));
    assert_false(re_match("\\p{Zs}", NULL, "\t"));
    assert_true(re_match("\\P{L}", NULL, "1"));
    assert_false(re_match("\\P{L}", NULL, "a"));
    assert_true(re_match("[\\p{L}_][\\p{L}\\p{Nd}_]*", NULL, "_x\xd9\xa3"));
    assert_true(re_match("\\p{gc=Lu}", NULL, "Q"));
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(re_error("[abc", NULL),
                        "rules.word: unterminated character class at offset 0");
    assert_string_equal(re_error("ab[cd", NULL),
                        "rules.word: unterminated character class at offset 2");
    assert_string_equal(re_error("a(bc", NULL), "rules.word: unterminated group at offset 1");
    assert_string_equal(re_error("ab)", NULL), "rules.word: unmatched ')' at offset 2");
    assert_string_equal(re_error("^a", NULL),
                        "rules.word: anchors are not supported in tokens ('^') at offset 0");
    assert_string_equal(re_error("a$", NULL),
                        "rules.word: anchors are not supported in tokens ('$') at offset 1");
    assert_string_equal(re_error("*a", NULL), "rules.word: nothing to repeat at offset 0");
    assert_string_equal(re_error("a**", NULL), "rules.word: nothing to repeat at offset 2");
    assert_string_equal(re_error("a|+", NULL), "rules.word: nothing to repeat at offset 2");
    assert_string_equal(re_error("{2}", NULL), "rules.word: nothing to repeat at offset 0");
    assert_string_equal(re_error("a{3,2}", NULL),
                        "rules.word: numbers out of order in {} quantifier at offset 1");
    assert_string_equal(re_error("a{1001}", NULL),
                        "rules.word: repetition count too large (at most 1000) at offset 1");
    assert_string_equal(re_error("(?=a)", NULL),
                        "rules.word: lookahead assertions are not supported in tokens at offset 0");
    assert_string_equal(
        re_error("x(?<!a)", NULL),
        "rules.word: lookbehind assertions are not supported in tokens at offset 1");
    assert_string_equal(re_error("(?x)", NULL), "rules.word: invalid group at offset 0");
    assert_string_equal(re_error("(a)\\1", NULL),
                        "rules.word: backreferences are not supported in tokens at offset 3");
    assert_string_equal(
        re_error("a\\b", NULL),
        "rules.word: word boundary assertions are not supported in tokens at offset 1");
    assert_string_equal(re_error("\\q", NULL), "rules.word: unknown escape '\\q' at offset 0");
    assert_string_equal(re_error("\\x4g", NULL),
                        "rules.word: invalid \\x escape (expected 2 hex digits) at offset 0");
    assert_string_equal(re_error("a\\u12", NULL),
                        "rules.word: invalid \\u escape (expected 4 hex digits) at offset 1");
    assert_string_equal(re_error("\\u{110000}", NULL),
                        "rules.word: code point out of range in \\u{...} escape at offset 0");
    assert_string_equal(re_error("\\uD800", NULL),
                        "rules.word: lone surrogate in \\u escape at offset 0");
    assert_string_equal(re_error("\\p{Greek}", NULL),
                        "rules.word: unsupported unicode property 'Greek' at offset 0");
    assert_string_equal(re_error("\\pL", NULL),
                        "rules.word: invalid \\p escape (expected {name}) at offset 0");
    assert_string_equal(re_error("x[z-a]", NULL),
                        "rules.word: range out of order in character class at offset 2");
    assert_string_equal(re_error("a\\", NULL), "rules.word: trailing backslash at offset 1");
    assert_string_equal(re_error("\\07", NULL),
                        "rules.word: octal escapes are not supported at offset 0");
    assert_string_equal(re_error("a\xff", NULL), "rules.word: invalid utf-8 at offset 1");
    assert_string_equal(re_error("a", "y"), "rules.word: unsupported regex flag 'y'");
    assert_string_equal(re_error("a", "gimsu"), "");
}

/* Errors through lexer_new carry the rule's path, or rules.<token>. */
static void test_lexer_new_errors(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;

    struct test_grammar tg;
    memset(&tg, 0, sizeof tg);
    struct rule *bad = r_pat(&a, "[a-", NULL);
    bad->path = "rules.word.members[1]";
    tg_add(&tg, "word", r_list(&a, RULE_SEQ, 2, r_str(&a, "x"), bad));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_int_equal(err.code, ERR_INVALID);
    assert_string_equal(err.msg, "rules.word.members[1]: unterminated character class at offset 0");

    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "ok", r_str(&a, "ok"));
    tg_add(&tg, "num", r_pat(&a, "(", NULL));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_string_equal(err.msg, "rules.num: unterminated group at offset 0");

    /* Tokens that match the empty string. */
    const char *empties[] = { "a*", "(a|)", "b?c?", "x{0,3}" };
    for (size_t i = 0; i < DW_ARRAY_LEN(empties); i++) {
        memset(&tg, 0, sizeof tg);
        tg_add(&tg, "ok", r_str(&a, "ok"));
        tg_add(&tg, "maybe", r_pat(&a, empties[i], NULL));
        assert_null(lexer_new(&tg.g, &a, &err));
        assert_string_equal(err.msg, "rule 'maybe' matches the empty string");
    }
    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "empty", r_str(&a, ""));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_string_equal(err.msg, "rule 'empty' matches the empty string");
    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "rep", r_wrap(&a, RULE_TOKEN, r_wrap(&a, RULE_REPEAT, r_str(&a, "x"))));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_string_equal(err.msg, "rule 'rep' matches the empty string");

    /* A named precedence has no meaning inside a token. */
    memset(&tg, 0, sizeof tg);
    struct rule *p = r_wrap(&a, RULE_PREC, r_str(&a, "x"));
    p->prec.kind = PREC_NAME;
    p->prec.name = "high";
    p->path = "rules.x";
    tg_add(&tg, "x", r_wrap(&a, RULE_TOKEN, p));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_string_equal(err.msg,
                        "rules.x: named precedence 'high' is not supported inside a token");

    /* Strings must be UTF-8. */
    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "bin", r_str(&a, "a\xc3"));
    assert_null(lexer_new(&tg.g, &a, &err));
    assert_string_equal(err.msg, "rules.bin: string is not valid utf-8 at offset 1");
    arena_release(&a);
}

/* Rule trees: strings, seq, choice, repeat, repeat1, blank, wrappers. */
static void test_rule_trees(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;
    struct test_grammar tg;
    memset(&tg, 0, sizeof tg);
    /* token(seq("0x", repeat1(/[0-9a-f]/), optional("L"))) */
    tg_add(&tg, "hex",
           r_wrap(&a, RULE_TOKEN,
                  r_list(&a, RULE_SEQ, 3, r_str(&a, "0x"),
                         r_wrap(&a, RULE_REPEAT1, r_pat(&a, "[0-9a-f]", NULL)),
                         r_list(&a, RULE_CHOICE, 2, r_str(&a, "L"), r_new(&a, RULE_BLANK)))));
    /* alias(field(repeat("ab") "c")) */
    struct rule *al = r_wrap(
        &a, RULE_ALIAS,
        r_wrap(&a, RULE_FIELD,
               r_list(&a, RULE_SEQ, 2, r_wrap(&a, RULE_REPEAT, r_str(&a, "ab")), r_str(&a, "c"))));
    tg_add(&tg, "abc", al);
    tg_add(&tg, "euro", r_str(&a, "\xe2\x82\xac!"));
    struct lexer *lx = lexer_new(&tg.g, &a, &err);
    assert_non_null(lx);
    assert_true(nfa_matches(lx, 0, "0xff"));
    assert_true(nfa_matches(lx, 0, "0x1L"));
    assert_false(nfa_matches(lx, 0, "0x"));
    assert_false(nfa_matches(lx, 0, "0xL"));
    assert_true(nfa_matches(lx, 1, "c"));
    assert_true(nfa_matches(lx, 1, "ababc"));
    assert_false(nfa_matches(lx, 1, "abab"));
    assert_true(nfa_matches(lx, 2, "\xe2\x82\xac!"));
    assert_false(nfa_matches(lx, 2, "!"));
    arena_release(&a);
}

/* Precedence facts of tokens: explicit (outer prec), implicit (strings 2,
 * token() +1), immediate. */
static void test_token_precedence(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err err;
    struct test_grammar tg;
    memset(&tg, 0, sizeof tg);
    tg_add(&tg, "str", r_str(&a, "if"));                                            /* 0 */
    tg_add(&tg, "pat", r_pat(&a, "[a-z]+", NULL));                                  /* 1 */
    tg_add(&tg, "tokpat", r_wrap(&a, RULE_TOKEN, r_pat(&a, "[a-z]+", NULL)));       /* 2 */
    tg_add(&tg, "tokstr", r_wrap(&a, RULE_TOKEN, r_str(&a, "if")));                 /* 3 */
    tg_add(&tg, "prec", r_wrap(&a, RULE_TOKEN, r_prec(&a, 5, r_pat(&a, "x", 0))));  /* 4 */
    tg_add(&tg, "imm", r_wrap(&a, RULE_IMMEDIATE_TOKEN, r_str(&a, "(")));           /* 5 */
    tg_add(&tg, "precout", r_prec(&a, -1, r_wrap(&a, RULE_TOKEN, r_str(&a, "y")))); /* 6 */
    struct lexer *lx = lexer_new(&tg.g, &a, &err);
    assert_non_null(lx);
    assert_int_equal(lx->toks[0].implicit, 2);
    assert_int_equal(lx->toks[1].implicit, 0);
    assert_int_equal(lx->toks[2].implicit, 1);
    assert_int_equal(lx->toks[3].implicit, 3);
    assert_int_equal(lx->toks[4].prec, 5);
    assert_int_equal(lx->toks[6].prec, -1);
    assert_true(lexer_is_immediate(lx, 5));
    assert_false(lexer_is_immediate(lx, 0));
    assert_true(lexer_prefer_token(lx, 0, 1)); /* string over pattern */
    assert_false(lexer_prefer_token(lx, 1, 0));
    assert_true(lexer_prefer_token(lx, 2, 1)); /* token() over bare pattern */
    assert_true(lexer_prefer_token(lx, 4, 3)); /* explicit first */
    assert_true(lexer_prefer_token(lx, 1, 6)); /* negative precedence loses */
    assert_true(lexer_prefer_token(lx, 1, 1));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals_and_escapes), cmocka_unit_test(test_classes),
        cmocka_unit_test(test_class_escapes),        cmocka_unit_test(test_dot_groups_alternation),
        cmocka_unit_test(test_quantifiers),          cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_unicode_properties),   cmocka_unit_test(test_errors),
        cmocka_unit_test(test_lexer_new_errors),     cmocka_unit_test(test_rule_trees),
        cmocka_unit_test(test_token_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
