/* t_async_pipe - R1 for O_ASYNC on a pipe's read end (F_SETOWN, F_SETSIG,
 * F_SETFL O_ASYNC): dup() it, close the original, reuse the number for
 * another file, write into the pipe: the I/O signal names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());

    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
    CHECK_EQ(fcntl(p[0], F_SETSIG, lst_sig()), 0);
    int fl = fcntl(p[0], F_GETFL);
    CHECK(fl >= 0);
    CHECK_EQ(fcntl(p[0], F_SETFL, fl | O_ASYNC | O_NONBLOCK), 0);

    int d = dup(p[0]);
    CHECK(d >= 0);
    CHECK_EQ(close(p[0]), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, p[0]);
    CHECK(fcntl(d, F_GETFL) & O_ASYNC);
    CHECK_EQ(fcntl(d, F_GETOWN), getpid());
    CHECK_EQ(fcntl(d, F_GETSIG), lst_sig());

    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK(lst_wait(1, 2000) >= 1);
    for (int i = 0; i < lst_count(); i++) {
        CHECK_EQ(lst_fd_at(i), d);
        CHECK_EQ(lst_code_at(i), POLL_IN);
    }
    CHECK(lst_fd_names(lst_fd_at(0), other) == 0);
    char c;
    CHECK_EQ(read(lst_fd_at(0), &c, 1), 1);
    CHECK_EQ(c, 'x');
    return 0;
}
