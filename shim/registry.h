/* registry.h - registrations and the rules that keep their notifications
 * true (SPEC §3): what a registration is made of, aliases, and what happens
 * before (or, through a temporary copy, just after) a descriptor goes away.
 *
 * Most functions here expect the lock held and every signal blocked
 * (ls_crit_enter); the lock-free checks of notifications do not, and the
 * deadline's release and the answer to an unhandled break take it.  Each
 * prototype's tag says which.
 */
#ifndef LS_REGISTRY_H
#define LS_REGISTRY_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
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

/* Between two tries of a move (lock NOT held): yield, then sleep 100 us;
 * 0 once LS_MOVE_WAIT_NS have passed since the first call (*START 0 and
 * *TRIES 0 before it).  Async-signal-safe; a signal interrupting the
 * sleep leaves EINTR in errno. */
/* [async-signal-safe] [lock: not held] [errno: set] */
int ls_reg_move_pause(unsigned long long *start, unsigned *tries);

/* The verdict on a kernel notification for SIG naming FD with SI_CODE
 * (SPEC §4).  STALE only when proven: a registration with that number and
 * signal went away (or moved) and the number no longer names its file;
 * TRANSLATE puts the descriptor it moved to in *TO; PENDING: FD is being
 * registered right now; FOREIGN: nothing the shim registered is proven
 * stale (dnotify, FIOASYNC, a registration it gave up on), so it is the
 * application's as the kernel sent it.  Lock-free and async-signal-safe (it
 * may run in any signal handler); errno kept. */
enum ls_note_verdict {
    LS_NOTE_VALID,
    LS_NOTE_TRANSLATE,
    LS_NOTE_STALE,
    LS_NOTE_PENDING,
    LS_NOTE_FOREIGN
};
/* [async-signal-safe] [lock: none] [errno: kept] */
enum ls_note_verdict ls_reg_check_notification(int sig, int fd, int si_code, int *to);

/* Queue overflow: for every registration of this process whose lease is
 * being broken or whose O_ASYNC file is ready, call EMIT with the
 * notification the kernel could not queue.  Returns how many.
 * Lock-free and async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_reg_recover_overflow(void (*emit)(int sig, siginfo_t *si));

/* A notification for SIG naming FD was handed to the application: if it
 * announces a lease break, note when (for the deadline, and so that
 * overflow recovery does not announce it again) and return 1: the caller
 * wakes the deadline thread (ls_deadline_kick).  Lock-free,
 * async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_reg_note_break(int sig, int fd, int si_code);

/* Release every lease whose break was handed on at least LIMIT ns before
 * NOW and is still unanswered.  Returns ns until the next deadline, or 0 if
 * none is pending.  Takes the lock; not for signal handlers. */
/* [not async-signal-safe] [lock: takes] [errno: set] */
unsigned long long ls_reg_enforce_deadline(unsigned long long now, unsigned long long limit);

/* Before exec (SPEC §5).  Close-on-exec notify descriptors are re-homed to
 * a surviving alias (each move recorded in UNDO, at most CAP); then the
 * surviving registrations follow POLICY (config.h): handover appends a
 * record for each to VAR (length *LEN, 0 when it no longer fits) and adds
 * its signal to BLOCK; release releases them.  Returns the number handed
 * over.  (The signals guarded with no registration here are the caller's
 * to add: they are the dispositions', not the registry's.)  Lock held. */
struct ls_undo {
    uint32_t id, gen;   /* the registration, and its generation then */
    int kind, from, to; /* to < 0: released */
    int lease, sig;     /* what a released registration was */
    struct f_owner_ex owner;
};
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_exec_prepare(int policy, char *var, size_t size, size_t *len, sigset_t *block,
                        struct ls_undo *undo, int cap, int *nundo);

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

/* Add the signal of every live registration this process owns to SET.
 * Lock-free, async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_reg_live_signals(sigset_t *set);

/* Adopt a registration handed over across exec: FD holds lease LEASE
 * (F_UNLCK: none) and/or O_ASYNC, signal SIG, owner OWNER.  Returns the
 * signal the caller guards (ls_sig_guard) until the new image installs a
 * handler, 0 if none.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_adopt(int fd, int lease, int async, int sig, const struct f_owner_ex *owner);

/* A notification for SIG naming FD arrived while the application's
 * disposition is SIG_DFL for an adopted registration: answer a lease break
 * by releasing the lease, swallow anything else.  Takes the lock;
 * async-signal-safe. */
/* [async-signal-safe] [lock: takes] [errno: set] */
void ls_reg_answer_unhandled(int sig, int fd);

/* A registration on FD is being made (from just before the kernel call
 * until the table has it): notifications naming FD are valid meanwhile.
 * ST: FD's fstat, NULL if it failed.  Lock held (one at a time), read
 * lock-free; async-signal-safe. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_pending_begin(int fd, const struct stat *st);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_pending_end(void);

/* Registrations being made right now (between ls_reg_pending_begin and
 * _end), process-wide: while there are any, a lease or O_ASYNC change on an
 * untracked descriptor takes the lock, so that a handler answering a break
 * during the registering call is noted after the registration, as the
 * kernel saw them. */
extern unsigned ls_reg_pending_count;

/* Is a registration of FD's current file being made under number FD?
 * Lock-free, async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_reg_pending(int fd);


#endif
