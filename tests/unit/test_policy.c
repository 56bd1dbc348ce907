/* Unit tests for the rule decisions (shim/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "policy.h"

static void test_policy_not_owner_only_forgets(void **state)
{
    (void)state;
    for (int going = 0; going <= 1; going++)
        for (int surv = 0; surv <= 1; surv++)
            assert_int_equal(ls_policy_going(0, going, surv, LS_CLOSE_RELEASE), LS_GOING_FORGET);
}

static void test_policy_alias_going_changes_nothing(void **state)
{
    (void)state;
    assert_int_equal(ls_policy_going(1, 0, 1, LS_CLOSE_RELEASE), LS_GOING_NOTHING);
    assert_int_equal(ls_policy_going(1, 0, 0, LS_CLOSE_KEEP), LS_GOING_NOTHING);
}

static void test_policy_notify_going_with_survivor_rehomes(void **state)
{
    (void)state;
    assert_int_equal(ls_policy_going(1, 1, 1, LS_CLOSE_RELEASE), LS_GOING_REHOME);
    assert_int_equal(ls_policy_going(1, 1, 1, LS_CLOSE_KEEP), LS_GOING_REHOME);
}

static void test_policy_notify_going_alone_releases_or_keeps(void **state)
{
    (void)state;
    assert_int_equal(ls_policy_going(1, 1, 0, LS_CLOSE_RELEASE), LS_GOING_RELEASE);
    assert_int_equal(ls_policy_going(1, 1, 0, LS_CLOSE_KEEP), LS_GOING_KEEP);
}

static void test_policy_setown_negative_is_process_group(void **state)
{
    (void)state;
    struct f_owner_ex o = ls_policy_owner_of_setown(-77);
    assert_int_equal(o.type, F_OWNER_PGRP);
    assert_int_equal(o.pid, 77);
    o = ls_policy_owner_of_setown(123);
    assert_int_equal(o.type, F_OWNER_PID);
    assert_int_equal(o.pid, 123);
    o = ls_policy_owner_of_setown(0);
    assert_int_equal(o.pid, 0);
}

static void test_policy_owner_is_self_by_type(void **state)
{
    (void)state;
    struct f_owner_ex me = {F_OWNER_PID, 100}, other = {F_OWNER_PID, 200};
    struct f_owner_ex nobody = {F_OWNER_PID, 0}, grp = {F_OWNER_PGRP, 50};
    struct f_owner_ex tid = {F_OWNER_TID, 101};
    assert_true(ls_policy_owner_is_self(&me, 100, 50, 0));
    assert_false(ls_policy_owner_is_self(&other, 100, 50, 0));
    assert_true(ls_policy_owner_is_self(&nobody, 100, 50, 0));
    assert_true(ls_policy_owner_is_self(&grp, 100, 50, 0));
    assert_false(ls_policy_owner_is_self(&grp, 100, 51, 0));
    assert_true(ls_policy_owner_is_self(&tid, 100, 50, 1));
    assert_false(ls_policy_owner_is_self(&tid, 100, 50, 0));
}

static void test_policy_owner_restore_needed_unless_process_itself(void **state)
{
    (void)state;
    struct f_owner_ex me = {F_OWNER_PID, 100}, tid = {F_OWNER_TID, 100};
    struct f_owner_ex nobody = {F_OWNER_PID, 0};
    assert_false(ls_policy_owner_needs_restore(&me, 100));
    assert_true(ls_policy_owner_needs_restore(&tid, 100));
    assert_true(ls_policy_owner_needs_restore(&nobody, 100));
}

static void test_policy_async_switch_detects_edges_only(void **state)
{
    (void)state;
    assert_int_equal(ls_policy_async_switch(O_RDONLY, O_ASYNC), 1);
    assert_int_equal(ls_policy_async_switch(O_ASYNC, 0), -1);
    assert_int_equal(ls_policy_async_switch(O_ASYNC, O_ASYNC | O_NONBLOCK), 0);
    assert_int_equal(ls_policy_async_switch(O_NONBLOCK, O_NONBLOCK), 0);
}

static void test_policy_dup_args_errors_in_kernel_order(void **state)
{
    (void)state;
    /* dup3: bad flags first, then same fd, then range, then source */
    assert_int_equal(ls_policy_dup_args_error(1, -1, -1, 12345, 0, 1024), EINVAL);
    assert_int_equal(ls_policy_dup_args_error(1, 5, 6, -1, 1, 1024), EINVAL);
    assert_int_equal(ls_policy_dup_args_error(1, 5, 5, 0, 1, 1024), EINVAL);
    assert_int_equal(ls_policy_dup_args_error(1, 5, 5000, 0, 1, 1024), EBADF);
    assert_int_equal(ls_policy_dup_args_error(1, 5, -3, 0, 1, 1024), EBADF);
    assert_int_equal(ls_policy_dup_args_error(1, 5, 6, O_CLOEXEC, 0, 1024), EBADF);
    assert_int_equal(ls_policy_dup_args_error(1, 5, 6, O_CLOEXEC, 1, 1024), 0);
    /* dup2: same fd is fine and there are no flags to check */
    assert_int_equal(ls_policy_dup_args_error(0, 5, 5, 0, 1, 1024), 0);
    assert_int_equal(ls_policy_dup_args_error(0, 5, 6, -1, 1, 1024), 0);
    assert_int_equal(ls_policy_dup_args_error(0, 5, 6, 0, 0, 1024), EBADF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_not_owner_only_forgets),
        cmocka_unit_test(test_policy_alias_going_changes_nothing),
        cmocka_unit_test(test_policy_notify_going_with_survivor_rehomes),
        cmocka_unit_test(test_policy_notify_going_alone_releases_or_keeps),
        cmocka_unit_test(test_policy_setown_negative_is_process_group),
        cmocka_unit_test(test_policy_owner_is_self_by_type),
        cmocka_unit_test(test_policy_owner_restore_needed_unless_process_itself),
        cmocka_unit_test(test_policy_async_switch_detects_edges_only),
        cmocka_unit_test(test_policy_dup_args_errors_in_kernel_order),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
