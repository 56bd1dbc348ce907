/* t_proc_exec_release - LEASE_SHIM_EXEC=release (SPEC §5): registrations
 * that would survive an exec are released before it.
 *
 * A child takes a read lease and execs t_proc_image (argv[1]) "noleases":
 *   plain    the lease is on a, not close-on-exec;
 *   cloexec  the lease is on a (FD_CLOEXEC) with a non-cloexec alias d: it
 *            is re-homed to d (R1) and then released.
 * The new image checks that the descriptor it inherited still names the
 * file but carries no lease (F_GETLEASE, fdinfo, /proc/locks); from here,
 * a writer's O_NONBLOCK open goes straight through while that image runs.
 * Without the shim the lease survives the exec. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    const char *image = argv[1];
    int cloexec = strcmp(argv[2], "cloexec") == 0;
    CHECK(cloexec || strcmp(argv[2], "plain") == 0);
    const char *policy = getenv("LEASE_SHIM_EXEC");
    CHECK(policy && strcmp(policy, "release") == 0);
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    int rdy[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rdy) == 0);
    CHECK(fcntl(rdy[1], F_SETFD, 0) == 0); /* the new image keeps its end */

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        lst_record(lst_sig());
        int a = open(data, O_RDONLY | (cloexec ? O_CLOEXEC : 0));
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        int keep = cloexec ? dup(a) : a;
        CHECK(keep >= 0);
        char rbuf[16], fbuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(fbuf, sizeof fbuf, "%d", keep);
        execl(image, "t_proc_image", "noleases", rbuf, fbuf, data, (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    int ready = lst_wait_ready(rdy[0], 3000);
    int broke = ready ? lst_break(data, 0) : -1; /* while the new image runs */
    (void)!send(rdy[0], "G", 1, MSG_NOSIGNAL); /* let it go */
    int st = lst_wait_child(pid, 3000);
    fprintf(stderr, "new image: ready %d, status %d; writer's errno %d\n", ready, st, broke);
    CHECK(ready);
    CHECK_EQ(broke, 0);
    CHECK_EQ(st, 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
