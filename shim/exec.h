/* exec.h - processes: vfork children, exec hand-over, spawn (SPEC §5). */
#ifndef LS_EXEC_H
#define LS_EXEC_H

/* Set by the vfork wrapper in a vfork child (thread-local: the child runs
 * on its parent's thread); 0 everywhere else. */
extern __thread int ls_vfork_child __attribute__((tls_model("initial-exec")));

/* Is this a child that shares the parent's memory?  Then the shim must not
 * change its table.  Async-signal-safe, no system call. */
static inline int ls_shared_child(void)
{
    return ls_vfork_child;
}

/* Constructor: adopt registrations handed over by the image before exec,
 * remove the variable from environ, restore the signal mask it carried.
 * Not async-signal-safe. */
void ls_exec_adopt(void);

#endif
