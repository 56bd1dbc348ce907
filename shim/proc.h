/* proc.h - process lifecycle: start-up (the fork wrappers are exported
 * names only). */
#ifndef LS_PROC_H
#define LS_PROC_H

/* The shim's constructor: read the configuration, adopt registrations
 * handed over by exec, start the break-deadline thread if asked.  Called
 * once, by the constructor; not async-signal-safe. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_proc_init(void);

#endif
