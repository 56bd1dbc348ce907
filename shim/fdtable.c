/* fdtable.c - storage for descriptors and registrations (see fdtable.h). */
#include "fdtable.h"
#include "sys.h"

#include <sys/mman.h>

#define LS_REGPAGE_SHIFT 9
#define LS_REGPAGE_SIZE (1u << LS_REGPAGE_SHIFT)

struct ls_fdent *ls_fdpages[LS_FD_LIMIT / LS_FDPAGE_SIZE];
static uint16_t ls_fdpage_used[LS_FD_LIMIT / LS_FDPAGE_SIZE]; /* tracked fds per page */
/* 1 once a grave was dug on the page: the others (pages mapped for the
 * alias index only) are skipped by the grave walks of every close_range */
static uint8_t ls_fdpage_graves[LS_FD_LIMIT / LS_FDPAGE_SIZE];
static struct ls_reg *ls_regpages[LS_REG_LIMIT / LS_REGPAGE_SIZE];
static uint32_t ls_reg_high;      /* ids 1..ls_reg_high have been handed out */
static uint32_t ls_reg_freelist;  /* first free id, 0 if none */
static size_t ls_bytes;
unsigned ls_table_seq;

/* A zeroed table page, NULL when memory is short.  Async-signal-safe. */
static void *page_map(size_t len)
{
    void *p = ls_sys_map(len);
    if (!p)
        return NULL;
    __atomic_fetch_add(&ls_bytes, len, __ATOMIC_RELAXED);
    return p;
}

void ls_seq_write_begin(void)
{
    __atomic_store_n(&ls_table_seq, ls_table_seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void ls_seq_write_end(void)
{
    __atomic_store_n(&ls_table_seq, ls_table_seq + 1, __ATOMIC_RELEASE);
}

struct ls_reg *ls_reg_get(uint32_t id)
{
    struct ls_reg *page = __atomic_load_n(&ls_regpages[id >> LS_REGPAGE_SHIFT], __ATOMIC_ACQUIRE);
    return &page[id & (LS_REGPAGE_SIZE - 1)];
}

uint32_t ls_reg_alloc(void)
{
    uint32_t id = ls_reg_freelist;
    if (id) {
        ls_reg_freelist = ls_reg_get(id)->next_free;
    } else {
        if (ls_reg_high + 1 >= LS_REG_LIMIT)
            return 0;
        id = ls_reg_high + 1;
        struct ls_reg **slot = &ls_regpages[id >> LS_REGPAGE_SHIFT];
        if (!*slot) {
            struct ls_reg *page = page_map(LS_REGPAGE_SIZE * sizeof(struct ls_reg));
            if (!page)
                return 0;
            __atomic_store_n(slot, page, __ATOMIC_RELEASE);
        }
        __atomic_store_n(&ls_reg_high, id, __ATOMIC_RELEASE);
    }
    /* field by field, not memset: a lock-free reader may still look at
     * the registration this id had before (LS_GET) */
    struct ls_reg *r = ls_reg_get(id);
    LS_SET(r->lease, F_UNLCK);
    LS_SET(r->lease_fd, -1);
    LS_SET(r->async_fd, -1);
    LS_SET(r->break_at, 0);
    LS_SET(r->sig, 0);
    r->owner = (struct f_owner_ex){0, 0};
    LS_SET(r->proc, 0);
    LS_SET(r->owner_is_proc, 0);
    LS_SET(r->dev, 0);
    LS_SET(r->ino, 0);
    r->fmt = 0;
    LS_SET(r->head, -1);
    r->members = 0;
    r->next_free = 0;
    LS_SET(r->gen, r->gen + 1);
    r->id = id;
    LS_SET(r->live, 1);
    return id;
}

void ls_reg_free(uint32_t id)
{
    struct ls_reg *r = ls_reg_get(id);
    r->members = 0;
    LS_SET(r->head, -1);
    LS_SET(r->live, 0);
    r->next_free = ls_reg_freelist;
    ls_reg_freelist = id;
}

static struct ls_fdent *fd_entry(unsigned fd)
{
    struct ls_fdent *page = ls_fdpages[fd >> LS_FDPAGE_SHIFT];
    return page ? &page[fd & (LS_FDPAGE_SIZE - 1)] : NULL;
}

int ls_fd_page_map(int fd)
{
    unsigned u = (unsigned)fd;
    if (u >= LS_FD_LIMIT)
        return -1;
    struct ls_fdent **slot = &ls_fdpages[u >> LS_FDPAGE_SHIFT];
    struct ls_fdent *cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!cur) {
        size_t len = LS_FDPAGE_SIZE * sizeof(struct ls_fdent);
        struct ls_fdent *page = page_map(len);
        if (!page)
            return -1;
        if (!__atomic_compare_exchange_n(slot, &cur, page, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            munmap(page, len); /* another thread mapped it first */
            __atomic_fetch_sub(&ls_bytes, len, __ATOMIC_RELAXED);
        }
    }
    return 0;
}

int ls_fd_attach(int fd, uint32_t id)
{
    unsigned u = (unsigned)fd;
    if (ls_fd_page_map(fd) < 0)
        return -1;
    struct ls_fdent *e = fd_entry(u);
    struct ls_reg *r = ls_reg_get(id);
    if (r->head < 0) {
        LS_SET(e->next, fd);
        LS_SET(r->head, fd);
    } else {
        struct ls_fdent *h = fd_entry((unsigned)r->head);
        LS_SET(e->next, h->next);
        LS_SET(h->next, fd);
    }
    r->members++;
    LS_SET(ls_fdpage_used[u >> LS_FDPAGE_SHIFT], ls_fdpage_used[u >> LS_FDPAGE_SHIFT] + 1);
    __atomic_store_n(&e->reg, id, __ATOMIC_RELEASE);
    return 0;
}

uint32_t ls_fd_detach(int fd)
{
    unsigned u = (unsigned)fd;
    uint32_t id = ls_fd_reg(fd);
    if (!id)
        return 0;
    struct ls_fdent *e = fd_entry(u);
    struct ls_reg *r = ls_reg_get(id);
    /* unlink from the ring: find the predecessor */
    int prev = fd;
    while (fd_entry((unsigned)prev)->next != fd)
        prev = fd_entry((unsigned)prev)->next;
    LS_SET(fd_entry((unsigned)prev)->next, e->next);
    if (r->head == fd)
        LS_SET(r->head, (e->next == fd) ? -1 : e->next);
    r->members--;
    LS_SET(ls_fdpage_used[u >> LS_FDPAGE_SHIFT], ls_fdpage_used[u >> LS_FDPAGE_SHIFT] - 1);
    __atomic_store_n(&e->reg, 0, __ATOMIC_SEQ_CST);
    LS_SET(e->next, -1);
    return id;
}

int ls_fd_next_member(int fd)
{
    struct ls_fdent *e = fd_entry((unsigned)fd);
    return e ? __atomic_load_n(&e->next, __ATOMIC_RELAXED) : fd;
}

int ls_fd_next_tracked(unsigned from, unsigned last)
{
    if (last >= LS_FD_LIMIT)
        last = LS_FD_LIMIT - 1;
    while (from <= last) {
        unsigned p = from >> LS_FDPAGE_SHIFT;
        struct ls_fdent *page = __atomic_load_n(&ls_fdpages[p], __ATOMIC_ACQUIRE);
        unsigned page_end = (p << LS_FDPAGE_SHIFT) + LS_FDPAGE_SIZE - 1;
        if (page_end > last)
            page_end = last;
        if (page && __atomic_load_n(&ls_fdpage_used[p], __ATOMIC_RELAXED)) {
            for (unsigned fd = from; fd <= page_end; fd++)
                if (__atomic_load_n(&page[fd & (LS_FDPAGE_SIZE - 1)].reg, __ATOMIC_RELAXED))
                    return (int)fd;
        }
        if (page_end == last)
            break;
        from = page_end + 1;
    }
    return -1;
}

void ls_fd_bury(int fd, int sig, const struct ls_reg *r, int moved, int closing)
{
    struct ls_fdent *e = fd_entry((unsigned)fd);
    if (!e || sig <= 0 || sig >= LS_NSIG)
        return;
    struct ls_grave *g = &e->grave;
    uint64_t bit = 1ull << (sig - 1);
    if (!ls_fdpage_graves[(unsigned)fd >> LS_FDPAGE_SHIFT])
        __atomic_store_n(&ls_fdpage_graves[(unsigned)fd >> LS_FDPAGE_SHIFT], 1, __ATOMIC_SEQ_CST);
    /* a grave of another file is replaced; one of the same file gains SIG */
    uint64_t sigs = (LS_GET(g->dev) == r->dev && LS_GET(g->ino) == r->ino) ? LS_GET(g->sigs) : 0;
    LS_SET(g->dev, r->dev);
    LS_SET(g->ino, r->ino);
    LS_SET(g->reg, moved ? r->id : 0);
    LS_SET(g->gen, r->gen);
    LS_SET(g->closing, closing);
    LS_SET(g->sigs, sigs | bit);
}

unsigned ls_fd_mark_closing(unsigned first, unsigned last)
{
    unsigned marked = 0;
    if (last >= LS_FD_LIMIT)
        last = LS_FD_LIMIT - 1;
    for (unsigned fd = first; fd <= last;) {
        struct ls_fdent *page = __atomic_load_n(&ls_fdpage_graves[fd >> LS_FDPAGE_SHIFT], __ATOMIC_SEQ_CST)
                                     ? __atomic_load_n(&ls_fdpages[fd >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE)
                                     : NULL;
        unsigned end = (fd | (LS_FDPAGE_SIZE - 1)) < last ? (fd | (LS_FDPAGE_SIZE - 1)) : last;
        for (; page && fd <= end; fd++) {
            struct ls_grave *g = &page[fd & (LS_FDPAGE_SIZE - 1)].grave;
            if (LS_GET(g->sigs)) {
                __atomic_store_n(&g->closing, 1, __ATOMIC_SEQ_CST);
                marked++;
            }
        }
        if (end == last)
            break;
        fd = end + 1;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return marked;
}

void ls_fd_settle(unsigned first, unsigned last)
{
    if (last >= LS_FD_LIMIT)
        last = LS_FD_LIMIT - 1;
    for (unsigned fd = first; fd <= last;) {
        struct ls_fdent *page = __atomic_load_n(&ls_fdpage_graves[fd >> LS_FDPAGE_SHIFT], __ATOMIC_SEQ_CST)
                                     ? __atomic_load_n(&ls_fdpages[fd >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE)
                                     : NULL;
        unsigned end = (fd | (LS_FDPAGE_SIZE - 1)) < last ? (fd | (LS_FDPAGE_SIZE - 1)) : last;
        for (; page && fd <= end; fd++)
            if (LS_GET(page[fd & (LS_FDPAGE_SIZE - 1)].grave.closing))
                LS_SET(page[fd & (LS_FDPAGE_SIZE - 1)].grave.closing, 0);
        if (end == last)
            break;
        fd = end + 1;
    }
}

int ls_fd_grave(int fd, struct ls_grave *out)
{
    unsigned u = (unsigned)fd;
    struct ls_fdent *page = u < LS_FD_LIMIT ? __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE) : NULL;
    if (!page)
        return 0;
    const struct ls_grave *g = &page[u & (LS_FDPAGE_SIZE - 1)].grave;
    out->sigs = LS_GET(g->sigs);
    if (!out->sigs)
        return 0;
    out->dev = LS_GET(g->dev);
    out->ino = LS_GET(g->ino);
    out->reg = LS_GET(g->reg);
    out->gen = LS_GET(g->gen);
    out->closing = LS_GET(g->closing);
    return 1;
}

unsigned ls_inflight_total;

int ls_fd_inflight_add(int fd, int delta)
{
    unsigned u = (unsigned)fd;
    struct ls_fdent *page = u < LS_FD_LIMIT ? __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE) : NULL;
    if (!page)
        return -1;
    __atomic_add_fetch(&ls_inflight_total, (unsigned)delta, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&page[u & (LS_FDPAGE_SIZE - 1)].inflight, (uint32_t)delta, __ATOMIC_SEQ_CST);
    return 0;
}

void ls_fd_inflight_clear(void)
{
    for (unsigned p = 0; p < LS_FD_LIMIT / LS_FDPAGE_SIZE; p++)
        if (ls_fdpages[p])
            for (unsigned i = 0; i < LS_FDPAGE_SIZE; i++)
                if (ls_fdpages[p][i].inflight)
                    __atomic_store_n(&ls_fdpages[p][i].inflight, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&ls_inflight_total, 0, __ATOMIC_SEQ_CST);
}

unsigned ls_fd_inflight(int fd)
{
    unsigned u = (unsigned)fd;
    struct ls_fdent *page = u < LS_FD_LIMIT ? __atomic_load_n(&ls_fdpages[u >> LS_FDPAGE_SHIFT], __ATOMIC_ACQUIRE) : NULL;
    return page ? __atomic_load_n(&page[u & (LS_FDPAGE_SIZE - 1)].inflight, __ATOMIC_SEQ_CST) : 0;
}

uint32_t ls_reg_high_water(void)
{
    return __atomic_load_n(&ls_reg_high, __ATOMIC_ACQUIRE);
}

size_t ls_table_bytes(void)
{
    return __atomic_load_n(&ls_bytes, __ATOMIC_RELAXED);
}

void ls_table_clear(void)
{
    for (unsigned p = 0; p < LS_FD_LIMIT / LS_FDPAGE_SIZE; p++) {
        if (ls_fdpages[p])
            for (unsigned i = 0; i < LS_FDPAGE_SIZE; i++) {
                ls_fdpages[p][i].reg = 0;
                ls_fdpages[p][i].next = 0;
                ls_fdpages[p][i].grave.sigs = 0;
            }
        ls_fdpage_used[p] = 0;
    }
    ls_reg_high = 0;
    ls_reg_freelist = 0;
}
