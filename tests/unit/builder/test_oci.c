/* OCI objects: parsing, canonical writing (stable bytes), and errors. */
#include "builder/oci.h"
#include "common/arena.h"
#include "common/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define D1 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define D2 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Keys in an unusual order and with spaces: the writer must normalise. */
static const char manifest_json[] =
    "{ \"layers\": [ {\"size\": 3, \"digest\": \"" D2 "\", \"mediaType\": \"" BLD_MT_OCI_LAYER_GZIP
    "\"} ],\n"
    "  \"schemaVersion\": 2, \"mediaType\": \"" BLD_MT_OCI_MANIFEST "\",\n"
    "  \"config\": {\"mediaType\": \"" BLD_MT_OCI_CONFIG "\", \"size\": 7, \"digest\": \"" D1
    "\"},\n"
    "  \"annotations\": {\"b\": \"2\", \"a\": \"1\"} }";

static void test_manifest_round_trip(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_manifest m;
    struct err e;
    assert_int_equal(bld_manifest_parse(manifest_json, strlen(manifest_json), "m", &a, &m, &e), 0);
    assert_string_equal(m.config.media_type, BLD_MT_OCI_CONFIG);
    assert_int_equal(m.config.size, 7);
    assert_int_equal(m.n_layers, 1);
    assert_int_equal(m.layers[0].size, 3);
    assert_int_equal(m.n_annotations, 2);
    assert_string_equal(m.annotations[0].key, "a");
    struct buf out = BUF_INIT;
    assert_int_equal(bld_manifest_write(&m, &out, &e), 0);
    assert_string_equal(
        buf_cstr(&out),
        "{\"annotations\":{\"a\":\"1\",\"b\":\"2\"},\"config\":{\"digest\":\"" D1
        "\",\"mediaType\":\"" BLD_MT_OCI_CONFIG "\",\"size\":7},\"layers\":[{\"digest\":\"" D2
        "\",\"mediaType\":\"" BLD_MT_OCI_LAYER_GZIP
        "\",\"size\":3}],\"mediaType\":\"" BLD_MT_OCI_MANIFEST "\",\"schemaVersion\":2}");
    /* Writing what was parsed from the canonical form gives the same bytes. */
    struct bld_manifest again;
    assert_int_equal(bld_manifest_parse(out.data, out.len, "m", &a, &again, &e), 0);
    struct buf out2 = BUF_INIT;
    assert_int_equal(bld_manifest_write(&again, &out2, &e), 0);
    assert_string_equal(buf_cstr(&out), buf_cstr(&out2));
    buf_release(&out);
    buf_release(&out2);
    arena_release(&a);
}

static const char config_json[] =
    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\","
    "\"config\":{\"User\":\"app\",\"Env\":[\"PATH=/bin\",\"A=1\"],\"Entrypoint\":[\"/app\"],"
    "\"Cmd\":[],\"WorkingDir\":\"/srv\",\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{}},"
    "\"Volumes\":{\"/data\":{}},\"Labels\":{\"z\":\"last\",\"a\":\"first\"},"
    "\"StopSignal\":\"SIGTERM\",\"OnBuild\":[\"RUN true\"],\"Shell\":[\"/bin/sh\",\"-c\"],"
    "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,\"Retries\":3},"
    "\"ArgsEscaped\":true},"
    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},"
    "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"COPY . /srv\","
    "\"comment\":\"buildkit.dockerfile.v0\"},{\"created_by\":\"ENV A=1\",\"empty_layer\":true}]}";

static void test_config_round_trip(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    struct err e;
    assert_int_equal(bld_config_parse(config_json, strlen(config_json), "c", &a, &c, &e), 0);
    assert_string_equal(c.architecture, "amd64");
    assert_string_equal(c.config.user, "app");
    assert_int_equal(c.config.env.len, 2);
    assert_true(c.config.cmd.set);
    assert_int_equal(c.config.cmd.len, 0);
    assert_false(c.config.entrypoint.len == 0);
    assert_int_equal(c.config.exposed_ports.len, 2);
    assert_string_equal(c.config.exposed_ports.items[0], "53/udp"); /* sorted */
    assert_string_equal(c.config.labels[0].key, "a");
    assert_non_null(c.config.healthcheck);
    assert_int_equal(c.config.healthcheck->interval, 30000000000LL);
    assert_int_equal(c.config.healthcheck->retries, 3);
    assert_int_equal(c.n_diff_ids, 2);
    assert_int_equal(c.n_history, 2);
    assert_true(c.history[1].empty_layer);
    assert_string_equal(c.history[0].comment, "buildkit.dockerfile.v0");
    struct buf out = BUF_INIT;
    assert_int_equal(bld_config_write(&c, &out, &e), 0);
    /* Empty Cmd survives as [] (it differs from an absent Cmd). */
    assert_non_null(strstr(buf_cstr(&out), "\"Cmd\":[]"));
    assert_non_null(strstr(buf_cstr(&out), "\"ExposedPorts\":{\"53/udp\":{},\"8080/tcp\":{}}"));
    struct bld_image_config again;
    assert_int_equal(bld_config_parse(out.data, out.len, "c", &a, &again, &e), 0);
    struct buf out2 = BUF_INIT;
    assert_int_equal(bld_config_write(&again, &out2, &e), 0);
    assert_string_equal(buf_cstr(&out), buf_cstr(&out2));
    buf_release(&out);
    buf_release(&out2);
    arena_release(&a);
}

static void test_index_and_annotations(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *j = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" BLD_MT_OCI_MANIFEST
                    "\",\"digest\":\"" D1 "\",\"size\":10,\"annotations\":{\"" BLD_ANNOT_REF_NAME
                    "\":\"app:1\"},\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
                    "\"variant\":\"v8\"}}]}";
    struct bld_index ix;
    struct err e;
    assert_int_equal(bld_index_parse(j, strlen(j), "ix", &a, &ix, &e), 0);
    assert_int_equal(ix.n_manifests, 1);
    assert_string_equal(bld_descriptor_annotation(&ix.manifests[0], BLD_ANNOT_REF_NAME), "app:1");
    assert_null(bld_descriptor_annotation(&ix.manifests[0], "nope"));
    assert_string_equal(ix.manifests[0].platform->variant, "v8");
    struct buf out = BUF_INIT;
    assert_int_equal(bld_index_write(&ix, &out, &e), 0);
    assert_non_null(strstr(buf_cstr(&out), "\"mediaType\":\"" BLD_MT_OCI_INDEX "\""));
    buf_release(&out);
    assert_true(bld_media_type_is_index(BLD_MT_DOCKER_LIST));
    assert_true(bld_media_type_is_manifest(BLD_MT_DOCKER_MANIFEST));
    assert_false(bld_media_type_is_manifest(BLD_MT_OCI_CONFIG));
    assert_string_equal(bld_layer_media_type(NULL), BLD_MT_OCI_LAYER);
    assert_string_equal(bld_layer_media_type("zstd"), BLD_MT_OCI_LAYER_ZSTD);
    arena_release(&a);
}

static void expect_error(const char *json, enum err_code code, const char *fragment)
{
    struct arena a;
    arena_init(&a);
    struct bld_manifest m;
    struct err e;
    int rc = bld_manifest_parse(json, strlen(json), "manifest 'x'", &a, &m, &e);
    if (rc != (int)code || !strstr(e.msg, fragment))
        fail_msg("for %s: got %d '%s', wanted %d '%s'", json, rc, e.msg, code, fragment);
    arena_release(&a);
}

static void test_manifest_errors(void **state)
{
    (void)state;
    expect_error("{\"schemaVersion\":2,", ERR_SYNTAX, "not valid JSON");
    expect_error("[]", ERR_INVALID, "not a JSON object");
    expect_error("{\"schemaVersion\":1}", ERR_INVALID, "'schemaVersion' must be 2");
    expect_error("{\"schemaVersion\":2,\"layers\":[]}", ERR_INVALID, "missing 'config'");
    expect_error("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:00\","
                 "\"size\":1},\"layers\":[]}",
                 ERR_INVALID, "64 lowercase hex");
    expect_error("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                 "\",\"size\":-1},\"layers\":[]}",
                 ERR_INVALID, "'size'");
    expect_error("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                 "\",\"size\":1}}",
                 ERR_INVALID, "'layers'");
    expect_error("{\"schemaVersion\":2,\"schemaVersion\":2}", ERR_SYNTAX, "duplicate");
    expect_error("{\"schemaVersion\":2,\"mediaType\":\"" BLD_MT_OCI_INDEX "\"}", ERR_INVALID,
                 "not an image manifest");
    /* The position of a syntax error is reported. */
    struct arena a;
    arena_init(&a);
    struct bld_manifest m;
    struct err e;
    assert_int_equal(bld_manifest_parse("{\n\"a\": tru}", 11, "m", &a, &m, &e), ERR_SYNTAX);
    assert_int_equal(e.line, 2);
    arena_release(&a);
}

static void test_config_errors(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct bld_image_config c;
    struct err e;
    const char *no_rootfs = "{\"os\":\"linux\"}";
    assert_int_equal(bld_config_parse(no_rootfs, strlen(no_rootfs), "c", &a, &c, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "'rootfs'"));
    const char *bad_env = "{\"config\":{\"Env\":\"A=1\"},\"rootfs\":{\"diff_ids\":[]}}";
    assert_int_equal(bld_config_parse(bad_env, strlen(bad_env), "c", &a, &c, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "'Env' is not an array of strings"));
    const char *bad_id = "{\"rootfs\":{\"diff_ids\":[\"sha256:zz\"]}}";
    assert_int_equal(bld_config_parse(bad_id, strlen(bad_id), "c", &a, &c, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "entry 1 is not a digest"));
    const char *layout_ok = "{\"imageLayoutVersion\":\"1.0.0\"}";
    assert_int_equal(bld_layout_check(layout_ok, strlen(layout_ok), "l", &e), 0);
    const char *layout_bad = "{\"imageLayoutVersion\":\"2.0.0\"}";
    assert_int_equal(bld_layout_check(layout_bad, strlen(layout_bad), "l", &e), ERR_UNSUPPORTED);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_round_trip),   cmocka_unit_test(test_config_round_trip),
        cmocka_unit_test(test_index_and_annotations), cmocka_unit_test(test_manifest_errors),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
