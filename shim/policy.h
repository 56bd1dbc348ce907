/* policy.h - the rules of SPEC §3 as pure decisions, and what kind of
 * notification a siginfo is (§4): no system calls, no state.  Everything here is async-signal-safe and leaves errno alone. */
#ifndef LS_POLICY_H
#define LS_POLICY_H

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>

/* What happens to one notification (lease or O_ASYNC) of a registration
 * when some of its descriptors go away. */
enum ls_going_action {
    LS_GOING_FORGET,  /* R3: not ours to change; only drop the table entries */
    LS_GOING_NOTHING, /* its notify fd survives: nothing to change */
    LS_GOING_REHOME,  /* R1: move it to a surviving alias */
    LS_GOING_RELEASE, /* R2: release it, nothing of ours can name it */
    LS_GOING_KEEP,    /* R2 under LEASE_SHIM_CLOSE=keep: leave the kernel alone */
};

/* [async-signal-safe] [lock: none] [errno: kept] */
enum ls_going_action ls_policy_going(int owned, int notify_going, int have_survivor,
                                     enum ls_close_policy policy);

/* The F_GETOWN_EX view of an F_SETOWN argument (negative: a process group). */
/* [async-signal-safe] [lock: none] [errno: kept] */
struct f_owner_ex ls_policy_owner_of_setown(long arg);

/* Whether OWNER makes the registration this process's own (R3): it names
 * SELF, nobody, SELF's process group PGRP, or a thread of SELF (THREAD_OF_SELF
 * is the caller's answer for F_OWNER_TID). */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_policy_owner_is_self(const struct f_owner_ex *owner, pid_t self, pid_t pgrp,
                            int thread_of_self);

/* F_SETLEASE makes the caller's process the owner; after moving a lease,
 * must the previous OWNER be put back? */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_policy_owner_needs_restore(const struct f_owner_ex *owner, pid_t self);

/* Does an F_SETFL from flags WAS to flags NOW switch O_ASYNC: +1 on, -1 off, 0 no. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_policy_async_switch(long was, long now);

/* Would dup2 (IS_DUP3 0) or dup3 (with FLAGS) from OLDFD to NEWFD fail on
 * its arguments alone?  The errno it would fail with, or 0. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_policy_dup_args_error(int is_dup3, int oldfd, int newfd, int flags, int oldfd_open,
                             unsigned long fd_limit);

/* ---- notifications (SPEC §4) ---- */

/* Is SI a kernel I/O notification (si_code POLL_IN..POLL_HUP, with si_fd)?
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_is_notification(const siginfo_t *si)
{
    return si && si->si_code >= POLL_IN && si->si_code <= POLL_HUP;
}

/* The si_code the kernel gives an I/O notification for poll events REVENTS
 * (as fs/fcntl.c orders them: in, out, msg, err, pri, hup). */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_poll_si_code(short revents);

#endif
