/* Secure execution (SPEC §6): in an AT_SECURE process (set-uid) the shim
 * reads no setting from the environment (so takes no path from it: no log
 * file, no statistics file) and still does its work.  This program is
 * linked against the shim (a set-uid program ignores LD_PRELOAD paths) and
 * run set-uid by secure_test.sh; it reports AT_SECURE, checks a re-home and
 * provokes one warning, which must reach stderr whatever the environment
 * says about the log's destination. */
#include "lstest.h"

#include <errno.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* A sanitizer build runs this set-uid too: LeakSanitizer stops the threads
 * with ptrace, which the kernel refuses in a set-uid process (not dumpable),
 * and ASAN_OPTIONS cannot turn it off (/proc/self/environ is root's then). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

int main(void)
{
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    const char *data = lst_path("data"), *other = lst_path("other");
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);
    CHECK(close(a) == 0);
    CHECK_EQ(lst_open(other, O_RDONLY), a);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d); /* the shim re-homed the lease */
    CHECK(fcntl(d, F_SETLEASE, F_UNLCK) == 0);
    printf("re-homed: si_fd %d\n", lst_fd_at(0));
#ifdef __x86_64__
    /* provoke a warning (a tracked descriptor replaced behind the shim's
     * back), so that secure_test.sh can see where warnings go */
    int w = lst_open(lst_path("warn"), O_RDONLY);
    lst_lease(w, F_RDLCK);
    CHECK_EQ(lst_raw_close(w), 0);
    CHECK_EQ(lst_open(other, O_RDONLY), w);
    CHECK(close(w) == 0);
    printf("warning provoked\n");
#endif
    return 0;
}
