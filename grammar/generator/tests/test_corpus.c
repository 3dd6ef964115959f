/* The corpus runner's file parser and S-expression comparison. */
#include "corpus.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int parse(const char *text, struct corpus *c, struct err *e)
{
    err_clear(e);
    return corpus_parse(text, strlen(text), "corpus.txt", c, e);
}

static void test_cases_and_attributes(void **state)
{
    (void)state;
    const char *text = "leading text is ignored\n"
                       "==================\n"
                       "First case\n"
                       "==================\n"
                       "1 + 2;\n"
                       "---\n"
                       "\n"
                       "(program\n"
                       "  (sum (number) (number)))\n"
                       "\n"
                       "=====\n"
                       "  Broken input  \n"
                       ":error\n"
                       "=====\n"
                       "\n"
                       "1 +\n"
                       "\n"
                       "---\n"
                       "=====\n"
                       "Skipped\n"
                       ":skip\n"
                       "=====\n"
                       "x\r\n"
                       "---\r\n"
                       "(x)\n";
    struct corpus c;
    struct err e;
    assert_int_equal(parse(text, &c, &e), 0);
    assert_int_equal(c.n_cases, 3);

    assert_string_equal(c.cases[0].name, "First case");
    assert_int_equal(c.cases[0].line, 2);
    assert_string_equal(c.cases[0].input, "1 + 2;");
    assert_int_equal(c.cases[0].input_len, 6);
    assert_string_equal(c.cases[0].expected, "(program\n  (sum (number) (number)))");
    assert_false(c.cases[0].expect_error);
    assert_false(c.cases[0].skip);

    /* Leading newline kept, one final newline dropped. */
    assert_string_equal(c.cases[1].name, "Broken input");
    assert_string_equal(c.cases[1].input, "\n1 +\n");
    assert_true(c.cases[1].expect_error);
    assert_string_equal(c.cases[1].expected, "");

    assert_true(c.cases[2].skip);
    assert_string_equal(c.cases[2].input, "x");
    assert_string_equal(c.cases[2].expected, "(x)");
    corpus_release(&c);
    assert_int_equal(c.n_cases, 0);
}

static void test_longest_divider_wins(void **state)
{
    (void)state;
    const char *text = "===\n"
                       "Dashes in the input\n"
                       "===\n"
                       "a\n"
                       "---\n"
                       "b\n"
                       "-----\n"
                       "(doc)\n";
    struct corpus c;
    struct err e;
    assert_int_equal(parse(text, &c, &e), 0);
    assert_int_equal(c.n_cases, 1);
    assert_string_equal(c.cases[0].input, "a\n---\nb");
    assert_string_equal(c.cases[0].expected, "(doc)");
    corpus_release(&c);
}

static void test_input_may_be_empty(void **state)
{
    (void)state;
    struct corpus c;
    struct err e;
    assert_int_equal(parse("===\nEmpty\n===\n---\n(doc)\n", &c, &e), 0);
    assert_int_equal(c.cases[0].input_len, 0);
    assert_string_equal(c.cases[0].expected, "(doc)");
    corpus_release(&c);
}

static void test_errors(void **state)
{
    (void)state;
    struct corpus c = { NULL, 0 };
    struct err e;
    assert_int_equal(parse("no header at all\n", &c, &e), ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "no test cases"));

    assert_int_equal(parse("===\nName\n===\ninput\n(doc)\n", &c, &e), ERR_SYNTAX);
    assert_string_equal(e.msg, "corpus.txt:4: test 'Name' has no '---' divider");

    assert_int_equal(parse("===\nName\n:error\n", &c, &e), ERR_SYNTAX);
    assert_string_equal(e.msg, "corpus.txt:1: unterminated test header");

    assert_int_equal(parse("===\nName\ninput\n===\n", &c, &e), ERR_SYNTAX);
    assert_string_equal(e.msg, "corpus.txt:3: test 'Name' has a second name line 'input'");

    assert_int_equal(parse("===\n===\nx\n---\n(a)\n", &c, &e), ERR_SYNTAX);
    assert_string_equal(e.msg, "corpus.txt:1: test without a name");

    assert_int_equal(parse("===\nA\n===\nx\n---\n\n===\nB\n===\ny\n---\n(b)\n", &c, &e),
                     ERR_SYNTAX);
    assert_string_equal(e.msg, "corpus.txt:4: test 'A' has no expected tree");
    assert_null(c.cases);
}

static void test_normalize(void **state)
{
    (void)state;
    char *s =
        sexp_normalize("\n(program\n  (sum\n\tleft: (number)   right: ( number ) ) )\n", false);
    assert_string_equal(s, "(program (sum left: (number) right: (number)))");
    free(s);
    s = sexp_normalize("(program (sum left: (number) right: (number)))", true);
    assert_string_equal(s, "(program (sum (number) (number)))");
    free(s);
    /* Quoted MISSING names keep their bytes, parentheses included. */
    s = sexp_normalize("(a (MISSING \")\")  (MISSING \"a  b\"))", false);
    assert_string_equal(s, "(a (MISSING \")\") (MISSING \"a  b\"))");
    free(s);
    s = sexp_normalize("(a (MISSING \":\"))", true);
    assert_string_equal(s, "(a (MISSING \":\"))");
    free(s);
    assert_true(sexp_has_fields("(a name: (b))"));
    assert_false(sexp_has_fields("(a (b) (MISSING \"x:\"))"));
}

/* The comparison the runner makes must be able to fail. */
static void test_mismatch_detected(void **state)
{
    (void)state;
    char *a = sexp_normalize("(program (sum (number) (number)))", false);
    char *b = sexp_normalize("(program (sum (number)) (number))", false);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_pretty_and_diff(void **state)
{
    (void)state;
    char *p = sexp_pretty("(program (sum left: (number) right: (MISSING \")\")))");
    assert_string_equal(p, "(program\n  (sum\n    left: (number)\n    right: (MISSING \")\")))\n");
    char *q = sexp_pretty("(program (sum left: (number) right: (number)))");
    char *d = text_diff(p, q);
    assert_string_equal(d, "  (program\n    (sum\n      left: (number)\n"
                           "-     right: (MISSING \")\")))\n+     right: (number)))\n");
    free(d);
    free(q);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_and_attributes),
        cmocka_unit_test(test_longest_divider_wins),
        cmocka_unit_test(test_input_may_be_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_mismatch_detected),
        cmocka_unit_test(test_pretty_and_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
