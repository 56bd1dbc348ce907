/* real.c - resolve the real libc symbols behind every wrapper. */
#include "real.h"

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
#define LS_WRAP(ret, name, params)                                          \
    if (!ls_real.name) {                                                    \
        void *sym = dlsym(RTLD_NEXT, #name);                                \
        __atomic_store_n((void **)&ls_real.name, sym, __ATOMIC_RELAXED);    \
    }
#include "wrapped.def"
    __atomic_store_n(&ls_real_ready, 1, __ATOMIC_RELEASE);
    errno = saved;
}
