/* unwind.c - libunwind on demand (see unwind.h). */
#include "unwind.h"
#include "config.h"
#include "diag.h"
#include "stats.h"

#include <dlfcn.h>
#include <errno.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define LS_STR2(x) #x
#define LS_STR(x) LS_STR2(x)

static struct {
    int (*getcontext)(unw_context_t *);
    int (*init_local)(unw_cursor_t *, unw_context_t *);
    int (*step)(unw_cursor_t *);
    int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
    int (*get_proc_name)(unw_cursor_t *, char *, size_t, unw_word_t *);
} unw;
static int unw_ready;

int ls_unwind_load(void)
{
    if (unw_ready)
        return 0;
    int saved = errno;
    void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (h) {
        /* the library's own names for the local-only API (libunwind.h) */
        *(void **)&unw.getcontext = dlsym(h, LS_STR(UNW_ARCH_OBJ(getcontext)));
        *(void **)&unw.init_local = dlsym(h, LS_STR(UNW_OBJ(init_local)));
        *(void **)&unw.step = dlsym(h, LS_STR(UNW_OBJ(step)));
        *(void **)&unw.get_reg = dlsym(h, LS_STR(UNW_OBJ(get_reg)));
        *(void **)&unw.get_proc_name = dlsym(h, LS_STR(UNW_OBJ(get_proc_name)));
    }
    if (!h || !unw.getcontext || !unw.init_local || !unw.step || !unw.get_reg ||
        !unw.get_proc_name) {
        ls_log(LS_LOG_WARN, "cannot load libunwind.so.8: no backtraces or call sites");
        errno = saved;
        return -1;
    }
    __atomic_store_n(&unw_ready, 1, __ATOMIC_RELEASE);
    errno = saved;
    return 0;
}

int ls_unwind_frames(struct ls_frame *f, int max)
{
    if (!__atomic_load_n(&unw_ready, __ATOMIC_ACQUIRE))
        return 0;
    unw_context_t ctx;
    unw_cursor_t cur;
    int n = 0;
    if (unw.getcontext(&ctx) != 0 || unw.init_local(&cur, &ctx) != 0)
        return 0;
    while (n < max && unw.step(&cur) > 0) {
        unw_word_t pc = 0, off = 0;
        unw.get_reg(&cur, UNW_REG_IP, &pc);
        if (n == 0 && ls_pc_in_shim(pc))
            continue; /* start at the application's call */
        f[n].pc = (uintptr_t)pc;
        if (unw.get_proc_name(&cur, f[n].name, sizeof f[n].name, &off) != 0)
            f[n].name[0] = '\0';
        f[n++].off = (unsigned long)off;
    }
    return n;
}
