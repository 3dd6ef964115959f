/* ARG/ENV scoping as BuildKit does it (dockerfile.md sections 10-11):
 * global ARGs only in FROM lines, redeclaration imports the global value,
 * ENV and ARG in order (the later one wins), the snapshot rule, parent
 * stage inheritance, build args and the predefined platform ARGs; and
 * df_expand over words that span continuation lines. */
#include "test_model_util.h"

static const struct df_instr *nth(const struct df_file *f, uint32_t i)
{
    assert_true(i < f->model.n_all_instrs);
    return f->model.all_instrs[i];
}

static void var_at(const struct df_file *f, uint32_t at, const char *name,
                   enum df_var_origin origin, const char *value, int defined_at, const char *file,
                   int line)
{
    struct df_var v;
    bool found = df_lookup(f, nth(f, at), str_from_cstr(name), &v);
    if (!found) {
        print_error("%s at #%u: not declared\n", name, at);
        _fail(file, line);
    }
    if (v.origin != origin) {
        print_error("%s at #%u: origin %d, expected %d\n", name, at, v.origin, origin);
        _fail(file, line);
    }
    if (value) {
        if (!v.set) {
            print_error("%s at #%u: unset, expected [%s]\n", name, at, value);
            _fail(file, line);
        }
        tm_str_at(v.value, value, file, line);
    } else if (v.set) {
        print_error("%s at #%u: set to [%.*s], expected unset\n", name, at, (int)v.value.len,
                    v.value.ptr);
        _fail(file, line);
    }
    assert_true(v.declared);
    if (defined_at >= 0) {
        if (!v.defined_at || v.defined_at->index != (uint32_t)defined_at) {
            print_error("%s at #%u: defined at #%d, expected #%d\n", name, at,
                        v.defined_at ? (int)v.defined_at->index : -1, defined_at);
            _fail(file, line);
        }
    }
}
#define VAR(f, at, name, origin, value, def)                                                       \
    var_at((f), (at), (name), (origin), (value), (def), __FILE__, __LINE__)

static void no_var_at(const struct df_file *f, uint32_t at, const char *name, const char *file,
                      int line)
{
    struct df_var v;
    if (df_lookup(f, nth(f, at), str_from_cstr(name), &v)) {
        print_error("%s at #%u: declared (origin %d), expected not\n", name, at, v.origin);
        _fail(file, line);
    }
    assert_false(v.set);
}
#define NO_VAR(f, at, name) no_var_at((f), (at), (name), __FILE__, __LINE__)

static const char scoped[] = "ARG GA=g1\n"              /* #0  global */
                             "ARG GB=${GA}-b GC\n"      /* #1  global */
                             "FROM img:${GB} AS base\n" /* #2  stage 0 */
                             "ARG GA\n"                 /* #3  imports g1 */
                             "ARG LOCAL=l\n"            /* #4 */
                             "ENV E1=$LOCAL E2=$GA\n"   /* #5 */
                             "ENV E1=new E3=$E1\n"      /* #6  snapshot: E3=l */
                             "RUN echo\n"               /* #7 */
                             "ARG X=a\n"                /* #8 */
                             "ENV X=b\n"                /* #9 */
                             "ARG X=c\n"                /* #10 the later one wins */
                             "RUN x\n"                  /* #11 */
                             "FROM img AS two\n"        /* #12 stage 1 */
                             "RUN y\n"                  /* #13 */
                             "FROM base AS three\n"     /* #14 stage 2 on stage 0 */
                             "ENV E4=${E1}+${GA}\n"     /* #15 */
                             "ONBUILD RUN echo $E4\n"   /* #16, trigger #17 */
                             "ENV L hello $E1\n";       /* #18 legacy form */

static void test_global_and_stage(void **state)
{
    (void)state;
    struct df_file *f = tm_parse(scoped);
    /* Global scope: FROM lines and later global defaults. */
    VAR(f, 2, "GB", DF_VAR_GLOBAL_ARG, "g1-b", 1);
    VAR(f, 2, "GC", DF_VAR_UNSET, NULL, 1);
    VAR(f, 2, "TARGETSTAGE", DF_VAR_PREDEFINED, "three", -1);
    NO_VAR(f, 1, "GB"); /* not before its own line */
    TM_STR(nth(f, 2)->image.expanded, "img:g1-b");
    /* A stage sees no global ARG until it redeclares it. */
    NO_VAR(f, 3, "GA");
    VAR(f, 4, "GA", DF_VAR_ARG, "g1", 3);
    NO_VAR(f, 4, "GB");
    NO_VAR(f, 4, "TARGETARCH");
    /* The snapshot rule. */
    VAR(f, 6, "E1", DF_VAR_ENV, "l", 5);
    VAR(f, 7, "E1", DF_VAR_ENV, "new", 6);
    VAR(f, 7, "E3", DF_VAR_ENV, "l", 6);
    VAR(f, 7, "E2", DF_VAR_ENV, "g1", 5);
    VAR(f, 7, "LOCAL", DF_VAR_ARG, "l", 4);
    /* ARG and ENV in order. */
    VAR(f, 10, "X", DF_VAR_ENV, "b", 9);
    VAR(f, 11, "X", DF_VAR_ARG, "c", 10);
    /* An unrelated stage sees nothing of stage 0; a child stage sees all. */
    NO_VAR(f, 13, "GA");
    NO_VAR(f, 13, "E1");
    VAR(f, 15, "E1", DF_VAR_ENV, "new", 6);
    VAR(f, 16, "E4", DF_VAR_ENV, "new+g1", 15);
    VAR(f, 16, "LOCAL", DF_VAR_ARG, "l", 4);
    /* A trigger stands where its ONBUILD is. */
    VAR(f, 17, "E4", DF_VAR_ENV, "new+g1", 15);
    NO_VAR(f, 17, "L");
    NO_VAR(f, 18, "L"); /* its own instruction sees the environment before it */
    df_file_free(f);
}

static void test_definition_spans(void **state)
{
    (void)state;
    struct df_file *f = tm_parse(scoped);
    struct df_var v;
    assert_true(df_lookup(f, nth(f, 7), STR_LIT("E3"), &v));
    TM_SRC(f, v.def_span, "E3");
    assert_true(v.def_span.start > nth(f, 6)->span.start);
    df_file_free(f);

    /* The legacy ENV value is expanded whole. */
    f = tm_parse("FROM a\nENV L hello $E\nENV M=$L\n");
    assert_true(df_lookup(f, nth(f, 2), STR_LIT("L"), &v));
    TM_STR(v.value, "hello ");
    df_file_free(f);
}

static void test_build_args_and_predefined(void **state)
{
    (void)state;
    const char *args[] = { "GA=override", "NEWARG=x", "TARGETARCH=riscv64",
                           "ONLYSTAGE=s", "NOVALUE",  NULL };
    struct df_build_opts o = { .build_args = args, .platform = "linux/arm64" };
    struct df_file *f = tm_parse_opts("ARG GA=g1\n"               /* #0 */
                                      "FROM img-$TARGETARCH\n"    /* #1 */
                                      "ARG GA\n"                  /* #2 */
                                      "ARG NEWARG\n"              /* #3 */
                                      "ARG TARGETOS\n"            /* #4 */
                                      "ARG ONLYSTAGE=d NOVALUE\n" /* #5 */
                                      "RUN x\n",                  /* #6 */
                                      &o);
    VAR(f, 1, "GA", DF_VAR_BUILD_ARG, "override", 0);
    VAR(f, 1, "TARGETARCH", DF_VAR_BUILD_ARG, "riscv64", -1);
    VAR(f, 1, "TARGETOS", DF_VAR_PREDEFINED, "linux", -1);
    VAR(f, 1, "TARGETPLATFORM", DF_VAR_PREDEFINED, "linux/arm64", -1);
    VAR(f, 1, "TARGETVARIANT", DF_VAR_PREDEFINED, "", -1);
    VAR(f, 1, "TARGETSTAGE", DF_VAR_PREDEFINED, "default", -1);
    struct df_var v;
    assert_true(df_lookup(f, nth(f, 1), STR_LIT("BUILDPLATFORM"), &v));
    assert_true(v.set && v.value.len > 0);
    NO_VAR(f, 1, "NEWARG"); /* a build arg needs a declaration */
    TM_STR(nth(f, 1)->image.expanded, "img-riscv64");
    VAR(f, 6, "GA", DF_VAR_BUILD_ARG, "override", 2);
    VAR(f, 6, "NEWARG", DF_VAR_BUILD_ARG, "x", 3);
    VAR(f, 6, "TARGETOS", DF_VAR_ARG, "linux", 4);
    VAR(f, 6, "ONLYSTAGE", DF_VAR_BUILD_ARG, "s", 5);
    VAR(f, 6, "NOVALUE", DF_VAR_UNSET, NULL, 5);
    NO_VAR(f, 6, "TARGETARCH");
    df_file_free(f);

    /* Without options: the host platform, and the stage name of the last
     * stage. */
    f = tm_parse("FROM a AS Final\nARG TARGETPLATFORM TARGETSTAGE\nRUN x\n");
    assert_true(df_lookup(f, nth(f, 2), STR_LIT("TARGETPLATFORM"), &v));
    assert_int_equal(v.origin, DF_VAR_ARG);
    assert_non_null(memchr(v.value.ptr, '/', v.value.len));
    VAR(f, 2, "TARGETSTAGE", DF_VAR_ARG, "final", 1);
    df_file_free(f);
}

static void test_expand(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM a\n"
                                 "ENV A=1\n"
                                 "ENV B=\"x \\\n  ${A}y\" C=${A:=z}\n"
                                 "COPY <<EOF /x\n\"$A\" \\$A\nEOF\n"
                                 "COPY --chown=$A:$NOPE src${A} /d\n");
    const struct df_instr *env = nth(f, 2);
    struct exp_result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(df_expand(f, env, &env->pairs[0].value, 0, &r, &e), 0);
    TM_STR(r.value, "x   1y");
    assert_int_equal(r.n_refs, 1);
    uint32_t a = TM_OFF(f, "${A}y", 0);
    TM_SPAN(r.refs[0].span, a, a + 4);
    TM_SPAN(r.refs[0].name_span, a + 2, a + 3);
    assert_true(r.refs[0].set);

    int rc = df_expand(f, env, &env->pairs[1].value, 0, &r, &e);
    assert_int_equal(rc, ERR_SYNTAX);
    assert_string_equal(e.msg, "unsupported modifier (:=) in substitution");
    assert_int_equal(e.line, 4);
    assert_true(e.span.start >= TM_OFF(f, "${A:=z}", 0));
    assert_string_equal(e.path, "Dockerfile");

    /* A COPY heredoc body: `\` escapes, quotes stay. */
    const struct df_instr *copy = nth(f, 3);
    struct df_text body = { str_make(f->src + copy->heredocs[0].body.start,
                                     span_len(copy->heredocs[0].body)),
                            copy->heredocs[0].body };
    assert_int_equal(df_expand(f, copy, &body, EXP_NO_QUOTES, &r, &e), 0);
    TM_STR(r.value, "\"1\" $A\n");

    /* Flags and paths; an unset variable is reported unset. */
    copy = nth(f, 4);
    assert_int_equal(df_expand(f, copy, &copy->flags[0].value, 0, &r, &e), 0);
    TM_STR(r.value, "1:");
    assert_int_equal(r.n_refs, 2);
    assert_false(r.refs[1].set);
    TM_SRC(f, r.refs[1].span, "$NOPE");
    assert_int_equal(df_expand(f, copy, &copy->args[0], 0, &r, &e), 0);
    TM_STR(r.value, "src1");
    df_file_free(f);

    /* The escape directive applies; JSON elements map into the literal. */
    f = tm_parse("# escape=`\nFROM a\nENV A=1\nWORKDIR C:\\x`$A\nCOPY [\"$A\", \"/d\"]\n");
    const struct df_instr *wd = nth(f, 2);
    assert_int_equal(df_expand(f, wd, &wd->args[0], 0, &r, &e), 0);
    TM_STR(r.value, "C:\\x$A");
    copy = nth(f, 3);
    assert_int_equal(df_expand(f, copy, &copy->exec[0], 0, &r, &e), 0);
    TM_STR(r.value, "1");
    TM_SRC(f, r.refs[0].span, "$A");
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_and_stage),
        cmocka_unit_test(test_definition_spans),
        cmocka_unit_test(test_build_args_and_predefined),
        cmocka_unit_test(test_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
