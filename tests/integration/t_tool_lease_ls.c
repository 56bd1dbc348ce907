/* tools/lease-ls on a real lease with a blocked writer.
 *
 * Takes a read lease (plus a dup of its fd), checks lease-ls shows it
 * ACTIVE READ with both fds and the path; starts a child blocked in
 * open(O_WRONLY), waits until lease-ls shows the lease BREAKING, then checks
 * `lease-ls --pid <self>` and `lease-ls` name our pid, both fds, the path,
 * BREAKING, and the blocked writer (pid, its openat, and that it waits for
 * our lease); releases the lease and checks the writer gets through and the
 * lease is gone from lease-ls.  Also the exit statuses: 0, 1 for a pid that
 * does not exist, 2 for bad usage.  argv[1] is the lease-ls script.
 * Works with or without the shim. */
#include "lstest.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tool;

/* Run lease-ls ARGS; its stdout into BUF; returns its exit status. */
static int run(const char *args, char *buf, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", tool, args);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t n = fread(buf, 1, size - 1, p);
    buf[n] = '\0';
    int st = pclose(p);
    CHECK(st != -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The line of OUT containing both A and B (B may be NULL), copied to LINE; 1 if found. */
static int find_line(const char *out, const char *a, const char *b, char *line, size_t size)
{
    const char *s = out;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len < size) {
            memcpy(line, s, len);
            line[len] = '\0';
            if (strstr(line, a) && (!b || strstr(line, b)))
                return 1;
        }
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

/* Does the comma-separated FDS field that follows "PID (comm)" in LINE list FD? */
static int line_has_fd(const char *line, pid_t pid, int fd)
{
    char key[32];
    snprintf(key, sizeof key, " %d (", (int)pid);
    const char *p = strstr(line, key);
    if (!p)
        return 0;
    p = strchr(p + strlen(key), ')');
    if (!p)
        return 0;
    p++;
    while (*p == ' ')
        p++;
    char fds[256];
    size_t n = strcspn(p, " ");
    if (n >= sizeof fds - 2)
        return 0;
    fds[0] = ',';
    memcpy(fds + 1, p, n);
    fds[n + 1] = ',';
    fds[n + 2] = '\0';
    char want[32];
    snprintf(want, sizeof want, ",%d,", fd);
    return strstr(fds, want) != NULL;
}

static void check_breaking(const char *out, const char *path, pid_t self, pid_t writer,
                           int fd, int d)
{
    char line[2048], key[64], key2[64];
    printf("%s", out);
    snprintf(key, sizeof key, " %d (", (int)self);
    CHECK(find_line(out, path, key, line, sizeof line)); /* lease line: path + holder */
    CHECK(strstr(line, "LEASE") != NULL);
    CHECK(strstr(line, "BREAKING") != NULL);
    CHECK(strstr(line, "->UNLCK") != NULL); /* a read lease is broken to UNLCK */
    CHECK(line_has_fd(line, self, fd));
    CHECK(line_has_fd(line, self, d));
    /* the blocked writer: its pid, its call, the lease it waits for and our pid */
    snprintf(key, sizeof key, "%d  ", (int)writer);
    snprintf(key2, sizeof key2, "held by %d (", (int)self);
    CHECK(find_line(out, key, key2, line, sizeof line));
    CHECK(strncmp(line + strspn(line, " "), key, strlen(key)) == 0);
    CHECK(strstr(line, "O_WRONLY") != NULL);
    CHECK(strstr(line, path) != NULL);
    CHECK(strstr(line, "BREAKING") != NULL);
    CHECK(strstr(out, "BLOCKED waiting for a lease break") != NULL);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    tool = argv[1];
    lst_stdio_guard();
    static char out[1 << 16];
    char args[128], line[2048], key[64];
    pid_t self = getpid();

    CHECK_EQ(run("--help", out, sizeof out), 0);
    CHECK(strstr(out, "usage: lease-ls") != NULL);
    CHECK_EQ(run("--bogus", out, sizeof out), 2);
    CHECK_EQ(run("--pid", out, sizeof out), 2);
    CHECK_EQ(run("--pid abc", out, sizeof out), 2);
    pid_t gone = fork();
    CHECK(gone >= 0);
    if (gone == 0)
        _exit(0);
    CHECK_EQ(lst_wait_child(gone, 5000), 0);
    snprintf(args, sizeof args, "--pid %d", (int)gone);
    CHECK_EQ(run(args, out, sizeof out), 1);

    const char *path = lst_path("leased");
    lst_record(lst_sig()); /* records the break, never answers it */
    int fd = lst_open(path, O_RDONLY);
    lst_lease(fd, F_RDLCK);
    int d = dup(fd);
    CHECK(d >= 0);

    /* ACTIVE read lease, both fds, the path */
    snprintf(args, sizeof args, "--pid %d", (int)self);
    CHECK_EQ(run(args, out, sizeof out), 0);
    printf("%s", out);
    snprintf(key, sizeof key, " %d (", (int)self);
    CHECK(find_line(out, path, key, line, sizeof line));
    CHECK(strstr(line, " READ ") != NULL);
    CHECK(strstr(line, "ACTIVE") != NULL);
    CHECK(line_has_fd(line, self, fd));
    CHECK(line_has_fd(line, self, d));
    CHECK(strstr(out, "BLOCKED: none") != NULL);

    pid_t writer = fork();
    CHECK(writer >= 0);
    if (writer == 0) {
        alarm(30 * lst_slow()); /* under load the checks take >10 s; the kernel revokes at lease-break-time (45 s) */
        int w = open(path, O_WRONLY);
        _exit(w >= 0 ? 0 : 1);
    }
    CHECK(lst_wait(1, 5000) >= 1); /* the break was announced to us */

    /* wait until lease-ls sees the writer blocked on our lease */
    char wkey[32];
    snprintf(wkey, sizeof wkey, "%d  ", (int)writer);
    int seen = 0;
    for (int i = 0; i < 50 && !seen; i++) {
        CHECK_EQ(run(args, out, sizeof out), 0);
        seen = strstr(out, "BREAKING") && find_line(out, wkey, "O_WRONLY", line, sizeof line);
        if (!seen)
            usleep(100 * 1000);
    }
    CHECK(seen);

    CHECK_EQ(run(args, out, sizeof out), 0); /* lease-ls --pid <self> */
    check_breaking(out, path, self, writer, fd, d);
    CHECK_EQ(run("", out, sizeof out), 0); /* lease-ls: everything */
    check_breaking(out, path, self, writer, fd, d);
    /* the writer's own --pid view shows it blocked, and on our lease */
    snprintf(args, sizeof args, "--pid %d", (int)writer);
    CHECK_EQ(run(args, out, sizeof out), 0);
    check_breaking(out, path, self, writer, fd, d);

    CHECK(kill(writer, 0) == 0); /* still blocked */
    CHECK_EQ(fcntl(fd, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_wait_child(writer, 5000), 0);

    snprintf(args, sizeof args, "--pid %d", (int)self);
    CHECK_EQ(run(args, out, sizeof out), 0);
    printf("%s", out);
    CHECK(strstr(out, path) == NULL);
    CHECK(strstr(out, "LEASES: none") != NULL);
    CHECK(strstr(out, "BLOCKED: none") != NULL);
    close(d);
    close(fd);
    return 0;
}
