/* proc.h - process lifecycle: start-up and fork. */
#ifndef LS_PROC_H
#define LS_PROC_H

/* The shim's constructor: resolve libc, read the configuration, register
 * the fork handlers.  Called once, by the constructor; not
 * async-signal-safe. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_proc_init(void);

/* The fork handlers (pthread_atfork; the _Fork wrapper calls them too):
 * prepare on the forking thread, then parent in the parent or child in
 * the child, on that thread.  Lock: taken by prepare only when the process
 * is busy, released by parent, reset by child.  Async-signal-safe; errno
 * kept. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_proc_fork_prepare(void);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_proc_fork_parent(void);
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_proc_fork_child(void);

#endif
