/* t_system_threads - system() and popen() from several threads at once
 * with a live registration (the shim prepares each child's environment).
 * glibc's are thread-safe; under the shim they must stay so: every call
 * returns what the command did, no crash, and environ is the program's own
 * afterwards (the oracle saw a SIGSEGV when one call unmapped the
 * environment another was reading). */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
#define THREADS 4
#define CALLS 25

static volatile int bad;

static void *worker(void *arg)
{
    long me = (long)arg;
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
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK_EQ(bad, 0);
    CHECK(environ == before);
    CHECK(getenv("LEASE_SHIM_HANDOVER") == NULL);
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
