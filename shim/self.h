/* self.h - the process's identity and clock: who the calling process and
 * thread are, whether this is a vfork child, and the time.  No state of the
 * shim's besides the cached pid and main thread (in a page every fork
 * child gets zeroed: self.c); nothing here takes the lock.
 */
#ifndef LS_SELF_H
#define LS_SELF_H

#include <sys/types.h>

/* This process's pid, cached on first use (the first call maps the cache's
 * page: two system calls, once).  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
pid_t ls_self(void);

/* In a fork child: cache the child's pid, and the calling thread as the
 * main thread.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_self_reset(void);

/* In a fork child: ls_self_reset if the cache is the plain one (no
 * MADV_WIPEONFORK) and the parent had filled it, else nothing (no page
 * written).  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_self_after_fork(void);

/* Would a fork child made now, with no code of the shim's run in it, know
 * that it is not its parent?  1 with the wipe-on-fork cache, or when
 * nothing is cached.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_self_survives_fork(void);

/* Is the calling thread the process's main thread (the one whose tid is the
 * pid)?  No system call once the main thread has asked (or after a fork);
 * before that one gettid.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_is_main_thread(void);

/* Set by the vfork wrapper in a vfork child (thread-local: the child runs
 * on its parent's thread); 0 everywhere else. */
extern __thread int ls_vfork_child __attribute__((tls_model("initial-exec")));

/* Is this a child that shares the parent's memory?  Then the shim must not
 * change its table.  Async-signal-safe, no system call. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_shared_child(void)
{
    return ls_vfork_child;
}

/* Monotonic time in nanoseconds.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
unsigned long long ls_now_ns(void);

#endif
