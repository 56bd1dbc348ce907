/* t_fork_inflight - a fork child does not wait for its parent's handlers.
 * Thread B is inside the handler of a notification for a tracked pipe (the
 * shim counts the descriptor in flight, so that a close elsewhere waits for
 * the handler); the main thread forks, and the child, where thread B does
 * not exist, closes that descriptor.  The close must not wait (the oracle
 * saw 200 ms and a warning); the same from _Fork. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int p[2], gate[2];
static volatile int inside;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    (void)ctx;
    inside = 1;
    char c;
    while (read(gate[0], &c, 1) < 0 && errno == EINTR)
        ;
    inside = 0;
}

static void *thread_b(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static int child_close_ms(int use_fork)
{
    pid_t c = use_fork ? fork() : _Fork();
    CHECK(c >= 0);
    if (c == 0) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        close(p[0]);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        _exit(ms > 100 ? 100 : (int)ms);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
    return WEXITSTATUS(st);
}

int main(void)
{
    lst_stdio_guard();
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    CHECK(pipe(p) == 0 && pipe(gate) == 0);
    CHECK_EQ(fcntl(p[0], F_SETSIG, sig), 0);
    CHECK_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
    CHECK_EQ(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC), 0);
    pthread_t b;
    CHECK(pthread_create(&b, NULL, thread_b, NULL) == 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0); /* delivered to B */
    CHECK(write(p[1], "x", 1) == 1);
    for (int i = 0; i < 2000 && !inside; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    CHECK(inside);
    int ms_fork = child_close_ms(1), ms_underscore = child_close_ms(0);
    fprintf(stderr, "the child's close took %d ms after fork, %d ms after _Fork\n", ms_fork,
            ms_underscore);
    CHECK(ms_fork < 100);
    CHECK(ms_underscore < 100);
    CHECK(write(gate[1], "g", 1) == 1);
    for (int i = 0; i < 2000 && inside; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    CHECK(!inside);
    return 0;
}
