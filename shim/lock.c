/* lock.c - a futex lock taken only with every signal blocked. */
#include "lock.h"
#include "diag.h"
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

static __thread const sigset_t *crit_caller_mask __attribute__((tls_model("initial-exec")));

void ls_lock_reset_in_child(void)
{
    __atomic_store_n(&ls_lock_word, 0, __ATOMIC_RELAXED);
    crit_caller_mask = NULL; /* it named the fork prepare handler's frame */
}

const sigset_t *ls_crit_caller_mask(void)
{
    return crit_caller_mask;
}

void ls_crit_enter(struct ls_crit *c)
{
    sigset_t all;
    int saved = errno;
    sigfillset(&all);
    /* glibc keeps its own internal signals (cancellation, setxid) out of the
     * set; none of their handlers re-enter the shim. */
    pthread_sigmask(SIG_BLOCK, &all, &c->saved);
    errno = saved;
    ls_lock_acquire();
    crit_caller_mask = &c->saved;
}

void ls_crit_leave(struct ls_crit *c)
{
    int saved = errno;
    crit_caller_mask = NULL;
    ls_lock_release();
    ls_diag_unlocked(); /* backtraces owed: libunwind may re-enter a wrapper */
    pthread_sigmask(SIG_SETMASK, &c->saved, NULL);
    errno = saved;
}
