/* Syntax errors of the model: the message, kind, span and instruction for
 * the error cases of grammar/test/corpus and the line-level errors BuildKit
 * raises that the grammar accepts. */
#include "test_model_util.h"

struct err_case {
    const char *src;
    const char *message;
    enum df_syntax_kind kind;
    const char *at; /* the text the span covers */
};

static void check(const struct err_case *c)
{
    struct df_file *f = tm_parse(c->src);
    const struct df_model *m = &f->model;
    if (m->n_syntax_errors != 1)
        fail_msg("[%s]: %u errors, expected 1 (first: %s)", c->src, m->n_syntax_errors,
                 m->n_syntax_errors ? m->syntax_errors[0].message : "-");
    const struct df_syntax_error *e = &m->syntax_errors[0];
    if (strcmp(e->message, c->message) != 0)
        fail_msg("[%s]: message\n  got  %s\n  want %s", c->src, e->message, c->message);
    if (e->kind != c->kind)
        fail_msg("[%s]: kind %d, expected %d", c->src, e->kind, c->kind);
    TM_SRC(f, e->span, c->at);
    assert_non_null(e->instr);
    assert_true(e->instr->has_syntax_error);
    df_file_free(f);
}

static void test_corpus_errors(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        { "ENV A=\"x\n", "unclosed quote: expected '\"' before the end of the line in ENV",
          DF_SYN_UNCLOSED_QUOTE, "\"x" },
        { "ENV A='x\n", "unclosed quote: expected \"'\" before the end of the line in ENV",
          DF_SYN_UNCLOSED_QUOTE, "'x" },
        { "ENV name='a\\'b'\n", "unclosed quote: expected \"'\" before the end of the line in ENV",
          DF_SYN_UNCLOSED_QUOTE, "'" },
        { "ENV A=${B\n", "expected '}' to close '${' in ENV", DF_SYN_UNCLOSED_QUOTE, "${B" },
        { "COPY\n", "expected a source and a destination after COPY", DF_SYN_MISSING_ARGUMENTS,
          "COPY" },
        { "ENV\n", "expected a variable (name=value) after ENV", DF_SYN_MISSING_ARGUMENTS, "ENV" },
        { "ARG\n", "expected a name after ARG", DF_SYN_MISSING_ARGUMENTS, "ARG" },
        { "LABEL\n", "expected a label (key=value) after LABEL", DF_SYN_MISSING_ARGUMENTS,
          "LABEL" },
        { "USER\n", "expected a user after USER", DF_SYN_MISSING_ARGUMENTS, "USER" },
        { "EXPOSE\n", "expected a port after EXPOSE", DF_SYN_MISSING_ARGUMENTS, "EXPOSE" },
        { "WORKDIR\n", "expected a path after WORKDIR", DF_SYN_MISSING_ARGUMENTS, "WORKDIR" },
        { "ONBUILD\n", "expected an instruction after ONBUILD", DF_SYN_MISSING_ARGUMENTS,
          "ONBUILD" },
        { "FROM\n", "expected an image after FROM", DF_SYN_MISSING_ARGUMENTS, "FROM" },
        { "FROM --platform\n", "expected an image after the flags of FROM",
          DF_SYN_MISSING_ARGUMENTS, "FROM --platform" },
        { "HEALTHCHECK\n", "expected CMD or NONE after HEALTHCHECK", DF_SYN_MISSING_ARGUMENTS,
          "HEALTHCHECK" },
        { "FROM alpine AS\n", "expected a stage name after AS", DF_SYN_MISSING_ARGUMENTS, "AS" },
        { "FROM a b c d\n",
          "unexpected 'b c d' after the image in FROM: expected 'AS name' or the end of the line",
          DF_SYN_EXTRA_ARGUMENTS, "b c d" },
        { "FROM a AS b c\n", "unexpected 'c' after the stage name in FROM", DF_SYN_EXTRA_ARGUMENTS,
          "c" },
        { "CMD [\"sleep\", 10]\n",
          "expected a JSON string in the exec form of CMD, found '10' (BuildKit accepts arrays "
          "of strings only)",
          DF_SYN_JSON_NON_STRING, "10" },
        { "ENV A=1 # B=2\n", "expected '=' after '#' in ENV (every word must be name=value)",
          DF_SYN_PAIR_WITHOUT_EQUALS, "# B" },
        { "ENV A=1 B\n", "expected '=' in 'B': ENV takes name=value pairs",
          DF_SYN_PAIR_WITHOUT_EQUALS, "B" },
        { "ENV A\n", "expected '=' or a value after 'A' in ENV", DF_SYN_PAIR_WITHOUT_EQUALS, "A" },
        { "RUN --mount\n", "expected '=' and mount options after --mount in RUN",
          DF_SYN_MISSING_ARGUMENTS, "--mount" },
        { "ARG =x\n", "unexpected '=x' in ARG: expected a name", DF_SYN_GENERIC, "=x" },
        { "RUN <<EOF\necho hi\n",
          "unterminated heredoc 'EOF': no line 'EOF' before the end of the file",
          DF_SYN_UNTERMINATED_HEREDOC, "<<EOF" },
        { "RUN <<EOF", "unterminated heredoc 'EOF': no line 'EOF' before the end of the file",
          DF_SYN_UNTERMINATED_HEREDOC, "<<EOF" },
        { "FROM a\nCOPY <<'END' /x\nbody\nEND \n",
          "unterminated heredoc 'END': no line 'END' before the end of the file",
          DF_SYN_UNTERMINATED_HEREDOC, "<<'END'" },
        { "SHELL [1]\n",
          "expected a JSON string in the exec form of SHELL, found '1' (BuildKit accepts arrays of "
          "strings only)",
          DF_SYN_JSON_NON_STRING, "1" },
        { "COPY [\"a\", 1]\n",
          "expected a JSON string in the exec form of COPY, found '1' (BuildKit accepts arrays of "
          "strings only)",
          DF_SYN_JSON_NON_STRING, "1" },
        /* Nested values: the grammar falls back to shell form, the model
         * validates the JSON as BuildKit does. */
        { "RUN [\"a\", {\"b\": [1]}]\n",
          "expected a JSON string in the exec form of RUN, found '{\"b\": [1]}' (BuildKit "
          "accepts arrays of strings only)",
          DF_SYN_JSON_NON_STRING, "{\"b\": [1]}" },
        { "CMD [\\\n  \"a\", \\\n  [\"b\"]]\n",
          "expected a JSON string in the exec form of CMD, found '[\"b\"]' (BuildKit accepts "
          "arrays of strings only)",
          DF_SYN_JSON_NON_STRING, "[\"b\"]" },
        { "HEALTHCHECK CMD\n", "expected a command after HEALTHCHECK CMD", DF_SYN_MISSING_ARGUMENTS,
          "HEALTHCHECK CMD" },
        { "ONBUILD ONBUILD\n", "expected an instruction after ONBUILD", DF_SYN_MISSING_ARGUMENTS,
          "ONBUILD" },
        { "RUN --mount=type=cache,target=/x,\n",
          "expected a mount option after ',' in --mount of RUN", DF_SYN_GENERIC, "," },
        { "ONBUILD COPY\n", "expected a source and a destination after COPY",
          DF_SYN_MISSING_ARGUMENTS, "COPY" },
        { "ONBUILD ENV\n", "expected a variable (name=value) after ENV", DF_SYN_MISSING_ARGUMENTS,
          "ENV" },
        { "ONBUILD RUN <<EOF\nx\n",
          "unterminated heredoc 'EOF': no line 'EOF' before the end of the file",
          DF_SYN_UNTERMINATED_HEREDOC, "<<EOF" },
        { "FROM a\nONBUILD ENV A=\"x\n",
          "unclosed quote: expected '\"' before the end of the line in ENV", DF_SYN_UNCLOSED_QUOTE,
          "\"x" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++)
        check(&cases[i]);
}

static void test_partial_model(void **state)
{
    (void)state;
    /* The instruction after a broken one is read; the broken FROM still
     * opens a stage, so the RUN is not "before FROM". */
    struct df_file *f = tm_parse("FROM\nRUN echo ok\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_instrs, 2);
    assert_int_equal(m->instrs[0]->kind, DF_FROM);
    assert_true(m->instrs[0]->has_syntax_error);
    assert_int_equal(m->instrs[1]->stage, 0);
    assert_false(m->instrs[1]->has_syntax_error);
    assert_int_equal(m->n_stages, 1);
    assert_ptr_equal(m->syntax_errors[0].instr, m->instrs[0]);
    df_file_free(f);

    /* An unterminated heredoc keeps its marker and body. */
    f = tm_parse("FROM a\nRUN <<EOF cat\nline\n");
    const struct df_instr *in = f->model.instrs[1];
    assert_int_equal(in->kind, DF_RUN);
    assert_int_equal(in->n_heredocs, 1);
    assert_false(in->heredocs[0].terminated);
    TM_SRC(f, in->heredocs[0].body, "line\n");
    assert_int_equal(span_len(in->heredocs[0].end), 0);
    TM_TEXT(in->shell, "<<EOF cat");
    assert_non_null(in->script);
    df_file_free(f);

    /* An ONBUILD inside an ERROR still has its trigger, with no empty
     * words or pairs invented around MISSING nodes. */
    f = tm_parse("ONBUILD RUN <<EOF\nx\nONBUILD ARG\n");
    m = &f->model;
    assert_int_equal(m->n_instrs, 1);
    assert_non_null(m->instrs[0]->trigger);
    assert_int_equal(m->instrs[0]->trigger->kind, DF_RUN);
    assert_int_equal(m->instrs[0]->trigger->n_heredocs, 1);
    df_file_free(f);
    f = tm_parse("ONBUILD ARG\nONBUILD COPY\n");
    m = &f->model;
    assert_int_equal(m->instrs[0]->trigger->n_pairs, 0);
    assert_int_equal(m->instrs[1]->trigger->n_args, 0);
    df_file_free(f);

    /* Not JSON at all (single quotes, a missing comma): shell form, no error. */
    f = tm_parse("RUN ['a']\nRUN [\"a\" {}]\nCMD [\"\\u12\", 1]\n");
    assert_int_equal(f->model.n_syntax_errors, 0);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(f->model.instrs[i]->form, DF_FORM_SHELL);
    df_file_free(f);

    /* The strings of an array refused for a nested value are decoded. */
    f = tm_parse("CMD [\"\\ud83d\\ude00\", \"\\u00e9\", \"\\ud800x\", \"\\\\\", {}]\n");
    in = f->model.instrs[0];
    assert_true(in->exec_non_string);
    assert_int_equal(in->form, DF_FORM_EXEC);
    assert_int_equal(in->n_exec, 4);
    TM_TEXT(in->exec[0], "\xf0\x9f\x98\x80");
    TM_TEXT(in->exec[1], "\xc3\xa9");
    TM_TEXT(in->exec[2], "\xef\xbf\xbdx");
    TM_TEXT(in->exec[3], "\\");
    df_file_free(f);

    /* Errors come sorted by position. */
    f = tm_parse("ENV A=\"x\nCOPY\nENV B='y\n");
    m = &f->model;
    assert_int_equal(m->n_syntax_errors, 3);
    assert_true(m->syntax_errors[0].span.start < m->syntax_errors[1].span.start);
    assert_true(m->syntax_errors[1].span.start < m->syntax_errors[2].span.start);
    df_file_free(f);
}

static char *long_line(size_t content)
{
    /* "RUN " + content bytes of 'a' + "\n" */
    char *s = test_malloc(content + 6);
    memcpy(s, "RUN ", 4);
    memset(s + 4, 'a', content - 4);
    s[content] = '\n';
    s[content + 1] = '\0';
    return s;
}

static void test_line_too_long(void **state)
{
    (void)state;
    char *ok = long_line(65535);
    struct df_file *f = tm_parse(ok);
    assert_int_equal(f->model.n_syntax_errors, 0);
    df_file_free(f);
    test_free(ok);

    char *bad = long_line(65536);
    f = tm_parse(bad);
    assert_int_equal(f->model.n_syntax_errors, 1);
    const struct df_syntax_error *e = &f->model.syntax_errors[0];
    assert_int_equal(e->kind, DF_SYN_LINE_TOO_LONG);
    assert_string_equal(e->message,
                        "line is 65536 bytes long: BuildKit refuses lines over 65535 bytes");
    TM_SPAN(e->span, 0, 65536);
    assert_null(e->instr);
    /* The instruction itself is still read. */
    assert_int_equal(f->model.n_instrs, 1);
    assert_int_equal(f->model.instrs[0]->shell.raw.len, 65532);
    df_file_free(f);
    test_free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_errors),
        cmocka_unit_test(test_partial_model),
        cmocka_unit_test(test_line_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
