/* unwind.h - the caller's stack through libunwind, which is loaded (dlopen)
 * only when a setting needs backtraces, so that a process that does not ask
 * for them does not pay for mapping libunwind and its dependencies. */
#ifndef LS_UNWIND_H
#define LS_UNWIND_H

#include <stdint.h>

#define LS_FRAME_NAME 64

struct ls_frame {
    uintptr_t pc;
    char name[LS_FRAME_NAME]; /* from the symbol tables, "" if unknown */
    unsigned long off;        /* pc minus the function's start */
    const char *module;       /* the object it lies in, "?" if unknown */
};

/* Constructor: learn where the shim's own code lies, so that frames (and
 * the call sites of violations) skip it.  Not async-signal-safe. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_unwind_init(void);

/* Is PC in the shim's own code?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_pc_in_shim(unsigned long pc);

/* Load libunwind, and note the objects loaded now (for module names
 * without dladdr, which is not async-signal-safe; objects loaded later
 * show as "?").  Constructor context (dlopen); 0, or -1 with a warning. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
int ls_unwind_load(void);

/* Fill up to MAX frames of the caller's stack, innermost first, leaving out
 * the leading frames that lie in the shim itself; returns how many (0 when
 * libunwind is not loaded).  Async-signal-safe (local unwinding). */
/* [async-signal-safe] [lock: not held] [errno: set] */
int ls_unwind_frames(struct ls_frame *f, int max);

#endif
