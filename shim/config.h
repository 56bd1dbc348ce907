/* config.h - settings read once from the environment. */
#ifndef LS_CONFIG_H
#define LS_CONFIG_H

enum ls_close_policy { LS_CLOSE_RELEASE, LS_CLOSE_KEEP };

enum ls_exec_policy { LS_EXEC_HANDOVER, LS_EXEC_RELEASE, LS_EXEC_KEEP };

enum ls_stale_policy { LS_STALE_DROP, LS_STALE_DELIVER, LS_STALE_ABORT };

enum ls_log_level { LS_LOG_OFF, LS_LOG_ERROR, LS_LOG_WARN, LS_LOG_INFO, LS_LOG_DEBUG };

enum ls_log_dest { LS_DEST_STDERR, LS_DEST_SYSLOG, LS_DEST_FILE };

#define LS_PATH_MAX 512

struct ls_config {
    int enabled;                      /* LEASE_SHIM: 0 turns tracking off */
    enum ls_close_policy close_policy;/* LEASE_SHIM_CLOSE */
    enum ls_log_level log_level;      /* LEASE_SHIM_LOG */
    int alias_scan;                   /* LEASE_SHIM_ALIAS_SCAN */
    int backtrace;                    /* LEASE_SHIM_BACKTRACE */
    enum ls_stale_policy stale_policy;/* LEASE_SHIM_STALE */
    unsigned break_deadline_ms;       /* LEASE_SHIM_BREAK_DEADLINE, 0 = off */
    enum ls_exec_policy exec_policy;  /* LEASE_SHIM_EXEC */
    enum ls_log_dest log_dest;        /* LEASE_SHIM_LOG_DEST */
    char log_file[LS_PATH_MAX];       /* LEASE_SHIM_LOG_DEST=file:PATH ("%p": the pid) */
    char stats_file[LS_PATH_MAX];     /* LEASE_SHIM_STATS ("%p": the pid), "" = none */
};

extern struct ls_config ls_cfg;

/* A getenv-like lookup; the shim passes secure_getenv. */
typedef char *(*ls_getenv_fn)(const char *name);

/* Fill CFG from LOOKUP: defaults first, then each variable that is set.
 * A bad value keeps the default and is reported once (see ls_config_load).
 * Returns the number of bad values.  Not async-signal-safe (getenv);
 * errno untouched. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
int ls_config_parse(struct ls_config *cfg, ls_getenv_fn lookup);

/* Does ENV (an environ-style array) hold a variable whose name starts with
 * LEASE_SHIM?  Async-signal-safe; errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_config_env_mentions_shim(char *const *env);

/* Load ls_cfg from secure_getenv; with no LEASE_SHIM* variable in the
 * environment, leave the defaults (ls_cfg's initializer) untouched.  Each
 * bad value is reported through REPORT, one line without its newline (the
 * constructor passes ls_log at LS_LOG_ERROR: the configuration lies below
 * the log and calls nothing above it).  Called once, by the constructor;
 * errno untouched. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_config_load(void (*report)(const char *msg));

#endif
