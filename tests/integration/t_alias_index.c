/* t_alias_index MODE - R1 finds every alias, however many descriptors are
 * open and however the alias was made, without a scan per registration
 * (issue #13).  The process holds FILLERS descriptors of other files (far
 * over the old scan's cap of 1,024); an alias of the data file is made by
 * MODE; the data file is leased through another number, that number is
 * closed, and it is reused for another file.  A lease break must then carry
 * the alias in si_fd (without the shim: the reused number).
 *
 *   before    the alias is dup()ed before the process's first registration
 *             (found by the one inventory that switches the index on)
 *   after     ...after it (another lease switched the index on first)
 *   dupfd     F_DUPFD to a number above every filler, after the first registration
 *   dup2      dup2 onto a high number, after it
 *   syscall   syscall(SYS_dup), after it
 *   scm       received over SCM_RIGHTS from itself, after it
 *   scm_reg   the lease is taken on the received number, the original is the alias
 *   fork      made in the parent, leased and closed in a fork child, which
 *             receives the break
 *   exec      made and leased before an exec of this program, which adopts
 *             the lease (LEASE_SHIM_HANDOVER) and closes the leased number
 */
#include "lstest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILLERS 3000

/* Send FD over a socketpair to this very process; the number it arrives as. */
static int pass_to_self(int fd)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    char byte = 'x', cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    CHECK(sendmsg(sv[0], &m, 0) == 1);
    memset(cbuf, 0, sizeof cbuf);
    m.msg_controllen = sizeof cbuf;
    CHECK(recvmsg(sv[1], &m, 0) == 1);
    c = CMSG_FIRSTHDR(&m);
    CHECK(c && c->cmsg_type == SCM_RIGHTS);
    int got;
    memcpy(&got, CMSG_DATA(c), sizeof got);
    close(sv[0]);
    close(sv[1]);
    return got;
}

/* Close the leased number LEASED, reuse it for OTHER, break the lease:
 * the break must name ALIAS.  0 when it did. */
static int close_and_break(int leased, int alias, const char *data, const char *other)
{
    CHECK(lst_same_ofd(leased, alias));
    CHECK_EQ(close(leased), 0);
    int o = open(other, O_RDONLY);
    if (o != leased) { /* a lower number was free: reuse LEASED all the same */
        CHECK_EQ(dup2(o, leased), leased);
        CHECK_EQ(close(o), 0);
    }
    CHECK_EQ(lst_fdinfo_leases(alias), 1); /* the lease lives on, on the alias */
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000 * lst_slow()) >= 1);
    CHECK_EQ(lst_fd_at(0), alias);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(fcntl(alias, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}

struct fork_arg {
    int a, d;
    const char *data, *other;
};

static int in_child(void *p)
{
    struct fork_arg *f = p;
    lst_lease(f->a, F_RDLCK);
    return close_and_break(f->a, f->d, f->data, f->other);
}

/* The exec'd image: A (leased, handed over) and its alias D were inherited. */
static int after_exec(char **argv)
{
    int a = atoi(argv[2]), d = atoi(argv[3]);
    lst_stdio_guard();
    lst_record(lst_sig());
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    int r = close_and_break(a, d, argv[4], argv[5]);
    /* the image that made the test's directory is gone: remove it here */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", argv[4]);
    *strrchr(dir, '/') = 0;
    const char *names[] = {"data", "other", "first", "filler"};
    for (int i = 0; i < 4; i++) {
        char f[4200];
        snprintf(f, sizeof f, "%s/%s", dir, names[i]);
        unlink(f);
    }
    CHECK_EQ(rmdir(dir), 0);
    return r;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "after-exec"))
        return after_exec(argv);
    CHECK(argc == 2);
    const char *mode = argv[1];
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_cur < FILLERS + 256) {
        rl.rlim_cur = rl.rlim_max < FILLERS + 256 ? rl.rlim_max : FILLERS + 256;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    }
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    const char *first = lst_path("first"), *filler = lst_path("filler");
    close(lst_open(other, O_RDONLY));
    close(lst_open(filler, O_RDONLY));
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY), d = -1;
    /* a leasing server's descriptors: each file opened on its own */
    for (int i = 0; i < FILLERS; i++)
        CHECK(open(filler, O_RDONLY) >= 0);
    if (!strcmp(mode, "before"))
        d = dup(a);
    else {
        /* the process's first registration, on another file */
        int f = lst_open(first, O_RDONLY);
        lst_lease(f, F_RDLCK);
    }
    if (!strcmp(mode, "after"))
        d = dup(a);
    else if (!strcmp(mode, "dupfd"))
        d = fcntl(a, F_DUPFD, FILLERS + 100);
    else if (!strcmp(mode, "dup2"))
        d = dup2(a, FILLERS + 120);
    else if (!strcmp(mode, "syscall"))
        d = (int)syscall(SYS_dup, a);
    else if (!strcmp(mode, "scm") || !strcmp(mode, "scm_reg"))
        d = pass_to_self(a);
    CHECK(d > 1024 || !strcmp(mode, "fork") || !strcmp(mode, "exec"));
    if (!strcmp(mode, "exec")) {
        d = dup(a);
        lst_lease(a, F_RDLCK);
        char as[16], ds[16];
        snprintf(as, sizeof as, "%d", a);
        snprintf(ds, sizeof ds, "%d", d);
        /* the paths stay: this image's exit would remove the directory */
        execl(lst_self_exe(), lst_self_exe(), "after-exec", as, ds, data, other, (char *)NULL);
        CHECK(!"execl failed");
    }
    if (!strcmp(mode, "fork")) {
        d = dup(a);
        struct fork_arg f = {a, d, data, other};
        CHECK_EQ(lst_in_child(in_child, &f), 0);
        return 0;
    }
    CHECK(d >= 0);
    if (!strcmp(mode, "scm_reg")) {
        int t = a;
        a = d;
        d = t;
    }
    lst_lease(a, F_RDLCK);
    return close_and_break(a, d, data, other);
}
