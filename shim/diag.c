/* diag.c - async-signal-safe logging, counters and backtraces. */
#include "diag.h"
#include "config.h"
#include "fmt.h"
#include "lock.h"
#include "real.h"
#include "stats.h"
#include "sys.h"
#include "unwind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>


static unsigned long ls_stats[LS_STAT_COUNT];

/* What a thread owes while it holds the lock (lock.h): libunwind calls the
 * exported open() and close() (the shim's own wrappers), so a backtrace or
 * a call site is taken only once the lock is released (ls_diag_unlocked). */
static __thread unsigned owed_sites[LS_STAT_COUNT] __attribute__((tls_model("initial-exec")));
static __thread int owed_any __attribute__((tls_model("initial-exec")));
static __thread int owed_backtrace __attribute__((tls_model("initial-exec")));

static int is_violation(enum ls_stat s)
{
    switch (s) {
    case LS_STAT_REHOMED:
    case LS_STAT_RELEASED:
    case LS_STAT_KEPT:
    case LS_STAT_STALE_DROPPED:
    case LS_STAT_STALE_TRANSLATED:
        return 1;
    default:
        return 0;
    }
}

/* The caller's stack beyond the shim's frames, into F (at most MAX);
 * never with the lock held.  Async-signal-safe. */
static int frames_here(struct ls_frame *f, int max)
{
    if (ls_crit_caller_mask()) {
        ls_check_failed("libunwind called with the lock held");
        return 0;
    }
    return ls_unwind_frames(f, max);
}

void ls_stat_inc(enum ls_stat s)
{
    __atomic_fetch_add(&ls_stats[s], 1, __ATOMIC_RELAXED);
    if (!is_violation(s) || !ls_cfg.stats_file[0])
        return;
    /* a violation: where in the application */
    if (ls_crit_caller_mask()) {
        owed_sites[s]++;
        owed_any = 1;
        return;
    }
    struct ls_frame f[LS_SITE_FRAMES];
    ls_site_record(s, 1, f, frames_here(f, LS_SITE_FRAMES));
}

void ls_stat_inc_in_handler(enum ls_stat s)
{
    __atomic_fetch_add(&ls_stats[s], 1, __ATOMIC_RELAXED);
    if (is_violation(s))
        ls_site_record(s, 1, NULL, 0);
}

unsigned long ls_stat_get(enum ls_stat s)
{
    return __atomic_load_n(&ls_stats[s], __ATOMIC_RELAXED);
}

int ls_log_enabled(int level)
{
    return level <= (int)ls_cfg.log_level;
}

const char *ls_fd_path(int fd, char *buf, size_t size)
{
    char link[32];
    ls_fmt(link, sizeof link, "/proc/thread-self/fd/%d", fd);
    long n = ls_sys_readlink(link, buf, size - 1);
    if (n <= 0)
        return "?";
    buf[n] = '\0';
    return buf;
}

size_t ls_expand_path(const char *tmpl, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = tmpl; *c && n + 1 < size; c++) {
        if (c[0] == '%' && c[1] == 'p') {
            n += ls_fmt(out + n, size - n, "%ld", LS_REAL(syscall)(SYS_getpid));
            c++;
        } else {
            out[n++] = *c;
        }
    }
    out[n] = '\0';
    return n;
}

/* write(2) all of BUF to FD, ignoring failure.  Async-signal-safe. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        long w = LS_REAL(syscall)(SYS_write, (long)fd, buf, len);
        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
    }
}

/* Append BUF to the log file, opened only for the moment: the shim keeps no
 * descriptor the application could see or close.  Async-signal-safe. */
static void emit_file(const char *buf, size_t len)
{
    char path[LS_PATH_MAX + 32];
    struct stat st;
    ls_expand_path(ls_cfg.log_file, path, sizeof path);
    int fd = ls_sys_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        /* nothing lost: the line goes where it would without a log file */
        write_all(2, buf, len);
        return;
    }
    if (ls_sys_fstat(fd, &st) == 0) {
        write_all(fd, buf, len);
        ls_sys_close_if_ours(fd, &st);
    }
}

/* Send BUF to the system log's socket, in the protocol syslog(3) speaks,
 * without syslog(3) (not async-signal-safe).  Async-signal-safe. */
static void emit_syslog(int level, const char *buf, size_t len)
{
    static const int severity[] = {7, 3, 4, 6, 7}; /* off error warn info debug */
    char msg[600];
    size_t n = ls_fmt(msg, sizeof msg, "<%d>", 8 + severity[level]); /* facility user */
    if (len > sizeof msg - n)
        len = sizeof msg - n;
    memcpy(msg + n, buf, len);
    n += len;
    if (n && msg[n - 1] == '\n')
        n--;
    struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};
    struct stat st;
    int s = (int)LS_REAL(syscall)(SYS_socket, (long)AF_UNIX, (long)(SOCK_DGRAM | SOCK_CLOEXEC), 0L);
    if (s < 0)
        return;
    if (ls_sys_fstat(s, &st) == 0) {
        LS_REAL(syscall)(SYS_sendto, (long)s, msg, (long)n, 0L, &addr, (long)sizeof addr);
        ls_sys_close_if_ours(s, &st);
    }
}

/* One finished line to the configured destination.  Async-signal-safe. */
static void emit_line(int level, const char *buf, size_t len)
{
    switch (ls_cfg.log_dest) {
    case LS_DEST_FILE:
        emit_file(buf, len);
        break;
    case LS_DEST_SYSLOG:
        emit_syslog(level, buf, len);
        break;
    case LS_DEST_STDERR:
        write_all(2, buf, len);
        break;
    }
}

static const char *const level_names[] = {"off", "error", "warning", "info", "debug"};

static void vlog(int level, const char *fmt, va_list ap)
{
    char line[512];
    size_t n = ls_fmt(line, sizeof line, "lease-shim[%ld/%ld] %s: ",
                      LS_REAL(syscall)(SYS_getpid), LS_REAL(syscall)(SYS_gettid),
                      level_names[level]);
    n += ls_vfmt(line + n, sizeof line - n - 1, fmt, ap);
    line[n++] = '\n';
    emit_line(level, line, n);
}

void ls_log(int level, const char *fmt, ...)
{
    if (level > (int)ls_cfg.log_level)
        return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
    errno = saved;
}

/* Print F (N frames), innermost first. */
static void print_frames(const struct ls_frame *f, int n)
{
    for (int i = 0; i < n; i++) {
        char line[256];
        size_t len = ls_fmt(line, sizeof line, "  #%d %p %s+0x%lx (%s)\n", i, (void *)f[i].pc,
                            f[i].name[0] ? f[i].name : "??", f[i].off, f[i].module);
        emit_line(LS_LOG_INFO, line, len);
    }
}

void ls_log_event(const char *fmt, ...)
{
    if (ls_cfg.log_level < LS_LOG_INFO)
        return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(LS_LOG_INFO, fmt, ap);
    va_end(ap);
    if (ls_cfg.backtrace) {
        if (ls_crit_caller_mask()) {
            owed_backtrace = owed_any = 1;
        } else {
            struct ls_frame f[16];
            print_frames(f, frames_here(f, 16));
        }
    }
    errno = saved;
}

void ls_diag_unlocked(void)
{
    if (!owed_any)
        return;
    int saved = errno;
    unsigned sites[LS_STAT_COUNT];
    int bt = owed_backtrace;
    memcpy(sites, owed_sites, sizeof sites);
    memset(owed_sites, 0, sizeof owed_sites);
    owed_any = owed_backtrace = 0; /* before libunwind, which may come back here */
    struct ls_frame f[16];
    int n = frames_here(f, 16);
    if (bt)
        print_frames(f, n);
    for (int s = 0; s < LS_STAT_COUNT; s++)
        if (sites[s])
            ls_site_record(s, sites[s], f, n < LS_SITE_FRAMES ? n : LS_SITE_FRAMES);
    errno = saved;
}

void ls_check_failed(const char *what)
{
#ifdef LS_CHECKS
    char line[160];
    size_t n = ls_fmt(line, sizeof line, "lease-shim: internal check failed: %s\n", what);
    write_all(2, line, n);
    abort();
#else
    ls_log(LS_LOG_WARN, "internal check failed: %s (skipped)", what);
#endif
}
