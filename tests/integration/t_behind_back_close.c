/* t_behind_back_close - SPEC §8: the notify fd a is closed behind the shim's
 * back (an inline `syscall` instruction, as Go or hand-written assembly would
 * do), its number reused by open(other), the open file description kept
 * alive by an alias d and a forked child.  Then close(d), the last descriptor
 * of data in this process: the shim must not trust its stale entry for a.
 * Expected: R2 released the lease on data (a writer gets through), and
 * 'other', now at a's number, got no lease and kept its own F_SETSIG. */
#include "lstest.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "x86_64 only: the close is an inline syscall instruction"
#endif

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);
    int release;
    pid_t holder = lst_hold_in_child(&release);

    CHECK_EQ(lst_raw_close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);
    int other_sig = SIGRTMIN + 4;
    CHECK_EQ(fcntl(o, F_SETSIG, other_sig), 0);
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */

    CHECK_EQ(close(d), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(lst_break(data, 0), 0);
    CHECK_EQ(lst_leases_on(other), 0);
    CHECK_EQ(lst_fdinfo_leases(o), 0);
    CHECK(lst_fd_names(o, other));
    CHECK_EQ(fcntl(o, F_GETSIG), other_sig);
    CHECK_EQ(fcntl(o, F_GETLEASE), F_UNLCK);

    close(release);
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    return 0;
}
