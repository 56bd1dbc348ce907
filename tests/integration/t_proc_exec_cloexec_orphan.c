/* t_proc_exec_cloexec_orphan - objection 2 with no alias to re-home to.
 *
 * A child C takes a read lease on a (FD_CLOEXEC, no alias) and forks a
 * worker W, which keeps its copy of the open file description (and so the
 * lease) alive, as a server's workers do.  C then execs t_proc_image
 * (argv[1]) "nohandler" (sleeps 2 s, no handler), a new version of itself
 * say.  Exec closes a in C, but the lease lives on, owned by C's pid, with
 * its real-time signal: the new image has no descriptor for it and its
 * disposition is SIG_DFL.  A writer's O_NONBLOCK open starts a break: the
 * new image must not be killed by it (SPEC §5: registrations that outlive
 * the exec must not kill the new image).  Nobody can answer that break (no
 * descriptor is left in C), so this test does not wait for the writer; it
 * checks that the new image exits 0.  Without the shim it is killed. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Is a lease on PATH listed in /proc/locks?  Retried for up to 1 s: while
 * other processes add and remove locks, one read of /proc/locks can miss
 * an entry (see rules.cmake), never invent one. */
static int lease_present(const char *path)
{
    for (int waited = 0; waited < 1000; waited += 5) {
        if (lst_leases_on(path) >= 1)
            return 1;
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    return 0;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    const char *image = argv[1];
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    int rdy[2];
    CHECK(pipe(rdy) == 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        lst_record(lst_sig());
        int a = open(data, O_RDONLY | O_CLOEXEC);
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        pid_t c = getpid();
        pid_t worker = fork();
        CHECK(worker >= 0);
        if (worker == 0) {
            /* keeps a, and so the lease, until C is gone; holds none of
             * the test's output (ctest waits for that to close) */
            close(rdy[1]);
            int null = open("/dev/null", O_RDWR);
            dup2(null, 1);
            dup2(null, 2);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != c)
                _exit(0);
            alarm(10);
            for (;;)
                pause();
        }
        char rbuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        execl(image, "t_proc_image", "nohandler", rbuf, "2", (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    if (!lst_wait_ready(rdy[0], 3000)) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    CHECK(lease_present(data)); /* the worker keeps it alive */
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    int st = lst_wait_child(pid, 4000);
    fprintf(stderr, "the exec'd program: %s %d\n", st > 128 ? "killed by signal" : "exit status",
            st > 128 ? st - 128 : st);
    CHECK_EQ(st, 0);
    return 0;
}
