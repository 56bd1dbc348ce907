/* reg_exec.h - registrations across exec (reg_exec.c, SPEC §5): before
 * the exec, in a spawn, and adopted by the new image.
 */
#ifndef LS_REG_EXEC_H
#define LS_REG_EXEC_H

#include "registry.h" /* struct ls_undo */

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>

/* Before exec (SPEC §5).  Close-on-exec notify descriptors are re-homed to
 * a surviving alias (each move recorded in UNDO, at most CAP); then the
 * surviving registrations follow POLICY (config.h): handover appends a
 * record for each to VAR (length *LEN, 0 when it no longer fits) and adds
 * its signal to BLOCK; release releases them.  Returns the number handed
 * over.  (The signals guarded with no registration here are the caller's
 * to add: they are the dispositions', not the registry's.)  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_exec_prepare(int policy, char *var, size_t size, size_t *len, sigset_t *block,
                        struct ls_undo *undo, int cap, int *nundo);

/* Add the signal of every live registration this process owns to SET.
 * Lock-free, async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_reg_live_signals(sigset_t *set);

/* Adopt a registration handed over across exec: FD holds lease LEASE
 * (F_UNLCK: none) and/or O_ASYNC, signal SIG, owner OWNER.  Returns the
 * signal the caller guards (ls_sig_guard) until the new image installs a
 * handler, 0 if none.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
int ls_reg_adopt(int fd, int lease, int async, int sig, const struct f_owner_ex *owner);

/* A notification for SIG naming FD arrived while the application's
 * disposition is SIG_DFL for an adopted registration: answer a lease break
 * by releasing the lease, swallow anything else.  Takes the lock;
 * async-signal-safe. */
/* [async-signal-safe] [lock: takes] [errno: set] */
void ls_reg_answer_unhandled(int sig, int fd);

#endif
