/* stats.h - the statistics document written at exit (LEASE_SHIM_STATS). */
#ifndef LS_STATS_H
#define LS_STATS_H

#include <stddef.h>

/* Render this process's statistics as one JSON object into BUF (SIZE
 * bytes); returns its length (0 if it does not fit).  Not
 * async-signal-safe: the call sites' frames are named with dladdr. */
/* [not async-signal-safe] [lock: none] [errno: set] */
size_t ls_stats_json(char *buf, size_t size);

/* Write the document to LEASE_SHIM_STATS ("%p": the pid), atomically (a
 * temporary file renamed over it).  Called once at exit; not for signal
 * handlers; errno kept. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_stats_write(void);

#endif
