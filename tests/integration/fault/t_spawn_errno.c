/* t_spawn_errno - the shim's own failures never change errno (issue #12
 * item 11; SPEC §6): popen, system and posix_spawn called with errno set to
 * a sentinel (EDOM) by a process holding a read lease, so the shim blocks
 * the notification signal and maps an environment with its hand-over
 * variable before each.  Prints, per call, its result (success or not) and
 * errno afterwards.  spawn_errno_test.sh runs it without the shim and
 * under liblease_shim_fault.so with LEASE_SHIM_FAULTS=mmap:K for a range
 * of K, so that the shim's mapping before one of the calls fails (ENOMEM):
 * every output must be the output without the shim. */
#include "lstest.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show(const char *what, int ok)
{
    const char *n = strerrorname_np(errno);
    printf("%-12s %s  errno %s\n", what, ok ? "ok" : "FAILED", n ? n : "?");
}

int main(void)
{
    const char *data, *other;
    int fd = lst_leased_data(&data, &other);
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int round = 0; round < 3; round++) {
        errno = EDOM;
        FILE *f = popen("true", "r");
        show("popen", f != NULL);
        CHECK(f != NULL && pclose(f) == 0);

        errno = EDOM;
        int st = system("true");
        show("system", st == 0);

        char *argv[] = {"true", NULL};
        pid_t pid;
        errno = EDOM;
        int r = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
        show("posix_spawn", r == 0);
        CHECK(r == 0 && waitpid(pid, &st, 0) == pid && st == 0);

        errno = EDOM;
        r = posix_spawnp(&pid, "true", NULL, NULL, argv, environ);
        show("posix_spawnp", r == 0);
        CHECK(r == 0 && waitpid(pid, &st, 0) == pid && st == 0);
    }
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_RDLCK);
    return 0;
}
