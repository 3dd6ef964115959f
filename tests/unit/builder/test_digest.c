/* Digests: known SHA-256 vectors, streaming equals one-shot, the
 * "sha256:<hex>" string form and its validation. */
#include "builder/digest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void hex_of(const char *data, size_t n, char out[BLD_DIGEST_HEX_LEN + 1])
{
    struct bld_digest d;
    bld_digest_of(data, n, &d);
    bld_digest_hex(&d, out);
}

static void test_vectors(void **state)
{
    (void)state;
    char hex[BLD_DIGEST_HEX_LEN + 1];
    hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_streaming_matches_one_shot(void **state)
{
    (void)state;
    char data[10000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + 3);
    struct bld_digest one, streamed;
    bld_digest_of(data, sizeof data, &one);
    struct bld_sha256 h;
    struct err e;
    assert_int_equal(bld_sha256_init(&h, &e), 0);
    for (size_t off = 0; off < sizeof data; off += 333) {
        size_t n = sizeof data - off < 333 ? sizeof data - off : 333;
        bld_sha256_update(&h, data + off, n);
    }
    bld_sha256_final(&h, &streamed);
    assert_true(bld_digest_eq(&one, &streamed));
    bld_sha256_release(&h); /* harmless after final */
}

static void test_million_a(void **state)
{
    (void)state;
    /* The FIPS 180-2 long vector: one million 'a'. */
    static char chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    struct bld_sha256 h;
    struct err e;
    assert_int_equal(bld_sha256_init(&h, &e), 0);
    for (int i = 0; i < 1000; i++)
        bld_sha256_update(&h, chunk, sizeof chunk);
    struct bld_digest d;
    bld_sha256_final(&h, &d);
    char hex[BLD_DIGEST_HEX_LEN + 1];
    bld_digest_hex(&d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_string_round_trip(void **state)
{
    (void)state;
    struct bld_digest d, back;
    bld_digest_of("abc", 3, &d);
    char s[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&d, s);
    assert_int_equal(strlen(s), BLD_DIGEST_STR_LEN);
    assert_string_equal(s,
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct err e;
    assert_int_equal(bld_digest_parse(s, &back, &e), 0);
    assert_true(bld_digest_eq(&d, &back));
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct bld_digest d;
    struct err e;
    const char *good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    char buf[200];
    /* upper-case hex is not the canonical form */
    snprintf(buf, sizeof buf, "sha256:%s",
             "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    assert_int_equal(bld_digest_parse(buf, &d, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "64 lowercase hex"));
    snprintf(buf, sizeof buf, "sha256:%.63s", good);
    assert_int_equal(bld_digest_parse(buf, &d, &e), ERR_INVALID);
    snprintf(buf, sizeof buf, "sha256:%sa", good);
    assert_int_equal(bld_digest_parse(buf, &d, &e), ERR_INVALID);
    assert_int_equal(bld_digest_parse(good, &d, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "expected 'sha256:<hex>'"));
    assert_int_equal(bld_digest_parse("sha512:abcd", &d, &e), ERR_UNSUPPORTED);
    assert_int_equal(bld_digest_parse("md5:abcd", &d, &e), ERR_INVALID);
    assert_int_equal(bld_digest_parse(NULL, &d, &e), ERR_INVALID);
    assert_int_equal(bld_digest_parse("", &d, &e), ERR_INVALID);
}

static void test_digest_file(void **state)
{
    (void)state;
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/dw-digest-XXXXXX", tmpdir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    struct bld_digest d, want;
    uint64_t size = 0;
    struct err e;
    assert_int_equal(bld_digest_file(path, &d, &size, &e), 0);
    bld_digest_of("abc", 3, &want);
    assert_true(bld_digest_eq(&d, &want));
    assert_int_equal(size, 3);
    unlink(path);
    assert_int_equal(bld_digest_file(path, &d, &size, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),      cmocka_unit_test(test_streaming_matches_one_shot),
        cmocka_unit_test(test_million_a),    cmocka_unit_test(test_string_round_trip),
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_digest_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
