/* Unit tests for the fault-injection switchboard (shim/fault.c), built
 * with LS_FAULT_INJECTION as in liblease_shim_fault.so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "fault.h"

static void test_fault_off_until_named(void **state)
{
    (void)state;
    for (int f = 0; f < LS_FAULT_COUNT; f++)
        assert_int_equal(ls_fault((enum ls_fault)f), 0);
}

static void test_fault_skip_then_fail_with_its_errno(void **state)
{
    (void)state;
    setenv("LEASE_SHIM_FAULTS", "setlease:2,proc,no_such_fault,mmap", 1);
    ls_fault_load(NULL);
    errno = 0;
    assert_int_equal(ls_fault(LS_FAULT_SETLEASE), 0);
    assert_int_equal(ls_fault(LS_FAULT_SETLEASE), 0);
    assert_int_equal(errno, 0); /* a request let through leaves errno alone */
    assert_int_equal(ls_fault(LS_FAULT_SETLEASE), 1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(ls_fault(LS_FAULT_SETLEASE), 1);
    assert_int_equal(ls_fault(LS_FAULT_PROC), 1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(ls_fault(LS_FAULT_MMAP), 1);
    assert_int_equal(errno, ENOMEM);
    /* named neither directly nor by the unknown name */
    assert_int_equal(ls_fault(LS_FAULT_EMFILE), 0);
    assert_int_equal(ls_fault(LS_FAULT_SETOWN_EX), 0);
    assert_int_equal(ls_fault(LS_FAULT_SIGACTION), 0);
}

static void test_fault_proc_paths(void **state)
{
    (void)state;
    assert_true(ls_fault_is_proc("/proc/self/fd"));
    assert_true(ls_fault_is_proc("/proc"));
    assert_false(ls_fault_is_proc("/processes/x"));
    assert_false(ls_fault_is_proc("/tmp/proc"));
    assert_false(ls_fault_is_proc("proc/self"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_off_until_named),
        cmocka_unit_test(test_fault_skip_then_fail_with_its_errno),
        cmocka_unit_test(test_fault_proc_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
