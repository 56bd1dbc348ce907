/* Unit tests for the alias index (shim/alias.c): classes given by the dup
 * family, forgotten by closes, and the candidates a registration proves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alias.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The index on, over whatever descriptors the test process has. */
static int setup_on(void **state)
{
    (void)state;
    ls_alias_reset();
    return ls_alias_switch_on();
}

static int setup_off(void **state)
{
    (void)state;
    ls_alias_reset();
    return 0;
}

static void test_alias_off_dup_gives_no_class(void **state)
{
    (void)state;
    assert_false(ls_alias_on());
    ls_alias_dup(100, 101);
    ls_alias_note(102, 103);
    ls_alias_unknown(104);
    assert_int_equal(ls_alias_class(100), 0);
    assert_int_equal(ls_alias_class(101), 0);
    assert_int_equal(ls_alias_class(103), 0);
    assert_int_equal(ls_alias_class(104), 0);
    assert_false(ls_alias_any_unknown());
}

static void test_alias_dup_chain_shares_one_class(void **state)
{
    (void)state;
    ls_alias_dup(100, 109);
    ls_alias_note(109, 4000);
    uint32_t c = ls_alias_class(100);
    assert_int_not_equal(c, 0);
    assert_int_equal(ls_alias_class(109), c);
    assert_int_equal(ls_alias_class(4000), c);
    ls_alias_dup(200, 201); /* another file: another class */
    assert_int_not_equal(ls_alias_class(200), 0);
    assert_int_not_equal(ls_alias_class(200), c);
}

static void test_alias_candidates_are_the_class_in_order_without_skip(void **state)
{
    (void)state;
    ls_alias_dup(300, 70);
    ls_alias_dup(300, 5000);
    ls_alias_dup(400, 401); /* not of this class */
    uint32_t c = ls_alias_class(300);
    int seen[4], n = 0;
    for (int fd = ls_alias_next_candidate(c, 0, 300); fd >= 0 && n < 4;
         fd = ls_alias_next_candidate(c, (unsigned)fd + 1, 300))
        seen[n++] = fd;
    assert_int_equal(n, 2);
    assert_int_equal(seen[0], 70);
    assert_int_equal(seen[1], 5000);
}

static void test_alias_unclassed_without_unknowns_has_no_candidate(void **state)
{
    (void)state;
    ls_alias_dup(500, 501);
    assert_int_equal(ls_alias_class(502), 0);
    assert_int_equal(ls_alias_next_candidate(0, 0, 502), -1);
}

static void test_alias_unknown_is_everyones_candidate_until_closed(void **state)
{
    (void)state;
    ls_alias_dup(600, 601);
    ls_alias_unknown(900);
    assert_true(ls_alias_any_unknown());
    assert_int_equal(ls_alias_next_candidate(0, 0, 502), 900);
    int fd = ls_alias_next_candidate(ls_alias_class(600), 0, 600);
    assert_int_equal(fd, 601);
    assert_int_equal(ls_alias_next_candidate(ls_alias_class(600), 602, 600), 900);
    /* a dup of an unknown number is unknown too */
    ls_alias_dup(900, 901);
    assert_true(ls_alias_class(901) & LS_ALIAS_UNKNOWN);
    ls_alias_gone(900);
    ls_alias_gone(901);
    assert_false(ls_alias_any_unknown());
    assert_int_equal(ls_alias_next_candidate(0, 0, 502), -1);
}

static void test_alias_close_forgets_the_number(void **state)
{
    (void)state;
    ls_alias_dup(700, 701);
    uint32_t c = ls_alias_class(700);
    ls_alias_gone(701);
    assert_int_equal(ls_alias_class(701), 0);
    assert_int_equal(ls_alias_next_candidate(c, 0, 700), -1);
    assert_int_equal(ls_alias_class(700), c);
}

static void test_alias_close_range_forgets_only_the_range(void **state)
{
    (void)state;
    ls_alias_dup(10, 63);
    ls_alias_dup(10, 64);
    ls_alias_dup(10, 200);
    ls_alias_dup(10, 3000);
    ls_alias_gone_range(60, 2999);
    assert_int_not_equal(ls_alias_class(10), 0);
    assert_int_equal(ls_alias_class(63), 0);
    assert_int_equal(ls_alias_class(64), 0);
    assert_int_equal(ls_alias_class(200), 0);
    assert_int_equal(ls_alias_class(3000), ls_alias_class(10));
    ls_alias_gone_range(0, ~0u);
    assert_int_equal(ls_alias_class(10), 0);
    assert_int_equal(ls_alias_class(3000), 0);
}

static void test_alias_dup2_onto_a_classed_number_moves_it(void **state)
{
    (void)state;
    ls_alias_dup(800, 801);
    ls_alias_dup(810, 811);
    ls_alias_note(810, 801); /* dup2(810, 801) */
    assert_int_equal(ls_alias_class(801), ls_alias_class(810));
    assert_int_not_equal(ls_alias_class(801), ls_alias_class(800));
    assert_int_equal(ls_alias_next_candidate(ls_alias_class(800), 0, 800), -1);
}

static void test_alias_numbers_out_of_range_are_ignored(void **state)
{
    (void)state;
    ls_alias_dup(-1, 5);
    ls_alias_dup(5, (int)LS_ALIAS_FD_LIMIT);
    assert_int_equal(ls_alias_class(5), 0);
    ls_alias_dup(5, (int)LS_ALIAS_FD_LIMIT - 1);
    assert_int_not_equal(ls_alias_class((int)LS_ALIAS_FD_LIMIT - 1), 0);
    assert_int_equal(ls_alias_class((int)LS_ALIAS_FD_LIMIT), 0);
}

/* The inventory that switches the index on groups the numbers naming one
 * file, whatever made them; a singleton gets no class. */
static void test_alias_switch_on_classes_existing_aliases(void **state)
{
    (void)state;
    char path[] = "/tmp/test_alias.XXXXXX";
    int a = mkstemp(path);
    assert_true(a >= 0);
    unlink(path);
    int b = dup(a); /* not preloaded: the index does not see this dup */
    int c = open("/proc/self/exe", O_RDONLY);
    assert_true(b >= 0 && c >= 0);
    assert_int_equal(ls_alias_switch_on(), 0);
    assert_true(ls_alias_on());
    assert_int_not_equal(ls_alias_class(a), 0);
    assert_int_equal(ls_alias_class(a), ls_alias_class(b));
    assert_int_equal(ls_alias_class(c), 0);
    assert_int_equal(ls_alias_next_candidate(ls_alias_class(a), 0, a), b);
    close(a);
    close(b);
    close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_alias_off_dup_gives_no_class, setup_off),
        cmocka_unit_test_setup(test_alias_dup_chain_shares_one_class, setup_on),
        cmocka_unit_test_setup(test_alias_candidates_are_the_class_in_order_without_skip, setup_on),
        cmocka_unit_test_setup(test_alias_unclassed_without_unknowns_has_no_candidate, setup_on),
        cmocka_unit_test_setup(test_alias_unknown_is_everyones_candidate_until_closed, setup_on),
        cmocka_unit_test_setup(test_alias_close_forgets_the_number, setup_on),
        cmocka_unit_test_setup(test_alias_close_range_forgets_only_the_range, setup_on),
        cmocka_unit_test_setup(test_alias_dup2_onto_a_classed_number_moves_it, setup_on),
        cmocka_unit_test_setup(test_alias_numbers_out_of_range_are_ignored, setup_on),
        cmocka_unit_test_setup(test_alias_switch_on_classes_existing_aliases, setup_off),
    };
    return cmocka_run_group_tests_name("alias", tests, NULL, NULL);
}
