/* closeall_common.c - see closeall_common.h. */
#include "closeall_common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int own;

int ca_own(void)
{
    return own;
}

const char *ca_file(const char *dir, const char *name)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *p = bufs[next++ % 8];
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

/* ---- the model of the program's own descriptors ----------------------- */

static struct entry {
    int open;
    dev_t dev;
    ino_t ino;
    int fd_flags, fl_flags;
    off_t off; /* -1 where the file has no offset (pipes, sockets) */
} model[CA_LIMIT];

void ca_track(int fd)
{
    CHECK(fd >= 0 && fd < CA_LIMIT);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    struct entry *e = &model[fd];
    e->open = 1;
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->fd_flags = fcntl(fd, F_GETFD);
    e->fl_flags = fcntl(fd, F_GETFL);
    e->off = lseek(fd, 0, SEEK_CUR);
    CHECK(e->fd_flags >= 0 && e->fl_flags >= 0);
}

void ca_async_on(int fd)
{
    CHECK_EQ(fcntl(fd, F_SETSIG, lst_sig()), 0);
    CHECK_EQ(fcntl(fd, F_SETOWN, getpid()), 0);
    CHECK_EQ(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC), 0);
    ca_track(fd);
}

void ca_register_two(const char *path, int *lease, int p[2])
{
    *lease = ca_open(path, O_RDONLY);
    lst_lease(*lease, F_RDLCK);
    ca_track(*lease); /* a lease sets FASYNC in the status flags */
    ca_dup(*lease);
    ca_pipe(p, O_NONBLOCK);
    ca_async_on(p[0]);
    ca_dup(p[0]);
    ca_check("registered");
}

void ca_forget(int fd)
{
    CHECK(fd >= 0 && fd < CA_LIMIT);
    model[fd].open = 0;
}

int ca_lowest(void)
{
    int fd = 0;
    while (fd < CA_LIMIT && model[fd].open)
        fd++;
    return fd;
}

int ca_open(const char *path, int flags)
{
    int want = ca_lowest();
    int fd = open(path, flags | O_CREAT, 0644);
    CHECK_EQ(fd, want);
    ca_track(fd);
    return fd;
}

void ca_pipe(int p[2], int flags)
{
    int want = ca_lowest();
    CHECK(pipe2(p, flags) == 0);
    CHECK_EQ(p[0], want);
    model[p[0]].open = 1; /* so that the next lowest is computed past it */
    CHECK_EQ(p[1], ca_lowest());
    ca_track(p[0]);
    ca_track(p[1]);
}

int ca_dup(int fd)
{
    int want = ca_lowest();
    int d = dup(fd);
    CHECK_EQ(d, want);
    ca_track(d);
    return d;
}

void ca_socketpair(int s[2])
{
    int want = ca_lowest();
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    CHECK_EQ(s[0], want);
    model[s[0]].open = 1;
    CHECK_EQ(s[1], ca_lowest());
    ca_track(s[0]);
    ca_track(s[1]);
}

void ca_close(int fd)
{
    CHECK(fd >= 0 && fd < CA_LIMIT && model[fd].open);
    CHECK_EQ(close(fd), 0);
    ca_forget(fd);
}

static const char *target(int fd, char *buf, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

void ca_check(const char *where)
{
    char seen[CA_LIMIT] = {0}, name[PATH_MAX];
    int bad = 0;
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        int fd = atoi(de->d_name);
        if (fd == dirfd(d))
            continue;
        if (fd >= CA_LIMIT || !model[fd].open) {
            fprintf(stderr, "%s: fd %d is open but the program never opened it: %s, FD_CLOEXEC %s\n",
                    where, fd, target(fd, name, sizeof name),
                    fcntl(fd, F_GETFD) & FD_CLOEXEC ? "set" : "clear");
            bad = 1;
            continue;
        }
        seen[fd] = 1;
        struct stat st;
        const struct entry *e = &model[fd];
        CHECK(fstat(fd, &st) == 0);
        if (st.st_dev != e->dev || st.st_ino != e->ino) {
            fprintf(stderr, "%s: fd %d names another file now: %s\n", where, fd,
                    target(fd, name, sizeof name));
            bad = 1;
        }
        int fdf = fcntl(fd, F_GETFD), flf = fcntl(fd, F_GETFL);
        off_t off = lseek(fd, 0, SEEK_CUR);
        if (fdf != e->fd_flags || flf != e->fl_flags || off != e->off) {
            fprintf(stderr, "%s: fd %d (%s) changed: F_GETFD %d -> %d, F_GETFL %#x -> %#x, "
                            "offset %lld -> %lld\n",
                    where, fd, target(fd, name, sizeof name), e->fd_flags, fdf, e->fl_flags, flf,
                    (long long)e->off, (long long)off);
            bad = 1;
        }
    }
    closedir(d);
    for (int fd = 0; fd < CA_LIMIT; fd++)
        if (model[fd].open && !seen[fd]) {
            fprintf(stderr, "%s: fd %d was closed behind the program's back\n", where, fd);
            bad = 1;
        }
    CHECK(!bad);
}

/* ---- closing everything ------------------------------------------------- */

void ca_close_everything(enum ca_method m)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    int lim = (int)rl.rlim_cur, failed_at = -1, failed_errno = 0;
    switch (m) {
    case CA_CLOSEFROM:
        closefrom(0);
        break;
    case CA_LOOP:
        for (int fd = 0; fd < lim; fd++)
            close(fd);
        break;
    case CA_DUP2: {
        int src = open("/dev/null", O_RDWR); /* whatever number is free */
        CHECK(src >= 0);
        for (int fd = 0; fd < lim; fd++)
            if (dup2(src, fd) != fd && failed_at < 0) {
                failed_at = fd; /* stderr is /dev/null by now: report below */
                failed_errno = errno;
            }
        for (int fd = 3; fd < lim; fd++)
            close(fd);
        break;
    }
    }
    memset(model, 0, sizeof model);

    /* stdio again: 0 and 1 on /dev/null, 2 on the runner's stderr (checked
     * only once 2 is that, so that a failure can be told) */
    int got[3] = {0, 1, 2};
    if (m != CA_DUP2)
        for (int fd = 0; fd < 3; fd++)
            got[fd] = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
    char err[64];
    snprintf(err, sizeof err, "/proc/%d/fd/2", (int)getppid());
    int e = open(err, O_WRONLY | O_APPEND);
    if (e >= 0) {
        dup2(e, 2);
        close(e);
    }
    if (failed_at >= 0) {
        fprintf(stderr, "dup2(/dev/null, %d) failed: %s\n", failed_at, strerror(failed_errno));
        exit(1);
    }
    CHECK_EQ(got[0], 0);
    CHECK_EQ(got[1], 1);
    CHECK_EQ(got[2], 2);
    for (int fd = 0; fd < 3; fd++)
        ca_track(fd);
}

size_t ca_slurp(const char *path, char *buf, size_t size)
{
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r;
        while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
            n += (size_t)r;
        close(fd);
    }
    buf[n] = '\0';
    return n;
}

/* ---- runner and scenario ------------------------------------------------ */

static int parse_method(const char *s, enum ca_method *m)
{
    if (strcmp(s, "closefrom") == 0)
        *m = CA_CLOSEFROM;
    else if (strcmp(s, "loop") == 0)
        *m = CA_LOOP;
    else if (strcmp(s, "dup2") == 0)
        *m = CA_DUP2;
    else
        return -1;
    return 0;
}

static int run_scenario(char **argv, int (*scenario)(enum ca_method, const char *))
{
    enum ca_method m;
    CHECK(parse_method(argv[2], &m) == 0);
    own = strcmp(argv[3], "own") == 0;
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_cur > CA_LIMIT) {
        rl.rlim_cur = CA_LIMIT;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    }
    /* the runner left exactly stdio open: anything else is the shim's,
     * from its constructor */
    for (int fd = 0; fd < 3; fd++)
        ca_track(fd);
    ca_check("at start");
    return scenario(m, argv[4]);
}

int ca_main(int argc, char **argv, int (*scenario)(enum ca_method, const char *),
            void (*after)(pid_t, const char *))
{
    if (argc == 5 && strcmp(argv[1], "--scenario") == 0)
        return run_scenario(argv, scenario);

    enum ca_method m;
    CHECK(argc == 3 && parse_method(argv[1], &m) == 0);
    CHECK(strcmp(argv[2], "plain") == 0 || strcmp(argv[2], "own") == 0);
    own = strcmp(argv[2], "own") == 0;
    lst_stdio_guard();
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", lst_path("x"));
    *strrchr(dir, '/') = '\0';
    if (strcmp(argv[2], "own") == 0) {
        char v[PATH_MAX + 64];
        setenv("LEASE_SHIM_LOG", "info", 1);
        snprintf(v, sizeof v, "file:%s/shim.log.%%p", dir);
        setenv("LEASE_SHIM_LOG_DEST", v, 1);
        snprintf(v, sizeof v, "%s/shim.stats.%%p", dir);
        setenv("LEASE_SHIM_STATS", v, 1);
        setenv("LEASE_SHIM_BACKTRACE", "1", 1);
    }
    const char *self = lst_self_exe();
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        closefrom(3);
        execl(self, argv[0], "--scenario", argv[1], argv[2], dir, (char *)NULL);
        _exit(127);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "scenario process %d: %s %d\n", (int)pid,
                WIFEXITED(st) ? "exit status" : "killed by signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return 1;
    }
    if (after)
        after(pid, dir);
    return 0;
}
