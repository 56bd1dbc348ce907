/* log.c - the async-signal-safe log: one line at a time to stderr, the
 * system log or a file, and the internal checks (see log.h). */
#include "log.h"
#include "config.h"
#include "fmt.h"
#include "real.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>

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

void ls_log_write(int level, const char *buf, size_t len)
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

void ls_vlog(int level, const char *fmt, va_list ap)
{
    if (level > (int)ls_cfg.log_level)
        return;
    int saved = errno;
    char line[512];
    size_t n = ls_fmt(line, sizeof line, "lease-shim[%ld/%ld] %s: ",
                      LS_REAL(syscall)(SYS_getpid), LS_REAL(syscall)(SYS_gettid),
                      level_names[level]);
    n += ls_vfmt(line + n, sizeof line - n - 1, fmt, ap);
    line[n++] = '\n';
    ls_log_write(level, line, n);
    errno = saved;
}

void ls_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ls_vlog(level, fmt, ap);
    va_end(ap);
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
