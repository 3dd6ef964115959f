#include "common/vec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct pair {
    int a, b;
};

static void test_push_pop_insert_remove(void **state)
{
    (void)state;
    VEC(int) v = VEC_INIT;
    for (int i = 0; i < 1000; i++)
        VEC_PUSH(&v, i);
    assert_int_equal(v.len, 1000);
    assert_int_equal(VEC_LAST(&v), 999);
    assert_int_equal(VEC_POP(&v), 999);
    VEC_REMOVE(&v, 0);
    assert_int_equal(v.items[0], 1);
    VEC_INSERT(&v, 0, -1);
    assert_int_equal(v.items[0], -1);
    assert_int_equal(v.items[1], 1);
    VEC_INSERT(&v, v.len, 5000);
    assert_int_equal(VEC_LAST(&v), 5000);
    VEC_CLEAR(&v);
    assert_int_equal(v.len, 0);
    VEC_RELEASE(&v);
    assert_null(v.items);
}

static void test_push_zero(void **state)
{
    (void)state;
    VEC(struct pair) v = VEC_INIT;
    struct pair *p = VEC_PUSH_ZERO(&v);
    assert_int_equal(p->a, 0);
    p->b = 7;
    assert_int_equal(v.items[0].b, 7);
    VEC_RELEASE(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_pop_insert_remove),
        cmocka_unit_test(test_push_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
