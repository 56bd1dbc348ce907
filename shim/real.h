/* real.h - the table of libc's own implementations of every wrapped symbol.
 *
 * The one list of wrapped functions, wrapped.def, generates the pointer
 * table (real.c), as it generates the version script.  A wrapper reaches
 * libc through LS_REAL(name), which looks the name up the first time it is
 * needed: a process start looks up nothing, and a name used before the
 * constructor has run (from another library's constructor) works too.
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
#include <pty.h>

/* One pointer for every LS_WRAP entry of wrapped.def: libc's own NAME, NULL
 * until first used. */
struct ls_real_table {
#define LS_WRAP(ret, name, params) ret (*name) params;
#include "wrapped.def"
};

extern struct ls_real_table ls_real;

/* NAME's libc implementation, as dlsym(RTLD_NEXT, NAME) gives it, stored in
 * *SLOT and returned.  Found by elfsym.c's walk, which reads only mapped
 * memory; only a name the walk cannot resolve goes to dlsym, which is not
 * async-signal-safe (none of wrapped.def's with glibc 2.36: test_elfsym).
 * Preserves errno. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void *ls_real_lookup(const char *name, void **slot);

/* The libc implementation of NAME: one load once it is known.
 * Async-signal-safe (ls_real_lookup); errno untouched. */
#define LS_REAL(name)                                                          \
    (__extension__({                                                          \
        __typeof__(ls_real.name) ls_f_ = __atomic_load_n(&ls_real.name, __ATOMIC_RELAXED); \
        __builtin_expect(ls_f_ == NULL, 0)                                    \
            ? (__typeof__(ls_f_))ls_real_lookup(#name, (void **)&ls_real.name) \
            : ls_f_;                                                          \
    }))

#endif
