/* t_behind_back_reused_closed - SPEC §8, continued from t_behind_back_close:
 * the notify fd a is closed behind the shim's back (inline syscall), its
 * number reused by open(other), and then the app closes that 'other'
 * descriptor.  The shim must see that a no longer names the registration and
 * forget only a: the genuine alias d stays tracked.  So when the app then
 * closes d, the last descriptor of data here (a forked child keeps the open
 * file description), R2 releases the lease: no lease left, a writer gets
 * through. */
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
    CHECK_EQ(close(o), 0); /* the app closes its 'other' */
    CHECK(lst_fd_names(d, data));
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */

    CHECK_EQ(close(d), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(lst_break(data, 0), 0);

    close(release);
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    return 0;
}
