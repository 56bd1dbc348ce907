/* t_owner_thread - R1 keeps an F_SETOWN_EX F_OWNER_TID owner: the lease's
 * notifications go to a second thread; after close() of the notify fd with an
 * alias alive (number reused), the break is handled on that thread with
 * si_fd == the alias, and F_GETOWN_EX on the alias still names the thread. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int got_fd = -1, got_tid, got_code;
static volatile int worker_tid;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    got_tid = gettid();
    got_code = si->si_code;
    __atomic_store_n(&got_fd, si->si_fd, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    int rd = *(int *)arg;
    char c;
    __atomic_store_n(&worker_tid, gettid(), __ATOMIC_SEQ_CST);
    while (read(rd, &c, 1) < 0 && errno == EINTR) /* until main closes the pipe */
        ;
    return NULL;
}

static void nap(void)
{
    nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
}

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(lst_sig(), &sa, NULL), 0);

    int p[2];
    CHECK_EQ(pipe(p), 0);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, worker, &p[0]), 0);
    for (int i = 0; i < 400 && !__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST); i++)
        nap();
    int tid = worker_tid;
    CHECK(tid > 0 && tid != gettid());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    struct f_owner_ex own = {F_OWNER_TID, tid};
    CHECK_EQ(fcntl(a, F_SETOWN_EX, &own), 0);
    int d = dup(a);
    CHECK(d >= 0);

    CHECK_EQ(close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);
    struct f_owner_ex now = {0, 0};
    CHECK_EQ(fcntl(d, F_GETOWN_EX, &now), 0);
    CHECK_EQ(now.type, F_OWNER_TID);
    CHECK_EQ(now.pid, tid);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    for (int i = 0; i < 400 && __atomic_load_n(&got_fd, __ATOMIC_SEQ_CST) < 0; i++)
        nap(); /* main sleeps with the signal unblocked: a process-wide signal could land here */
    CHECK_EQ(got_fd, d);
    CHECK_EQ(got_tid, tid);
    CHECK_EQ(got_code, POLL_MSG);
    CHECK(lst_fd_names(got_fd, data));
    CHECK_EQ(fcntl(d, F_GETOWN_EX, &now), 0);
    CHECK_EQ(now.type, F_OWNER_TID);
    CHECK_EQ(now.pid, tid);

    close(p[1]);
    CHECK_EQ(pthread_join(th, NULL), 0);
    return 0;
}
