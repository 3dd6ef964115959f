/* Stages: names, base stages (FROM compares exactly with the lowercased
 * names), edges (FROM, COPY --from by name or index, RUN --mount from=,
 * case-insensitive), the target (last or --target), output stages and the
 * stages the target needs. */
#include "test_model_util.h"

static const char multi[] = "FROM golang AS Build\n"                           /* 0 */
                            "RUN go build\n"                                   /* */
                            "FROM alpine AS base\n"                            /* 1 */
                            "FROM base AS final\n"                             /* 2 */
                            "COPY --from=BUILD /a /a\n"                        /* */
                            "COPY --from=0 /b /b\n"                            /* */
                            "COPY --from=nginx:latest /c /c\n"                 /* */
                            "RUN --mount=type=bind,FROM=Base,target=/x true\n" /* */
                            "FROM Base\n"                                      /* 3 */
                            "FROM scratch AS unused\n"                         /* 4 */
                            "COPY --from=final /x /x\n"                        /* */
                            "COPY --from=4 /y /y\n";

static void test_stages(void **state)
{
    (void)state;
    struct df_file *f = tm_parse(multi);
    const struct df_model *m = &f->model;
    assert_int_equal(m->n_stages, 5);
    TM_STR(m->stages[0].name, "build");
    TM_STR(m->stages[2].name, "final");
    assert_null(m->stages[3].name.ptr);
    assert_int_equal(m->stages[0].base_stage, -1);
    assert_int_equal(m->stages[2].base_stage, 1);
    assert_int_equal(m->stages[3].base_stage, -1); /* "Base" is an image */
    assert_int_equal(m->stages[0].n_instrs, 1);
    assert_int_equal(m->stages[2].n_instrs, 4);
    assert_int_equal(m->stages[2].instrs[0]->kind, DF_COPY);
    assert_int_equal(m->stages[1].n_instrs, 0);
    assert_int_equal(m->target_stage, 4);

    /* Edges in file order. */
    assert_int_equal(m->n_edges, 7);
    static const struct {
        uint32_t from;
        int to;
        const char *ref;
    } want[] = {
        { 2, 1, "base" }, { 2, 0, "BUILD" }, { 2, 0, "0" },  { 2, -1, "nginx:latest" },
        { 2, 1, "Base" }, { 4, 2, "final" }, { 4, -1, "4" },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(want); i++) {
        assert_int_equal(m->edges[i].from_stage, want[i].from);
        assert_int_equal(m->edges[i].to_stage, want[i].to);
        TM_TEXT(m->edges[i].ref, want[i].ref);
    }
    assert_int_equal(m->edges[0].instr->kind, DF_FROM);
    assert_int_equal(m->edges[4].instr->kind, DF_RUN);

    /* The last stage is the target; it is built FROM scratch, and needs
     * final, which needs base and build. */
    static const bool target[] = { false, false, false, false, true };
    static const bool output[] = { false, false, false, false, true };
    static const bool reach[] = { true, true, true, false, true };
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(m->stages[i].index, i);
        assert_int_equal(m->stages[i].is_target, target[i]);
        assert_int_equal(m->stages[i].is_output, output[i]);
        assert_int_equal(m->stages[i].reaches_target, reach[i]);
    }

    const struct df_instr *last = m->instrs[m->n_instrs - 1];
    assert_ptr_equal(df_stage_of(f, last), &m->stages[4]);
    assert_int_equal(df_stage_lookup(f, last, STR_LIT("BASE")), 1);
    assert_int_equal(df_stage_lookup(f, last, STR_LIT("3")), 3);
    assert_int_equal(df_stage_lookup(f, last, STR_LIT("4")), -1);
    assert_int_equal(df_stage_lookup(f, last, STR_LIT("unused")), -1);
    assert_int_equal(df_stage_lookup(f, last, STR_LIT("nope")), -1);
    assert_int_equal(df_stage_lookup(f, NULL, STR_LIT("unused")), 4);
    df_file_free(f);

    /* --target selects a stage by name, case-insensitively. */
    struct df_build_opts o = { .target = "FINAL" };
    f = tm_parse_opts(multi, &o);
    m = &f->model;
    assert_int_equal(m->target_stage, 2);
    static const bool output2[] = { false, true, true, false, false };
    static const bool reach2[] = { true, true, true, false, false };
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(m->stages[i].is_target, i == 2);
        assert_int_equal(m->stages[i].is_output, output2[i]);
        assert_int_equal(m->stages[i].reaches_target, reach2[i]);
    }
    df_file_free(f);

    struct df_build_opts none = { .target = "nope" };
    f = tm_parse_opts(multi, &none);
    assert_int_equal(f->model.target_stage, -1);
    for (uint32_t i = 0; i < 5; i++)
        assert_false(f->model.stages[i].is_target);
    df_file_free(f);
}

static void test_stage_lookup_rules(void **state)
{
    (void)state;
    /* A later duplicate name wins for later lookups; FROM of a later stage
     * is an image; instructions before the first FROM have no stage. */
    struct df_file *f = tm_parse("ARG X=1\nFROM later\nFROM a AS x\nFROM b AS x\nFROM x\n"
                                 "FROM a AS later\nCOPY --from=X /a /a\n");
    const struct df_model *m = &f->model;
    assert_int_equal(m->instrs[0]->stage, -1);
    assert_null(df_stage_of(f, m->instrs[0]));
    assert_int_equal(m->stages[0].base_stage, -1);
    assert_int_equal(m->stages[3].base_stage, 2);
    assert_int_equal(m->edges[m->n_edges - 1].to_stage, 2);
    assert_true(m->stages[4].is_output);
    assert_false(m->stages[3].reaches_target);
    df_file_free(f);

    /* A chain of FROMs: every ancestor of the target is an output stage. */
    f = tm_parse("FROM a AS one\nFROM one AS two\nFROM two AS three\nFROM a AS other\n"
                 "COPY --from=three /x /x\n");
    m = &f->model;
    assert_false(m->stages[0].is_output);
    assert_true(m->stages[0].reaches_target);
    assert_true(m->stages[3].is_output);
    df_file_free(f);

    struct df_build_opts o = { .target = "three" };
    f = tm_parse_opts("FROM a AS one\nFROM one AS two\nFROM two AS three\nFROM a AS other\n", &o);
    m = &f->model;
    assert_true(m->stages[0].is_output);
    assert_true(m->stages[1].is_output);
    assert_true(m->stages[2].is_output);
    assert_false(m->stages[3].is_output);
    assert_false(m->stages[3].reaches_target);
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_stage_lookup_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
