/* t_system_threads - system() and popen() from several threads at once
 * with a live registration (the shim prepares each child's environment).
 * glibc's are thread-safe; under the shim they must stay so: every call
 * returns what the command did, no crash, and environ is the program's own
 * afterwards (the oracle saw a SIGSEGV when one call unmapped the
 * environment another was reading).  Meanwhile one more thread spawns
 * children with POSIX_SPAWN_SETSIGMASK and an empty mask, passing environ:
 * each must start with nothing blocked, although the system() threads
 * block SIGUSR2 (the oracle saw such a child take another thread's mask
 * from the environment popen() and system() run with). */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
#define THREADS 4
#define CALLS 25

static volatile int bad;

static volatile int spawned, spawn_masked;

/* Spawn a shell that prints its blocked set; 1 if it was empty. */
static int child_mask_empty(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 0;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none;
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigmask(&at, &none);
    char *argv[] = {"sh", "-c", "grep SigBlk /proc/self/status", NULL};
    pid_t pid;
    int r = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    close(p[1]);
    char buf[128] = "";
    ssize_t n = r == 0 ? read(p[0], buf, sizeof buf - 1) : -1;
    close(p[0]);
    if (r == 0)
        waitpid(pid, NULL, 0);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return n > 0 && strstr(buf, "SigBlk:\t0000000000000000") != NULL;
}

static volatile int stop_spawning;

static void *spawner(void *arg)
{
    (void)arg;
    while (!stop_spawning) {
        spawned++;
        if (!child_mask_empty())
            spawn_masked++;
    }
    return NULL;
}

static void *worker(void *arg)
{
    long me = (long)arg;
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    for (int i = 0; i < CALLS; i++) {
        if ((i + me) % 2) {
            int st = system("exit 3");
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 3)
                __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        } else {
            FILE *f = popen("echo popen-ok", "r");
            char line[64] = "";
            if (!f || !fgets(line, sizeof line, f) || strcmp(line, "popen-ok\n") != 0)
                __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
            if (f && pclose(f) != 0)
                __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    char **before = environ;
    pthread_t t[THREADS], sp;
    CHECK(pthread_create(&sp, NULL, spawner, NULL) == 0);
    for (long i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    stop_spawning = 1;
    CHECK(pthread_join(sp, NULL) == 0);
    fprintf(stderr, "%d children spawned with an empty mask, %d of them not empty\n", spawned,
            spawn_masked);
    CHECK_EQ(bad, 0);
    CHECK(spawned > 0);
    CHECK_EQ(spawn_masked, 0);
    CHECK(environ == before);
    CHECK(getenv("LEASE_SHIM_HANDOVER") == NULL);
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
