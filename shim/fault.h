/* fault.h - test-only fault injection.
 *
 * Only liblease_shim_fault.so (built with LEASE_SHIM_FAULT_INJECTION, never
 * installed) compiles it in: there LEASE_SHIM_FAULTS=NAME[:SKIP][,...] makes
 * the shim's OWN kernel requests of kind NAME fail, after SKIP of them went
 * through, so tests can show each internal failure degrading to pass-through.
 * The application's calls are never failed.  In the production library every
 * check is the constant 0.
 */
#ifndef LS_FAULT_H
#define LS_FAULT_H

enum ls_fault {
    LS_FAULT_SETLEASE,  /* the shim's F_SETLEASE (moving, releasing): EAGAIN */
    LS_FAULT_SETOWN_EX, /* the shim's F_SETOWN_EX (restoring an owner): EPERM */
    LS_FAULT_EMFILE,    /* every descriptor the shim opens for itself: EMFILE */
    LS_FAULT_MMAP,      /* the shim's anonymous mappings: ENOMEM */
    LS_FAULT_SIGACTION, /* installing the trampoline: EINVAL */
    LS_FAULT_PROC,      /* any /proc path the shim opens or reads: ENOENT */
    LS_FAULT_COUNT
};

#ifdef LS_FAULT_INJECTION
/* Should this request of kind F fail?  If so, sets errno to the fault's
 * error and returns 1.  Async-signal-safe, lock-free. */
/* [async-signal-safe] [lock: none] [errno: set] */
int ls_fault(enum ls_fault f);

/* Is PATH one of /proc's?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
static inline int ls_fault_is_proc(const char *path)
{
    return path[0] == '/' && path[1] == 'p' && path[2] == 'r' && path[3] == 'o' &&
           path[4] == 'c' && (path[5] == '/' || path[5] == '\0');
}

/* Read LEASE_SHIM_FAULTS once; an unknown name is reported through REPORT
 * (one line, no newline; NULL: not reported).  Constructor context; not
 * async-signal-safe; errno kept. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_fault_load(void (*report)(const char *msg));
#else
static inline int ls_fault(enum ls_fault f)
{
    (void)f;
    return 0;
}
static inline int ls_fault_is_proc(const char *path)
{
    (void)path;
    return 0;
}
static inline void ls_fault_load(void (*report)(const char *msg))
{
    (void)report;
}
#endif

#endif
