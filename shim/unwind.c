/* unwind.c - libunwind on demand (see unwind.h). */
#include "unwind.h"
#include "config.h"
#include "diag.h"
#include "stats.h"
#include "sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

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

#define LS_MODULES 128
static struct module {
    uintptr_t lo, hi;
    char name[128];
} modules[LS_MODULES];
static int nmodules;

static int note_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    for (int i = 0; i < info->dlpi_phnum && nmodules < LS_MODULES; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        struct module *m = &modules[nmodules++];
        m->lo = info->dlpi_addr + ph->p_vaddr;
        m->hi = m->lo + ph->p_memsz;
        char exe[256];
        const char *name = info->dlpi_name;
        if (!name || !name[0]) { /* the program itself */
            ssize_t len = ls_sys_readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[len > 0 ? len : 0] = '\0';
            name = len > 0 ? exe : "(program)";
        }
        size_t n = strlen(name);
        if (n >= sizeof m->name)
            name += n - (sizeof m->name - 1); /* keep the end: the file name */
        memcpy(m->name, name, strlen(name) < sizeof m->name ? strlen(name) + 1 : sizeof m->name);
        m->name[sizeof m->name - 1] = '\0';
    }
    return 0;
}

static const char *module_of(uintptr_t pc)
{
    for (int i = 0; i < nmodules; i++)
        if (pc >= modules[i].lo && pc < modules[i].hi)
            return modules[i].name;
    return "?";
}

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
    dl_iterate_phdr(note_module, NULL);
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
        f[n].module = module_of((uintptr_t)pc - 1);
        if (unw.get_proc_name(&cur, f[n].name, sizeof f[n].name, &off) != 0)
            f[n].name[0] = '\0';
        f[n++].off = (unsigned long)off;
    }
    return n;
}
