/* rule_printf and rule_report's messages: the engine formats the common
 * conversions itself (%s, %.*s, %c, %d, %u with l, ll and z, %%) and hands
 * every other message to vsnprintf; either way the text must be exactly
 * what snprintf gives. A fake rule formats many values both ways: integer
 * edges, empty and long strings, precisions of 0, past the end of the text
 * and on bytes with no NUL, results around the 256-byte buffer, and
 * conversions the fast path leaves to the C library. */
#include "analyzer/engine.h"
#include "analyzer/model.h"
#include "common/err.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Mismatches seen inside the rule (cmocka's asserts must not jump out of
 * the engine's walk); checked after eng_lint. */
static unsigned n_checked, n_bad;
static char first_bad[600];

static void same(const char *fmt, const char *got, const char *want)
{
    n_checked++;
    if (strcmp(got, want) == 0)
        return;
    if (n_bad++ == 0)
        snprintf(first_bad, sizeof first_bad, "format \"%s\": got \"%.200s\", want \"%.200s\"", fmt,
                 got, want);
}

/* rule_printf(ctx, fmt, ...) against snprintf(fmt, ...). */
#define SAME(ctx, fmt, ...)                                                                        \
    do {                                                                                           \
        char want_[1024];                                                                          \
        snprintf(want_, sizeof want_, fmt, __VA_ARGS__);                                           \
        same(fmt, rule_printf(ctx, fmt, __VA_ARGS__), want_);                                      \
    } while (0)

static const int ints[] = { 0,   1,     -1,     9,       10,      -10,         99,
                            100, 12345, -67890, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1 };
static const unsigned uints[] = { 0, 1, 9, 10, 4294967, UINT_MAX, UINT_MAX - 1, 1000000000u };

/* A string of n 'a'..'z' (n < sizeof buf). */
static const char *letters(char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + i % 26);
    buf[n] = '\0';
    return buf;
}

static void numbers(struct rule_ctx *ctx)
{
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        SAME(ctx, "%d", ints[i]);
        SAME(ctx, "line %d, col %d.", ints[i], -ints[i] / 2);
        SAME(ctx, "%ld|%lld", (long)ints[i], (long long)ints[i] * 3);
    }
    for (size_t i = 0; i < sizeof uints / sizeof uints[0]; i++) {
        SAME(ctx, "%u", uints[i]);
        SAME(ctx, "%u items of %zu bytes", uints[i], (size_t)uints[i] * 7);
        SAME(ctx, "%lu %llu", (unsigned long)uints[i], (unsigned long long)uints[i] << 20);
    }
    SAME(ctx, "%ld %ld", LONG_MIN, LONG_MAX);
    SAME(ctx, "%lld %lld", LLONG_MIN, LLONG_MAX);
    SAME(ctx, "%lu %llu %zu", ULONG_MAX, ULLONG_MAX, SIZE_MAX);
    SAME(ctx, "%zu%%", (size_t)0);
    /* Pseudo-random values over the whole range. */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 500; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        SAME(ctx, "%d %u %lld %llu %zu", (int)x, (unsigned)(x >> 32), (long long)x,
             (unsigned long long)x, (size_t)(x >> 3));
    }
}

static void strings(struct rule_ctx *ctx)
{
    char buf[400];
    SAME(ctx, "%s", "");
    SAME(ctx, "[%s]", "");
    SAME(ctx, "%s%s%s", "a", "", "bc");
    SAME(ctx, "%s", "100% sure");
    SAME(ctx, "%%s is %s and %%%% is %%", "literal");
    SAME(ctx, "%c%c%c", 'x', '%', 200);
    SAME(ctx, "no conversion at all%s", "");
    /* %.*s: 0, inside, at and past the end of the text, negative. */
    const char *w = "secret";
    for (int prec = -2; prec <= 9; prec++)
        SAME(ctx, "'%.*s'", prec, w);
    SAME(ctx, "%.*s|%.*s", 0, "", 3, "");
    /* Bytes with no NUL after them: the precision must bound the read. */
    static const char raw[3] = { 'a', 'b', 'c' };
    SAME(ctx, "%.*s", 3, raw);
    SAME(ctx, "%.*s", 2, raw);
    /* Results around the 255 characters that fit the fast path's buffer,
     * made of a literal part and a string, or of a precision. */
    for (size_t n = 240; n <= 270; n++) {
        SAME(ctx, "%s", letters(buf, n));
        SAME(ctx, "ab%s", letters(buf, n - 2));
        SAME(ctx, "%s%%", letters(buf, n - 1));
        SAME(ctx, "%.*s", (int)n, letters(buf, 300));
        SAME(ctx, "%d:%s", -7, letters(buf, n - 3));
    }
    SAME(ctx, "%s and %s", letters(buf, 399), "after");
}

static void other_conversions(struct rule_ctx *ctx)
{
    /* Left to vsnprintf: flags, widths, precisions on numbers, other
     * conversions and length modifiers, a NULL string. */
    SAME(ctx, "%5d|%-5d|%05u", 42, -42, 7u);
    SAME(ctx, "%-8s|%8s|", "ab", "cd");
    SAME(ctx, "%x %X %o %i", 255u, 255u, 8u, -3);
    SAME(ctx, "%.1f %g", 2.25, 0.5);
    SAME(ctx, "%zd %hd %hhu", (ptrdiff_t)-5, (short)-3, (unsigned char)250);
    SAME(ctx, "%.3s|%.0s|", "abcdef", "xyz");
    SAME(ctx, "%s then %5s", "fast", "slow");
    const char *volatile none = NULL;
    char want[64];
    snprintf(want, sizeof want, "%s", (const char *)none);
    same("%s (NULL)", rule_printf(ctx, "%s", (const char *)none), want);
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    numbers(ctx);
    strings(ctx);
    other_conversions(ctx);
    /* rule_report formats its message the same way. */
    rule_report(ctx, in->keyword, "%s at %d: '%.*s' (%zu%%)", df_kind_name(in->kind), INT_MIN, 3,
                "abcdef", (size_t)12);
}

static const struct rule r101 = {
    .id = "DW101",
    .name = "formats-messages",
    .severity = SEV_WARNING,
    .status = RULE_STABLE,
    .on = DF_ON(DF_FROM),
    .check = check,
    .summary = "x",
    .doc = "x",
};

static const struct rule *const reg[] = { &r101 };

static void test_messages_match_snprintf(void **state)
{
    (void)state;
    const char *only[] = { "DW101", NULL };
    struct eng_options o = { .only = only };
    struct err err;
    struct eng *e = eng_new(reg, 1, &o, &err);
    if (!e)
        fail_msg("eng_new: %s", err.msg);
    const char *text = "FROM alpine\n";
    struct df_file *f = df_file_new("Dockerfile", text, strlen(text), NULL, &err);
    assert_non_null(f);
    struct eng_result r;
    assert_int_equal(eng_lint(e, f, &r, &err), 0);
    if (n_bad)
        fail_msg("%u of %u messages differ; first: %s", n_bad, n_checked, first_bad);
    assert_true(n_checked > 500);
    assert_int_equal(r.n_findings, 1);
    char want[128];
    snprintf(want, sizeof want, "FROM at %d: 'abc' (12%%)", INT_MIN);
    assert_string_equal(r.findings[0].message, want);
    df_file_free(f);
    eng_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_match_snprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
