/* reg_exec.c - registrations across exec (SPEC §5): close-on-exec R1,
 * hand-over records, adoption in the new image. */
#include "reg_exec.h"
#include "registry.h"
#include "reg_move.h"
#include "reg_table.h"
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "handover.h"
#include "lock.h"
#include "log.h"
#include "sys.h"

#include <errno.h>

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
        if (m != n && !cloexec(m) && ls_same_ofd(m, n))
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
        if (!r->live || !ls_reg_owned(r))
            continue;
        for (enum ls_kind k = LS_KIND_LEASE; k <= LS_KIND_ASYNC; k++) {
            int n = ls_reg_notify_fd(r, k);
            if (n < 0)
                continue;
            if (cloexec(n)) {
                /* R1 only: a failed exec must leave the application as it was */
                int s = exec_survivor(id, n);
                if (s < 0 || *nundo >= cap || ls_reg_rehome(r, k, s, n, 1) < 0) {
                    /* no descriptor of it crosses the exec, but the registration
                     * does if the file stays open elsewhere (a forked worker):
                     * its signal must not kill the new image */
                    if (policy == LS_EXEC_HANDOVER) {
                        struct ls_handover_rec rec = {-1, F_UNLCK, 0, r->sig, r->owner.type,
                                                      r->owner.pid};
                        *len = ls_handover_add(var, size, *len, &rec);
                        sigaddset(block, ls_reg_signal(r));
                        handed++;
                        ls_stat_inc(LS_STAT_HANDED_OVER);
                    }
                    continue;
                }
                undo[(*nundo)++] = (struct ls_undo){id, r->gen, k, n, s, r->lease, r->sig, r->owner};
            }
            n = ls_reg_notify_fd(r, k);
            if (policy == LS_EXEC_RELEASE) {
                ls_reg_release(r, k, n, 0);
            } else if (policy == LS_EXEC_HANDOVER) {
                struct ls_handover_rec rec = {n, k == LS_KIND_LEASE ? r->lease : F_UNLCK,
                                              k == LS_KIND_ASYNC, r->sig, r->owner.type, r->owner.pid};
                *len = ls_handover_add(var, size, *len, &rec);
                sigaddset(block, ls_reg_signal(r));
                handed++;
                ls_stat_inc(LS_STAT_HANDED_OVER);
            }
        }
    }
    errno = saved;
    return handed;
}

void ls_reg_live_signals(sigset_t *set)
{
    for (uint32_t id = 1, high = ls_reg_high_water(); id <= high; id++) {
        const struct ls_reg *r = ls_reg_get(id);
        if (LS_GET(r->live) && ls_reg_owned(r) &&
            (LS_GET(r->lease_fd) >= 0 || LS_GET(r->async_fd) >= 0))
            sigaddset(set, ls_reg_signal(r));
    }
}

int ls_reg_adopt(int fd, int lease, int async, int sig, const struct f_owner_ex *owner)
{
    if (fd < 0)
        return sig ? sig : SIGIO; /* a registration that crossed the exec with no descriptor */
    int saved = errno, guard = 0;
    if (lease == F_RDLCK || lease == F_WRLCK)
        ls_reg_note_lease(fd, lease);
    if (async)
        ls_reg_note_async(fd, 1);
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        ls_reg_note_owner(fd, owner);
        ls_reg_note_sig(fd, sig);
        guard = ls_reg_signal(ls_reg_get(id));
        ls_stat_inc(LS_STAT_ADOPTED);
    }
    errno = saved;
    return guard;
}

void ls_reg_answer_unhandled(int sig, int fd)
{
    struct ls_crit c;
    ls_crit_enter(&c);
    uint32_t id = ls_fd_reg(fd);
    if (id) {
        struct ls_reg *r = ls_reg_get(id);
        if (r->live && ls_reg_signal(r) == sig && r->lease_fd == fd && r->lease != F_UNLCK &&
            ls_sys_fcntl(fd, F_SETLEASE, F_UNLCK) == 0) {
            /* in the trampoline: no unwinding (a bounded stack) */
            ls_log(LS_LOG_INFO, "fd %d: lease break with no handler in this image; released it", fd);
            ls_stat_inc_in_handler(LS_STAT_RELEASED);
            ls_reg_note_lease(fd, F_UNLCK);
        }
    }
    ls_crit_leave(&c);
}

