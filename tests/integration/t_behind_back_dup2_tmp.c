/* t_behind_back_dup2_tmp - SPEC §8 with R2: the alias d of a leased fd a is
 * closed behind the shim's back (inline syscall), leaving d's number free and
 * lowest.  Then dup2(x, a) replaces a: no descriptor of this process names
 * data any more (a forked child keeps the open file description), so R2 must
 * release the lease.  (A temporary copy the shim takes for R4 lands on d's
 * free number; it must not be taken for a surviving alias.) */
#include "lstest.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "x86_64 only: the close is an inline syscall instruction"
#endif

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int x = lst_open(other, O_RDONLY);
    int d = dup(a);
    CHECK(d > x && x > a);
    int release;
    pid_t holder = lst_hold_in_child(&release); /* its pipe leaves a hole above d */

    CHECK_EQ(lst_raw_close(d), 0); /* behind the shim's back; d is the lowest free number */
    CHECK_EQ(dup2(x, a), a);
    CHECK(lst_fd_names(a, other));
    CHECK_EQ(fcntl(d, F_GETFD), -1); /* nothing of ours names data */

    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(lst_break(data, 0), 0);

    close(release);
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    return 0;
}
