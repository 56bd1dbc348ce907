/* Trampoline under thread stress (SPEC §4, §6).  Four threads each run
 * open / lease / dup / dup2 / dup3 / close cycles on their own two leased
 * files while a second process breaks leases continuously (O_NONBLOCK
 * write opens in a loop), until about 10,000 notifications were handled.
 * Numbers a registration leaves are reused: by a decoy (a file never
 * leased) or by the other leased file (dup2 over the notify fd).
 *
 * Oracle, checked in the handler (async-signal-safe): the file si_fd names
 * (fstat inode) must be one of the leased files, never a decoy.  A decoy
 * only takes a number after a signal barrier (every other thread has run
 * a SIGUSR2 handler, which the notification handler masks), so a handler
 * that checked a number before its thread replaced it has finished; what
 * is left to see is a notification handed on under a number that names
 * the wrong file.  At the end no lease is left, though every leased file
 * of the last cycle is still mapped (an mmap keeps the open file
 * description, and so the lease, alive: only R2 removes it).
 * STRESS_TARGET=n in the environment changes the 10,000 (for quick runs). */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NT 4
#define NFILES (2 * NT)
#define TARGET (getenv("STRESS_TARGET") ? atoi(getenv("STRESS_TARGET")) : 10000)
#define MAX_SECONDS 50
#define BASE_FD 200
#define RANGE 10

static int sig;
static const char *leased_path[NFILES], *decoy_path[NT];
static dev_t leased_dev[NFILES];
static ino_t leased_ino[NFILES];

static volatile int stop;
static int calls, bad, closed_at_handler, odd_code;
static int bad_fd[16];
static ino_t bad_ino[16];
static int seen[NFILES];

static pid_t tids[NT];
static int acks[NT];
static __thread int self_idx = -1;
static pthread_barrier_t start_barrier, end_barrier;
static int iterations[NT], lease_refused[NT];
static void *last_map[NT][2];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_note(int s, siginfo_t *si, void *ctx)
{
    (void)s;
    (void)ctx;
    int saved = errno;
    if (si->si_code != POLL_MSG) {
        __atomic_fetch_add(&odd_code, 1, __ATOMIC_RELAXED);
        errno = saved;
        return;
    }
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
    struct stat st;
    if (fstat(si->si_fd, &st) < 0) {
        /* closed between the shim's check and here, by its own thread: a
         * race of the application's, not a wrong file */
        __atomic_fetch_add(&closed_at_handler, 1, __ATOMIC_RELAXED);
        errno = saved;
        return;
    }
    for (int i = 0; i < NFILES; i++)
        if (st.st_dev == leased_dev[i] && st.st_ino == leased_ino[i]) {
            __atomic_fetch_add(&seen[i], 1, __ATOMIC_RELAXED);
            errno = saved;
            return;
        }
    int n = __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
    if (n < 16) {
        bad_fd[n] = si->si_fd;
        bad_ino[n] = st.st_ino;
    }
    errno = saved;
}

static void on_ack(int s)
{
    (void)s;
    if (self_idx >= 0)
        __atomic_fetch_add(&acks[self_idx], 1, __ATOMIC_SEQ_CST);
}

/* Every other worker has been through a SIGUSR2 handler since now: any
 * notification handler running on it when this was called has finished. */
static void barrier(int self)
{
    for (int j = 0; j < NT; j++) {
        if (j == self)
            continue;
        int a0 = __atomic_load_n(&acks[j], __ATOMIC_SEQ_CST);
        CHECK(syscall(SYS_tgkill, getpid(), tids[j], SIGUSR2) == 0);
        double t0 = now();
        while (__atomic_load_n(&acks[j], __ATOMIC_SEQ_CST) == a0) {
            nanosleep(&(struct timespec){0, 20000}, NULL);
            CHECK(now() - t0 < 2.0);
        }
    }
}

/* Open PATH at exactly number N (free). */
static void place(const char *path, int n)
{
    int l = open(path, O_RDONLY);
    CHECK(l >= 0);
    if (l != n) {
        CHECK_EQ(dup2(l, n), n);
        CHECK(close(l) == 0);
    }
}

static int take_lease(int fd)
{
    CHECK(fcntl(fd, F_SETSIG, sig) == 0);
    for (int i = 0; i < 200; i++) {
        if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
            return 1;
        CHECK(errno == EAGAIN); /* a breaker's open holds write access for a moment */
        sched_yield();
    }
    return 0;
}

/* Sometimes wait (shortly) for the break of file F to be handed on. */
static void maybe_wait(int f, int it)
{
    if (it % 4 == 0)
        return; /* one cycle in four goes on at once */
    int s0 = __atomic_load_n(&seen[f], __ATOMIC_RELAXED);
    for (int i = 0; i < 200 && __atomic_load_n(&seen[f], __ATOMIC_RELAXED) == s0; i++)
        nanosleep(&(struct timespec){0, 10000}, NULL);
}

static void unmap_last(int t)
{
    for (int i = 0; i < 2; i++)
        if (last_map[t][i]) {
            CHECK(munmap(last_map[t][i], 4096) == 0);
            last_map[t][i] = NULL;
        }
}

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    self_idx = t;
    tids[t] = gettid();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigaddset(&set, SIGUSR2);
    CHECK(pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0);
    pthread_barrier_wait(&start_barrier);

    const int fF = 2 * t, fG = 2 * t + 1;
    const int N0 = BASE_FD + RANGE * t, N1 = N0 + 1, N2 = N0 + 2, N3 = N0 + 3;
    const char *F = leased_path[fF], *G = leased_path[fG], *D = decoy_path[t];
    int it;
    for (it = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); it++) {
        /* F at N0, leased; mapped so that its OFD outlives the descriptors */
        place(F, N0);
        void *mf = mmap(NULL, 4096, PROT_READ, MAP_SHARED, N0, 0);
        CHECK(mf != MAP_FAILED);
        if (!take_lease(N0)) {
            /* without the shim the last cycle's breaking leases live on in
             * its mappings and refuse new ones: let them go */
            lease_refused[t]++;
            CHECK(close(N0) == 0);
            CHECK(munmap(mf, 4096) == 0);
            unmap_last(t);
            continue;
        }
        /* aliases: dup2 onto a free number, dup then dup3 */
        CHECK_EQ(dup2(N0, N1), N1);
        int l = dup(N0);
        CHECK(l >= 0);
        CHECK_EQ(dup3(l, N2, 0), N2);
        CHECK(close(l) == 0);
        maybe_wait(fF, it);

        /* the notify fd goes, aliases survive (re-home); a decoy takes the number */
        CHECK(close(N0) == 0);
        barrier(t);
        place(D, N0);

        /* G at N3, leased; then dup2 G over one of F's descriptors (maybe its notify fd) */
        place(G, N3);
        void *mg = mmap(NULL, 4096, PROT_READ, MAP_SHARED, N3, 0);
        CHECK(mg != MAP_FAILED);
        int have_g = take_lease(N3);
        if (!have_g)
            lease_refused[t]++;
        CHECK_EQ(dup2(N3, (it & 1) ? N1 : N2), (it & 1) ? N1 : N2);
        int f_left = (it & 1) ? N2 : N1, g_alias = (it & 1) ? N1 : N2;
        maybe_wait(fG, it + 1);
        CHECK(close(N3) == 0); /* G's notify fd goes, its alias survives */
        barrier(t);
        place(D, N3);

        /* last descriptors go: released (R2), the mappings keep the files */
        CHECK(close(f_left) == 0);
        CHECK(close(g_alias) == 0);
        barrier(t);
        place(D, f_left);
        place(D, g_alias);
        for (volatile int spin = 0; spin < 2000; spin++)
            ;
        CHECK(close(N0) == 0);
        CHECK(close(N1) == 0);
        CHECK(close(N2) == 0);
        CHECK(close(N3) == 0);
        unmap_last(t);
        last_map[t][0] = mf;
        last_map[t][1] = mg;
        (void)have_g;
    }
    iterations[t] = it;
    pthread_barrier_wait(&end_barrier); /* others may still need our acks */
    return NULL;
}

int main(void)
{
    sig = lst_sig();
    char name[32];
    for (int i = 0; i < NFILES; i++) {
        snprintf(name, sizeof name, "leased%d", i);
        leased_path[i] = strdup(lst_path(name));
        struct stat st;
        CHECK(close(lst_open(leased_path[i], O_RDONLY)) == 0);
        CHECK(stat(leased_path[i], &st) == 0);
        leased_dev[i] = st.st_dev;
        leased_ino[i] = st.st_ino;
    }
    for (int t = 0; t < NT; t++) {
        snprintf(name, sizeof name, "decoy%d", t);
        decoy_path[t] = strdup(lst_path(name));
        CHECK(close(lst_open(decoy_path[t], O_RDONLY)) == 0);
    }

    /* the breaker: forked before any leased file is open here */
    volatile int *breaker_stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(breaker_stop != MAP_FAILED);
    pid_t test_pid = getpid();
    pid_t breaker = fork();
    CHECK(breaker >= 0);
    if (breaker == 0) {
        /* a test that dies early (a failed CHECK, a sanitizer report) takes
         * its breaker along, or ctest waits on the breaker's copy of its output */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != test_pid)
            _exit(1);
        while (!*breaker_stop) {
            for (int i = 0; i < NFILES; i++) {
                int fd = open(leased_path[i], O_WRONLY | O_NONBLOCK);
                if (fd >= 0)
                    close(fd);
            }
            nanosleep(&(struct timespec){0, 50000}, NULL);
        }
        _exit(0);
    }

    struct sigaction sa = {.sa_sigaction = on_note, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    struct sigaction ack = {.sa_handler = on_ack, .sa_flags = SA_RESTART};
    sigemptyset(&ack.sa_mask);
    sigaddset(&ack.sa_mask, sig);
    CHECK(sigaction(SIGUSR2, &ack, NULL) == 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigaddset(&set, SIGUSR2);
    CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0); /* the main thread takes neither */

    pthread_barrier_init(&start_barrier, NULL, NT + 1);
    pthread_barrier_init(&end_barrier, NULL, NT);
    pthread_t th[NT];
    for (long t = 0; t < NT; t++)
        CHECK(pthread_create(&th[t], NULL, worker, (void *)t) == 0);
    pthread_barrier_wait(&start_barrier);
    double t0 = now();
    while (__atomic_load_n(&calls, __ATOMIC_RELAXED) < TARGET && now() - t0 < MAX_SECONDS &&
           !__atomic_load_n(&bad, __ATOMIC_RELAXED))
        usleep(10000);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int t = 0; t < NT; t++)
        CHECK(pthread_join(th[t], NULL) == 0);
    double took = now() - t0;
    *breaker_stop = 1;
    int st;
    CHECK(waitpid(breaker, &st, 0) == breaker);

    int total_it = 0, refused = 0;
    for (int t = 0; t < NT; t++) {
        total_it += iterations[t];
        refused += lease_refused[t];
    }
    printf("%.1f s: %d cycles, %d notifications handled (%d closed by then, %d other codes), "
           "%d leases refused for a moment, %d naming a wrong file\n",
           took, total_it, calls, closed_at_handler, odd_code, refused, bad);
    for (int i = 0; i < bad && i < 16; i++)
        printf("  wrong: si_fd %d names inode %lu\n", bad_fd[i], (unsigned long)bad_ino[i]);
    CHECK_EQ(bad, 0);
    CHECK(calls >= TARGET);
    CHECK(took <= 60);

    /* the last cycle's files are still mapped: no lease may be left */
    for (int i = 0; i < NFILES; i++) {
        int n = lst_leases_on(leased_path[i]);
        if (n)
            printf("  %d lease(s) left on %s\n", n, leased_path[i]);
        CHECK_EQ(n, 0);
    }
    return 0;
}
