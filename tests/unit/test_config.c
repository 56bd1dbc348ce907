/* Unit tests for configuration parsing (shim/config.c), with a fake environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "config.h"

static const char *const *fake_env;

static char *fake_getenv(const char *name)
{
    for (const char *const *e = fake_env; e && *e; e += 2)
        if (strcmp(e[0], name) == 0)
            return (char *)e[1];
    return NULL;
}

static struct ls_config parse(const char *const *env, int *bad)
{
    struct ls_config c;
    memset(&c, 0x5a, sizeof c);
    fake_env = env;
    *bad = ls_config_parse(&c, fake_getenv);
    return c;
}

static void test_config_empty_environment_gives_defaults(void **state)
{
    (void)state;
    int bad;
    struct ls_config c = parse(NULL, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(c.enabled, 1);
    assert_int_equal(c.close_policy, LS_CLOSE_RELEASE);
    assert_int_equal(c.log_level, LS_LOG_WARN);
    assert_int_equal(c.alias_scan, 1);
    assert_int_equal(c.backtrace, 0);
    assert_int_equal(c.stale_policy, LS_STALE_DROP);
    assert_int_equal(c.break_deadline_ms, 0);
}

/* ls_config_load leaves ls_cfg's initializer when no LEASE_SHIM* variable is
 * set: it must be what parsing an empty environment gives. */
static void test_config_static_defaults_match_empty_parse(void **state)
{
    (void)state;
    int bad;
    struct ls_config c = parse(NULL, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(c.enabled, ls_cfg.enabled);
    assert_int_equal(c.close_policy, ls_cfg.close_policy);
    assert_int_equal(c.log_level, ls_cfg.log_level);
    assert_int_equal(c.alias_scan, ls_cfg.alias_scan);
    assert_int_equal(c.backtrace, ls_cfg.backtrace);
    assert_int_equal(c.stale_policy, ls_cfg.stale_policy);
    assert_int_equal(c.break_deadline_ms, ls_cfg.break_deadline_ms);
    assert_int_equal(c.exec_policy, ls_cfg.exec_policy);
    assert_int_equal(c.log_dest, ls_cfg.log_dest);
    assert_string_equal(c.log_file, ls_cfg.log_file);
    assert_string_equal(c.stats_file, ls_cfg.stats_file);
}

static void test_config_env_prefix_scan(void **state)
{
    (void)state;
    char *none[] = {"PATH=/bin", "LEASE=1", "XLEASE_SHIM=1", NULL};
    char *some[] = {"PATH=/bin", "LEASE_SHIM_LOG=debug", NULL};
    char *bare[] = {"LEASE_SHIM=0", NULL};
    assert_int_equal(ls_config_env_mentions_shim(NULL), 0);
    assert_int_equal(ls_config_env_mentions_shim(none), 0);
    assert_int_equal(ls_config_env_mentions_shim(some), 1);
    assert_int_equal(ls_config_env_mentions_shim(bare), 1);
}

static void test_config_valid_values_are_taken(void **state)
{
    (void)state;
    const char *env[] = {"LEASE_SHIM", "0", "LEASE_SHIM_CLOSE", "keep", "LEASE_SHIM_LOG", "debug",
                         "LEASE_SHIM_ALIAS_SCAN", "off", "LEASE_SHIM_BACKTRACE", "yes", NULL};
    int bad;
    struct ls_config c = parse(env, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(c.enabled, 0);
    assert_int_equal(c.close_policy, LS_CLOSE_KEEP);
    assert_int_equal(c.log_level, LS_LOG_DEBUG);
    assert_int_equal(c.alias_scan, 0);
    assert_int_equal(c.backtrace, 1);
}

static void test_config_bad_value_keeps_default_and_counts(void **state)
{
    (void)state;
    const char *env[] = {"LEASE_SHIM_CLOSE", "relase", "LEASE_SHIM", "maybe",
                         "LEASE_SHIM_LOG", "", NULL};
    int bad;
    ls_cfg.log_level = LS_LOG_OFF; /* keep the test's output quiet */
    struct ls_config c = parse(env, &bad);
    assert_int_equal(bad, 3);
    assert_int_equal(c.close_policy, LS_CLOSE_RELEASE);
    assert_int_equal(c.enabled, 1);
    assert_int_equal(c.log_level, LS_LOG_WARN);
}

static void test_config_stale_policy_and_deadline_are_parsed(void **state)
{
    (void)state;
    const char *env[] = {"LEASE_SHIM_STALE", "abort", "LEASE_SHIM_BREAK_DEADLINE", "250", NULL};
    int bad;
    struct ls_config c = parse(env, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(c.stale_policy, LS_STALE_ABORT);
    assert_int_equal(c.break_deadline_ms, 250);
}

static void test_config_bad_deadline_is_rejected(void **state)
{
    (void)state;
    const char *const bad_values[] = {"12ms", "-1", "", "86400001", "99999999999999999999", NULL};
    ls_cfg.log_level = LS_LOG_OFF;
    for (const char *const *v = bad_values; *v; v++) {
        const char *env[] = {"LEASE_SHIM_BREAK_DEADLINE", *v, NULL};
        int bad;
        struct ls_config c = parse(env, &bad);
        assert_int_equal(bad, 1);
        assert_int_equal(c.break_deadline_ms, 0);
    }
}

static void test_config_log_destination_and_stats_paths(void **state)
{
    (void)state;
    const char *env[] = {"LEASE_SHIM_LOG_DEST", "file:/var/log/shim.%p.log",
                         "LEASE_SHIM_STATS", "/tmp/stats.%p.json", NULL};
    int bad;
    struct ls_config c = parse(env, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(c.log_dest, LS_DEST_FILE);
    assert_string_equal(c.log_file, "/var/log/shim.%p.log");
    assert_string_equal(c.stats_file, "/tmp/stats.%p.json");
    const char *env2[] = {"LEASE_SHIM_LOG_DEST", "syslog", NULL};
    c = parse(env2, &bad);
    assert_int_equal(c.log_dest, LS_DEST_SYSLOG);
    assert_string_equal(c.stats_file, "");
}

static void test_config_relative_or_unknown_destinations_are_rejected(void **state)
{
    (void)state;
    ls_cfg.log_level = LS_LOG_OFF;
    const char *env[] = {"LEASE_SHIM_LOG_DEST", "file:relative.log", "LEASE_SHIM_STATS",
                         "stats.json", NULL};
    int bad;
    struct ls_config c = parse(env, &bad);
    assert_int_equal(bad, 2);
    assert_int_equal(c.log_dest, LS_DEST_STDERR);
    assert_string_equal(c.stats_file, "");
    const char *env2[] = {"LEASE_SHIM_LOG_DEST", "printer", NULL};
    c = parse(env2, &bad);
    assert_int_equal(bad, 1);
    assert_int_equal(c.log_dest, LS_DEST_STDERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_empty_environment_gives_defaults),
        cmocka_unit_test(test_config_static_defaults_match_empty_parse),
        cmocka_unit_test(test_config_env_prefix_scan),
        cmocka_unit_test(test_config_valid_values_are_taken),
        cmocka_unit_test(test_config_bad_value_keeps_default_and_counts),
        cmocka_unit_test(test_config_stale_policy_and_deadline_are_parsed),
        cmocka_unit_test(test_config_bad_deadline_is_rejected),
        cmocka_unit_test(test_config_log_destination_and_stats_paths),
        cmocka_unit_test(test_config_relative_or_unknown_destinations_are_rejected),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
