/* t_proc_exec_cloexec_async - objection 2 for an O_ASYNC registration: a
 * child sets O_ASYNC (F_SETSIG, F_SETOWN itself) on a pipe's read end p,
 * which is close-on-exec, with a non-cloexec alias q, and execs t_proc_image
 * (argv[1]) "asynchandler".  The new image installs a handler and says
 * ready; this test writes to the pipe: the notification must arrive in the
 * new image as POLL_IN with si_fd == q.  Without the shim it carries p,
 * which exec closed. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    const char *image = argv[1];
    lst_stdio_guard();
    int rdy[2], pp[2];
    CHECK(pipe(rdy) == 0);
    CHECK(pipe2(pp, O_CLOEXEC) == 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        close(pp[1]);
        lst_record(lst_sig());
        int p = pp[0];
        CHECK(fcntl(p, F_SETSIG, lst_sig()) == 0);
        CHECK(fcntl(p, F_SETOWN, getpid()) == 0);
        CHECK(fcntl(p, F_SETFL, fcntl(p, F_GETFL) | O_ASYNC) == 0);
        int q = dup(p);
        CHECK(q >= 0);
        CHECK_EQ(fcntl(p, F_GETFD), FD_CLOEXEC);
        char rbuf[16], qbuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(qbuf, sizeof qbuf, "%d", q);
        execl(image, "t_proc_image", "asynchandler", rbuf, qbuf, (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    close(pp[0]);
    if (!lst_wait_ready(rdy[0], 3000)) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    CHECK(write(pp[1], "x", 1) == 1);
    CHECK_EQ(lst_wait_child(pid, 4000), 0);
    return 0;
}
