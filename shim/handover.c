/* handover.c - encode and decode LEASE_SHIM_HANDOVER (see handover.h). */
#include "handover.h"
#include "fmt.h"
#include "sys.h" /* LS_NSIG */

#include <string.h>

size_t ls_handover_begin(char *buf, size_t size, uint64_t mask)
{
    /* the mask in hex, all 64 bits whatever the width of long: a 32-bit
     * image hands over to a 64-bit one and back (signals 33..64 are the
     * real-time ones) */
    char hex[17];
    int i = 16;
    hex[i] = '\0';
    do
        hex[--i] = "0123456789abcdef"[mask & 0xf];
    while (mask >>= 4);
    size_t n = ls_fmt(buf, size, "%s=1;m=%s", LS_HANDOVER_VAR, hex + i);
    return n + 1 < size ? n : 0;
}

size_t ls_handover_add(char *buf, size_t size, size_t len, const struct ls_handover_rec *r)
{
    if (len == 0 || len >= size)
        return 0;
    size_t n = ls_fmt(buf + len, size - len, ";%d,%d,%d,%d,%d,%d", r->fd, r->lease, r->async,
                      r->sig, r->owner_type, r->owner_pid);
    return len + n + 1 < size ? len + n : 0;
}

/* Read a number (decimal, or hex when HEX) at *P; advance.  0 on success. */
static int read_num(const char **p, int hex, int allow_neg, long long *out)
{
    const char *s = *p;
    int neg = 0;
    unsigned long long v = 0;
    if (allow_neg && *s == '-') {
        neg = 1;
        s++;
    }
    const char *start = s;
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (hex && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else
            break;
        if (v > (~0ull >> 4))
            return -1;
        v = v * (hex ? 16 : 10) + (unsigned)d;
    }
    if (s == start)
        return -1;
    if (!hex && v > 0x7fffffffull)
        return -1;
    *out = neg ? -(long long)v : (long long)v;
    *p = s;
    return 0;
}

int ls_handover_parse(const char *value, uint64_t *mask,
                      void (*each)(const struct ls_handover_rec *rec, void *arg), void *arg)
{
    const char *p = value;
    long long v;
    if (strncmp(p, "1;m=", 4) != 0)
        return -1;
    p += 4;
    if (read_num(&p, 1, 0, &v) < 0)
        return -1;
    *mask = (uint64_t)v;
    int count = 0;
    while (*p == ';') {
        p++;
        long long f[6];
        for (int i = 0; i < 6; i++) {
            if (i && *p++ != ',')
                return -1;
            if (read_num(&p, 0, i == 0 || i == 5, &f[i]) < 0)
                return -1;
        }
        struct ls_handover_rec r = {(int)f[0], (int)f[1], (int)f[2], (int)f[3], (int)f[4], (int)f[5]};
        if (r.fd < -1 || r.lease < 0 || r.lease > 2 || r.async > 1 || r.sig >= LS_NSIG)
            return -1;
        each(&r, arg);
        count++;
    }
    return *p ? -1 : count;
}
