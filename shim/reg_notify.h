/* reg_notify.h - the registry's lock-free side (reg_notify.c, SPEC §4):
 * the verdict on a kernel notification, the registrations being made, the
 * notifications lost to a queue overflow, and the break deadline's
 * releases.
 */
#ifndef LS_REG_NOTIFY_H
#define LS_REG_NOTIFY_H

#include <signal.h>
#include <sys/stat.h>

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
