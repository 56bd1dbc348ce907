/* stats.h - the statistics document written at exit (LEASE_SHIM_STATS). */
#ifndef LS_STATS_H
#define LS_STATS_H

#include <stddef.h>

struct ls_frame;

/* Note COUNT violations of kind EVENT (an ls_stat) at the call site FR (N
 * frames, innermost first, beyond the shim's own; none for one found in a
 * signal handler): it joins the statistics document's "sites".  Only when
 * LEASE_SHIM_STATS is set.  Async-signal-safe (a lock-free table); errno kept. */
void ls_site_record(int event, unsigned long count, const struct ls_frame *fr, int n);

/* How many frames a site keeps. */
#define LS_SITE_FRAMES 12

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
