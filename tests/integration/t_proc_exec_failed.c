/* t_proc_exec_failed - objection 2, the other half: an exec that fails must
 * leave everything as it was (SPEC §5: close-on-exec gets R1 only, undone).
 *
 * Two leased files, each on a close-on-exec descriptor (a1, a2) with a
 * non-cloexec alias (d1, d2), so a successful exec would re-home both to the
 * aliases.  The exec function named by argv[1] is called on a path that does
 * not exist (fexecve: on a descriptor of a non-executable file) and must
 * return -1 with ENOENT (EACCES).  Afterwards:
 *   - a1, a2, d1, d2 open, a1/a2 still FD_CLOEXEC, aliases still aliases;
 *   - the signal mask, the dispositions of the notification signal, SIGUSR2
 *     and SIGIO, and environ exactly as before;
 *   - the break of file 1 arrives with si_fd == a1 (the lease was moved back);
 *   - the shim still knows file 2's lease is on a2: close(a2) re-homes it,
 *     and its break arrives with si_fd == d2 (without the shim: a2). */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char nowhere[] = "/nonexistent-lease-shim-dir/prog";

/* Call the exec function named HOW on something that cannot run; its result. */
static int exec_fails(const char *how, int nonexec_fd, int *expect_errno)
{
    char *const argv[] = {"prog", "x", NULL};
    *expect_errno = ENOENT;
    if (strcmp(how, "execve") == 0)
        return execve(nowhere, argv, environ);
    if (strcmp(how, "execv") == 0)
        return execv(nowhere, argv);
    if (strcmp(how, "execvp") == 0)
        return execvp("lease-shim-no-such-program", argv);
    if (strcmp(how, "execvpe") == 0)
        return execvpe("lease-shim-no-such-program", argv, environ);
    if (strcmp(how, "execl") == 0)
        return execl(nowhere, "prog", "x", (char *)NULL);
    if (strcmp(how, "execle") == 0)
        return execle(nowhere, "prog", "x", (char *)NULL, environ);
    if (strcmp(how, "execlp") == 0)
        return execlp("lease-shim-no-such-program", "prog", "x", (char *)NULL);
    if (strcmp(how, "execveat") == 0)
        return execveat(AT_FDCWD, nowhere, argv, environ, 0);
    if (strcmp(how, "fexecve") == 0) {
        *expect_errno = EACCES;
        return fexecve(nonexec_fd, argv, environ);
    }
    fprintf(stderr, "unknown exec function %s\n", how);
    exit(2);
}

static int same_action(const struct sigaction *x, const struct sigaction *y)
{
    if (x->sa_handler != y->sa_handler || x->sa_flags != y->sa_flags)
        return 0;
    for (int sig = 1; sig < 65; sig++)
        if (sigismember(&x->sa_mask, sig) != sigismember(&y->sa_mask, sig))
            return 0;
    return 1;
}

static int same_mask(const sigset_t *x, const sigset_t *y)
{
    for (int sig = 1; sig < 65; sig++)
        if (sigismember(x, sig) != sigismember(y, sig))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    lst_stdio_guard();
    const char *f1 = lst_path("file1"), *f2 = lst_path("file2");
    const char *nonexec = lst_path("not-executable");
    setenv("PATH", "/nonexistent-lease-shim-dir:/nonexistent-lease-shim-dir2", 1);
    lst_record(lst_sig());
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);

    int a1 = lst_open(f1, O_RDONLY | O_CLOEXEC);
    lst_lease(a1, F_RDLCK);
    int d1 = dup(a1);
    int a2 = lst_open(f2, O_RDONLY | O_CLOEXEC);
    lst_lease(a2, F_RDLCK);
    int d2 = dup(a2);
    CHECK(d1 >= 0 && d2 >= 0);
    int nx = lst_open(nonexec, O_RDONLY | O_CLOEXEC);

    sigset_t mask_before, mask_after;
    struct sigaction rt_before, rt_after, usr2_before, usr2_after, io_before, io_after;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &mask_before) == 0);
    CHECK(sigaction(lst_sig(), NULL, &rt_before) == 0);
    CHECK(sigaction(SIGUSR2, NULL, &usr2_before) == 0);
    CHECK(sigaction(SIGIO, NULL, &io_before) == 0);
    char **env_before = environ;
    int nenv = 0;
    while (environ[nenv])
        nenv++;

    int expect_errno;
    errno = 0;
    int r = exec_fails(argv[1], nx, &expect_errno);
    int e = errno;
    CHECK_EQ(r, -1);
    CHECK_EQ(e, expect_errno);

    /* descriptors */
    CHECK_EQ(fcntl(a1, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(a2, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d1, F_GETFD), 0);
    CHECK_EQ(fcntl(d2, F_GETFD), 0);
    CHECK(lst_same_ofd(a1, d1) && lst_same_ofd(a2, d2));
    CHECK(lst_fd_names(a1, f1) && lst_fd_names(a2, f2));
    /* leases: still there, still ours, still with our signal */
    CHECK_EQ(lst_fdinfo_leases(a1), 1);
    CHECK_EQ(lst_fdinfo_leases(a2), 1);
    CHECK_EQ(fcntl(a1, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a2, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a1, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a2, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a1, F_GETSIG), lst_sig());
    CHECK_EQ(fcntl(a2, F_GETSIG), lst_sig());
    /* signals and environment */
    CHECK(sigprocmask(SIG_BLOCK, NULL, &mask_after) == 0);
    CHECK(same_mask(&mask_before, &mask_after));
    CHECK(sigismember(&mask_after, SIGUSR1) == 1);
    CHECK(sigismember(&mask_after, lst_sig()) == 0);
    CHECK(sigaction(lst_sig(), NULL, &rt_after) == 0);
    CHECK(sigaction(SIGUSR2, NULL, &usr2_after) == 0);
    CHECK(sigaction(SIGIO, NULL, &io_after) == 0);
    CHECK(same_action(&rt_before, &rt_after));
    CHECK(same_action(&usr2_before, &usr2_after));
    CHECK(same_action(&io_before, &io_after));
    CHECK(environ == env_before);
    for (int i = 0; i < nenv; i++)
        CHECK(environ[i] != NULL);
    CHECK(environ[nenv] == NULL);
    CHECK(getenv("LEASE_SHIM_HANDOVER") == NULL);
    CHECK_EQ(lst_count(), 0);

    /* file 1: the lease is back on a1 */
    CHECK_EQ(lst_break(f1, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a1);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(fcntl(a1, F_SETLEASE, F_UNLCK), 0);

    /* file 2: the shim's table agrees with the kernel, so R1 still works */
    CHECK_EQ(close(a2), 0);
    CHECK_EQ(lst_fdinfo_leases(d2), 1);
    CHECK_EQ(lst_break(f2, 0), EWOULDBLOCK);
    CHECK(lst_wait(2, 2000) >= 2);
    CHECK_EQ(lst_fd_at(1), d2);
    CHECK(lst_fd_names(lst_fd_at(1), f2));
    CHECK_EQ(fcntl(d2, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_count(), 2);
    return 0;
}
