/* Trampoline, scenario 6: signals that are not kernel I/O notifications
 * reach the application's handler unchanged while a registration uses the
 * signal (so the kernel holds the shim's trampoline for it): sigqueue
 * (SI_QUEUE, si_value intact), kill (SI_USER), tgkill and raise (SI_TKILL),
 * for a real-time F_SETSIG signal and for SIGIO used explicitly with
 * F_SETSIG.  A process that leaves SIGIO at SIG_DFL still dies of a kill()
 * or sigqueue() of SIGIO, as it would without the shim.  The real
 * notifications still arrive, with the right si_fd.  The shim changes none
 * of this, so the program passes without it too. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAXGOT 16
static siginfo_t got[MAXGOT];
static int got_sig[MAXGOT];
static volatile int ngot;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    int i = __atomic_fetch_add(&ngot, 1, __ATOMIC_SEQ_CST);
    if (i < MAXGOT) {
        got[i] = *si;
        got_sig[i] = sig;
    }
}

static void install(int sig)
{
    struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static int wait_for(int n)
{
    for (int i = 0; i < 400 && __atomic_load_n(&ngot, __ATOMIC_SEQ_CST) < n; i++)
        usleep(5000);
    return ngot;
}

/* One delivery of SIG from this process, with si_code CODE. */
static void check_user(int i, int sig, int code)
{
    CHECK(i < ngot);
    CHECK_EQ(got_sig[i], sig);
    CHECK_EQ(got[i].si_signo, sig);
    CHECK_EQ(got[i].si_code, code);
    CHECK_EQ(got[i].si_pid, getpid());
    CHECK_EQ(got[i].si_uid, getuid());
}

static void senders(int sig)
{
    int base = ngot;
    union sigval v = {.sival_int = 0x5eed};
    CHECK(sigqueue(getpid(), sig, v) == 0);
    CHECK_EQ(wait_for(base + 1), base + 1);
    check_user(base, sig, SI_QUEUE);
    CHECK_EQ(got[base].si_value.sival_int, 0x5eed);

    /* a value that would look like a descriptor number if read as si_fd */
    v.sival_ptr = (void *)(0x1234500000000000ull | 3u);
    CHECK(sigqueue(getpid(), sig, v) == 0);
    CHECK_EQ(wait_for(base + 2), base + 2);
    check_user(base + 1, sig, SI_QUEUE);
    CHECK(got[base + 1].si_value.sival_ptr == v.sival_ptr);

    CHECK(kill(getpid(), sig) == 0);
    CHECK_EQ(wait_for(base + 3), base + 3);
    check_user(base + 2, sig, SI_USER);

    CHECK(syscall(SYS_tgkill, getpid(), gettid(), sig) == 0);
    CHECK_EQ(wait_for(base + 4), base + 4);
    check_user(base + 3, sig, SI_TKILL);

    CHECK(raise(sig) == 0);
    CHECK_EQ(wait_for(base + 5), base + 5);
    check_user(base + 4, sig, SI_TKILL);
}

/* In a child with a real-time registration and SIGIO left at SIG_DFL:
 * a SIGIO sent by a process (not an overflow) kills, as without the shim. */
static int die_of_sigio(void *how)
{
    const char *path = lst_path("child");
    int fd = lst_open(path, O_RDONLY);
    install(lst_sig());
    lst_lease(fd, F_RDLCK);
    if (strcmp(how, "kill") == 0)
        kill(getpid(), SIGIO);
    else
        sigqueue(getpid(), SIGIO, (union sigval){.sival_int = 7});
    for (int i = 0; i < 200; i++)
        usleep(5000);
    return 0; /* survived */
}

int main(void)
{
    const char *data = lst_path("data"), *iodata = lst_path("iodata");
    int sig = lst_sig();

    CHECK_EQ(lst_in_child(die_of_sigio, "kill"), 128 + SIGIO);
    CHECK_EQ(lst_in_child(die_of_sigio, "sigqueue"), 128 + SIGIO);

    install(sig);
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    senders(sig);

    /* SIGIO named explicitly with F_SETSIG: notifications carry siginfo */
    install(SIGIO);
    int b = lst_open(iodata, O_RDONLY);
    CHECK(fcntl(b, F_SETSIG, SIGIO) == 0);
    CHECK(fcntl(b, F_SETLEASE, F_RDLCK) == 0);
    senders(SIGIO);

    /* and the real notifications are still handed on, unchanged */
    int base = ngot;
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK_EQ(wait_for(base + 1), base + 1);
    CHECK_EQ(got_sig[base], sig);
    CHECK_EQ(got[base].si_code, POLL_MSG);
    CHECK_EQ(got[base].si_fd, a);
    CHECK_EQ(lst_break(iodata, 0), EWOULDBLOCK);
    CHECK_EQ(wait_for(base + 2), base + 2);
    CHECK_EQ(got_sig[base + 1], SIGIO);
    CHECK_EQ(got[base + 1].si_code, POLL_MSG);
    CHECK_EQ(got[base + 1].si_fd, b);
    usleep(200000);
    CHECK_EQ(ngot, base + 2);
    return 0;
}
