/* t_flush_keeps_thread - a signal sent to one thread stays with it (issue
 * #12 item 5).  When a tracked descriptor goes, the shim takes the
 * notifications queued for it off the queue; it must never hand a signal
 * that was sent to the closing thread alone to another thread.
 * argv[1] "sigqueue": the main thread has SIG blocked and pending for
 * itself (pthread_sigqueue, value 77); "owner_tid": the same signal is an
 * O_ASYNC notification directed at the main thread (F_SETOWN_EX
 * F_OWNER_TID).  A second thread has SIG unblocked.  The main thread then
 * closes a leased descriptor whose registration uses SIG (released).  The
 * second thread must receive nothing; once the main thread unblocks SIG,
 * the signal is delivered there. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pid_t main_tid;
static volatile int on_main, on_other, value_seen = -1;
static volatile int stop;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (syscall(SYS_gettid) == main_tid) {
        on_main++;
        if (si->si_code == SI_QUEUE)
            value_seen = si->si_value.sival_int;
    } else {
        on_other++;
    }
}

static void *other_thread(void *arg)
{
    (void)arg;
    while (!stop)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int owner_tid = strcmp(argv[1], "owner_tid") == 0;
    CHECK(owner_tid || strcmp(argv[1], "sigqueue") == 0);
    lst_stdio_guard();
    main_tid = (pid_t)syscall(SYS_gettid);
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    const char *data = lst_path("data");
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);

    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0); /* SIG unblocked there */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0); /* and blocked here */
    int sv[2] = {-1, -1};
    if (owner_tid) {
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        struct f_owner_ex o = {F_OWNER_TID, main_tid};
        CHECK_EQ(fcntl(sv[0], F_SETSIG, sig), 0);
        CHECK_EQ(fcntl(sv[0], F_SETOWN_EX, &o), 0);
        CHECK_EQ(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_ASYNC), 0);
        CHECK(write(sv[1], "x", 1) == 1); /* queued for the main thread */
    } else {
        CHECK_EQ(pthread_sigqueue(pthread_self(), sig, (union sigval){.sival_int = 77}), 0);
    }
    sigset_t pend;
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1);

    CHECK_EQ(close(a), 0); /* the lease is released; queued notifications looked at */
    CHECK_EQ(lst_leases_on(data), 0);
    nanosleep(&(struct timespec){0, 100 * 1000000}, NULL);
    CHECK_EQ(on_other, 0); /* nothing moved to the other thread */
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1);

    CHECK(pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0);
    CHECK_EQ(on_main, 1);
    if (!owner_tid)
        CHECK_EQ(value_seen, 77);
    stop = 1;
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_EQ(on_other, 0);
    return 0;
}
