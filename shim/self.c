/* self.c - the process's identity and clock (see self.h).
 *
 * The pid and the main thread are cached in a page of their own marked
 * MADV_WIPEONFORK: the kernel hands every fork child that page zeroed, so
 * a child - however it was made: fork, _Fork, daemon, forkpty, a raw
 * clone - finds nothing cached and asks again.  No code has to run in the
 * child to forget the parent's identity, which is what lets an idle
 * process fork with no fork handler at all (proc.c).  The page is mapped
 * on first use; a kernel without MADV_WIPEONFORK (before 4.14) gets an
 * ordinary cache, which the fork wrappers then reset in the child.
 */
#include "self.h"
#include "sys.h"

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

struct self_cache {
    pid_t pid;            /* 0: not asked yet (or a fork child) */
    int main_known;       /* main_tid is set */
    pthread_t main_tid;
};

static struct self_cache *wiped;  /* the wipe-on-fork page, once mapped */
static struct self_cache plain;   /* the cache where there is no such page */
static int no_wipe;               /* mapping it failed: use plain */

/* Set by the vfork wrapper (vfork_x86_64.S). */
__thread int ls_vfork_child __attribute__((tls_model("initial-exec")));

/* The cache: the wipe-on-fork page, mapped by the first caller.
 * Async-signal-safe (raw mmap and madvise); errno kept. */
static struct self_cache *cache(void)
{
    struct self_cache *c = __atomic_load_n(&wiped, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    if (__atomic_load_n(&no_wipe, __ATOMIC_RELAXED))
        return &plain;
    long page = 4096; /* (the kernel rounds up to its page size) */
    int saved = errno;
    void *p = (void *)LS_REAL(syscall)(SYS_mmap, NULL, page, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || LS_REAL(syscall)(SYS_madvise, p, page, MADV_WIPEONFORK) != 0) {
        if (p != MAP_FAILED)
            LS_REAL(syscall)(SYS_munmap, p, page);
        __atomic_store_n(&no_wipe, 1, __ATOMIC_RELAXED);
        errno = saved;
        return &plain;
    }
    errno = saved;
    struct self_cache *expected = NULL;
    if (!__atomic_compare_exchange_n(&wiped, &expected, (struct self_cache *)p, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        LS_REAL(syscall)(SYS_munmap, p, page); /* another thread's is in place */
        return expected;
    }
    return p;
}

pid_t ls_self(void)
{
    struct self_cache *c = cache();
    pid_t p = __atomic_load_n(&c->pid, __ATOMIC_RELAXED);
    if (!p) {
        p = ls_sys_getpid();
        __atomic_store_n(&c->pid, p, __ATOMIC_RELAXED);
    }
    return p;
}

/* Does the plain cache (no wipe-on-fork page) hold anything a fork child
 * would inherit?  Async-signal-safe. */
static int plain_filled(void)
{
    return !__atomic_load_n(&wiped, __ATOMIC_ACQUIRE) &&
           (__atomic_load_n(&plain.pid, __ATOMIC_RELAXED) ||
            __atomic_load_n(&plain.main_known, __ATOMIC_RELAXED));
}

int ls_self_survives_fork(void)
{
    return !plain_filled();
}

void ls_self_reset(void)
{
    /* a fork child: the main thread now */
    struct self_cache *c = cache();
    __atomic_store_n(&c->pid, ls_sys_getpid(), __ATOMIC_RELAXED);
    c->main_tid = pthread_self();
    __atomic_store_n(&c->main_known, 1, __ATOMIC_RELEASE);
}

void ls_self_after_fork(void)
{
    /* the wiped page is fresh already; the plain cache is reset only if the
     * parent had filled it (nothing written otherwise: no page copied) */
    if (plain_filled())
        ls_self_reset();
}

int ls_is_main_thread(void)
{
    struct self_cache *c = cache();
    if (__atomic_load_n(&c->main_known, __ATOMIC_ACQUIRE))
        return pthread_equal(pthread_self(), c->main_tid);
    if (ls_sys_gettid() != ls_self())
        return 0;
    /* learnt once, by the main thread itself (no other writes it) */
    c->main_tid = pthread_self();
    __atomic_store_n(&c->main_known, 1, __ATOMIC_RELEASE);
    return 1;
}

unsigned long long ls_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}
