/* Trampoline, scenarios 4 and 5: a stale notification delivered by the
 * kernel after the fact.  With LEASE_SHIM_CLOSE=keep the lease outlives its
 * notify fd A (no alias here, a forked child keeps the open file
 * description); A is reused for another file; then the lease is broken and
 * the kernel sends si_fd == A.
 *   argv[1] "drop":    the handler must not be called (LEASE_SHIM_STALE
 *                      default); without the shim it is, with A.
 *   argv[1] "deliver": LEASE_SHIM_STALE=deliver: the handler gets exactly
 *                      what the kernel sent (si_fd == A), as without the shim. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t keeper_pid;
static int keeper_pipe[2];

static void keeper_start(void)
{
    CHECK(pipe(keeper_pipe) == 0);
    keeper_pid = fork();
    CHECK(keeper_pid >= 0);
    if (keeper_pid == 0) {
        /* gone with the parent, even when the parent fails a CHECK */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(keeper_pipe[1]);
        char c;
        while (read(keeper_pipe[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
}

static void keeper_stop(void)
{
    CHECK(write(keeper_pipe[1], "x", 1) == 1);
    CHECK(waitpid(keeper_pid, NULL, 0) == keeper_pid);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int deliver = strcmp(argv[1], "deliver") == 0;
    CHECK(deliver || strcmp(argv[1], "drop") == 0);
    const char *data = lst_path("data"), *other = lst_path("other");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    lst_record(sig);

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    keeper_start();
    CHECK(close(a) == 0);
    CHECK_EQ(lst_leases_on(data), 1); /* kept (LEASE_SHIM_CLOSE=keep) */
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK); /* the kernel notifies, naming A */
    lst_wait(1, deliver ? 2000 : 300);
    lst_wait(2, 200);
    if (deliver) {
        CHECK_EQ(lst_count(), 1);
        CHECK_EQ(lst_code_at(0), POLL_MSG);
        CHECK_EQ(lst_fd_at(0), a); /* as the kernel sent it */
        CHECK(lst_fd_names(a, other));
    } else {
        if (lst_count())
            fprintf(stderr, "handler called with si_fd %d\n", lst_fd_at(0));
        CHECK_EQ(lst_count(), 0);
    }
    sigset_t pend;
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 0);
    keeper_stop();
    return 0;
}
