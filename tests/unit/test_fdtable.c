/* Unit tests for the descriptor table (shim/fdtable.c): pure data structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fdtable.h"

static int setup(void **state)
{
    (void)state;
    ls_table_clear();
    return 0;
}

static void test_fdtable_untracked_fd_reads_zero(void **state)
{
    (void)state;
    assert_int_equal(ls_fd_reg(0), 0);
    assert_int_equal(ls_fd_reg(12345), 0);
    assert_int_equal(ls_fd_reg(-1), 0);
    assert_int_equal(ls_fd_reg((int)LS_FD_LIMIT), 0);
}

static void test_fdtable_attach_then_lookup_returns_registration(void **state)
{
    (void)state;
    uint32_t id = ls_reg_alloc();
    assert_int_not_equal(id, 0);
    assert_int_equal(ls_fd_attach(7, id), 0);
    assert_int_equal(ls_fd_reg(7), id);
    assert_int_equal(ls_fd_reg(6), 0);
    assert_int_equal(ls_fd_reg(8), 0);
    assert_int_equal(ls_reg_get(id)->members, 1);
    assert_int_equal(ls_fd_next_member(7), 7);
}

static void test_fdtable_new_registration_has_no_notification(void **state)
{
    (void)state;
    struct ls_reg *r = ls_reg_get(ls_reg_alloc());
    assert_int_equal(r->lease, F_UNLCK);
    assert_int_equal(r->lease_fd, -1);
    assert_int_equal(r->async_fd, -1);
    assert_int_equal(r->head, -1);
    assert_int_equal(r->live, 1);
}

static void test_fdtable_aliases_form_a_ring(void **state)
{
    (void)state;
    uint32_t id = ls_reg_alloc();
    int fds[] = {3, 900, 5000, 70000};
    for (int i = 0; i < 4; i++)
        assert_int_equal(ls_fd_attach(fds[i], id), 0);
    /* walking the ring from any member visits all four exactly once */
    int seen = 0, fd = 900;
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++)
            if (fds[j] == fd)
                seen |= 1 << j;
        fd = ls_fd_next_member(fd);
    }
    assert_int_equal(seen, 0xf);
    assert_int_equal(fd, 900);
}

static void test_fdtable_detach_unlinks_and_keeps_the_rest(void **state)
{
    (void)state;
    uint32_t id = ls_reg_alloc();
    ls_fd_attach(10, id);
    ls_fd_attach(11, id);
    ls_fd_attach(12, id);
    assert_int_equal(ls_fd_detach(11), id);
    assert_int_equal(ls_fd_reg(11), 0);
    assert_int_equal(ls_reg_get(id)->members, 2);
    int a = ls_fd_next_member(10);
    assert_true(a == 12);
    assert_int_equal(ls_fd_next_member(12), 10);
    /* detaching the head moves the head */
    int head = ls_reg_get(id)->head;
    ls_fd_detach(head);
    assert_int_not_equal(ls_reg_get(id)->head, head);
    assert_int_equal(ls_reg_get(id)->members, 1);
    ls_fd_detach(ls_reg_get(id)->head);
    assert_int_equal(ls_reg_get(id)->head, -1);
    assert_int_equal(ls_reg_get(id)->members, 0);
}

static void test_fdtable_detach_untracked_returns_zero(void **state)
{
    (void)state;
    assert_int_equal(ls_fd_detach(42), 0);
}

static void test_fdtable_largest_fd_number_is_tracked(void **state)
{
    (void)state;
    uint32_t id = ls_reg_alloc();
    assert_int_equal(ls_fd_attach(1048575, id), 0); /* nr_open - 1 */
    assert_int_equal(ls_fd_reg(1048575), id);
    assert_int_equal(ls_fd_attach((int)LS_FD_LIMIT - 1, id), 0);
    assert_int_equal(ls_fd_attach((int)LS_FD_LIMIT, id), -1);
    assert_int_equal(ls_fd_attach(-1, id), -1);
}

static void test_fdtable_next_tracked_skips_untracked_ranges(void **state)
{
    (void)state;
    uint32_t id = ls_reg_alloc();
    ls_fd_attach(5, id);
    ls_fd_attach(2000, id);
    ls_fd_attach(1000000, id);
    assert_int_equal(ls_fd_next_tracked(0, ~0u), 5);
    assert_int_equal(ls_fd_next_tracked(6, ~0u), 2000);
    assert_int_equal(ls_fd_next_tracked(2001, ~0u), 1000000);
    assert_int_equal(ls_fd_next_tracked(1000001, ~0u), -1);
    assert_int_equal(ls_fd_next_tracked(6, 1999), -1);
    assert_int_equal(ls_fd_next_tracked(5, 5), 5);
    assert_int_equal(ls_fd_next_tracked(2000, 2000), 2000);
    assert_int_equal(ls_fd_next_tracked(10, 3), -1);
}

static void test_fdtable_memory_grows_with_tracked_fds_not_range(void **state)
{
    (void)state;
    size_t before = ls_table_bytes();
    uint32_t id = ls_reg_alloc();
    /* one descriptor far out maps one page, whatever its number */
    ls_fd_attach(1040000, id);
    size_t one = ls_table_bytes() - before;
    assert_true(one <= 64 * 1024);
    /* 1,000 descriptors in one neighbourhood share that page or a few more */
    for (int fd = 1040001; fd < 1041001; fd++)
        ls_fd_attach(fd, id);
    assert_true(ls_table_bytes() - before <= 3 * one);
}

static void test_fdtable_freed_registration_is_reused(void **state)
{
    (void)state;
    uint32_t a = ls_reg_alloc();
    ls_reg_free(a);
    assert_int_equal(ls_reg_get(a)->live, 0);
    uint32_t b = ls_reg_alloc();
    assert_int_equal(a, b);
    assert_int_equal(ls_reg_get(b)->live, 1);
}

static void test_fdtable_many_registrations_have_distinct_ids(void **state)
{
    (void)state;
    uint32_t prev = 0;
    for (int i = 0; i < 5000; i++) {
        uint32_t id = ls_reg_alloc();
        assert_int_not_equal(id, 0);
        assert_int_not_equal(id, prev);
        ls_reg_get(id)->sig = i;
        prev = id;
    }
    assert_int_equal(ls_reg_get(prev)->sig, 4999);
}

static void test_fdtable_write_section_makes_sequence_odd_then_even(void **state)
{
    (void)state;
    unsigned s = ls_seq_read_begin();
    assert_int_equal(s & 1u, 0);
    ls_seq_write_begin();
    assert_int_equal(ls_table_seq & 1u, 1);
    ls_seq_write_end();
    assert_true(ls_seq_read_retry(s));
    unsigned t = ls_seq_read_begin();
    assert_false(ls_seq_read_retry(t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fdtable_untracked_fd_reads_zero, setup),
        cmocka_unit_test_setup(test_fdtable_attach_then_lookup_returns_registration, setup),
        cmocka_unit_test_setup(test_fdtable_new_registration_has_no_notification, setup),
        cmocka_unit_test_setup(test_fdtable_aliases_form_a_ring, setup),
        cmocka_unit_test_setup(test_fdtable_detach_unlinks_and_keeps_the_rest, setup),
        cmocka_unit_test_setup(test_fdtable_detach_untracked_returns_zero, setup),
        cmocka_unit_test_setup(test_fdtable_largest_fd_number_is_tracked, setup),
        cmocka_unit_test_setup(test_fdtable_next_tracked_skips_untracked_ranges, setup),
        cmocka_unit_test_setup(test_fdtable_memory_grows_with_tracked_fds_not_range, setup),
        cmocka_unit_test_setup(test_fdtable_freed_registration_is_reused, setup),
        cmocka_unit_test_setup(test_fdtable_many_registrations_have_distinct_ids, setup),
        cmocka_unit_test_setup(test_fdtable_write_section_makes_sequence_odd_then_even, setup),
    };
    return cmocka_run_group_tests_name("fdtable", tests, NULL, NULL);
}
