/* t_foreign_fioasync - I/O signals switched on with ioctl(FIOASYNC) are not
 * a registration the shim makes (it tracks F_SETFL O_ASYNC): they are the
 * application's, delivered as the kernel sends them (issue #12 item 1),
 * with the same signal as a tracked lease so that the trampoline judges
 * them.  argv[1] "fresh" or "reused" (the socket's number last carried a
 * lease released on close).  A second process writes to the peer; every
 * notification must name the socket with POLL_IN.  Default settings. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int reused = strcmp(argv[1], "reused") == 0;
    CHECK(reused || strcmp(argv[1], "fresh") == 0);
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int want = -1;
    if (reused) {
        int x = lst_open(other, O_RDONLY);
        lst_lease(x, F_RDLCK);
        CHECK_EQ(close(x), 0);
        want = x;
    }
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    if (reused)
        CHECK_EQ(sv[0], want);
    int on = 1;
    CHECK_EQ(fcntl(sv[0], F_SETSIG, lst_sig()), 0);
    CHECK_EQ(fcntl(sv[0], F_SETOWN, getpid()), 0);
    CHECK_EQ(ioctl(sv[0], FIOASYNC, &on), 0);

    for (int i = 0; i < 3; i++) {
        pid_t p = fork();
        CHECK(p >= 0);
        if (p == 0)
            _exit(write(sv[1], "x", 1) == 1 ? 0 : 1);
        int st;
        CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(lst_wait(i + 1, 2000) >= i + 1);
        char c;
        CHECK(read(sv[0], &c, 1) == 1);
    }
    lst_wait(4, 100);
    CHECK_EQ(lst_count(), 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(lst_fd_at(i), sv[0]);
        CHECK_EQ(lst_code_at(i), POLL_IN);
    }
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
