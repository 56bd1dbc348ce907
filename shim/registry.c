/* registry.c - the close/dup/fcntl rules of SPEC §3, applied to the table.
 *
 * Callers hold the lock with every signal blocked (ls_crit_enter), which is
 * also how R5 is met: the notification signals are blocked in the calling
 * thread for as long as a registration is being changed.
 */
#include "registry.h"
#include "reg_move.h"
#include "reg_table.h"
#include "alias.h"
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "log.h"
#include "policy.h"
#include "self.h"
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#define LS_HUNT_MAX_FOUND 64 /* aliases one pass of a registration's search holds */


/* ---- the owner -------------------------------------------------------- */

/* Does owner O make a registration this process's own (R3)?  Lock-free. */
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

/* ---- finding and creating registrations -------------------------------- */

/* A search for the descriptors that already name FD's open file
 * description when it is registered (a dup() made before the lease, one
 * inherited, one received over SCM_RIGHTS): the alias index (alias.h)
 * names the candidates, kcmp proves each. */
struct alias_hunt {
    int fd;
    dev_t dev;
    ino_t ino;
    uint32_t existing; /* a registration of that OFD, or 0 */
    uint32_t attach;   /* second pass: attach what is found to this id */
    int found[LS_HUNT_MAX_FOUND], nfound;
    int overflow;      /* more were found than FOUND holds */
};

/* Is OTHER an alias of H->fd?  Notes it (found, or the registration it is
 * a member of).  Returns 0: go on. */
static int hunt_one(int other, void *arg)
{
    struct alias_hunt *h = arg;
    if (other == h->fd)
        return 0;
    uint32_t oid = ls_fd_reg(other);
    if (oid) {
        struct ls_reg *o = ls_reg_get(oid);
        if (!h->attach && !h->existing && o->dev == h->dev && o->ino == h->ino &&
            ls_same_ofd(h->fd, other))
            h->existing = oid;
    } else if (ls_same_ofd(h->fd, other)) {
        if (h->attach) {
            ls_seq_write_begin();
            ls_fd_attach(other, h->attach);
            ls_seq_write_end();
        } else if (h->nfound < LS_HUNT_MAX_FOUND) {
            h->found[h->nfound++] = other;
        } else {
            h->overflow = 1;
        }
    }
    return 0;
}

/* Run H over FD's candidates: the numbers of its class and those of
 * unknown provenance; every open descriptor when FD itself is of unknown
 * provenance.  0, or -1 (errno) when the descriptors cannot be listed. */
static int hunt(struct alias_hunt *h)
{
    uint32_t cls = ls_alias_class(h->fd);
    if (cls & LS_ALIAS_UNKNOWN)
        return ls_fd_each(hunt_one, h);
    for (int c = ls_alias_next_candidate(cls, 0, h->fd); c >= 0;
         c = ls_alias_next_candidate(cls, (unsigned)c + 1, h->fd))
        hunt_one(c, h);
    return 0;
}

/* What the registering call already knows (ls_reg_hint); fd -1: nothing.
 * Written and read with the lock held. */
static struct {
    int fd, sig;
    struct stat st;
} hint = {-1, -1, {0}};

void ls_reg_hint(int fd, const struct stat *st, int sig)
{
    hint.fd = fd;
    hint.sig = sig;
    hint.st = *st;
}

void ls_reg_hint_clear(void)
{
    hint.fd = -1;
}

/* The registration FD belongs to, created if needed; 0 when FD cannot be
 * tracked (closed, out of range, out of memory, aliases unknowable).  For a
 * LEASE the owner is not asked: the caller notes the one the lease set. */
static uint32_t reg_for_fd(int fd, int lease)
{
    struct stat st;
    if (hint.fd == fd)
        st = hint.st;
    else if (ls_sys_fstat(fd, &st) < 0)
        return 0;
    dev_t dev = st.st_dev;
    ino_t ino = st.st_ino;
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        if (r->dev == dev && r->ino == ino)
            return id;
        ls_reg_forget_stale(fd, "was replaced");
    }
    struct alias_hunt h = {.fd = fd, .dev = dev, .ino = ino};
    if (ls_cfg.alias_scan && (ls_alias_switch_on() < 0 || hunt(&h) < 0)) {
        /* an alias the shim does not know of would be released under the
         * application by R2: better not to track this descriptor at all */
        ls_degrade("cannot list /proc/thread-self/fd (errno %d): fd %d is not tracked", errno,
                   fd);
        return 0;
    }
    id = h.existing;
    int created = 0;
    if (!id) {
        id = ls_reg_alloc();
        if (!id) {
            ls_degrade("out of memory: fd %d is not tracked", fd);
            return 0;
        }
        struct ls_reg *r = ls_reg_get(id);
        LS_SET(r->dev, dev);
        LS_SET(r->ino, ino);
        r->fmt = st.st_mode & S_IFMT;
        LS_SET(r->proc, ls_self());
        int sig = hint.fd == fd && hint.sig >= 0 ? hint.sig : (int)ls_sys_fcntl(fd, F_GETSIG, 0);
        LS_SET(r->sig, sig < 0 ? 0 : sig);
        if (lease || ls_sys_fcntl(fd, F_GETOWN_EX, (long)&r->owner) < 0)
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
        LS_SET(r->owner_is_proc, lease || owner_is_self(&r->owner));
        created = 1;
    }
    ls_seq_write_begin();
    int ok = ls_fd_attach(fd, id) == 0;
    for (int i = 0; ok && i < h.nfound; i++)
        if (ls_fd_attach(h.found[i], id) < 0)
            break;
    ls_seq_write_end();
    if (!ok) {
        ls_degrade("cannot track fd %d (out of range or memory)", fd);
        if (created)
            ls_reg_free(id);
        return 0;
    }
    if (h.overflow) {
        /* more aliases than one pass holds: the rest join directly */
        h.attach = id;
        hunt(&h);
    }
    if (created)
        ls_stat_inc(LS_STAT_REGISTERED);
    return id;
}

/* ---- notes from fcntl/dup ------------------------------------------------ */

/* The signals registrations started to use since ls_reg_take_signals last
 * ran (bit sig-1).  Written and read with the lock held. */
static uint64_t signals_started;

/* SIG carries a registration's notifications now. */
static void started(int sig)
{
    if (sig > 0 && sig < LS_NSIG)
        signals_started |= 1ull << (sig - 1);
}

uint64_t ls_reg_take_signals(void)
{
    uint64_t s = signals_started;
    signals_started = 0;
    return s;
}

void ls_reg_note_lease(int fd, int type)
{
    int saved = errno;
    if (type == F_UNLCK) {
        uint32_t id = ls_fd_reg(fd);
        if (id) {
            /* the kernel also resets the OFD's signal and owner (SPEC §0) */
            struct ls_reg *r = ls_reg_get(id);
            ls_seq_write_begin();
            if (r->lease_fd >= 0)
                ls_fd_bury(r->lease_fd, ls_reg_signal(r), r, 0, 0);
            LS_SET(r->lease, F_UNLCK);
            LS_SET(r->lease_fd, -1);
            LS_SET(r->break_at, 0);
            LS_SET(r->sig, 0);
            r->owner = (struct f_owner_ex){F_OWNER_PID, 0};
            LS_SET(r->owner_is_proc, 1);
            ls_seq_write_end();
            ls_reg_drop_if_empty(id);
        }
    } else {
        uint32_t id = reg_for_fd(fd, 1);
        if (id) {
            struct ls_reg *r = ls_reg_get(id);
            ls_seq_write_begin();
            /* taken through an alias: the kernel names FD from now on */
            if (r->lease_fd >= 0 && r->lease_fd != fd)
                ls_fd_bury(r->lease_fd, ls_reg_signal(r), r, 1, 0);
            LS_SET(r->lease, type);
            LS_SET(r->lease_fd, fd);
            LS_SET(r->break_at, 0);
            r->owner = (struct f_owner_ex){F_OWNER_PID, ls_self()};
            LS_SET(r->owner_is_proc, 1);
            LS_SET(r->proc, ls_self());
            ls_seq_write_end();
            started(ls_reg_signal(r));
        }
    }
    errno = saved;
}

void ls_reg_note_async(int fd, int on)
{
    int saved = errno;
    uint32_t id = on ? reg_for_fd(fd, 0) : ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        ls_seq_write_begin();
        if (r->async_fd >= 0 && r->async_fd != fd)
            ls_fd_bury(r->async_fd, ls_reg_signal(r), r, on, 0);
        else if (!on && r->async_fd == fd)
            ls_fd_bury(fd, ls_reg_signal(r), r, 0, 0);
        LS_SET(r->async_fd, on ? fd : -1);
        if (on)
            LS_SET(r->proc, ls_self());
        ls_seq_write_end();
        if (on)
            started(ls_reg_signal(r));
        ls_reg_drop_if_empty(id);
    }
    errno = saved;
}

void ls_reg_note_sig(int fd, int sig)
{
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        ls_seq_write_begin();
        LS_SET(r->sig, sig);
        ls_seq_write_end();
        started(ls_reg_signal(r));
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
        LS_SET(r->owner_is_proc, mine);
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
            ls_reg_forget_stale(newfd, "was closed"); /* the kernel just handed it out */
        ls_seq_write_begin();
        int ok = ls_fd_attach(newfd, id) == 0;
        ls_seq_write_end();
        if (!ok)
            ls_degrade("cannot track alias %d of fd %d", newfd, src);
    }
    errno = saved;
}

/* ---- descriptors going away ------------------------------------------------ */

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
        if (m < 0 || ls_same_ofd(*h, m))
            return m;
        /* which of the two kcmp says differ was replaced behind our back */
        if (ls_fd_names(*h, r->dev, r->ino) || !ls_fd_names(m, r->dev, r->ino)) {
            ls_reg_detach_stale(m, "was replaced");
        } else {
            ls_reg_detach_stale(*h, "was replaced");
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
        if (!ls_in_range(m, first, last)) {
            if (m == known || ls_same_ofd(m, h))
                return m;
            ls_reg_detach_stale(m, "was replaced");
        }
        m = next;
    }
    return -1;
}

/* R3: a registration another process owns keeps its notifications where
 * the kernel has them, but when its notify fd is among [FIRST, LAST] the
 * table names a member that stays (the move is made in the table only, and
 * the old number is kept to translate), so that the notify fd is always a
 * member: should the process become the owner again, the rules act through
 * a descriptor of this open file description.  H is a going member.  Lock
 * held. */
static void note_survivors(uint32_t id, unsigned first, unsigned last, int h)
{
    struct ls_reg *r = ls_reg_get(id);
    for (enum ls_kind k = LS_KIND_LEASE; k <= LS_KIND_ASYNC; k++) {
        int n = ls_reg_notify_fd(r, k);
        if (n < 0 || !ls_in_range(n, first, last))
            continue;
        int survivor = find_survivor(id, first, last, h, -1);
        if (survivor < 0)
            return;
        ls_seq_write_begin();
        if (k == LS_KIND_LEASE)
            LS_SET(r->lease_fd, survivor);
        else
            LS_SET(r->async_fd, survivor);
        ls_fd_bury(n, ls_reg_signal(r), r, 1, 1);
        ls_seq_write_end();
    }
}

/* Forget the members of ID in [FIRST, LAST]: a walk of its ring, so the
 * cost grows with its members, not with the width of the range.  A notify
 * fd still among them (kept, LEASE_SHIM_CLOSE=keep) leaves a grave: the
 * kernel goes on naming a number that no longer names the file. */
static void detach_range(uint32_t id, unsigned first, unsigned last)
{
    struct ls_reg *r = ls_reg_get(id);
    ls_seq_write_begin();
    int m = r->head;
    for (unsigned i = 0, n = r->members; i < n && m >= 0; i++) {
        int next = ls_fd_next_member(m);
        if (ls_in_range(m, first, last)) {
            ls_fd_detach(m);
            if (m == r->lease_fd || m == r->async_fd)
                ls_fd_bury(m, ls_reg_signal(r), r, 0, 1);
        }
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

static void log_change(struct undo_log *u, uint32_t id, const struct ls_reg *r, enum ls_kind k,
                       int from, int to)
{
    if (u && u->n < u->cap)
        u->rec[u->n++] = (struct ls_undo){id, r->gen, (int)k, from, to, r->lease, r->sig, r->owner};
}

/* Move notification K of R to SURVIVOR through H: 0.  -1 with a warning
 * when the kernel refused: the registration is left as the kernel has it.
 * LS_MOVE_LATER (unless FINAL): nothing changed, to be tried again. */
static int rehome_or_degrade(uint32_t id, struct ls_reg *r, enum ls_kind k, int survivor, int h,
                             struct undo_log *u, int final)
{
    int from = ls_reg_notify_fd(r, k);
    int moved = ls_reg_rehome(r, k, survivor, h, final);
    if (moved == 0) {
        log_change(u, id, r, k, from, survivor);
        return 0;
    }
    if (moved == LS_MOVE_LATER)
        return LS_MOVE_LATER;
    int err = errno;
    ls_degrade("could not move the %s of fd %d to fd %d (errno %d): no longer tracked",
               ls_reg_kind_name(r, k), from, survivor, err);
    return -1;
}

/* Descriptors of registration ID in [FIRST, LAST] are about to go away and
 * are still open.  H, one of them, is verified first.  Changes are logged
 * in U when the operation may still fail.  1 when a move must be tried
 * again (unless FINAL): nothing of ID changed. */
static int going_reg(uint32_t id, unsigned first, unsigned last, int h, struct undo_log *u,
                     int final)
{
    struct ls_reg *r = ls_reg_get(id);
    if (!ls_reg_owned(r)) {
        ls_stat_inc(LS_STAT_NOT_OWNER); /* R3: the kernel is left alone */
        note_survivors(id, first, last, h);
    } else {
        int known = verify_handle(id, &h);
        if (known < 0 && !ls_fd_names(h, r->dev, r->ino)) {
            /* H, alone, names another file: replaced behind our back, and
             * the registration went with its last descriptor */
            ls_reg_detach_stale(h, "was replaced");
            ls_reg_drop(id);
            return 0;
        }
        int going[2];
        for (enum ls_kind k = LS_KIND_LEASE; k <= LS_KIND_ASYNC; k++) {
            int n = ls_reg_notify_fd(r, k);
            going[k] = n >= 0 && (ls_in_range(n, first, last) || ls_fd_reg(n) != id);
            if (n >= 0 && !going[k] && n != known && !ls_same_ofd(n, h)) {
                /* the notify fd no longer names this file: its si_fd is stale already */
                ls_reg_detach_stale(n, "was replaced");
                going[k] = 1;
            }
        }
        int survivor = (going[LS_KIND_LEASE] || going[LS_KIND_ASYNC])
                           ? find_survivor(id, first, last, h, known) : -1;
        for (enum ls_kind k = LS_KIND_LEASE; k <= LS_KIND_ASYNC; k++) {
            if (ls_reg_notify_fd(r, k) < 0)
                continue;
            switch (ls_policy_going(1, going[k], survivor >= 0, ls_cfg.close_policy)) {
            case LS_GOING_REHOME:
                switch (rehome_or_degrade(id, r, k, survivor, h, u, final)) {
                case 0:
                    break;
                case LS_MOVE_LATER:
                    return 1; /* the lease comes first: nothing changed */
                default:
                    /* pass-through from now on: the kernel keeps naming the
                     * old number, as it would without the shim */
                    ls_reg_drop(id);
                    return 0;
                }
                break;
            case LS_GOING_RELEASE:
                log_change(u, id, r, k, ls_reg_notify_fd(r, k), -1);
                ls_reg_release(r, k, h, k == LS_KIND_LEASE && r->async_fd >= 0 && !going[LS_KIND_ASYNC]);
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
    ls_reg_drop_if_empty(id);
    return 0;
}

/* Is FD one of registration ID's members, inside [FIRST, LAST]? */
static int is_going_member(int fd, uint32_t id, unsigned first, unsigned last)
{
    return ls_in_range(fd, first, last) && ls_fd_reg(fd) == id;
}

int ls_reg_going_range(unsigned first, unsigned last, int final)
{
    int saved = errno, later = 0;
    for (int fd = ls_fd_next_tracked(first, last); fd >= 0;) {
        uint32_t id = ls_fd_reg(fd);
        struct ls_reg *r = ls_reg_get(id);
        /* act through the notify fd when it is among the going ones (and
         * still a member: a number the table does not hold may name
         * anything by now) */
        int h = is_going_member(r->lease_fd, id, first, last)   ? r->lease_fd
                : is_going_member(r->async_fd, id, first, last) ? r->async_fd
                                                                : fd;
        if (going_reg(id, first, last, h, NULL, final)) {
            later = 1; /* the ones after it wait for the next call too */
            break;
        }
        /* going_reg detached every member of ID in range */
        fd = (unsigned)fd < last ? ls_fd_next_tracked((unsigned)fd + 1, last) : -1;
    }
    errno = saved;
    return later;
}

void ls_reg_undo(const struct ls_undo *undo, int n)
{
    int saved = errno;
    for (int i = n - 1; i >= 0; i--) {
        const struct ls_undo *x = &undo[i];
        struct ls_reg *r = ls_reg_get(x->id);
        /* freed and handed out again meanwhile: another registration now */
        int same = r->live && r->gen == x->gen;
        if (x->to >= 0 && !same) {
            continue;
        } else if (x->to >= 0) {
            /* moved to an alias: move it back, and FROM is a member again */
            if (ls_reg_notify_fd(r, (enum ls_kind)x->kind) == x->to)
                ls_reg_rehome(r, (enum ls_kind)x->kind, x->from, x->to, 1);
            if (!ls_fd_reg(x->from)) {
                ls_seq_write_begin();
                ls_fd_attach(x->from, x->id);
                ls_seq_write_end();
            }
        } else if (x->kind == LS_KIND_LEASE) {
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

/* ---- replacing a descriptor ------------------------------------------------------ */

int ls_reg_replace(int fd, struct ls_undo *undo, int cap, int final)
{
    int saved = errno, later = 0;
    uint32_t id = ls_fd_reg(fd);
    struct undo_log u = {undo, cap, 0};
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        int h = ls_in_range(r->lease_fd, (unsigned)fd, (unsigned)fd) ? r->lease_fd : fd;
        later = going_reg(id, (unsigned)fd, (unsigned)fd, h, &u, final);
    }
    errno = saved;
    return later ? -1 : u.n;
}
