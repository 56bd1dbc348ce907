/* t_r3_child_closes_all - R3: a forked child closes every descriptor it has
 * (argv[1] "loop": close(0..1023); "closefrom": closefrom(0)).  The parent's
 * lease on a (with an alias d) must be untouched: still there, still owned by
 * the parent with its signal, and a break still carries a. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int close_loop(void *arg)
{
    (void)arg;
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    return fcntl(0, F_GETFD) == -1 ? 0 : 3;
}

static int close_from(void *arg)
{
    (void)arg;
    closefrom(0);
    return fcntl(0, F_GETFD) == -1 ? 0 : 3;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int (*fn)(void *) = strcmp(argv[1], "loop") == 0        ? close_loop
                        : strcmp(argv[1], "closefrom") == 0 ? close_from
                                                            : NULL;
    CHECK(fn != NULL);
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);

    CHECK_EQ(lst_in_child(fn, NULL), 0);

    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a, F_GETOWN), getpid());
    CHECK_EQ(fcntl(a, F_GETSIG), lst_sig());
    CHECK_EQ(lst_count(), 0);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
