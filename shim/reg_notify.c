/* reg_notify.c - lock-free checks of kernel notifications (SPEC §4): the
 * trampoline's verdict, registrations in progress, overflow recovery, and
 * the break deadline. */
#include "reg_notify.h"
#include "registry.h"
#include "reg_table.h"
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "lock.h"
#include "policy.h"
#include "self.h"
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- checking notifications (any context, lock-free) -------------------- */

/* The registration being made: the number and the file it names, so that
 * a notification for an older registration under a reused number is not
 * taken for one of the new registration's.  One: registrations are made
 * with the lock held (fcntl_tracked), one at a time. */
static struct pending {
    int fd; /* -1: none; -2: being filled in */
    dev_t dev;
    ino_t ino;
} pending = {-1, 0, 0};

unsigned ls_reg_pending_count;

void ls_reg_pending_begin(int fd, const struct stat *st)
{
    __atomic_add_fetch(&ls_reg_pending_count, 1, __ATOMIC_SEQ_CST);
    if (!st)
        return;
    __atomic_store_n(&pending.fd, -2, __ATOMIC_SEQ_CST);
    LS_SET(pending.dev, st->st_dev);
    LS_SET(pending.ino, st->st_ino);
    __atomic_store_n(&pending.fd, fd, __ATOMIC_SEQ_CST);
}

void ls_reg_pending_end(void)
{
    __atomic_store_n(&pending.fd, -1, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&ls_reg_pending_count, 1, __ATOMIC_SEQ_CST);
}

/* Is a registration of FD's current file being made under number FD? */
int ls_reg_pending(int fd)
{
    if (__atomic_load_n(&pending.fd, __ATOMIC_SEQ_CST) != fd)
        return 0;
    /* relaxed: the registration may end and another begin meanwhile */
    return ls_fd_names(fd, LS_GET(pending.dev), LS_GET(pending.ino));
}

/* The descriptor that carries R's notifications of the kind a notification
 * with SI_CODE announces (POLL_MSG: a lease break), -1 if none.  Lock-free. */
static int carrier(const struct ls_reg *r, int si_code)
{
    int lease_fd = LS_GET(r->lease_fd), async_fd = LS_GET(r->async_fd);
    if (si_code == POLL_MSG && lease_fd >= 0)
        return lease_fd;
    return async_fd >= 0 ? async_fd : lease_fd;
}

enum ls_note_verdict ls_reg_check_notification(int sig, int fd, int si_code, int *to)
{
    int saved = errno;
    enum ls_note_verdict v;
    dev_t dev = 0;
    ino_t ino = 0;
    int closing = 0;
    unsigned seq;
    do {
        seq = ls_seq_read_begin();
        v = LS_NOTE_FOREIGN;
        uint32_t id = ls_fd_reg(fd);
        const struct ls_reg *r = id ? ls_reg_get(id) : NULL;
        struct ls_grave g;
        if (r && LS_GET(r->live) && ls_reg_signal(r) == sig &&
            (LS_GET(r->lease_fd) >= 0 || LS_GET(r->async_fd) >= 0)) {
            /* a registration of this number with this signal: valid while
             * the number still names its file */
            v = LS_NOTE_VALID;
            dev = LS_GET(r->dev);
            ino = LS_GET(r->ino);
        } else if (ls_fd_grave(fd, &g) && ((g.sigs >> (sig - 1)) & 1)) {
            /* a registration with this signal left the number: stale once
             * the number no longer names its file; translated when it lives
             * on under another descriptor */
            v = LS_NOTE_STALE;
            dev = g.dev;
            ino = g.ino;
            closing = g.closing;
            const struct ls_reg *moved = g.reg ? ls_reg_get(g.reg) : NULL;
            if (moved && LS_GET(moved->live) && LS_GET(moved->gen) == g.gen &&
                ls_reg_signal(moved) == sig && (*to = carrier(moved, si_code)) >= 0)
                v = LS_NOTE_TRANSLATE;
        }
    } while (ls_seq_read_retry(seq));
    switch (v) {
    case LS_NOTE_VALID:
        /* cheaply, the same file: not replaced behind the shim's back */
        if (!ls_fd_names(fd, dev, ino))
            v = LS_NOTE_STALE;
        break;
    case LS_NOTE_TRANSLATE:
        /* the same file still, and not being closed: proven only if the
         * alias names the same open file description */
        if (!closing && ls_fd_names(fd, dev, ino) && !ls_same_ofd(fd, *to))
            v = LS_NOTE_FOREIGN;
        break;
    case LS_NOTE_STALE:
        if (!closing && ls_fd_names(fd, dev, ino))
            v = LS_NOTE_FOREIGN; /* nothing proven: delivered as sent */
        break;
    case LS_NOTE_FOREIGN:
    case LS_NOTE_PENDING:
        break;
    }
    if (v != LS_NOTE_VALID && v != LS_NOTE_TRANSLATE && ls_reg_pending(fd))
        v = LS_NOTE_PENDING;
    errno = saved;
    return v;
}

int ls_reg_recover_overflow(void (*emit)(int sig, siginfo_t *si))
{
    int saved = errno, found = 0;
    for (uint32_t i = 1, high = ls_reg_high_water(); i <= high; i++) {
        const struct ls_reg *r = ls_reg_get(i);
        int sig = LS_GET(r->sig), lease = LS_GET(r->lease);
        int lease_fd = LS_GET(r->lease_fd), async_fd = LS_GET(r->async_fd);
        if (!LS_GET(r->live) || !ls_reg_owned(r) || !sig)
            continue;
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_signo = sig;
        if (lease != F_UNLCK && lease_fd >= 0) {
            /* a lease being broken reports its target type (SPEC §0) */
            long cur = ls_sys_fcntl(lease_fd, F_GETLEASE, 0);
            if (cur >= 0 && cur != lease && !__atomic_load_n(&r->break_at, __ATOMIC_RELAXED)) {
                si.si_code = POLL_MSG;
                si.si_band = POLLIN | POLLRDNORM | POLLMSG;
                si.si_fd = lease_fd;
                emit(sig, &si);
                found++;
            }
        }
        if (async_fd >= 0) {
            struct pollfd p = {.fd = async_fd, .events = POLLIN | POLLOUT | POLLPRI};
            struct timespec zero = {0, 0};
            if (LS_REAL(syscall)(SYS_ppoll, &p, 1L, &zero, NULL, 0L) > 0 && p.revents) {
                si.si_code = ls_poll_si_code(p.revents);
                si.si_band = p.revents;
                si.si_fd = async_fd;
                emit(sig, &si);
                found++;
            }
        }
    }
    errno = saved;
    return found;
}

/* ---- the break deadline ------------------------------------------------------- */

int ls_reg_note_break(int sig, int fd, int si_code)
{
    if (si_code != POLL_MSG)
        return 0;
    uint32_t id = ls_fd_reg(fd);
    if (!id)
        return 0;
    struct ls_reg *r = ls_reg_get(id);
    if (LS_GET(r->live) && ls_reg_signal(r) == sig && LS_GET(r->lease_fd) == fd &&
        LS_GET(r->lease) != F_UNLCK && !__atomic_load_n(&r->break_at, __ATOMIC_RELAXED)) {
        __atomic_store_n(&r->break_at, ls_now_ns(), __ATOMIC_RELAXED);
        return 1;
    }
    return 0;
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
        LS_SET(r->break_at, 0);
        if (!ls_fd_names(fd, r->dev, r->ino)) {
            /* closed or replaced behind the shim's back: not ours to touch */
            ls_reg_forget_stale(fd, "was replaced");
            continue;
        }
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

