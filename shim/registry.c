/* registry.c - the close/dup/fcntl rules of SPEC §3, applied to the table.
 *
 * Callers hold the lock with every signal blocked (ls_crit_enter), which is
 * also how R5 is met: the notification signals are blocked in the calling
 * thread for as long as a registration is being changed.
 */
#include "registry.h"
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "policy.h"
#include "deadline.h"
#include "exec.h"
#include "handover.h"
#include "lock.h"
#include "sigstate.h"
#include "sys.h"
#include "trampoline.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LS_SCAN_MAX_FDS 1024 /* alias scan gives up beyond this many open fds */
#define LS_SCAN_MAX_FOUND 64 /* unknown aliases adopted by one scan */

enum kind { KIND_LEASE, KIND_ASYNC };

static pid_t self_pid;

/* Set by the vfork wrapper (exec.h); here with the other facts about who we are. */
__thread int ls_vfork_child __attribute__((tls_model("initial-exec")));

pid_t ls_self(void)
{
    pid_t p = __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
    if (!p) {
        p = ls_sys_getpid();
        __atomic_store_n(&self_pid, p, __ATOMIC_RELAXED);
    }
    return p;
}

static pthread_t main_tid_handle;
static int main_thread_known;

void ls_self_reset(void)
{
    /* the constructor, or a fork child: either way the main thread now */
    __atomic_store_n(&self_pid, ls_sys_getpid(), __ATOMIC_RELAXED);
    main_tid_handle = pthread_self();
    __atomic_store_n(&main_thread_known, 1, __ATOMIC_RELEASE);
}

int ls_is_main_thread(void)
{
    if (!__atomic_load_n(&main_thread_known, __ATOMIC_ACQUIRE))
        return ls_sys_gettid() == ls_self();
    return pthread_equal(pthread_self(), main_tid_handle);
}

/* ---- small kernel questions ------------------------------------------- */

/* Do A and B name the same open file description?  When the kernel cannot
 * say (no kcmp), trust the table. */
static int same_ofd(int a, int b)
{
    if (a == b)
        return 1;
    int r = ls_sys_kcmp_file(ls_self(), a, b);
    if (r == 0)
        return 1;
    return r < 0 && (errno == ENOSYS || errno == EPERM);
}

static int file_stat(int fd, struct stat *st)
{
    return (int)LS_REAL(syscall)(SYS_fstat, (long)fd, st);
}

static int file_id(int fd, dev_t *dev, ino_t *ino)
{
    struct stat st;
    if (file_stat(fd, &st) < 0)
        return -1;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

static int owner_is_self(const struct f_owner_ex *o)
{
    pid_t self = ls_self();
    int thread = 0;
    pid_t pgrp = 0;
    if (o->type == F_OWNER_TID && o->pid)
        thread = LS_REAL(syscall)(SYS_tgkill, (long)self, (long)o->pid, 0L) == 0;
    if (o->type == F_OWNER_PGRP)
        pgrp = (pid_t)LS_REAL(syscall)(SYS_getpgid, 0L);
    return ls_policy_owner_is_self(o, self, pgrp, thread);
}

static int owned(const struct ls_reg *r)
{
    return r->proc == ls_self() && r->owner_is_proc;
}

static int notify_fd(const struct ls_reg *r, enum kind k)
{
    return k == KIND_LEASE ? r->lease_fd : r->async_fd;
}

/* The signal the kernel sends for R's notifications. */
static int note_signal(const struct ls_reg *r)
{
    return r->sig ? r->sig : SIGIO;
}

static const char *kind_name(const struct ls_reg *r, enum kind k)
{
    if (k == KIND_ASYNC)
        return "O_ASYNC";
    return r->lease == F_WRLCK ? "write lease" : "read lease";
}

/* ---- table edits (each one bracketed by the sequence counter) ---------- */

static void forget_fd(int fd)
{
    ls_seq_write_begin();
    ls_fd_detach(fd);
    ls_seq_write_end();
}

static void drop_reg(uint32_t id)
{
    struct ls_reg *r = ls_reg_get(id);
    ls_seq_write_begin();
    while (r->head >= 0)
        ls_fd_detach(r->head);
    ls_reg_free(id);
    ls_seq_write_end();
}

static void drop_if_empty(uint32_t id)
{
    struct ls_reg *r = ls_reg_get(id);
    if (r->live && (r->members == 0 || (r->lease == F_UNLCK && r->async_fd < 0)))
        drop_reg(id);
}

/* FD was found closed or replaced behind the shim's back: detach it, but
 * leave its registration for the caller to drop. */
static void detach_stale(int fd, const char *why)
{
    if (!ls_fd_reg(fd))
        return;
    ls_stat_inc(LS_STAT_BEHIND_BACK);
    ls_log(LS_LOG_WARN, "fd %d %s behind the shim's back; forgetting it", fd, why);
    forget_fd(fd);
}

static void forget_stale(int fd, const char *why)
{
    uint32_t id = ls_fd_reg(fd);
    detach_stale(fd, why);
    if (id)
        drop_if_empty(id);
}

void ls_reg_forget_stale(int fd)
{
    int saved = errno;
    forget_stale(fd, "was closed");
    errno = saved;
}

/* ---- finding and creating registrations -------------------------------- */

/* Adopt descriptors that already named FD's open file description when it
 * was registered (a dup() made before the lease, SCM_RIGHTS): only kcmp can
 * find them.  Returns an existing registration of that OFD, or 0. */
static uint32_t scan_aliases(int fd, dev_t dev, ino_t ino, int *found, int *nfound)
{
    static int warned;
    char buf[4096];
    uint32_t existing = 0;
    int seen = 0;
    *nfound = 0;
    int dir = (int)LS_REAL(syscall)(SYS_openat, (long)AT_FDCWD, "/proc/self/fd",
                                    (long)(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat dir_st;
    if (dir < 0)
        return 0;
    if (file_stat(dir, &dir_st) < 0) {
        ls_sys_close(dir);
        return 0;
    }
    for (;;) {
        long n = LS_REAL(syscall)(SYS_getdents64, (long)dir, buf, (long)sizeof buf);
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9')
                continue;
            int other = 0;
            for (const char *c = d->d_name; *c; c++)
                other = other * 10 + (*c - '0');
            if (other == fd || other == dir)
                continue;
            if (++seen > LS_SCAN_MAX_FDS) {
                if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
                    ls_log(LS_LOG_INFO, "more than %d open fds: alias scan stops there",
                           LS_SCAN_MAX_FDS);
                goto out;
            }
            uint32_t oid = ls_fd_reg(other);
            if (oid) {
                struct ls_reg *o = ls_reg_get(oid);
                if (!existing && o->dev == dev && o->ino == ino && same_ofd(fd, other))
                    existing = oid;
            } else if (*nfound < LS_SCAN_MAX_FOUND && same_ofd(fd, other)) {
                found[(*nfound)++] = other;
            }
        }
    }
out:;
    /* another thread may have dup2()ed over the number meanwhile: then it
     * is the application's now, not ours to close */
    struct stat now;
    if (file_stat(dir, &now) == 0 && now.st_dev == dir_st.st_dev && now.st_ino == dir_st.st_ino)
        ls_sys_close(dir);
    return existing;
}

/* The registration FD belongs to, created if needed; 0 when FD cannot be
 * tracked (closed, out of range, out of memory). */
static uint32_t reg_for_fd(int fd)
{
    struct stat st;
    if (file_stat(fd, &st) < 0)
        return 0;
    dev_t dev = st.st_dev;
    ino_t ino = st.st_ino;
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        if (r->dev == dev && r->ino == ino)
            return id;
        forget_stale(fd, "was replaced");
    }
    int found[LS_SCAN_MAX_FOUND], nfound = 0;
    if (ls_cfg.alias_scan)
        id = scan_aliases(fd, dev, ino, found, &nfound);
    int created = 0;
    if (!id) {
        id = ls_reg_alloc();
        if (!id) {
            ls_stat_inc(LS_STAT_DEGRADED);
            ls_log(LS_LOG_WARN, "out of memory: fd %d is not tracked", fd);
            return 0;
        }
        struct ls_reg *r = ls_reg_get(id);
        r->dev = dev;
        r->ino = ino;
        r->fmt = st.st_mode & S_IFMT;
        r->proc = ls_self();
        r->sig = (int)ls_sys_fcntl(fd, F_GETSIG, 0);
        if (r->sig < 0)
            r->sig = 0;
        if (ls_sys_fcntl(fd, F_GETOWN_EX, (long)&r->owner) < 0)
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
        r->owner_is_proc = owner_is_self(&r->owner);
        created = 1;
    }
    ls_seq_write_begin();
    int ok = ls_fd_attach(fd, id) == 0;
    for (int i = 0; ok && i < nfound; i++)
        if (ls_fd_attach(found[i], id) < 0)
            break;
    ls_seq_write_end();
    if (!ok) {
        ls_stat_inc(LS_STAT_DEGRADED);
        ls_log(LS_LOG_WARN, "cannot track fd %d (out of range or memory)", fd);
        if (created)
            ls_reg_free(id);
        return 0;
    }
    if (created)
        ls_stat_inc(LS_STAT_REGISTERED);
    return id;
}

/* ---- notes from fcntl/dup ------------------------------------------------ */

void ls_reg_note_lease(int fd, int type)
{
    int saved = errno;
    if (type == F_UNLCK) {
        uint32_t id = ls_fd_reg(fd);
        if (id) {
            /* the kernel also resets the OFD's signal and owner (SPEC §0) */
            struct ls_reg *r = ls_reg_get(id);
            ls_seq_write_begin();
            r->lease = F_UNLCK;
            r->lease_fd = -1;
            r->break_at = 0;
            r->sig = 0;
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
            r->owner_is_proc = 1;
            ls_seq_write_end();
            drop_if_empty(id);
        }
    } else {
        uint32_t id = reg_for_fd(fd);
        if (id) {
            struct ls_reg *r = ls_reg_get(id);
            ls_seq_write_begin();
            r->lease = type;
            r->lease_fd = fd;
            r->break_at = 0;
            r->owner = (struct f_owner_ex){F_OWNER_PID, ls_self()};
            r->owner_is_proc = 1;
            r->proc = ls_self();
            ls_seq_write_end();
            ls_sig_watch(note_signal(r));
        }
    }
    errno = saved;
}

void ls_reg_note_async(int fd, int on)
{
    int saved = errno;
    uint32_t id = on ? reg_for_fd(fd) : ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        ls_seq_write_begin();
        r->async_fd = on ? fd : -1;
        if (on)
            r->proc = ls_self();
        ls_seq_write_end();
        if (on)
            ls_sig_watch(note_signal(r));
        drop_if_empty(id);
    }
    errno = saved;
}

void ls_reg_note_sig(int fd, int sig)
{
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        ls_seq_write_begin();
        r->sig = sig;
        ls_seq_write_end();
        ls_sig_watch(note_signal(r));
    }
}

void ls_reg_note_owner(int fd, const struct f_owner_ex *owner)
{
    int saved = errno;
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        int mine = owner_is_self(owner);
        ls_seq_write_begin();
        r->owner = *owner;
        r->owner_is_proc = mine;
        ls_seq_write_end();
    }
    errno = saved;
}

void ls_reg_note_alias(int src, int newfd)
{
    int saved = errno;
    uint32_t id = ls_fd_reg(src);
    if (id && src != newfd && ls_fd_reg(newfd) != id) {
        if (ls_fd_reg(newfd))
            forget_stale(newfd, "was closed"); /* the kernel just handed it out */
        ls_seq_write_begin();
        int ok = ls_fd_attach(newfd, id) == 0;
        ls_seq_write_end();
        if (!ok) {
            ls_stat_inc(LS_STAT_DEGRADED);
            ls_log(LS_LOG_WARN, "cannot track alias %d of fd %d", newfd, src);
        }
    }
    errno = saved;
}

/* ---- moving and releasing notifications -------------------------------- */

/* Queue SI for SIG to the calling thread: the only target the kernel accepts
 * for a notification-like siginfo (si_code >= 0) sent from user space. */
static void queue_to_this_thread(int sig, siginfo_t *si)
{
    LS_REAL(syscall)(SYS_rt_tgsigqueueinfo, (long)ls_self(), (long)ls_sys_gettid(), (long)sig, si);
}

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
    si.si_code = !r->sig              ? SI_KERNEL
                 : (p.revents & POLLIN) ? POLL_IN
                 : (p.revents & POLLOUT) ? POLL_OUT
                 : (p.revents & POLLPRI) ? POLL_PRI
                 : (p.revents & POLLHUP) ? POLL_HUP
                                         : POLL_ERR;
    si.si_band = p.revents;
    si.si_fd = fd;
    if (r->owner.type != F_OWNER_PGRP)
        queue_to_this_thread(si.si_signo, &si);
}

/* Notifications for FROM already queued when it went (SPEC §4): take every
 * pending SIG off the queue (the caller has it blocked) and queue back the
 * ones still wanted, those naming FROM renamed TO, or dropped if TO < 0.
 * Everything goes back in order: to the process from the main thread, to
 * the calling thread from any other. */
static void flush_pending(int sig, int from, int to)
{
    /* The kernel accepts a notification-like siginfo only for the process
     * from its main thread, or for the calling thread itself.  Elsewhere,
     * with SIG blocked by the caller (it would stay with this thread), the
     * queue is left alone: the trampoline still translates FROM through
     * lease_prev/async_prev when they are delivered. */
    const sigset_t *caller = ls_crit_caller_mask();
    int main_thread = ls_is_main_thread();
    if (!main_thread && (!caller || sigismember(caller, sig) == 1))
        return;
    sigset_t set;
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
            queue_to_this_thread(sig, &keep[i]); /* delivered here as soon as unblocked */
    }
}

/* Move notification K of R from its going descriptor to survivor S; H names
 * the same open file description.  0 on success. */
static int rehome(struct ls_reg *r, enum kind k, int s, int h)
{
    int from = notify_fd(r, k);
    if (k == KIND_LEASE) {
        if (ls_sys_fcntl(s, F_SETLEASE, r->lease) < 0) {
            /* a lease being broken may only be kept at its target type,
             * and not at all while a writer waits: the kernel has sent its
             * one notification for this break already (or it is queued),
             * so the application answers through S; later breaks naming the
             * old number are translated (lease_prev) */
            long cur = ls_sys_fcntl(h, F_GETLEASE, 0);
            if (cur < 0 || cur == r->lease)
                return -1;
            if (cur != F_UNLCK && ls_sys_fcntl(s, F_SETLEASE, cur) == 0)
                r->lease = (int)cur;
        }
        if (ls_policy_owner_needs_restore(&r->owner, ls_self()) &&
            ls_sys_fcntl(s, F_SETOWN_EX, (long)&r->owner) < 0)
            ls_log(LS_LOG_WARN, "fd %d: could not restore the owner after moving the lease", s);
        ls_seq_write_begin();
        r->lease_prev = from;
        r->lease_fd = s;
        ls_seq_write_end();
    } else {
        long fl = ls_sys_fcntl(h, F_GETFL, 0);
        if (fl < 0 || ls_sys_fcntl(s, F_SETFL, fl & ~O_ASYNC) < 0)
            return -1;
        if (ls_sys_fcntl(s, F_SETFL, fl | O_ASYNC) < 0)
            return -1;
        ls_seq_write_begin();
        r->async_prev = from;
        r->async_fd = s;
        ls_seq_write_end();
        queue_synthetic(r, s);
    }
    flush_pending(note_signal(r), from, s);
    ls_stat_inc(LS_STAT_REHOMED);
    ls_log_event("fd %d went away with a live %s; notifications now name fd %d",
                 from, kind_name(r, k), s);
    return 0;
}

/* Release notification K of R through H, a descriptor of its open file
 * description (R2).  Restores the OFD's signal and owner if O_ASYNC stays. */
static void release(struct ls_reg *r, enum kind k, int h, int other_kind_stays)
{
    int from = notify_fd(r, k);
    int sig = note_signal(r);
    if (k == KIND_LEASE) {
        const char *what = kind_name(r, k);
        if (ls_sys_fcntl(h, F_SETLEASE, F_UNLCK) < 0 && errno == EBADF) {
            detach_stale(h, "was closed");
            return;
        }
        if (other_kind_stays) {
            ls_sys_fcntl(h, F_SETSIG, r->sig);
            ls_sys_fcntl(h, F_SETOWN_EX, (long)&r->owner);
        } else {
            r->sig = 0;
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
        }
        ls_seq_write_begin();
        r->lease = F_UNLCK;
        r->lease_fd = -1;
        ls_seq_write_end();
        ls_log_event("fd %d went away with a live %s and no alias; released it", from, what);
    } else {
        long fl = ls_sys_fcntl(h, F_GETFL, 0);
        if (fl >= 0 && (fl & O_ASYNC))
            ls_sys_fcntl(h, F_SETFL, fl & ~O_ASYNC);
        ls_seq_write_begin();
        r->async_fd = -1;
        ls_seq_write_end();
        ls_log_event("fd %d went away with O_ASYNC on and no alias; switched it off", from);
    }
    flush_pending(sig, from, -1);
    ls_stat_inc(LS_STAT_RELEASED);
}

/* ---- descriptors going away ------------------------------------------------ */

static int in_range(int fd, unsigned first, unsigned last)
{
    return fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last;
}

/* Does FD name R's file (device and inode)?  Tells which of two
 * descriptors that kcmp says differ is the one replaced behind our back. */
static int names_file(const struct ls_reg *r, int fd)
{
    dev_t dev;
    ino_t ino;
    return file_id(fd, &dev, &ino) == 0 && dev == r->dev && ino == r->ino;
}

/* Prove *H names the registration's open file description by comparing it
 * with one other member (a notify fd first); a member found to name
 * something else is forgotten, and if *H is the one replaced, another
 * member becomes *H.  Returns the member proven equal to *H, or -1. */
static int verify_handle(uint32_t id, int *h)
{
    struct ls_reg *r = ls_reg_get(id);
    for (unsigned tries = r->members + 2; tries; tries--) {
        int m = -1;
        if (r->lease_fd >= 0 && r->lease_fd != *h && ls_fd_reg(r->lease_fd) == id)
            m = r->lease_fd;
        else if (r->async_fd >= 0 && r->async_fd != *h && ls_fd_reg(r->async_fd) == id)
            m = r->async_fd;
        else if (r->head >= 0)
            for (int c = r->head, i = 0; i < (int)r->members; i++, c = ls_fd_next_member(c))
                if (c != *h) {
                    m = c;
                    break;
                }
        if (m < 0 || same_ofd(*h, m))
            return m;
        if (names_file(r, *h) || !names_file(r, m)) {
            detach_stale(m, "was replaced");
        } else {
            detach_stale(*h, "was replaced");
            *h = m;
        }
    }
    return -1;
}

/* The first member of R outside [FIRST, LAST] that still names the OFD H
 * names (KNOWN is already proven to); members found to name something else
 * are forgotten.  -1 if none. */
static int find_survivor(uint32_t id, unsigned first, unsigned last, int h, int known)
{
    struct ls_reg *r = ls_reg_get(id);
    int m = r->head;
    for (unsigned i = 0, n = r->members; i < n && m >= 0; i++) {
        int next = ls_fd_next_member(m);
        if (!in_range(m, first, last)) {
            if (m == known || same_ofd(m, h))
                return m;
            detach_stale(m, "was replaced");
        }
        m = next;
    }
    return -1;
}

/* Forget the members of ID in [FIRST, LAST]: a walk of its ring, so the
 * cost grows with its members, not with the width of the range. */
static void detach_range(uint32_t id, unsigned first, unsigned last)
{
    struct ls_reg *r = ls_reg_get(id);
    ls_seq_write_begin();
    int m = r->head;
    for (unsigned i = 0, n = r->members; i < n && m >= 0; i++) {
        int next = ls_fd_next_member(m);
        if (in_range(m, first, last))
            ls_fd_detach(m);
        m = next;
    }
    ls_seq_write_end();
}

/* Where a rule's changes are recorded, so that a failed operation can be
 * undone (R4); NULL when nothing can fail after them. */
struct undo_log {
    struct ls_undo *rec;
    int cap, n;
};

static void log_change(struct undo_log *u, uint32_t id, const struct ls_reg *r, enum kind k,
                       int from, int to)
{
    if (u && u->n < u->cap)
        u->rec[u->n++] = (struct ls_undo){id, (int)k, from, to, r->lease, r->sig, r->owner};
}

/* Move notification K of R to SURVIVOR through H, or leave it where it is
 * with a warning (degraded). */
static void rehome_or_answer(uint32_t id, struct ls_reg *r, enum kind k, int survivor, int h,
                             struct undo_log *u)
{
    int from = notify_fd(r, k);
    if (rehome(r, k, survivor, h) == 0) {
        log_change(u, id, r, k, from, survivor);
        return;
    }
    int err = errno;
    ls_stat_inc(LS_STAT_DEGRADED);
    ls_log(LS_LOG_WARN, "could not move the %s of fd %d to fd %d (errno %d)",
           kind_name(r, k), notify_fd(r, k), survivor, err);
}

/* Descriptors of registration ID in [FIRST, LAST] are about to go away and
 * are still open.  H, one of them, is verified first.  Changes are logged
 * in U when the operation may still fail. */
static void going_reg(uint32_t id, unsigned first, unsigned last, int h, struct undo_log *u)
{
    struct ls_reg *r = ls_reg_get(id);
    if (!owned(r)) {
        ls_stat_inc(LS_STAT_NOT_OWNER); /* R3: the kernel is left alone */
    } else {
        int known = verify_handle(id, &h);
        int going[2];
        for (enum kind k = KIND_LEASE; k <= KIND_ASYNC; k++) {
            int n = notify_fd(r, k);
            going[k] = n >= 0 && (in_range(n, first, last) || ls_fd_reg(n) != id);
            if (n >= 0 && !going[k] && n != known && !same_ofd(n, h)) {
                /* the notify fd no longer names this file: its si_fd is stale already */
                detach_stale(n, "was replaced");
                going[k] = 1;
            }
        }
        int survivor = (going[KIND_LEASE] || going[KIND_ASYNC])
                           ? find_survivor(id, first, last, h, known) : -1;
        for (enum kind k = KIND_LEASE; k <= KIND_ASYNC; k++) {
            if (notify_fd(r, k) < 0)
                continue;
            switch (ls_policy_going(1, going[k], survivor >= 0, ls_cfg.close_policy)) {
            case LS_GOING_REHOME:
                rehome_or_answer(id, r, k, survivor, h, u);
                break;
            case LS_GOING_RELEASE:
                log_change(u, id, r, k, notify_fd(r, k), -1);
                release(r, k, h, k == KIND_LEASE && r->async_fd >= 0 && !going[KIND_ASYNC]);
                break;
            case LS_GOING_KEEP:
                ls_stat_inc(LS_STAT_KEPT);
                break;
            case LS_GOING_FORGET:
            case LS_GOING_NOTHING:
                break;
            }
        }
    }
    detach_range(id, first, last);
    drop_if_empty(id);
}

void ls_reg_going_range(unsigned first, unsigned last)
{
    int saved = errno;
    for (int fd = ls_fd_next_tracked(first, last); fd >= 0;) {
        uint32_t id = ls_fd_reg(fd);
        struct ls_reg *r = ls_reg_get(id);
        /* act through the notify fd when it is among the going ones */
        int h = in_range(r->lease_fd, first, last)   ? r->lease_fd
                : in_range(r->async_fd, first, last) ? r->async_fd
                                                     : fd;
        going_reg(id, first, last, h, NULL); /* detaches every member in range */
        fd = (unsigned)fd < last ? ls_fd_next_tracked((unsigned)fd + 1, last) : -1;
    }
    errno = saved;
}

/* ---- checking notifications (any context, lock-free) -------------------- */

/* Registrations being made: the number and the file it names, so that a
 * notification for an older registration under a reused number is not
 * taken for one of the new registration's. */
#define LS_PENDING_SLOTS 16
static struct pending {
    int fd; /* -1: free; -2: being filled in */
    dev_t dev;
    ino_t ino;
} pending[LS_PENDING_SLOTS] = {[0 ... LS_PENDING_SLOTS - 1] = {-1, 0, 0}};

void ls_reg_pending_begin(int fd, int *slot)
{
    struct stat st;
    *slot = -1;
    if (file_stat(fd, &st) < 0)
        return;
    for (int i = 0; i < LS_PENDING_SLOTS; i++) {
        int empty = -1;
        if (__atomic_compare_exchange_n(&pending[i].fd, &empty, -2, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED)) {
            pending[i].dev = st.st_dev;
            pending[i].ino = st.st_ino;
            __atomic_store_n(&pending[i].fd, fd, __ATOMIC_SEQ_CST);
            *slot = i;
            return;
        }
    }
}

void ls_reg_pending_end(int slot)
{
    if (slot >= 0)
        __atomic_store_n(&pending[slot].fd, -1, __ATOMIC_SEQ_CST);
}

/* Is a registration of FD's current file being made under number FD? */
int ls_reg_pending(int fd)
{
    for (int i = 0; i < LS_PENDING_SLOTS; i++) {
        if (__atomic_load_n(&pending[i].fd, __ATOMIC_SEQ_CST) != fd)
            continue;
        dev_t dev = pending[i].dev;
        ino_t ino = pending[i].ino;
        struct stat st;
        return file_stat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
    }
    return 0;
}

enum ls_note_verdict ls_reg_check_notification(int sig, int fd, int *to)
{
    int saved = errno;
    enum ls_note_verdict v;
    dev_t dev = 0;
    ino_t ino = 0;
    unsigned seq;
    do {
        seq = ls_seq_read_begin();
        v = LS_NOTE_STALE;
        uint32_t id = ls_fd_reg(fd);
        if (id) {
            const struct ls_reg *r = ls_reg_get(id);
            if (r->live && note_signal(r) == sig && (r->lease_fd >= 0 || r->async_fd >= 0)) {
                v = LS_NOTE_VALID;
                dev = r->dev;
                ino = r->ino;
            }
        }
        if (v == LS_NOTE_STALE) {
            /* a registration re-homed away from FD: name its new descriptor */
            for (uint32_t i = 1, high = ls_reg_high_water(); i <= high; i++) {
                const struct ls_reg *r = ls_reg_get(i);
                if (!r->live || note_signal(r) != sig || r->head < 0)
                    continue;
                if (r->lease_prev == fd && r->lease_fd >= 0) {
                    *to = r->lease_fd;
                } else if (r->async_prev == fd && r->async_fd >= 0) {
                    *to = r->async_fd;
                } else {
                    continue;
                }
                v = LS_NOTE_TRANSLATE;
                break;
            }
        }
    } while (ls_seq_read_retry(seq));
    if (v == LS_NOTE_STALE && ls_reg_pending(fd))
        v = LS_NOTE_PENDING;
    if (v == LS_NOTE_VALID) {
        /* cheaply, the same file: not replaced behind the shim's back */
        dev_t d;
        ino_t i;
        if (file_id(fd, &d, &i) < 0 || d != dev || i != ino)
            v = LS_NOTE_STALE;
    }
    errno = saved;
    return v;
}

int ls_reg_recover_overflow(void (*emit)(int sig, siginfo_t *si))
{
    int saved = errno, found = 0;
    for (uint32_t i = 1, high = ls_reg_high_water(); i <= high; i++) {
        const struct ls_reg *r = ls_reg_get(i);
        if (!r->live || !owned(r) || !r->sig)
            continue;
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_signo = r->sig;
        if (r->lease != F_UNLCK && r->lease_fd >= 0) {
            /* a lease being broken reports its target type (SPEC §0) */
            long cur = ls_sys_fcntl(r->lease_fd, F_GETLEASE, 0);
            if (cur >= 0 && cur != r->lease && !__atomic_load_n(&r->break_at, __ATOMIC_RELAXED)) {
                si.si_code = POLL_MSG;
                si.si_band = POLLIN | POLLRDNORM | POLLMSG;
                si.si_fd = r->lease_fd;
                emit(r->sig, &si);
                found++;
            }
        }
        if (r->async_fd >= 0) {
            struct pollfd p = {.fd = r->async_fd, .events = POLLIN | POLLOUT | POLLPRI};
            struct timespec zero = {0, 0};
            if (LS_REAL(syscall)(SYS_ppoll, &p, 1L, &zero, NULL, 0L) > 0 && p.revents) {
                si.si_code = (p.revents & POLLIN) ? POLL_IN : (p.revents & POLLOUT) ? POLL_OUT
                             : (p.revents & POLLPRI) ? POLL_PRI : POLL_HUP;
                si.si_band = p.revents;
                si.si_fd = r->async_fd;
                emit(r->sig, &si);
                found++;
            }
        }
    }
    errno = saved;
    return found;
}

/* ---- the break deadline ------------------------------------------------------- */

void ls_reg_note_break(int sig, int fd, int si_code)
{
    if (si_code != POLL_MSG)
        return;
    uint32_t id = ls_fd_reg(fd);
    if (!id)
        return;
    struct ls_reg *r = ls_reg_get(id);
    if (r->live && note_signal(r) == sig && r->lease_fd == fd && r->lease != F_UNLCK &&
        !__atomic_load_n(&r->break_at, __ATOMIC_RELAXED)) {
        __atomic_store_n(&r->break_at, ls_now_ns(), __ATOMIC_RELAXED);
        ls_deadline_kick(); /* no-op without a deadline */
    }
}

unsigned long long ls_reg_enforce_deadline(unsigned long long now, unsigned long long limit)
{
    unsigned long long next = 0;
    struct ls_crit c;
    ls_crit_enter(&c);
    for (uint32_t i = 1, high = ls_reg_high_water(); i <= high; i++) {
        struct ls_reg *r = ls_reg_get(i);
        unsigned long long at = __atomic_load_n(&r->break_at, __ATOMIC_RELAXED);
        if (!r->live || !at || r->lease == F_UNLCK || r->lease_fd < 0)
            continue;
        if (now - at < limit) {
            unsigned long long left = limit - (now - at);
            if (!next || left < next)
                next = left;
            continue;
        }
        int fd = r->lease_fd;
        r->break_at = 0;
        if (ls_sys_fcntl(fd, F_SETLEASE, F_UNLCK) == 0) {
            ls_stat_inc(LS_STAT_DEADLINE_RELEASED);
            ls_log_event("fd %d: lease break unanswered after %u ms; released it", fd,
                         ls_cfg.break_deadline_ms);
        }
        ls_reg_note_lease(fd, F_UNLCK);
    }
    ls_crit_leave(&c);
    return next;
}

/* ---- exec -------------------------------------------------------------------------- */

static int cloexec(int fd)
{
    long fl = ls_sys_fcntl(fd, F_GETFD, 0);
    return fl < 0 || (fl & FD_CLOEXEC);
}

/* A member of ID that survives exec and names the same OFD as N, or -1. */
static int exec_survivor(uint32_t id, int n)
{
    struct ls_reg *r = ls_reg_get(id);
    int m = r->head;
    for (unsigned i = 0; i < r->members && m >= 0; i++, m = ls_fd_next_member(m))
        if (m != n && !cloexec(m) && same_ofd(m, n))
            return m;
    return -1;
}

int ls_reg_exec_prepare(int policy, char *var, size_t size, size_t *len, sigset_t *block,
                        struct ls_undo *undo, int cap, int *nundo)
{
    int saved = errno, handed = 0;
    *nundo = 0;
    for (uint32_t id = 1, high = ls_reg_high_water(); id <= high; id++) {
        struct ls_reg *r = ls_reg_get(id);
        if (!r->live || !owned(r))
            continue;
        for (enum kind k = KIND_LEASE; k <= KIND_ASYNC; k++) {
            int n = notify_fd(r, k);
            if (n < 0)
                continue;
            if (cloexec(n)) {
                /* R1 only: a failed exec must leave the application as it was */
                int s = exec_survivor(id, n);
                if (s < 0 || *nundo >= cap || rehome(r, k, s, n) < 0) {
                    /* no descriptor of it crosses the exec, but the registration
                     * does if the file stays open elsewhere (a forked worker):
                     * its signal must not kill the new image */
                    if (policy == LS_EXEC_HANDOVER) {
                        struct ls_handover_rec rec = {-1, F_UNLCK, 0, r->sig, r->owner.type,
                                                      r->owner.pid};
                        *len = ls_handover_add(var, size, *len, &rec);
                        sigaddset(block, note_signal(r));
                        handed++;
                    }
                    continue;
                }
                undo[(*nundo)++] = (struct ls_undo){id, k, n, s, r->lease, r->sig, r->owner};
            }
            n = notify_fd(r, k);
            if (policy == LS_EXEC_RELEASE) {
                release(r, k, n, 0);
            } else if (policy == LS_EXEC_HANDOVER) {
                struct ls_handover_rec rec = {n, k == KIND_LEASE ? r->lease : F_UNLCK,
                                              k == KIND_ASYNC, r->sig, r->owner.type, r->owner.pid};
                *len = ls_handover_add(var, size, *len, &rec);
                sigaddset(block, note_signal(r));
                handed++;
            }
        }
    }
    errno = saved;
    return handed;
}

void ls_reg_undo(const struct ls_undo *undo, int n)
{
    int saved = errno;
    for (int i = n - 1; i >= 0; i--) {
        const struct ls_undo *x = &undo[i];
        struct ls_reg *r = ls_reg_get(x->id);
        if (x->to >= 0) {
            /* moved to an alias: move it back, and FROM is a member again */
            if (r->live && notify_fd(r, (enum kind)x->kind) == x->to)
                rehome(r, (enum kind)x->kind, x->from, x->to);
            if (r->live && !ls_fd_reg(x->from)) {
                ls_seq_write_begin();
                ls_fd_attach(x->from, x->id);
                ls_seq_write_end();
            }
        } else if (x->kind == KIND_LEASE) {
            /* released: take it again, with the signal and owner F_UNLCK reset */
            if (ls_sys_fcntl(x->from, F_SETLEASE, x->lease) == 0) {
                ls_sys_fcntl(x->from, F_SETSIG, x->sig);
                ls_sys_fcntl(x->from, F_SETOWN_EX, (long)&x->owner);
                ls_reg_note_lease(x->from, x->lease);
                ls_reg_note_sig(x->from, x->sig);
                ls_reg_note_owner(x->from, &x->owner);
            } else {
                ls_log(LS_LOG_WARN, "fd %d: a failed call could not get its lease back", x->from);
            }
        } else {
            long fl = ls_sys_fcntl(x->from, F_GETFL, 0);
            if (fl >= 0 && ls_sys_fcntl(x->from, F_SETFL, fl | O_ASYNC) == 0)
                ls_reg_note_async(x->from, 1);
        }
    }
    errno = saved;
}

void ls_reg_live_signals(sigset_t *set)
{
    for (uint32_t id = 1, high = ls_reg_high_water(); id <= high; id++) {
        const struct ls_reg *r = ls_reg_get(id);
        if (r->live && owned(r) && (r->lease_fd >= 0 || r->async_fd >= 0))
            sigaddset(set, note_signal(r));
    }
}

void ls_reg_adopt(int fd, int lease, int async, int sig, const struct f_owner_ex *owner)
{
    int saved = errno;
    if (fd < 0) {
        /* a registration that crossed the exec with no descriptor */
        ls_sig_guard(sig ? sig : SIGIO);
        errno = saved;
        return;
    }
    if (lease == F_RDLCK || lease == F_WRLCK)
        ls_reg_note_lease(fd, lease);
    if (async)
        ls_reg_note_async(fd, 1);
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        ls_reg_note_owner(fd, owner);
        ls_reg_note_sig(fd, sig);
        ls_sig_guard(note_signal(ls_reg_get(id)));
        ls_stat_inc(LS_STAT_ADOPTED);
    }
    errno = saved;
}

void ls_reg_answer_unhandled(int sig, int fd)
{
    struct ls_crit c;
    ls_crit_enter(&c);
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        if (r->live && note_signal(r) == sig && r->lease_fd == fd && r->lease != F_UNLCK &&
            ls_sys_fcntl(fd, F_SETLEASE, F_UNLCK) == 0) {
            ls_log_event("fd %d: lease break with no handler in this image; released it", fd);
            ls_stat_inc(LS_STAT_RELEASED);
            ls_reg_note_lease(fd, F_UNLCK);
        }
    }
    ls_crit_leave(&c);
}

/* ---- replacing a descriptor ------------------------------------------------------ */

int ls_reg_replace(int fd, struct ls_undo *undo, int cap)
{
    int saved = errno;
    uint32_t id = ls_fd_reg(fd);
    struct undo_log u = {undo, cap, 0};
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        int h = in_range(r->lease_fd, (unsigned)fd, (unsigned)fd) ? r->lease_fd : fd;
        going_reg(id, (unsigned)fd, (unsigned)fd, h, &u);
    }
    errno = saved;
    return u.n;
}
