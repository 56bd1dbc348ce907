/* t_fault.c - what an application observes in scenarios where one of the
 * shim's own kernel requests fails (fault injection, shim/fault.h).
 *
 * usage: t_fault SCENARIO.  Prints one line per observation: every call's
 * result and errno, the kernel's view of the lease (/proc/locks,
 * F_GETLEASE, F_GETOWN_EX), the kernel's signal disposition (raw
 * rt_sigaction), and the si_fd of every notification a second process's
 * lease break brings.  fault_test.sh runs it without the shim, with the
 * shim, and with the shim and a fault, and compares the three: with the
 * fault the output must be the one without the shim (pass-through), and
 * without the fault it must differ (proof that the scenario reaches the
 * code the fault breaks).
 */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(const char *what, long r)
{
    printf("%-22s -> %ld%s%s\n", what, r, r < 0 ? " errno " : "", r < 0 ? strerror(errno) : "");
}

/* The kernel's view of FD's lease and owner, and of the file's leases. */
static void observe(const char *path, int fd)
{
    struct f_owner_ex o;
    say("F_GETLEASE", fcntl(fd, F_GETLEASE));
    CHECK(fcntl(fd, F_GETOWN_EX, &o) == 0);
    printf("owner                  -> %s %s\n",
           o.type == F_OWNER_TID ? "tid" : o.type == F_OWNER_PID ? "pid" : "other",
           o.pid == getpid() ? "self" : o.pid == 0 ? "none" : "someone else");
    printf("leases on the file     -> %d\n", lst_leases_on(path) ? 1 : 0);
}

/* Break PATH's lease from a second process; list the notifications. */
static void break_lease(const char *path)
{
    int before = lst_count();
    say("break (opener's errno)", lst_break(path, 0));
    lst_wait(before + 1, 1500);
    usleep(100 * 1000); /* a second notification would be a difference too */
    for (int i = before; i < lst_count(); i++)
        printf("notification           -> si_fd %d\n", lst_fd_at(i));
    if (lst_count() == before)
        printf("notification           -> none\n");
}

/* Close A, whose lease D also names; look; break the lease; release it. */
static void close_and_break(const char *data, int a, int d)
{
    say("close", close(a));
    observe(data, d);
    break_lease(data);
    say("F_SETLEASE F_UNLCK", fcntl(d, F_SETLEASE, F_UNLCK));
    printf("leases on the file     -> %d\n", lst_leases_on(data) ? 1 : 0);
}

/* Lease on A, alias D made after it, A closed: the shim moves the lease to
 * D (F_SETLEASE on D, then F_SETOWN_EX when the owner was a thread). */
static int move(int thread_owner)
{
    const char *data = lst_path("data");
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    if (thread_owner) {
        struct f_owner_ex o = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
        say("F_SETOWN_EX thread", fcntl(a, F_SETOWN_EX, &o));
    }
    int d = dup(a);
    say("dup", d);
    close_and_break(data, a, d);
    return 0;
}

/* Alias D made before the lease: only the shim's scan of /proc/self/fd
 * finds it, so that closing A moves the lease instead of releasing it. */
static int scan(void)
{
    const char *data = lst_path("data");
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY);
    int d = dup(a);
    say("dup", d);
    lst_lease(a, F_RDLCK);
    close_and_break(data, a, d);
    return 0;
}

/* A's only alias is in a child: closing A releases the lease (R2). */
static int release(void)
{
    const char *data = lst_path("data");
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int hold;
    pid_t child = lst_hold_in_child(&hold);
    say("close", close(a));
    printf("leases on the file     -> %d\n", lst_leases_on(data) ? 1 : 0);
    break_lease(data);
    CHECK(close(hold) == 0);
    CHECK_EQ(lst_wait_child(child, 5000), 0);
    printf("leases on the file     -> %d\n", lst_leases_on(data) ? 1 : 0);
    return 0;
}

/* The kernel's disposition of SIG, as the raw system call reports it. */
static void kernel_disposition(int sig, void (*app)(int, siginfo_t *, void *))
{
    void *h = lst_kernel_handler(sig);
    printf("kernel's handler       -> %s\n", h == (void *)SIG_DFL ? "SIG_DFL"
                                             : h == (void *)app ? "the application's"
                                                                : "another");
}

static volatile sig_atomic_t handled;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)si, (void)ctx;
    handled++;
}

/* A lease makes the shim guard its signal; the application then installs
 * its handler: the shim puts its trampoline in front of both. */
static int trampoline(void)
{
    const char *data = lst_path("data");
    int sig = lst_sig();
    int a = lst_open(data, O_RDONLY);
    say("F_SETSIG", fcntl(a, F_SETSIG, sig));
    say("F_SETLEASE F_RDLCK", fcntl(a, F_SETLEASE, F_RDLCK));
    kernel_disposition(sig, on_sig);
    struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART}, old;
    sigemptyset(&sa.sa_mask);
    errno = 1234;
    say("sigaction", sigaction(sig, &sa, &old));
    printf("errno after success    -> %d\n", errno);
    printf("old handler            -> %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "another");
    kernel_disposition(sig, on_sig);
    CHECK(sigaction(sig, NULL, &old) == 0);
    printf("handler reported       -> %s\n",
           old.sa_sigaction == on_sig ? "the application's" : "another");
    say("raise", raise(sig));
    printf("handler calls          -> %d\n", (int)handled);
    say("F_SETLEASE F_UNLCK", fcntl(a, F_SETLEASE, F_UNLCK));
    return 0;
}

int main(int argc, char **argv)
{
    lst_stdio_guard();
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *s = argc > 1 ? argv[1] : "";
    if (!strcmp(s, "move"))
        return move(0);
    if (!strcmp(s, "move_owner"))
        return move(1);
    if (!strcmp(s, "scan"))
        return scan();
    if (!strcmp(s, "release"))
        return release();
    if (!strcmp(s, "trampoline"))
        return trampoline();
    fprintf(stderr, "usage: t_fault move|move_owner|scan|release|trampoline\n");
    return 2;
}
