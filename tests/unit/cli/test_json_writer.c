/* The streaming JSON writer (out_jw) against jansson through out_jdump:
 * `lint --format json` must stay byte-identical to the jansson layout it
 * replaced, so every case builds the same value both ways and compares
 * the text: random strings (control bytes, NUL, invalid and valid UTF-8),
 * nesting, empty containers, integers, null, indentation. Also out_write
 * (the report written as it is joined) against out_join. */
#include "cli/output.h"
#include "cli/output_int.h"
#include "common/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

static void assert_same(json_t *j, struct out_jw *w, struct buf *got, int indent)
{
    assert_int_equal(out_jw_end(w), 0);
    struct buf want = BUF_INIT;
    assert_int_equal(out_jdump(j, indent, &want), 0);
    if (want.len != got->len || memcmp(want.data, got->data, want.len) != 0)
        fail_msg("writer:\n%s\njansson:\n%s", buf_cstr(got), buf_cstr(&want));
    buf_release(&want);
}

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Bytes biased towards what escaping and UTF-8 checking must handle. */
static size_t random_text(char *s, size_t max)
{
    static const char *const pieces[] = {
        "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x90\xB3",
        "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
        "\xE2\x82", "\x80",         "\xFF",
        "\"",       "\\",           "/",
        "\x7F",     "\x1B",
    };
    size_t n = 0, want = next() % 24;
    while (n < want && n + 4 < max) {
        uint32_t r = next() % 10;
        if (r < 4) {
            s[n++] = (char)(next() % 0x20);
        } else if (r < 7) {
            s[n++] = (char)(0x20 + next() % 0x60);
        } else {
            const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
            size_t k = strlen(p);
            memcpy(s + n, p, k);
            n += k;
        }
    }
    return n;
}

static void test_random_strings(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        char text[64];
        size_t n = random_text(text, sizeof text);
        struct buf got = BUF_INIT;
        struct out_jw w;
        out_jw_init(&w, &got, 4);
        out_jw_open(&w, '{');
        out_jw_key(&w, "text");
        out_jw_str(&w, text, n);
        out_jw_close(&w, '}');
        json_t *j = json_object();
        json_object_set_new(j, "text", out_jstr(text, n));
        assert_same(j, &w, &got, 4);
        buf_release(&got);
    }
}

/* Long strings of mostly plain text with now and then a byte that needs
 * care, at every offset of the eight-byte blocks the writer tests at
 * once (out_jw_str's plain_prefix). */
static void test_long_strings(void **state)
{
    (void)state;
    static const char *const odd[] = { "\"",   "\\", "\x1F", "\x7F", "\x80", "\xC3\xA9",
                                       "\xFF", "\n", " ",    "~",    "\x00", "\xE2\x82" };
    for (int round = 0; round < 3000; round++) {
        char text[256];
        size_t n = next() % 200;
        for (size_t i = 0; i < n; i++)
            text[i] = (char)('!' + next() % 90);
        for (uint32_t k = next() % 3; k > 0 && n > 2; k--) {
            const char *o = odd[next() % (sizeof odd / sizeof odd[0])];
            size_t len = o[0] ? strlen(o) : 1, at = next() % (n - 1);
            if (at + len <= n)
                memcpy(text + at, o, len);
        }
        struct buf got = BUF_INIT;
        struct out_jw w;
        out_jw_init(&w, &got, 2);
        out_jw_open(&w, '[');
        out_jw_str(&w, text, n);
        out_jw_close(&w, ']');
        json_t *j = json_array();
        json_array_append_new(j, out_jstr(text, n));
        assert_same(j, &w, &got, 2);
        buf_release(&got);
    }
}

/* Keys given quoted (OUT_JW_KEY), first and later in an object, nested
 * deeper than the writer's run of indentation spaces. */
static void test_quoted_keys(void **state)
{
    (void)state;
    struct buf got = BUF_INIT;
    struct out_jw w;
    out_jw_init(&w, &got, 4);
    json_t *root = json_object(), *cur = root;
    out_jw_open(&w, '{');
    for (int d = 0; d < 30; d++) {
        OUT_JW_KEY(&w, "a");
        out_jw_int(&w, d);
        json_object_set_new(cur, "a", json_integer(d));
        OUT_JW_KEY(&w, "next");
        out_jw_open(&w, '{');
        json_t *o = json_object();
        json_object_set_new(cur, "next", o);
        cur = o;
    }
    OUT_JW_KEY(&w, "last");
    out_jw_cstr(&w, "x");
    json_object_set_new(cur, "last", json_string("x"));
    for (int d = 0; d <= 30; d++)
        out_jw_close(&w, '}');
    assert_same(root, &w, &got, 4);
    buf_release(&got);
}

static void test_structure(void **state)
{
    (void)state;
    struct buf got = BUF_INIT;
    struct out_jw w;
    out_jw_init(&w, &got, 2);
    out_jw_open(&w, '{');
    out_jw_key(&w, "n");
    out_jw_int(&w, -9223372036854775807LL - 1);
    out_jw_key(&w, "big");
    out_jw_int(&w, 4294967295LL);
    out_jw_key(&w, "none");
    out_jw_null(&w);
    out_jw_key(&w, "yes");
    out_jw_bool(&w, true);
    out_jw_key(&w, "no");
    out_jw_bool(&w, false);
    out_jw_key(&w, "cnull");
    out_jw_cstr(&w, NULL);
    out_jw_key(&w, "empty_a");
    out_jw_open(&w, '[');
    out_jw_close(&w, ']');
    out_jw_key(&w, "empty_o");
    out_jw_open(&w, '{');
    out_jw_close(&w, '}');
    out_jw_key(&w, "list");
    out_jw_open(&w, '[');
    out_jw_int(&w, 1);
    out_jw_open(&w, '{');
    out_jw_key(&w, "k");
    out_jw_open(&w, '[');
    out_jw_cstr(&w, "x");
    out_jw_open(&w, '[');
    out_jw_close(&w, ']');
    out_jw_close(&w, ']');
    out_jw_close(&w, '}');
    out_jw_cstr(&w, "");
    out_jw_close(&w, ']');
    out_jw_close(&w, '}');

    json_t *j = json_object();
    json_object_set_new(j, "n", json_integer(-9223372036854775807LL - 1));
    json_object_set_new(j, "big", json_integer(4294967295LL));
    json_object_set_new(j, "none", json_null());
    json_object_set_new(j, "yes", json_true());
    json_object_set_new(j, "no", json_false());
    json_object_set_new(j, "cnull", out_jcstr(NULL));
    json_object_set_new(j, "empty_a", json_array());
    json_object_set_new(j, "empty_o", json_object());
    json_t *list = json_array();
    json_array_append_new(list, json_integer(1));
    json_t *o = json_object();
    json_t *k = json_array();
    json_array_append_new(k, json_string("x"));
    json_array_append_new(k, json_array());
    json_object_set_new(o, "k", k);
    json_array_append_new(list, o);
    json_array_append_new(list, json_string(""));
    json_object_set_new(j, "list", list);
    assert_same(j, &w, &got, 2);
    buf_release(&got);
}

static const struct rule_alias dup_aliases[] = {
    { "DL3009", NULL }, { "Check", NULL }, { "DL3009", NULL }, { NULL, NULL }
};

static void test_aliases(void **state)
{
    (void)state;
    const struct rule r = { .id = "DW999", .name = "x", .aliases = dup_aliases };
    const struct rule none = { .id = "DW998", .name = "y" };
    struct buf got = BUF_INIT;
    struct out_jw w;
    out_jw_init(&w, &got, 0);
    out_jw_open(&w, '[');
    out_jw_aliases(&w, &r);
    out_jw_aliases(&w, &none);
    out_jw_close(&w, ']');
    json_t *j = json_array();
    json_array_append_new(j, out_jaliases(&r));
    json_array_append_new(j, out_jaliases(&none));
    assert_same(j, &w, &got, 0);
    buf_release(&got);
}

static void test_unbalanced_fails(void **state)
{
    (void)state;
    struct buf got = BUF_INIT;
    struct out_jw w;
    out_jw_init(&w, &got, 0);
    out_jw_open(&w, '{');
    out_jw_key(&w, "a");
    assert_int_not_equal(out_jw_end(&w), 0);
    out_jw_init(&w, &got, 0);
    out_jw_close(&w, ']');
    assert_int_not_equal(out_jw_end(&w), 0);
    buf_release(&got);
}

/* out_write must write exactly what out_join builds, for a format with
 * separators between parts (JSON, GitLab) and one without (gnu), and
 * release the parts it wrote. */
static void test_out_write_matches_join(void **state)
{
    (void)state;
    const enum cfg_format formats[] = { CFG_FORMAT_JSON, CFG_FORMAT_GITLAB, CFG_FORMAT_GNU };
    for (size_t fi = 0; fi < sizeof formats / sizeof formats[0]; fi++) {
        struct out_options o = { .format = formats[fi], .tool_version = "1.0", .rule_set = 1 };
        struct out_chunk chunks[3];
        memset(chunks, 0, sizeof chunks);
        assert_int_equal(buf_append_cstr(&chunks[0].part[0], "\n    {\"a\": 1}"), 0);
        assert_int_equal(buf_append_cstr(&chunks[2].part[0], "\n    {\"b\": 2}"), 0);
        assert_int_equal(buf_append_cstr(&chunks[2].part[1], "\n    {\"c\": 3}"), 0);
        buf_shrink(&chunks[2].part[1]);
        assert_int_equal(chunks[2].part[1].cap, chunks[2].part[1].len + 1);
        struct out_totals t = { .files = 3 };
        struct buf want = BUF_INIT;
        assert_int_equal(out_join(&o, chunks, 3, &t, &want), 0);
        FILE *fp = tmpfile();
        assert_non_null(fp);
        assert_int_equal(out_write(&o, chunks, 3, &t, fp), 0);
        for (size_t i = 0; i < 3; i++)
            for (int p = 0; p < OUT_NPARTS; p++)
                assert_null(chunks[i].part[p].data);
        long n = ftell(fp);
        assert_int_equal((size_t)n, want.len);
        rewind(fp);
        char *got = test_malloc((size_t)n + 1);
        assert_int_equal(fread(got, 1, (size_t)n, fp), (size_t)n);
        assert_memory_equal(got, want.data, want.len);
        test_free(got);
        fclose(fp);
        buf_release(&want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_strings),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_quoted_keys),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_unbalanced_fails),
        cmocka_unit_test(test_out_write_matches_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
