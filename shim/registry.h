/* registry.h - registrations and the rules that keep their notifications
 * true (SPEC §3): what a registration is made of, aliases, and what happens
 * before (or, through a temporary copy, just after) a descriptor goes away.
 *
 * Every function here expects the lock held and every signal blocked
 * (ls_crit_enter).  The rest of the layer: reg_table.h (facts, table
 * edits), reg_move.h (the kernel side, the wait between tries),
 * reg_notify.h (the lock-free side), reg_exec.h (across exec).
 */
#ifndef LS_REGISTRY_H
#define LS_REGISTRY_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

/* What the registering fcntl asked the kernel about FD just before its
 * call: FD's file (ST) and its F_SETSIG value (SIG, -1 if unknown), used by
 * the registration instead of asking again; forgotten by ls_reg_hint_clear
 * once the call is noted.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_hint(int fd, const struct stat *st, int sig);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_hint_clear(void);

/* After a successful F_SETLEASE of TYPE (F_RDLCK, F_WRLCK, F_UNLCK) on FD. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_note_lease(int fd, int type);

/* After a successful F_SETFL on FD that switched O_ASYNC on (ON=1) or off. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_note_async(int fd, int on);

/* After a successful F_SETSIG / F_SETOWN / F_SETOWN_EX on FD. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_note_sig(int fd, int sig);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_note_owner(int fd, const struct f_owner_ex *owner);

/* The signals that registrations noted since the last call (ls_reg_note_*,
 * ls_reg_undo, ls_reg_adopt) carry notifications on (bit sig-1), for the
 * caller to hand to ls_sig_watch_all before it leaves the lock: the
 * registry does not touch the signal dispositions.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
uint64_t ls_reg_take_signals(void);

/* After dup/F_DUPFD/dup2/dup3 made NEWFD name SRC's open file description. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_note_alias(int src, int newfd);

/* Descriptors FIRST..LAST are about to go away and are still open:
 * re-home, release or forget every registration they name (R1-R3).
 * Returns 1 when a read lease could not be moved right now (a writer's
 * open() holds write access for a moment): the registrations not yet
 * handled are untouched, and the caller leaves the lock, waits with
 * ls_reg_move_pause and calls again.  FINAL: no waiting; such a move
 * degrades to pass-through (and 0 is returned). */
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_going_range(unsigned first, unsigned last, int final);

/* One change a rule made, recorded so that the operation that made
 * descriptors go can be undone if it fails (R4): ls_reg_replace,
 * ls_reg_exec_prepare. */
struct ls_undo {
    uint32_t id, gen;   /* the registration, and its generation then */
    int kind, from, to; /* to < 0: released */
    int lease, sig;     /* what a released registration was */
    struct f_owner_ex owner;
};

/* The operation that made descriptors go failed: undo every change
 * recorded for it (moves back, releases taken again), newest first.
 * Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_undo(const struct ls_undo *undo, int n);

/* FD is about to be replaced (dup2/dup3 onto it) and is still open: apply
 * the rules now, before the number changes (R1), recording every change in
 * UNDO (at most CAP) for ls_reg_undo should the call fail (R4).  Returns
 * the number of records, or -1 (nothing changed) to be called again as
 * ls_reg_going_range's 1 says.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_replace(int fd, struct ls_undo *undo, int cap, int final);

#endif
