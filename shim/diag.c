/* diag.c - async-signal-safe logging, counters and backtraces. */
#include "diag.h"
#include "config.h"
#include "real.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

static unsigned long ls_stats[LS_STAT_COUNT];

void ls_stat_inc(enum ls_stat s)
{
    __atomic_fetch_add(&ls_stats[s], 1, __ATOMIC_RELAXED);
}

unsigned long ls_stat_get(enum ls_stat s)
{
    return __atomic_load_n(&ls_stats[s], __ATOMIC_RELAXED);
}

struct out {
    char *p, *end;
};

static void put_char(struct out *o, char c)
{
    if (o->p < o->end)
        *o->p++ = c;
}

static void put_str(struct out *o, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        put_char(o, *s++);
}

static void put_num(struct out *o, unsigned long v, unsigned base, int negative)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative)
        put_char(o, '-');
    while (n)
        put_char(o, tmp[--n]);
}

size_t ls_vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
    if (size == 0)
        return 0;
    struct out o = {buf, buf + size - 1};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put_char(&o, *fmt);
            continue;
        }
        int is_long = 0;
        if (fmt[1] == 'l') {
            is_long = 1;
            fmt++;
        }
        switch (*++fmt) {
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            put_num(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0);
            break;
        }
        case 'u':
            put_num(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0);
            break;
        case 'x':
            put_num(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0);
            break;
        case 'p':
            put_str(&o, "0x");
            put_num(&o, (uintptr_t)va_arg(ap, void *), 16, 0);
            break;
        case 's':
            put_str(&o, va_arg(ap, const char *));
            break;
        case '%':
            put_char(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put_char(&o, '?');
            break;
        }
    }
    *o.p = '\0';
    return (size_t)(o.p - buf);
}

size_t ls_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = ls_vfmt(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* write(2) all of BUF to stderr, ignoring failure.  Async-signal-safe. */
static void emit(const char *buf, size_t len)
{
    while (len) {
        long w = LS_REAL(syscall)(SYS_write, 2L, buf, len);
        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
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
    emit(line, n);
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

/* Print the caller's stack, innermost first, at most 16 frames. */
static void backtrace_here(void)
{
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0)
        return;
    for (int depth = 0; depth < 16 && unw_step(&cur) > 0; depth++) {
        unw_word_t ip = 0, off = 0;
        char name[128], line[256];
        unw_get_reg(&cur, UNW_REG_IP, &ip);
        if (unw_get_proc_name(&cur, name, sizeof name, &off) != 0)
            name[0] = '\0';
        size_t n = ls_fmt(line, sizeof line, "  #%d %p %s+0x%lx\n", depth, (void *)ip,
                          name[0] ? name : "??", (unsigned long)off);
        emit(line, n);
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
    if (ls_cfg.backtrace)
        backtrace_here();
    errno = saved;
}
