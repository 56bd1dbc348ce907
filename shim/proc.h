/* proc.h - process lifecycle: start-up and fork. */
#ifndef LS_PROC_H
#define LS_PROC_H

/* The shim's constructor: resolve libc, read the configuration, register
 * the fork handlers.  Runs once; not async-signal-safe. */
void ls_proc_init(void);

#endif
