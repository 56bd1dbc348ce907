/* lstest.c - see lstest.h. */
#include "lstest.h"

#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static pid_t dir_owner;

static void remove_dir(void)
{
    if (getpid() != dir_owner || !dir[0])
        return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[PATH_MAX];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

const char *lst_path(const char *name)
{
    static char paths[16][PATH_MAX];
    static int next;
    if (!dir[0]) {
        strcpy(dir, "/tmp/lstest-XXXXXX");
        CHECK(mkdtemp(dir) != NULL);
        dir_owner = getpid();
        atexit(remove_dir);
    }
    char *p = paths[next++ % 16];
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

int lst_open(const char *path, int flags)
{
    int fd = open(path, flags | O_CREAT, 0644);
    if (fd < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

int lst_sig(void)
{
    return SIGRTMIN + 1;
}

#define RING 4096
static volatile int rec_fd[RING], rec_code[RING];
static volatile int rec_n;

static void recorder(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    int i = __atomic_fetch_add(&rec_n, 1, __ATOMIC_SEQ_CST);
    if (i < RING) {
        rec_fd[i] = si->si_fd;
        rec_code[i] = si->si_code;
    }
}

void lst_record(int sig)
{
    struct sigaction sa = {.sa_sigaction = recorder, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

int lst_count(void)
{
    return __atomic_load_n(&rec_n, __ATOMIC_SEQ_CST);
}

int lst_fd_at(int i)
{
    return rec_fd[i];
}

int lst_code_at(int i)
{
    return rec_code[i];
}

int lst_slow(void)
{
    const char *v = getenv("LEASE_SHIM_TEST_SLOW");
    int n = v ? atoi(v) : 1;
    return n > 1 ? n : 1;
}

int lst_wait(int n, int ms)
{
    ms *= lst_slow();
    for (int waited = 0; lst_count() < n && waited < ms; waited += 5)
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    return lst_count();
}

void lst_lease(int fd, int type)
{
    CHECK(fcntl(fd, F_SETSIG, lst_sig()) == 0);
    CHECK(fcntl(fd, F_SETLEASE, type) == 0);
}

void lst_async_socketpair(int sv[2], int sig)
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(fcntl(sv[0], F_SETSIG, sig) == 0);
    CHECK(fcntl(sv[0], F_SETOWN, getpid()) == 0);
    CHECK(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_ASYNC) == 0);
}

int lst_leased_data(const char **data, const char **other)
{
    lst_stdio_guard();
    *data = lst_path("data");
    *other = lst_path("other");
    close(lst_open(*other, O_RDONLY));
    lst_record(lst_sig());
    int fd = lst_open(*data, O_RDONLY);
    lst_lease(fd, F_RDLCK);
    return fd;
}

int lst_break(const char *path, int write_lease)
{
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int fd = open(path, (write_lease ? O_RDONLY : O_WRONLY) | O_NONBLOCK);
        int e = fd < 0 ? errno : 0;
        if (write(pipefd[1], &e, sizeof e) != sizeof e)
            _exit(2);
        _exit(0);
    }
    int e = -1;
    CHECK(read(pipefd[0], &e, sizeof e) == sizeof e);
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    return e;
}

int lst_leases_on(const char *path)
{
    struct stat st;
    CHECK(stat(path, &st) == 0);
    char want[64], line[512];
    snprintf(want, sizeof want, "%02x:%02x:%lu ", major(st.st_dev), minor(st.st_dev),
             (unsigned long)st.st_ino);
    /* One read(2) for the whole file: /proc/locks is produced one read at a
     * time, and a second read resumes by position in lists that other
     * processes may be changing, so an entry could be counted twice. */
    static char buf[1 << 20];
    int fd = open("/proc/locks", O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(len >= 0 && (size_t)len < sizeof buf - 1);
    buf[len] = '\0';
    int n = 0;
    for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t l = strcspn(p, "\n");
        if (l >= sizeof line)
            l = sizeof line - 1;
        memcpy(line, p, l);
        line[l] = '\0';
        if (strstr(line, "LEASE") && strstr(line, want))
            n++;
    }
    return n;
}

int lst_fd_names(int fd, const char *path)
{
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/thread-self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return strcmp(target, path) == 0;
}

int lst_same_ofd(int a, int b)
{
    return syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, a, b) == 0;
}

int lst_fdinfo_leases(int fd)
{
    char p[64], line[512];
    snprintf(p, sizeof p, "/proc/thread-self/fdinfo/%d", fd);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "LEASE"))
            n++;
    fclose(f);
    return n;
}

int lst_fill_to_limit(void)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = 64;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    int first = dup(0);
    CHECK(first >= 0);
    while (dup(0) >= 0)
        ;
    CHECK_EQ(errno, EMFILE);
    return first;
}

int lst_in_child(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

const char *lst_self_exe(void)
{
    static char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(len > 0);
    self[len] = '\0';
    return self;
}

void *lst_kernel_handler(int sig)
{
    struct { /* the kernel's struct sigaction on x86-64 and arm64 */
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } k;
    CHECK(syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof k.mask) == 0);
    return k.handler;
}

void lst_stdio_guard(void)
{
    int fd;
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
        ;
    if (fd >= 0)
        close(fd);
}

int lst_wait_ready(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, ms * lst_slow()) == 1 && read(fd, &c, 1) == 1 && c == 'R';
}

int lst_wait_child(pid_t pid, int ms)
{
    int st;
    ms *= lst_slow();
    for (int waited = 0; waited < ms; waited += 5) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        CHECK(r >= 0);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

void lst_expect_child_ok(pid_t pid, int i, int ms)
{
    int st = lst_wait_child(pid, ms);
    if (st == 0)
        return;
    fprintf(stderr, "child %d: status %d\n", i, st);
    if (st < 0)
        kill(pid, SIGKILL);
    exit(1);
}

pid_t lst_hold_in_child(int *release)
{
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(p[0]);
    *release = p[1];
    return pid;
}

void *lst_lease_churn(void *arg)
{
    struct lst_churn *churn = arg;
    while (!churn->stop) {
        int f = lst_open(churn->path, O_RDONLY);
        lst_lease(f, F_RDLCK);
        int d = dup(f);
        CHECK(d >= 0);
        CHECK_EQ(close(f), 0); /* re-home to d */
        CHECK_EQ(close(d), 0); /* release */
    }
    return NULL;
}

int lst_child_lease_cycle(const char *path)
{
    int f = open(path, O_RDONLY);
    if (f < 0 || fcntl(f, F_SETSIG, lst_sig()) != 0 || fcntl(f, F_SETLEASE, F_RDLCK) != 0)
        return 5;
    int d = dup(f);
    if (d < 0 || close(f) != 0 || fcntl(d, F_GETLEASE) != F_RDLCK || close(d) != 0)
        return 6;
    return 0;
}

#ifdef __x86_64__
long lst_raw_close(int fd)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(3L /* SYS_close */), "D"((long)fd)
                     : "rcx", "r11", "memory");
    return ret;
}
#endif
