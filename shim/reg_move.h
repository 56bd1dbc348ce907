/* reg_move.h - the kernel side of the rules (reg_move.c): moving and
 * releasing notifications, those already queued for a number that goes,
 * and the wait between two tries of a move.  Unless it says otherwise, the
 * same contract as reg_table.h (lock held, async-signal-safe, errno may
 * change).
 */
#ifndef LS_REG_MOVE_H
#define LS_REG_MOVE_H

#include "reg_table.h"

/* Take SIG's queued notifications naming FROM off the queue and put them
 * back renamed TO, or dropped when TO < 0, where the kernel allows it. */
/* [async-signal-safe] [lock: held] [errno: set] */
void ls_reg_flush_pending(int sig, int from, int to);

/* How long a close keeps trying to move a read lease that a writer's
 * open() holds off for a moment (see ls_reg_move_pause). */
#define LS_MOVE_WAIT_NS 50000000ull

/* ls_reg_rehome's answer when the move must be tried again later. */
#define LS_MOVE_LATER (-2)

/* Move notification K of R to S through H, an open descriptor of its
 * file (R1).  0; -1 with nothing changed; or, unless FINAL, LS_MOVE_LATER
 * with nothing changed when a writer holds the lease off for a moment. */
/* [async-signal-safe] [lock: held] [errno: set] */
int ls_reg_rehome(struct ls_reg *r, enum ls_kind k, int s, int h, int final);

/* Release notification K of R through H (R2); restore the OFD's signal and
 * owner when OTHER_KIND_STAYS. */
/* [async-signal-safe] [lock: held] [errno: set] */
void ls_reg_release(struct ls_reg *r, enum ls_kind k, int h, int other_kind_stays);

/* Between two tries of a move (lock NOT held): yield, then sleep 100 us;
 * 0 once LS_MOVE_WAIT_NS have passed since the first call (*START 0 and
 * *TRIES 0 before it).  A signal interrupting the sleep only shortens it
 * (errno restored: the close or dup2 that waits succeeds as libc's would). */
/* [async-signal-safe] [lock: not held] [errno: kept] */
int ls_reg_move_pause(unsigned long long *start, unsigned *tries);

#endif
