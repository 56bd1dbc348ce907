/* Trampoline, scenario 15 continued: a notification for a registration
 * owned by thread T (F_SETOWN_EX F_OWNER_TID) is queued on T while T blocks
 * the signal; T then closes the notify fd (an alias is left) and the number
 * is reused; T unblocks.  SPEC §4: the pending notification is taken off
 * the queue and queued back *to the thread*, translated.  Expected: T's
 * handler gets it, naming the alias, exactly once, and the main thread
 * (signal unblocked, idle) gets nothing.  Without the shim it names the
 * reused number. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static volatile int calls, got_fd;
static volatile pid_t got_tid;
static pid_t t_tid;
static int step; /* 1: lease set up, 2: break queued */
static int a, d, other_fd;
static const char *other;

static void on_note(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    got_fd = si->si_fd;
    got_tid = gettid();
    calls++;
}

static void wait_step(int s)
{
    for (int i = 0; i < 2000 && __atomic_load_n(&step, __ATOMIC_SEQ_CST) < s; i++)
        usleep(1000);
    CHECK(__atomic_load_n(&step, __ATOMIC_SEQ_CST) >= s);
}

static void *owner_thread(void *arg)
{
    const char *path = arg;
    int sig = lst_sig();
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
    t_tid = gettid();
    a = lst_open(path, O_RDONLY);
    lst_lease(a, F_RDLCK);
    struct f_owner_ex o = {.type = F_OWNER_TID, .pid = t_tid};
    CHECK(fcntl(a, F_SETOWN_EX, &o) == 0);
    d = dup(a);
    CHECK(d >= 0);
    __atomic_store_n(&step, 1, __ATOMIC_SEQ_CST);
    wait_step(2);
    sigset_t pend;
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1); /* queued on this thread */
    CHECK(close(a) == 0);
    other_fd = open(other, O_RDONLY);
    CHECK_EQ(other_fd, a);
    CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0);
    for (int i = 0; i < 400 && !calls; i++)
        usleep(5000);
    usleep(100000);
    return NULL;
}

int main(void)
{
    const char *path = lst_path("data");
    other = lst_path("other");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    struct sigaction sa = {.sa_sigaction = on_note, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, owner_thread, (void *)path) == 0);
    wait_step(1);
    CHECK_EQ(lst_break(path, 0), EWOULDBLOCK);
    __atomic_store_n(&step, 2, __ATOMIC_SEQ_CST);
    CHECK(pthread_join(t, NULL) == 0);
    if (calls)
        fprintf(stderr, "notification: si_fd %d on thread %d (owner thread %d, main %d), alias %d\n",
                got_fd, (int)got_tid, (int)t_tid, (int)getpid(), d);
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_fd, d);
    CHECK_EQ(got_tid, t_tid);
    return 0;
}
