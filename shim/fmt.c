/* fmt.c - a tiny printf for the shim's messages (see fmt.h). */
#include "fmt.h"

#include <stdint.h>

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
