/* forking.h - what a fork must do around the clone so that the child never
 * inherits a half-changed table, a held lock or its parent's identity.
 *
 * Every wrapper that forks (fork, __fork, _Fork, forkpty, daemon: proc.c,
 * exec.c) brackets the real call with these; the shim registers no
 * pthread_atfork handler.  An idle process (one thread, no live
 * registration, no handler running) needs nothing: ls_fork_idle says so,
 * and the wrapper tail-calls libc, so the child runs no code of the
 * shim's and no page of it is written.  Otherwise ls_fork_prepare takes
 * the lock with every signal blocked (a registration is live) or makes
 * every other thread wait outside the shim's critical sections (idle, with
 * threads), and ls_fork_done undoes it on the side that returns.
 *
 * Other libraries' fork handlers run inside libc's fork, between the two:
 * on the forking thread a wrapper they call enters the critical section
 * nested (lock.h), so it neither waits for the lock this thread holds nor
 * takes it again.
 */
#ifndef LS_FORKING_H
#define LS_FORKING_H

#include "lock.h"

struct ls_fork {
    int mode;           /* how it was prepared (forking.c) */
    struct ls_crit crit; /* the lock's, in the locked mode */
};

/* Does a fork now need nothing of the shim, in the parent or the child?
 * Reads only.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_fork_idle(void);

/* Before the clone, on the forking thread.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_fork_prepare(struct ls_fork *f);

/* After the clone, on the side that returned (IN_CHILD: the child).
 * Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_fork_done(struct ls_fork *f, int in_child);

#endif
