/* The secret scanner compiles its patterns on first use (secrets.c): a
 * pattern runs interpreted until it has scanned 16 KiB of text (one long
 * text does it at once), then through a JIT copy. Both must find the same
 * secrets, and two threads that need the same pattern at once must both
 * get it. This program never calls sec_init, so every pattern is compiled
 * by a scan. */
#include "analyzer/secrets.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Constructed shapes (not real secrets): a GitHub token, an AWS key id, a
 * password on a curl command line, URL credentials, a keyed assignment. */
static const char *const samples[] = {
    "RUN git clone https://ghp_Zq3bW8kLp2Xv9Rt6Yh4Nc1Md7Fs5Gj0Ha2Ke@github.com/o/r\n",
    "ENV AWS_ACCESS_KEY_ID=AKIAQ7KX2LMZP4RT5WNB\n",
    "RUN curl -u deploy:Vq8#rT2m!Lp5zX9w https://example.org/upload\n",
    "RUN wget https://admin:Hx7pQ2vL9mZr4TkW@registry.example.org/x.tgz\n",
    "RUN export DB_PASSWORD=k9Xq2LmVr7TzP4wN8sJd\n",
};

#define FILLER_LINE "# a comment line that holds nothing secret at all\n"
#define LONG_PAD 20000 /* over the 16 KiB after which the JIT copy runs */

struct found {
    const char *kind;
    char value[128];
};

/* Scans text and writes up to cap findings (value relative to skip). */
static size_t scan(const char *text, size_t len, size_t skip, struct found *out, size_t cap)
{
    struct arena a;
    arena_init(&a);
    struct sec_results r = { 0 };
    struct err e = { 0 };
    if (sec_scan_text(&a, text, len, NULL, &r, &e) != 0)
        fail_msg("sec_scan_text: %s", e.msg);
    size_t n = 0;
    for (size_t i = 0; i < r.len && n < cap; i++) {
        const struct sec_finding *f = &r.items[i];
        if (f->value.start < skip)
            fail_msg("a finding in the filler at %u", (unsigned)f->value.start);
        out[n].kind = f->kind->id;
        snprintf(out[n].value, sizeof out[n].value, "%.*s", (int)(f->value.end - f->value.start),
                 text + f->value.start);
        n++;
    }
    arena_release(&a);
    return n;
}

static char *padded(const char *sample, size_t *len)
{
    size_t fl = strlen(FILLER_LINE), sl = strlen(sample), n = 0;
    char *t = xmalloc(LONG_PAD + fl + sl + 1);
    while (n < LONG_PAD) {
        memcpy(t + n, FILLER_LINE, fl);
        n += fl;
    }
    memcpy(t + n, sample, sl + 1);
    *len = n + sl;
    return t;
}

/* Each sample: found in a short text (interpreted) and the same findings
 * after 20 KB of comments (JIT). */
static void check_sample(const char *sample)
{
    struct found a[8], b[8];
    size_t na = scan(sample, strlen(sample), 0, a, 8);
    if (na == 0)
        fail_msg("no finding in: %s", sample);
    size_t len;
    char *t = padded(sample, &len);
    size_t nb = scan(t, len, len - strlen(sample), b, 8);
    free(t);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].kind, b[i].kind);
        assert_string_equal(a[i].value, b[i].value);
    }
}

static void *thread_main(void *arg)
{
    size_t which = (size_t)(uintptr_t)arg;
    for (size_t k = 0; k < DW_ARRAY_LEN(samples); k++)
        check_sample(samples[(k + which) % DW_ARRAY_LEN(samples)]);
    return NULL;
}

/* First: two threads compile the same patterns at once. */
static void test_two_threads_first_use(void **state)
{
    (void)state;
    pthread_t t[2];
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)(i * 2)), 0);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void test_short_and_long_agree(void **state)
{
    (void)state;
    for (size_t k = 0; k < DW_ARRAY_LEN(samples); k++)
        check_sample(samples[k]);
    /* After the lazy compiles, compiling the rest still succeeds. */
    struct err e = { 0 };
    if (sec_init(&e) != 0)
        fail_msg("sec_init: %s", e.msg);
    for (size_t k = 0; k < DW_ARRAY_LEN(samples); k++)
        check_sample(samples[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_threads_first_use),
        cmocka_unit_test(test_short_and_long_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
