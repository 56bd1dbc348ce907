/* t_proc_vfork - a vfork child shares its parent's memory, the shim's table
 * included, and runs as if it were the parent (same cached pid): the shim
 * must not change anything from it (SPEC §5).
 *
 * The parent holds read leases on two files, each notify fd with a dup()
 * alias: a1/d1 and a2/d2.  vfork(); the child closes a1, d1, a2, d2 (in that
 * order) and then execve("/bin/true") (argv[1] "exec") or _exit(0) ("exit").
 * If the shim acted in the child, close(a1) would move the lease to d1 and
 * close(d1) would release it: the parent would lose its lease.  Afterwards:
 *   - file 1: the lease is there and its break carries si_fd == a1;
 *   - file 2: the parent's table is intact, so close(a2) re-homes the lease
 *     and the break carries si_fd == d2 (without the shim: a2). */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int do_exec = strcmp(argv[1], "exec") == 0;
    CHECK(do_exec || strcmp(argv[1], "exit") == 0);
    lst_stdio_guard();
    const char *f1 = lst_path("file1"), *f2 = lst_path("file2");
    lst_record(lst_sig());

    int a1 = lst_open(f1, O_RDONLY);
    lst_lease(a1, F_RDLCK);
    int d1 = dup(a1);
    int a2 = lst_open(f2, O_RDONLY);
    lst_lease(a2, F_RDLCK);
    int d2 = dup(a2);
    CHECK(d1 >= 0 && d2 >= 0);
    sigset_t before, after;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &before) == 0);

    static char *const true_argv[] = {"true", NULL};
    pid_t pid = vfork();
    if (pid == 0) {
        close(a1);
        close(d1);
        close(a2);
        close(d2);
        if (do_exec)
            execve("/bin/true", true_argv, environ);
        _exit(do_exec ? 127 : 0);
    }
    CHECK(pid > 0);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    CHECK(sigprocmask(SIG_BLOCK, NULL, &after) == 0);
    for (int sig = 1; sig < 65; sig++)
        CHECK_EQ(sigismember(&before, sig), sigismember(&after, sig));
    CHECK_EQ(fcntl(a1, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a2, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_fdinfo_leases(a1), 1);
    CHECK_EQ(lst_fdinfo_leases(a2), 1);
    CHECK_EQ(fcntl(a1, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a1, F_GETSIG), lst_sig());

    /* file 1: untouched, si_fd as registered */
    CHECK_EQ(lst_break(f1, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a1);
    CHECK(lst_fd_names(lst_fd_at(0), f1));
    CHECK_EQ(fcntl(a1, F_SETLEASE, F_UNLCK), 0);

    /* file 2: the table still knows a2 and its alias d2 */
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
