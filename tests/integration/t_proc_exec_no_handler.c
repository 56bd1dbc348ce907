/* t_proc_exec_no_handler - a process holding a read lease execs a program
 * that has no handler for the notification signal.  Exec reset the
 * disposition to SIG_DFL, whose action for a real-time signal is to kill.
 *   sleep    t_proc_image "nohandler": it just sleeps 3 s;
 *   wrlease  the same with a write lease;
 *   read     t_proc_image "nohandler-read": it blocks in read() on a pipe,
 *          which this test writes one byte to once the writer got through;
 *          the read must return that byte, not fail with EINTR (a program
 *          with no handler is never interrupted by a signal: it dies, or
 *          the signal is blocked or ignored).
 * The break is started once the program is blocked in that read() or
 * sleep() (/proc/PID/syscall).
 * A writer then opens the file for writing, blocking (under alarm(5)): it
 * must get through within 2 s, because the new image's shim answers the
 * break by releasing the lease, and the exec'd program must survive and
 * exit 0.  Without the shim the program is killed by the signal. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A writer in another process: blocking open of PATH for writing, bounded by
 * alarm(5).  Returns how many ms it took, or -1 if it did not get through. */
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

/* Wait up to 2 s until PID is blocked in system call NR (/proc/PID/syscall
 * has the number first; "running" while it runs):
 * the break must find the program inside its read() or sleep(). */
static int blocked_in_syscall(pid_t pid, long nr)
{
    char p[64], buf[256];
    snprintf(p, sizeof p, "/proc/%d/syscall", (int)pid);
    for (int waited = 0; waited < 2000; waited += 2) {
        FILE *f = fopen(p, "r");
        if (!f)
            return 0;
        int got = fgets(buf, sizeof buf, f) != NULL;
        fclose(f);
        if (got && buf[0] >= '0' && buf[0] <= '9' && strtol(buf, NULL, 10) == nr)
            return 1;
        nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
    }
    return 0;
}

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
    CHECK(argc == 3);
    const char *image = argv[1];
    int use_read = strcmp(argv[2], "read") == 0;
    int wrlease = strcmp(argv[2], "wrlease") == 0;
    CHECK(use_read || wrlease || strcmp(argv[2], "sleep") == 0);
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    int rdy[2], in[2];
    CHECK(pipe(rdy) == 0);
    CHECK(pipe(in) == 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        close(in[1]);
        lst_record(lst_sig()); /* the old image handles it; exec resets that */
        int a = open(data, O_RDONLY);
        CHECK(a >= 0);
        lst_lease(a, wrlease ? F_WRLCK : F_RDLCK);
        char rbuf[16], ibuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(ibuf, sizeof ibuf, "%d", in[0]);
        if (use_read)
            execl(image, "t_proc_image", "nohandler-read", rbuf, ibuf, (char *)NULL);
        else
            execl(image, "t_proc_image", "nohandler", rbuf, "3", (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    close(in[0]);
    if (!lst_wait_ready(rdy[0], 3000)) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    CHECK(lease_present(data));
    CHECK(blocked_in_syscall(pid, use_read ? SYS_read : SYS_clock_nanosleep));

    long took = blocking_writer(data);
    fprintf(stderr, "writer got through after %ld ms\n", took);
    signal(SIGPIPE, SIG_IGN);
    (void)!write(in[1], "x", 1); /* the reader's byte */
    int st = lst_wait_child(pid, 5000);
    fprintf(stderr, "the exec'd program: %s %d\n", st > 128 ? "killed by signal" : "exit status",
            st > 128 ? st - 128 : st);
    CHECK_EQ(st, 0);
    CHECK(took >= 0 && took < 2000);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
