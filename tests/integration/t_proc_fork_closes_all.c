/* t_proc_fork_closes_all - objection 3 of the 2017 thread: "Suppose your
 * process forks and the child closes all descriptors; should that stop
 * SIGIO delivery to the parent?"  It must not (SPEC §3 R3).
 *
 * The parent holds a read lease on a (alias d) and O_ASYNC on a pipe's read
 * end p (alias q), both with F_SETSIG.  A child made by argv[1] (fork or
 * _Fork) closes every descriptor it has (argv[2]: "loop" closes 0..1023 one
 * by one, "closefrom" calls closefrom(0)) and stays alive.  Once the kernel
 * shows the child with no descriptor at all, the parent still gets its
 * pipe notifications with si_fd == p and its lease break with si_fd == a.
 * A child that wrongly acted as the owner would move them to d and q
 * (closing a, p first) and then release/switch them off (closing d, q). */
#include "lstest.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* Number of open descriptors of PID, from /proc. */
static int open_fds(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(p);
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Write one byte to the pipe and expect one notification naming P. */
static void pipe_note(int w, int p, int nth)
{
    CHECK(write(w, "x", 1) == 1);
    CHECK(lst_wait(nth, 2000) >= nth);
    CHECK_EQ(lst_fd_at(nth - 1), p);
    CHECK_EQ(lst_code_at(nth - 1), POLL_IN);
    char c;
    CHECK(read(p, &c, 1) == 1);
}

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    int use_Fork = strcmp(argv[1], "_Fork") == 0;
    int use_closefrom = strcmp(argv[2], "closefrom") == 0;
    CHECK(use_Fork || strcmp(argv[1], "fork") == 0);
    CHECK(use_closefrom || strcmp(argv[2], "loop") == 0);
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    int pp[2];
    CHECK(pipe(pp) == 0);
    int p = pp[0], w = pp[1];
    CHECK(fcntl(p, F_SETSIG, lst_sig()) == 0);
    CHECK(fcntl(p, F_SETOWN, getpid()) == 0);
    CHECK(fcntl(p, F_SETFL, fcntl(p, F_GETFL) | O_ASYNC | O_NONBLOCK) == 0);
    int q = dup(p);
    CHECK(d >= 0 && q >= 0);
    CHECK(a < d && p < q); /* a close loop meets the notify fds first */

    pipe_note(w, p, 1); /* the parent's notifications work before the child */

    pid_t pid = use_Fork ? _Fork() : fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
        alarm(10);
        if (use_closefrom) {
            closefrom(0);
        } else {
            for (int fd = 0; fd < 1024; fd++)
                close(fd);
        }
        for (;;)
            pause();
    }

    int n = -1;
    for (int waited = 0; waited < 2000 && (n = open_fds(pid)) != 0; waited += 5)
        nap_ms(5);
    CHECK_EQ(n, 0);

    /* the child lives on with nothing open; the parent is untouched */
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a, F_GETSIG), lst_sig());
    CHECK(fcntl(p, F_GETFL) & O_ASYNC);
    CHECK_EQ(fcntl(p, F_GETOWN), getpid());
    CHECK_EQ(fcntl(p, F_GETSIG), lst_sig());
    CHECK_EQ(lst_count(), 1);

    pipe_note(w, p, 2);
    pipe_note(w, p, 3);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(4, 2000) >= 4);
    CHECK_EQ(lst_fd_at(3), a);
    CHECK_EQ(lst_code_at(3), POLL_MSG);
    CHECK(lst_fd_names(lst_fd_at(3), data));
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    pipe_note(w, p, 5);
    CHECK_EQ(lst_count(), 5);

    CHECK_EQ(kill(pid, SIGKILL), 0);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    return 0;
}
