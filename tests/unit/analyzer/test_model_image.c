/* FROM image references: the distribution reference grammar (implicit
 * Docker Hub, registries with ports, tags, digests, invalid shapes),
 * expansion with global ARGs, build args and the predefined platform ARGs,
 * scratch. */
#include "test_model_util.h"

struct ref_case {
    const char *image;
    bool valid;
    const char *registry, *repository, *tag, *digest;
};

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_ref(const struct ref_case *c)
{
    char text[512];
    snprintf(text, sizeof text, "FROM %s\n", c->image);
    struct df_file *f = tm_parse(text);
    assert_int_equal(f->model.n_instrs, 1);
    const struct df_image_ref *r = &f->model.instrs[0]->image;
    if (r->valid != c->valid)
        fail_msg("%s: valid is %d, expected %d", c->image, r->valid, c->valid);
    TM_STR(r->expanded, c->image);
    assert_false(r->has_variables);
    if (c->repository) {
        TM_STR(r->registry, c->registry);
        TM_STR(r->repository, c->repository);
        TM_STR(r->tag, c->tag);
        TM_STR(r->digest, c->digest);
    }
    df_file_free(f);
}

static void test_valid_refs(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        { "alpine", true, NULL, "alpine", NULL, NULL },
        { "alpine:3.20", true, NULL, "alpine", "3.20", NULL },
        { "library/alpine:latest", true, NULL, "library/alpine", "latest", NULL },
        { "docker.io/library/alpine", true, "docker.io", "library/alpine", NULL, NULL },
        { "registry.example.com:5000/team/app:1.2", true, "registry.example.com:5000", "team/app",
          "1.2", NULL },
        { "localhost/app", true, "localhost", "app", NULL, NULL },
        { "localhost:5000/app:v1", true, "localhost:5000", "app", "v1", NULL },
        { "MyRegistry/app", true, "MyRegistry", "app", NULL, NULL },
        { "[::1]:5000/app", true, "[::1]:5000", "app", NULL, NULL },
        { "app@sha256:" HEX64, true, NULL, "app", NULL, "sha256:" HEX64 },
        { "ghcr.io/o/app:1@sha256:" HEX64, true, "ghcr.io", "o/app", "1", "sha256:" HEX64 },
        { "a__b/c.d-e---f", true, NULL, "a__b/c.d-e---f", NULL, NULL },
        { "app:_x.Y-1", true, NULL, "app", "_x.Y-1", NULL },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++)
        check_ref(&cases[i]);
}

static void test_invalid_refs(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        /* A short digest parses but is no sha256. */
        { "registry.example.com:5000/team/app:1.2@sha256:abcd", false, "registry.example.com:5000",
          "team/app", "1.2", "sha256:abcd" },
        { "Alpine", false, NULL, "Alpine", NULL, NULL },
        { "app@md5:" HEX64, false, NULL, "app", NULL, "md5:" HEX64 },
        { "app@sha256:" HEX64 "00", false, NULL, NULL, NULL, NULL },
        { "app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false,
          NULL, NULL, NULL, NULL },
        { "a//b", false, NULL, NULL, NULL, NULL },
        { "a:", false, NULL, NULL, NULL, NULL },
        { "-a", false, NULL, NULL, NULL, NULL },
        { "a___b", false, NULL, NULL, NULL, NULL },
        { "a-_b", false, NULL, NULL, NULL, NULL },
        { "a..b", false, NULL, NULL, NULL, NULL },
        { "a:b:c", false, NULL, NULL, NULL, NULL },
        { "reg-.io/a", false, NULL, NULL, NULL, NULL },
        { "reg.io:x/a", false, NULL, NULL, NULL, NULL },
        { "app:-tag", false, NULL, NULL, NULL, NULL },
    };
    for (size_t i = 0; i < DW_ARRAY_LEN(cases); i++)
        check_ref(&cases[i]);

    char tag[160] = "FROM app:";
    memset(tag + 9, 'x', 129);
    tag[9 + 129] = '\0';
    struct df_file *f = tm_parse(tag);
    assert_false(f->model.instrs[0]->image.valid);
    df_file_free(f);
}

static void test_scratch(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("FROM scratch\nFROM Scratch\n");
    assert_true(f->model.instrs[0]->image.is_scratch);
    assert_true(f->model.instrs[0]->image.valid);
    assert_false(f->model.instrs[1]->image.is_scratch);
    df_file_free(f);
}

static void test_variables(void **state)
{
    (void)state;
    struct df_file *f = tm_parse("ARG BASE=alpine\nARG TAG=3\n"
                                 "FROM ${BASE}:${TAG}-slim AS b\n"
                                 "FROM ${NOPE}\n"
                                 "FROM \"alpine\"\n"
                                 "FROM $REGISTRY/app\n"
                                 "ARG LATE=x\n"
                                 "FROM img:${LATE:-none}\n");
    const struct df_image_ref *r = &f->model.instrs[2]->image;
    TM_TEXT(r->text, "${BASE}:${TAG}-slim");
    TM_STR(r->expanded, "alpine:3-slim");
    assert_true(r->has_variables);
    assert_true(r->valid);
    TM_STR(r->repository, "alpine");
    TM_STR(r->tag, "3-slim");
    r = &f->model.instrs[3]->image;
    TM_STR(r->expanded, "");
    assert_true(r->has_variables);
    assert_false(r->valid);
    r = &f->model.instrs[4]->image;
    TM_STR(r->expanded, "alpine");
    assert_false(r->has_variables);
    assert_true(r->valid);
    r = &f->model.instrs[5]->image;
    TM_STR(r->expanded, "/app");
    assert_false(r->valid);
    /* An ARG after the first FROM belongs to a stage, not to FROM lines. */
    r = &f->model.instrs[7]->image;
    TM_STR(r->expanded, "img:none");
    df_file_free(f);

    /* Build args override declared global ARGs only; the predefined
     * platform ARGs follow the target platform. */
    const char *args[] = { "REGISTRY=r.io:5000", "UNDECLARED=x", NULL };
    struct df_build_opts o = { .build_args = args, .platform = "linux/arm/v7" };
    f = tm_parse_opts("ARG REGISTRY=docker.io\n"
                      "FROM --platform=$BUILDPLATFORM $REGISTRY/img-$TARGETARCH$TARGETVARIANT\n"
                      "FROM ${UNDECLARED:-u}\n",
                      &o);
    r = &f->model.instrs[1]->image;
    TM_STR(r->expanded, "r.io:5000/img-armv7");
    TM_STR(r->registry, "r.io:5000");
    assert_true(r->valid);
    TM_STR(f->model.instrs[2]->image.expanded, "u");
    df_file_free(f);

    /* A malformed substitution leaves the text as written, invalid. */
    f = tm_parse("FROM ${A:=x}\n");
    r = &f->model.instrs[0]->image;
    TM_STR(r->expanded, "${A:=x}");
    assert_false(r->valid);
    df_file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_refs),
        cmocka_unit_test(test_invalid_refs),
        cmocka_unit_test(test_scratch),
        cmocka_unit_test(test_variables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
