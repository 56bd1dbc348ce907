/* t_closeall_release - R2 when the application closes everything (argv:
 * METHOD VARIANT, see closeall_common.h): a read lease and an O_ASYNC
 * registration, each with a dup() alias, are released, though their open
 * file descriptions live on in a forked child.  The kernel is the oracle:
 * afterwards /proc/locks lists no lease on the file, and the descriptions,
 * fetched back from the child with pidfd_getfd, have no lease and O_ASYNC
 * off.  Without the shim both stay on (they belong to the descriptions,
 * which the child keeps), and the next writer of the file would wait for
 * lease-break-time on a lease nobody can answer. */
#include "closeall_common.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that keeps every inherited descriptor, so every open file
 * description, until it is killed.  No pipe to tell it to go: the parent
 * is about to close all its descriptors. */
static pid_t hold_everything(void)
{
    pid_t parent = getpid(), pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) /* it exited before prctl() */
            _exit(0);
        for (;;)
            pause();
    }
    return pid;
}

static int scenario(enum ca_method m, const char *dir)
{
    const char *data = ca_file(dir, "data");
    lst_record(lst_sig());

    int a, p[2];
    ca_register_two(data, &a, p);

    pid_t holder = hold_everything();
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */

    ca_close_everything(m);
    ca_check("after closing everything");

    CHECK_EQ(lst_leases_on(data), 0);
    int want = ca_lowest();
    int pidfd = (int)syscall(SYS_pidfd_open, holder, 0);
    CHECK_EQ(pidfd, want);
    ca_track(pidfd);
    want = ca_lowest();
    int lease_ofd = (int)syscall(SYS_pidfd_getfd, pidfd, a, 0);
    CHECK_EQ(lease_ofd, want);
    ca_track(lease_ofd);
    want = ca_lowest();
    int async_ofd = (int)syscall(SYS_pidfd_getfd, pidfd, p[0], 0);
    CHECK_EQ(async_ofd, want);
    ca_track(async_ofd);
    CHECK_EQ(fcntl(lease_ofd, F_GETLEASE), F_UNLCK);
    CHECK_EQ(lst_fdinfo_leases(lease_ofd), 0);
    CHECK_EQ(fcntl(async_ofd, F_GETFL) & O_ASYNC, 0);
    CHECK_EQ(lst_count(), 0);
    ca_check("at the end");

    kill(holder, SIGKILL);
    CHECK(waitpid(holder, NULL, 0) == holder);
    return 0;
}

int main(int argc, char **argv)
{
    return ca_main(argc, argv, scenario, NULL);
}
