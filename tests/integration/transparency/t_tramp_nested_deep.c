/* t_tramp_nested_deep - handlers nested deeper than any fixed table
 * (issue #12 item 2).  An SA_NODEFER handler of an O_ASYNC socket's signal
 * writes to the peer, so the next notification is delivered inside it,
 * 40 deep.  Every one must reach the handler, naming the socket, and the
 * descriptor must close without waiting afterwards.  Once the nested ones
 * have returned, the outermost handler has another thread close the socket
 * and waits 100 ms: the descriptor must still be open inside the handler
 * (the close waits for it).  argv[1]: "stack" (the
 * thread's stack), "altstack" (SA_ONSTACK on a 1 MiB alternate stack),
 * "autodisarm" (the same with SS_AUTODISARM, under which the kernel
 * reports no alternate stack to the nested deliveries: the oracle found
 * the shim letting go of a live handler's claim there). */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEPTH 40

static int sv[2], go[2];
static volatile int calls, depth, max_depth, wrong_fd, open_inside = -1;

static void *closer(void *arg)
{
    (void)arg;
    char c;
    while (read(go[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(sv[0]); /* waits for the handler that has it */
    return NULL;
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (si->si_fd != sv[0])
        wrong_fd++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    int me = ++calls;
    char c;
    if (read(sv[0], &c, 1) != 1)
        _exit(3);
    if (me < DEPTH && write(sv[1], "x", 1) != 1) /* the next one lands in here */
        _exit(4);
    if (me == 1) {
        if (write(go[1], "c", 1) != 1)
            _exit(5);
        nanosleep(&(struct timespec){0, 100 * 1000000}, NULL);
        open_inside = fcntl(sv[0], F_GETFD) >= 0;
    }
    depth--;
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int alt = strcmp(argv[1], "stack") != 0;
    int disarm = strcmp(argv[1], "autodisarm") == 0;
    CHECK(!alt || disarm || strcmp(argv[1], "altstack") == 0);
    lst_stdio_guard();
    if (alt) {
        stack_t ss = {.ss_sp = malloc(1 << 20), .ss_size = 1 << 20,
                      .ss_flags = disarm ? (int)SS_AUTODISARM : 0};
        CHECK(ss.ss_sp != NULL);
        CHECK(sigaltstack(&ss, NULL) == 0);
    }
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler,
                           .sa_flags = SA_SIGINFO | SA_NODEFER | (alt ? SA_ONSTACK : 0)};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    lst_async_socketpair(sv, sig);
    CHECK(pipe(go) == 0);
    /* the closer thread never takes the notifications: they nest here */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, closer, NULL) == 0);
    CHECK(pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0);
    CHECK(write(sv[1], "x", 1) == 1);
    for (int i = 0; i < 2000 * lst_slow() && calls < DEPTH; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    fprintf(stderr, "calls %d, deepest %d\n", calls, max_depth);
    CHECK_EQ(calls, DEPTH);
    CHECK_EQ(max_depth, DEPTH);
    CHECK_EQ(wrong_fd, 0);
    CHECK_EQ(depth, 0);
    CHECK_EQ(open_inside, 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(pthread_join(t, NULL) == 0); /* its close returns at once now */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 150);
    CHECK(fcntl(sv[0], F_GETFD) < 0);
    return 0;
}
