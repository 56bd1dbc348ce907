/* claims.c - descriptors claimed by running handlers (see claims.h). */
#include "claims.h"
#include "fdtable.h"
#include "lock.h"
#include "log.h"
#include "real.h"
#include "self.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>

/*
 * While an application handler runs with a tracked descriptor in si_fd, the
 * descriptor is counted in flight (fdtable.h), and a close on another thread
 * waits for it.  A handler may be left without returning (siglongjmp,
 * longjmp): its claim then belongs to a dead frame.  Each claim records
 * where the trampoline's frame was, so that a dead one is let go by the
 * longjmp wrappers (which know where the jump lands) and, for any other way
 * out, by the next trampoline on the thread (which knows where the signal
 * interrupted it).  A handler nested deeper than LS_NEST claims still gets
 * its notification, unclaimed. */

#define LS_NEST 32
struct claim {
    int fd;
    int on_alt;         /* the frame is on the alternate signal stack */
    uintptr_t sp;       /* the trampoline's frame */
    uintptr_t alt_lo, alt_hi; /* the alternate stack then (0, 0: none) */
};
static __thread struct claim claims[LS_NEST] __attribute__((tls_model("initial-exec")));
static __thread int nclaims __attribute__((tls_model("initial-exec")));

/* Has C's frame been left, now that the thread runs at SP?  A frame on the
 * alternate stack is left once the thread runs off that stack (deliveries
 * nested in its handler stay on it); a frame on another stack lives on
 * while the thread runs on the alternate stack (nested there).  On one
 * stack, frames below SP are dead.  Address ranges, not ss_flags: with
 * SS_AUTODISARM the kernel reports no alternate stack inside its handler. */
static int claim_dead(const struct claim *c, uintptr_t sp)
{
    int on_alt = sp >= c->alt_lo && sp < c->alt_hi;
    if (c->on_alt != on_alt)
        return c->on_alt;
    return sp > c->sp;
}

void ls_claims_release_to(int depth)
{
    while (nclaims > depth)
        ls_fd_inflight_add(claims[--nclaims].fd, -1);
}

/* Let go of the claims whose frames are dead with the thread at SP.  0 SP:
 * all of them.  Async-signal-safe. */
static void prune(uintptr_t sp)
{
    int depth = nclaims;
    while (depth && (!sp || claim_dead(&claims[depth - 1], sp)))
        depth--;
    ls_claims_release_to(depth);
}

/* Count FD in flight for a handler about to be judged and run: a closer
 * that detaches FD or buries it after this waits for the handler; one that
 * did before is seen by the verdict that follows (both sides are
 * sequentially consistent).  FRAME and ST place the trampoline's frame.
 * Nothing is counted for a number whose page was never mapped (never
 * tracked, no grave), or beyond LS_NEST claims.  1 if claimed. */
int ls_claim(int fd, uintptr_t frame, const stack_t *st)
{
    if (nclaims >= LS_NEST || ls_fd_inflight_add(fd, 1) < 0)
        return 0;
    uintptr_t lo = 0, hi = 0;
    if (!(st->ss_flags & SS_DISABLE) && st->ss_size) {
        lo = (uintptr_t)st->ss_sp;
        hi = lo + st->ss_size;
    }
    claims[nclaims++] = (struct claim){fd, frame >= lo && frame < hi, frame, lo, hi};
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* before the verdict reads the table */
    return 1;
}

/* The notification's si_fd was translated to TO, a tracked descriptor: the
 * innermost claim moves to it, and holds while TO is still tracked.  1 if
 * it does (or nothing was claimed). */
int ls_claim_moves(int claimed, int to)
{
    if (!claimed)
        return 1;
    struct claim *c = &claims[nclaims - 1];
    if (ls_fd_inflight_add(to, 1) < 0)
        return 0;
    if (!ls_fd_reg(to)) {
        ls_fd_inflight_add(to, -1);
        return 0;
    }
    ls_fd_inflight_add(c->fd, -1);
    c->fd = to;
    return 1;
}

/* The stack pointer of the code a signal interrupted, from its context;
 * 0 where the shim does not know the layout. */
static uintptr_t interrupted_sp(const ucontext_t *uc)
{
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__i386__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_ESP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.sp;
#else
    (void)uc;
    return 0;
#endif
}

/* Where a jmp_buf will put the stack pointer (glibc keeps it mangled with
 * the thread's pointer guard); 0 where the shim does not know the layout. */
static uintptr_t jump_target_sp(const void *env)
{
#if defined(__x86_64__)
    uintptr_t v = (uintptr_t)((const long *)env)[6], guard; /* JB_RSP */
    __asm__("mov %%fs:0x30, %0" : "=r"(guard));
    v = (v >> 0x11) | (v << (64 - 0x11));
    return v ^ guard;
#elif defined(__i386__)
    uintptr_t v = (uintptr_t)((const int *)env)[4], guard; /* JB_SP */
    __asm__("mov %%gs:0x18, %0" : "=r"(guard));
    v = (v >> 9) | (v << (32 - 9));
    return v ^ guard;
#else
    (void)env;
    return 0;
#endif
}

int ls_claims_depth(void)
{
    return nclaims;
}

void ls_claims_interrupted(const void *uctx)
{
    if (nclaims && uctx) {
        uintptr_t sp = interrupted_sp(uctx);
        if (sp)
            prune(sp);
    }
}

void ls_claims_longjmp(const void *env)
{
    if (!nclaims)
        return;
    int saved = errno;
    prune(jump_target_sp(env)); /* where it lands unknown (0): no claim survives */
    errno = saved;
}

int ls_claims_fork_clean(void)
{
    return __atomic_load_n(&ls_inflight_total, __ATOMIC_RELAXED) == (unsigned)nclaims;
}

void ls_claims_after_fork(void)
{
    if (__atomic_load_n(&ls_inflight_total, __ATOMIC_RELAXED) == (unsigned)nclaims)
        return; /* only this thread's: nothing to write (no page copied) */
    ls_fd_inflight_clear();
    for (int i = 0; i < nclaims; i++)
        ls_fd_inflight_add(claims[i].fd, 1);
}

void ls_fd_quiesce(int fd)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned own = 0;
    for (int i = 0; i < nclaims; i++)
        own += claims[i].fd == fd;
    if (ls_fd_inflight(fd) <= own)
        return;
    if (ls_crit_caller_mask())
        ls_check_failed("a wait with the lock held");
    int saved = errno;
    unsigned long long start = ls_now_ns();
    while (ls_fd_inflight(fd) > own) {
        if (ls_now_ns() - start > 200000000ull) {
            ls_log(LS_LOG_WARN, "fd %d goes away while a handler on another thread still uses it", fd);
            break;
        }
        LS_REAL(syscall)(SYS_sched_yield);
    }
    errno = saved;
}

void ls_fd_quiesce_range(unsigned first, unsigned last)
{
    if (last >= LS_FD_LIMIT)
        last = LS_FD_LIMIT - 1;
    for (unsigned fd = first; fd <= last;) {
        if (!ls_fd_page_present(fd)) {
            /* never tracked, so no handler was ever given one of these */
            unsigned next = (fd | (LS_FDPAGE_SIZE - 1)) + 1;
            if (next <= fd)
                break;
            fd = next;
            continue;
        }
        if (ls_fd_inflight((int)fd))
            ls_fd_quiesce((int)fd);
        if (fd == last)
            break;
        fd++;
    }
}
