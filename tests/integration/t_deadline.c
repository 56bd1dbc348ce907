/* The optional break deadline (SPEC §4): a lease whose break the application
 * never answers is released by the shim after LEASE_SHIM_BREAK_DEADLINE ms,
 * so a blocked writer gets through long before lease-break-time (45 s). */
#include "lstest.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    const char *data = lst_path("data");
    lst_record(lst_sig()); /* a handler that records, and never answers */
    int fd = lst_open(data, O_RDONLY);
    lst_lease(fd, F_RDLCK);

    pid_t writer = fork();
    CHECK(writer >= 0);
    if (writer == 0) {
        alarm(5); /* without a deadline the kernel would hold us 45 s */
        int w = open(data, O_WRONLY);
        _exit(w >= 0 ? 0 : 1);
    }
    double start = now_s();
    CHECK(lst_wait(1, 2000) >= 1); /* the break was announced */
    CHECK_EQ(lst_fd_at(0), fd);
    int status;
    CHECK_EQ(waitpid(writer, &status, 0), writer);
    double waited = now_s() - start;
    printf("writer got through after %.2f s\n", waited);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(waited < 2.0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK);
    return 0;
}
