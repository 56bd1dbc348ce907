/* Unit tests for the async-signal-safe formatter (shim/fmt.c) and the counters (shim/diag.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "log.h"
#include "fmt.h"

static void test_diag_fmt_formats_integers(void **state)
{
    (void)state;
    char b[128];
    ls_fmt(b, sizeof b, "%d %d %u %ld %lu %x %lx", 0, -42, 4000000000u, LONG_MIN, ULONG_MAX,
           0xbeefu, 0x1234abcdUL);
    /* long is 64 bits on x86_64 and aarch64, 32 on i386 */
    assert_string_equal(b, sizeof(long) == 8
                               ? "0 -42 4000000000 -9223372036854775808 18446744073709551615 beef 1234abcd"
                               : "0 -42 4000000000 -2147483648 4294967295 beef 1234abcd");
}

static void test_diag_fmt_formats_strings_and_percent(void **state)
{
    (void)state;
    char b[64];
    const char *volatile absent = NULL; /* hidden from the compiler's format check */
    size_t n = ls_fmt(b, sizeof b, "[%s|%s] 100%%", "lease", absent);
    assert_string_equal(b, "[lease|(null)] 100%");
    assert_int_equal(n, strlen(b));
}

static void test_diag_fmt_truncates_and_terminates(void **state)
{
    (void)state;
    char b[8];
    memset(b, 'x', sizeof b);
    size_t n = ls_fmt(b, sizeof b, "%s", "abcdefghijkl");
    assert_int_equal(n, 7);
    assert_string_equal(b, "abcdefg");
    assert_int_equal(ls_fmt(b, 0, "%s", "zz"), 0);
}

static void test_diag_counters_count(void **state)
{
    (void)state;
    unsigned long before = ls_stat_get(LS_STAT_REHOMED);
    ls_stat_inc(LS_STAT_REHOMED);
    ls_stat_inc(LS_STAT_REHOMED);
    assert_int_equal(ls_stat_get(LS_STAT_REHOMED) - before, 2);
    assert_int_equal(ls_stat_get(LS_STAT_RELEASED), 0);
}

static void test_diag_expand_path_puts_the_pid(void **state)
{
    (void)state;
    char out[64], want[64];
    snprintf(want, sizeof want, "/tmp/s.%ld.json.%ld", (long)getpid(), (long)getpid());
    ls_expand_path("/tmp/s.%p.json.%p", out, sizeof out);
    assert_string_equal(out, want);
    ls_expand_path("/no/pid/here%", out, sizeof out);
    assert_string_equal(out, "/no/pid/here%");
    ls_expand_path("/truncated/%p", out, 8);
    assert_string_equal(out, "/trunca");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_fmt_formats_integers),
        cmocka_unit_test(test_diag_fmt_formats_strings_and_percent),
        cmocka_unit_test(test_diag_fmt_truncates_and_terminates),
        cmocka_unit_test(test_diag_counters_count),
        cmocka_unit_test(test_diag_expand_path_puts_the_pid),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
