/* stats.c - one JSON document per process at exit: what the shim saw and did. */
#include "stats.h"
#include "config.h"
#include "diag.h"
#include "log.h"
#include "fmt.h"
#include "real.h"
#include "sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* Append S to the JSON string being built at BUF+N, escaped. */
static size_t put_json_string(char *buf, size_t size, size_t n, const char *s)
{
    if (n + 1 < size)
        buf[n++] = '"';
    for (; *s && n + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            n += ls_fmt(buf + n, size - n, "\\u00%x%x", c >> 4, c & 15);
        } else {
            buf[n++] = (char)c;
        }
    }
    if (n + 1 < size)
        buf[n++] = '"';
    buf[n < size ? n : size - 1] = '\0';
    return n;
}

size_t ls_stats_json(char *buf, size_t size)
{
    char exe[512];
    long len = ls_sys_readlink("/proc/thread-self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = '\0';
    /* violations: what a strict CI run fails on (README, lease-run --strict) */
    unsigned long violations = 0;
    for (int i = 0; i < LS_STAT_COUNT; i++)
        if (ls_stat_is_violation((enum ls_stat)i))
            violations += ls_stat_get((enum ls_stat)i);
    size_t n = ls_fmt(buf, size, "{\"pid\": %ld, \"ppid\": %ld, \"exe\": ",
                      LS_REAL(syscall)(SYS_getpid), LS_REAL(syscall)(SYS_getppid));
    n = put_json_string(buf, size, n, exe);
    for (int i = 0; i < LS_STAT_COUNT && n < size; i++)
        n += ls_fmt(buf + n, size - n, ", \"%s\": %lu", ls_stat_name((enum ls_stat)i), ls_stat_get((enum ls_stat)i));
    if (n < size)
        n += ls_fmt(buf + n, size - n, ", \"violations\": %lu, \"sites\": [", violations);
    int first = 1;
    for (int i = 0; i < LS_SITES && n < size; i++) {
        const struct ls_site *st = ls_site_get(i);
        if (!st)
            continue;
        n += ls_fmt(buf + n, size - n, "%s{\"event\": \"%s\", \"count\": %lu, \"frames\": [",
                    first ? "" : ", ", ls_stat_name((enum ls_stat)st->event), st->count);
        first = 0;
        for (int f = 0; f < st->nframes && n < size; f++) {
            char frame[400];
            Dl_info di;
            /* a return address: look up the call instruction just before it */
            if (dladdr((void *)(st->ip[f] - 1), &di) && di.dli_fname) {
                if (di.dli_fname[0] != '/')
                    di.dli_fname = exe; /* the program, named as it was started */
                if (st->name[f][0])
                    ls_fmt(frame, sizeof frame, "%s+0x%lx (%s)", st->name[f], st->off[f],
                           di.dli_fname);
                else if (di.dli_sname)
                    ls_fmt(frame, sizeof frame, "%s+0x%lx (%s)", di.dli_sname,
                           (unsigned long)(st->ip[f] - (uintptr_t)di.dli_saddr), di.dli_fname);
                else
                    ls_fmt(frame, sizeof frame, "?? (%s+0x%lx)", di.dli_fname,
                           (unsigned long)(st->ip[f] - (uintptr_t)di.dli_fbase));
            } else {
                ls_fmt(frame, sizeof frame, "0x%lx", (unsigned long)st->ip[f]);
            }
            if (f && n < size)
                n += ls_fmt(buf + n, size - n, ", ");
            n = put_json_string(buf, size, n, frame);
        }
        if (n < size)
            n += ls_fmt(buf + n, size - n, "]}");
    }
    if (n < size)
        n += ls_fmt(buf + n, size - n, "]}\n");
    return n + 1 < size ? n : 0;
}

void ls_stats_write(void)
{
    if (!ls_cfg.stats_file[0])
        return;
    int saved = errno;
    char path[LS_PATH_MAX + 32], tmp[LS_PATH_MAX + 64];
    size_t docsize = 256 * 1024;
    char *doc = ls_sys_map(docsize);
    if (!doc) {
        ls_log(LS_LOG_WARN, "out of memory: no statistics written (errno %d)", errno);
        errno = saved;
        return;
    }
    size_t len = ls_stats_json(doc, docsize);
    ls_expand_path(ls_cfg.stats_file, path, sizeof path);
    ls_fmt(tmp, sizeof tmp, "%s.tmp.%ld", path, LS_REAL(syscall)(SYS_getpid));
    int fd = ls_sys_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || !len) {
        ls_log(LS_LOG_WARN, "cannot write statistics to %s (errno %d)", path, fd < 0 ? errno : 0);
        munmap(doc, docsize);
        errno = saved;
        return;
    }
    long w = LS_REAL(syscall)(SYS_write, (long)fd, doc, (long)len);
    LS_REAL(syscall)(SYS_close, (long)fd);
    /* the *at calls: AArch64 (the generic table) has no SYS_rename, SYS_unlink */
    if (w != (long)len ||
        LS_REAL(syscall)(SYS_renameat, (long)AT_FDCWD, tmp, (long)AT_FDCWD, path) < 0) {
        ls_log(LS_LOG_WARN, "cannot write statistics to %s (errno %d)", path, errno);
        LS_REAL(syscall)(SYS_unlinkat, (long)AT_FDCWD, tmp, 0L);
    }
    munmap(doc, docsize);
    errno = saved;
}
