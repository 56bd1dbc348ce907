/* t_proc_forks - every way a process forks, in a process that holds a lease
 * (SPEC §5, R3; issue #13: the shim registers no fork handler, its fork
 * wrappers do the work, and a child learns its own pid from a page the
 * kernel zeroes).  Judged by the kernel: F_GETLEASE and /proc/locks in the
 * parent, a second process's break and its si_fd, the children's exit
 * status within a time limit.
 *
 *   atfork_child    another library's fork child handler closes the leased
 *                   fd in the child (before the shim's own child code has
 *                   run, with the lock the parent held for the fork): no
 *                   deadlock, the close succeeds, and the parent's lease
 *                   stands (the child forgot its copy, R3).
 *   atfork_prepare  another library's prepare handler closes a second
 *                   leased fd in the parent, after the shim has taken its
 *                   lock for the fork: no deadlock, that lease is gone, the
 *                   first stands.
 *   rawfork         a child made by a raw clone system call, which runs no
 *                   fork code of anyone's, closes the leased fd: it must
 *                   know it is not the owner (the pid cache came to it
 *                   zeroed), so the parent's lease stands.  (A cache the
 *                   child inherited would name the parent: the child would
 *                   release the parent's lease.)
 *   forkpty_race    a thread registers and drops leases without pause while
 *                   the main thread calls forkpty (glibc forks inside it by
 *                   an internal call); every child registers and drops a
 *                   lease of its own within the time limit (no lock
 *                   inherited held).
 *   nowipe          as on a kernel without MADV_WIPEONFORK (a seccomp
 *                   filter makes that madvise fail with EINVAL, as such a
 *                   kernel does): the pid cache is an ordinary one, and the
 *                   fork wrapper must reset it in the child, which closes
 *                   the leased fd: the parent's lease stands. */
#include "lstest.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int leased_fd = -1;    /* the parent's lease, closed by a handler */
static int handler_rc = -2;   /* what that close returned (-2: not run) */
static int handler_once;

static void close_in_handler(void)
{
    if (handler_once++)
        return;
    handler_rc = close(leased_fd);
}

/* The parent's lease A (fd a) must stand, and a break carry si_fd a. */
static void lease_stands(int a, const char *path)
{
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_leases_on(path), 1);
    int seen = lst_count();
    CHECK_EQ(lst_break(path, 0), EWOULDBLOCK);
    CHECK(lst_wait(seen + 1, 2000) >= seen + 1);
    CHECK_EQ(lst_fd_at(seen), a);
}

static int atfork_child(void)
{
    const char *pa = lst_path("a");
    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    leased_fd = a;
    CHECK(pthread_atfork(NULL, NULL, close_in_handler) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(!handler_once ? 7 : handler_rc != 0 ? 8 : lst_fd_names(a, pa) ? 9 : 0);
    CHECK_EQ(lst_wait_child(pid, 10000), 0);
    CHECK_EQ(handler_rc, -2); /* a child handler: not run in the parent */
    lease_stands(a, pa);
    return 0;
}

static int atfork_prepare(void)
{
    const char *pa = lst_path("a"), *pb = lst_path("b");
    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int b = lst_open(pb, O_RDONLY);
    lst_lease(b, F_RDLCK);
    leased_fd = b;
    CHECK(pthread_atfork(close_in_handler, NULL, NULL) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    /* (a number closed may be taken again: valgrind opens a log file for
     * the child; what counts is that it no longer names the file) */
    if (pid == 0) /* the handler ran before the clone: its close is the child's too */
        _exit(!handler_once ? 7 : handler_rc != 0 ? 8 : lst_fd_names(b, pb) ? 9 : 0);
    CHECK_EQ(lst_wait_child(pid, 10000), 0);
    CHECK_EQ(handler_rc, 0);
    CHECK_EQ(lst_leases_on(pb), 0); /* its only descriptor is gone */
    lease_stands(a, pa);
    return 0;
}

static int rawfork(void)
{
    const char *pa = lst_path("a");
    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    /* a clone with only the exit signal: a fork no libc code knows of */
    long pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    CHECK(pid >= 0);
    if (pid == 0)
        syscall(SYS_exit_group, close(a) == 0 ? 0 : 7);
    CHECK_EQ(lst_wait_child((pid_t)pid, 10000), 0);
    lease_stands(a, pa);
    return 0;
}

static int forkpty_race(void)
{
    const char *pa = lst_path("a");
    struct lst_churn churn = {lst_path("race"), 0};
    const char *fchild = lst_path("child");
    close(lst_open(fchild, O_RDONLY)); /* the children open it without O_CREAT */
    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, lst_lease_churn, &churn) == 0);
    for (int i = 0; i < 200; i++) {
        int master = -1;
        pid_t pid = forkpty(&master, NULL, NULL, NULL);
        if (pid < 0) {
            fprintf(stderr, "forkpty: %s\n", strerror(errno));
            exit(1);
        }
        if (pid == 0)
            _exit(lst_child_lease_cycle(fchild));
        lst_expect_child_ok(pid, i, 10000);
        close(master);
    }
    churn.stop = 1;
    CHECK(pthread_join(t, NULL) == 0);
    lease_stands(a, pa);
    return 0;
}

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

/* From here madvise(..., MADV_WIPEONFORK) fails with EINVAL. */
static void refuse_wipeonfork(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MADV_WIPEONFORK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof *f, f};
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0);
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(madvise(p, 4096, MADV_WIPEONFORK) != 0 && errno == EINVAL);
    CHECK(madvise(p, 4096, MADV_DONTNEED) == 0); /* only that one */
    munmap(p, 4096);
}

static int nowipe(void)
{
    refuse_wipeonfork(); /* before the shim's first use of its pid cache */
    const char *pa = lst_path("a");
    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(close(a) == 0 ? 0 : 7);
    CHECK_EQ(lst_wait_child(pid, 10000), 0);
    lease_stands(a, pa);
    return 0;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    lst_stdio_guard();
    lst_record(lst_sig());
    if (strcmp(argv[1], "atfork_child") == 0)
        return atfork_child();
    if (strcmp(argv[1], "atfork_prepare") == 0)
        return atfork_prepare();
    if (strcmp(argv[1], "rawfork") == 0)
        return rawfork();
    if (strcmp(argv[1], "forkpty_race") == 0)
        return forkpty_race();
    if (strcmp(argv[1], "nowipe") == 0)
        return nowipe();
    fprintf(stderr, "usage: t_proc_forks atfork_child|atfork_prepare|rawfork|forkpty_race|nowipe\n");
    return 2;
}
