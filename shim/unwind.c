/* unwind.c - libunwind on demand (see unwind.h). */
#include "unwind.h"
#include "log.h"
#include "real.h"
#include "sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- where the shim's own code lies ------------------------------------ */

static uintptr_t shim_lo, shim_hi; /* the shim's executable segment */

static int find_shim(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type == PT_LOAD && me >= lo && me < hi) {
            shim_lo = lo;
            shim_hi = hi;
            return 1;
        }
    }
    return 0;
}

void ls_unwind_init(void)
{
    dl_iterate_phdr(find_shim, (void *)(uintptr_t)&ls_unwind_init);
}

int ls_pc_in_shim(unsigned long pc)
{
    return pc >= shim_lo && pc < shim_hi;
}

#ifndef LS_HAVE_LIBUNWIND
/* Built without libunwind (none for the target architecture): backtraces
 * and call sites are unavailable, and the setting that asks for them says
 * so once; everything else works. */
int ls_unwind_load(void)
{
    int saved = errno;
    ls_log(LS_LOG_WARN, "backtraces unavailable: this shim was built without libunwind");
    errno = saved;
    return -1;
}

int ls_unwind_frames(struct ls_frame *f, int max)
{
    (void)f;
    (void)max;
    return 0;
}

#else /* LS_HAVE_LIBUNWIND */

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
    unw_accessors_t *(*get_accessors)(unw_addr_space_t);
    unw_addr_space_t *local_as;
} unw;
static int unw_ready;

/* ---- no descriptors of libunwind's own ----------------------------------
 * libunwind 1.6 (x86_64) checks an address before reading it by writing a
 * byte from there into a pipe that it opens when first used and keeps open
 * for good: two descriptors at the lowest free numbers, so the application's
 * next open() got other numbers than without the shim, and after an
 * application closed everything and reused those numbers, libunwind read
 * from and wrote into the application's files, or closed them to open its
 * pipe again (SPEC §6).  Instead, the local address space reads memory with
 * process_vm_readv() on the process itself, which fails with EFAULT where
 * nothing readable is mapped: the same check without a descriptor; and the
 * pipe libunwind opened when it was set up is closed at once. */

static int read_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
    (void)as;
    (void)arg;
    if (write) {
        *(unw_word_t *)addr = *val;
        return 0;
    }
    int saved = errno;
    struct iovec to = {val, sizeof *val}, from = {(void *)addr, sizeof *val};
    long n = LS_REAL(syscall)(SYS_process_vm_readv, (long)ls_sys_getpid(), &to, 1L, &from, 1L, 0L);
    errno = saved;
    return n == (long)sizeof *val ? 0 : -UNW_EUNSPEC;
}

/* Is FD one end (O_RDONLY or O_WRONLY: MODE) of the pipe ST, as libunwind
 * opens it (O_NONBLOCK, FD_CLOEXEC)? */
static int libunwind_pipe_end(int fd, const struct stat *st, int mode)
{
    struct stat now;
    long fl = ls_sys_fcntl(fd, F_GETFL, 0), fdf = ls_sys_fcntl(fd, F_GETFD, 0);
    return ls_sys_fstat(fd, &now) == 0 && S_ISFIFO(now.st_mode) &&
           now.st_dev == st->st_dev && now.st_ino == st->st_ino && fl >= 0 &&
           (fl & (O_ACCMODE | O_NONBLOCK)) == (mode | O_NONBLOCK) && fdf >= 0 &&
           (fdf & FD_CLOEXEC);
}

/* Set libunwind up now (it opens its pipe then, at the two lowest free
 * numbers, found beforehand with a pipe of our own), close its pipe and give
 * it read_mem.  0, or -1 if memory cannot be read that way. */
static int setup_without_fds(void)
{
    int probe[2] = {-1, -1};
    struct stat old, st;
    if (LS_REAL(syscall)(SYS_pipe2, probe, (long)O_CLOEXEC) == 0) {
        ls_sys_fstat(probe[0], &old);
        ls_sys_close(probe[0]);
        ls_sys_close(probe[1]);
    }
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw.getcontext(&ctx) != 0 || unw.init_local(&cur, &ctx) != 0) /* sets libunwind up */
        return -1;
    if (probe[0] >= 0 && ls_sys_fstat(probe[0], &st) == 0 &&
        st.st_ino != old.st_ino && libunwind_pipe_end(probe[0], &st, O_RDONLY) &&
        libunwind_pipe_end(probe[1], &st, O_WRONLY)) {
        ls_sys_close(probe[0]);
        ls_sys_close(probe[1]);
    }
    unw_word_t probe_word = 1, got = 0;
    if (read_mem(NULL, (unw_word_t)&probe_word, &got, 0, NULL) != 0 || got != 1)
        return -1; /* then libunwind is not used at all */
    unw.get_accessors(*unw.local_as)->access_mem = read_mem;
    return 0;
}

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
            ssize_t len = ls_sys_readlink("/proc/thread-self/exe", exe, sizeof exe - 1);
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
        *(void **)&unw.get_accessors = dlsym(h, LS_STR(UNW_ARCH_OBJ(get_accessors)));
        unw.local_as = dlsym(h, LS_STR(UNW_OBJ(local_addr_space)));
    }
    if (!h || !unw.getcontext || !unw.init_local || !unw.step || !unw.get_reg ||
        !unw.get_proc_name || !unw.get_accessors || !unw.local_as) {
        ls_log(LS_LOG_WARN, "cannot load libunwind.so.8: no backtraces or call sites");
        errno = saved;
        return -1;
    }
    if (setup_without_fds() != 0) {
        ls_log(LS_LOG_WARN, "cannot set libunwind up to read memory with process_vm_readv "
                            "(no descriptors of its own): no backtraces or call sites");
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

#endif /* LS_HAVE_LIBUNWIND */
