/* t_tramp_small_stack - the trampoline on an 8 KiB alternate signal stack
 * with every diagnostic on (issue #12 item 10): backtraces, statistics, the
 * debug log, a break deadline.  The stack has an inaccessible guard page
 * below it, so any overflow is a SIGSEGV.  Three notifications go through
 * the trampoline's three paths: a stale one translated to the alias its
 * registration moved to, a stale one dropped, and a valid one.  The stale
 * ones are directed at the main thread (F_OWNER_TID) and pending while the
 * descriptor goes, so that the trampoline, not the close, judges them.
 * Prints the most stack any delivery used (trampoline and handler). */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ALT 8192

static unsigned char *alt;
static volatile int calls, last_fd = -1;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    calls++;
    last_fd = si->si_fd;
}

/* Bytes of the alternate stack ever written (it grows down from its top). */
static size_t used(void)
{
    size_t i = 0;
    while (i < ALT && alt[i] == 0xAA)
        i++;
    return ALT - i;
}

static int lease_tid(const char *path)
{
    int fd = lst_open(path, O_RDONLY);
    struct f_owner_ex o = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
    CHECK_EQ(fcntl(fd, F_SETSIG, lst_sig()), 0);
    CHECK_EQ(fcntl(fd, F_SETLEASE, F_RDLCK), 0);
    CHECK_EQ(fcntl(fd, F_SETOWN_EX, &o), 0);
    return fd;
}

int main(void)
{
    if (lst_slow() > 1) {
        /* sanitizer and valgrind builds use more stack by design: the
         * bound is the plain build's */
        fprintf(stderr, "an instrumented build: skipped\n");
        return 77;
    }
    lst_stdio_guard();
    unsigned char *m = mmap(NULL, ALT + 4096, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(mprotect(m, 4096, PROT_NONE) == 0); /* the guard */
    alt = m + 4096;
    memset(alt, 0xAA, ALT);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT};
    CHECK(sigaltstack(&ss, NULL) == 0);
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    const char *f1 = lst_path("one"), *f2 = lst_path("two"), *f3 = lst_path("three");
    const char *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);

    /* translated: the notification names A, the registration moved to D */
    int a = lease_tid(f1), d = dup(a);
    CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
    CHECK_EQ(lst_break(f1, 0), EWOULDBLOCK);
    CHECK_EQ(close(a), 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
    CHECK_EQ(calls, 1);
    CHECK_EQ(last_fd, d);
    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    size_t u1 = used();

    /* dropped: released with the last descriptor, kept open by a child */
    int release;
    int b = lease_tid(f2);
    pid_t holder = lst_hold_in_child(&release);
    CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
    CHECK_EQ(lst_break(f2, 0), EWOULDBLOCK);
    CHECK_EQ(close(b), 0);
    CHECK_EQ(open(other, O_RDONLY), b);
    CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
    CHECK_EQ(calls, 1);
    close(release);
    CHECK(lst_wait_child(holder, 5000) == 0);
    size_t u2 = used();

    /* valid */
    int c = lease_tid(f3);
    CHECK_EQ(lst_break(f3, 0), EWOULDBLOCK);
    for (int i = 0; i < 2000 && calls < 2; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    CHECK_EQ(calls, 2);
    CHECK_EQ(last_fd, c);
    CHECK_EQ(fcntl(c, F_SETLEASE, F_UNLCK), 0);
    size_t u3 = used();
    fprintf(stderr, "alternate stack used: %zu bytes after the translated one, %zu after the "
                    "dropped one, %zu after the valid one (of %d)\n", u1, u2, u3, ALT);
    CHECK(u3 < ALT);
    return 0;
}
