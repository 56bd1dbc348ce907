/* reg_table.h - the bottom of the registry (reg_table.c): facts about a
 * registration and the edits of the table the rules are made of.  Only the
 * registry's own files (reg_*.c, registry.c) include it.
 *
 * Unless it says otherwise, each function expects the lock held with every
 * signal blocked (ls_crit_enter), is async-signal-safe, and may change
 * errno (the public ls_reg_* entry points in registry.h restore it).
 */
#ifndef LS_REG_TABLE_H
#define LS_REG_TABLE_H

#include "fdtable.h"

#include <sys/stat.h>

/* The two notifications a registration can carry. */
enum ls_kind { LS_KIND_LEASE, LS_KIND_ASYNC };

/* ---- facts (lock-free) ---- */

/* Do A and B name one open file description?  Trusts the table when the
 * kernel cannot tell (no kcmp).  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_same_ofd(int a, int b);

/* Does FD name the file DEV/INO now (fstat)?  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_fd_names(int fd, dev_t dev, ino_t ino);

/* Is R this process's own (R3)?  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_reg_owned(const struct ls_reg *r);

/* The number the kernel puts in si_fd for notification K of R, -1 if none.  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_reg_notify_fd(const struct ls_reg *r, enum ls_kind k);

/* The signal the kernel sends for R's notifications.  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_reg_signal(const struct ls_reg *r);

/* "read lease", "write lease" or "O_ASYNC", for log lines.  Lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
const char *ls_reg_kind_name(const struct ls_reg *r, enum ls_kind k);

/* Is FD in [FIRST, LAST]? */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_in_range(int fd, unsigned first, unsigned last);

/* ---- table edits ---- */

/* Take every member of ID out of the table and free it. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_drop(uint32_t id);

/* Drop ID if no member or no notification is left. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_drop_if_empty(uint32_t id);

/* FD was found closed or replaced behind the shim's back (WHY says which):
 * counted, logged and detached; its registration is left to the caller. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_detach_stale(int fd, const char *why);

/* The same, then drop its registration if nothing is left of it. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_forget_stale(int fd, const char *why);

#endif
