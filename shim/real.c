/* real.c - resolve the real libc symbols behind every wrapper. */
#include "real.h"
#include "diag.h"

#include <dlfcn.h>
#include <errno.h>

struct ls_real_table ls_real;
int ls_real_ready;

void ls_real_resolve(void)
{
    int saved = errno;
#define LS_REAL_RESOLVE(ret, name, params)                                  \
    if (!ls_real.name) {                                                    \
        void *sym = dlsym(RTLD_NEXT, #name);                                \
        __atomic_store_n((void **)&ls_real.name, sym, __ATOMIC_RELAXED);    \
    }
    LS_REAL_FUNCS(LS_REAL_RESOLVE)
#undef LS_REAL_RESOLVE
    __atomic_store_n(&ls_real_ready, 1, __ATOMIC_RELEASE);
    errno = saved;
}
