/* Trampoline, scenario 12: real-time queue overflow.  With
 * RLIMIT_SIGPENDING at 0 no real-time notification can be queued, so the
 * kernel falls back to a plain SIGIO (si_code SI_KERNEL, no si_fd).  The
 * application handles only SIGRTMIN+1 and leaves SIGIO at SIG_DFL: without
 * the shim a lease break kills it with SIGIO; with the shim its real-time
 * handler gets one notification naming the lease fd (POLL_MSG), the process
 * lives, and SIGIO still reads SIG_DFL.  The body runs in a child so that a
 * death is reported as a failure, and it never sits in a restartable
 * system call when the SIGIO comes (see t_tramp_overflow_restart for that). */
#include "lstest.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int body(void *arg)
{
    (void)arg;
    const char *data = lst_path("data");
    int sig = lst_sig();
    lst_record(sig);
    struct sigaction q;
    CHECK(sigaction(SIGIO, NULL, &q) == 0);
    CHECK(q.sa_handler == SIG_DFL);
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    struct rlimit none = {0, 0};
    CHECK(setrlimit(RLIMIT_SIGPENDING, &none) == 0);

    pid_t w = fork();
    CHECK(w >= 0);
    if (w == 0) {
        int fd = open(data, O_WRONLY | O_NONBLOCK);
        _exit(fd < 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    CHECK(lst_wait(1, 2000) >= 1);
    int st;
    while (waitpid(w, &st, 0) < 0)
        CHECK(errno == EINTR);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* the lease stood, a break began */
    lst_wait(2, 300);
    CHECK_EQ(lst_count(), 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(fcntl(a, F_GETLEASE), F_UNLCK); /* being broken */
    CHECK(sigaction(SIGIO, NULL, &q) == 0);
    CHECK(q.sa_handler == SIG_DFL);
    return 0;
}

int main(void)
{
    lst_path("x"); /* the directory belongs to this process */
    int st = lst_in_child(body, NULL);
    if (st == 128 + SIGIO)
        fprintf(stderr, "killed by SIGIO\n");
    CHECK_EQ(st, 0);
    return 0;
}
