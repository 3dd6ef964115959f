/* The base image's Env in the model (df_build_opts.base_env), as BuildKit
 * seeds a stage's environment from the image config: found below the
 * stage's ARG and ENV, inherited by stages built on the stage, absent from
 * FROM lines and from stages FROM scratch or another base, and kept by an
 * ARG that has no value to give. */
#include "test_model_util.h"

static const struct df_instr *nth(const struct df_file *f, uint32_t i)
{
    assert_true(i < f->model.n_all_instrs);
    return f->model.all_instrs[i];
}

static const char *expand_at(const struct df_file *f, uint32_t at, const char *word)
{
    const struct df_instr *in = nth(f, at);
    struct df_text w = { str_from_cstr(word), span_make(in->span.start, in->span.start) };
    struct exp_result r;
    struct err e;
    err_clear(&e);
    if (df_expand(f, in, &w, 0, &r, &e) != 0)
        fail_msg("expanding %s: %s", word, e.msg);
    return r.value.ptr;
}

static void test_base_env(void **state)
{
    (void)state;
    static const char df[] = "ARG V=global\n"      /* #0 */
                             "FROM img:$V AS a\n"  /* #1 stage 0 */
                             "RUN x\n"             /* #2 */
                             "ENV FOO=mine-$FOO\n" /* #3 */
                             "ARG PATH\n"          /* #4 no value: keeps PATH */
                             "ARG V\n"             /* #5 imports the global */
                             "ARG BAR=b\n"         /* #6 */
                             "RUN y\n"             /* #7 */
                             "FROM a AS b\n"       /* #8 stage 1 on stage 0 */
                             "RUN z\n"             /* #9 */
                             "FROM scratch\n"      /* #10 stage 2 */
                             "RUN w\n";            /* #11 */
    const char *img[] = { "FOO=bar", "PATH=/opt/bin:/bin", "BAR=image", "V=image", NULL };
    const char *scratch[] = { "FOO=never", NULL };
    const char *const *envs[] = { img, NULL, scratch };
    struct df_build_opts o = { .base_env = envs, .n_base_env = 3 };
    struct df_file *f = tm_parse_opts(df, &o);

    struct df_var v;
    assert_true(df_lookup(f, nth(f, 2), str_from_cstr("FOO"), &v));
    assert_int_equal(v.origin, DF_VAR_BASE_IMAGE);
    TM_STR(v.value, "bar");
    assert_null(v.defined_at);
    assert_string_equal(expand_at(f, 2, "$FOO:$PATH"), "bar:/opt/bin:/bin");
    /* The ENV sees the image's value and replaces it. */
    assert_string_equal(expand_at(f, 7, "$FOO"), "mine-bar");
    /* ARG PATH with no value anywhere leaves the image's PATH. */
    assert_true(df_lookup(f, nth(f, 7), str_from_cstr("PATH"), &v));
    assert_true(v.set);
    TM_STR(v.value, "/opt/bin:/bin");
    assert_int_equal(v.origin, DF_VAR_BASE_IMAGE);
    assert_ptr_equal(v.defined_at, nth(f, 4));
    /* ARG V imports the global value over the image's; ARG BAR=b wins. */
    assert_string_equal(expand_at(f, 7, "$V $BAR"), "global b");
    assert_string_equal(expand_at(f, 2, "$V $BAR"), "image image");
    /* FROM lines never see the image's environment. */
    assert_false(df_lookup(f, nth(f, 1), str_from_cstr("FOO"), &v));
    assert_string_equal(expand_at(f, 8, "[$FOO]"), "[]");
    /* A stage built on stage a inherits all of it. */
    assert_string_equal(expand_at(f, 9, "$FOO $PATH $BAR"), "mine-bar /opt/bin:/bin b");
    /* FROM scratch: no base env even when one is given. */
    assert_false(df_lookup(f, nth(f, 11), str_from_cstr("FOO"), &v));
    df_file_free(f);

    /* Without base_env the names are unknown, as before. */
    f = tm_parse(df);
    assert_false(df_lookup(f, nth(f, 2), str_from_cstr("FOO"), &v));
    assert_string_equal(expand_at(f, 7, "$FOO"), "mine-");
    df_file_free(f);
}

static void test_arg_without_value_keeps_env(void **state)
{
    (void)state;
    /* BuildKit adds nothing for `ARG X` without a value, so X keeps the
     * ENV's value; with a build arg the ARG wins. */
    static const char df[] = "FROM img\nENV X=from-env\nARG X\nRUN echo\n";
    struct df_file *f = tm_parse(df);
    assert_string_equal(expand_at(f, 3, "$X"), "from-env");
    df_file_free(f);
    const char *args[] = { "X=from-arg", NULL };
    struct df_build_opts o = { .build_args = args };
    f = tm_parse_opts(df, &o);
    assert_string_equal(expand_at(f, 3, "$X"), "from-arg");
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_env),
        cmocka_unit_test(test_arg_without_value_keeps_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
