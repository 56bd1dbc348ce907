/* legacy_lease.c - a "legacy" program with the stale-si_fd bug, unmodified.
 *
 * It takes a read lease on a data file, keeps a dup() of the descriptor,
 * closes the original, and opens another file, which reuses the number.
 * A second process then opens the data file for writing, breaking the lease.
 * The handler trusts si_fd, as such programs do, and reports which file that
 * number names.  Exit status: 0 if si_fd named the leased file, 1 if it
 * named something else, 2 if no notification came, 3 on set-up failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_fd = -1;

static void on_break(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    got_fd = si->si_fd;
}

static void die(const char *what)
{
    fprintf(stderr, "legacy_lease: %s: %s\n", what, strerror(errno));
    exit(3);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/lease-demo-XXXXXX", data[PATH_MAX], other[PATH_MAX];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!mkdtemp(dir))
        die("mkdtemp");
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(other, sizeof other, "%s/other", dir);
    int fd = open(data, O_RDONLY | O_CREAT, 0644);
    int o = open(other, O_RDONLY | O_CREAT, 0644);
    if (fd < 0 || o < 0)
        die("open");
    close(o);

    struct sigaction sa = {.sa_sigaction = on_break, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGRTMIN + 1, &sa, NULL) < 0)
        die("sigaction");
    if (fcntl(fd, F_SETSIG, SIGRTMIN + 1) < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
        die("take lease");

    int keep = dup(fd);            /* the program keeps a second descriptor... */
    printf("lease on fd %d ('data'), kept as fd %d\n", fd, keep);
    close(fd);                     /* ...closes the one it registered with... */
    int reused = open(other, O_RDONLY); /* ...and the number is reused */
    if (keep < 0 || reused < 0)
        die("dup/open");
    printf("fd %d closed, then reused for 'other'\n", reused);

    pid_t writer = fork();
    if (writer == 0) {
        /* a second process wants to write: the kernel breaks the lease */
        int w = open(data, O_WRONLY | O_NONBLOCK);
        _exit(w < 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    waitpid(writer, NULL, 0);

    for (int i = 0; i < 500 && got_fd < 0; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    if (got_fd < 0) {
        printf("no lease-break notification arrived\n");
        return 2;
    }
    char link[64], target[PATH_MAX] = "";
    snprintf(link, sizeof link, "/proc/self/fd/%d", (int)got_fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    int right = strcmp(target, data) == 0;
    const char *base = strrchr(target, '/');
    printf("lease break: handler got si_fd=%d\n", (int)got_fd);
    printf("fd %d names '%s': %s\n", (int)got_fd, n > 0 && base ? base + 1 : "(nothing)",
           right ? "correct" : "WRONG FILE");
    if (right)
        fcntl(got_fd, F_SETLEASE, F_UNLCK); /* answer the break */
    unlink(data);
    unlink(other);
    rmdir(dir);
    (void)argc;
    (void)argv;
    return right ? 0 : 1;
}
