/* t_freopen_stream - R1 through freopen() of an fdopen()ed stream on the
 * notify fd onto another path: glibc keeps the stream's descriptor number,
 * which now names the other file, while a dup() alias keeps the leased file;
 * the break names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);
    FILE *f = fdopen(a, "r");
    CHECK(f != NULL);

    errno = 0;
    FILE *g = freopen(other, "r", f);
    CHECK(g == f);
    CHECK_EQ(errno, 0);
    CHECK_EQ(fileno(f), a); /* the original number is reused */
    CHECK(lst_fd_names(a, other));
    CHECK_EQ(lst_fdinfo_leases(a), 0);
    CHECK_EQ(lst_fdinfo_leases(d), 1);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(fclose(f), 0);
    return 0;
}
