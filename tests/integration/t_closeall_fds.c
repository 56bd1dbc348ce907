/* t_closeall_fds - SPEC §6, the shim's own descriptors, when the application
 * closes everything (argv: METHOD VARIANT, see closeall_common.h).
 *
 * Before: a lease re-homed (close of the notify fd, a dup survives) and an
 * O_ASYNC registration, so that with VARIANT "own" the shim has logged,
 * unwound the stack and recorded a call site before anything is closed.
 * Then everything is closed, and the application opens files, a pipe with
 * data in it, a write-only file and a socket pair with data in it, each of
 * which must get exactly the lowest free number.  Then the shim works again
 * with them open: a lease re-homed, broken by a second process, released;
 * O_ASYNC switched off by a close.  Throughout, ca_check() holds: the
 * process has exactly the descriptors the program opened (none of the
 * shim's stays open between calls, close-on-exec or not), each naming the
 * same file with the same flags and offset.  At the end every byte the
 * program put in its files, pipe and socket is still there and nothing else
 * is; once the process has exited (statistics written) the files are still
 * intact.  With VARIANT "own" the shim's log must hold the lines for what
 * happened after the close-everything, each line whole, and its statistics
 * document must be complete: the shim's outputs survive the application
 * closing everything and land in the shim's files only.
 *
 * Without the shim, VARIANT "plain" passes as well: nothing else holds or
 * writes descriptors, so this is a pure "nothing broke" test and has no
 * .noshim twin.  VARIANT "own" has one: without the shim there is no log
 * and no statistics document. */
#include "closeall_common.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The numbers the application gets after closing everything (ca_open and
 * friends check them): 0-2 stdio, then these. */
enum { F1 = 3, PIPE_R = 4, PIPE_W = 5, F2 = 6, F3 = 7, SOCK_A = 8, SOCK_B = 9, B = 10, E = 11 };

static const char f1_text[] = "0123456789", f2_text[] = "x\n", f3_text[] = "read-only\n";

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    CHECK_EQ(close(fd), 0);
}

static int scenario(enum ca_method m, const char *dir)
{
    const char *data = ca_file(dir, "data"), *data2 = ca_file(dir, "data2");
    lst_record(lst_sig());
    write_file(ca_file(dir, "f3"), f3_text);

    /* the shim at work before: a re-home, and registrations left open */
    int a = ca_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    ca_track(a); /* a lease sets FASYNC in the status flags */
    int d = ca_dup(a);
    ca_close(a);
    ca_check("after a re-home");
    int p[2];
    ca_pipe(p, O_NONBLOCK);
    ca_async_on(p[0]);
    ca_check("registered");
    CHECK_EQ(lst_fdinfo_leases(d), 1);

    ca_close_everything(m);
    ca_check("after closing everything");
    int n0 = lst_count(); /* a close loop's POLL_HUP for the pipe: see t_closeall_rehome */

    /* the application's new descriptors, with something in each */
    CHECK_EQ(ca_open(ca_file(dir, "f1"), O_RDWR | O_TRUNC), F1);
    CHECK_EQ(write(F1, f1_text, 10), 10);
    CHECK_EQ(lseek(F1, 4, SEEK_SET), 4);
    ca_track(F1);
    int pp[2];
    ca_pipe(pp, O_NONBLOCK);
    CHECK_EQ(pp[0], PIPE_R);
    CHECK_EQ(write(PIPE_W, "abc", 3), 3);
    CHECK_EQ(ca_open(ca_file(dir, "f2"), O_WRONLY | O_APPEND | O_TRUNC | O_CLOEXEC), F2);
    CHECK_EQ(write(F2, f2_text, 2), 2);
    ca_track(F2);
    CHECK_EQ(ca_open(ca_file(dir, "f3"), O_RDONLY), F3);
    CHECK_EQ(lseek(F3, 3, SEEK_SET), 3);
    ca_track(F3);
    int s[2];
    ca_socketpair(s);
    CHECK_EQ(s[0], SOCK_A);
    CHECK_EQ(fcntl(SOCK_B, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(send(SOCK_B, "hi", 2, 0), 2);
    ca_track(SOCK_B);
    ca_check("the application's descriptors open");

    /* the shim at work again: re-home, break, release, O_ASYNC off */
    CHECK_EQ(ca_open(data2, O_RDONLY), B);
    lst_lease(B, F_RDLCK);
    ca_track(B); /* a lease sets FASYNC in the status flags */
    CHECK_EQ(ca_dup(B), E);
    ca_close(B);
    ca_check("after a re-home");
    CHECK_EQ(lst_break(data2, 0), EWOULDBLOCK);
    CHECK(lst_wait(n0 + 1, 2000) >= n0 + 1);
    ca_close(E);
    CHECK_EQ(lst_leases_on(data2), 0);
    ca_check("after a release");
    int r[2];
    ca_pipe(r, O_NONBLOCK);
    ca_async_on(r[0]);
    ca_close(r[0]);
    ca_close(r[1]);
    ca_check("after O_ASYNC was switched off");

    /* every byte the program put in is there, and nothing else */
    char buf[64];
    CHECK_EQ(pread(F1, buf, sizeof buf, 0), 10);
    CHECK(memcmp(buf, f1_text, 10) == 0);
    CHECK_EQ(pread(F3, buf, sizeof buf, 0), (long long)strlen(f3_text));
    CHECK(memcmp(buf, f3_text, strlen(f3_text)) == 0);
    struct stat st;
    CHECK(fstat(F2, &st) == 0);
    CHECK_EQ(st.st_size, 2);
    CHECK_EQ(read(PIPE_R, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_EQ(read(PIPE_R, buf, sizeof buf), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(recv(SOCK_A, buf, sizeof buf, MSG_DONTWAIT), 2);
    CHECK(memcmp(buf, "hi", 2) == 0);
    CHECK_EQ(recv(SOCK_A, buf, sizeof buf, MSG_DONTWAIT), -1);
    CHECK_EQ(errno, EAGAIN);
    ca_check("at the end");
    return 0; /* exit(): the shim writes its statistics now */
}

/* WHAT must occur in TEXT, the shim's file NAME. */
static void expect_in(const char *name, const char *text, const char *what)
{
    if (!strstr(text, what)) {
        fprintf(stderr, "the shim's %s lacks \"%s\"; it has:\n%s", name, what, text);
        exit(1);
    }
}

static void after(pid_t pid, const char *dir)
{
    char buf[1 << 16], name[64], line[512];
    CHECK_EQ(ca_slurp(ca_file(dir, "f1"), buf, sizeof buf), 10);
    CHECK(strcmp(buf, f1_text) == 0);
    CHECK_EQ(ca_slurp(ca_file(dir, "f2"), buf, sizeof buf), 2);
    CHECK(strcmp(buf, f2_text) == 0);
    CHECK(strcmp((ca_slurp(ca_file(dir, "f3"), buf, sizeof buf), buf), f3_text) == 0);
    if (!ca_own())
        return;

    /* the log: the events after the close-everything, every line whole */
    const char *data2 = ca_file(dir, "data2");
    snprintf(name, sizeof name, "shim.log.%d", (int)pid);
    CHECK(ca_slurp(ca_file(dir, name), buf, sizeof buf) > 0);
    snprintf(line, sizeof line, "] info: fd %d (%s) went away with a live read lease; "
             "notifications now name fd %d\n", B, data2, E);
    expect_in("log", buf, line);
    snprintf(line, sizeof line, "] info: fd %d (%s) went away with a live ", E, data2);
    expect_in("log", buf, line);
    snprintf(line, sizeof line, "] info: fd %d (pipe:[", B); /* r[0] took the number B had */
    expect_in("log", buf, line);
    expect_in("log", buf, "went away with O_ASYNC on and no alias; switched it off\n");
    expect_in("log", buf, "  #0 ");
    for (const char *l = buf; *l; l = strchr(l, '\n') + 1) {
        CHECK(strchr(l, '\n') != NULL);
        snprintf(line, sizeof line, "lease-shim[%d/", (int)pid);
        if (strncmp(l, line, strlen(line)) != 0 && strncmp(l, "  #", 3) != 0) {
            fprintf(stderr, "not a line of the shim's log: %.*s\n", (int)strcspn(l, "\n"), l);
            exit(1);
        }
    }

    /* the statistics document, written at exit, complete */
    snprintf(name, sizeof name, "shim.stats.%d", (int)pid);
    size_t n = ca_slurp(ca_file(dir, name), buf, sizeof buf);
    snprintf(line, sizeof line, "{\"pid\": %d, ", (int)pid);
    CHECK(strncmp(buf, line, strlen(line)) == 0);
    CHECK(n > 3 && strcmp(buf + n - 3, "]}\n") == 0);
    /* a, p[0], B, r[0]; a and B re-homed; d and p[0] (by the close-everything),
     * E and r[0] released */
    expect_in("statistics", buf, "\"registered\": 4, \"rehomed\": 2, \"released\": 4,");
    /* the call site of the releases while closing everything: the stack was
     * unwound, in the application's frames */
    expect_in("statistics", buf, "{\"event\": \"released\", \"count\": 2, \"frames\": "
                                 "[\"ca_close_everything+");
    expect_in("statistics", buf, "\"closed_behind_back\": 0,");
    expect_in("statistics", buf, "\"degraded\": 0,");
}

int main(int argc, char **argv)
{
    return ca_main(argc, argv, scenario, after);
}
