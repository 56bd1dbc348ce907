/* t_fd_numbering - SPEC §3: after a tracked close(), dup2() and freopen(),
 * the set of open descriptors is exactly what the call alone leaves, so the
 * next open() gets the number it would get without the shim.  A hole below
 * the tracked fds makes any temporary descriptor of the shim land where the
 * next open() would look, and the expectation comes from the program's own
 * model (the lowest free number before the call, adjusted for what the call
 * frees), not from probing after it. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

static int lowest_free(void)
{
    int fd = 0;
    while (fcntl(fd, F_GETFD) >= 0)
        fd++;
    return fd;
}

static int count_open(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        n += fcntl(fd, F_GETFD) >= 0;
    return n;
}

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int h1 = open("/dev/null", O_RDONLY);
    int h2 = open("/dev/null", O_RDONLY);
    int d = dup(a);
    CHECK(a < h1 && h1 < h2 && h2 < d);
    CHECK_EQ(close(h1), 0);

    /* tracked close(): frees exactly a */
    int lowest = lowest_free(), count = count_open();
    CHECK_EQ(lowest, h1);
    CHECK_EQ(close(a), 0);
    CHECK_EQ(count_open(), count - 1);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a < lowest ? a : lowest);
    int n = open("/dev/null", O_RDONLY);
    CHECK_EQ(n, h1);
    CHECK_EQ(close(n), 0);

    /* tracked dup2() over the notify fd d: frees nothing */
    int d2 = dup(d); /* takes h1 */
    CHECK_EQ(d2, h1);
    CHECK_EQ(close(h2), 0);
    lowest = lowest_free();
    count = count_open();
    CHECK_EQ(lowest, h2);
    CHECK_EQ(dup2(o, d), d);
    CHECK_EQ(count_open(), count);
    n = open("/dev/null", O_RDONLY);
    CHECK_EQ(n, lowest);
    CHECK_EQ(close(n), 0);

    /* tracked freopen() of a stream on the notify fd d2: frees nothing */
    FILE *f = fdopen(d2, "r");
    CHECK(f != NULL);
    lowest = lowest_free();
    count = count_open();
    CHECK_EQ(lowest, h2);
    CHECK(freopen(other, "r", f) == f);
    CHECK_EQ(fileno(f), d2);
    CHECK_EQ(count_open(), count);
    n = open("/dev/null", O_RDONLY);
    CHECK_EQ(n, lowest);
    CHECK_EQ(close(n), 0);

    CHECK_EQ(fclose(f), 0);
    return 0;
}
