#include "common/strdist.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static unsigned dist(const char *a, const char *b, bool fold)
{
    return str_distance(str_from_cstr(a), str_from_cstr(b), fold);
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(dist("", "", false), 0);
    assert_int_equal(dist("chown", "chown", false), 0);
    assert_int_equal(dist("chwon", "chown", false), 1); /* transposition */
    assert_int_equal(dist("chwon", "chmod", false), 2);
    assert_int_equal(dist("FROM", "from", false), 4);
    assert_int_equal(dist("FROM", "from", true), 0);
    assert_int_equal(dist("RUNN", "RUN", true), 1);
    assert_int_equal(dist("abc", "", false), 3);
    char long_name[80];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(dist(long_name, "x", false), STR_DISTANCE_FAR);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_distance) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
