/* t_proc_spawn - spawning a program while holding a lease (SPEC §5 spawn).
 * glibc's posix_spawn runs its closes and its exec inside the library, where
 * no wrapper sees them, in a child sharing the parent's memory; the shim
 * blocks the notification signals around the call so the child cannot be
 * killed before its own image decides.
 *
 * The parent holds a read lease on a with an alias d, and runs, per argv[1]:
 *   spawn          posix_spawn("/bin/true")
 *   spawnp         posix_spawnp("true")
 *   spawn-closes   posix_spawn("/bin/true") with file actions closing a and d
 *   spawn-mask     posix_spawn(argv[2] "blocked SIG") with LD_PRELOAD removed
 *                  from its environment: an image without the shim starts
 *                  with the notification signal blocked
 *   spawn-ownlease posix_spawn(argv[2] "ownlease"): a program run under the
 *   popen-ownlease popen("argv[2] ownlease ...")  shim that takes its own
 *                  read lease (same signal, with a handler) gets its break
 *                  notification, as it would without the shim
 *   system         system("true")
 *   popen          popen("true", "r") and pclose
 * The child must succeed; the parent's mask, lease, owner and signal must be
 * unchanged, and its table too: a later close(a) still re-homes the lease
 * to d, so the break carries si_fd == d (without the shim: a). */
#include "lstest.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void nap_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* The spawned program took its lease on PATH: break it; the program writes
 * REPORT.  Checks the report: its own fd, naming PATH. */
static void break_own_lease(const char *path)
{
    int n = 0;
    for (int waited = 0; waited < 3000 && (n = lst_leases_on(path)) < 1; waited += 5)
        nap_ms(5);
    CHECK(n >= 1);
    CHECK_EQ(lst_break(path, 0), EWOULDBLOCK);
}

static void check_report(const char *report)
{
    FILE *f = fopen(report, "r");
    if (!f)
        fprintf(stderr, "the spawned program wrote no report\n");
    CHECK(f != NULL);
    int fd = -1, got = -2, names = 0;
    CHECK_EQ(fscanf(f, "%d %d %d", &fd, &got, &names), 3);
    fclose(f);
    CHECK_EQ(got, fd);
    CHECK_EQ(names, 1);
}

/* Run the child per HOW; its wait status. */
static int run(const char *how, const char *image, int a, int d)
{
    int st = -1;
    pid_t pid;
    char sigbuf[16];
    snprintf(sigbuf, sizeof sigbuf, "%d", lst_sig());
    const char *own = lst_path("own"), *report = lst_path("report");
    close(lst_open(own, O_RDONLY));
    char *true_argv[] = {"true", NULL};
    char *mask_argv[] = {"t_proc_image", "blocked", sigbuf, NULL};
    char *own_argv[] = {"t_proc_image", "ownlease", (char *)report, (char *)own, NULL};
    if (strcmp(how, "spawn") == 0) {
        CHECK_EQ(posix_spawn(&pid, "/bin/true", NULL, NULL, true_argv, environ), 0);
    } else if (strcmp(how, "spawnp") == 0) {
        CHECK_EQ(posix_spawnp(&pid, "true", NULL, NULL, true_argv, environ), 0);
    } else if (strcmp(how, "spawn-closes") == 0) {
        posix_spawn_file_actions_t fa;
        CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
        CHECK_EQ(posix_spawn_file_actions_addclose(&fa, a), 0);
        CHECK_EQ(posix_spawn_file_actions_addclose(&fa, d), 0);
        CHECK_EQ(posix_spawn(&pid, "/bin/true", &fa, NULL, true_argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
    } else if (strcmp(how, "spawn-mask") == 0) {
        char *env[256];
        int n = 0;
        for (char **e = environ; *e && n < 255; e++)
            if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
                env[n++] = *e;
        env[n] = NULL;
        CHECK_EQ(posix_spawn(&pid, image, NULL, NULL, mask_argv, env), 0);
    } else if (strcmp(how, "spawn-ownlease") == 0) {
        CHECK_EQ(posix_spawn(&pid, image, NULL, NULL, own_argv, environ), 0);
        break_own_lease(own);
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        if (st == 0)
            check_report(report);
        return st;
    } else if (strcmp(how, "popen-ownlease") == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "exec '%s' ownlease '%s' '%s'", image, report, own);
        FILE *f = popen(cmd, "r");
        CHECK(f != NULL);
        break_own_lease(own);
        st = pclose(f);
        if (st == 0)
            check_report(report);
        return st;
    } else if (strcmp(how, "system") == 0) {
        return system("true");
    } else if (strcmp(how, "popen") == 0) {
        FILE *f = popen("true", "r");
        CHECK(f != NULL);
        return pclose(f);
    } else {
        fprintf(stderr, "unknown way %s\n", how);
        exit(2);
    }
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    return st;
}

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);
    sigset_t before, after;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &before) == 0);

    int st = run(argv[1], argv[2], a, d);
    if (WIFSIGNALED(st))
        fprintf(stderr, "child killed by signal %d\n", WTERMSIG(st));
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);

    CHECK(sigprocmask(SIG_BLOCK, NULL, &after) == 0);
    for (int sig = 1; sig < 65; sig++)
        CHECK_EQ(sigismember(&before, sig), sigismember(&after, sig));
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a, F_GETSIG), lst_sig());
    CHECK_EQ(lst_count(), 0);

    CHECK_EQ(close(a), 0);
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
