/* real.c - the real libc symbols behind every wrapper, looked up on first
 * use.
 *
 * Looking up all of wrapped.def's names at start-up cost every process
 * about 11 us (cold cache and TLB misses in libc's symbol tables, whether
 * dlsym or the walk reads them): now a process pays for the names it uses,
 * when it first uses them.  The lookup must then be async-signal-safe (a
 * first close may be in a signal handler): elfsym.c's walk of the objects
 * loaded after the shim reads only mapped memory, and gives what
 * dlsym(RTLD_NEXT) gives (tests/unit/test_elfsym.c holds it to that).
 * Objects loaded at start-up are never unloaded, and a name libc defines
 * is found before the walk reaches any object loaded later. */
#include "real.h"
#include "elfsym.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <unistd.h>

/* wrapped.def's prototypes, declared again after libc's own: a line that
 * does not match libc's declaration is a compile error.  (Names libc does
 * not declare, such as __close, are only declared here.) */
#define LS_WRAP(ret, name, params) extern ret name params;
#define LS_WRAP_VIA(ret, name, params) extern ret name params;
#define LS_WRAP_ASM(ret, name, params) extern ret name params;
#include "wrapped.def"

/* In .data, not .bss: the loader has already written .data's last page (it
 * zeroes the start of .bss there), so filling these costs no page fault;
 * in .bss the table straddled two fresh pages. */
#define LS_DIRTY_PAGE __attribute__((section(".data.ls_real")))

LS_DIRTY_PAGE struct ls_real_table ls_real;

/* The first object after the shim, once known; not_walkable once it is
 * known there is none to walk from (then dlsym answers). */
LS_DIRTY_PAGE static const struct link_map *walk_first;
LS_DIRTY_PAGE static int not_walkable;

/* The shim's own dynamic section: how it finds itself on the loader's list. */
extern ElfW(Dyn) _DYNAMIC[];

void *ls_real_lookup(const char *name, void **slot)
{
    int saved = errno;
    const struct link_map *first = __atomic_load_n(&walk_first, __ATOMIC_ACQUIRE);
    if (!first && !__atomic_load_n(&not_walkable, __ATOMIC_RELAXED)) {
        /* a race finds the same answer twice */
        first = ls_elfsym_after(_DYNAMIC);
        if (first)
            __atomic_store_n(&walk_first, first, __ATOMIC_RELEASE);
        else
            __atomic_store_n(&not_walkable, 1, __ATOMIC_RELAXED);
    }
    void *sym = first ? ls_elfsym_find(first, name) : NULL;
    if (!sym)
        sym = dlsym(RTLD_NEXT, name);
    __atomic_store_n(slot, sym, __ATOMIC_RELAXED);
    errno = saved;
    return sym;
}
