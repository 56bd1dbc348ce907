/* Trampoline, scenario 13: on a real-time queue overflow an application
 * with its own SIGIO handler gets its SIGIO as before (si_code SI_KERNEL),
 * and nothing reaches its real-time handler; whether the SIGIO handler was
 * set before or after the registration.  An application that ignores SIGIO
 * gets nothing and lives.  The shim changes none of this. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static volatile int io_calls, io_code;

static void on_sigio(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    io_calls++;
    io_code = si->si_code;
}

enum how { BEFORE, AFTER, IGNORED };

static void set_sigio(enum how how)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (how == IGNORED) {
        sa.sa_handler = SIG_IGN;
    } else {
        sa.sa_sigaction = on_sigio;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
    }
    CHECK(sigaction(SIGIO, &sa, NULL) == 0);
}

static int body(void *arg)
{
    enum how how = (enum how)(long)arg;
    const char *names[] = {"before", "after", "ignored"};
    const char *data = lst_path(names[how]);
    int sig = lst_sig();
    lst_record(sig);
    if (how != AFTER)
        set_sigio(how);
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    if (how == AFTER)
        set_sigio(how);
    struct rlimit none = {0, 0};
    CHECK(setrlimit(RLIMIT_SIGPENDING, &none) == 0);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    for (int i = 0; how != IGNORED && i < 400 && !io_calls; i++)
        usleep(5000);
    usleep(300000);
    CHECK_EQ(lst_count(), 0);
    if (how == IGNORED) {
        CHECK_EQ(io_calls, 0);
    } else {
        CHECK_EQ(io_calls, 1);
        CHECK_EQ(io_code, SI_KERNEL);
    }
    CHECK_EQ(fcntl(a, F_GETLEASE), F_UNLCK); /* the break did happen */
    struct sigaction q;
    CHECK(sigaction(SIGIO, NULL, &q) == 0);
    CHECK(how == IGNORED ? q.sa_handler == SIG_IGN : q.sa_sigaction == on_sigio);
    return 0;
}

int main(void)
{
    lst_path("x");
    for (long how = BEFORE; how <= IGNORED; how++)
        CHECK_EQ(lst_in_child(body, (void *)how), 0);
    return 0;
}
