/* early_lib.c - a library whose constructor uses leases before the shim's
 * constructor has run (the dynamic linker initialises the program's own
 * dependencies before preloaded objects).  It records what it saw for the
 * program's main() to check. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int early_result = -1; /* 0 ok, 1 wrong si_fd, 2 no notification */

__attribute__((constructor)) static void early_ctor(void)
{
    const char *data = lst_path("early-data"), *other = lst_path("early-other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());
    int fd = lst_open(data, O_RDONLY);
    lst_lease(fd, F_RDLCK);
    int keep = dup(fd);
    close(fd);
    int reused = lst_open(other, O_RDONLY);
    CHECK_EQ(reused, fd);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    if (lst_wait(1, 2000) < 1) {
        early_result = 2;
        return;
    }
    early_result = lst_fd_at(0) == keep && lst_fd_names(keep, data) ? 0 : 1;
    fcntl(keep, F_SETLEASE, F_UNLCK);
}
