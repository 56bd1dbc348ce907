/* Trampoline, scenario 15: F_SETOWN_EX with F_OWNER_TID.  The notification
 * reaches the handler on that thread, not on the main thread (which leaves
 * the signal unblocked and would take a process-directed one):
 *   1. a plain lease owned by thread T;
 *   2. the same after a re-home (the notify fd closed with an alias left,
 *      the number reused): the kernel's F_SETLEASE on the alias resets the
 *      owner to the process, the shim must restore F_OWNER_TID; the
 *      notification names the alias, on thread T.
 * Without the shim the second notification names the reused number. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static volatile int calls, got_fd;
static volatile pid_t got_tid;
static pid_t t_tid;
static volatile int done;

static void on_note(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    got_fd = si->si_fd;
    got_tid = gettid();
    calls++;
}

static void *owner_thread(void *arg)
{
    (void)arg;
    __atomic_store_n(&t_tid, gettid(), __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST))
        usleep(1000); /* signals unblocked */
    return NULL;
}

static void own(int fd)
{
    struct f_owner_ex o = {.type = F_OWNER_TID, .pid = t_tid}, q;
    CHECK(fcntl(fd, F_SETOWN_EX, &o) == 0);
    CHECK(fcntl(fd, F_GETOWN_EX, &q) == 0);
    CHECK_EQ(q.type, F_OWNER_TID);
    CHECK_EQ(q.pid, t_tid);
}

static void expect(int fd)
{
    for (int i = 0; i < 400 && !calls; i++)
        usleep(5000);
    usleep(100000);
    if (calls)
        fprintf(stderr, "notification: si_fd %d on thread %d (owner thread %d, main %d)\n", got_fd,
                (int)got_tid, (int)t_tid, (int)getpid());
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_tid, t_tid);
    CHECK_EQ(got_fd, fd);
}

int main(void)
{
    const char *p1 = lst_path("one"), *p2 = lst_path("two"), *other = lst_path("other");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    struct sigaction sa = {.sa_sigaction = on_note, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, owner_thread, NULL) == 0);
    while (!__atomic_load_n(&t_tid, __ATOMIC_SEQ_CST))
        usleep(1000);

    /* 1 */
    int a = lst_open(p1, O_RDONLY);
    lst_lease(a, F_RDLCK);
    own(a);
    CHECK_EQ(lst_break(p1, 0), EWOULDBLOCK);
    expect(a);

    /* 2 */
    calls = 0;
    int b = lst_open(p2, O_RDONLY);
    lst_lease(b, F_RDLCK);
    own(b);
    int d = dup(b);
    CHECK(d >= 0);
    CHECK(close(b) == 0);
    CHECK_EQ(open(other, O_RDONLY), b);
    struct f_owner_ex q;
    CHECK(fcntl(d, F_GETOWN_EX, &q) == 0);
    CHECK_EQ(q.type, F_OWNER_TID); /* the owner is what the application set */
    CHECK_EQ(q.pid, t_tid);
    CHECK_EQ(lst_break(p2, 0), EWOULDBLOCK);
    expect(d);

    __atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
    CHECK(pthread_join(t, NULL) == 0);
    return 0;
}
