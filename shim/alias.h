/* alias.h - which descriptor numbers may name one open file description,
 * known without listing the process's descriptors at every registration.
 *
 * A registration must know every alias of its descriptor (R1, R2).  The
 * kernel can only compare two descriptors (kcmp), so the shim keeps a
 * *class* per descriptor number: numbers with the same class may share an
 * open file description, numbers with none share it with nobody, and the
 * UNKNOWN mark means "may share it with anything" (received over
 * SCM_RIGHTS or pidfd_getfd).  A class is a superset: every candidate is
 * still proven with kcmp before it is used; a number only ever lacks a
 * class it should have where a descriptor was made behind the shim's back
 * (an inline system call, io_uring, a glibc-internal dup).
 *
 * The index is off until the process's first registration: before that no
 * call pays anything.  Switching it on lists the descriptors once
 * (/proc/thread-self/fd) and gives one class to the numbers that name the
 * same file; from then on every dup, dup2, dup3 and F_DUPFD gives the new
 * number its source's class, lock-free, and every close forgets the
 * number's class.  A fork child keeps its parent's index, an exec'd image
 * starts with it off.
 *
 * Storage: the class is a field of the number's descriptor-table entry
 * (fdtable.h), which every wrapper's fast path reads already, so keeping
 * it costs no other memory access there; a static bitmap of the classed
 * numbers lets a registration walk them without looking at the others.
 */
#ifndef LS_ALIAS_H
#define LS_ALIAS_H

#include "fdtable.h"

#include <stdint.h>

#define LS_ALIAS_UNKNOWN 0x80000000u /* class bit: may alias any descriptor */

/* Is the index on (since the process's first registration)?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_alias_on(void);

/* Switch the index on: list the open descriptors and class those naming
 * the same file.  0, or -1 with errno when the descriptors cannot be
 * listed (the index stays off: aliases are unknown).  Not async-signal-safe
 * only in that it maps and unmaps scratch memory; lock held. */
/* [not async-signal-safe] [lock: held] [errno: set] */
int ls_alias_switch_on(void);

/* NEWFD was just made from SRC (dup family, F_DUPFD): it takes SRC's
 * class (one is made for SRC if it had none).  Call after the call
 * succeeded.  Lock-free, async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_alias_dup(int src, int newfd);

/* ls_alias_dup, when the index is on: the wrappers' fast path, one load
 * when it is off.  Async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline void ls_alias_note(int src, int newfd);

/* Before a dup2/dup3 of SRC onto NEWFD: 1 when the index is already as
 * the call will leave it (or off), so the caller may tail-call libc and
 * skip ls_alias_note; 0 when it must note the call after it succeeds.
 * Lock-free, async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_alias_pre_dup(int src, int newfd);

/* FD was just received (SCM_RIGHTS, pidfd_getfd): it may alias anything.
 * Lock-free, async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_alias_unknown(int fd);

/* FD is about to be closed: it names nothing from now on.  Lock-free,
 * async-signal-safe, errno untouched; one word read when FD has no class. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline void ls_alias_gone(int fd);

/* The same for every number in FIRST..LAST; cost grows with the classed
 * numbers in the range.  Lock-free, async-signal-safe, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_alias_gone_range(unsigned first, unsigned last);

/* FD's class (0: none; LS_ALIAS_UNKNOWN may be set).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
uint32_t ls_alias_class(int fd);

/* The smallest classed number >= FROM, other than SKIP, that may alias a
 * descriptor of class CLS: one of the same class (when CLS has one) or
 * one marked UNKNOWN; -1 when there is none.  Cost grows with the classed
 * numbers passed over, not with the open descriptors.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_alias_next_candidate(uint32_t cls, unsigned from, int skip);

/* Are there UNKNOWN numbers at all?  (No walk is needed for a descriptor
 * without a class when there are none.)  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_alias_any_unknown(void);

/* Call FN for every open descriptor of the process, as the calling thread
 * sees them (/proc/thread-self/fd: the process's view is empty once its
 * main thread has exited), until FN returns non-zero.  0, or -1 (errno)
 * when they cannot be listed.  The listing's own descriptor is left out.
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_fd_each(int (*fn)(int fd, void *arg), void *arg);

/* Forget everything and switch the index off (unit tests).  Not for use
 * while other threads run. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_alias_reset(void);

/* ---- inline implementation details ------------------------------------ */

#define LS_ALIAS_FD_LIMIT LS_FD_LIMIT

extern int ls_alias_state;
extern unsigned ls_alias_unknowns;
extern uint64_t ls_alias_bits[LS_ALIAS_FD_LIMIT / 64];
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_alias_forget(unsigned fd);

static inline int ls_alias_on(void)
{
    return __atomic_load_n(&ls_alias_state, __ATOMIC_SEQ_CST);
}

static inline int ls_alias_any_unknown(void)
{
    return __atomic_load_n(&ls_alias_unknowns, __ATOMIC_SEQ_CST) != 0;
}

/* FD's class slot if its table page exists, else NULL. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline uint32_t *ls_alias_slot(unsigned fd)
{
    struct ls_fdent *page =
        fd < LS_FD_LIMIT ? __atomic_load_n(&ls_fdpages[fd >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE) : NULL;
    return page ? &page[fd & (LS_FDPAGE_SIZE - 1)].cls : NULL;
}

/* FD's class, read in place (the fast path of ls_alias_class). */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline uint32_t ls_alias_peek(unsigned fd)
{
    uint32_t *s = ls_alias_slot(fd);
    return s ? __atomic_load_n(s, __ATOMIC_ACQUIRE) : 0;
}

static inline void ls_alias_note(int src, int newfd)
{
    if (__builtin_expect(ls_alias_on(), 0)) {
        /* a repeated dup2 between the same two numbers changes nothing */
        uint32_t c = ls_alias_peek((unsigned)src);
        if ((c & ~LS_ALIAS_UNKNOWN) && c == ls_alias_peek((unsigned)newfd))
            return;
        ls_alias_dup(src, newfd);
    }
}

static inline int ls_alias_pre_dup(int src, int newfd)
{
    if (__builtin_expect(!ls_alias_on(), 1))
        return 1;
    uint32_t c = ls_alias_peek((unsigned)src), n = ls_alias_peek((unsigned)newfd);
    if ((c & ~LS_ALIAS_UNKNOWN) && c == n)
        return 1; /* the steady state of a repeated dup2 */
    if (n || !(c & ~LS_ALIAS_UNKNOWN))
        return 0;
    /* NEWFD unclassed: a class it would get anyway if the call succeeds,
     * and one more candidate, disproved by kcmp, if it fails */
    ls_alias_dup(src, newfd);
    return 1;
}

static inline void ls_alias_gone(int fd)
{
    if (__builtin_expect(ls_alias_peek((unsigned)fd) != 0, 0))
        ls_alias_forget((unsigned)fd);
}

#endif
