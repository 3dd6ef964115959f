#include "common/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_alignment_and_zeroing(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    for (size_t n = 0; n < 100; n++) {
        unsigned char *p = arena_alloc(&a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, n);
    }
    int *z = ARENA_NEW_ARRAY(&a, int, 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(z[i], 0);
    arena_release(&a);
    assert_null(a.head);
}

static void test_large_allocations_keep_earlier_data(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *first = arena_strdup(&a, "first");
    char *big = arena_alloc(&a, (size_t)10 * 1024 * 1024);
    memset(big, 'x', (size_t)10 * 1024 * 1024);
    char *after = arena_strdup(&a, "after");
    assert_string_equal(first, "first");
    assert_string_equal(after, "after");
    assert_true(a.total >= (size_t)10 * 1024 * 1024);
    arena_release(&a);
}

/* Released chunks are reused by the next arenas of the thread: what they
 * hand out must still be zeroed where asked and independent of the
 * earlier arena's data. */
static void test_reuse_after_release(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        struct arena a;
        arena_init(&a);
        unsigned char *blocks[8];
        for (int i = 0; i < 8; i++) {
            blocks[i] = arena_alloc(&a, 12000);
            memset(blocks[i], 0x5a + i, 12000);
        }
        unsigned char *z = arena_calloc(&a, 3000, 4);
        for (size_t k = 0; k < 12000; k++)
            assert_int_equal(z[k], 0);
        for (int i = 0; i < 8; i++)
            assert_int_equal(blocks[i][11999], 0x5a + i);
        arena_release(&a);
    }
}

static void test_printf_and_strndup(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(arena_printf(&a, "%s-%d", "dw", 301), "dw-301");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    assert_string_equal(arena_strndup(&a, "", 0), "");
    arena_release(&a);
}

static int order[3];
static int order_n;
static void record(void *p)
{
    order[order_n++] = *(int *)p;
}

static void test_cleanups_run_newest_first(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    int *one = ARENA_NEW(&a, int), *two = ARENA_NEW(&a, int), *three = ARENA_NEW(&a, int);
    *one = 1;
    *two = 2;
    *three = 3;
    order_n = 0;
    arena_on_release(&a, record, one);
    arena_on_release(&a, record, two);
    arena_on_release(&a, record, three);
    arena_release(&a);
    assert_int_equal(order_n, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[2], 1);
    /* Reusable after release. */
    assert_non_null(arena_alloc(&a, 10));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_zeroing),
        cmocka_unit_test(test_large_allocations_keep_earlier_data),
        cmocka_unit_test(test_reuse_after_release),
        cmocka_unit_test(test_printf_and_strndup),
        cmocka_unit_test(test_cleanups_run_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
