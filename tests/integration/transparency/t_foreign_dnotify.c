/* t_foreign_dnotify - a notification the shim did not register is the
 * application's (issue #12 item 1): dnotify (F_NOTIFY) on a directory, with
 * the same signal as a lease the shim tracks, so the trampoline judges it.
 * argv[1] "fresh": the directory's descriptor never carried a registration;
 * "reused": its number last carried a lease the shim released when it was
 * closed (a grave), then the directory was opened under that number.
 * Every event must reach the handler with si_fd naming the directory, as
 * without the shim.  Default settings. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int reused = strcmp(argv[1], "reused") == 0;
    CHECK(reused || strcmp(argv[1], "fresh") == 0);
    const char *data, *other;
    int a = lst_leased_data(&data, &other); /* the signal is judged by the shim */
    const char *dir = lst_path("watched");
    CHECK(mkdir(dir, 0755) == 0);

    int want = -1;
    if (reused) {
        int x = lst_open(other, O_RDONLY);
        lst_lease(x, F_RDLCK);
        CHECK_EQ(close(x), 0); /* released: the number's grave names OTHER */
        CHECK_EQ(lst_leases_on(other), 0);
        want = x;
    }
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(d >= 0);
    if (reused)
        CHECK_EQ(d, want);
    CHECK_EQ(fcntl(d, F_SETSIG, lst_sig()), 0);
    CHECK_EQ(fcntl(d, F_NOTIFY, DN_CREATE | DN_MULTISHOT), 0);

    for (int i = 0; i < 3; i++) {
        pid_t p = fork();
        CHECK(p >= 0);
        if (p == 0) {
            char name[64];
            snprintf(name, sizeof name, "%s/f%d", dir, i);
            int f = open(name, O_CREAT | O_WRONLY, 0644);
            _exit(f >= 0 ? 0 : 1);
        }
        int st;
        CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(lst_wait(i + 1, 2000) >= i + 1);
    }
    lst_wait(4, 100);
    CHECK_EQ(lst_count(), 3);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(lst_fd_at(i), d);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
