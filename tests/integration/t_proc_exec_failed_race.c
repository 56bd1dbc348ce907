/* t_proc_exec_failed_race - objection 2, a failed exec with a lease break
 * arriving while the exec is under way.
 *
 * The lease is on a (FD_CLOEXEC) with a non-cloexec alias d: before the
 * exec the shim re-homes it to d (R1), and moves it back when the exec
 * fails.  Per SPEC §5 a failed exec leaves the application as it was, and
 * per §4 a notification is handed to the application under its original
 * notify fd while that is still open: the break must arrive with
 * si_fd == a, whenever during the exec it happened.
 *
 * To hit the exec, execvp() searches a PATH of 4000 directories that do
 * not exist (a few ms of failing execve calls inside glibc), and a breaker
 * process starts the break as soon as /proc/PID/status shows the
 * notification signal blocked in this process (the shim blocks it across
 * the exec).  Each round takes a fresh lease; rounds where the breaker did
 * not fire inside the exec are retried (up to 30).  Every break received
 * must carry a. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int blocked_in(pid_t pid, int sig)
{
    char p[64], buf[4096];
    snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *l = strstr(buf, "\nSigBlk:");
    if (!l)
        return -1;
    unsigned long long m = strtoull(l + 8, NULL, 16);
    return (int)((m >> (sig - 1)) & 1);
}

/* Fork a breaker: after a byte on GO, wait (up to 0.5 s) for SIG to be blocked
 * in PARENT, then start a break of PATH.  Exit 0 if it fired while blocked. */
static pid_t breaker(pid_t parent, int sig, const char *path, int go)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        if (read(go, &c, 1) != 1)
            _exit(3);
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            if (blocked_in(parent, sig) == 1) {
                int fd = open(path, O_WRONLY | O_NONBLOCK);
                _exit(fd < 0 && errno == EWOULDBLOCK ? 0 : 2);
            }
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 500)
                _exit(1);
        }
    }
    return pid;
}

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    static char path[4000 * 24];
    size_t len = 0;
    for (int i = 0; i < 4000; i++)
        len += (size_t)snprintf(path + len, sizeof path - len, "%s/nonexistent-%d",
                                i ? ":" : "", i);
    CHECK(setenv("PATH", path, 1) == 0);
    lst_record(lst_sig());

    int hits = 0, seen = 0;
    for (int round = 0; round < 30 && hits < 3; round++) {
        int a = lst_open(data, O_RDONLY | O_CLOEXEC);
        lst_lease(a, F_RDLCK);
        int d = dup(a);
        CHECK(d >= 0);
        int go[2];
        CHECK(pipe(go) == 0);
        pid_t b = breaker(getpid(), lst_sig(), data, go[0]);
        close(go[0]);
        CHECK(write(go[1], "g", 1) == 1);
        close(go[1]);

        char *const argv[] = {"prog", NULL};
        errno = 0;
        CHECK_EQ(execvp("lease-shim-no-such-program", argv), -1);
        CHECK_EQ(errno, ENOENT);

        int st;
        CHECK_EQ(waitpid(b, &st, 0), b);
        int fired = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (fired) {
            hits++;
            CHECK(lst_wait(seen + 1, 2000) >= seen + 1);
            fprintf(stderr, "round %d: break during the exec, si_fd %d (a %d, d %d)\n", round,
                    lst_fd_at(seen), a, d);
            CHECK_EQ(lst_fd_at(seen), a);
            seen++;
        }
        CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
        CHECK_EQ(lst_fdinfo_leases(a), 1);
        /* answer (or drop) the lease, start again */
        CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
        close(d);
        close(a);
        CHECK_EQ(lst_count(), seen);
    }
    fprintf(stderr, "%d of the breaks hit the exec\n", hits);
    CHECK(hits > 0);
    return 0;
}
