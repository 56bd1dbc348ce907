/* t_proc_daemon - a classic daemon started under the shim by a process that
 * holds a lease itself (objection 3 again, the way daemons really do it).
 *
 * The test process holds a read lease on file1 (fd a, alias d).  A child
 * becomes a daemon, per argv[2]:
 *   classic    setsid, fork, closefrom(0)
 *   closeloop  setsid, fork, close(0..1023) one by one
 *   daemon     daemon(0, 0) (glibc: fork, setsid, stdio to /dev/null), then
 *              closefrom(3)
 * and execs t_proc_image (argv[1]) "ownlease", which takes its own read lease
 * on file2 and, when it is broken, writes the fd it leased, the si_fd it got
 * and whether that names file2 to a report file.  The test process is a
 * child subreaper, so the daemon is reparented to it and its exit status
 * is seen.  Expected: the daemon's si_fd is its own fd naming file2, it
 * exits 0, and the test process's own lease is untouched: a break of file1
 * still carries si_fd == a. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* Wait up to MS for any child; its pid, and *ST its status.  0 on timeout. */
static pid_t wait_any(int ms, int *st)
{
    for (int waited = 0; waited < ms; waited += 5) {
        pid_t r = waitpid(-1, st, WNOHANG);
        if (r > 0)
            return r;
        nap_ms(5);
    }
    return 0;
}

static void become_daemon(const char *how, const char *image, const char *report,
                          const char *path)
{
    if (strcmp(how, "daemon") == 0) {
        if (daemon(0, 0) != 0)
            _exit(20);
        closefrom(3);
    } else {
        if (setsid() < 0)
            _exit(21);
        pid_t pid = fork();
        if (pid < 0)
            _exit(22);
        if (pid > 0)
            _exit(0);
        if (strcmp(how, "classic") == 0) {
            closefrom(0);
        } else {
            for (int fd = 0; fd < 1024; fd++)
                close(fd);
        }
        if (chdir("/") != 0)
            _exit(23);
        umask(022);
    }
    execl(image, "t_proc_image", "ownlease", report, path, (char *)NULL);
    _exit(127);
}

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    const char *image = argv[1], *how = argv[2];
    CHECK(strcmp(how, "classic") == 0 || strcmp(how, "closeloop") == 0 ||
          strcmp(how, "daemon") == 0);
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    lst_stdio_guard();
    const char *f1 = lst_path("file1"), *f2 = lst_path("file2"), *report = lst_path("report");
    close(lst_open(f2, O_RDONLY));
    lst_record(lst_sig());

    int a = lst_open(f1, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);

    pid_t starter = fork();
    CHECK(starter >= 0);
    if (starter == 0)
        become_daemon(how, image, report, f2);
    int st;
    CHECK_EQ(waitpid(starter, &st, 0), starter);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* the daemon has taken its lease */
    int n = 0;
    for (int waited = 0; waited < 3000 && (n = lst_leases_on(f2)) < 1; waited += 5)
        nap_ms(5);
    CHECK(n >= 1);
    CHECK_EQ(lst_break(f2, 0), EWOULDBLOCK);
    pid_t daemon_pid = wait_any(4000, &st);
    CHECK(daemon_pid > 0);
    if (!WIFEXITED(st))
        fprintf(stderr, "daemon killed by signal %d\n", WTERMSIG(st));
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);

    FILE *f = fopen(report, "r");
    CHECK(f != NULL);
    int fd = -1, note_fd = -2, names = 0;
    CHECK_EQ(fscanf(f, "%d %d %d", &fd, &note_fd, &names), 3);
    fclose(f);
    fprintf(stderr, "daemon leased fd %d, break carried si_fd %d\n", fd, note_fd);
    CHECK_EQ(note_fd, fd);
    CHECK_EQ(names, 1);

    /* the starter's own lease survived the daemon closing everything */
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_GETOWN), getpid());
    CHECK_EQ(lst_count(), 0);
    CHECK_EQ(lst_break(f1, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK(lst_fd_names(lst_fd_at(0), f1));
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
