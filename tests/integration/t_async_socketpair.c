/* t_async_socketpair - R1 for O_ASYNC on one end of a socketpair: dup() it,
 * close the original, reuse the number for another file, send from the peer:
 * every I/O signal names the alias, and one of them reports the input. */
#include "lstest.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());

    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(fcntl(sv[0], F_SETOWN, getpid()), 0);
    CHECK_EQ(fcntl(sv[0], F_SETSIG, lst_sig()), 0);
    int fl = fcntl(sv[0], F_GETFL);
    CHECK(fl >= 0);
    CHECK_EQ(fcntl(sv[0], F_SETFL, fl | O_ASYNC | O_NONBLOCK), 0);

    int d = dup(sv[0]);
    CHECK(d >= 0);
    CHECK_EQ(close(sv[0]), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, sv[0]);
    CHECK(fcntl(d, F_GETFL) & O_ASYNC);

    int before = lst_count();
    CHECK_EQ(send(sv[1], "x", 1, 0), 1);
    int pos_in = -1;
    for (int waited = 0; pos_in < 0 && waited < 2000; waited += 10) {
        lst_wait(before + 1, 10);
        for (int i = before; i < lst_count(); i++)
            if (lst_code_at(i) == POLL_IN)
                pos_in = i;
    }
    CHECK(pos_in >= 0);
    for (int i = 0; i < lst_count(); i++)
        CHECK_EQ(lst_fd_at(i), d);
    char c;
    CHECK_EQ(recv(lst_fd_at(pos_in), &c, 1, 0), 1);
    CHECK_EQ(c, 'x');
    return 0;
}
