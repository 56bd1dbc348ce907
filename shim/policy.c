/* policy.c - pure decisions for the close/dup/fcntl rules (SPEC §3). */
#include "policy.h"

#include <errno.h>
#include <poll.h>

enum ls_going_action ls_policy_going(int owned, int notify_going, int have_survivor,
                                     enum ls_close_policy policy)
{
    if (!owned)
        return LS_GOING_FORGET;
    if (!notify_going)
        return LS_GOING_NOTHING;
    if (have_survivor)
        return LS_GOING_REHOME;
    return policy == LS_CLOSE_KEEP ? LS_GOING_KEEP : LS_GOING_RELEASE;
}

struct f_owner_ex ls_policy_owner_of_setown(long arg)
{
    struct f_owner_ex o;
    if (arg < 0) {
        o.type = F_OWNER_PGRP;
        o.pid = (pid_t)-arg;
    } else {
        o.type = F_OWNER_PID;
        o.pid = (pid_t)arg;
    }
    return o;
}

int ls_policy_owner_is_self(const struct f_owner_ex *owner, pid_t self, pid_t pgrp,
                            int thread_of_self)
{
    if (owner->pid == 0)
        return 1; /* nobody is signalled, but the lease is still ours to answer */
    switch (owner->type) {
    case F_OWNER_PID:
        return owner->pid == self;
    case F_OWNER_TID:
        return thread_of_self;
    case F_OWNER_PGRP:
        return owner->pid == pgrp;
    default:
        return 0;
    }
}

int ls_policy_owner_needs_restore(const struct f_owner_ex *owner, pid_t self)
{
    return !(owner->type == F_OWNER_PID && owner->pid == self);
}

int ls_policy_async_switch(long was, long now)
{
    if ((was & O_ASYNC) == (now & O_ASYNC))
        return 0;
    return (now & O_ASYNC) ? 1 : -1;
}

int ls_policy_dup_args_error(int is_dup3, int oldfd, int newfd, int flags, int oldfd_open,
                             unsigned long fd_limit)
{
    /* the kernel's order of checks (fs/file.c, ksys_dup3) */
    if (is_dup3 && (flags & ~O_CLOEXEC))
        return EINVAL;
    if (is_dup3 && oldfd == newfd)
        return EINVAL;
    if ((unsigned long)(unsigned)newfd >= fd_limit)
        return EBADF;
    if (!oldfd_open)
        return EBADF;
    return 0;
}

int ls_poll_si_code(short revents)
{
    if (revents & POLLIN)
        return POLL_IN;
    if (revents & POLLOUT)
        return POLL_OUT;
    if (revents & POLLMSG)
        return POLL_MSG;
    if (revents & POLLERR)
        return POLL_ERR;
    if (revents & POLLPRI)
        return POLL_PRI;
    return POLL_HUP;
}
