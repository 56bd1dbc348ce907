/* t_proc_idle - forks of a process that holds no registration take the
 * shim's fast path (no lock, no signal-mask change, nothing written in a
 * single-threaded parent), and must still be right (SPEC §5, issue #13).
 *
 *   dropped      the parent took a lease and dropped it (close, R2): none
 *                left.  Its child takes a lease of its own, dups it and
 *                closes the notify fd: the shim must know the child is the
 *                owner (its cached pid is the child's), so the lease is
 *                re-homed and the break carries the alias (without the
 *                shim: the closed number); the same for an O_ASYNC socket
 *                whose F_SETOWN names the child's pid, and for a break
 *                already queued when the child re-homes (the shim puts it
 *                back on the child's queue, by the child's pid).
 *   dropped_mt   the same with a second thread alive in the parent.
 *   race         one thread registers and drops leases without pause while
 *                the main thread forks; every child makes and drops a
 *                registration of its own (the shim's lock and table must be
 *                usable: no half-made change inherited), with the parent's
 *                signal mask, and exits within the time limit. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fchild;

/* A lease of the child's own, re-homed by the close of its notify fd. */
static int child_rehome(void *arg)
{
    (void)arg;
    int f = lst_open(fchild, O_RDONLY);
    lst_lease(f, F_RDLCK);
    int d = dup(f);
    CHECK(d >= 0);
    CHECK_EQ(close(f), 0);
    CHECK_EQ(fcntl(d, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_break(fchild, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    int seen = lst_count();
    CHECK_EQ(lst_fd_at(seen - 1), d);
    /* and an O_ASYNC socket owned by pid: the shim must take the owner for
     * itself (the cached pid is this process's, not the parent's) */
    int sv[2];
    lst_async_socketpair(sv, lst_sig());
    int a = dup(sv[0]);
    CHECK(a >= 0);
    CHECK_EQ(close(sv[0]), 0);
    CHECK_EQ(write(sv[1], "x", 1), 1);
    CHECK(lst_wait(seen + 1, 2000) >= seen + 1);
    CHECK_EQ(lst_fd_at(lst_count() - 1), a);
    close(a);
    close(sv[1]);
    return 0;
}

static const char *fqueued;

/* A notification already queued when the child re-homes its lease: the
 * shim moves it from the queue to the alias's number, and puts it back on
 * this process's queue (not the parent's: the cached pid is the child's). */
static int child_queued(void *arg)
{
    (void)arg;
    sigset_t block, old, pend;
    sigemptyset(&block);
    sigaddset(&block, lst_sig());
    CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0);
    int f = lst_open(fqueued, O_RDONLY);
    lst_lease(f, F_RDLCK);
    CHECK_EQ(lst_break(fqueued, 0), EWOULDBLOCK);
    for (int i = 0; i < 2000; i++) {
        CHECK(sigpending(&pend) == 0);
        if (sigismember(&pend, lst_sig()) == 1)
            break;
        usleep(1000);
    }
    CHECK_EQ(sigismember(&pend, lst_sig()), 1);
    int d = dup(f);
    CHECK(d >= 0);
    CHECK_EQ(close(f), 0);
    int seen = lst_count();
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    CHECK(lst_wait(seen + 1, 2000) >= seen + 1);
    CHECK_EQ(lst_fd_at(seen), d);
    return 0;
}

static int stop_pipe[2];

static void *idle_thread(void *arg)
{
    (void)arg;
    char c;
    while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}


static int dropped(int threaded)
{
    const char *f0 = lst_path("dropped");
    fchild = lst_path("child");
    fqueued = lst_path("queued");
    int a = lst_open(f0, O_RDONLY);
    lst_lease(a, F_RDLCK);
    CHECK_EQ(close(a), 0); /* released: no registration left */
    CHECK_EQ(lst_leases_on(f0), 0);
    pthread_t t;
    if (threaded) {
        CHECK(pipe(stop_pipe) == 0);
        CHECK(pthread_create(&t, NULL, idle_thread, NULL) == 0);
    }
    sigset_t before, after;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &before) == 0);
    CHECK_EQ(lst_in_child(child_rehome, NULL), 0);
    CHECK_EQ(lst_in_child(child_queued, NULL), 0);
    CHECK(sigprocmask(SIG_BLOCK, NULL, &after) == 0);
    for (int sig = 1; sig < 65; sig++)
        CHECK_EQ(sigismember(&before, sig), sigismember(&after, sig));
    if (threaded) {
        close(stop_pipe[1]);
        CHECK(pthread_join(t, NULL) == 0);
    }
    /* and the parent's own shim state is still usable */
    CHECK_EQ(child_rehome(NULL), 0);
    return 0;
}

static int race(void)
{
    struct lst_churn churn = {lst_path("race"), 0};
    fchild = lst_path("child");
    close(lst_open(fchild, O_RDONLY)); /* the children open it without O_CREAT */
    sigset_t mask;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &mask) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, lst_lease_churn, &churn) == 0);
    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            sigset_t m;
            if (sigprocmask(SIG_BLOCK, NULL, &m) != 0)
                _exit(3);
            for (int sig = 1; sig < 65; sig++)
                if (sigismember(&m, sig) != sigismember(&mask, sig))
                    _exit(4);
            _exit(lst_child_lease_cycle(fchild));
        }
        lst_expect_child_ok(pid, i, 10000);
    }
    churn.stop = 1;
    CHECK(pthread_join(t, NULL) == 0);
    return 0;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    lst_stdio_guard();
    lst_record(lst_sig());
    if (strcmp(argv[1], "dropped") == 0)
        return dropped(0);
    if (strcmp(argv[1], "dropped_mt") == 0)
        return dropped(1);
    if (strcmp(argv[1], "race") == 0)
        return race();
    fprintf(stderr, "usage: t_proc_idle dropped|dropped_mt|race\n");
    return 2;
}
