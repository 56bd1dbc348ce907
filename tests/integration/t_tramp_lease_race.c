/* Trampoline: a break that comes while the lease is being taken.  A
 * multi-threaded application with a few hundred descriptors open takes a
 * lease, a writer (O_NONBLOCK opens in a loop, from another process) breaks
 * it at once.  The notification is valid: the kernel hands it to a thread
 * that is not inside fcntl, and the application's handler must get it
 * (si_fd == the lease fd), every time, as it does without the shim.  Each
 * round checks that the lease really was broken (F_GETLEASE reads F_UNLCK)
 * and that exactly one notification named its descriptor. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 60
#define EXTRA_FDS 400

static volatile int stop;

static void *idle_thread(void *arg)
{
    (void)arg; /* signals unblocked: takes what the busy thread cannot */
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
        usleep(1000);
    return NULL;
}

int main(void)
{
    const char *data = lst_path("data");
    int sig = lst_sig();
    CHECK(close(lst_open(data, O_RDONLY)) == 0);
    lst_record(sig);

    volatile int *breaker_stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(breaker_stop != MAP_FAILED);
    pid_t breaker = fork();
    CHECK(breaker >= 0);
    if (breaker == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test takes its breaker along */
        while (!*breaker_stop) {
            int fd = open(data, O_WRONLY | O_NONBLOCK);
            if (fd >= 0)
                close(fd);
        }
        _exit(0);
    }

    for (int i = 0; i < EXTRA_FDS; i++) /* an ordinary server's worth of descriptors */
        CHECK(open("/dev/null", O_RDONLY) >= 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, idle_thread, NULL) == 0);

    int broken = 0, missed = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int fd = open(data, O_RDONLY);
        CHECK(fd >= 0);
        CHECK(fcntl(fd, F_SETSIG, sig) == 0);
        int base = lst_count(), ok = 0;
        /* bounded by time, not tries: how many tries fit while the
         * writer holds write access depends on how fast a try is */
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long ms = 0; ms < 2000L * lst_slow() && !ok;) {
            ok = fcntl(fd, F_SETLEASE, F_RDLCK) == 0;
            if (!ok) {
                CHECK(errno == EAGAIN); /* the writer holds write access for a moment */
                sched_yield();
            }
            clock_gettime(CLOCK_MONOTONIC, &now);
            ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        }
        CHECK(ok);
        for (int k = 0; k < 400 * lst_slow() && fcntl(fd, F_GETLEASE) != F_UNLCK; k++)
            usleep(1000);
        CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK); /* the writer broke it */
        broken++;
        lst_wait(base + 1, 500);
        int mine = 0;
        for (int i = base; i < lst_count(); i++)
            mine += lst_fd_at(i) == fd;
        if (mine != 1) {
            missed++;
            fprintf(stderr, "round %d: %d notification(s) named fd %d\n", round, mine, fd);
        }
        CHECK(fcntl(fd, F_SETLEASE, F_UNLCK) == 0);
        CHECK(close(fd) == 0);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    CHECK(pthread_join(t, NULL) == 0);
    *breaker_stop = 1;
    CHECK(waitpid(breaker, NULL, 0) == breaker);
    printf("%d leases broken, %d breaks not handed to the application\n", broken, missed);
    CHECK_EQ(missed, 0);
    return 0;
}
