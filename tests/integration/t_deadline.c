/* The optional break deadline (SPEC §4): a lease whose break the application
 * never answers is released by the shim after LEASE_SHIM_BREAK_DEADLINE ms,
 * so a blocked writer gets through long before lease-break-time (45 s). */
#include "lstest.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the announcement and the writer may take: the deadline is
 * 300 ms, the kernel's lease-break-time 45 s; the slack is for loaded CI
 * machines. */
#define ANNOUNCE_MS 4000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print FILE's lines that start with one of PREFIXES (NULL-terminated). */
static void print_lines(const char *file, const char *const *prefixes)
{
    char line[512];
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "  %s: cannot read\n", file);
        return;
    }
    while (fgets(line, sizeof line, f))
        for (const char *const *p = prefixes; *p; p++)
            if (strncmp(line, *p, strlen(*p)) == 0)
                fprintf(stderr, "  %s: %s%s", file, line, strchr(line, '\n') ? "" : "\n");
    fclose(f);
}

/* No announcement came: say where the writer and the signal are, then fail. */
static void report_silence(pid_t writer, const char *data, int fd)
{
    char file[64];
    static const char *const sig_lines[] = {"SigPnd", "ShdPnd", "SigBlk", "SigCgt", NULL};
    static const char *const state[] = {"State", NULL};
    static const char *const all[] = {"", NULL};
    fprintf(stderr, "no break announced in %d ms: lease %d on fd %d, %d lease(s) on the file\n",
                ANNOUNCE_MS * lst_slow(), fcntl(fd, F_GETLEASE), fd, lst_leases_on(data));
    print_lines("/proc/self/status", sig_lines);
    snprintf(file, sizeof file, "/proc/%d/status", (int)writer);
    print_lines(file, state);
    snprintf(file, sizeof file, "/proc/%d/wchan", (int)writer);
    print_lines(file, all);
    snprintf(file, sizeof file, "/proc/%d/syscall", (int)writer);
    print_lines(file, all);
    kill(writer, SIGKILL);
    exit(1);
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
    if (lst_wait(1, ANNOUNCE_MS) < 1) /* the break was announced */
        report_silence(writer, data, fd);
    CHECK_EQ(lst_fd_at(0), fd);
    int status;
    CHECK_EQ(waitpid(writer, &status, 0), writer);
    double waited = now_s() - start;
    printf("writer got through after %.2f s\n", waited);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(waited < ANNOUNCE_MS / 1000.0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK);
    return 0;
}
