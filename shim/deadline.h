/* deadline.h - the optional lease-break deadline (SPEC §4, off by default).
 *
 * When LEASE_SHIM_BREAK_DEADLINE (milliseconds) is set, a lease-break
 * notification handed to the application starts a clock on its
 * registration; a lease the application has not answered (released or
 * downgraded) when the clock runs out is released by the shim, so other
 * writers wait that long instead of the kernel's lease-break-time.
 */
#ifndef LS_DEADLINE_H
#define LS_DEADLINE_H

/* Start the deadline thread if a deadline is configured.  Constructor
 * context, not async-signal-safe. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_deadline_start(void);

/* A break notification was handed on: wake the deadline thread.
 * Async-signal-safe, errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_deadline_kick(void);

#endif
