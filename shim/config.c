/* config.c - parse LEASE_SHIM* environment variables. */
#include "config.h"
#include "fault.h"
#include "fmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ls_config ls_cfg = {
    .enabled = 1,
    .close_policy = LS_CLOSE_RELEASE,
    .log_level = LS_LOG_WARN,
    .alias_scan = 1,
    .backtrace = 0,
    .stale_policy = LS_STALE_DROP,
    .break_deadline_ms = 0,
    .exec_policy = LS_EXEC_HANDOVER,
    .log_dest = LS_DEST_STDERR,
};

/* Where ls_config_load reports bad values; NULL (ls_config_parse alone,
 * as in the unit tests): they are only counted. */
static void (*bad_report)(const char *msg);

/* Report a bad value (ls_config_load's REPORT), formatted as FMT says. */
static __attribute__((format(printf, 1, 2))) void bad_value(const char *fmt, ...)
{
    if (!bad_report)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    ls_vfmt(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bad_report(msg);
}

struct ls_word {
    const char *word;
    int value;
};

/* Look VALUE up in WORDS; -1 if absent. */
static int word_value(const struct ls_word *words, const char *value)
{
    for (; words->word; words++)
        if (strcmp(words->word, value) == 0)
            return words->value;
    return -1;
}

static const struct ls_word bool_words[] = {
    {"1", 1}, {"on", 1}, {"yes", 1}, {"true", 1},
    {"0", 0}, {"off", 0}, {"no", 0}, {"false", 0}, {NULL, 0},
};
static const struct ls_word close_words[] = {
    {"release", LS_CLOSE_RELEASE}, {"keep", LS_CLOSE_KEEP}, {NULL, 0},
};
static const struct ls_word exec_words[] = {
    {"handover", LS_EXEC_HANDOVER}, {"release", LS_EXEC_RELEASE}, {"keep", LS_EXEC_KEEP}, {NULL, 0},
};
static const struct ls_word stale_words[] = {
    {"drop", LS_STALE_DROP}, {"deliver", LS_STALE_DELIVER}, {"abort", LS_STALE_ABORT}, {NULL, 0},
};
static const struct ls_word log_words[] = {
    {"off", LS_LOG_OFF}, {"error", LS_LOG_ERROR}, {"warn", LS_LOG_WARN},
    {"info", LS_LOG_INFO}, {"debug", LS_LOG_DEBUG}, {NULL, 0},
};

/* Set *OUT from variable NAME if it is set and valid; count a bad value. */
static void parse_one(ls_getenv_fn lookup, const char *name, const struct ls_word *words,
                      int *out, int *bad)
{
    const char *v = lookup(name);
    if (!v)
        return;
    int x = word_value(words, v);
    if (x < 0) {
        bad_value("%s=%s is not a valid value; using the default", name, v);
        ++*bad;
        return;
    }
    *out = x;
}

/* Set *OUT from NAME if it holds a whole number of milliseconds, 0 to 86400000. */
static void parse_ms(ls_getenv_fn lookup, const char *name, unsigned *out, int *bad)
{
    const char *v = lookup(name);
    if (!v)
        return;
    unsigned long x = 0;
    const char *c = v;
    for (; *c >= '0' && *c <= '9' && x <= 86400000ul; c++)
        x = x * 10 + (unsigned long)(*c - '0');
    if (c == v || *c || x > 86400000ul) {
        bad_value("%s=%s is not a number of milliseconds (0 to 86400000); using the default",
                  name, v);
        ++*bad;
        return;
    }
    *out = (unsigned)x;
}

/* A path taken from NAME into OUT (LS_PATH_MAX bytes): absolute, and short
 * enough; "" when NAME is unset. */
static void parse_path(const char *name, const char *v, char *out, int *bad)
{
    out[0] = '\0';
    if (!v)
        return;
    size_t n = strlen(v);
    if (v[0] != '/' || n >= LS_PATH_MAX) {
        bad_value("%s: %s is not an absolute path shorter than %d bytes; ignored",
                  name, v, LS_PATH_MAX);
        ++*bad;
        return;
    }
    memcpy(out, v, n + 1);
}

/* LEASE_SHIM_LOG_DEST: stderr, syslog or file:PATH. */
static void parse_dest(ls_getenv_fn lookup, struct ls_config *cfg, int *bad)
{
    const char *v = lookup("LEASE_SHIM_LOG_DEST");
    cfg->log_dest = LS_DEST_STDERR;
    cfg->log_file[0] = '\0';
    if (!v || strcmp(v, "stderr") == 0)
        return;
    if (strcmp(v, "syslog") == 0) {
        cfg->log_dest = LS_DEST_SYSLOG;
    } else if (strncmp(v, "file:", 5) == 0) {
        parse_path("LEASE_SHIM_LOG_DEST", v + 5, cfg->log_file, bad);
        if (cfg->log_file[0])
            cfg->log_dest = LS_DEST_FILE;
    } else {
        bad_value("LEASE_SHIM_LOG_DEST=%s is not stderr, syslog or file:PATH; using stderr", v);
        ++*bad;
    }
}

int ls_config_parse(struct ls_config *cfg, ls_getenv_fn lookup)
{
    int saved = errno, bad = 0;
    int enabled = 1, close_policy = LS_CLOSE_RELEASE, log_level = LS_LOG_WARN;
    int alias_scan = 1, backtrace = 0, stale = LS_STALE_DROP;
    unsigned deadline = 0;
    int exec = LS_EXEC_HANDOVER;
    parse_one(lookup, "LEASE_SHIM", bool_words, &enabled, &bad);
    parse_one(lookup, "LEASE_SHIM_CLOSE", close_words, &close_policy, &bad);
    parse_one(lookup, "LEASE_SHIM_LOG", log_words, &log_level, &bad);
    parse_one(lookup, "LEASE_SHIM_ALIAS_SCAN", bool_words, &alias_scan, &bad);
    parse_one(lookup, "LEASE_SHIM_BACKTRACE", bool_words, &backtrace, &bad);
    parse_one(lookup, "LEASE_SHIM_STALE", stale_words, &stale, &bad);
    parse_ms(lookup, "LEASE_SHIM_BREAK_DEADLINE", &deadline, &bad);
    parse_one(lookup, "LEASE_SHIM_EXEC", exec_words, &exec, &bad);
    cfg->enabled = enabled;
    cfg->close_policy = (enum ls_close_policy)close_policy;
    cfg->log_level = (enum ls_log_level)log_level;
    cfg->alias_scan = alias_scan;
    cfg->backtrace = backtrace;
    cfg->stale_policy = (enum ls_stale_policy)stale;
    cfg->break_deadline_ms = deadline;
    cfg->exec_policy = (enum ls_exec_policy)exec;
    parse_dest(lookup, cfg, &bad);
    parse_path("LEASE_SHIM_STATS", lookup("LEASE_SHIM_STATS"), cfg->stats_file, &bad);
    errno = saved;
    return bad;
}

int ls_config_env_mentions_shim(char *const *env)
{
    for (; env && *env; env++)
        if (strncmp(*env, "LEASE_SHIM", 10) == 0)
            return 1;
    return 0;
}

void ls_config_load(void (*report)(const char *msg))
{
    /* No LEASE_SHIM* variable at all (the common case): the defaults stand,
     * and a dozen walks of the environment are saved at every start.  (In
     * secure-execution mode the variables are read with secure_getenv
     * below, which answers none.) */
    if (!ls_config_env_mentions_shim(environ))
        return;
    /* The log level decides whether parse errors are shown: read it first.
     * ls_cfg is written only where the environment changes it: a page of
     * the shim left clean at start-up is one fault fewer, and stays shared
     * with the file. */
    struct ls_config cfg = ls_cfg;
    const char *lvl = secure_getenv("LEASE_SHIM_LOG");
    int l = lvl ? word_value(log_words, lvl) : -1;
    if (l >= 0 && ls_cfg.log_level != (enum ls_log_level)l)
        ls_cfg.log_level = (enum ls_log_level)l;
    bad_report = report;
    ls_config_parse(&cfg, secure_getenv);
    bad_report = NULL;
    if (memcmp(&cfg, &ls_cfg, sizeof cfg) != 0)
        ls_cfg = cfg;
    ls_fault_load(report);
}
