/* The model's instructions: every kind's typed arguments, flags and mount
 * options, exec and shell forms (the logical text BuildKit hands to the
 * shell and its segments across continuation, comment and blank lines),
 * heredocs and the RUN scripts, ONBUILD triggers, file facts and
 * directives. */
#include "test_model_util.h"

static const struct df_instr *top(const struct df_file *f, uint32_t i)
{
    assert_true(i < f->model.n_instrs);
    return f->model.instrs[i];
}

static void test_from(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->kind, DF_FROM);
    TM_SPAN(in->keyword, 0, 4);
    TM_SPAN(in->span, 0, 51);
    assert_int_equal(in->n_flags, 1);
    TM_TEXT(in->flags[0].name, "platform");
    TM_TEXT(in->flags[0].value, "$BUILDPLATFORM");
    TM_SRC(f, in->flags[0].span, "--platform=$BUILDPLATFORM");
    assert_int_equal(in->n_args, 3);
    TM_TEXT(in->args[0], "golang:1.22");
    TM_TEXT(in->args[1], "AS");
    TM_TEXT(in->args[2], "Build");
    TM_TEXT(in->image.text, "golang:1.22");
    TM_TEXT(in->stage_name, "Build");
    TM_SRC(f, in->as_keyword, "AS");
    assert_int_equal(in->stage, 0);
    assert_int_equal(f->model.n_stages, 1);
    TM_STR(f->model.stages[0].name, "build");
    assert_ptr_equal(f->model.stages[0].from, in);
    assert_false(in->has_syntax_error);
    assert_int_equal(f->model.n_syntax_errors, 0);
    df_file_free(f);

    f = tm_parse("FROM alpine\n");
    in = top(f, 0);
    TM_TEXT(in->stage_name, NULL);
    assert_int_equal(in->n_args, 1);
    assert_null(f->model.stages[0].name.ptr);
    df_file_free(f);
}

/* dockerfile.md section 4: the escape char and the blanks after it go,
 * blanks before it stay, continuation lines keep their leading blanks,
 * comment and blank lines inside are dropped, the end is trimmed. */
static void test_run_continuation(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM a\n"
                                 "RUN apt-get update && \\\n"
                                 "    # comment\n"
                                 "\n"
                                 "    apt-get install -y curl \\   \n"
                                 "\t&& rm -rf x   \n");
    const struct df_instr *in = top(f, 1);
    assert_int_equal(in->kind, DF_RUN);
    assert_int_equal(in->form, DF_FORM_SHELL);
    TM_TEXT(in->shell, "apt-get update &&     apt-get install -y curl \t&& rm -rf x");
    assert_int_equal(in->n_shell_segs, 3);
    uint32_t a = TM_OFF(f, "apt-get update", 0), bs1 = TM_OFF(f, "\\", 0);
    uint32_t l2 = TM_OFF(f, "    apt-get install", 0), bs2 = TM_OFF(f, "\\", 1);
    uint32_t l3 = TM_OFF(f, "\t&&", 0), x = TM_OFF(f, "x   ", 0);
    TM_SPAN(((struct span){ in->shell_segs[0].start, in->shell_segs[0].end }), a, bs1);
    TM_SPAN(((struct span){ in->shell_segs[1].start, in->shell_segs[1].end }), l2, bs2);
    TM_SPAN(((struct span){ in->shell_segs[2].start, in->shell_segs[2].end }), l3, x + 1);
    TM_SPAN(in->shell.span, a, x + 1);
    assert_non_null(in->script);
    assert_int_equal(in->script->n_cmds, 3);
    TM_STR(sh_call_name(&in->script->cmds[2].call), "rm");
    /* The continuations and the comment line (with its blanks and the
     * blank line after it) are the dropped ranges. */
    assert_int_equal(f->model.n_dropped, 3);
    TM_SPAN(f->model.dropped[0], bs1, TM_OFF(f, "    # comment", 0));
    TM_SPAN(f->model.dropped[1], TM_OFF(f, "    # comment", 0), l2);
    TM_SPAN(f->model.dropped[2], bs2, l3);
    assert_int_equal(f->model.n_comments, 1);
    TM_SRC(f, f->model.comments[0], "# comment");
    df_file_free(f);

    /* A continuation right after the keyword, a line made of the escape
     * char, and a continuation on the last line. */
    f = tm_parse("RUN \\\n    echo hi \\\n\\\n  there\nRUN last \\");
    in = top(f, 0);
    TM_TEXT(in->shell, "echo hi   there");
    assert_int_equal(in->n_shell_segs, 2);
    in = top(f, 1);
    TM_TEXT(in->shell, "last");
    df_file_free(f);
}

static void test_exec_form(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("RUN [\"echo\", \"a\\\"b\", \"\\u00e9\\n\", \"\\ud83d\\ude00\", "
                                 "\"c\\\\d\", \"x\\/y\", \"\"]\n"
                                 "CMD []\n"
                                 "ENTRYPOINT [\"a\", \\\n  \"b\"]\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->form, DF_FORM_EXEC);
    assert_int_equal(in->n_exec, 7);
    TM_TEXT(in->exec[0], "echo");
    TM_SRC(f, in->exec[0].span, "\"echo\"");
    TM_TEXT(in->exec[1], "a\"b");
    TM_TEXT(in->exec[2], "\xc3\xa9\n");
    TM_TEXT(in->exec[3], "\xf0\x9f\x98\x80");
    TM_TEXT(in->exec[4], "c\\d");
    TM_TEXT(in->exec[5], "x/y");
    TM_TEXT(in->exec[6], "");
    assert_false(in->exec_non_string);
    assert_null(in->script);
    in = top(f, 1);
    assert_int_equal(in->form, DF_FORM_EXEC);
    assert_int_equal(in->n_exec, 0);
    in = top(f, 2);
    assert_int_equal(in->n_exec, 2);
    TM_TEXT(in->exec[1], "b");
    df_file_free(f);

    /* Not JSON: single quotes, text after the array. */
    f = tm_parse("CMD ['a']\nCMD [\"a\"] b\nRUN [ -f x ] && y\n");
    TM_TEXT(top(f, 0)->shell, "['a']");
    TM_TEXT(top(f, 1)->shell, "[\"a\"] b");
    assert_int_equal(top(f, 2)->form, DF_FORM_SHELL);
    assert_non_null(top(f, 2)->script);
    df_file_free(f);

    f = tm_parse("CMD [\"sleep\", 10]\n");
    in = top(f, 0);
    assert_int_equal(in->form, DF_FORM_EXEC);
    assert_true(in->exec_non_string);
    assert_true(in->has_syntax_error);
    assert_int_equal(in->n_exec, 1);
    TM_TEXT(in->exec[0], "sleep");
    df_file_free(f);
}

static void test_flags(void **state)
{
    (void)state;
    struct df_file *f =
        tm_parse("RUN --mount=type=cache,target=/root/.cache,sharing=locked "
                 "--mount=type=bind,from=build,rw --network=none --x= --flag make\n"
                 "RUN --mount=\"type=secret,id=a b\" --mount=type=bind,target=\"/a b\" "
                 "true\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->n_flags, 5);
    TM_TEXT(in->flags[0].name, "mount");
    TM_TEXT(in->flags[0].value, "type=cache,target=/root/.cache,sharing=locked");
    assert_int_equal(in->flags[0].n_mount, 3);
    TM_TEXT(in->flags[0].mount[0].key, "type");
    TM_TEXT(in->flags[0].mount[0].value, "cache");
    TM_TEXT(in->flags[0].mount[1].key, "target");
    TM_TEXT(in->flags[0].mount[1].value, "/root/.cache");
    TM_TEXT(in->flags[0].mount[2].value, "locked");
    assert_int_equal(in->flags[1].n_mount, 3);
    TM_TEXT(in->flags[1].mount[2].key, "rw");
    TM_TEXT(in->flags[1].mount[2].value, NULL);
    TM_TEXT(in->flags[2].name, "network");
    TM_TEXT(in->flags[2].value, "none");
    assert_int_equal(in->flags[2].n_mount, 0);
    assert_null(in->flags[2].mount);
    TM_TEXT(in->flags[3].name, "x");
    TM_TEXT(in->flags[3].value, "");
    TM_TEXT(in->flags[4].name, "flag");
    TM_TEXT(in->flags[4].value, NULL);
    TM_SRC(f, in->flags[4].span, "--flag");
    assert_ptr_equal(df_instr_flag(in, "mount"), &in->flags[1]);
    assert_null(df_instr_flag(in, "nope"));
    TM_TEXT(in->shell, "make");
    in = top(f, 1);
    TM_TEXT(in->flags[0].value, "\"type=secret,id=a b\"");
    TM_TEXT(in->flags[0].mount[1].value, "a b");
    TM_TEXT(in->flags[1].mount[1].value, "\"/a b\"");
    df_file_free(f);
}

static void test_pairs(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("ENV A=1 B=\"x y\" C=\n"
                                 "ENV ONE TWO= THREE=world\n"
                                 "LABEL \"a.b\"=\"c d\" e=f\n"
                                 "ARG X Y=2 Z= W=\"q r\"\n"
                                 "ENV P=1 \\\n    Q=\"a \\\n b\"\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->n_pairs, 3);
    TM_TEXT(in->pairs[0].key, "A");
    TM_TEXT(in->pairs[0].value, "1");
    TM_SRC(f, in->pairs[0].span, "A=1");
    TM_TEXT(in->pairs[1].value, "\"x y\"");
    TM_TEXT(in->pairs[2].key, "C");
    TM_TEXT(in->pairs[2].value, "");
    assert_false(in->pairs[0].legacy);
    in = top(f, 1);
    assert_int_equal(in->n_pairs, 1);
    assert_true(in->pairs[0].legacy);
    TM_TEXT(in->pairs[0].key, "ONE");
    TM_TEXT(in->pairs[0].value, "TWO= THREE=world");
    in = top(f, 2);
    assert_int_equal(in->kind, DF_LABEL);
    TM_TEXT(in->pairs[0].key, "\"a.b\"");
    TM_TEXT(in->pairs[0].value, "\"c d\"");
    TM_TEXT(in->pairs[1].key, "e");
    in = top(f, 3);
    assert_int_equal(in->n_pairs, 4);
    TM_TEXT(in->pairs[0].key, "X");
    TM_TEXT(in->pairs[0].value, NULL);
    TM_TEXT(in->pairs[1].value, "2");
    TM_TEXT(in->pairs[2].value, "");
    TM_TEXT(in->pairs[3].value, "\"q r\"");
    in = top(f, 4);
    assert_int_equal(in->n_pairs, 2);
    TM_TEXT(in->pairs[1].key, "Q");
    /* The value spans a continuation inside quotes: its logical text. */
    TM_TEXT(in->pairs[1].value, "\"a  b\"");
    TM_SRC(f, in->pairs[1].value.span, "\"a \\\n b\"");
    df_file_free(f);
}

static void test_paths_and_words(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("COPY --from=build --chown=app:app a b /dst/\n"
                                 "COPY [\"a b\", \"/x/\"]\n"
                                 "ADD --checksum=sha256:abc https://x/y /z\n"
                                 "VOLUME /data /logs\n"
                                 "VOLUME [\"/v\"]\n"
                                 "EXPOSE 80/tcp 8000-8010/udp $P\n"
                                 "WORKDIR /my app\n"
                                 "STOPSIGNAL SIGTERM\n"
                                 "MAINTAINER Jane Doe <jane@example.com>\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->kind, DF_COPY);
    assert_int_equal(in->form, DF_FORM_NONE);
    assert_int_equal(in->n_flags, 2);
    assert_int_equal(in->n_args, 3);
    TM_TEXT(in->args[0], "a");
    TM_TEXT(in->args[2], "/dst/");
    in = top(f, 1);
    assert_int_equal(in->form, DF_FORM_EXEC);
    assert_int_equal(in->n_args, 0);
    TM_TEXT(in->exec[0], "a b");
    in = top(f, 2);
    assert_int_equal(in->kind, DF_ADD);
    TM_TEXT(in->flags[0].value, "sha256:abc");
    TM_TEXT(in->args[0], "https://x/y");
    assert_int_equal(top(f, 3)->n_args, 2);
    assert_int_equal(top(f, 4)->n_exec, 1);
    in = top(f, 5);
    assert_int_equal(in->n_args, 3);
    TM_TEXT(in->args[1], "8000-8010/udp");
    TM_TEXT(in->args[2], "$P");
    in = top(f, 6);
    assert_int_equal(in->n_args, 1);
    TM_TEXT(in->args[0], "/my app");
    TM_TEXT(top(f, 7)->args[0], "SIGTERM");
    TM_TEXT(top(f, 8)->args[0], "Jane Doe <jane@example.com>");
    df_file_free(f);
}

static void test_user(void **state)
{
    (void)state;
    struct df_file *f = tm_parse(
        "USER app:grp\nUSER app:\nUSER \"a b\":g\nUSER my user\nUSER ${U}:${G}\nUSER 1000\n");
    const struct df_instr *in = top(f, 0);
    TM_TEXT(in->args[0], "app:grp");
    TM_TEXT(in->user, "app");
    TM_TEXT(in->group, "grp");
    in = top(f, 1);
    TM_TEXT(in->args[0], "app:");
    TM_TEXT(in->user, "app");
    TM_TEXT(in->group, "");
    in = top(f, 2);
    TM_TEXT(in->user, "\"a b\"");
    TM_TEXT(in->group, "g");
    in = top(f, 3);
    TM_TEXT(in->args[0], "my user");
    TM_TEXT(in->user, "my user");
    TM_TEXT(in->group, NULL);
    in = top(f, 4);
    TM_TEXT(in->user, "${U}");
    TM_TEXT(in->group, "${G}");
    TM_TEXT(top(f, 5)->group, NULL);
    df_file_free(f);
}

static void test_healthcheck_shell_cmd(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("HEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n"
                                 "HEALTHCHECK NONE\n"
                                 "healthcheck cmd [\"a\"]\n"
                                 "SHELL [\"/bin/bash\", \"-c\"]\n"
                                 "CMD npm start\n"
                                 "ENTRYPOINT exec nginx -g 'daemon off;'\n"
                                 "RUN\n"
                                 "CMD\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->kind, DF_HEALTHCHECK);
    TM_TEXT(in->args[0], "CMD");
    assert_int_equal(in->form, DF_FORM_SHELL);
    TM_TEXT(in->shell, "curl -f http://x/ || exit 1");
    assert_null(in->script); /* shell parsing is for RUN only */
    in = top(f, 1);
    TM_TEXT(in->args[0], "NONE");
    assert_int_equal(in->form, DF_FORM_NONE);
    in = top(f, 2);
    TM_TEXT(in->args[0], "cmd");
    TM_TEXT(in->exec[0], "a");
    in = top(f, 3);
    assert_int_equal(in->kind, DF_SHELL);
    assert_int_equal(in->n_exec, 2);
    TM_TEXT(top(f, 4)->shell, "npm start");
    TM_TEXT(top(f, 5)->shell, "exec nginx -g 'daemon off;'");
    assert_int_equal(top(f, 6)->form, DF_FORM_NONE);
    assert_int_equal(top(f, 7)->form, DF_FORM_NONE);
    assert_int_equal(f->model.n_syntax_errors, 0);
    df_file_free(f);
}

static void test_onbuild(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM a\nONBUILD RUN echo hi\nONBUILD COPY --from=x a b\n"
                                 "ONBUILD ONBUILD RUN z\nRUN z\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_instrs, 5);
    assert_int_equal(m->n_all_instrs, 9);
    for (uint32_t i = 0; i < m->n_all_instrs; i++)
        assert_int_equal(m->all_instrs[i]->index, i);
    const struct df_instr *ob = top(f, 1);
    assert_int_equal(ob->kind, DF_ONBUILD);
    assert_int_equal(ob->index, 1);
    assert_non_null(ob->trigger);
    assert_int_equal(ob->trigger->kind, DF_RUN);
    assert_int_equal(ob->trigger->index, 2);
    assert_ptr_equal(ob->trigger->parent, ob);
    assert_int_equal(ob->trigger->stage, 0);
    TM_TEXT(ob->trigger->shell, "echo hi");
    assert_non_null(ob->trigger->script);
    ob = top(f, 2);
    TM_TEXT(ob->trigger->flags[0].value, "x");
    ob = top(f, 3);
    assert_int_equal(ob->trigger->kind, DF_ONBUILD);
    assert_int_equal(ob->trigger->trigger->kind, DF_RUN);
    assert_ptr_equal(ob->trigger->trigger->parent, ob->trigger);
    assert_int_equal(top(f, 4)->index, 8);
    assert_int_equal(m->stages[0].n_instrs, 4);
    assert_int_equal(m->n_edges, 0); /* triggers name downstream stages */
    df_file_free(f);

    /* Thousands of chained ONBUILDs: triggers stop at a fixed depth. */
    size_t n = 5000;
    char *deep = test_malloc(n * 8 + 8);
    for (size_t i = 0; i < n; i++)
        memcpy(deep + i * 8, "ONBUILD ", 8);
    memcpy(deep + n * 8, "RUN x\n", 7);
    f = tm_parse(deep);
    assert_int_equal(f->model.n_instrs, 1);
    assert_int_equal(f->model.n_all_instrs, 17);
    df_file_free(f);
    test_free(deep);
}

static void test_unknown(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROBNICATE all the things\nNOTHING\nRUN[\"ls\"]\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->kind, DF_UNKNOWN);
    TM_SRC(f, in->keyword, "FROBNICATE");
    assert_int_equal(in->n_args, 1);
    TM_TEXT(in->args[0], "all the things");
    assert_string_equal(df_kind_name(in->kind), "");
    in = top(f, 1);
    assert_int_equal(in->n_args, 0);
    TM_SRC(f, in->keyword, "NOTHING");
    TM_SRC(f, top(f, 2)->keyword, "RUN[\"ls\"]");
    assert_string_equal(df_kind_name(DF_HEALTHCHECK), "HEALTHCHECK");
    df_file_free(f);
}

static void test_heredoc_run(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("RUN <<EOF\necho hi\nEOF\n"
                                 "RUN <<EOF python3\nprint(1)\nEOF\n"
                                 "RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"
                                 "RUN <<EOF\n#!/bin/bash\necho 1\nEOF\n"
                                 "RUN <<-EOT sh\n\techo tabbed\n\tEOT\n"
                                 "RUN cat <<'A' > a && cat <<\"B\" > b\nx\nA\ny\nB\n"
                                 "RUN <<E\"O\"F cat\nx\nEOF\n"
                                 "RUN <<eo\\'f cat\ny\neo'f\n"
                                 "RUN <<EOF\nEOF\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->n_heredocs, 1);
    const struct df_heredoc *h = &in->heredocs[0];
    TM_STR(h->delimiter, "EOF");
    assert_false(h->strip_tabs);
    assert_false(h->quoted);
    assert_true(h->terminated);
    TM_SRC(f, h->marker, "<<EOF");
    TM_SRC(f, h->body, "echo hi\n");
    TM_SRC(f, h->end, "EOF");
    TM_TEXT(in->shell, "<<EOF");
    assert_non_null(h->script);
    assert_ptr_equal(in->script, h->script);
    assert_int_equal(in->script->n_cmds, 1);
    TM_STR(sh_call_name(&in->script->cmds[0].call), "echo");
    TM_SPAN(in->span, 0, TM_OFF(f, "EOF\n", 1) + 3);

    /* Another interpreter: the command line is the shell's, the body is
     * not. */
    in = top(f, 1);
    assert_null(in->heredocs[0].script);
    assert_non_null(in->script);
    assert_int_equal(in->script->n_cmds, 1);
    TM_STR(sh_call_name(&in->script->cmds[0].call), "python3");

    in = top(f, 2);
    assert_null(in->script);
    assert_null(in->heredocs[0].script);
    in = top(f, 3);
    assert_non_null(in->script);

    in = top(f, 4);
    h = &in->heredocs[0];
    assert_true(h->strip_tabs);
    TM_SRC(f, h->end, "\tEOT");
    TM_SRC(f, h->body, "\techo tabbed\n");
    assert_non_null(h->script); /* fed to sh's stdin */
    assert_non_null(in->script);

    in = top(f, 5);
    assert_int_equal(in->n_heredocs, 2);
    TM_STR(in->heredocs[0].delimiter, "A");
    TM_STR(in->heredocs[1].delimiter, "B");
    assert_true(in->heredocs[0].quoted);
    assert_true(in->heredocs[1].quoted);
    TM_SRC(f, in->heredocs[1].body, "y\n");
    assert_null(in->heredocs[0].script);
    assert_int_equal(in->script->n_cmds, 2);
    TM_TEXT(in->shell, "cat <<'A' > a && cat <<\"B\" > b");

    in = top(f, 6);
    TM_STR(in->heredocs[0].delimiter, "EOF");
    assert_true(in->heredocs[0].quoted);
    in = top(f, 7);
    TM_STR(in->heredocs[0].delimiter, "eo'f");
    assert_false(in->heredocs[0].quoted);
    assert_true(in->heredocs[0].terminated);

    in = top(f, 8);
    h = &in->heredocs[0];
    assert_true(h->terminated);
    assert_int_equal(span_len(h->body), 0);
    assert_int_equal(h->body.start, h->end.start);
    assert_int_equal(f->model.n_syntax_errors, 0);
    df_file_free(f);
}

static void test_heredoc_copy(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("COPY <<a.txt <<b.txt /dir/\nA\na.txt\nB\nb.txt\n"
                                 "COPY --chmod=755 <<EOF /run\r\n#!/bin/sh\r\nexec app\r\nEOF\r\n");
    const struct df_instr *in = top(f, 0);
    assert_int_equal(in->n_args, 3);
    TM_TEXT(in->args[0], "<<a.txt");
    TM_TEXT(in->args[1], "<<b.txt");
    TM_TEXT(in->args[2], "/dir/");
    assert_int_equal(in->n_heredocs, 2);
    TM_STR(in->heredocs[0].delimiter, "a.txt");
    TM_SRC(f, in->heredocs[0].body, "A\n");
    TM_SRC(f, in->heredocs[1].body, "B\n");
    TM_SRC(f, in->heredocs[1].end, "b.txt");
    assert_null(in->heredocs[0].script);
    assert_null(in->script);
    in = top(f, 1);
    TM_SRC(f, in->heredocs[0].body, "#!/bin/sh\r\nexec app\r\n");
    TM_SRC(f, in->heredocs[0].end, "EOF");
    df_file_free(f);
}

static void test_file_facts(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("\xEF\xBB\xBF"
                                 "FROM a\r\nRUN b \\\r\n  c");
    assert_true(f->bom);
    assert_true(f->crlf);
    assert_false(f->final_newline);
    TM_SPAN(top(f, 0)->keyword, 3, 7);
    TM_TEXT(top(f, 1)->shell, "b   c");
    assert_string_equal(f->path, "Dockerfile");
    uint32_t line, col;
    df_file_locate(f, TM_OFF(f, "c", 0), &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    df_file_free(f);

    f = tm_parse("FROM a\n");
    assert_false(f->bom);
    assert_false(f->crlf);
    assert_true(f->final_newline);
    df_file_free(f);

    f = tm_parse("");
    assert_int_equal(f->model.n_instrs, 0);
    assert_int_equal(f->model.n_stages, 0);
    assert_int_equal(f->model.target_stage, -1);
    assert_int_equal(f->model.escape, '\\');
    df_file_free(f);

    struct err e;
    assert_null(df_file_new("big", "", (size_t)65 * 1024 * 1024, NULL, &e));
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "larger than 64 MiB"));
}

static void test_directives(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("# escape=`\nFROM a\nRUN dir C:\\ `\n    && echo done\n"
                                 "COPY C:\\src\\ C:\\dst\\\n");
    assert_int_equal(f->model.escape, '`');
    assert_int_equal(f->model.n_directives, 1);
    TM_TEXT(f->model.directives[0].name, "escape");
    TM_TEXT(f->model.directives[0].value, "`");
    TM_TEXT(top(f, 1)->shell, "dir C:\\     && echo done");
    TM_TEXT(top(f, 2)->args[1], "C:\\dst\\");
    df_file_free(f);

    f = tm_parse("# syntax=docker/dockerfile:1\n#  SYNTAX = x  \n# escape=x\n# check=skip=A\n"
                 "FROM a\n# escape=`\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_directives, 4);
    TM_TEXT(m->directives[0].value, "docker/dockerfile:1");
    assert_false(m->directives[0].duplicate);
    TM_TEXT(m->directives[1].name, "SYNTAX");
    TM_TEXT(m->directives[1].value, "x");
    assert_true(m->directives[1].duplicate);
    assert_false(m->directives[2].duplicate);
    assert_int_equal(m->escape, '\\'); /* "x" is no escape char */
    TM_TEXT(m->directives[3].name, "check");
    assert_int_equal(m->n_comments, 1); /* the late escape= is a comment */
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from),        cmocka_unit_test(test_run_continuation),
        cmocka_unit_test(test_exec_form),   cmocka_unit_test(test_flags),
        cmocka_unit_test(test_pairs),       cmocka_unit_test(test_paths_and_words),
        cmocka_unit_test(test_user),        cmocka_unit_test(test_healthcheck_shell_cmd),
        cmocka_unit_test(test_onbuild),     cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_heredoc_run), cmocka_unit_test(test_heredoc_copy),
        cmocka_unit_test(test_file_facts),  cmocka_unit_test(test_directives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
