/* exec.c - the exec family, vfork and the spawn functions (SPEC §5).
 *
 * Before an exec: close-on-exec descriptors get R1 only (re-home to a
 * descriptor that survives, undone if the exec fails).  Then, by
 * LEASE_SHIM_EXEC: `handover` blocks the notification signals across the
 * exec and passes the surviving registrations and the caller's mask in
 * LEASE_SHIM_HANDOVER (added only when the new environment keeps
 * LD_PRELOAD, so the new image loads the shim and adopts them); `release`
 * releases them; `keep` does nothing.
 */
#include "exec.h"
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "forking.h"
#include "handover.h"
#include "lock.h"
#include "log.h"
#include "real.h"
#include "reg_exec.h"
#include "registry.h"
#include "self.h"
#include "sigstate.h"
#include "sys.h"

#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LS_EXPORT __attribute__((visibility("default")))

extern char **environ;

/* Called by the vfork wrapper when the system call fails. */
long ls_vfork_failed(int err);
long ls_vfork_failed(int err)
{
    errno = err;
    return -1;
}

/* popen and system spawn with environ, so environ is swapped for a copy
 * with the variable while they run.  environ is the process's: every
 * popen() and system() running at the time shares one swap (the first
 * one's copy, whose mask is that caller's), and the copy is put back and
 * unmapped when the last of them returns, never under another.  If
 * another thread replaced environ meanwhile (setenv), its new array may
 * point into the copy, which is then left mapped.  Counted under the
 * shim's lock (held for a moment, never across the call). */
static struct {
    unsigned users; /* popen()/system() calls running */
    char **before;  /* environ before the swap, NULL when not swapped */
    void *mem;      /* the copy environ points into */
    size_t memlen;
} env_swap;

/* ENVP as the application meant it: while popen() or system() has environ
 * swapped for the shim's copy, another thread that passes environ to an
 * exec or a spawn means the program's own, not a copy whose hand-over
 * variable carries another thread's mask.  Async-signal-safe. */
static char *const *unswapped(char *const *envp)
{
    void *mem = __atomic_load_n(&env_swap.mem, __ATOMIC_ACQUIRE);
    if (!mem || (void *)envp != mem)
        return envp;
    char **before = __atomic_load_n(&env_swap.before, __ATOMIC_ACQUIRE);
    return before ? before : envp;
}

/* ---- preparing an exec ------------------------------------------------------ */

struct exec_prep {
    void *mem;          /* one mapping for everything below */
    size_t memlen;
    struct ls_undo *undo;
    int nundo;
    char *const *envp;  /* what to pass to the kernel */
    sigset_t saved;     /* the caller's mask, restored if the exec fails */
    int blocked;
};

/* What the shim must know of ENVP, an array the application passed. */
struct env_info {
    size_t n;    /* entries before the NULL */
    int preload; /* one of them sets LD_PRELOAD to something */
};

/* Does ENTRY's beginning HEAD (LEN readable bytes) set LD_PRELOAD? */
static int sets_preload(const char *head, size_t len)
{
    return len > 11 && memcmp(head, "LD_PRELOAD=", 11) == 0 && head[11];
}

/* Scan ENVP into *EI, reading it only through ls_sys_peek: the array and
 * the beginning of every string.  -1 if some of it cannot be read: then
 * the kernel fails the exec with EFAULT, as it would without the shim, and
 * the shim must neither fault nor pass anything else in its place.
 * Async-signal-safe; errno kept. */
static int env_scan(char *const *envp, struct env_info *ei)
{
    ei->n = 0;
    ei->preload = 0;
    if (!envp)
        return 0; /* Linux takes NULL for an empty environment */
    for (;;) {
        char *chunk[32];
        size_t got = ls_sys_peek(chunk, envp + ei->n, sizeof chunk) / sizeof chunk[0];
        if (!got)
            return -1;
        for (size_t i = 0; i < got; i++) {
            if (!chunk[i])
                return 0;
            /* enough to tell LD_PRELOAD= and LS_HANDOVER_VAR= apart */
            char head[sizeof LS_HANDOVER_VAR + 1];
            size_t len = ls_sys_peek(head, chunk[i], sizeof head);
            if (len < sizeof head && !memchr(head, 0, len))
                return -1; /* unreadable before its end */
            ei->preload |= sets_preload(head, len);
            ei->n++;
        }
    }
}

static uint64_t mask_bits(const sigset_t *set)
{
    uint64_t m = 0;
    for (int sig = 1; sig < LS_NSIG; sig++)
        if (sigismember(set, sig) == 1)
            m |= 1ull << (sig - 1);
    return m;
}

/* ENVP (NENV entries, read by env_scan) with VAR added (any older
 * LS_HANDOVER_VAR left out), in MEM, which has room for NENV + 2 pointers. */
static char *const *env_with(char *const *envp, size_t nenv, char *var, char **mem)
{
    size_t n = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(envp[i], LS_HANDOVER_VAR "=", sizeof LS_HANDOVER_VAR) != 0)
            mem[n++] = envp[i];
    mem[n++] = var;
    mem[n] = NULL;
    return mem;
}

/* A signal guarded since an earlier exec, for a registration with no
 * descriptor here (it lives on in another process), stays guarded: an
 * image that only execs the real program (sh -c 'exec ...', env, a
 * launcher) must not drop it, or the break kills the program.  So each
 * guarded signal not in BLOCK yet gets a record in VAR (length *LEN, 0 when
 * it no longer fits) and joins BLOCK.  Returns how many.  Lock held. */
static int hand_over_guarded(char *var, size_t size, size_t *len, sigset_t *block)
{
    int handed = 0;
    for (int sig = 1; sig < LS_NSIG; sig++)
        if (ls_sig_guarded(sig) && !sigismember(block, sig)) {
            struct ls_handover_rec rec = {-1, F_UNLCK, 0, sig, F_OWNER_PID, 0};
            *len = ls_handover_add(var, size, *len, &rec);
            sigaddset(block, sig);
            handed++;
        }
    return handed;
}

/* Everything the shim does before exec with ENVP.  Async-signal-safe (mmap); errno kept. */
static void exec_prepare(struct exec_prep *x, char *const *envp, const char *libc_reads)
{
    memset(x, 0, sizeof *x);
    envp = unswapped(envp);
    x->envp = envp;
    /* never a registration, and no signal guarded since an earlier exec
     * (see hand_over_guarded): an exec as without the shim (no mask
     * change, no mapping, the caller's environment).  A process whose
     * registrations are all gone still prepares, under the lock: read
     * without it, another thread's re-home could look like none. */
    uint32_t high = ls_reg_high_water();
    if (!ls_cfg.enabled || ls_shared_child() || (!high && !ls_sig_any_guarded()))
        return;
    /* LIBC_READS: a string libc reads itself before any system call (the
     * file execvpe searches for); if it is bad, libc faults there, and a
     * SIGSEGV handler leaving by siglongjmp must find nothing prepared */
    char first;
    if (libc_reads && ls_sys_peek(&first, libc_reads, 1) != 1)
        return;
    int saved_errno = errno;
    struct env_info env;
    int env_ok = env_scan(envp, &env) == 0;
    size_t nenv = env_ok ? env.n : 0;
    size_t varsize = 64 * (size_t)high + 64 + 16 * LS_NSIG; /* a guard's record: < 16 */
    x->memlen = (nenv + 2) * sizeof(char *) + varsize + 2 * high * sizeof(struct ls_undo);
    x->mem = ls_sys_map(x->memlen);
    if (!x->mem) {
        ls_degrade("out of memory before exec: registrations not prepared");
        errno = saved_errno;
        return;
    }
    char **newenv = x->mem;
    char *var = (char *)(newenv + nenv + 2);
    x->undo = (struct ls_undo *)(var + varsize);

    struct ls_crit c;
    sigset_t block;
    sigemptyset(&block);
    ls_crit_enter(&c);
    x->saved = c.saved;
    size_t len = ls_handover_begin(var, varsize, mask_bits(&c.saved));
    int handed = ls_reg_exec_prepare(ls_cfg.exec_policy, var, varsize, &len, &block,
                                     x->undo, (int)(2 * high), &x->nundo);
    if (ls_cfg.exec_policy == LS_EXEC_HANDOVER)
        handed += hand_over_guarded(var, varsize, &len, &block);
    if (ls_cfg.exec_policy == LS_EXEC_HANDOVER && handed > 0) {
        if (len && env_ok && env.preload)
            x->envp = env_with(envp, nenv, var, newenv);
        /* whether or not the new image adopts them, it must not be killed:
         * blocked from before the lock is dropped until the exec */
        sigorset(&c.saved, &c.saved, &block);
        x->blocked = 1;
    }
    ls_crit_leave(&c);
    errno = saved_errno;
}

/* The exec failed: put everything back, the registrations first, under the
 * lock, and the caller's mask last.  errno kept. */
static void exec_failed(struct exec_prep *x)
{
    int saved = errno;
    if (x->nundo || x->blocked) {
        struct ls_crit c;
        ls_crit_enter(&c);
        ls_reg_undo(x->undo, x->nundo);
        ls_sig_watch_all(ls_reg_take_signals());
        if (x->blocked)
            c.saved = x->saved;
        ls_crit_leave(&c);
    }
    if (x->mem)
        munmap(x->mem, x->memlen);
    errno = saved;
}

/* ---- the exec family ----------------------------------------------------------- */

LS_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    struct exec_prep x;
    exec_prepare(&x, envp, NULL);
    int r = LS_REAL(execve)(path, argv, x.envp);
    exec_failed(&x);
    return r;
}

LS_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    struct exec_prep x;
    exec_prepare(&x, envp, NULL);
    int r = LS_REAL(execveat)(dirfd, path, argv, x.envp, flags);
    exec_failed(&x);
    return r;
}

LS_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    struct exec_prep x;
    exec_prepare(&x, envp, NULL);
    int r = LS_REAL(fexecve)(fd, argv, x.envp);
    exec_failed(&x);
    return r;
}

LS_EXPORT int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

LS_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    struct exec_prep x;
    exec_prepare(&x, envp, file);
    int r = LS_REAL(execvpe)(file, argv, x.envp);
    exec_failed(&x);
    return r;
}

LS_EXPORT int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

/* execl, execle, execlp: gather the variadic arguments into an argv on the
 * stack (exec is async-signal-safe: no malloc), then as the v forms. */
#define LS_COLLECT_ARGV(argv, arg0, ap)                          \
    size_t argc_ = 1;                                            \
    va_start(ap, arg0);                                          \
    while (va_arg(ap, const char *))                             \
        argc_++;                                                 \
    va_end(ap);                                                  \
    const char *argv[argc_ + 1];                                 \
    argv[0] = arg0;                                              \
    va_start(ap, arg0);                                          \
    for (size_t i_ = 1; i_ <= argc_; i_++)                       \
        argv[i_] = va_arg(ap, const char *);

LS_EXPORT int execl(const char *path, const char *arg0, ...)
{
    va_list ap;
    LS_COLLECT_ARGV(argv, arg0, ap)
    va_end(ap);
    return execve(path, (char *const *)argv, environ);
}

LS_EXPORT int execlp(const char *file, const char *arg0, ...)
{
    va_list ap;
    LS_COLLECT_ARGV(argv, arg0, ap)
    va_end(ap);
    return execvpe(file, (char *const *)argv, environ);
}

LS_EXPORT int execle(const char *path, const char *arg0, ...)
{
    va_list ap;
    LS_COLLECT_ARGV(argv, arg0, ap)
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, (char *const *)argv, envp);
}

/* ---- spawning -------------------------------------------------------------------- */

/* Around a spawn: the signals of this process's live registrations are
 * blocked in the calling thread (and so in the child, until its own image
 * decides), and a child that loads the shim gets the caller's mask back
 * through a hand-over variable with no registrations.
 *
 * Not when the spawn attributes set the child's mask
 * (POSIX_SPAWN_SETSIGMASK): glibc gives the child exactly that mask just
 * before its exec, so blocking here would not reach it, and the variable
 * would make the child's shim replace it with the caller's.  The
 * application chose the child's mask; the shim adds nothing.
 * POSIX_SPAWN_SETSIGDEF needs nothing: the child's dispositions are glibc's
 * doing (handlers, the trampoline among them, become SIG_DFL in the child),
 * the shim's variable carries no registration, so its image guards nothing.
 *
 * Nothing here changes errno, and the application's pointers (attributes,
 * environment) are read only through ls_sys_peek: where they are bad the
 * shim stands aside and glibc fails, or crashes, as without it. */
struct spawn_prep {
    sigset_t saved;  /* the caller's mask */
    int blocked;
    void *mem;       /* environment copy with the variable */
    size_t memlen;
    char *const *envp;
};

/* Do the attributes ATTR (an application pointer, maybe NULL) leave the
 * child's mask to the shim?  0 if they set it, or cannot be read.
 * Async-signal-safe; errno kept. */
static int spawn_mask_free(const posix_spawnattr_t *attr)
{
    if (!attr)
        return 1;
    posix_spawnattr_t a;
    short flags;
    if (ls_sys_peek(&a, attr, sizeof a) != sizeof a)
        return 0;
    return posix_spawnattr_getflags(&a, &flags) == 0 && !(flags & POSIX_SPAWN_SETSIGMASK);
}

/* Can the string S (an application pointer) be read to its end, or at
 * least its first 16 bytes?  Async-signal-safe; errno kept. */
static int str_readable(const char *s)
{
    char head[16];
    size_t len = ls_sys_peek(head, s, sizeof head);
    return len == sizeof head || (len && memchr(head, 0, len));
}

/* LIBC_READS: a string libc reads itself before its spawn (popen's mode):
 * if it is bad, libc faults there, and a SIGSEGV handler leaving by
 * siglongjmp must find nothing prepared (environ swapped, signals blocked). */
static void spawn_prepare(struct spawn_prep *x, const posix_spawnattr_t *attr, char *const *envp,
                          const char *libc_reads)
{
    memset(x, 0, sizeof *x);
    envp = unswapped(envp);
    x->envp = envp;
    if (!ls_cfg.enabled || !ls_reg_high_water())
        return;
    if (libc_reads && !str_readable(libc_reads))
        return;
    int saved_errno = errno;
    sigset_t block;
    sigemptyset(&block);
    ls_reg_live_signals(&block);
    /* (not sigisemptyset: glibc 2.36 answers 1 for a set of real-time signals) */
    if (!mask_bits(&block) || !spawn_mask_free(attr))
        goto out;
    pthread_sigmask(SIG_BLOCK, &block, &x->saved);
    x->blocked = 1;
    struct env_info env;
    if (env_scan(envp, &env) < 0 || !env.preload)
        goto out; /* a bad envp: the child's exec fails (EFAULT) as without the shim */
    size_t varsize = 64;
    x->memlen = (env.n + 2) * sizeof(char *) + varsize;
    x->mem = ls_sys_map(x->memlen);
    if (!x->mem) {
        /* a child the variable cannot reach would keep the signals blocked:
         * spawn as the application would without the shim instead */
        pthread_sigmask(SIG_SETMASK, &x->saved, NULL);
        x->blocked = 0;
        ls_degrade("out of memory before spawning: notification signals not blocked");
        goto out;
    }
    char **newenv = x->mem;
    char *var = (char *)(newenv + env.n + 2);
    if (ls_handover_begin(var, varsize, mask_bits(&x->saved)))
        x->envp = env_with(envp, env.n, var, newenv);
out:
    errno = saved_errno;
}

static void spawn_done(struct spawn_prep *x, int keep_mem)
{
    int e = errno;
    if (x->mem && !keep_mem)
        munmap(x->mem, x->memlen);
    if (x->blocked)
        pthread_sigmask(SIG_SETMASK, &x->saved, NULL);
    errno = e;
}

LS_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    struct spawn_prep x;
    spawn_prepare(&x, attr, envp, NULL);
    int r = LS_REAL(posix_spawn)(pid, path, fa, attr, argv, x.envp);
    spawn_done(&x, 0);
    return r;
}

LS_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    struct spawn_prep x;
    spawn_prepare(&x, attr, envp, NULL);
    int r = LS_REAL(posix_spawnp)(pid, file, fa, attr, argv, x.envp);
    spawn_done(&x, 0);
    return r;
}

/* X (prepared with environ) is about to spawn: share or make the swap. */
static void environ_enter(struct spawn_prep *x)
{
    struct ls_crit c;
    ls_crit_enter(&c);
    env_swap.users++;
    if (!env_swap.before && x->mem && x->envp != (char *const *)environ) {
        __atomic_store_n(&env_swap.before, environ, __ATOMIC_RELEASE);
        env_swap.memlen = x->memlen;
        __atomic_store_n(&env_swap.mem, x->mem, __ATOMIC_RELEASE);
        environ = (char **)x->envp;
        x->mem = NULL; /* the swap owns it now */
    }
    ls_crit_leave(&c);
}

static void environ_leave(void)
{
    struct ls_crit c;
    void *unmap = NULL;
    size_t len = 0;
    ls_crit_enter(&c);
    if (--env_swap.users == 0 && env_swap.before) {
        if (environ == (char **)env_swap.mem) {
            environ = env_swap.before;
            unmap = env_swap.mem;
            len = env_swap.memlen;
        } /* else replaced meanwhile: the copy stays mapped */
        __atomic_store_n(&env_swap.mem, NULL, __ATOMIC_RELEASE);
        __atomic_store_n(&env_swap.before, NULL, __ATOMIC_RELEASE);
    }
    ls_crit_leave(&c);
    if (unmap) {
        int e = errno;
        munmap(unmap, len);
        errno = e;
    }
}

LS_EXPORT FILE *popen(const char *command, const char *type)
{
    struct spawn_prep x;
    if (!str_readable(type))
        return LS_REAL(popen)(command, type); /* glibc faults on it: nothing prepared */
    spawn_prepare(&x, NULL, environ, NULL);
    environ_enter(&x);
    FILE *r = LS_REAL(popen)(command, type);
    environ_leave();
    spawn_done(&x, 0);
    return r;
}

LS_EXPORT int system(const char *command)
{
    struct spawn_prep x;
    spawn_prepare(&x, NULL, environ, NULL);
    environ_enter(&x);
    int r = LS_REAL(system)(command);
    environ_leave();
    spawn_done(&x, 0);
    return r;
}

LS_EXPORT int daemon(int nochdir, int noclose)
{
    struct spawn_prep x;
    spawn_prepare(&x, NULL, NULL, NULL); /* no exec: only the mask, restored in the daemon too */
    /* glibc's daemon forks by an internal call, which no wrapper sees: the
     * fork's bracket goes around it all (the parent _exits inside) */
    struct ls_fork f;
    int idle = ls_fork_idle();
    pid_t before = 0;
    if (!idle) {
        ls_fork_prepare(&f);
        before = ls_sys_getpid();
    }
    int r = LS_REAL(daemon)(nochdir, noclose);
    if (!idle) {
        int saved = errno;
        /* -1 comes from the parent (no fork) or from the daemon (setsid) */
        ls_fork_done(&f, ls_sys_getpid() != before);
        errno = saved;
    }
    spawn_done(&x, 0);
    return r;
}

/* ---- the new image's side ---------------------------------------------------------- */

static void adopt_one(const struct ls_handover_rec *rec, void *arg)
{
    (void)arg;
    int guard = ls_reg_adopt(rec->fd, rec->lease, rec->async, rec->sig,
                             &(struct f_owner_ex){rec->owner_type, rec->owner_pid});
    ls_sig_watch_all(ls_reg_take_signals());
    if (guard)
        ls_sig_guard(guard);
}

void ls_exec_adopt(void)
{
    const char *v = secure_getenv(LS_HANDOVER_VAR);
    if (!v)
        return;
    int saved_errno = errno; /* the new image's errno is not the shim's to set */
    uint64_t mask = 0;
    struct ls_crit c;
    ls_crit_enter(&c);
    int n = ls_handover_parse(v, &mask, adopt_one, NULL);
    ls_crit_leave(&c);
    unsetenv(LS_HANDOVER_VAR);
    if (n < 0) {
        ls_log(LS_LOG_WARN, "malformed %s: registrations not adopted", LS_HANDOVER_VAR);
        errno = saved_errno;
        return;
    }
    /* the trampolines are in place: the caller's mask from before the exec */
    sigset_t set;
    sigemptyset(&set);
    for (int sig = 1; sig < LS_NSIG; sig++)
        if (mask & (1ull << (sig - 1)))
            sigaddset(&set, sig);
    pthread_sigmask(SIG_SETMASK, &set, NULL);
    errno = saved_errno;
}
