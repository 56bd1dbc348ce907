/* stress_sigwait.c - threads churning leased descriptors while another
 * thread takes the notifications with sigtimedwait() (SPEC §4: waits get
 * the same check as handlers), and a second process keeps breaking the
 * leases.
 *
 * THREADS (4) workers each run OPS (50,000) random operations on their own
 * descriptors of a few lease files: open, F_SETSIG + F_SETLEASE F_RDLCK,
 * F_SETLEASE F_UNLCK, dup, dup2/dup3 onto a private block of numbers,
 * close, close_range over that block.  Every thread blocks the signals; a
 * waiter thread takes them with sigtimedwait, so the shim checks each
 * notification in a thread, never in a signal handler.  That is what makes
 * this test the one ThreadSanitizer can watch: TSan does not know the
 * trampoline (the shim gives it to the kernel itself), so it cannot follow
 * stress_mixed's handlers.
 *
 * Checked: every notification is a lease break (POLL_MSG) or the plain
 * SIGIO of a queue overflow; some breaks arrived; at the end no lease is
 * left on any file.  What si_fd names once the waiter looks is not
 * checked: a worker may have closed and reused the number by then (a
 * consumer of sigtimedwait has no protection against its own threads).
 *
 * Environment: STRESS_OPS, STRESS_THREADS (defaults 50000, 4).
 */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NLEASE 4
#define MAX_THREADS 8
#define NSLOT 8       /* private dup2/dup3/close_range targets per thread */
#define SLOT_BASE 300 /* thread t's slots: SLOT_BASE + 16 t + 0..NSLOT-1 */
#define MAX_OWN 24

static const char *paths[NLEASE];
static int sig;
static volatile int *breaker_stop;
static int stop_waiting;
static unsigned long breaks, overflows, odd;

struct worker {
    pthread_t th;
    int id;
    uint64_t rng;
    int own[MAX_OWN], n;
};

static unsigned rnd(struct worker *w, unsigned n)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (unsigned)(w->rng % n);
}

static void forget(struct worker *w, int fd)
{
    for (int i = 0; i < w->n; i++)
        if (w->own[i] == fd) {
            w->own[i] = w->own[--w->n];
            return;
        }
}

static void adopt(struct worker *w, int fd)
{
    forget(w, fd); /* a slot dup2()ed over is the same number again */
    w->own[w->n++] = fd;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    const int slot0 = SLOT_BASE + 16 * w->id;
    long ops = getenv("STRESS_OPS") ? atol(getenv("STRESS_OPS")) : 50000;
    for (long i = 0; i < ops; i++) {
        int fd = w->n ? w->own[rnd(w, (unsigned)w->n)] : -1;
        switch (rnd(w, 8)) {
        case 0: /* open */
            if (w->n < MAX_OWN - 1) {
                int o = open(paths[rnd(w, NLEASE)], O_RDONLY);
                CHECK(o >= 0);
                adopt(w, o);
            }
            break;
        case 1: /* lease: refused while a break is under way or a writer waits */
            if (fd >= 0) {
                CHECK(fcntl(fd, F_SETSIG, sig) == 0);
                CHECK(fcntl(fd, F_SETLEASE, F_RDLCK) == 0 || errno == EAGAIN);
            }
            break;
        case 2:
            if (fd >= 0) /* EAGAIN: there was none */
                CHECK(fcntl(fd, F_SETLEASE, F_UNLCK) == 0 || errno == EAGAIN);
            break;
        case 3:
            if (fd >= 0 && w->n < MAX_OWN - 1) {
                int d = dup(fd);
                CHECK(d >= 0);
                adopt(w, d);
            }
            break;
        case 4:
        case 5: /* onto a private slot, maybe over one of ours */
            if (fd >= 0 && w->n < MAX_OWN - 1) {
                int s = slot0 + (int)rnd(w, NSLOT);
                if (s != fd) {
                    CHECK_EQ(rnd(w, 2) ? dup2(fd, s) : dup3(fd, s, 0), s);
                    adopt(w, s);
                }
            }
            break;
        case 6:
            if (fd >= 0) {
                CHECK(close(fd) == 0);
                forget(w, fd);
            }
            break;
        case 7: /* part of the private block */
            if (rnd(w, 4) == 0) {
                int a = slot0 + (int)rnd(w, NSLOT), b = a + (int)rnd(w, 3);
                CHECK(close_range((unsigned)a, (unsigned)b, 0) == 0);
                for (int s = a; s <= b; s++)
                    forget(w, s);
            }
            break;
        }
    }
    while (w->n)
        CHECK(close(w->own[--w->n]) == 0);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigaddset(&set, SIGIO);
    const struct timespec tick = {0, 10 * 1000 * 1000};
    while (!__atomic_load_n(&stop_waiting, __ATOMIC_ACQUIRE)) {
        siginfo_t si;
        int s = sigtimedwait(&set, &si, &tick);
        if (s < 0) {
            CHECK(errno == EAGAIN || errno == EINTR);
        } else if (s == sig && si.si_code == POLL_MSG) {
            breaks++;
        } else if (s == SIGIO) {
            overflows++;
        } else {
            odd++;
            fprintf(stderr, "unexpected: signal %d code %d fd %d\n", s, si.si_code, si.si_fd);
        }
    }
    return NULL;
}

static void breaker(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
    if (getppid() != parent)
        _exit(1);
    while (!*breaker_stop) {
        for (int f = 0; f < NLEASE; f++) {
            int fd = open(paths[f], O_WRONLY | O_NONBLOCK);
            if (fd >= 0)
                close(fd);
        }
        nanosleep(&(struct timespec){0, 20 * 1000}, NULL);
    }
    _exit(0);
}

int main(void)
{
    sig = lst_sig();
    int nthreads = getenv("STRESS_THREADS") ? atoi(getenv("STRESS_THREADS")) : 4;
    CHECK(nthreads >= 1 && nthreads <= MAX_THREADS);
    char name[16];
    for (int f = 0; f < NLEASE; f++) {
        snprintf(name, sizeof name, "lease%d", f);
        paths[f] = strdup(lst_path(name));
        CHECK(close(lst_open(paths[f], O_RDONLY)) == 0);
    }

    breaker_stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(breaker_stop != MAP_FAILED);
    pid_t parent = getpid(), brk = fork();
    CHECK(brk >= 0);
    if (brk == 0)
        breaker(parent);

    /* every thread made from here on starts with the signals blocked */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigaddset(&set, SIGIO);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    pthread_t wt;
    CHECK(pthread_create(&wt, NULL, waiter, NULL) == 0);
    struct worker w[MAX_THREADS];
    memset(w, 0, sizeof w);
    for (int t = 0; t < nthreads; t++) {
        w[t].id = t;
        w[t].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
        CHECK(pthread_create(&w[t].th, NULL, work, &w[t]) == 0);
    }
    for (int t = 0; t < nthreads; t++)
        CHECK(pthread_join(w[t].th, NULL) == 0);
    *breaker_stop = 1;
    int st;
    CHECK(waitpid(brk, &st, 0) == brk);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL); /* the last ones land */
    __atomic_store_n(&stop_waiting, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(wt, NULL) == 0);

    int left = 0;
    for (int f = 0; f < NLEASE; f++)
        left += lst_leases_on(paths[f]);
    printf("%d threads: %lu breaks taken by sigtimedwait, %lu overflow SIGIO, %lu unexpected, "
           "%d leases left\n", nthreads, breaks, overflows, odd, left);
    CHECK_EQ(odd, 0);
    CHECK(breaks > 0);
    CHECK_EQ(left, 0);
    for (int f = 0; f < NLEASE; f++)
        free((void *)paths[f]);
    return 0;
}
