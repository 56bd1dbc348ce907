/* t_proc_handover_env - the hand-over variable is the shim's business only
 * (SPEC §5): the new image's main() sees no LEASE_SHIM_HANDOVER, neither
 * through getenv nor in environ, while the registration it carried was
 * adopted.
 *
 * A child takes a read lease on a (not close-on-exec) and execs
 * t_proc_image (argv[1]) "env" (argv[2] "once"), or "chain" which checks the
 * same and execs itself again into "env" ("twice": what the first new
 * image adopted is handed over a second time).  "env" checks the variable is
 * gone, then proves the shim tracks the inherited lease: it dups a to d,
 * closes a and reuses the number for another file; the break it then gets
 * must carry si_fd == d (without the shim: a, now another file). */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    const char *image = argv[1];
    int twice = strcmp(argv[2], "twice") == 0;
    CHECK(twice || strcmp(argv[2], "once") == 0);
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    close(lst_open(data, O_RDONLY));
    close(lst_open(other, O_RDONLY));
    int rdy[2];
    CHECK(pipe(rdy) == 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        lst_record(lst_sig());
        int a = open(data, O_RDONLY);
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        char rbuf[16], abuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(abuf, sizeof abuf, "%d", a);
        if (twice)
            execl(image, "t_proc_image", "chain", "env", rbuf, abuf, data, other, (char *)NULL);
        else
            execl(image, "t_proc_image", "env", rbuf, abuf, data, other, (char *)NULL);
        _exit(126);
    }
    close(rdy[1]);
    if (!lst_wait_ready(rdy[0], 3000)) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK_EQ(lst_wait_child(pid, 4000), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
