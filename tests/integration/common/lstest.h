/* lstest.h - helpers for integration programs that run under the built shim.
 *
 * Oracles are the kernel and the program: si_fd received, /proc/locks,
 * /proc/self/fdinfo, kcmp, exit status.  Never the shim's own log.
 * CHECK failures print the location and exit(1), so they survive NDEBUG.
 */
#ifndef LSTEST_H
#define LSTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

#define CHECK_EQ(a, b)                                                            \
    do {                                                                          \
        long long va_ = (long long)(a), vb_ = (long long)(b);                     \
        if (va_ != vb_) {                                                         \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n",    \
                    __FILE__, __LINE__, #a, va_, #b, vb_);                        \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

/* Fresh directory under /tmp, removed at exit; returns "dir/NAME" (static storage per call). */
const char *lst_path(const char *name);

/* Create (empty) and open PATH with FLAGS; exits on failure. */
int lst_open(const char *path, int flags);

/* The notification signal the tests use: SIGRTMIN+1. */
int lst_sig(void);

/* Install an SA_SIGINFO handler for SIG that records every delivery
 * (si_fd, si_code) into a ring; returns nothing, exits on failure. */
void lst_record(int sig);

/* Number of notifications recorded so far, and the I-th one. */
int lst_count(void);
int lst_fd_at(int i);
int lst_code_at(int i);

/* Wait until at least N notifications were recorded, or MS milliseconds
 * passed; returns the count. */
int lst_wait(int n, int ms);

/* A socket pair SV whose SV[0] has O_ASYNC on (F_SETFL, a registration the
 * shim tracks), signal SIG, owner this process; exits on failure. */
void lst_async_socketpair(int sv[2], int sig);

/* F_SETSIG lst_sig() then F_SETLEASE TYPE on FD; exits on failure. */
void lst_lease(int fd, int type);

/* The start most rule tests share: lst_stdio_guard(), *DATA and *OTHER
 * (lst_path("data"), lst_path("other"), OTHER created empty), lst_sig()
 * recorded, DATA opened read-only with a read lease; returns that fd. */
int lst_leased_data(const char **data, const char **other);

/* From a second process: open PATH for writing (read lease) or reading
 * (WRITE_LEASE) with O_NONBLOCK, which starts a lease break; returns the
 * errno the opener got (EWOULDBLOCK while a lease stood, 0 if none). */
int lst_break(const char *path, int write_lease);

/* How many lease lines /proc/locks has for PATH's inode. */
int lst_leases_on(const char *path);

/* Does FD name PATH right now (readlink of /proc/self/fd/FD)? */
int lst_fd_names(int fd, const char *path);

/* Do A and B name one open file description (kcmp)? */
int lst_same_ofd(int a, int b);

/* Lines of /proc/self/fdinfo/FD containing "LEASE". */
int lst_fdinfo_leases(int fd);

/* Lower RLIMIT_NOFILE's soft limit to 64 and take every free number below
 * it with dup(0) (the last one fails with EMFILE); returns the first
 * filler, for closefrom() to make room again.  Exits on failure. */
int lst_fill_to_limit(void);

/* Run FN in a forked child and return its exit status (or 128+signal). */
int lst_in_child(int (*fn)(void *), void *arg);

/* Make sure fds 0-2 are open (on /dev/null if they were not), so that the
 * test's own descriptors never take those numbers. */
void lst_stdio_guard(void);

/* This program's path, for re-executing itself: not "/proc/self/exe",
 * which under valgrind names the tool (that then cannot load itself as the
 * program).  A static buffer; aborts the test if it cannot be read. */
const char *lst_self_exe(void);

/* The handler the kernel holds for SIG (the raw rt_sigaction, no library in
 * between): the trampoline where the shim installed it. */
void *lst_kernel_handler(int sig);

/* How many times slower than natively this build runs the tests:
 * LEASE_SHIM_TEST_SLOW, set by the sanitizer and valgrind builds; 1
 * otherwise.  lst_wait, lst_wait_ready and lst_wait_child stretch their
 * limits by it; a test with limits of its own multiplies them. */
int lst_slow(void);

/* Wait up to MS ms for a child's one-byte "R" (ready) on pipe FD; 1 if it came. */
int lst_wait_ready(int fd, int ms);

/* Wait up to MS ms for child PID; its exit status, 128 + signal, or -1 on timeout. */
int lst_wait_child(pid_t pid, int ms);

/* Wait up to MS ms for child PID, the Ith of a loop; unless it exited 0,
 * say so (killing it if it still runs) and exit the test. */
void lst_expect_child_ok(pid_t pid, int i, int ms);

/* Fork a child that keeps every inherited descriptor (and so their open
 * file descriptions and leases) open until *RELEASE, a pipe's write end,
 * is closed; returns its pid. */
pid_t lst_hold_in_child(int *release);

/* A thread body: takes a read lease on CHURN->path, dups it, closes the
 * original (a re-home) and the dup (a release), again and again until
 * CHURN->stop is set; exits the test on failure.  For forks racing with
 * the shim's critical sections. */
struct lst_churn {
    const char *path;
    volatile int stop;
};
void *lst_lease_churn(void *churn);

/* In a fork child: a lease of its own on PATH (which exists), dup'ed, the
 * original closed (the lease must move to the dup), then closed.  0 when
 * all went as it should, 5 or 6 (a failed step) otherwise: an exit
 * status. */
int lst_child_lease_cycle(const char *path);

#ifdef __x86_64__
/* close(FD) with an inline syscall instruction, which no LD_PRELOAD shim
 * sees: a descriptor closed behind the shim's back. */
long lst_raw_close(int fd);
#endif

#endif
