/* fdtable.h - which descriptor numbers name a registration, and the registrations.
 *
 * Two radix tables of lazily mmap()ed pages, never freed, so a lock-free
 * reader (any wrapper, any signal handler) can always follow a pointer it
 * loaded.  Memory grows with the tracked descriptors and registrations, not
 * with RLIMIT_NOFILE.  The aliases of one registration form a ring through
 * the descriptor entries.
 *
 * Writers hold the lock (lock.h) and bracket every change with
 * ls_seq_write_begin/end; readers that need a consistent multi-field view
 * (the signal trampoline) retry on ls_seq_read_retry.
 */
#ifndef LS_FDTABLE_H
#define LS_FDTABLE_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LS_FD_LIMIT (1u << 22)  /* descriptor numbers tracked: 0 .. 4,194,303 */
#define LS_REG_LIMIT (1u << 22) /* registrations alive at once */

/* One registration: everything this process set up on one open file description. */
struct ls_reg {
    int lease;        /* F_RDLCK, F_WRLCK, or F_UNLCK when no lease */
    int lease_fd;     /* si_fd the kernel uses for lease breaks, -1 if none */
    int async_fd;     /* si_fd the kernel uses for O_ASYNC, -1 if O_ASYNC is off */
    unsigned long long break_at; /* when a break was handed on, 0 if none */
    int sig;          /* the OFD's F_SETSIG value (0: plain SIGIO) */
    struct f_owner_ex owner; /* the OFD's owner as F_GETOWN_EX would say */
    pid_t proc;       /* the process that made the registration (R3) */
    int owner_is_proc;/* owner names proc, one of its threads, or nobody */
    dev_t dev;        /* the file, for cheap same-file checks */
    ino_t ino;
    mode_t fmt;       /* st_mode & S_IFMT */
    int head;         /* one member descriptor; members are a ring */
    unsigned members; /* how many descriptors of this process name it */
    uint32_t next_free;
    uint32_t live;    /* 1 from ls_reg_alloc to ls_reg_free */
    uint32_t gen;     /* bumped by every ls_reg_alloc of this id */
    uint32_t id;      /* its own id */
};

/* What a descriptor number last carried when a registration left it (a
 * move to an alias, a release, a close behind the shim's back): the proof
 * a later notification naming that number needs before it may be dropped
 * or translated (SPEC §4, "provably stale"): the number no longer names the
 * file, or it is being closed right now. */
struct ls_grave {
    uint64_t sigs;  /* bit sig-1: a registration with signal sig left the number */
    dev_t dev;      /* the file the number named then */
    ino_t ino;
    uint32_t reg;   /* where the registration went (0: released or forgotten) */
    uint32_t gen;   /* ...and that id's generation then */
    int closing;    /* left because the number is going: until ls_fd_settle */
};

/* Lock-free readers (the trampoline and what it calls) read registrations
 * and descriptor entries while a writer, holding the lock, changes them;
 * the sequence counter tells them to retry.  So that such a read is not a
 * data race (undefined behaviour, and torn values), every field they read
 * is written with LS_SET and read there with LS_GET: relaxed atomics, the
 * counter does the ordering.  Fields only touched under the lock
 * (members, next_free, owner, fmt) stay plain. */
#define LS_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define LS_SET(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)

/* Registration id behind FD, 0 if FD is untracked.  Async-signal-safe,
 * lock-free, errno untouched: the untracked hot path is this one read. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline uint32_t ls_fd_reg(int fd);

/* The registration with id ID (non-zero, allocated).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
struct ls_reg *ls_reg_get(uint32_t id);

/* Allocate a zeroed registration; 0 when out of memory or ids.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: set] */
uint32_t ls_reg_alloc(void);

/* Return ID to the free list; it must have no members.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_reg_free(uint32_t id);

/* Make FD a member of ID.  -1 when FD is out of range or memory is short
 * (the caller degrades to pass-through).  FD must be untracked.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: set] */
int ls_fd_attach(int fd, uint32_t id);

/* Map the page holding FD's entry if it never was, so that a handler can
 * count itself in flight on FD (ls_fd_inflight_add) before FD is attached,
 * or the alias index can class it.  0, or -1 when FD is out of range or
 * memory is short.  Lock-free (a thread that loses the race unmaps its
 * copy), async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_fd_page_map(int fd);

/* Forget FD; returns its former registration id (0 if it had none).  Does
 * not free the registration.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
uint32_t ls_fd_detach(int fd);

/* The member after FD in its registration's ring (FD itself when alone).
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_fd_next_member(int fd);

/* Smallest tracked descriptor in [from, last], or -1.  Cost grows with the
 * tracked descriptors and mapped pages in the range, not with its width.
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_fd_next_tracked(unsigned from, unsigned last);

/* Every registration id ever handed out is <= this.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
uint32_t ls_reg_high_water(void);

/* Count one more (DELTA 1) or one fewer (-1) handler running with FD as
 * si_fd; -1 if FD has never been tracked.  Sequentially consistent, so that
 * a handler claiming FD and a closer detaching it always see each other.
 * Async-signal-safe, lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_fd_inflight_add(int fd, int delta);

/* Has the page holding FD's entry ever been mapped?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_fd_page_present(unsigned fd);

/* No handler runs with any descriptor (a fork child, before it counts its
 * own again).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_fd_inflight_clear(void);

/* Handlers running with FD as si_fd now.  Async-signal-safe, lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
unsigned ls_fd_inflight(int fd);

/* Handlers running with any descriptor claimed, process-wide: the fast
 * paths check this one word before skipping the wait for them. */
extern unsigned ls_inflight_total;

/* May FD go away without the shim (untracked, no grave, and no handler
 * running with it)?  The fast path of every wrapper that closes.
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_fd_quiet(int fd);

/* Bytes of table memory mapped so far.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_table_bytes(void);

/* Sequence counter: odd while a writer is changing the table. */
extern unsigned ls_table_seq;
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_seq_write_begin(void); /* lock held */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_seq_write_end(void);   /* lock held */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline unsigned ls_seq_read_begin(void);
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_seq_read_retry(unsigned start);

/* Registration R, with signal SIG, left descriptor number FD: for another
 * descriptor of R if MOVED, or for none; CLOSING when it left because FD is
 * going away (the caller calls ls_fd_settle once it has gone).  FD's page
 * is mapped (it was tracked).  Lock held, inside a write bracket. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_fd_bury(int fd, int sig, const struct ls_reg *r, int moved, int closing);

/* Descriptors FIRST..LAST are about to go: mark their graves closing, so
 * that a handler judging a notification from now on takes it for stale,
 * and one that judged before is waited for (ls_fd_quiesce: the mark and a
 * handler's claim are sequentially consistent).  Returns how many were
 * marked.  Async-signal-safe, lock-free. */
/* [async-signal-safe] [lock: none] [errno: kept] */
unsigned ls_fd_mark_closing(unsigned first, unsigned last);

/* Descriptors FIRST..LAST have gone (the close returned): their graves now
 * prove staleness only while the number names another file.
 * Async-signal-safe, lock-free, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_fd_settle(unsigned first, unsigned last);

/* Forget what FD last carried: the number now carries a registration the
 * shim does not track (F_NOTIFY, FIOASYNC, one it gave up on), whose
 * notifications must reach the application as the kernel sends them.
 * Async-signal-safe, lock-free, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline void ls_fd_unbury(int fd);

/* FD's grave, read inside a sequence-counter read; 0 if FD never had one. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_fd_grave(int fd, struct ls_grave *g);

/* Forget everything (the unit tests; --gc-sections leaves it out of the
 * library).  Does not unmap. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_table_clear(void);

/* ---- inline implementation details ------------------------------------ */

#define LS_FDPAGE_SHIFT 10
#define LS_FDPAGE_SIZE (1u << LS_FDPAGE_SHIFT)

struct ls_fdent {
    uint32_t reg;      /* registration id, 0 = untracked */
    int32_t next;      /* next member of the same registration */
    uint32_t inflight; /* application handlers running with this fd as si_fd */
    uint32_t cls;      /* alias class (alias.h), lock-free; 0 = none */
    struct ls_grave grave;
};

extern struct ls_fdent *ls_fdpages[LS_FD_LIMIT / LS_FDPAGE_SIZE];

static inline uint32_t ls_fd_reg(int fd)
{
    unsigned u = (unsigned)fd;
    if (u >= LS_FD_LIMIT)
        return 0;
    struct ls_fdent *page = __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE);
    if (!page)
        return 0;
    return __atomic_load_n(&page[u & (LS_FDPAGE_SIZE - 1)].reg, __ATOMIC_RELAXED);
}

/* [async-signal-safe] [lock: none] [errno: kept] */
static inline void ls_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Has the page holding FD's entry ever been mapped?  Async-signal-safe. */
static inline int ls_fd_page_present(unsigned fd)
{
    return fd < LS_FD_LIMIT && __atomic_load_n(&ls_fdpages[fd >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE);
}

static inline void ls_fd_unbury(int fd)
{
    unsigned u = (unsigned)fd;
    if (u >= LS_FD_LIMIT)
        return;
    struct ls_fdent *page = __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE);
    if (page && __atomic_load_n(&page[u & (LS_FDPAGE_SIZE - 1)].grave.sigs, __ATOMIC_RELAXED))
        __atomic_store_n(&page[u & (LS_FDPAGE_SIZE - 1)].grave.sigs, 0, __ATOMIC_SEQ_CST);
}

static inline int ls_fd_quiet(int fd)
{
    unsigned u = (unsigned)fd;
    struct ls_fdent *page =
        u < LS_FD_LIMIT ? __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE) : 0;
    if (page) {
        const struct ls_fdent *e = &page[u & (LS_FDPAGE_SIZE - 1)];
        if (__atomic_load_n(&e->reg, __ATOMIC_RELAXED) ||
            __atomic_load_n(&e->grave.sigs, __ATOMIC_RELAXED))
            return 0;
    }
    return !__atomic_load_n(&ls_inflight_total, __ATOMIC_SEQ_CST);
}

static inline unsigned ls_seq_read_begin(void)
{
    unsigned s;
    while ((s = __atomic_load_n(&ls_table_seq, __ATOMIC_ACQUIRE)) & 1u)
        ls_cpu_relax();
    return s;
}

static inline int ls_seq_read_retry(unsigned start)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&ls_table_seq, __ATOMIC_RELAXED) != start;
}

#endif
