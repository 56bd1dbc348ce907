/* t_register_answered - a break answered while the registering fcntl is
 * still in flight (issue #12 item 6).  A breaker process keeps opening the
 * file for writing; the main thread keeps taking a read lease (the signal
 * blocked there), and a second thread's handler answers every break at
 * once with F_SETLEASE F_UNLCK, often before the main thread's F_SETLEASE
 * has returned.  After each round the main thread makes an alias and
 * closes the leased descriptor: the shim re-homes a lease it believes
 * live.  The kernel's view must be the application's: whenever the handler
 * answered, no lease may be left on the alias (a lease taken again by the
 * shim would stall every writer).  Rounds: 1,500 or 4 s. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int answered, stop;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    int saved = errno;
    if (fcntl(si->si_fd, F_SETLEASE, F_UNLCK) == 0)
        __atomic_add_fetch(&answered, 1, __ATOMIC_SEQ_CST);
    errno = saved;
}

static void *answerer(void *arg)
{
    (void)arg;
    while (!stop)
        pause();
    return NULL;
}

static void wake(int sig)
{
    (void)sig;
}

int main(void)
{
    lst_stdio_guard();
    int sig = lst_sig();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    signal(SIGUSR1, wake);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, answerer, NULL) == 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0); /* breaks go to the answerer */

    pid_t breaker = fork();
    CHECK(breaker >= 0);
    if (breaker == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) {
            int fd = open(data, O_WRONLY | O_NONBLOCK);
            if (fd >= 0)
                close(fd);
            nanosleep(&(struct timespec){0, 20000}, NULL);
        }
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rounds = 0, taken = 0, checked = 0;
    for (; rounds < 1500; rounds++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 4)
            break;
        int fd = lst_open(data, O_RDONLY);
        CHECK_EQ(fcntl(fd, F_SETSIG, sig), 0);
        int before = __atomic_load_n(&answered, __ATOMIC_SEQ_CST);
        if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0) {
            CHECK(errno == EAGAIN);
            close(fd);
            continue;
        }
        taken++;
        /* let a break that began be answered */
        for (int i = 0; i < 20 && fcntl(fd, F_GETLEASE) == F_RDLCK; i++)
            nanosleep(&(struct timespec){0, 50000}, NULL);
        int was_answered = __atomic_load_n(&answered, __ATOMIC_SEQ_CST) != before;
        int d = dup(fd);
        CHECK(d >= 0);
        CHECK_EQ(close(fd), 0); /* re-homes whatever the shim believes live */
        if (was_answered) {
            checked++;
            if (lst_fdinfo_leases(d) != 0)
                fprintf(stderr, "round %d: the answered lease is back on the alias\n", rounds);
            CHECK_EQ(lst_fdinfo_leases(d), 0);
        }
        fcntl(d, F_SETLEASE, F_UNLCK);
        close(d);
    }
    kill(breaker, SIGKILL);
    waitpid(breaker, NULL, 0);
    stop = 1;
    pthread_kill(t, SIGUSR1);
    CHECK(pthread_join(t, NULL) == 0);
    fprintf(stderr, "%d rounds, %d leases taken, %d answered by the handler\n", rounds, taken,
            checked);
    CHECK(checked > 0); /* the race was there to be lost */
    return 0;
}
