/* t_proc_exec_cloexec - objection 2 of the 2017 thread: execve closing a
 * close-on-exec descriptor.
 *
 * A child takes a read lease on a (FD_CLOEXEC) with a non-cloexec alias d,
 * and execs t_proc_image (argv[1]) through the exec function named by
 * argv[2]; LD_PRELOAD comes with the inherited environment.  The new image
 * installs a handler, says ready, and has the lease broken by a writer here:
 * the break must arrive in the new image with si_fd == d, naming the leased
 * file (t_proc_image "handler" checks it and answers the break).  Without
 * the shim it carries a, which exec closed. */
#include "lstest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Wait up to MS for 'R' on FD: 1 if it came, 0 on EOF or timeout. */
/* Exit code of PID, 128+signal if killed, or -1 after MS (PID is then killed). */
/* Run IMAGE with ARGV (argv[0..5], NULL-terminated) through the exec
 * function named HOW; returns only if it failed. */
static void exec_by(const char *how, const char *image, char *const argv[])
{
    if (strcmp(how, "execve") == 0)
        execve(image, argv, environ);
    else if (strcmp(how, "execv") == 0)
        execv(image, argv);
    else if (strcmp(how, "execvp") == 0)
        execvp(image, argv);
    else if (strcmp(how, "execvpe") == 0)
        execvpe(image, argv, environ);
    else if (strcmp(how, "execl") == 0)
        execl(image, argv[0], argv[1], argv[2], argv[3], argv[4], (char *)NULL);
    else if (strcmp(how, "execle") == 0)
        execle(image, argv[0], argv[1], argv[2], argv[3], argv[4], (char *)NULL, environ);
    else if (strcmp(how, "execlp") == 0)
        execlp(image, argv[0], argv[1], argv[2], argv[3], argv[4], (char *)NULL);
    else if (strcmp(how, "execveat") == 0)
        execveat(AT_FDCWD, image, argv, environ, 0);
    else if (strcmp(how, "fexecve") == 0) {
        int fd = open(image, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            fexecve(fd, argv, environ);
    }
}

int main(int argc, char **argv)
{
    CHECK(argc == 3);
    const char *image = argv[1], *how = argv[2];
    lst_stdio_guard();
    const char *data = lst_path("data");
    close(lst_open(data, O_RDONLY));
    int rdy[2];
    CHECK(pipe(rdy) == 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(rdy[0]);
        lst_record(lst_sig()); /* the old image has its handler; exec resets it */
        int a = open(data, O_RDONLY | O_CLOEXEC);
        CHECK(a >= 0);
        lst_lease(a, F_RDLCK);
        int d = dup(a);
        CHECK(d >= 0);
        CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
        CHECK_EQ(fcntl(d, F_GETFD), 0);
        char rbuf[16], dbuf[16];
        snprintf(rbuf, sizeof rbuf, "%d", rdy[1]);
        snprintf(dbuf, sizeof dbuf, "%d", d);
        fprintf(stderr, "lease on fd %d (close-on-exec), alias fd %d; %s\n", a, d, how);
        char *const args[] = {"t_proc_image", "handler", rbuf, dbuf, (char *)data, NULL};
        exec_by(how, image, args);
        fprintf(stderr, "%s: %s\n", how, strerror(errno));
        _exit(126);
    }
    close(rdy[1]);
    int ok = lst_wait_ready(rdy[0], 3000);
    if (!ok) {
        fprintf(stderr, "new image never got ready: status %d\n", lst_wait_child(pid, 1000));
        return 1;
    }
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK_EQ(lst_wait_child(pid, 4000), 0); /* the image saw si_fd == d and answered */
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
