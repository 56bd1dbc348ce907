/* lock.h - the one lock that serialises changes to the shim's state.
 *
 * Order, always: block every signal, take the lock, act, release, restore the
 * mask (ls_crit_enter / ls_crit_leave).  With all signals blocked while it is
 * held, no signal handler can ever run on a thread that holds it, so a
 * wrapper of an async-signal-safe function may take it.  Readers never lock:
 * they use the table's sequence counter (fdtable.h).
 */
#ifndef LS_LOCK_H
#define LS_LOCK_H

#include <signal.h>

struct ls_crit {
    sigset_t saved; /* the caller's mask, restored exactly by ls_crit_leave */
    int nested;     /* entered on a thread that holds the lock for a fork */
};

/* Block all signals in this thread, then take the lock.  On a thread that
 * holds the lock for a fork in progress (ls_fork_lock: another library's
 * fork handler, or its child handler before the shim's child code), only
 * marks C nested: the lock is this thread's already, every signal blocked,
 * and the state between two changes.  Async-signal-safe; preserves errno. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_crit_enter(struct ls_crit *c);

/* Release the lock, then restore the mask saved by ls_crit_enter.
 * Async-signal-safe; preserves errno. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_crit_leave(struct ls_crit *c);

/* The mask the calling thread had before its current ls_crit_enter (NULL
 * outside one).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
const sigset_t *ls_crit_caller_mask(void);

/* HOOK runs in every ls_crit_leave, after the lock is released and before
 * the mask is restored (the constructor gives it ls_diag_unlocked, which
 * lies above the lock and takes what is owed once it is free, when a
 * setting asks for backtraces or call sites): so the lock calls nothing
 * above it.  HOOK must be async-signal-safe and keep errno.  Set once,
 * before anything can be owed; not set, nothing is written (start-up
 * leaves the page clean). */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_crit_on_leave(void (*hook)(void));

/* A fork that must hold the lock (forking.c): ls_crit_enter, and this
 * thread marked as holding it for the fork, until ls_fork_unlock_parent in
 * the parent or ls_fork_unlock_child in the child (which frees the lock
 * the child inherited held, outside any critical section, and restores the
 * mask C saved).  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_fork_lock(struct ls_crit *c);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_fork_unlock_parent(struct ls_crit *c);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_fork_unlock_child(struct ls_crit *c);

/* A fork that need not hold the lock (forking.c), before the clone:
 * 1 when no other thread is in or entering a critical section; then every
 * other thread's ls_crit_enter waits until ls_fork_fast_end (the parent) or
 * ls_fork_fast_child (the child) is called on this thread.  0: nothing
 * changed, take the lock instead.  Async-signal-safe; errno kept; no
 * system call unless a thread waits. */
/* [async-signal-safe] [lock: not held] [errno: kept] */
int ls_fork_fast_begin(void);
/* [async-signal-safe] [lock: not held] [errno: kept] */
void ls_fork_fast_end(void);
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_fork_fast_child(void);


#endif
