/* t_tramp_nested_deep - handlers nested deeper than any fixed table
 * (issue #12 item 2).  An SA_NODEFER handler of an O_ASYNC socket's signal
 * writes to the peer, so the next notification is delivered inside it,
 * 40 deep.  Every one must reach the handler, naming the socket, and the
 * descriptor must close without waiting afterwards. */
#include "lstest.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEPTH 40

static int sv[2];
static volatile int calls, depth, max_depth, wrong_fd;

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
    depth--;
}

int main(void)
{
    lst_stdio_guard();
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_NODEFER};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    lst_async_socketpair(sv, sig);
    CHECK(write(sv[1], "x", 1) == 1);
    for (int i = 0; i < 2000 * lst_slow() && calls < DEPTH; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    fprintf(stderr, "calls %d, deepest %d\n", calls, max_depth);
    CHECK_EQ(calls, DEPTH);
    CHECK_EQ(max_depth, DEPTH);
    CHECK_EQ(wrong_fd, 0);
    CHECK_EQ(depth, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(close(sv[0]), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 150);
    return 0;
}
