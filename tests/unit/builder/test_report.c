/* The build report: human-readable sizes, steps matched to the image's
 * layers, the JSON format (exact members, a round trip, errors) and the
 * table, compared as text. */
#include "builder/analysis.h"
#include "builder/extract.h"
#include "builder/report.h"
#include "common/buf.h"
#include "common/fileio.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void test_human_size(void **state)
{
    (void)state;
    char s[BLD_HUMAN_SIZE_MAX];
    assert_string_equal(bld_human_size(0, s), "0 B");
    assert_string_equal(bld_human_size(999, s), "999 B");
    assert_string_equal(bld_human_size(1000, s), "1.00 kB");
    assert_string_equal(bld_human_size(1234, s), "1.23 kB");
    assert_string_equal(bld_human_size(45200000, s), "45.2 MB");
    assert_string_equal(bld_human_size(123456789, s), "123 MB");
    assert_string_equal(bld_human_size(999600, s), "1.00 MB");
    assert_string_equal(bld_human_size(99960, s), "100 kB");
    assert_string_equal(bld_human_size(2000000000000ULL, s), "2.00 TB");
    assert_string_equal(bld_human_size(UINT64_MAX, s), "18.4 EB");
}

static struct bld_digest digest_of(const char *s)
{
    struct bld_digest d;
    bld_digest_of(s, strlen(s), &d);
    return d;
}

/* An image of three layers: a base layer (50 MB of libraries), a RUN that
 * downloads a 100 MB SDK, and a RUN that deletes it. The report has five
 * steps: FROM (no layer), both RUNs, ENV, and a step of another stage
 * whose layer is not in the image. */
static void build_report(struct bld_report *r, struct bld_analysis **out_an)
{
    const uint64_t mb = 1000 * 1000;
    struct bld_analysis *an = bld_analysis_new();
    struct err e;
    static const struct {
        const char *path;
        uint64_t size;
    } layers[3][2] = {
        { { "usr/lib/libbig.so", 50 * mb }, { "etc/os-release", 400 } },
        { { "opt/sdk.tgz", 100 * mb }, { "opt/sdk/bin/tool", 2 * mb } },
        { { "opt/.wh.sdk.tgz", 0 }, { "etc/os-release", 500 } },
    };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bld_analysis_layer_begin(an, &e), 0);
        for (int k = 0; k < 2; k++)
            assert_int_equal(
                bld_analysis_entry(an, layers[i][k].path, BLD_ENTRY_FILE, layers[i][k].size, &e),
                0);
        assert_int_equal(bld_analysis_layer_end(an, &e), 0);
        struct bld_layer_stats *ls = bld_analysis_layer(an, (size_t)i);
        ls->has_digest = true;
        ls->digest = digest_of(i == 0 ? "base" : i == 1 ? "sdk" : "cleanup");
        ls->compressed_size = i == 0 ? 20 * mb : i == 1 ? 90 * mb : 300;
    }
    bld_report_init(r);
    bld_report_add_step(r, "build", 1, "FROM debian:12", BLD_CACHE_HIT, 0.25);
    struct bld_report_step *st = bld_report_add_step(
        r, "build", 3, "RUN curl -o /opt/sdk.tgz https://example.com/sdk", BLD_CACHE_MISS, 12.3456);
    /* the builder knows the layer before the image is complete: no waste
     * yet */
    bld_report_step_set_layer(st, bld_analysis_layer(an, 1));
    st->layer.wasted_bytes = 0;
    st = bld_report_add_step(r, "build", 4, "RUN rm /opt/sdk.tgz \\\n    && echo done",
                             BLD_CACHE_HIT, 0.0);
    bld_report_step_set_layer(st, bld_analysis_layer(an, 2));
    bld_report_add_step(r, "build", 5, "ENV PATH=/opt/sdk/bin:$PATH", BLD_CACHE_HIT, 0.001);
    st = bld_report_add_step(r, "other", 9, "COPY --from=build /opt /opt", BLD_CACHE_MISS, 1.5);
    struct bld_layer_stats other = { 0 };
    other.has_digest = true;
    other.digest = digest_of("not in the image");
    other.size = 7;
    other.files = 1;
    other.compressed_size = 120;
    bld_report_step_set_layer(st, &other);
    struct bld_image_analysis res;
    struct arena a;
    arena_init(&a);
    assert_int_equal(bld_analysis_finish(an, SIZE_MAX, &a, &res, &e), 0);
    struct bld_digest manifest = digest_of("manifest");
    bld_report_set_image(r, &manifest, &res, 10);
    arena_release(&a);
    if (out_an)
        *out_an = an;
    else
        bld_analysis_free(an);
}

static void test_set_image(void **state)
{
    (void)state;
    struct bld_report r;
    build_report(&r, NULL);
    assert_int_equal(r.steps.len, 5);
    const struct bld_report_step *sdk = &r.steps.items[1];
    assert_int_equal(sdk->layer.index, 1);
    assert_int_equal(sdk->layer.wasted_bytes, 100 * 1000 * 1000);
    assert_int_equal(sdk->layer.size, 102 * 1000 * 1000);
    assert_int_equal(sdk->layer.compressed_size, 90 * 1000 * 1000);
    assert_int_equal(r.steps.items[2].layer.index, 2);
    assert_int_equal(r.steps.items[2].layer.removed_bytes, 100 * 1000 * 1000 + 400);
    assert_int_equal(r.steps.items[2].layer.whiteouts, 1);
    assert_false(r.steps.items[3].has_layer);
    assert_int_equal(r.steps.items[4].layer.index, -1);
    assert_int_equal(r.steps.items[4].layer.size, 7);
    assert_true(r.has_image);
    assert_int_equal(r.image.layers, 3);
    assert_int_equal(r.image.wasted_bytes, 100 * 1000 * 1000 + 400);
    assert_int_equal(r.image.n_wasted_paths, 2);
    assert_string_equal(r.image.wasted_paths[0].path, "/opt/sdk.tgz");
    assert_string_equal(r.image.wasted_paths[1].path, "/etc/os-release");
    assert_true(r.image.wasted_paths[1].overwritten);
    bld_report_release(&r);
}

static const char expected_json_start[] = "{\n"
                                          "  \"version\": 1,\n"
                                          "  \"image\": {\n"
                                          "    \"digest\": \"sha256:";

static void test_json_round_trip(void **state)
{
    (void)state;
    struct bld_report r;
    build_report(&r, NULL);
    struct buf j1 = BUF_INIT, j2 = BUF_INIT;
    struct err e;
    assert_int_equal(bld_report_write_json(&r, &j1, &e), 0);
    const char *s = buf_cstr(&j1);
    assert_memory_equal(s, expected_json_start, strlen(expected_json_start));
    /* the members issue #7 lists, in its order */
    assert_non_null(strstr(s, "    \"size\": 152000900,\n"
                              "    \"compressed_size\": 110000300,\n"
                              "    \"layers\": 3,\n"
                              "    \"wasted_bytes\": 100000400,\n"
                              "    \"efficiency\": 0.342106527000827,\n"));
    assert_non_null(strstr(s, "      \"stage\": \"build\",\n"
                              "      \"line\": 1,\n"
                              "      \"instruction\": \"FROM debian:12\",\n"
                              "      \"cache\": \"hit\",\n"
                              "      \"seconds\": 0.25,\n"
                              "      \"layer\": null\n"));
    assert_non_null(strstr(s, "\"seconds\": 12.346,\n"));
    assert_non_null(strstr(s, "      \"layer\": {\n"
                              "        \"digest\": \"sha256:"));
    assert_non_null(strstr(s, "        \"size\": 102000000,\n"
                              "        \"compressed_size\": 90000000,\n"
                              "        \"files\": 2,\n"
                              "        \"wasted_bytes\": 100000000,\n"));
    assert_non_null(strstr(s, "\"instruction\": \"RUN rm /opt/sdk.tgz \\\\\\n    && echo done\""));
    assert_non_null(strstr(s, "\"index\": null"));
    assert_non_null(strstr(s, "\"wasted_user_percent\": 0.980396174528556"));
    assert_non_null(strstr(s, "\"totals\": {\n"
                              "    \"steps\": 5,\n"
                              "    \"cache_hits\": 3,\n"
                              "    \"cache_misses\": 2,\n"
                              "    \"seconds\": 14.097\n"));
    assert_int_equal(s[j1.len - 1], '\n');
    /* read back and written again: the same text */
    struct bld_report back;
    bld_report_init(&back);
    if (bld_report_parse_json(j1.data, j1.len, "mem", &back, &e) != 0)
        fail_msg("parse: %s", e.msg);
    assert_int_equal(bld_report_write_json(&back, &j2, &e), 0);
    assert_string_equal(buf_cstr(&j1), buf_cstr(&j2));
    assert_int_equal(back.steps.len, 5);
    assert_string_equal(back.steps.items[2].instruction,
                        "RUN rm /opt/sdk.tgz \\\n    && echo done");
    assert_int_equal(back.steps.items[2].cache, BLD_CACHE_HIT);
    assert_true(back.steps.items[1].layer.has_diff_id == r.steps.items[1].layer.has_diff_id);
    assert_true(bld_digest_eq(&back.steps.items[1].layer.digest, &r.steps.items[1].layer.digest));
    assert_true(bld_digest_eq(&back.image.digest, &r.image.digest));
    assert_true(fabs(back.image.efficiency - r.image.efficiency) < 1e-14);
    assert_true(back.image.wasted_paths[1].overwritten);
    bld_report_release(&back);
    buf_release(&j1);
    buf_release(&j2);
    bld_report_release(&r);
}

/* A report with no image and undefined ratios, and odd text. */
static void test_json_edges(void **state)
{
    (void)state;
    struct bld_report r;
    bld_report_init(&r);
    bld_report_add_step(&r, "0", 2, "RUN echo \xff\xfe caf\xc3\xa9", BLD_CACHE_MISS, -3);
    bld_report_add_step(&r, "0", 3, "RUN x", BLD_CACHE_MISS, INFINITY);
    bld_report_add_step(&r, "0", 4, "RUN y", BLD_CACHE_MISS, NAN);
    struct buf j = BUF_INIT;
    struct err e;
    assert_int_equal(bld_report_write_json(&r, &j, &e), 0);
    assert_non_null(strstr(buf_cstr(&j), "\"image\": null"));
    /* invalid UTF-8 is replaced, valid UTF-8 kept */
    assert_non_null(strstr(buf_cstr(&j), "\"RUN echo ?? caf\xc3\xa9\""));
    assert_non_null(strstr(buf_cstr(&j), "\"seconds\": 0.0"));
    struct bld_report back;
    bld_report_init(&back);
    assert_int_equal(bld_report_parse_json(j.data, j.len, "mem", &back, &e), 0);
    assert_false(back.has_image);
    assert_int_equal(back.steps.len, 3);
    assert_true(back.steps.items[1].seconds == 0 && back.steps.items[2].seconds == 0);
    bld_report_release(&back);
    buf_release(&j);
    /* an infinite ratio is null, and comes back infinite */
    struct bld_image_analysis an;
    memset(&an, 0, sizeof an);
    an.efficiency = 1.0;
    an.dive.efficiency = 1.0;
    an.dive.wasted_user_percent = INFINITY;
    bld_report_set_image(&r, NULL, &an, 10);
    buf_init(&j, 0);
    assert_int_equal(bld_report_write_json(&r, &j, &e), 0);
    assert_non_null(strstr(buf_cstr(&j), "\"wasted_user_percent\": null"));
    assert_non_null(strstr(buf_cstr(&j), "\"digest\": null"));
    bld_report_init(&back);
    assert_int_equal(bld_report_parse_json(j.data, j.len, "mem", &back, &e), 0);
    assert_true(isinf(back.image.dive_wasted_user_percent));
    assert_false(back.image.has_digest);
    bld_report_release(&back);
    buf_release(&j);
    bld_report_release(&r);
}

static void expect_parse_error(const char *json, int code, const char *msg)
{
    struct bld_report r;
    bld_report_init(&r);
    struct err e;
    err_clear(&e);
    assert_int_equal(bld_report_parse_json(json, strlen(json), "r.json", &r, &e), code);
    if (!strstr(e.msg, msg))
        fail_msg("message '%s' lacks '%s'", e.msg, msg);
    bld_report_release(&r);
}

static void test_json_errors(void **state)
{
    (void)state;
    expect_parse_error("{\"version\": 1,\n \"steps\": [}", ERR_SYNTAX, "");
    struct bld_report r;
    bld_report_init(&r);
    struct err e;
    assert_int_equal(bld_report_parse_json("{\n\"version\": 1,\n x}", 18, "r.json", &r, &e),
                     ERR_SYNTAX);
    assert_string_equal(e.path, "r.json");
    assert_int_equal(e.line, 3);
    bld_report_release(&r);
    expect_parse_error("[]", ERR_INVALID, "expected a JSON object");
    expect_parse_error("{\"steps\": []}", ERR_INVALID, "version: expected an integer");
    expect_parse_error("{\"version\": 2, \"steps\": []}", ERR_UNSUPPORTED,
                       "version 2 is not supported");
    expect_parse_error("{\"version\": 1}", ERR_INVALID, "steps: expected an array");
#define STEPS(second)                                                                              \
    "{\"version\": 1, \"steps\": [{\"stage\": \"a\", \"line\": 1, \"instruction\": \"RUN x\", "    \
    "\"cache\": \"hit\", \"seconds\": 1, \"layer\": null}, " second "]}"
    expect_parse_error(STEPS("{\"stage\": \"a\", \"line\": 1, \"instruction\": \"RUN x\", "
                             "\"cache\": \"maybe\", \"seconds\": 1, \"layer\": null}"),
                       ERR_INVALID, "'r.json': steps[1].cache: expected \"hit\" or \"miss\"");
    expect_parse_error(STEPS("{\"stage\": \"a\", \"line\": -1, \"instruction\": \"RUN x\", "
                             "\"cache\": \"hit\", \"seconds\": 1, \"layer\": null}"),
                       ERR_INVALID, "steps[1].line: expected a non-negative integer");
    expect_parse_error(STEPS("{\"stage\": \"a\", \"line\": 1, \"instruction\": \"RUN x\", "
                             "\"cache\": \"hit\", \"seconds\": 1}"),
                       ERR_INVALID, "steps[1].layer: expected an object or null");
    expect_parse_error(STEPS("{\"stage\": \"a\", \"line\": 1, \"instruction\": \"RUN x\", "
                             "\"cache\": \"hit\", \"seconds\": 1, \"layer\": {\"digest\": "
                             "\"md5:00\", \"size\": 1, \"compressed_size\": 1, \"files\": 1, "
                             "\"wasted_bytes\": 0}}"),
                       ERR_INVALID, "steps[1].layer.digest: expected a digest");
    expect_parse_error(STEPS("7"), ERR_INVALID, "steps[1]: expected an object");
#undef STEPS
    expect_parse_error("{\"version\": 1, \"steps\": [], \"image\": {\"digest\": null}}",
                       ERR_INVALID, "image.size: expected a non-negative integer");
    expect_parse_error("{\"version\": 1, \"steps\": [], \"image\": {\"digest\": null, \"size\": 1, "
                       "\"compressed_size\": 1, \"layers\": 1, \"wasted_bytes\": 0, "
                       "\"efficiency\": 1, \"dive\": {\"efficiency\": \"x\"}}}",
                       ERR_INVALID, "image.dive.efficiency: expected a non-negative number");
}

/* 0.25 s shows as 0.2s: printf rounds an exact half to even. */
static const char expected_table[] =
    "STEP   STAGE  LINE  INSTRUCTION                               "
    "        CACHE   TIME  LAYER    SIZE  COMPRESSED  FILES  WASTED\n"
    "1      build     1  FROM debian:12                            "
    "        hit     0.2s      -       -           -      -       -\n"
    "2      build     3  RUN curl -o /opt/sdk.tgz https://example.c"
    "om/sdk  miss   12.3s      2  102 MB     90.0 MB      2  100 MB\n"
    "3      build     4  RUN rm /opt/sdk.tgz \\ && echo done       "
    "         hit     0.0s      3   500 B       300 B      1     0 B\n"
    "4      build     5  ENV PATH=/opt/sdk/bin:$PATH               "
    "        hit     0.0s      -       -           -      -       -\n"
    "5      other     9  COPY --from=build /opt /opt               "
    "        miss    1.5s      -     7 B       120 B      1     0 B\n"
    "total                                                         "
    "        3/5    14.1s         102 MB     90.0 MB      4  100 MB\n"
    "\n"
    "image sha256:";

static const char expected_tail[] =
    ": 3 layers, 152 MB, 110 MB compressed; wasted 100 MB, efficiency 34.2%\n"
    "dive  efficiency 34.2%, wasted 100 MB, user size 102 MB, wasted/user 98.0%\n"
    "wasted files (largest 2):\n"
    "  100 MB  /opt/sdk.tgz  (layer 2, deleted in layer 3)\n"
    "   400 B  /etc/os-release  (layer 1, overwritten in layer 3)\n";

static void test_table(void **state)
{
    (void)state;
    struct bld_report r;
    build_report(&r, NULL);
    struct buf t = BUF_INIT;
    struct err e;
    struct bld_report_table_opts o = { 0, 5, false };
    assert_int_equal(bld_report_write_table(&r, &o, &t, &e), 0);
    const char *s = buf_cstr(&t);
    if (strncmp(s, expected_table, strlen(expected_table)) != 0) {
        fprintf(stderr, "table differs:\n%s\nexpected:\n%s\n", s, expected_table);
        fail();
    }
    const char *tail = s + strlen(expected_table) + 12; /* the short digest */
    assert_string_equal(tail, expected_tail);
    /* a narrow instruction column cuts with "..." */
    buf_reset(&t);
    o.instruction_width = 12;
    o.max_paths = 0;
    assert_int_equal(bld_report_write_table(&r, &o, &t, &e), 0);
    assert_non_null(strstr(buf_cstr(&t), "  RUN curl...   miss"));
    assert_non_null(strstr(buf_cstr(&t), "  RUN rm /o...  hit "));
    assert_null(strstr(buf_cstr(&t), "wasted files"));
    /* an image's history: no stage, line, cache or time */
    buf_reset(&t);
    o.history = true;
    assert_int_equal(bld_report_write_table(&r, &o, &t, &e), 0);
    assert_memory_equal(buf_cstr(&t),
                        "STEP   INSTRUCTION   LAYER    SIZE  COMPRESSED  FILES  WASTED\n"
                        "1      FROM debi...      -       -           -      -       -\n",
                        124);
    /* no step has trailing blanks */
    for (const char *p = buf_cstr(&t); (p = strchr(p, '\n')) != NULL; p++)
        assert_true(p[-1] != ' ');
    buf_release(&t);
    bld_report_release(&r);
}

static void test_table_text_cleanup(void **state)
{
    (void)state;
    struct bld_report r;
    bld_report_init(&r);
    bld_report_add_step(&r, "café", 1, "RUN \x1b[31mred\t\ttext   \n", BLD_CACHE_MISS, 0.04);
    bld_report_add_step(&r, "x", 2, "RUN ééééééééééééééé", BLD_CACHE_MISS, 0.05);
    struct buf t = BUF_INIT;
    struct err e;
    struct bld_report_table_opts o = { 10, 0, false };
    assert_int_equal(bld_report_write_table(&r, &o, &t, &e), 0);
    const char *s = buf_cstr(&t);
    /* escape bytes are shown, not sent; UTF-8 counts one column a
     * character, and is cut on a character boundary */
    assert_non_null(strstr(s, "1      café      1  RUN ?[3...   miss   0.0s"));
    assert_non_null(strstr(s, "2      x         2  RUN ééé...   miss   0.1s"));
    assert_null(strchr(s, '\x1b'));
    buf_release(&t);
    bld_report_release(&r);
}

static void test_save_and_load(void **state)
{
    (void)state;
    char dir[512];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dw-report-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/report.json", dir);
    struct bld_report r, back;
    build_report(&r, NULL);
    struct err e;
    assert_int_equal(bld_report_save(&r, path, &e), 0);
    bld_report_init(&back);
    assert_int_equal(bld_report_load(path, &back, &e), 0);
    assert_int_equal(back.steps.len, r.steps.len);
    assert_int_equal(back.image.size, r.image.size);
    bld_report_release(&back);
    snprintf(path, sizeof path, "%s/missing.json", dir);
    bld_report_init(&back);
    assert_int_equal(bld_report_load(path, &back, &e), ERR_IO);
    bld_report_release(&back);
    bld_report_release(&r);
    assert_int_equal(bld_remove_tree(dir, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human_size),         cmocka_unit_test(test_set_image),
        cmocka_unit_test(test_json_round_trip),    cmocka_unit_test(test_json_edges),
        cmocka_unit_test(test_json_errors),        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_text_cleanup), cmocka_unit_test(test_save_and_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
