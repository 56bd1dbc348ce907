/* Trampoline, scenario 12 continued: two overflows.  RLIMIT_SIGPENDING is
 * 0, SIGIO is SIG_DFL, two leases A and B.  A is broken (overflow, the
 * shim hands the application A's notification); the application has not
 * answered it yet when B is broken (a second overflow).  The kernel sends
 * one notification per break: the application must get A once and B once,
 * not A's again.  Without the shim the first SIGIO kills. */
#include "lstest.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void break_now(const char *path)
{
    pid_t w = fork();
    CHECK(w >= 0);
    if (w == 0) {
        int fd = open(path, O_WRONLY | O_NONBLOCK);
        _exit(fd < 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    int st;
    while (waitpid(w, &st, 0) < 0) /* a recovered SIGIO may interrupt */
        CHECK(errno == EINTR);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int body(void *arg)
{
    (void)arg;
    const char *pa = lst_path("a"), *pb = lst_path("b");
    int sig = lst_sig();
    lst_record(sig);
    int a = lst_open(pa, O_RDONLY), b = lst_open(pb, O_RDONLY);
    lst_lease(a, F_RDLCK);
    lst_lease(b, F_RDLCK);
    struct rlimit none = {0, 0};
    CHECK(setrlimit(RLIMIT_SIGPENDING, &none) == 0);

    break_now(pa);
    lst_wait(1, 2000);
    lst_wait(2, 200);
    CHECK_EQ(lst_count(), 1);
    CHECK_EQ(lst_fd_at(0), a);

    break_now(pb); /* A's break is still unanswered */
    lst_wait(2, 2000);
    lst_wait(3, 200);
    for (int i = 0; i < lst_count(); i++)
        fprintf(stderr, "notification %d: si_fd %d (a=%d b=%d)\n", i, lst_fd_at(i), a, b);
    CHECK_EQ(lst_count(), 2);
    CHECK_EQ(lst_fd_at(1), b);
    return 0;
}

int main(void)
{
    lst_path("x");
    int st = lst_in_child(body, NULL);
    if (st == 128 + SIGIO)
        fprintf(stderr, "killed by SIGIO\n");
    CHECK_EQ(st, 0);
    return 0;
}
