/* t_proc_exec_mask - the hand-over restores the caller's signal mask in the
 * new image (SPEC §5): the shim blocks the notification signal across the
 * exec, and the new image must start main() with exactly the mask the old
 * image had before exec.
 *
 * A child blocks SIGUSR1, SIGTERM and SIGRTMIN+5, takes a read lease on a
 * and execs t_proc_image (argv[1]) "mask" with its mask (signals 1..64):
 *   plain      the notification signal is not blocked before the exec, so
 *              it must not be blocked in the new image;
 *   rtblocked  it is blocked before the exec, so it stays blocked; the new
 *              image waits for the break to be pending, then unblocks it.
 * The new image has no handler: the shim answers the break by releasing
 * the lease, so a blocking writer (alarm(5)) gets through within 2 s and
 * the image exits 0.  Without the shim the mask is the kernel's (right), but
 * the break kills the new image. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Blocking open of PATH for writing in another process under alarm(5): ms taken, -1 if refused. */
static long blocking_writer(const char *path)
{
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        alarm(5);
        long t0 = now_ms();
        int fd = open(path, O_WRONLY);
        long took = fd >= 0 ? now_ms() - t0 : -1;
        _exit(write(p[1], &took, sizeof took) == sizeof took ? 0 : 1);
    }
    close(p[1]);
    long took = -1;
    if (read(p[0], &took, sizeof took) != sizeof took)
        took = -1;
    close(p[0]);
    CHECK_EQ(lst_wait_child(pid, 6000), 0);
    return took;
}

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    const char *image = argv[1];
    int rtblocked = strcmp(argv[2], "rtblocked") == 0;
    CHECK(rtblocked || strcmp(argv[2], "plain") == 0);
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
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGRTMIN + 5);
        if (rtblocked)
            sigaddset(&set, lst_sig());
        CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
        int a = open(data, O_RDONLY);
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        sigset_t now;
        CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
        unsigned long long bits = 0;
        for (int sig = 1; sig <= 64; sig++)
            if (sigismember(&now, sig) == 1)
                bits |= 1ull << (sig - 1);
        CHECK(bits & (1ull << (SIGUSR1 - 1)));
        CHECK_EQ((bits >> (lst_sig() - 1)) & 1, rtblocked);
        char rbuf[16], mbuf[32], abuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(mbuf, sizeof mbuf, "%llx", bits);
        snprintf(abuf, sizeof abuf, "%d", a);
        execl(image, "t_proc_image", "mask", rbuf, mbuf, abuf, (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    if (!lst_wait_ready(rdy[0], 3000)) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    long took = blocking_writer(data);
    int st = lst_wait_child(pid, 4000);
    fprintf(stderr, "writer got through after %ld ms; new image status %d\n", took, st);
    CHECK_EQ(st, 0);
    CHECK(took >= 0 && took < 2000);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
