/* diag.c - the counters, the call sites of violations and the backtraces
 * of events (see diag.h); async-signal-safe throughout. */
#include "diag.h"
#include "config.h"
#include "fmt.h"
#include "lock.h"
#include "log.h"
#include "unwind.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static unsigned long ls_stats[LS_STAT_COUNT];
static struct ls_site site_table[LS_SITES];

/* What a thread owes while it holds the lock (lock.h): libunwind calls the
 * exported open() and close() (the shim's own wrappers), so a backtrace or
 * a call site is taken only once the lock is released (ls_diag_unlocked). */
static __thread unsigned owed_sites[LS_STAT_COUNT] __attribute__((tls_model("initial-exec")));
static __thread int owed_any __attribute__((tls_model("initial-exec")));
static __thread int owed_backtrace __attribute__((tls_model("initial-exec")));

int ls_stat_is_violation(enum ls_stat s)
{
#define LS_STAT_VIOLATION(name, json, violation) [LS_STAT_##name] = violation,
    static const unsigned char violation[LS_STAT_COUNT] = {LS_STATS(LS_STAT_VIOLATION)};
#undef LS_STAT_VIOLATION
    return violation[s];
}

const char *ls_stat_name(enum ls_stat s)
{
#define LS_STAT_NAME(name, json, violation) [LS_STAT_##name] = json,
    static const char *const names[LS_STAT_COUNT] = {LS_STATS(LS_STAT_NAME)};
#undef LS_STAT_NAME
    return names[s];
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
    if (!ls_stat_is_violation(s) || !ls_cfg.stats_file[0])
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
    if (ls_stat_is_violation(s))
        ls_site_record(s, 1, NULL, 0);
}

unsigned long ls_stat_get(enum ls_stat s)
{
    return __atomic_load_n(&ls_stats[s], __ATOMIC_RELAXED);
}

/* Print F (N frames), innermost first. */
static void print_frames(const struct ls_frame *f, int n)
{
    for (int i = 0; i < n; i++) {
        char line[256];
        size_t len = ls_fmt(line, sizeof line, "  #%d %p %s+0x%lx (%s)\n", i, (void *)f[i].pc,
                            f[i].name[0] ? f[i].name : "??", f[i].off, f[i].module);
        ls_log_write(LS_LOG_INFO, line, len);
    }
}

void ls_log_event(const char *fmt, ...)
{
    if (ls_cfg.log_level < LS_LOG_INFO)
        return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    ls_vlog(LS_LOG_INFO, fmt, ap);
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

/* ---- violation sites --------------------------------------------------- */

void ls_site_record(int event, unsigned long count, const struct ls_frame *fr, int n)
{
    if (!ls_cfg.stats_file[0])
        return;
    int saved = errno;
    if (n > LS_SITE_FRAMES)
        n = LS_SITE_FRAMES;
    uint64_t h = 1469598103934665603ull ^ (uint64_t)event; /* FNV-1a over the frames */
    for (int i = 0; i < n; i++)
        h = (h ^ fr[i].pc) * 1099511628211ull;
    if (!h)
        h = 1;
    for (unsigned i = 0, slot = (unsigned)(h % LS_SITES); i < LS_SITES; i++, slot = (slot + 1) % LS_SITES) {
        struct ls_site *st = &site_table[slot];
        uint64_t seen = __atomic_load_n(&st->hash, __ATOMIC_ACQUIRE);
        if (!seen) {
            uint64_t empty = 0;
            if (__atomic_compare_exchange_n(&st->hash, &empty, h, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                st->event = event;
                st->nframes = n;
                for (int f = 0; f < n; f++) {
                    st->ip[f] = fr[f].pc;
                    memcpy(st->name[f], fr[f].name, LS_FRAME_NAME);
                    st->off[f] = fr[f].off;
                }
                __atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
                seen = h;
            } else {
                seen = empty;
            }
        }
        if (seen == h) {
            __atomic_fetch_add(&st->count, count, __ATOMIC_RELAXED);
            break;
        }
    }
    errno = saved;
}

const struct ls_site *ls_site_get(int i)
{
    return __atomic_load_n(&site_table[i].ready, __ATOMIC_ACQUIRE) ? &site_table[i] : NULL;
}
