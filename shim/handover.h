/* handover.h - the environment variable that carries registrations across
 * exec (SPEC §5), encoded and decoded without allocation.
 *
 *   LEASE_SHIM_HANDOVER=1;m=<mask hex>;<fd>,<lease>,<async>,<sig>,<owner type>,<owner pid>;...
 *
 * <fd> is -1 for a registration that crosses the exec with no descriptor
 * (its signal is only guarded); <lease> is F_RDLCK, F_WRLCK or F_UNLCK (no
 * lease); <async> 0 or 1;
 * <mask> is the caller's signal mask (signals 1..64) before the shim
 * blocked the notification signals for the exec.
 */
#ifndef LS_HANDOVER_H
#define LS_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#define LS_HANDOVER_VAR "LEASE_SHIM_HANDOVER"

struct ls_handover_rec {
    int fd, lease, async, sig, owner_type, owner_pid;
};

/* Append "NAME=1;m=<mask>" to BUF (SIZE bytes).  Returns the length, or 0
 * if it does not fit.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_handover_begin(char *buf, size_t size, uint64_t mask);

/* Append one record to the string in BUF of length LEN.  Returns the new
 * length, or 0 if it does not fit.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_handover_add(char *buf, size_t size, size_t len, const struct ls_handover_rec *rec);

/* Parse VALUE (the part after "NAME="): the mask into *MASK, then each
 * record through EACH.  Returns the number of records, -1 if VALUE is
 * malformed (nothing after the error is passed on).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_handover_parse(const char *value, uint64_t *mask,
                      void (*each)(const struct ls_handover_rec *rec, void *arg), void *arg);

#endif
