/* Trampoline, scenario 14: SA_ONSTACK is kept.  With an alternate signal
 * stack installed, a lease-break notification for a handler set with
 * SA_ONSTACK runs on it (the address of a local of the handler lies inside
 * the alternate stack, and sigaltstack reports SS_ONSTACK there); a handler
 * set without SA_ONSTACK runs on the normal stack.  The notification is the
 * right one in both cases.  The shim changes none of this. */
#include "lstest.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define ALT_SIZE (256 * 1024)
static char altstack[ALT_SIZE] __attribute__((aligned(64)));

static volatile uintptr_t local_addr;
static volatile int calls, got_fd, ss_flags_inside;

static void on_note(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    volatile char here = 0;
    local_addr = (uintptr_t)&here;
    stack_t ss;
    ss_flags_inside = sigaltstack(NULL, &ss) == 0 ? ss.ss_flags : -1;
    got_fd = si->si_fd;
    calls++;
}

static int on_altstack(uintptr_t p)
{
    return p >= (uintptr_t)altstack && p < (uintptr_t)altstack + ALT_SIZE;
}

static void run(int onstack, const char *name)
{
    int sig = lst_sig();
    const char *path = lst_path(name);
    struct sigaction sa = {.sa_sigaction = on_note,
                           .sa_flags = SA_SIGINFO | SA_RESTART | (onstack ? SA_ONSTACK : 0)};
    sigemptyset(&sa.sa_mask);
    int fd = lst_open(path, O_RDONLY);
    lst_lease(fd, F_RDLCK);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    calls = 0;
    local_addr = 0;
    CHECK_EQ(lst_break(path, 0), EWOULDBLOCK);
    for (int i = 0; i < 400 && !calls; i++)
        usleep(5000);
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_fd, fd);
    volatile char main_local = 0;
    CHECK(!on_altstack((uintptr_t)&main_local));
    if (onstack) {
        CHECK(on_altstack(local_addr));
        CHECK(ss_flags_inside & SS_ONSTACK);
    } else {
        CHECK(!on_altstack(local_addr));
        CHECK_EQ(ss_flags_inside & SS_ONSTACK, 0);
    }
}

int main(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = ALT_SIZE, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL) == 0);
    run(1, "onstack");
    run(0, "normal");
    run(1, "onstack-again");
    return 0;
}
