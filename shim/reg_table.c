/* reg_table.c - what a registration is, asked of the kernel and the table
 * without changing anything (facts), and the edits of the table every
 * rule is made of (see reg_table.h). */
#include "reg_table.h"
#include "diag.h"
#include "log.h"
#include "self.h"
#include "sys.h"

#include <errno.h>

/* ---- facts (lock-free) ------------------------------------------------- */

/* Do A and B name the same open file description?  When the kernel cannot
 * say (no kcmp), trust the table. */
int ls_same_ofd(int a, int b)
{
    if (a == b)
        return 1;
    int r = ls_sys_kcmp_file(a, b);
    if (r == 0)
        return 1;
    return r < 0 && (errno == ENOSYS || errno == EPERM);
}

int ls_fd_names(int fd, dev_t dev, ino_t ino)
{
    struct stat st;
    return ls_sys_fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

int ls_reg_owned(const struct ls_reg *r)
{
    return LS_GET(r->proc) == ls_self() && LS_GET(r->owner_is_proc);
}

int ls_reg_notify_fd(const struct ls_reg *r, enum ls_kind k)
{
    return k == LS_KIND_LEASE ? LS_GET(r->lease_fd) : LS_GET(r->async_fd);
}

/* The signal the kernel sends for R's notifications. */
int ls_reg_signal(const struct ls_reg *r)
{
    int sig = LS_GET(r->sig);
    return sig ? sig : SIGIO;
}

const char *ls_reg_kind_name(const struct ls_reg *r, enum ls_kind k)
{
    if (k == LS_KIND_ASYNC)
        return "O_ASYNC";
    return r->lease == F_WRLCK ? "write lease" : "read lease";
}

int ls_in_range(int fd, unsigned first, unsigned last)
{
    return fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last;
}

/* ---- table edits (each one bracketed by the sequence counter) ---------- */

void ls_reg_drop(uint32_t id)
{
    struct ls_reg *r = ls_reg_get(id);
    ls_seq_write_begin();
    while (r->head >= 0)
        ls_fd_detach(r->head);
    ls_reg_free(id);
    ls_seq_write_end();
}

void ls_reg_drop_if_empty(uint32_t id)
{
    struct ls_reg *r = ls_reg_get(id);
    if (r->live && (r->members == 0 || (r->lease == F_UNLCK && r->async_fd < 0)))
        ls_reg_drop(id);
}

/* FD was found closed or replaced behind the shim's back: detach it, but
 * leave its registration for the caller to drop. */
void ls_reg_detach_stale(int fd, const char *why)
{
    uint32_t id = ls_fd_reg(fd);
    if (!id)
        return;
    struct ls_reg *r = ls_reg_get(id);
    ls_stat_inc(LS_STAT_BEHIND_BACK);
    ls_log(LS_LOG_WARN, "fd %d %s behind the shim's back; forgetting it", fd, why);
    ls_seq_write_begin();
    ls_fd_detach(fd);
    /* the kernel may go on naming FD for a registration that lives on
     * under an alias the shim does not know: those are stale now */
    if (r->lease_fd == fd || r->async_fd == fd)
        ls_fd_bury(fd, ls_reg_signal(r), r, 0, 0);
    ls_seq_write_end();
}

void ls_reg_forget_stale(int fd, const char *why)
{
    uint32_t id = ls_fd_reg(fd);
    ls_reg_detach_stale(fd, why);
    if (id)
        ls_reg_drop_if_empty(id);
}
