/* real.c - resolve the real libc symbols behind every wrapper.
 *
 * Each name is looked up by elfsym.c's walk of the objects after the shim
 * (about 40 ns a name), and only where the walk cannot tell, by
 * dlsym(RTLD_NEXT) (about 350 ns): the same answer, a tenth of the start-up
 * cost.  tests/unit/test_elfsym.c holds the walk to dlsym's answers. */
#include "real.h"
#include "elfsym.h"

#include <dlfcn.h>
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

struct ls_real_table ls_real;
int ls_real_ready;

void ls_real_resolve(void)
{
    int saved = errno;
    const struct link_map *next = ls_elfsym_after((const void *)ls_real_resolve);
#define LS_WRAP(ret, name, params)                                          \
    if (!ls_real.name) {                                                    \
        void *sym = next ? ls_elfsym_find(next, #name) : NULL;              \
        if (!sym)                                                           \
            sym = dlsym(RTLD_NEXT, #name);                                  \
        __atomic_store_n((void **)&ls_real.name, sym, __ATOMIC_RELAXED);    \
    }
#include "wrapped.def"
    __atomic_store_n(&ls_real_ready, 1, __ATOMIC_RELEASE);
    errno = saved;
}
