/* t_tramp_longjmp - handlers left without returning (issue #12 item 2).
 * Legacy error recovery leaves a signal handler with siglongjmp; the shim's
 * per-thread trampoline state must not be left behind.  O_ASYNC on one end
 * of a socket pair (a registration the shim tracks); each round writes a
 * byte to the other end, the notification interrupts the write's return,
 * and the handler reads the byte and jumps back out.  argv[1] picks the
 * way out: "siglongjmp", "longjmp", "_longjmp".  After 40 rounds (more than
 * any fixed depth):
 *   - every notification reached the handler, and one more still does;
 *   - another thread's close() of the descriptor does not wait for the
 *     handlers that were left (it returns in well under the 200 ms a close
 *     waits for a handler still running). */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 40

static sigjmp_buf where;
static jmp_buf where_plain;
static int mode; /* 0 siglongjmp, 1 longjmp, 2 _longjmp */
static int sv[2];
static volatile int seen, seen_fd;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    seen++;
    seen_fd = si->si_fd;
    char c;
    if (read(sv[0], &c, 1) != 1)
        _exit(3);
    if (mode == 0)
        siglongjmp(where, 1);
    if (mode == 1)
        longjmp(where_plain, 1);
    _longjmp(where_plain, 1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *closer(void *arg)
{
    double *took = arg;
    double t0 = now_ms();
    CHECK_EQ(close(sv[0]), 0);
    *took = now_ms() - t0;
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    mode = strcmp(argv[1], "siglongjmp") == 0 ? 0 : strcmp(argv[1], "longjmp") == 0 ? 1 : 2;
    CHECK(mode != 2 || strcmp(argv[1], "_longjmp") == 0);
    lst_stdio_guard();
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    lst_async_socketpair(sv, sig);

    for (volatile int round = 0; round < ROUNDS; round++) {
        int jumped = mode == 0 ? sigsetjmp(where, 1) : setjmp(where_plain);
        if (jumped) {
            if (mode != 0) { /* setjmp kept the handler's mask: undo it */
                sigset_t set;
                sigemptyset(&set);
                sigaddset(&set, sig);
                sigprocmask(SIG_UNBLOCK, &set, NULL);
            }
            continue;
        }
        CHECK(write(sv[1], "x", 1) == 1);
        for (int i = 0; i < 2000 && seen == round; i++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        CHECK(!"the notification did not come");
    }
    CHECK_EQ(seen, ROUNDS);
    CHECK_EQ(seen_fd, sv[0]);

    /* one more after all of them: still delivered */
    if (mode == 0 ? sigsetjmp(where, 1) == 0 : setjmp(where_plain) == 0) {
        CHECK(write(sv[1], "x", 1) == 1);
        for (int i = 0; i < 2000 && seen == ROUNDS; i++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        CHECK(!"the last notification did not come");
    }
    CHECK_EQ(seen, ROUNDS + 1);

    double took = -1;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, closer, &took) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    fprintf(stderr, "close from another thread took %.2f ms\n", took);
    CHECK(took >= 0 && took < 150);
    return 0;
}
