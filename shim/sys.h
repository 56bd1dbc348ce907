/* sys.h - the shim's own system calls.
 *
 * Every kernel request the shim makes for itself goes through glibc's real
 * syscall(), never through a wrapped symbol (which would re-enter the shim)
 * and never through a cancellation point.  All are async-signal-safe; they
 * return -1 and set errno on failure like syscall(2), so callers that must
 * keep the application's errno save it first.
 */
#ifndef LS_SYS_H
#define LS_SYS_H

#include "fault.h"
#include "real.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* One more than the highest signal number the shim knows (signals 1..64,
 * SIGRTMAX included): the size of its per-signal tables, and the bound of
 * every loop over signals. */
#define LS_NSIG 65

#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif

/* [async-signal-safe] [lock: none] [errno: set] */
static inline long ls_sys_fcntl(int fd, int cmd, long arg)
{
    if ((cmd == F_SETLEASE && ls_fault(LS_FAULT_SETLEASE)) ||
        (cmd == F_SETOWN_EX && ls_fault(LS_FAULT_SETOWN_EX)))
        return -1;
    return LS_REAL(syscall)(SYS_fcntl, (long)fd, (long)cmd, arg);
}

/* Open PATH for the shim itself (FLAGS should include O_CLOEXEC). */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline int ls_sys_open(const char *path, int flags, mode_t mode)
{
    if ((ls_fault_is_proc(path) && ls_fault(LS_FAULT_PROC)) || ls_fault(LS_FAULT_EMFILE))
        return -1;
    return (int)LS_REAL(syscall)(SYS_openat, (long)AT_FDCWD, path, (long)flags, (long)mode);
}

/* readlink(2), not terminated.  readlinkat: AArch64 (the generic system
 * call table) has no SYS_readlink. */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline long ls_sys_readlink(const char *path, char *buf, size_t size)
{
    if (ls_fault_is_proc(path) && ls_fault(LS_FAULT_PROC))
        return -1;
    return LS_REAL(syscall)(SYS_readlinkat, (long)AT_FDCWD, path, buf, (long)size);
}

/* fstat(2) into glibc's struct stat.  On x86-64 and AArch64 that is the
 * kernel's own layout.  On i386 the kernel's SYS_fstat fills an older,
 * smaller layout than glibc's struct stat; SYS_fstat64 fills struct stat64
 * (the same layout as the kernel's while time_t is 32 bits, see below), and
 * the fields the shim reads are copied over (st_ino keeps its low 32 bits,
 * as glibc's own 32-bit struct stat would). */
#if defined(SYS_fstat64) && defined(__USE_TIME_BITS64)
#error "the shim is built with a 32-bit time_t on 32-bit targets (no _TIME_BITS=64): its timespec and stat64 are the kernel's"
#endif
/* [async-signal-safe] [lock: none] [errno: set] */
static inline long ls_sys_fstat(int fd, struct stat *st)
{
#ifdef SYS_fstat64
    struct stat64 k;
    long r = LS_REAL(syscall)(SYS_fstat64, (long)fd, &k);
    *st = (struct stat){0};
    if (r == 0) {
        st->st_dev = k.st_dev;
        st->st_ino = (ino_t)k.st_ino;
        st->st_mode = k.st_mode;
        st->st_nlink = k.st_nlink;
        st->st_uid = k.st_uid;
        st->st_gid = k.st_gid;
        st->st_rdev = k.st_rdev;
        st->st_size = (off_t)k.st_size;
    }
    return r;
#else
    return LS_REAL(syscall)(SYS_fstat, (long)fd, st);
#endif
}

/* LEN bytes of fresh zeroed private memory, NULL (errno) if there is none.
 * mmap, not malloc: async-signal-safe and independent of the app's heap. */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline void *ls_sys_map(size_t len)
{
    if (ls_fault(LS_FAULT_MMAP))
        return NULL;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* [async-signal-safe] [lock: none] [errno: set] */
static inline int ls_sys_close(int fd)
{
    return (int)LS_REAL(syscall)(SYS_close, (long)fd);
}

/* [async-signal-safe] [lock: none] [errno: kept] */
static inline pid_t ls_sys_getpid(void)
{
    return (pid_t)LS_REAL(syscall)(SYS_getpid);
}

/* [async-signal-safe] [lock: none] [errno: kept] */
static inline pid_t ls_sys_gettid(void)
{
    return (pid_t)LS_REAL(syscall)(SYS_gettid);
}

/* Copy up to LEN bytes from SRC, a pointer the application passed, into
 * DST without ever faulting: process_vm_readv() on the calling thread (its
 * own id, valid even after the main thread has exited) fails with EFAULT
 * where nothing readable is mapped, as the kernel's own copy-in would.
 * Returns how many bytes were readable from SRC on (a read stops at the
 * first unreadable page), 0 if none; where the call itself is refused
 * (ENOSYS, EPERM under a seccomp filter) the memory is read directly, as
 * the shim did before.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline size_t ls_sys_peek(void *dst, const void *src, size_t len)
{
    int saved = errno;
    struct iovec to = {dst, len}, from = {(void *)src, len};
    long n = LS_REAL(syscall)(SYS_process_vm_readv, (long)ls_sys_gettid(), &to, 1L, &from, 1L, 0L);
    if (n < 0 && errno != EFAULT) {
        __builtin_memcpy(dst, src, len);
        n = (long)len;
    }
    errno = saved;
    return n < 0 ? 0 : (size_t)n;
}

/* 0: same open file description; 1 or 2: different; -1: error (errno).
 * Asked for the calling thread, not the process: once the main thread has
 * exited (pthread_exit from main), kcmp with the process id fails. */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline int ls_sys_kcmp_file(int a, int b)
{
    long self = LS_REAL(syscall)(SYS_gettid);
    return (int)LS_REAL(syscall)(SYS_kcmp, self, self, (long)KCMP_FILE, (long)a, (long)b);
}

/* Queue SI for SIG to the calling thread: the only target the kernel
 * accepts for a notification-like siginfo (si_code >= 0) sent from user
 * space by a thread other than the main one.  0 or -1 with errno. */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline long ls_sys_queue_to_this_thread(int sig, siginfo_t *si)
{
    return LS_REAL(syscall)(SYS_rt_tgsigqueueinfo, (long)ls_sys_getpid(), (long)ls_sys_gettid(),
                            (long)sig, si);
}

/* Close FD, a descriptor the shim opened a moment ago (ST: its fstat then),
 * unless another thread dup2()ed over the number meanwhile: then it is the
 * application's, not ours to close. */
/* [async-signal-safe] [lock: none] [errno: set] */
static inline void ls_sys_close_if_ours(int fd, const struct stat *st)
{
    struct stat now;
    if (ls_sys_fstat(fd, &now) == 0 && now.st_dev == st->st_dev &&
        now.st_ino == st->st_ino)
        ls_sys_close(fd);
}

#endif
