/* stats.h - the statistics document written at exit (LEASE_SHIM_STATS). */
#ifndef LS_STATS_H
#define LS_STATS_H

#include <stddef.h>

/* Note where in the application a violation of kind EVENT (an ls_stat)
 * happened: the caller's stack, beyond the shim's own frames, joins the
 * statistics document's "sites".  Only when LEASE_SHIM_STATS is set.
 * Async-signal-safe (libunwind local unwinding, a lock-free table). */
void ls_site_record(int event);

/* Constructor: learn where the shim's own code lies, so sites skip it.
 * Not async-signal-safe. */
void ls_sites_init(void);

/* Is PC in the shim's own code?  Async-signal-safe. */
int ls_pc_in_shim(unsigned long pc);

/* Render this process's statistics as one JSON object into BUF (SIZE
 * bytes); returns its length (0 if it does not fit).  Async-signal-safe. */
size_t ls_stats_json(char *buf, size_t size);

/* Write the document to LEASE_SHIM_STATS ("%p": the pid), atomically (a
 * temporary file renamed over it).  Called once at exit; not for signal
 * handlers; errno kept. */
void ls_stats_write(void);

#endif
