/* Inline pragmas: each form and placement (rules.md "Pragmas and config
 * aliases", BuildKit's check directive and per-instruction `# check=`). */
#include "test_model_util.h"

static void names_are(const struct df_pragma *p, const char *const *want, uint32_t n)
{
    if (p->n_names != n)
        fail_msg("pragma has %u names, expected %u", p->n_names, n);
    for (uint32_t i = 0; i < n; i++)
        TM_TEXT(p->names[i], want[i]);
}

static void test_next_pragmas(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM a\n"
                                 "# dockwright ignore=DW301,apt-unpinned\n"   /* 0 */
                                 "#dockwright ignore = DW1 , DW2 -- reason\n" /* 1 */
                                 "# unrelated comment\n"
                                 "# hadolint ignore=DL3008 # why\n" /* 2 */
                                 "RUN apt-get install x\n"
                                 "# dockwright ignore=X\n" /* 3: a blank line ends it */
                                 "\n"
                                 "RUN b\n"
                                 "# hadolint ignore=DL3008 trailing words\n" /* 4 */
                                 "# dockwright ignore=\n"                    /* 5 */
                                 "RUN c\n"
                                 "# dockwright ignore=LAST\n"); /* 6: nothing follows */
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_pragmas, 7);
    const struct df_instr *run1 = m->instrs[1], *run3 = m->instrs[3];
    static const char *const n0[] = { "DW301", "apt-unpinned" };
    static const char *const n1[] = { "DW1", "DW2" };
    static const char *const n2[] = { "DL3008" };
    static const char *const n4[] = { "DL3008", "trailing", "words" };
    names_are(&m->pragmas[0], n0, 2);
    names_are(&m->pragmas[1], n1, 2);
    names_are(&m->pragmas[2], n2, 1);
    names_are(&m->pragmas[4], n4, 3);
    names_are(&m->pragmas[5], NULL, 0);
    assert_int_equal(m->pragmas[0].origin, DF_PRAGMA_DOCKWRIGHT);
    assert_int_equal(m->pragmas[2].origin, DF_PRAGMA_HADOLINT);
    for (int i = 0; i < 7; i++)
        assert_int_equal(m->pragmas[i].scope, DF_PRAGMA_NEXT);
    assert_ptr_equal(m->pragmas[0].target, run1);
    assert_ptr_equal(m->pragmas[1].target, run1);
    assert_ptr_equal(m->pragmas[2].target, run1);
    assert_null(m->pragmas[3].target);
    assert_ptr_equal(m->pragmas[4].target, run3);
    assert_ptr_equal(m->pragmas[5].target, run3);
    assert_null(m->pragmas[6].target);
    TM_SRC(f, m->pragmas[0].span, "# dockwright ignore=DW301,apt-unpinned");
    uint32_t dw1 = TM_OFF(f, "DW1 ", 0);
    TM_SPAN(m->pragmas[1].names[0].span, dw1, dw1 + 3);
    df_file_free(f);

    /* Not pragmas: other words, no '='. */
    f = tm_parse("# dockwright is great\n# dockwright ignore DW1\n# hadolintignore=DL1\nFROM a\n");
    assert_int_equal(f->model.n_pragmas, 0);
    assert_int_equal(f->model.n_comments, 3);
    df_file_free(f);
}

static void test_global_stage_shell(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("# dockwright stage ignore=S1\n"
                                 "# hadolint stage ignore=S2\n"
                                 "FROM a\n"
                                 "# dockwright global ignore=G1,G2\n"
                                 "RUN x\n"
                                 "# dockwright stage ignore=NOTFROM\n"
                                 "RUN y\n"
                                 "# hadolint global ignore=G3\n"
                                 "# dockwright shell=pwsh\n"
                                 "# dockwright stage ignore=S3\n"
                                 "\n"
                                 "FROM b\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_pragmas, 6);
    assert_int_equal(m->pragmas[0].scope, DF_PRAGMA_STAGE);
    assert_ptr_equal(m->pragmas[0].target, m->instrs[0]);
    assert_int_equal(m->pragmas[1].origin, DF_PRAGMA_HADOLINT);
    assert_int_equal(m->pragmas[1].scope, DF_PRAGMA_STAGE);
    assert_ptr_equal(m->pragmas[1].target, m->instrs[0]);
    assert_int_equal(m->pragmas[2].scope, DF_PRAGMA_GLOBAL);
    assert_null(m->pragmas[2].target);
    assert_int_equal(m->pragmas[2].n_names, 2);
    assert_int_equal(m->pragmas[3].scope, DF_PRAGMA_STAGE);
    assert_null(m->pragmas[3].target); /* not above a FROM */
    assert_int_equal(m->pragmas[4].scope, DF_PRAGMA_GLOBAL);
    assert_int_equal(m->pragmas[4].origin, DF_PRAGMA_HADOLINT);
    assert_null(m->pragmas[5].target); /* a blank line before the FROM */
    TM_TEXT(m->shell_pragma, "pwsh");
    df_file_free(f);

    f = tm_parse("FROM a\n");
    TM_TEXT(f->model.shell_pragma, NULL);
    df_file_free(f);
}

static void test_check_pragmas(void **state)
{
    (void)state;
    /* The directive: the file; the value ends at the first blank. */
    struct df_file *f =
        tm_parse("# check=skip=JSONArgsRecommended,StageNameCasing;error=true // x\n"
                 "FROM a\n"
                 "# check=skip=A,B\n" /* discarded by the empty comment */
                 "#\n"
                 "# check=skip=C\n" /* the first of the block counts */
                 "# check=skip=D\n"
                 "\n"
                 "RUN b\n"
                 "# check=error=true\n"
                 "RUN c\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_pragmas, 2);
    const struct df_pragma *p = &m->pragmas[0];
    assert_int_equal(p->origin, DF_PRAGMA_BUILDKIT);
    assert_int_equal(p->scope, DF_PRAGMA_GLOBAL);
    static const char *const n0[] = { "JSONArgsRecommended", "StageNameCasing" };
    names_are(p, n0, 2);
    p = &m->pragmas[1];
    assert_int_equal(p->scope, DF_PRAGMA_NEXT);
    assert_ptr_equal(p->target, m->instrs[1]);
    static const char *const n1[] = { "C" };
    names_are(p, n1, 1);
    TM_SRC(f, p->span, "# check=skip=C");
    df_file_free(f);

    /* Below a shebang BuildKit still reads check= as the directive. */
    f = tm_parse("#!/usr/bin/env dockerfile\n# syntax=docker/dockerfile:1\n# check=skip=all\n"
                 "FROM a\n");
    m = &f->model;
    assert_int_equal(m->n_directives, 0);
    assert_int_equal(m->n_pragmas, 1);
    assert_int_equal(m->pragmas[0].scope, DF_PRAGMA_GLOBAL);
    static const char *const all[] = { "all" };
    names_are(&m->pragmas[0], all, 1);
    df_file_free(f);

    /* check= as a late comment directly above an instruction is the
     * instruction's; with skip= empty it lists nothing. */
    f = tm_parse("FROM a\n# check=skip=\nRUN x\n");
    m = &f->model;
    assert_int_equal(m->n_pragmas, 1);
    assert_int_equal(m->pragmas[0].n_names, 0);
    assert_ptr_equal(m->pragmas[0].target, m->instrs[1]);
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_pragmas),
        cmocka_unit_test(test_global_stage_shell),
        cmocka_unit_test(test_check_pragmas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
