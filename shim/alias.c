/* alias.c - the alias index (see alias.h). */
#include "alias.h"
#include "self.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>

int ls_alias_state;          /* 1 once switched on */
unsigned ls_alias_unknowns;  /* numbers marked UNKNOWN now */
uint64_t ls_alias_bits[LS_ALIAS_FD_LIMIT / 64]; /* bit fd: fd has a class */
static unsigned bits_high;   /* every set bit is in a word < this */
static uint32_t next_class;

/* FD's class slot, its table page mapped if need be; NULL when memory is
 * short.  Lock-free, async-signal-safe. */
static uint32_t *slot_for(unsigned fd)
{
    return ls_fd_page_map((int)fd) == 0 ? ls_alias_slot(fd) : NULL;
}

uint32_t ls_alias_class(int fd)
{
    return ls_alias_peek((unsigned)fd);
}

/* Give FD class CLS (0: none), keeping the bitmap and the UNKNOWN count
 * true.  Lock-free, async-signal-safe. */
static void set_class(unsigned fd, uint32_t cls)
{
    uint32_t *s = cls ? slot_for(fd) : ls_alias_slot(fd);
    if (!s)
        return; /* no memory: FD keeps what it had (none, or its old class) */
    uint32_t old = __atomic_exchange_n(s, cls, __ATOMIC_ACQ_REL);
    if ((old & LS_ALIAS_UNKNOWN) != (cls & LS_ALIAS_UNKNOWN))
        __atomic_add_fetch(&ls_alias_unknowns, (cls & LS_ALIAS_UNKNOWN) ? 1u : -1u, __ATOMIC_SEQ_CST);
    uint64_t bit = 1ull << (fd & 63);
    if (cls) {
        unsigned w = (fd >> 6) + 1, high = __atomic_load_n(&bits_high, __ATOMIC_RELAXED);
        while (high < w && !__atomic_compare_exchange_n(&bits_high, &high, w, 1, __ATOMIC_RELAXED,
                                                        __ATOMIC_RELAXED))
            ;
        __atomic_or_fetch(&ls_alias_bits[fd >> 6], bit, __ATOMIC_SEQ_CST);
    } else {
        __atomic_and_fetch(&ls_alias_bits[fd >> 6], ~bit, __ATOMIC_SEQ_CST);
    }
}

/* A class no number has yet (wraps after 2^31: a reused class only makes
 * more candidates, each proven with kcmp).  Lock-free. */
static uint32_t new_class(void)
{
    uint32_t c;
    do
        c = __atomic_add_fetch(&next_class, 1, __ATOMIC_RELAXED) & ~LS_ALIAS_UNKNOWN;
    while (!c);
    return c;
}

void ls_alias_forget(unsigned fd)
{
    if (ls_shared_child())
        return; /* a vfork child's closes are not the parent's */
    set_class(fd, 0);
}

/* FD's class, one made for it if it had none: two threads duplicating
 * one source at once agree on it (compare-and-swap).  0 when memory is
 * short.  Lock-free, async-signal-safe. */
static uint32_t class_claim(unsigned fd)
{
    uint32_t *slot = slot_for(fd);
    if (!slot)
        return 0;
    uint32_t cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    while (!(cur & ~LS_ALIAS_UNKNOWN)) {
        uint32_t want = cur | new_class();
        if (__atomic_compare_exchange_n(slot, &cur, want, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            cur = want;
            break;
        }
    }
    set_class(fd, cur); /* the same value: sets its bit */
    return cur;
}

void ls_alias_dup(int src, int newfd)
{
    unsigned s = (unsigned)src, n = (unsigned)newfd;
    if (!ls_alias_on() || s >= LS_ALIAS_FD_LIMIT || n >= LS_ALIAS_FD_LIMIT || s == n ||
        ls_shared_child())
        return;
    int saved = errno;
    uint32_t c = ls_alias_class(src);
    if (!(c & ~LS_ALIAS_UNKNOWN))
        c = class_claim(s);
    /* no memory for SRC's class: NEWFD may alias anything */
    uint32_t want = c ? c : LS_ALIAS_UNKNOWN;
    if (ls_alias_class(newfd) != want)
        set_class(n, want);
    errno = saved;
}

void ls_alias_unknown(int fd)
{
    unsigned u = (unsigned)fd;
    if (!ls_alias_on() || u >= LS_ALIAS_FD_LIMIT || ls_shared_child())
        return;
    int saved = errno;
    set_class(u, ls_alias_class(fd) | LS_ALIAS_UNKNOWN);
    errno = saved;
}

void ls_alias_gone_range(unsigned first, unsigned last)
{
    if (ls_shared_child())
        return;
    unsigned high = __atomic_load_n(&bits_high, __ATOMIC_RELAXED);
    if (last >= LS_ALIAS_FD_LIMIT)
        last = LS_ALIAS_FD_LIMIT - 1;
    for (unsigned w = first >> 6; w < high && w <= (last >> 6); w++) {
        uint64_t mask = ~0ull;
        if (w == first >> 6)
            mask &= ~0ull << (first & 63);
        if (w == last >> 6 && (last & 63) != 63)
            mask &= (1ull << ((last & 63) + 1)) - 1;
        uint64_t word = __atomic_load_n(&ls_alias_bits[w], __ATOMIC_RELAXED) & mask;
        if (!word)
            continue;
        /* a word at a time: the classes, then their bits at once */
        for (uint64_t b = word; b; b &= b - 1) {
            /* a plain store: a dup into a range being closed races with
             * the close in the application already */
            uint32_t *s = ls_alias_slot(w * 64 + (unsigned)__builtin_ctzll(b));
            uint32_t c = s ? __atomic_load_n(s, __ATOMIC_RELAXED) : 0;
            if (c)
                __atomic_store_n(s, 0, __ATOMIC_RELEASE);
            if (c & LS_ALIAS_UNKNOWN)
                __atomic_sub_fetch(&ls_alias_unknowns, 1, __ATOMIC_SEQ_CST);
        }
        __atomic_and_fetch(&ls_alias_bits[w], ~word, __ATOMIC_SEQ_CST);
    }
}

int ls_alias_next_candidate(uint32_t cls, unsigned from, int skip)
{
    uint32_t want = cls & ~LS_ALIAS_UNKNOWN;
    if (!want && !ls_alias_any_unknown())
        return -1;
    unsigned high = __atomic_load_n(&bits_high, __ATOMIC_RELAXED);
    for (unsigned w = from >> 6; w < high; w++) {
        uint64_t word = __atomic_load_n(&ls_alias_bits[w], __ATOMIC_ACQUIRE);
        if (w == from >> 6)
            word &= ~0ull << (from & 63);
        while (word) {
            unsigned fd = w * 64 + (unsigned)__builtin_ctzll(word);
            word &= word - 1;
            if ((int)fd == skip)
                continue;
            uint32_t c = ls_alias_class((int)fd);
            if ((want && (c & ~LS_ALIAS_UNKNOWN) == want) || (c & LS_ALIAS_UNKNOWN))
                return (int)fd;
        }
    }
    return -1;
}

/* ---- switching on: one inventory of the open descriptors ------------------ */

/* One file seen by the inventory: the first number naming it, and the
 * class given to its numbers once a second one turns up. */
struct inv_slot {
    dev_t dev;
    ino_t ino;
    int first; /* -1: empty slot */
    uint32_t cls;
};

/* Give FD the inventory's class CLS, unless a dup on another thread gave
 * it one meanwhile: then two classes may stand for one file, and FD is
 * marked UNKNOWN so that every walk proves it.  Lock-free. */
static void inv_merge(unsigned fd, uint32_t cls)
{
    uint32_t c = ls_alias_class((int)fd);
    if (!(c & ~LS_ALIAS_UNKNOWN))
        set_class(fd, cls | (c & LS_ALIAS_UNKNOWN));
    else if ((c & ~LS_ALIAS_UNKNOWN) != cls)
        set_class(fd, c | LS_ALIAS_UNKNOWN);
}

/* Note FD, naming DEV/INO, in the open-addressed table T of CAP slots
 * (a power of two, at least twice the descriptors noted). */
static void inv_note(struct inv_slot *t, size_t cap, int fd, dev_t dev, ino_t ino)
{
    size_t h = ((size_t)ino * 0x9e3779b97f4a7c15ull ^ (size_t)dev) & (cap - 1);
    while (t[h].first >= 0 && !(t[h].dev == dev && t[h].ino == ino))
        h = (h + 1) & (cap - 1);
    struct inv_slot *s = &t[h];
    if (s->first < 0) {
        *s = (struct inv_slot){dev, ino, fd, 0};
        return;
    }
    if (!s->cls) {
        /* a second number names the file: one class for both */
        uint32_t c = ls_alias_class(s->first) & ~LS_ALIAS_UNKNOWN;
        s->cls = c ? c : new_class();
        inv_merge((unsigned)s->first, s->cls);
    }
    inv_merge((unsigned)fd, s->cls);
}

int ls_fd_each(int (*fn)(int fd, void *arg), void *arg)
{
    char buf[4096];
    int dir = ls_sys_open("/proc/thread-self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir < 0)
        return -1;
    struct stat dir_st;
    int err = ls_sys_fstat(dir, &dir_st) < 0 ? errno : 0, stop = 0;
    while (!err && !stop) {
        long n = LS_REAL(syscall)(SYS_getdents64, (long)dir, buf, (long)sizeof buf);
        if (n < 0)
            err = errno;
        if (n <= 0)
            break;
        for (long off = 0; off < n && !stop;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9')
                continue;
            int fd = 0;
            for (const char *c = d->d_name; *c; c++)
                fd = fd * 10 + (*c - '0');
            if (fd != dir)
                stop = fn(fd, arg);
        }
    }
    /* another thread may have dup2()ed over the number meanwhile: then it
     * is the application's now, not ours to close */
    ls_sys_close_if_ours(dir, &dir_st);
    errno = err;
    return err ? -1 : 0;
}

struct inventory {
    struct inv_slot *t;
    size_t slots, noted;
};

static int count_one(int fd, void *arg)
{
    (void)fd;
    ((struct inventory *)arg)->noted++;
    return 0;
}

static int note_one(int fd, void *arg)
{
    struct inventory *inv = arg;
    struct stat st;
    if (inv->noted + 1 >= inv->slots) {
        /* more descriptors than when they were counted: no room to
         * compare this one, so it may alias anything */
        set_class((unsigned)fd, ls_alias_class(fd) | LS_ALIAS_UNKNOWN);
        return 0;
    }
    if (ls_sys_fstat(fd, &st) == 0) {
        inv_note(inv->t, inv->slots, fd, st.st_dev, st.st_ino);
        inv->noted++;
    }
    return 0;
}

int ls_alias_switch_on(void)
{
    if (ls_alias_on())
        return 0;
    /* on first, so that a dup returning from now on classes its number
     * itself; one that returned before is in the listing below */
    __atomic_store_n(&ls_alias_state, 1, __ATOMIC_SEQ_CST);
    struct inventory inv = {NULL, 0, 0};
    int r = ls_fd_each(count_one, &inv), err = errno;
    if (r == 0) {
        inv.slots = 16;
        while (inv.slots < 2 * inv.noted)
            inv.slots <<= 1;
        size_t len = inv.slots * sizeof *inv.t;
        inv.t = ls_sys_map(len);
        if (inv.t) {
            for (size_t i = 0; i < inv.slots; i++)
                inv.t[i].first = -1;
            inv.noted = 0;
            r = ls_fd_each(note_one, &inv);
            err = errno;
            munmap(inv.t, len);
        } else {
            r = -1;
            err = ENOMEM;
        }
    }
    if (r < 0)
        __atomic_store_n(&ls_alias_state, 0, __ATOMIC_SEQ_CST);
    errno = err;
    return r;
}

void ls_alias_reset(void)
{
    for (unsigned w = 0; w < bits_high; w++) {
        for (uint64_t b = ls_alias_bits[w]; b; b &= b - 1) {
            uint32_t *s = ls_alias_slot(w * 64 + (unsigned)__builtin_ctzll(b));
            if (s)
                *s = 0;
        }
        ls_alias_bits[w] = 0;
    }
    bits_high = 0;
    ls_alias_unknowns = 0;
    ls_alias_state = 0;
}
