/* elfsym.h - find a symbol as dlsym(RTLD_NEXT, name) would, by reading the
 * loaded objects' GNU hash tables directly.
 *
 * dlsym costs about 350 ns a name (its error machinery, the loader's lock,
 * a dependency check); the shim resolves some forty names at every process
 * start.  This walks the objects loaded after the shim, in load order (the
 * order of the global search list for objects loaded at start-up), and
 * applies the loader's rules for an unversioned lookup: defined, not local,
 * of a type a lookup may return, the default version of a versioned name.
 * Whatever it cannot decide exactly as the loader would (no GNU hash table,
 * an IFUNC, LD_DYNAMIC_WEAK set, two default versions, a name found nowhere)
 * it leaves to dlsym.
 */
#ifndef LS_ELFSYM_H
#define LS_ELFSYM_H

#include <link.h>

/* The first object after the one whose dynamic section is SELF_DYNAMIC
 * (its _DYNAMIC) on the list of loaded objects, or NULL when that object is
 * not on it (loaded by dlmopen, say), comes after libc (loaded by dlopen:
 * what follows it could be unloaded under a walk) or the environment sets
 * LD_DYNAMIC_WEAK: then every lookup is left to dlsym.  Reads the loader's
 * list (_r_debug) and environ, writes nothing.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
const struct link_map *ls_elfsym_after(const void *self_dynamic);

/* NAME's address in the first object from FIRST on that defines it, as
 * dlsym(RTLD_NEXT) would give it; NULL when the walk cannot tell (the caller
 * then asks dlsym).  Reads only mapped memory.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void *ls_elfsym_find(const struct link_map *first, const char *name);

/* The GNU hash of NAME (the ELF gABI extension's h = h * 33 + c from
 * 5381).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
unsigned ls_elfsym_hash(const char *name);

#endif
