/* reg_move.c - moving and releasing notifications in the kernel (R1, R2),
 * and the notifications already queued for a number that goes. */
#include "reg_move.h"
#include "diag.h"
#include "fdtable.h"
#include "lock.h"
#include "log.h"
#include "policy.h"
#include "reg_table.h"
#include "self.h"
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- moving and releasing notifications -------------------------------- */

/* Queue one notification for FD as the kernel would, for the edge a move of
 * O_ASYNC may have missed (R1).  Only to this process or its own thread. */
static void queue_synthetic(const struct ls_reg *r, int fd)
{
    /* the kernel signals nobody without an owner, and never for regular
     * files or directories (which always poll ready) */
    if (r->owner.pid == 0 || r->fmt == S_IFREG || r->fmt == S_IFDIR)
        return;
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLPRI};
    struct timespec zero = {0, 0};
    if (LS_REAL(syscall)(SYS_ppoll, &p, 1L, &zero, NULL, 0L) <= 0 || !p.revents)
        return;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = r->sig ? r->sig : SIGIO;
    si.si_code = !r->sig ? SI_KERNEL : ls_poll_si_code(p.revents);
    si.si_band = p.revents;
    si.si_fd = fd;
    if (r->owner.type != F_OWNER_PGRP)
        ls_sys_queue_to_this_thread(si.si_signo, &si);
}

/* Is SIG pending for the calling thread alone (sent to it: an F_OWNER_TID
 * notification, tgkill, pthread_sigqueue)?  1, 0, or -1 if unknown.  The
 * kernel tells only in /proc (SigPnd: the thread's own; ShdPnd: the
 * process's).  Async-signal-safe. */
static int pending_for_thread(int sig)
{
    char buf[2048];
    int fd = ls_sys_open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct stat st;
    long n = -1;
    if (ls_sys_fstat(fd, &st) == 0) {
        n = LS_REAL(syscall)(SYS_read, (long)fd, buf, (long)sizeof buf - 1);
        ls_sys_close_if_ours(fd, &st);
    }
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nSigPnd:");
    if (!p)
        return -1;
    p += 9;
    while (*p == ' ' || *p == '\t')
        p++;
    uint64_t mask = 0;
    for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
        mask = mask << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
    return (mask >> (sig - 1)) & 1;
}

/* Notifications for FROM already queued when it went (SPEC §4): take every
 * pending SIG off the queue (the caller has it blocked) and queue back the
 * ones still wanted, those naming FROM renamed TO, or dropped if TO < 0.
 * Everything goes back in order: to the process from the main thread, to
 * the calling thread from any other.  A signal is never moved from one
 * thread to another: while SIG is pending for this thread alone the queue
 * is left as it is (the trampoline still judges those when they are
 * delivered, by the number's grave). */
void ls_reg_flush_pending(int sig, int from, int to)
{
    /* The kernel accepts a notification-like siginfo only for the process
     * from its main thread, or for the calling thread itself.  Elsewhere,
     * with SIG blocked by the caller (it would stay with this thread), the
     * queue is left alone. */
    const sigset_t *caller = ls_crit_caller_mask();
    int main_thread = ls_is_main_thread();
    if (!main_thread && (!caller || sigismember(caller, sig) == 1))
        return;
    sigset_t set;
    if (LS_REAL(syscall)(SYS_rt_sigpending, &set, (long)(_NSIG / 8)) < 0 ||
        sigismember(&set, sig) != 1)
        return; /* nothing queued */
    if (pending_for_thread(sig) != 0)
        return; /* dequeuing would take this thread's own first */
    siginfo_t keep[32];
    int n = 0;
    struct timespec zero = {0, 0};
    sigemptyset(&set);
    sigaddset(&set, sig);
    while (n < 32) {
        siginfo_t si;
        if (LS_REAL(syscall)(SYS_rt_sigtimedwait, &set, &si, &zero, (long)(_NSIG / 8)) != sig)
            break;
        if (ls_is_notification(&si) && si.si_fd == from) {
            if (to < 0) {
                ls_stat_inc(LS_STAT_STALE_DROPPED);
                continue;
            }
            si.si_fd = to;
            ls_stat_inc(LS_STAT_STALE_TRANSLATED);
        }
        keep[n++] = si;
    }
    for (int i = 0; i < n; i++) {
        if (main_thread)
            LS_REAL(syscall)(SYS_rt_sigqueueinfo, (long)ls_self(), (long)sig, &keep[i]);
        else
            ls_sys_queue_to_this_thread(sig, &keep[i]); /* delivered here as soon as unblocked */
    }
}

/* Take lease TYPE again through S, an alias of H: 0, -1 (errno), or
 * LS_MOVE_LATER when a writer's open() holds write access for a moment
 * before it starts the break (or fails against the lease): a read lease
 * cannot be set meanwhile (EAGAIN while the lease is not being broken).
 * The caller tries again outside the lock (ls_reg_move_pause) unless FINAL.
 * Async-signal-safe. */
static int set_lease_on_alias(int s, int h, int type, int final)
{
    if (ls_sys_fcntl(s, F_SETLEASE, type) == 0)
        return 0;
    int err = errno;
    if (!final && err == EAGAIN && ls_sys_fcntl(h, F_GETLEASE, 0) == type)
        return LS_MOVE_LATER;
    errno = err;
    return -1;
}

int ls_reg_move_pause(unsigned long long *start, unsigned *tries)
{
    if (ls_crit_caller_mask())
        ls_check_failed("a wait with the lock held");
    unsigned long long now = ls_now_ns();
    if (!*start)
        *start = now;
    if (now - *start > LS_MOVE_WAIT_NS)
        return 0;
    if (++*tries <= 8) {
        LS_REAL(syscall)(SYS_sched_yield);
    } else {
        int saved = errno;
        struct timespec pause = {0, 100000};
        LS_REAL(syscall)(SYS_nanosleep, &pause, NULL);
        errno = saved;
    }
    return 1;
}

/* Move notification K of R from its going descriptor to survivor S; H names
 * the same open file description.  0 on success. */
int ls_reg_rehome(struct ls_reg *r, enum ls_kind k, int s, int h, int final)
{
    int from = ls_reg_notify_fd(r, k);
    int sig = ls_reg_signal(r);
    if (k == LS_KIND_LEASE) {
        /* the move makes the process the owner; an owner that cannot be put
         * back must not be lost: check it can (by setting it, unchanged,
         * through H) before moving anything */
        int restore = ls_policy_owner_needs_restore(&r->owner, ls_self());
        if (restore && ls_sys_fcntl(h, F_SETOWN_EX, (long)&r->owner) < 0)
            return -1;
        int set = set_lease_on_alias(s, h, r->lease, final);
        if (set == LS_MOVE_LATER)
            return LS_MOVE_LATER;
        int lease = r->lease;
        if (set < 0) {
            /* a lease being broken may only be kept at its target type,
             * and not at all while a writer waits: the kernel has sent its
             * one notification for this break already (or it is queued),
             * so the application answers through S; later breaks naming the
             * old number are translated (the number's grave) */
            long cur = ls_sys_fcntl(h, F_GETLEASE, 0);
            if (cur < 0 || cur == r->lease)
                return -1;
            if (cur != F_UNLCK && ls_sys_fcntl(s, F_SETLEASE, cur) == 0)
                lease = (int)cur;
        }
        if (restore && ls_sys_fcntl(s, F_SETOWN_EX, (long)&r->owner) < 0)
            ls_log(LS_LOG_WARN, "fd %d: could not restore the owner after moving the lease", s);
        ls_seq_write_begin();
        LS_SET(r->lease, lease);
        LS_SET(r->lease_fd, s);
        ls_fd_bury(from, sig, r, 1, 1);
        ls_seq_write_end();
    } else {
        long fl = ls_sys_fcntl(h, F_GETFL, 0);
        if (fl < 0 || ls_sys_fcntl(s, F_SETFL, fl & ~O_ASYNC) < 0)
            return -1;
        if (ls_sys_fcntl(s, F_SETFL, fl | O_ASYNC) < 0)
            return -1;
        ls_seq_write_begin();
        LS_SET(r->async_fd, s);
        ls_fd_bury(from, sig, r, 1, 1);
        ls_seq_write_end();
        queue_synthetic(r, s);
    }
    ls_reg_flush_pending(sig, from, s);
    ls_stat_inc(LS_STAT_REHOMED);
    if (ls_log_enabled(LS_LOG_INFO)) {
        char path[256];
        ls_log_event("fd %d (%s) went away with a live %s; notifications now name fd %d", from,
                     ls_fd_path(s, path, sizeof path), ls_reg_kind_name(r, k), s);
    }
    return 0;
}

/* Release notification K of R through H, a descriptor of its open file
 * description (R2).  Restores the OFD's signal and owner if O_ASYNC stays. */
void ls_reg_release(struct ls_reg *r, enum ls_kind k, int h, int other_kind_stays)
{
    int from = ls_reg_notify_fd(r, k);
    int sig = ls_reg_signal(r);
    if (k == LS_KIND_LEASE) {
        const char *what = ls_reg_kind_name(r, k);
        if (ls_sys_fcntl(h, F_SETLEASE, F_UNLCK) < 0) {
            if (errno == EBADF) {
                ls_reg_detach_stale(h, "was closed");
                return;
            }
            /* the kernel keeps the lease and goes on naming FROM, as it
             * would without the shim */
            ls_degrade("could not release the %s of fd %d (errno %d): no longer tracked",
                       what, from, errno);
            ls_seq_write_begin();
            LS_SET(r->lease, F_UNLCK);
            LS_SET(r->lease_fd, -1);
            ls_seq_write_end();
            return;
        }
        if (other_kind_stays) {
            ls_sys_fcntl(h, F_SETSIG, r->sig);
            ls_sys_fcntl(h, F_SETOWN_EX, (long)&r->owner);
        }
        ls_seq_write_begin();
        if (!other_kind_stays) {
            LS_SET(r->sig, 0);
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
        }
        LS_SET(r->lease, F_UNLCK);
        LS_SET(r->lease_fd, -1);
        ls_fd_bury(from, sig, r, 0, 1);
        ls_seq_write_end();
        if (ls_log_enabled(LS_LOG_INFO)) {
            char path[256];
            ls_log_event("fd %d (%s) went away with a live %s and no alias; released it", from,
                         ls_fd_path(h, path, sizeof path), what);
        }
    } else {
        long fl = ls_sys_fcntl(h, F_GETFL, 0);
        if (fl >= 0 && (fl & O_ASYNC))
            ls_sys_fcntl(h, F_SETFL, fl & ~O_ASYNC);
        ls_seq_write_begin();
        LS_SET(r->async_fd, -1);
        ls_fd_bury(from, sig, r, 0, 1);
        ls_seq_write_end();
        if (ls_log_enabled(LS_LOG_INFO)) {
            char path[256];
            ls_log_event("fd %d (%s) went away with O_ASYNC on and no alias; switched it off",
                         from, ls_fd_path(h, path, sizeof path));
        }
    }
    ls_reg_flush_pending(sig, from, -1);
    ls_stat_inc(LS_STAT_RELEASED);
}

