/* Unit tests for the exec hand-over codec (shim/handover.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>

#include "handover.h"

struct seen {
    struct ls_handover_rec recs[8];
    int n;
};

static void collect(const struct ls_handover_rec *rec, void *arg)
{
    struct seen *s = arg;
    if (s->n < 8)
        s->recs[s->n++] = *rec;
}

static void test_handover_round_trip_keeps_every_field(void **state)
{
    (void)state;
    char buf[256];
    size_t len = ls_handover_begin(buf, sizeof buf, 0x8000000000000201ull);
    assert_true(len > 0);
    struct ls_handover_rec a = {7, F_WRLCK, 0, 35, F_OWNER_TID, 4321};
    struct ls_handover_rec b = {1048575, F_UNLCK, 1, 0, F_OWNER_PGRP, 99};
    len = ls_handover_add(buf, sizeof buf, len, &a);
    len = ls_handover_add(buf, sizeof buf, len, &b);
    assert_true(len > 0);
    assert_int_equal(strncmp(buf, LS_HANDOVER_VAR "=", strlen(LS_HANDOVER_VAR) + 1), 0);
    struct seen s = {.n = 0};
    uint64_t mask = 0;
    int n = ls_handover_parse(buf + strlen(LS_HANDOVER_VAR) + 1, &mask, collect, &s);
    assert_int_equal(n, 2);
    assert_int_equal(mask, 0x8000000000000201ull);
    assert_memory_equal(&s.recs[0], &a, sizeof a);
    assert_memory_equal(&s.recs[1], &b, sizeof b);
}

static void test_handover_no_records_parses_to_zero(void **state)
{
    (void)state;
    struct seen s = {.n = 0};
    uint64_t mask = 1;
    assert_int_equal(ls_handover_parse("1;m=0", &mask, collect, &s), 0);
    assert_int_equal(mask, 0);
}

static void test_handover_malformed_is_rejected(void **state)
{
    (void)state;
    const char *bad[] = {"", "2;m=0", "1;m=", "1;m=zz", "1;m=0;", "1;m=0;3,0,0,35,0",
                         "1;m=0;3,0,0,35,0,1,9", "1;m=0;3,5,0,35,0,1", "1;m=0;3,0,0,99,0,1",
                         "1;m=0;99999999999,0,0,35,0,1", "1;m=0;3,0,0,35,0,1x", NULL};
    for (const char **v = bad; *v; v++) {
        struct seen s = {.n = 0};
        uint64_t mask;
        assert_int_equal(ls_handover_parse(*v, &mask, collect, &s), -1);
    }
}

static void test_handover_add_reports_overflow(void **state)
{
    (void)state;
    char buf[40];
    size_t len = ls_handover_begin(buf, sizeof buf, 0);
    assert_true(len > 0);
    struct ls_handover_rec r = {1000, F_RDLCK, 1, 40, F_OWNER_PID, 123456};
    assert_int_equal(ls_handover_add(buf, sizeof buf, len, &r), 0);
    assert_int_equal(ls_handover_add(buf, sizeof buf, 0, &r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handover_round_trip_keeps_every_field),
        cmocka_unit_test(test_handover_no_records_parses_to_zero),
        cmocka_unit_test(test_handover_malformed_is_rejected),
        cmocka_unit_test(test_handover_add_reports_overflow),
    };
    return cmocka_run_group_tests_name("handover", tests, NULL, NULL);
}
