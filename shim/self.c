/* self.c - the process's identity and clock (see self.h). */
#include "self.h"
#include "sys.h"

#include <pthread.h>
#include <time.h>

static pid_t self_pid;

/* Set by the vfork wrapper (vfork_x86_64.S). */
__thread int ls_vfork_child __attribute__((tls_model("initial-exec")));

pid_t ls_self(void)
{
    pid_t p = __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
    if (!p) {
        p = ls_sys_getpid();
        __atomic_store_n(&self_pid, p, __ATOMIC_RELAXED);
    }
    return p;
}

static pthread_t main_tid_handle;
static int main_thread_known;

void ls_self_reset(void)
{
    /* a fork child: the main thread now */
    __atomic_store_n(&self_pid, ls_sys_getpid(), __ATOMIC_RELAXED);
    main_tid_handle = pthread_self();
    __atomic_store_n(&main_thread_known, 1, __ATOMIC_RELEASE);
}

void ls_self_after_fork(void)
{
    /* nothing cached (a process that never asked), nothing written: no page
     * of the child is copied for it */
    if (__atomic_load_n(&self_pid, __ATOMIC_RELAXED))
        ls_self_reset();
}

int ls_is_main_thread(void)
{
    if (__atomic_load_n(&main_thread_known, __ATOMIC_ACQUIRE))
        return pthread_equal(pthread_self(), main_tid_handle);
    if (ls_sys_gettid() != ls_self())
        return 0;
    /* learnt once, by the main thread itself (no other writes it) */
    main_tid_handle = pthread_self();
    __atomic_store_n(&main_thread_known, 1, __ATOMIC_RELEASE);
    return 1;
}

unsigned long long ls_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}
