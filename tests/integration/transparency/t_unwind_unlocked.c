/* t_unwind_unlocked - no foreign code under the lock (issue #12 item 8).
 * With backtraces and statistics on, every violation is unwound with
 * libunwind, whose symbol lookup opens and closes files through the
 * exported open()/close() - the shim's own close wrapper.  Here the lowest
 * free number still has a table entry (a leased descriptor closed behind
 * the shim's back with an inline system call, its alias alive), so the
 * file libunwind opens gets that number and its close goes through the
 * shim's tracked path.  Releasing another lease must then neither deadlock
 * (an alarm turns a hang into a failure) nor disturb anything: the release
 * happened, the alias keeps its lease, and libunwind's file was closed. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
#ifndef __x86_64__
    fprintf(stderr, "inline close is built for x86_64 only: skipped\n");
    return 77;
#else
    alarm(20 * lst_slow());
    const char *data, *other;
    int n = lst_leased_data(&data, &other);
    int dn = dup(n);
    CHECK(dn > n);
    int e = lst_open(other, O_RDONLY);
    lst_lease(e, F_RDLCK);
    CHECK_EQ(lst_raw_close(n), 0); /* behind the shim's back: its entry stays */

    CHECK_EQ(close(e), 0); /* released: logged with a backtrace, recorded as a site */
    CHECK_EQ(lst_leases_on(other), 0);
    CHECK_EQ(lst_fdinfo_leases(dn), 1);
    int again = open(other, O_RDONLY);
    CHECK_EQ(again, n); /* nothing of libunwind's is left open */
    CHECK_EQ(close(again), 0);
    CHECK_EQ(fcntl(dn, F_SETLEASE, F_UNLCK), 0);
    return 0;
#endif
}
