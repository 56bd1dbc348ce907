/* t_proc_exec_static - a process holding a read lease execs a program the
 * shim never loads into (SPEC §5, §8):
 *   static:    argv[1] is t_proc_static_image, statically linked;
 *   nopreload: argv[1] is t_proc_image, exec'd with LD_PRELOAD removed from
 *              the new environment (execle).
 * Nobody there can answer a break, but the program must not be killed by
 * it: the shim blocked the notification signal across the exec.  A writer's
 * O_NONBLOCK open starts the break; the kernel then waits lease-break-time
 * (45 s), which this test does not sit out: it checks the program is alive
 * with the signal blocked and pending (/proc/PID/status), then kills it.
 * Without the shim the break kills the program. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Is SIG set in the hex mask on line FIELD of /proc/PID/status? -1 if absent. */
static int status_bit(pid_t pid, const char *field, int sig)
{
    char p[64], line[256];
    snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
    FILE *f = fopen(p, "r");
    CHECK(f != NULL);
    int r = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            unsigned long long m = strtoull(line + fl + 1, NULL, 16);
            r = (int)((m >> (sig - 1)) & 1);
        }
    fclose(f);
    return r;
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
    int nopreload = strcmp(argv[2], "nopreload") == 0;
    CHECK(nopreload || strcmp(argv[2], "static") == 0);
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    int rdy[2];
    CHECK(pipe(rdy) == 0);
    int sig = lst_sig();

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        lst_record(sig);
        int a = open(data, O_RDONLY);
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        char rbuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        if (nopreload) {
            char *env[256];
            int n = 0;
            for (char **e = environ; *e && n < 255; e++)
                if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
                    env[n++] = *e;
            env[n] = NULL;
            execle(image, "t_proc_image", "nohandler", rbuf, "10", (char *)NULL, env);
        } else {
            execl(image, "t_proc_static_image", rbuf, "10", (char *)NULL);
        }
        _exit(126);
    }
    close(rdy[1]);
    int ready = lst_wait_ready(rdy[0], 3000);
    int st;
    if (!ready) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        fprintf(stderr, "new image never got ready\n");
        return 1;
    }
    int leased = lease_present(data);
    int blocked = status_bit(pid, "SigBlk", sig);
    int broke = leased ? lst_break(data, 0) : -1;
    nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
    pid_t r = waitpid(pid, &st, WNOHANG);
    int pending = r == 0 ? status_bit(pid, "ShdPnd", sig) : -1;
    int leases = r == 0 ? lease_present(data) : 0;
    kill(pid, SIGKILL);
    if (r == 0)
        CHECK_EQ(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        fprintf(stderr, "the exec'd program was killed by signal %d\n", WTERMSIG(st));
    CHECK(leased);
    CHECK_EQ(broke, EWOULDBLOCK);
    CHECK_EQ(r, 0); /* alive after the break was initiated */
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    CHECK_EQ(blocked, 1);
    CHECK_EQ(pending, 1);
    CHECK(leases); /* nobody answered: the kernel waits lease-break-time */
    CHECK_EQ(lst_leases_on(data), 0); /* the holder is gone, so is the lease */
    return 0;
}
