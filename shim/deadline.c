/* deadline.c - release leases left unanswered past the configured deadline. */
#include "deadline.h"
#include "config.h"
#include "log.h"
#include "real.h"
#include "reg_notify.h"
#include "self.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

static int kick_word;

void ls_deadline_kick(void)
{
    if (!ls_cfg.break_deadline_ms)
        return;
    int saved = errno;
    __atomic_fetch_add(&kick_word, 1, __ATOMIC_RELEASE);
    LS_REAL(syscall)(SYS_futex, &kick_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    errno = saved;
}

/* Sleep until kicked or NS nanoseconds pass (0: until kicked). */
static void wait_kick(int seen, unsigned long long ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    LS_REAL(syscall)(SYS_futex, &kick_word, FUTEX_WAIT_PRIVATE, seen, ns ? &ts : NULL, NULL, 0);
}

static void *deadline_main(void *arg)
{
    (void)arg;
    unsigned long long limit = (unsigned long long)ls_cfg.break_deadline_ms * 1000000ull;
    for (;;) {
        int seen = __atomic_load_n(&kick_word, __ATOMIC_ACQUIRE);
        unsigned long long next = ls_reg_enforce_deadline(ls_now_ns(), limit);
        wait_kick(seen, next);
    }
    return NULL;
}

void ls_deadline_start(void)
{
    if (!ls_cfg.break_deadline_ms)
        return;
    sigset_t all, old;
    pthread_t t;
    pthread_attr_t attr;
    sigfillset(&all);
    /* the thread must never run the application's handlers */
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    if (pthread_create(&t, &attr, deadline_main, NULL) != 0)
        ls_log(LS_LOG_WARN, "cannot start the break-deadline thread; no deadline");
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
