/* real.h - the table of libc's own implementations of every wrapped symbol.
 *
 * The one list of wrapped functions, wrapped.def, generates the pointer
 * table and the resolution loop (real.c), as it generates the version
 * script.  A wrapper reaches libc through LS_REAL(name), which resolves the
 * table on first use, so calls made from other libraries' constructors,
 * before ours has run, still work.
 */
#ifndef LS_REAL_H
#define LS_REAL_H

#include <setjmp.h>
#include <stdio.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* One pointer for every LS_WRAP entry of wrapped.def: libc's own NAME. */
struct ls_real_table {
#define LS_WRAP(ret, name, params) ret (*name) params;
#include "wrapped.def"
};

extern struct ls_real_table ls_real;
extern int ls_real_ready;

/* Fill ls_real with what dlsym(RTLD_NEXT) gives (elfsym.h, else dlsym itself).
 * Not async-signal-safe (dladdr1, dlsym); idempotent;
 * called by the constructor and, before it, by the first wrapper to run.
 * Preserves errno. */
/* [not async-signal-safe] [lock: none] [errno: kept] */
void ls_real_resolve(void);

/* The libc implementation of NAME.  Async-signal-safe once resolved; errno untouched. */
#define LS_REAL(name) \
    (__builtin_expect(!__atomic_load_n(&ls_real_ready, __ATOMIC_ACQUIRE), 0) \
         ? (ls_real_resolve(), ls_real.name) : ls_real.name)

#endif
