/* t_syscall_close - R1 through syscall(SYS_close, notify), which goes through
 * glibc's exported syscall(): handled like close(). */
#include "lstest.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);

    errno = 0;
    CHECK_EQ(syscall(SYS_close, a), 0);
    CHECK_EQ(errno, 0);
    CHECK_EQ(fcntl(a, F_GETFD), -1);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    errno = 0; /* a failing one still reports like the kernel */
    CHECK_EQ(syscall(SYS_close, 1 << 20), -1);
    CHECK_EQ(errno, EBADF);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
