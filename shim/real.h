/* real.h - the table of libc's own implementations of every wrapped symbol.
 *
 * One X-macro list names each wrapped function once; it generates the
 * pointer table and the resolution loop (real.c).  A wrapper reaches libc
 * through LS_REAL(name), which resolves the table on first use, so calls made
 * from other libraries' constructors, before ours has run, still work.
 */
#ifndef LS_REAL_H
#define LS_REAL_H

#include <setjmp.h>
#include <stdio.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* X(return type, name, parameter list) */
#define LS_REAL_FUNCS(X)                                              \
    X(int, close, (int))                                              \
    X(int, __close, (int))                                            \
    X(int, dup, (int))                                                \
    X(int, dup2, (int, int))                                          \
    X(int, __dup2, (int, int))                                        \
    X(int, dup3, (int, int, int))                                     \
    X(int, fcntl, (int, int, ...))                                    \
    X(int, fcntl64, (int, int, ...))                                  \
    X(int, __fcntl, (int, int, ...))                                  \
    X(int, ioctl, (int, unsigned long, ...))                          \
    X(int, close_range, (unsigned int, unsigned int, int))            \
    X(void, closefrom, (int))                                         \
    X(int, fclose, (FILE *))                                          \
    X(FILE *, freopen, (const char *, const char *, FILE *))          \
    X(FILE *, freopen64, (const char *, const char *, FILE *))        \
    X(int, fcloseall, (void))                                         \
    X(ssize_t, recvmsg, (int, struct msghdr *, int))                  \
    X(int, recvmmsg, (int, struct mmsghdr *, unsigned int, int, struct timespec *)) \
    X(int, pidfd_getfd, (int, int, unsigned int))                     \
    X(long, syscall, (long, ...))                                     \
    X(int, sigaction, (int, const struct sigaction *, struct sigaction *)) \
    X(int, sigtimedwait, (const sigset_t *, siginfo_t *, const struct timespec *)) \
    X(int, sigwaitinfo, (const sigset_t *, siginfo_t *))            \
    X(int, execve, (const char *, char *const[], char *const[]))      \
    X(int, execveat, (int, const char *, char *const[], char *const[], int)) \
    X(int, fexecve, (int, char *const[], char *const[]))              \
    X(int, execvpe, (const char *, char *const[], char *const[]))     \
    X(pid_t, _Fork, (void))                                           \
    X(int, posix_spawn, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
                         const posix_spawnattr_t *, char *const[], char *const[])) \
    X(int, posix_spawnp, (pid_t *, const char *, const posix_spawn_file_actions_t *, \
                          const posix_spawnattr_t *, char *const[], char *const[])) \
    X(FILE *, popen, (const char *, const char *))                   \
    X(int, system, (const char *))                                    \
    X(int, daemon, (int, int))                                        \
    X(void, longjmp, (struct __jmp_buf_tag *, int))                   \
    X(void, _longjmp, (struct __jmp_buf_tag *, int))                  \
    X(void, siglongjmp, (struct __jmp_buf_tag *, int))                \
    X(void, __longjmp_chk, (struct __jmp_buf_tag *, int))

#define LS_REAL_FIELD(ret, name, params) ret (*name) params;
struct ls_real_table {
    LS_REAL_FUNCS(LS_REAL_FIELD)
};
#undef LS_REAL_FIELD

extern struct ls_real_table ls_real;
extern int ls_real_ready;

/* Fill ls_real with dlsym(RTLD_NEXT).  Not async-signal-safe (dlsym); idempotent;
 * called by the constructor and, before it, by the first wrapper to run.
 * Preserves errno. */
void ls_real_resolve(void);

/* The libc implementation of NAME.  Async-signal-safe once resolved; errno untouched. */
#define LS_REAL(name) \
    (__builtin_expect(!__atomic_load_n(&ls_real_ready, __ATOMIC_ACQUIRE), 0) \
         ? (ls_real_resolve(), ls_real.name) : ls_real.name)

#endif
