/* t_foreign_inherited - a registration inherited from an image that did not
 * run the shim (here: the shim disabled with LEASE_SHIM=0, so nothing is
 * handed over across exec) is the application's: its lease breaks reach
 * the new image's handler as the kernel sends them (issue #12 item 1),
 * while the same signal also carries a lease the new image registers
 * through the shim.  Default settings in the new image. */
#include "lstest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc == 1) {
        /* the first image: the shim is loaded but disabled */
        CHECK(setenv("LEASE_SHIM", "0", 1) == 0);
        execl(lst_self_exe(), argv[0], "old", (char *)NULL);
        CHECK(!"exec");
    }
    if (strcmp(argv[1], "old") == 0) {
        lst_stdio_guard();
        const char *data = lst_path("data");
        int a = lst_open(data, O_RDONLY);
        lst_lease(a, F_RDLCK); /* not tracked: LEASE_SHIM=0 */
        char num[16], dir[512];
        snprintf(num, sizeof num, "%d", a);
        snprintf(dir, sizeof dir, "%s", data);
        CHECK(setenv("LEASE_SHIM", "1", 1) == 0);
        /* the signal stays blocked until the new image has its handler */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, lst_sig());
        CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
        execl(lst_self_exe(), argv[0], "new", num, dir, (char *)NULL);
        CHECK(!"exec");
    }
    CHECK(argc == 4 && strcmp(argv[1], "new") == 0);
    int a = atoi(argv[2]);
    const char *data = argv[3];
    lst_record(lst_sig());
    const char *mine = lst_path("mine");
    int m = lst_open(mine, O_RDONLY);
    lst_lease(m, F_RDLCK); /* tracked: the trampoline judges the signal */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, lst_sig());
    CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);

    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0); /* answered: writers go on */
    CHECK_EQ(lst_fdinfo_leases(a), 0);
    CHECK_EQ(fcntl(m, F_SETLEASE, F_UNLCK), 0);
    unlink(data);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", data);
    *strrchr(dir, '/') = '\0';
    rmdir(dir); /* the first image's test directory */
    return 0;
}
