/* fdwrap.c - the exported wrappers of every call that makes, changes or
 * drops a descriptor (SPEC §2, §3, §8).
 *
 * Each wrapper's fast path, for descriptors the shim does not track, is one
 * table read and a tail call into libc.  The tracked path takes the lock with
 * every signal blocked, applies the rules (registry.c) and calls libc with
 * the application's errno restored, so results are exactly libc's.
 */
#include "alias.h"
#include "claims.h"
#include "config.h"
#include "fdtable.h"
#include "lock.h"
#include "policy.h"
#include "real.h"
#include "reg_move.h"
#include "reg_notify.h"
#include "registry.h"
#include "self.h"
#include "sigstate.h"
#include "sys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define LS_EXPORT __attribute__((visibility("default")))

/* glibc exports these internal aliases without declaring them. */
int __close(int fd);
int __dup2(int oldfd, int newfd);

#define LS_LIKELY(x) __builtin_expect(!!(x), 1)

typedef int (*close_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*close_range_fn)(unsigned, unsigned, int);
typedef FILE *(*freopen_fn)(const char *, const char *, FILE *);

/* ---- raw system calls standing in for libc when the app used syscall() ---- */

static int sys_dup3(int oldfd, int newfd, int flags)
{
    return (int)LS_REAL(syscall)(SYS_dup3, (long)oldfd, (long)newfd, (long)flags);
}

#ifdef SYS_dup2
static int sys_dup2(int oldfd, int newfd)
{
    return (int)LS_REAL(syscall)(SYS_dup2, (long)oldfd, (long)newfd);
}
#endif

static int sys_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return (int)LS_REAL(syscall)(SYS_fcntl, (long)fd, (long)cmd, arg);
}

#ifdef SYS_fcntl64
/* 32-bit ABIs (i386) have both: SYS_fcntl64 knows the F_*64 lock commands,
 * and what glibc's fcntl64 calls.  The same number goes to the kernel. */
static int sys_fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return (int)LS_REAL(syscall)(SYS_fcntl64, (long)fd, (long)cmd, arg);
}
#endif

static int sys_close_range(unsigned first, unsigned last, int flags)
{
    return (int)LS_REAL(syscall)(SYS_close_range, (long)first, (long)last, (long)flags);
}

/* ---- close ------------------------------------------------------------------ */

/* Apply the rules to the tracked descriptors among FIRST..LAST, which are
 * about to go.  A move a writer holds off for a moment is tried again,
 * waiting outside the lock, for at most LS_MOVE_WAIT_NS.  Async-signal-safe;
 * errno kept. */
static void going_now(unsigned first, unsigned last)
{
    unsigned long long start = 0;
    unsigned tries = 0;
    int final = 0, later;
    do {
        struct ls_crit c;
        ls_crit_enter(&c);
        later = ls_reg_going_range(first, last, final);
        ls_crit_leave(&c);
        if (later && !ls_reg_move_pause(&start, &tries))
            final = 1;
    } while (later);
}

/* Tracked FD goes away through OP.  Async-signal-safe; errno as OP leaves it. */
static int close_tracked(int fd, close_fn op)
{
    if (ls_shared_child())
        return op(fd); /* a vfork child must not change the parent's table */
    if (ls_fd_reg(fd))
        going_now((unsigned)fd, (unsigned)fd);
    ls_fd_mark_closing((unsigned)fd, (unsigned)fd);
    ls_fd_quiesce(fd); /* no handler elsewhere may still be using the number */
    int r = op(fd);    /* close always frees the number, so nothing can be undone */
    ls_fd_settle((unsigned)fd, (unsigned)fd);
    return r;
}

LS_EXPORT int close(int fd)
{
    ls_alias_gone(fd);
    if (LS_LIKELY(ls_fd_quiet(fd)))
        return LS_REAL(close)(fd);
    return close_tracked(fd, LS_REAL(close));
}

LS_EXPORT int __close(int fd)
{
    ls_alias_gone(fd);
    if (LS_LIKELY(ls_fd_quiet(fd)))
        return LS_REAL(__close)(fd);
    return close_tracked(fd, LS_REAL(__close));
}

/* ---- dup family ------------------------------------------------------------- */

/* NEWFD now names SRC's file: remember the alias.  Async-signal-safe; errno kept. */
static void note_alias(int src, int newfd)
{
    if (ls_shared_child())
        return;
    struct ls_crit c;
    ls_crit_enter(&c);
    ls_reg_note_alias(src, newfd);
    ls_crit_leave(&c);
}

LS_EXPORT int dup(int fd)
{
    int r = LS_REAL(dup)(fd);
    if (r >= 0) {
        ls_alias_note(fd, r);
        if (!LS_LIKELY(!ls_fd_reg(fd)))
            note_alias(fd, r);
    }
    return r;
}

/* RLIMIT_NOFILE's soft limit (all ones if unknown).  Async-signal-safe.
 * prlimit64 writes two 64-bit values whatever the ABI's rlim_t (32 bits on
 * i386 without _FILE_OFFSET_BITS=64). */
static unsigned long nofile_limit(void)
{
    struct {
        uint64_t cur, max;
    } rl;
    if (LS_REAL(syscall)(SYS_prlimit64, 0L, (long)RLIMIT_NOFILE, NULL, &rl) < 0)
        return ~0ul;
    return rl.cur > ~0ul ? ~0ul : (unsigned long)rl.cur;
}

/* dup2 (through OP2; OP3 NULL) or dup3 (through OP3) where OLDFD or NEWFD is
 * tracked.  When NEWFD carries a registration, the arguments are checked
 * first (a call that fails on them touches nothing); then the rules are
 * applied to NEWFD *before* the call (R1) and it leaves the table, handlers
 * still using it on other threads are waited for, and if the call fails
 * anyway (a race in the kernel), every change is undone (R4).  The shim
 * holds no descriptor of its own across the call: another thread's dup2()
 * onto that number would silently take it.  Async-signal-safe; result and
 * errno exactly libc's. */
static int dup2_tracked(int oldfd, int newfd, int flags, dup2_fn op2, dup3_fn op3)
{
    int is_dup3 = op3 != NULL;
    if (ls_shared_child())
        return is_dup3 ? op3(oldfd, newfd, flags) : op2(oldfd, newfd);
    int saved = errno, r, err, nundo = 0, final = 0;
    unsigned long long start = 0;
    unsigned tries = 0;
    struct ls_undo undo[2];
    struct ls_crit c;
    uint32_t id_old, id_new;
    int replacing;
    for (;;) {
        ls_crit_enter(&c);
        nundo = 0;
        id_old = ls_fd_reg(oldfd);
        id_new = ls_fd_reg(newfd);
        replacing = 0;
        if (!id_new || oldfd == newfd || id_new == id_old)
            break;
        int old_open = ls_sys_fcntl(oldfd, F_GETFD, 0) >= 0;
        if (ls_policy_dup_args_error(is_dup3, oldfd, newfd, flags, old_open, nofile_limit()))
            break;
        nundo = ls_reg_replace(newfd, undo, 2, final);
        if (nundo >= 0) {
            replacing = 1;
            break;
        }
        /* a writer holds the lease off for a moment: wait outside the lock */
        ls_crit_leave(&c);
        if (!ls_reg_move_pause(&start, &tries))
            final = 1;
    }
    int graves = oldfd != newfd && ls_fd_mark_closing((unsigned)newfd, (unsigned)newfd);
    if (replacing || graves || (oldfd != newfd && ls_fd_inflight(newfd))) {
        ls_crit_leave(&c);
        ls_fd_quiesce(newfd); /* no handler elsewhere may still be using the number */
        ls_crit_enter(&c);
    }
    errno = saved;
    r = is_dup3 ? op3(oldfd, newfd, flags) : op2(oldfd, newfd);
    err = errno;
    if (r < 0) {
        ls_reg_undo(undo, nundo);
        ls_sig_watch_all(ls_reg_take_signals());
    } else {
        ls_alias_note(oldfd, newfd);
    }
    if (r >= 0 && id_old && oldfd != newfd)
        ls_reg_note_alias(oldfd, newfd);
    if (replacing || graves)
        ls_fd_settle((unsigned)newfd, (unsigned)newfd);
    ls_crit_leave(&c);
    errno = err;
    return r;
}

/* dup2 and __dup2 through OP.  Inlined, so that the untracked steady
 * state is a tail call into libc. */
static inline __attribute__((always_inline)) int dup2_common(dup2_fn op, int oldfd, int newfd)
{
    if (LS_LIKELY(!ls_fd_reg(oldfd) && ls_fd_quiet(newfd))) {
        if (LS_LIKELY(ls_alias_pre_dup(oldfd, newfd)))
            return op(oldfd, newfd);
        int r = op(oldfd, newfd);
        if (r >= 0)
            ls_alias_note(oldfd, newfd);
        return r;
    }
    return dup2_tracked(oldfd, newfd, -1, op, NULL);
}

LS_EXPORT int dup2(int oldfd, int newfd)
{
    return dup2_common(LS_REAL(dup2), oldfd, newfd);
}

LS_EXPORT int __dup2(int oldfd, int newfd)
{
    return dup2_common(LS_REAL(__dup2), oldfd, newfd);
}

LS_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    if (LS_LIKELY(!ls_fd_reg(oldfd) && ls_fd_quiet(newfd))) {
        if (LS_LIKELY(ls_alias_pre_dup(oldfd, newfd)))
            return LS_REAL(dup3)(oldfd, newfd, flags); /* a tail call */
        int r = LS_REAL(dup3)(oldfd, newfd, flags);
        if (r >= 0)
            ls_alias_note(oldfd, newfd);
        return r;
    }
    return dup2_tracked(oldfd, newfd, flags, NULL, LS_REAL(dup3));
}

/* ---- fcntl ------------------------------------------------------------------ */

/* Would CMD with ARG on an untracked descriptor create a registration? */
static int registers(int cmd, long arg)
{
    if (cmd == F_SETLEASE)
        return arg == F_RDLCK || arg == F_WRLCK;
    return cmd == F_SETFL && (arg & O_ASYNC);
}

/* The signal whose notifications CMD with ARG can start (the new
 * registration's, whose F_GETSIG is SETSIG, or a tracked descriptor's new
 * F_SETSIG), 0 if none. */
static int signal_started(int cmd, long arg, long setsig)
{
    long sig = cmd == F_SETSIG ? arg : registers(cmd, arg) ? setsig : -1;
    return sig < 0 ? 0 : sig ? (int)sig : SIGIO;
}

/* A state-changing command on a tracked FD, or one that registers FD.
 * Async-signal-safe; result and errno exactly OP's. */
static __attribute__((noinline)) int fcntl_tracked(fcntl_fn op, int fd, int cmd, void *arg)
{
    if (ls_shared_child())
        return op(fd, cmd, arg);
    int saved = errno;
    struct ls_crit c;
    ls_crit_enter(&c);
    long was = cmd == F_SETFL ? ls_sys_fcntl(fd, F_GETFL, 0) : 0;
    /* the kernel may notify as soon as the call takes effect, before the
     * table notes it: the trampoline must hold the signal by then, or that
     * notification reaches the application's handler unchecked and
     * unclaimed, and a close right after this call does not wait for it */
    int reg = registers(cmd, (long)arg);
    long setsig = reg ? ls_sys_fcntl(fd, F_GETSIG, 0) : -1;
    ls_sig_watch(signal_started(cmd, (long)arg, setsig));
    if (reg) {
        /* a break may come before the table has it: valid (pending), and
         * its handler must be able to claim FD, whose page may be new */
        ls_fd_page_map(fd);
        struct stat st;
        int known = ls_sys_fstat(fd, &st) == 0;
        ls_reg_pending_begin(fd, known ? &st : NULL);
        if (known)
            ls_reg_hint(fd, &st, (int)setsig); /* the registration need not ask again */
    }
    errno = saved;
    int r = op(fd, cmd, arg);
    int err = errno;
    if (r >= 0) {
        switch (cmd) {
        case F_SETLEASE:
            ls_reg_note_lease(fd, (int)(long)arg);
            if ((long)arg != F_UNLCK) {
                /* the kernel makes the caller the owner only where the
                 * OFD had none: an owner set before (another process: R3)
                 * stays */
                struct f_owner_ex o;
                if (ls_sys_fcntl(fd, F_GETOWN_EX, (long)&o) == 0)
                    ls_reg_note_owner(fd, &o);
            }
            break;
        case F_SETSIG:
            ls_reg_note_sig(fd, (int)(long)arg);
            break;
        case F_SETOWN: {
            struct f_owner_ex o = ls_policy_owner_of_setown((long)arg);
            ls_reg_note_owner(fd, &o);
            break;
        }
        case F_SETOWN_EX:
            ls_reg_note_owner(fd, (const struct f_owner_ex *)arg);
            break;
        case F_SETFL:
            /* what the kernel did, not what was asked: a file without
             * ->fasync (a regular file) ignores O_ASYNC and succeeds */
            if (was >= 0 && ls_policy_async_switch(was, (long)arg)) {
                long now = ls_sys_fcntl(fd, F_GETFL, 0);
                if (now >= 0 && ls_policy_async_switch(was, now))
                    ls_reg_note_async(fd, (now & O_ASYNC) != 0);
            }
            break;
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
            ls_alias_note(fd, r);
            ls_reg_note_alias(fd, r);
            break;
        }
    }
    /* a registration the shim could not track is the application's: what
     * the number carried before proves nothing about its notifications */
    if (r >= 0 && registers(cmd, (long)arg) && !ls_fd_reg(fd))
        ls_fd_unbury(fd);
    ls_reg_pending_end();
    ls_reg_hint_clear();
    ls_sig_watch_all(ls_reg_take_signals());
    ls_crit_leave(&c);
    errno = err;
    return r;
}

/* Every fcntl entry point.  The third argument is forwarded exactly as the
 * caller passed it (an int, a long or a pointer all travel as one word).
 * Inlined, so that a command the shim does not track is a tail call. */
static inline __attribute__((always_inline)) int fcntl_common(fcntl_fn op, int fd, int cmd,
                                                              void *arg)
{
    switch (cmd) {
    case F_NOTIFY:
        ls_fd_unbury(fd); /* dnotify: the application's own notifications */
        return op(fd, cmd, arg);
    case F_SETLEASE:
    case F_SETSIG:
    case F_SETOWN:
    case F_SETOWN_EX:
    case F_SETFL:
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        break;
    default:
        return op(fd, cmd, arg);
    }
    if (LS_LIKELY(!ls_fd_reg(fd)) && !(ls_cfg.enabled && registers(cmd, (long)arg)) &&
        !((cmd == F_SETLEASE || cmd == F_SETFL) &&
          __atomic_load_n(&ls_reg_pending_count, __ATOMIC_SEQ_CST))) {
        if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
            return op(fd, cmd, arg);
        int r = op(fd, cmd, arg);
        if (r >= 0)
            ls_alias_note(fd, r);
        return r;
    }
    return fcntl_tracked(op, fd, cmd, arg);
}

/* The exported fcntl, fcntl64 and __fcntl are defined without "...": on
 * the SysV ABIs the shim is built for (x86-64, i386, AArch64 Linux) a
 * variadic caller passes the third argument exactly where a third parameter
 * is read (a register, or on i386 the stack slot after CMD),
 * and with no va_list to set up the untracked path is a plain jump to libc
 * (the C names differ from libc's declarations; the symbols are libc's). */
#define LS_FCNTL_WRAPPER(cname, sym)                                              \
    LS_EXPORT int cname(int fd, int cmd, void *arg) __asm__(#sym);                \
    int cname(int fd, int cmd, void *arg)                                         \
    {                                                                             \
        return fcntl_common(LS_REAL(sym), fd, cmd, arg);                          \
    }
LS_FCNTL_WRAPPER(ls_fcntl_entry, fcntl)
LS_FCNTL_WRAPPER(ls_fcntl64_entry, fcntl64)
LS_FCNTL_WRAPPER(ls___fcntl_entry, __fcntl)
#undef LS_FCNTL_WRAPPER

/* ---- ioctl ------------------------------------------------------------------ */

/* FIOASYNC switches on I/O signals the shim does not track (SPEC §2 tracks
 * them through F_SETFL): the number's grave is forgotten, so that they
 * reach the application as the kernel sends them.  Every request is passed
 * on with its third argument untouched, as fcntl's (see below). */
LS_EXPORT int ls_ioctl_entry(int fd, unsigned long req, void *arg) __asm__("ioctl");
int ls_ioctl_entry(int fd, unsigned long req, void *arg)
{
    if (__builtin_expect(req == FIOASYNC, 0))
        ls_fd_unbury(fd);
    return LS_REAL(ioctl)(fd, req, arg);
}

/* ---- ranges ----------------------------------------------------------------- */

/* Descriptors FIRST..LAST are about to go; apply the rules to those tracked.
 * 1 if any was (ls_fd_settle once they have gone).  Async-signal-safe;
 * errno kept. */
static int going_range(unsigned first, unsigned last)
{
    int tracked = ls_fd_next_tracked(first, last) >= 0 && !ls_shared_child();
    if (tracked)
        going_now(first, last);
    int graves = ls_fd_mark_closing(first, last) > 0;
    if (tracked || graves || __atomic_load_n(&ls_inflight_total, __ATOMIC_SEQ_CST))
        ls_fd_quiesce_range(first, last);
    return tracked || graves;
}

/* After a call that made FIRST..LAST go (GOING: going_range ran first). */
static void gone_range(int going, unsigned first, unsigned last)
{
    if (going) {
        int saved = errno;
        ls_fd_settle(first, last);
        errno = saved;
    }
}

static int close_range_common(close_range_fn op, unsigned first, unsigned last, int flags)
{
    /* bad arguments fail in the kernel before anything goes; CLOEXEC only
     * marks descriptors, the exec handling deals with them later */
    unsigned known = CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC;
    int closes = !((unsigned)flags & ~known) && first <= last &&
                 !((unsigned)flags & CLOSE_RANGE_CLOEXEC);
    if (closes)
        ls_alias_gone_range(first, last);
    int going = closes && going_range(first, last);
    int r = op(first, last, flags);
    gone_range(going, first, last);
    return r;
}

LS_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    return close_range_common(LS_REAL(close_range), first, last, flags);
}

LS_EXPORT void closefrom(int lowfd)
{
    unsigned first = lowfd < 0 ? 0u : (unsigned)lowfd;
    ls_alias_gone_range(first, ~0u);
    int going = going_range(first, ~0u);
    LS_REAL(closefrom)(lowfd);
    gone_range(going, first, ~0u);
}

/* ---- stdio ------------------------------------------------------------------ */

/* FP's descriptor, -1 for a stream without one (fmemopen, open_memstream,
 * fopencookie), for which fileno sets errno: kept.  A bad FP faults here as
 * it does in libc, outside the lock. */
static int stream_fd(FILE *fp)
{
    int saved = errno;
    int fd = fp ? fileno_unlocked(fp) : -1;
    errno = saved;
    return fd;
}

LS_EXPORT int fclose(FILE *fp)
{
    int fd = stream_fd(fp);
    if (fd >= 0)
        ls_alias_gone(fd);
    if (LS_LIKELY(fd < 0 || ls_fd_quiet(fd)))
        return LS_REAL(fclose)(fp);
    int going = going_range((unsigned)fd, (unsigned)fd);
    int r = LS_REAL(fclose)(fp);
    gone_range(going, (unsigned)fd, (unsigned)fd);
    return r;
}

/* freopen always closes FP's descriptor, whether or not it then opens the
 * new file (glibc 2.36): the rules apply before it, as for close.  Its
 * number may be handed straight back for the new file, which the grave's
 * file check then tells apart. */
static FILE *freopen_common(freopen_fn op, const char *path, const char *mode, FILE *fp)
{
    int fd = stream_fd(fp);
    if (fd >= 0)
        ls_alias_gone(fd);
    if (LS_LIKELY(fd < 0 || ls_fd_quiet(fd)))
        return op(path, mode, fp);
    int going = going_range((unsigned)fd, (unsigned)fd);
    FILE *r = op(path, mode, fp);
    gone_range(going, (unsigned)fd, (unsigned)fd);
    return r;
}

LS_EXPORT FILE *freopen(const char *path, const char *mode, FILE *fp)
{
    return freopen_common(LS_REAL(freopen), path, mode, fp);
}

LS_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *fp)
{
    return freopen_common(LS_REAL(freopen64), path, mode, fp);
}

/* glibc's fcloseall flushes every stream but closes no descriptor (checked on
 * glibc 2.36), so no registration goes away: forwarded for the record. */
LS_EXPORT int fcloseall(void)
{
    return LS_REAL(fcloseall)();
}

/* ---- descriptors received ------------------------------------------------- */

/* The descriptors a successful recvmsg put in MSG (SCM_RIGHTS) may name
 * an open file description this process already has under another number:
 * the alias index marks them of unknown provenance (alias.h).  MSG was
 * just read and written by the kernel.  Async-signal-safe; errno kept. */
static void received(const struct msghdr *msg)
{
    if (msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char *p = CMSG_DATA(c);
        for (size_t i = 0; i < n; i++) {
            int fd;
            __builtin_memcpy(&fd, p + i * sizeof fd, sizeof fd);
            ls_alias_unknown(fd);
        }
    }
}

LS_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t r = LS_REAL(recvmsg)(fd, msg, flags);
    if (__builtin_expect(ls_alias_on(), 0) && r >= 0)
        received(msg);
    return r;
}

LS_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
                       struct timespec *timeout)
{
    int r = LS_REAL(recvmmsg)(fd, vec, vlen, flags, timeout);
    if (__builtin_expect(ls_alias_on(), 0))
        for (int i = 0; i < r; i++)
            received(&vec[i].msg_hdr);
    return r;
}

/* A descriptor copied from another process (maybe from this one). */
LS_EXPORT int pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
{
    int r = LS_REAL(pidfd_getfd)(pidfd, targetfd, flags);
    if (r >= 0)
        ls_alias_unknown(r);
    return r;
}

/* ---- syscall() ---------------------------------------------------------------- */

/* Six arguments are read whatever the caller passed, as glibc's own
 * syscall() does (the sixth comes from the caller's stack, which
 * AddressSanitizer would take for an overflow of the caller's frame). */
LS_EXPORT __attribute__((no_sanitize_address)) long syscall(long nr, ...)
{
    va_list ap;
    va_start(ap, nr);
    long a0 = va_arg(ap, long), a1 = va_arg(ap, long), a2 = va_arg(ap, long);
    long a3 = va_arg(ap, long), a4 = va_arg(ap, long), a5 = va_arg(ap, long);
    va_end(ap);
    int fd = (int)a0;
    switch (nr) {
    case SYS_close:
        ls_alias_gone(fd);
        if (ls_fd_quiet(fd))
            break;
        return close_tracked(fd, ls_sys_close);
#ifdef SYS_dup2
    case SYS_dup2:
        if (!ls_fd_reg(fd) && ls_fd_quiet((int)a1)) {
            long r = LS_REAL(syscall)(SYS_dup2, a0, a1);
            if (r >= 0)
                ls_alias_note(fd, (int)a1);
            return r;
        }
        return dup2_tracked(fd, (int)a1, -1, sys_dup2, NULL);
#endif
    case SYS_dup3:
        if (!ls_fd_reg(fd) && ls_fd_quiet((int)a1)) {
            long r = LS_REAL(syscall)(SYS_dup3, a0, a1, a2);
            if (r >= 0)
                ls_alias_note(fd, (int)a1);
            return r;
        }
        return dup2_tracked(fd, (int)a1, (int)a2, NULL, sys_dup3);
    case SYS_dup: {
        long r = LS_REAL(syscall)(SYS_dup, a0);
        if (r >= 0) {
            ls_alias_note(fd, (int)r);
            if (ls_fd_reg(fd))
                note_alias(fd, (int)r);
        }
        return r;
    }
    case SYS_fcntl:
        return fcntl_common(sys_fcntl, fd, (int)a1, (void *)a2);
#ifdef SYS_fcntl64
    case SYS_fcntl64:
        return fcntl_common(sys_fcntl64, fd, (int)a1, (void *)a2);
#endif
    case SYS_close_range:
        return close_range_common(sys_close_range, (unsigned)a0, (unsigned)a1, (int)a2);
    case SYS_recvmsg: {
        long r = LS_REAL(syscall)(nr, a0, a1, a2);
        if (ls_alias_on() && r >= 0)
            received((const struct msghdr *)a1);
        return r;
    }
    case SYS_recvmmsg: {
        long r = LS_REAL(syscall)(nr, a0, a1, a2, a3, a4);
        if (ls_alias_on())
            for (long i = 0; i < r; i++)
                received(&((const struct mmsghdr *)a1)[i].msg_hdr);
        return r;
    }
#ifdef SYS_pidfd_getfd
    case SYS_pidfd_getfd: {
        long r = LS_REAL(syscall)(nr, a0, a1, a2);
        if (r >= 0)
            ls_alias_unknown((int)r);
        return r;
    }
#endif
    }
    return LS_REAL(syscall)(nr, a0, a1, a2, a3, a4, a5);
}
