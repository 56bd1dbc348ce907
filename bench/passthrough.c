/* passthrough.c - libbench_passthrough.so, the "empty preload" of bench/run.
 *
 * It interposes exactly the libc names the shim does (the same version
 * script, generated from shim/wrapped.def) and does nothing in them but
 * call the next definition: the cost of any LD_PRELOAD shim of these
 * functions, with none of lease-shim's work.  bench/run runs every case without a preload, with
 * this library and with the shim; shim/empty is the shim's own share.
 *
 * Each wrapper finds the next symbol once, at its first call
 * (dlsym(RTLD_NEXT)), and keeps it in a static pointer: an acquire load on
 * the fast path, a release store after resolving (two threads racing at the
 * first call both store the same value).  The wrappers are defined with
 * fixed parameters under the libc names (the C names differ, so <fcntl.h>'s
 * declarations do not clash) and compile to a load and a jump.
 *
 *   fcntl, fcntl64, __fcntl, ioctl: declared variadic by libc; on the SysV
 *     ABIs the third argument of a variadic call lies where a third
 *     parameter is read, so it is forwarded as one word, unread.
 *   syscall: six longs forwarded, as glibc's syscall() itself reads six.
 *   execl, execlp, execle: argv gathered into a bounded array on the stack
 *     (malloc'd beyond PT_ARGV_MAX arguments), then the next execve /
 *     execvp: libc's execl* call execve inside libc, not through the PLT.
 *   vfork, __vfork: an assembly stub that jumps to the next vfork, so no C
 *     frame lies between the caller and the system call (the child returns
 *     through the caller's frame, and must not return into ours).
 *   longjmp and friends never return; the call is still a jump.
 *
 * Nothing else: no constructor, no state, no errno handling (the wrappers
 * never touch errno after the real call).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define PT_EXPORT __attribute__((visibility("default")))
#define PT_ARGV_MAX 256

void *pt_resolve(void **slot, const char *name) __attribute__((visibility("hidden")));
void *pt_resolve(void **slot, const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        /* no libc below us has it: nothing sensible to forward to */
        static const char msg[] = "libbench_passthrough: no next definition of ";
        (void)!write(2, msg, sizeof msg - 1);
        (void)!write(2, name, strlen(name));
        (void)!write(2, "\n", 1);
        abort();
    }
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

static inline void *pt_next_of(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (__builtin_expect(p == NULL, 0))
        p = pt_resolve(slot, name);
    return p;
}

/* PT_NEXT(sym): the next definition of SYM, resolved at first use. */
#define PT_SLOT(sym) static void *pt_##sym##_slot;
#define PT_NEXT(sym) pt_next_of(&pt_##sym##_slot, #sym)

/* PT_WRAP(ret, sym, (params), (args)): an exported SYM that forwards.  The
 * first call goes through a cold function of its own, so the fast path
 * saves no register: a load, a test and a jump. */
#define PT_WRAP(ret, sym, params, args)                                  \
    static void *pt_##sym##_slot;                                        \
    static __attribute__((noinline, cold)) ret pt_##sym##_first params   \
    {                                                                    \
        return ((ret(*) params)pt_resolve(&pt_##sym##_slot, #sym)) args; \
    }                                                                    \
    PT_EXPORT ret pt_##sym##_entry params __asm__(#sym);                 \
    ret pt_##sym##_entry params                                          \
    {                                                                    \
        void *pt_p_ = __atomic_load_n(&pt_##sym##_slot, __ATOMIC_ACQUIRE); \
        if (__builtin_expect(pt_p_ == NULL, 0))                          \
            return pt_##sym##_first args;                                \
        return ((ret(*) params)pt_p_) args;                              \
    }

/* the same for a function that never returns */
#define PT_WRAP_NORETURN(sym, params, args)                                   \
    PT_SLOT(sym)                                                              \
    PT_EXPORT __attribute__((noreturn)) void pt_##sym##_entry params __asm__(#sym); \
    void pt_##sym##_entry params                                              \
    {                                                                         \
        ((void(*) params)PT_NEXT(sym)) args;                                  \
        __builtin_unreachable();                                              \
    }

typedef void (*pt_handler)(int);

/* ---- descriptors ------------------------------------------------------------ */
PT_WRAP(int, close, (int fd), (fd))
PT_WRAP(int, __close, (int fd), (fd))
PT_WRAP(int, dup, (int fd), (fd))
PT_WRAP(int, dup2, (int a, int b), (a, b))
PT_WRAP(int, __dup2, (int a, int b), (a, b))
PT_WRAP(int, dup3, (int a, int b, int f), (a, b, f))
PT_WRAP(int, fcntl, (int fd, int cmd, void *arg), (fd, cmd, arg))
PT_WRAP(int, fcntl64, (int fd, int cmd, void *arg), (fd, cmd, arg))
PT_WRAP(int, __fcntl, (int fd, int cmd, void *arg), (fd, cmd, arg))
PT_WRAP(int, ioctl, (int fd, unsigned long req, void *arg), (fd, req, arg))
PT_WRAP(int, close_range, (unsigned a, unsigned b, int f), (a, b, f))
PT_SLOT(closefrom)
PT_EXPORT void pt_closefrom_entry(int fd) __asm__("closefrom");
void pt_closefrom_entry(int fd)
{
    ((void (*)(int))PT_NEXT(closefrom))(fd);
}

/* ---- streams ------------------------------------------------------------------ */
PT_WRAP(int, fclose, (FILE * f), (f))
PT_WRAP(FILE *, freopen, (const char *p, const char *m, FILE *f), (p, m, f))
PT_WRAP(FILE *, freopen64, (const char *p, const char *m, FILE *f), (p, m, f))
PT_WRAP(int, fcloseall, (void), ())

/* ---- descriptors received ---------------------------------------------------------- */
PT_WRAP(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))
PT_WRAP(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned n, int f, struct timespec *t),
        (fd, v, n, f, t))
PT_WRAP(int, pidfd_getfd, (int p, int t, unsigned f), (p, t, f))

/* ---- syscall(): six words, whatever the caller passed ------------------------------ */
PT_SLOT(syscall)
PT_EXPORT long pt_syscall_entry(long nr, ...) __asm__("syscall");
long pt_syscall_entry(long nr, ...)
{
    va_list ap;
    va_start(ap, nr);
    long a0 = va_arg(ap, long), a1 = va_arg(ap, long), a2 = va_arg(ap, long);
    long a3 = va_arg(ap, long), a4 = va_arg(ap, long), a5 = va_arg(ap, long);
    va_end(ap);
    return ((long (*)(long, ...))PT_NEXT(syscall))(nr, a0, a1, a2, a3, a4, a5);
}

/* ---- signals ------------------------------------------------------------------ */
PT_WRAP(int, sigaction, (int s, const struct sigaction *a, struct sigaction *o), (s, a, o))
PT_WRAP(int, __sigaction, (int s, const struct sigaction *a, struct sigaction *o), (s, a, o))
PT_WRAP(pt_handler, signal, (int s, pt_handler h), (s, h))
PT_WRAP(pt_handler, bsd_signal, (int s, pt_handler h), (s, h))
PT_WRAP(pt_handler, ssignal, (int s, pt_handler h), (s, h))
PT_WRAP(pt_handler, sysv_signal, (int s, pt_handler h), (s, h))
PT_WRAP(pt_handler, __sysv_signal, (int s, pt_handler h), (s, h))
PT_WRAP(pt_handler, sigset, (int s, pt_handler h), (s, h))
PT_WRAP(int, siginterrupt, (int s, int f), (s, f))
PT_WRAP(int, sigtimedwait, (const sigset_t *set, siginfo_t *si, const struct timespec *t), (set, si, t))
PT_WRAP(int, sigwaitinfo, (const sigset_t *set, siginfo_t *si), (set, si))
PT_WRAP(int, sigwait, (const sigset_t *set, int *s), (set, s))

/* ---- exec ------------------------------------------------------------------------ */
PT_WRAP(int, execve, (const char *p, char *const *av, char *const *ev), (p, av, ev))
PT_WRAP(int, execveat, (int d, const char *p, char *const *av, char *const *ev, int f), (d, p, av, ev, f))
PT_WRAP(int, fexecve, (int fd, char *const *av, char *const *ev), (fd, av, ev))
PT_WRAP(int, execv, (const char *p, char *const *av), (p, av))
PT_WRAP(int, execvp, (const char *f, char *const *av), (f, av))
PT_WRAP(int, execvpe, (const char *f, char *const *av, char *const *ev), (f, av, ev))

extern char **environ;

/* execl*: the arguments after ARG0 up to the NULL (execle: and the envp after
 * it) into an argv; on the stack up to PT_ARGV_MAX, else malloc'd (an exec
 * with that many arguments is not what the benchmark times). */
enum pt_execl { PT_EXECL, PT_EXECLP, PT_EXECLE };

static int pt_execl_common(enum pt_execl kind, const char *path, const char *arg0, va_list ap)
{
    const char *stack_argv[PT_ARGV_MAX];
    const char **argv = stack_argv;
    size_t cap = PT_ARGV_MAX, n = 0;
    argv[n++] = arg0;
    for (const char *a = arg0; a;) {
        a = va_arg(ap, const char *);
        if (n == cap) {
            size_t ncap = cap * 2;
            const char **grown = malloc(ncap * sizeof *grown);
            if (!grown)
                return -1; /* errno ENOMEM from malloc */
            memcpy(grown, argv, n * sizeof *grown);
            if (argv != stack_argv)
                free(argv);
            argv = grown;
            cap = ncap;
        }
        argv[n++] = a;
    }
    char *const *envp = kind == PT_EXECLE ? va_arg(ap, char *const *) : environ;
    int rc;
    if (kind == PT_EXECLP)
        rc = ((int (*)(const char *, char *const *))PT_NEXT(execvp))(path, (char *const *)argv);
    else
        rc = ((int (*)(const char *, char *const *, char *const *))PT_NEXT(execve))(
            path, (char *const *)argv, envp);
    if (argv != stack_argv)
        free(argv);
    return rc;
}

#define PT_EXECL_WRAP(sym, kind)                                                   \
    PT_EXPORT int pt_##sym##_entry(const char *p, const char *arg0, ...) __asm__(#sym); \
    int pt_##sym##_entry(const char *p, const char *arg0, ...)                     \
    {                                                                              \
        va_list ap;                                                                \
        va_start(ap, arg0);                                                        \
        int rc = pt_execl_common(kind, p, arg0, ap);                               \
        va_end(ap);                                                                \
        return rc;                                                                 \
    }
PT_EXECL_WRAP(execl, PT_EXECL)
PT_EXECL_WRAP(execlp, PT_EXECLP)
PT_EXECL_WRAP(execle, PT_EXECLE)

/* ---- processes --------------------------------------------------------------------- */
PT_WRAP(pid_t, fork, (void), ())
PT_WRAP(pid_t, __fork, (void), ())
PT_WRAP(pid_t, _Fork, (void), ())
PT_WRAP(int, forkpty,
        (int *amaster, char *name, const struct termios *termp, const struct winsize *winp),
        (amaster, name, termp, winp))
PT_WRAP(int, posix_spawn,
        (pid_t * pid, const char *p, const posix_spawn_file_actions_t *fa,
         const posix_spawnattr_t *at, char *const *av, char *const *ev),
        (pid, p, fa, at, av, ev))
PT_WRAP(int, posix_spawnp,
        (pid_t * pid, const char *p, const posix_spawn_file_actions_t *fa,
         const posix_spawnattr_t *at, char *const *av, char *const *ev),
        (pid, p, fa, at, av, ev))
PT_WRAP(FILE *, popen, (const char *c, const char *t), (c, t))
PT_WRAP(int, system, (const char *c), (c))
PT_WRAP(int, daemon, (int a, int b), (a, b))

/* vfork, __vfork (x86-64, where the shim has them too): the stub jumps to
 * the next vfork with the caller's return address still on top of the
 * stack, exactly as if the caller had called it.  The first call resolves
 * it first, in the parent, before any vfork. */
#if defined(__x86_64__)
void *pt_vfork_slot __attribute__((visibility("hidden")));
void *pt_vfork_next(void) __attribute__((visibility("hidden"), used));
void *pt_vfork_next(void)
{
    void *p = __atomic_load_n(&pt_vfork_slot, __ATOMIC_ACQUIRE);
    return p ? p : pt_resolve(&pt_vfork_slot, "vfork");
}
__asm__(".text\n"
        ".globl vfork\n.type vfork, @function\n"
        ".globl __vfork\n.type __vfork, @function\n"
        "vfork:\n__vfork:\n"
        "    movq pt_vfork_slot(%rip), %rax\n" /* a plain load is an acquire on x86 */
        "    testq %rax, %rax\n"
        "    jz 1f\n"
        "    jmp *%rax\n"
        "1:  subq $8, %rsp\n" /* keep the stack 16-byte aligned for the call */
        "    call pt_vfork_next\n"
        "    addq $8, %rsp\n"
        "    jmp *%rax\n"
        ".size vfork, .-vfork\n.size __vfork, .-__vfork\n");
#endif

/* ---- non-local jumps ------------------------------------------------------------------- */
PT_WRAP_NORETURN(longjmp, (struct __jmp_buf_tag * b, int v), (b, v))
PT_WRAP_NORETURN(_longjmp, (struct __jmp_buf_tag * b, int v), (b, v))
PT_WRAP_NORETURN(siglongjmp, (struct __jmp_buf_tag * b, int v), (b, v))
PT_WRAP_NORETURN(__longjmp_chk, (struct __jmp_buf_tag * b, int v), (b, v))
