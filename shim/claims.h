/* claims.h - descriptors claimed by running handlers: while an
 * application handler runs with a tracked descriptor in si_fd, the number
 * is counted in flight (fdtable.h) on behalf of that handler's frame, and
 * a closer on another thread waits until it is let go (SPEC §4).  The
 * claims are the calling thread's own (thread-local); the counts are the
 * table's.  Everything here is async-signal-safe and lock-free.
 */
#ifndef LS_CLAIMS_H
#define LS_CLAIMS_H

#include <signal.h>
#include <stdint.h>

/* The trampoline, on entry: let go of the claims of handlers the signal
 * interrupted out of (left without returning), as UCTX (the interrupted
 * context, maybe NULL) tells.  errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_claims_interrupted(const void *uctx);

/* How many claims the calling thread holds: the depth to go back to. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_claims_depth(void);

/* Count FD in flight for a handler about to be judged and run; FRAME and
 * ST place the trampoline's frame.  1 if claimed.  errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_claim(int fd, uintptr_t frame, const stack_t *st);

/* The notification's si_fd was translated to TO: the innermost claim (if
 * CLAIMED) moves to it.  1 if it holds.  errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_claim_moves(int claimed, int to);

/* Let go of claims from the innermost until DEPTH are left.  errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_claims_release_to(int depth);

/* Would a fork child made now find its claims counted right without
 * ls_claims_after_fork (no handler of another thread holds one)?
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_claims_fork_clean(void);

/* In a fork child: the handlers of the parent's other threads are not
 * running here, so only this thread's claims stay counted.
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_claims_after_fork(void);

/* A longjmp to ENV is about to leave this thread's handlers whose frames
 * lie below where it lands: their claims go.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_claims_longjmp(const void *env);

/* Before the real close of FD (already detached from the table): wait until
 * no handler on another thread is still running with FD as its si_fd, so
 * the number cannot be reused under it.  Bounded (200 ms, then a warning).
 * Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: not held] [errno: kept] */
void ls_fd_quiesce(int fd);

/* The same for every descriptor in [FIRST, LAST]. */
/* [async-signal-safe] [lock: not held] [errno: kept] */
void ls_fd_quiesce_range(unsigned first, unsigned last);

#endif
