/* lock.c - a futex lock taken only with every signal blocked. */
#include "lock.h"
#include "real.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

/* 0 free, 1 held, 2 held with waiters. */
static int ls_lock_word;

static void futex_wait(int *addr, int val)
{
    LS_REAL(syscall)(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake_one(int *addr)
{
    LS_REAL(syscall)(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void ls_lock_acquire(void)
{
    int expected = 0;
    if (__atomic_compare_exchange_n(&ls_lock_word, &expected, 1, 0,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    int saved = errno;
    while (__atomic_exchange_n(&ls_lock_word, 2, __ATOMIC_ACQUIRE) != 0)
        futex_wait(&ls_lock_word, 2);
    errno = saved;
}

static void ls_lock_release(void)
{
    if (__atomic_exchange_n(&ls_lock_word, 0, __ATOMIC_RELEASE) == 2) {
        int saved = errno;
        futex_wake_one(&ls_lock_word);
        errno = saved;
    }
}

/* Run by ls_crit_leave once the lock is released (ls_crit_on_leave). */
static void (*leave_hook)(void);

void ls_crit_on_leave(void (*hook)(void))
{
    __atomic_store_n(&leave_hook, hook, __ATOMIC_RELEASE);
}

static __thread const sigset_t *crit_caller_mask __attribute__((tls_model("initial-exec")));

/* ---- fork without the lock ----------------------------------------------------
 *
 * A fork that finds nothing to protect (forking.c) does not take the lock;
 * instead it makes sure no other thread is changing the shim's state while
 * it forks, by a handshake: each of crit_users and fast_forks is raised
 * before the other is read (sequentially consistent), so a thread entering
 * a critical section and a thread forking always see at least one of each
 * other.  An entrant that sees a fork backs off and waits for it to end; a
 * forker that sees an entrant takes the slow path (the lock).  The forking
 * thread itself (another library's fork handler calling close, say) never
 * waits: it cannot be in the middle of its own clone. */

static unsigned crit_users; /* threads in, or entering, a critical section */
static unsigned fast_forks; /* forks between ls_fork_fast_begin and _end, | LS_FF_WAITERS */
#define LS_FF_WAITERS 0x80000000u
static __thread int forking_here __attribute__((tls_model("initial-exec")));

/* Wait until no fast fork runs.  Async-signal-safe; errno clobbered when it waits. */
static void fast_fork_wait(void)
{
    unsigned f = __atomic_load_n(&fast_forks, __ATOMIC_SEQ_CST);
    while (f & ~LS_FF_WAITERS) {
        if (!(f & LS_FF_WAITERS) &&
            !__atomic_compare_exchange_n(&fast_forks, &f, f | LS_FF_WAITERS, 0, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST))
            continue;
        futex_wait((int *)&fast_forks, (int)(f | LS_FF_WAITERS));
        f = __atomic_load_n(&fast_forks, __ATOMIC_SEQ_CST);
    }
}

/* Count this thread as entering a critical section, first waiting out a
 * fast fork of another thread.  Async-signal-safe; errno clobbered when it waits. */
static void crit_users_enter(void)
{
    for (;;) {
        __atomic_add_fetch(&crit_users, 1, __ATOMIC_SEQ_CST);
        if (!(__atomic_load_n(&fast_forks, __ATOMIC_SEQ_CST) & ~LS_FF_WAITERS) || forking_here)
            return;
        __atomic_sub_fetch(&crit_users, 1, __ATOMIC_SEQ_CST);
        fast_fork_wait();
    }
}

int ls_fork_fast_begin(void)
{
    forking_here = 1;
    __atomic_add_fetch(&fast_forks, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&crit_users, __ATOMIC_SEQ_CST))
        return 1;
    ls_fork_fast_end();
    return 0;
}

void ls_fork_fast_end(void)
{
    unsigned old = __atomic_fetch_sub(&fast_forks, 1, __ATOMIC_SEQ_CST);
    forking_here = 0;
    if ((old & ~LS_FF_WAITERS) == 1 && (old & LS_FF_WAITERS)) {
        int saved = errno;
        __atomic_and_fetch(&fast_forks, ~LS_FF_WAITERS, __ATOMIC_SEQ_CST);
        LS_REAL(syscall)(SYS_futex, &fast_forks, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
        errno = saved;
    }
}

void ls_fork_fast_child(void)
{
    /* only this thread is left: nobody else enters, forks or waits */
    __atomic_store_n(&fast_forks, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&crit_users, 0, __ATOMIC_RELAXED);
    forking_here = 0;
}

/* This thread holds the lock for a fork in progress (ls_fork_lock). */
static __thread int held_for_fork __attribute__((tls_model("initial-exec")));

void ls_fork_lock(struct ls_crit *c)
{
    ls_crit_enter(c);
    held_for_fork = 1;
}

void ls_fork_unlock_parent(struct ls_crit *c)
{
    held_for_fork = 0;
    ls_crit_leave(c);
}

void ls_fork_unlock_child(struct ls_crit *c)
{
    /* only this thread is left: nobody else waits for the lock */
    held_for_fork = 0;
    __atomic_store_n(&ls_lock_word, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&crit_users, 0, __ATOMIC_RELAXED);
    crit_caller_mask = NULL; /* it named the fork wrapper's frame */
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &c->saved, NULL);
    errno = saved;
}

const sigset_t *ls_crit_caller_mask(void)
{
    return crit_caller_mask;
}

void ls_crit_enter(struct ls_crit *c)
{
    if (__builtin_expect(held_for_fork, 0)) {
        c->nested = 1; /* another library's fork handler, on the forking thread */
        return;
    }
    c->nested = 0;
    sigset_t all;
    int saved = errno;
    sigfillset(&all);
    /* glibc keeps its own internal signals (cancellation, setxid) out of the
     * set; none of their handlers re-enter the shim. */
    pthread_sigmask(SIG_BLOCK, &all, &c->saved);
    crit_users_enter(); /* (may wait on a futex: errno restored below) */
    errno = saved;
    ls_lock_acquire();
    crit_caller_mask = &c->saved;
}

void ls_crit_leave(struct ls_crit *c)
{
    if (c->nested)
        return; /* the fork's own leave releases the lock */
    int saved = errno;
    crit_caller_mask = NULL;
    ls_lock_release();
    __atomic_sub_fetch(&crit_users, 1, __ATOMIC_SEQ_CST);
    void (*hook)(void) = __atomic_load_n(&leave_hook, __ATOMIC_ACQUIRE);
    if (hook)
        hook(); /* backtraces owed (ls_diag_unlocked): libunwind may re-enter a wrapper */
    pthread_sigmask(SIG_SETMASK, &c->saved, NULL);
    errno = saved;
}
