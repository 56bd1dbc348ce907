/* fuzz_fdops.c - libFuzzer target: random sequences of descriptor calls made
 * against the real kernel with the shim linked into the program (so its
 * close, dup2, fcntl... are the ones called), and after every call the
 * shim's table checked against what the kernel says (fuzz/README.md).
 *
 * An input is a list of 4-byte steps (opcode, a, b, c), MAX_STEPS at most.
 * The steps work on three regular files in a private directory, on pipes and
 * on socket pairs, through descriptor numbers in a window far above the ones
 * libFuzzer uses (and a few farther out), so that close_range and dup2 never
 * touch a descriptor the harness did not open itself.  Every call's result
 * and errno are predicted from the kernel's rules and state before the call,
 * never from the shim.  On any disagreement the steps are printed and the
 * program aborts, which libFuzzer records as a crash input.
 *
 * The harness asks the kernel through glibc's own syscall() (LS_REAL), which
 * the shim never sees, so its questions change nothing in the shim.
 */
#include "config.h"
#include "diag.h"
#include "fdtable.h"
#include "real.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* glibc exports these without declaring them; the shim wraps them too. */
int __close(int fd);
int __dup2(int oldfd, int newfd);
int __fcntl(int fd, int cmd, ...);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 64
#define NFILES 3
#define WIN 16      /* window of descriptor numbers: base .. base+WIN-1 */
#define MAX_OWN 40  /* descriptors the harness has open at once, at most */
#define MAX_OFD (2 * MAX_STEPS + 2)
#define MAX_FDSET 256
#define MAX_MAPS 8  /* mappings of the files at once, at most */
#define ERRNO_MARK 0x7a7a /* errno before each call: a success must leave it */

/* ---- the harness's own model: which descriptors it opened, and which open
 * file description (OFD) each one names, kept without looking at the shim ---- */

enum kind { K_FILE, K_PIPE_R, K_PIPE_W, K_SOCK };
static const char *const kind_name[] = {"file", "pipe-r", "pipe-w", "socket"};

struct ofd {
    enum kind kind;
    int file;    /* K_FILE: which of the files */
    int acc;     /* K_FILE: O_RDONLY, O_WRONLY or O_RDWR */
    int foreign; /* its owner was once set to another process: the shim forgets,
                    never moves (R3), so its notify fds may name closed numbers */
    int maps;    /* mappings of it: they keep it open with no descriptor left */
};

struct own {
    int fd;
    int ofd; /* index into ofds */
};

static struct ofd ofds[MAX_OFD];
static int nofd;
static struct own owned[MAX_OWN];
static int nown;
static void *maps[MAX_MAPS];
static int nmaps;

static int base;        /* first number of the window */
static int far[4];      /* numbers far above it: other pages of the shim's table */
static int nfar;
static long nofile;     /* RLIMIT_NOFILE: the first number dup2 refuses */
static pid_t self;
static char dir[PATH_MAX];
static char paths[NFILES][PATH_MAX + 8];
static int trace;       /* FUZZ_FDOPS_TRACE=1: print every step as it runs */
static int sigs[3];     /* the notification signals handled */
static unsigned long notes; /* notifications the handler saw */
static int regular_async; /* F_SETFL O_ASYNC sets the flag on a regular file */
static int baseline[MAX_FDSET]; /* descriptors open when the input started */
static sigset_t mask0;          /* the signal mask before the shim was first called */
/* The signals a fault raises on the faulting thread: never blocked. */
static const int sync_sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS};
static int nbaseline;

/* The steps of the current input, as text, for the report of a failure. */
static char steps[2 * MAX_STEPS + 2][200]; /* up to two records a step, and the reset */
static int nsteps;

/* ---- raw kernel questions (glibc's syscall(), not the shim's) ---------- */

static long k_fcntl(int fd, int cmd, long arg)
{
    return ls_sys_fcntl(fd, cmd, arg);
}

static int k_open(int fd)
{
    return k_fcntl(fd, F_GETFD, 0) >= 0;
}

static int k_same(int a, int b)
{
    return ls_sys_kcmp_file(a, b) == 0;
}

static int k_fstat(int fd, struct stat *st)
{
    return (int)LS_REAL(syscall)(SYS_fstat, (long)fd, st);
}

/* The lowest free descriptor number >= FROM: what dup/F_DUPFD must return. */
static int k_lowest_free(long from)
{
    int n = (int)from;
    while (k_open(n))
        n++;
    return n;
}

static int k_sigmask(sigset_t *set)
{
    sigemptyset(set);
    return (int)LS_REAL(syscall)(SYS_rt_sigprocmask, (long)SIG_BLOCK, NULL, set, (long)(_NSIG / 8));
}

/* The descriptors open in this process, sorted, into SET (at most MAX_FDSET).
 * Read with raw openat/getdents64/close: the descriptor used for it is
 * taken and given back before the list is used. */
static int k_fdset(int *set)
{
    long buf[1024];
    int n = 0;
    int d = (int)LS_REAL(syscall)(SYS_openat, (long)AT_FDCWD, "/proc/self/fd",
                                  (long)(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d < 0)
        return -1;
    for (;;) {
        long got = LS_REAL(syscall)(SYS_getdents64, (long)d, buf, (long)sizeof buf);
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            struct dirent64 *e = (struct dirent64 *)((char *)buf + off);
            off += e->d_reclen;
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            int fd = atoi(e->d_name);
            if (fd != d && n < MAX_FDSET)
                set[n++] = fd;
        }
    }
    ls_sys_close(d);
    for (int i = 1; i < n; i++) /* insertion sort: a few dozen entries */
        for (int j = i; j > 0 && set[j - 1] > set[j]; j--) {
            int t = set[j];
            set[j] = set[j - 1];
            set[j - 1] = t;
        }
    return n;
}

/* ---- failure report ------------------------------------------------------ */

static void dump_state(void)
{
    fprintf(stderr, "harness model (fd: ofd kind):");
    for (int i = 0; i < nown; i++)
        fprintf(stderr, " %d:%d%s", owned[i].fd, owned[i].ofd,
                kind_name[ofds[owned[i].ofd].kind]);
    fprintf(stderr, "\nshim table:\n");
    for (int fd = ls_fd_next_tracked(0, LS_FD_LIMIT - 1); fd >= 0;
         fd = ls_fd_next_tracked((unsigned)fd + 1, LS_FD_LIMIT - 1)) {
        uint32_t id = ls_fd_reg(fd);
        fprintf(stderr, "  fd %d -> reg %u (next member %d)\n", fd, id, ls_fd_next_member(fd));
    }
    for (uint32_t id = 1; id <= ls_reg_high_water(); id++) {
        struct ls_reg *r = ls_reg_get(id);
        if (!r->live)
            continue;
        fprintf(stderr,
                "  reg %u: lease %d lease_fd %d async_fd %d sig %d owner %d/%d proc %d "
                "owned %d head %d members %u ino %lu\n",
                id, r->lease, r->lease_fd, r->async_fd, r->sig, r->owner.type, r->owner.pid,
                r->proc, r->owner_is_proc, r->head, r->members, (unsigned long)r->ino);
    }
    fprintf(stderr, "kernel:\n");
    for (int i = 0; i < nown; i++) {
        int fd = owned[i].fd;
        struct f_owner_ex o = {0, 0};
        k_fcntl(fd, F_GETOWN_EX, (long)&o);
        fprintf(stderr, "  fd %d: getfd %ld getfl %#lx lease %ld sig %ld owner %d/%d\n", fd,
                k_fcntl(fd, F_GETFD, 0), k_fcntl(fd, F_GETFL, 0), k_fcntl(fd, F_GETLEASE, 0),
                k_fcntl(fd, F_GETSIG, 0), o.type, o.pid);
    }
}

/* Report that the shim and the kernel disagree, with every step so far, and
 * abort so that libFuzzer keeps the input. */
static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==== fuzz_fdops: check failed after %d step(s):\n", nsteps);
    for (int i = 0; i < nsteps; i++)
        fprintf(stderr, "  [%2d] %s\n", i, steps[i]);
    fprintf(stderr, "==== ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    dump_state();
    fflush(stderr);
    abort();
}

#define CHECK(cond, ...)          \
    do {                          \
        if (!(cond))              \
            fail(__VA_ARGS__);    \
    } while (0)

/* Start the record of a step (format like printf); expect() adds the result. */
static __attribute__((format(printf, 1, 2))) void step_begin(const char *fmt, ...)
{
    va_list ap;
    if (nsteps == (int)(sizeof steps / sizeof steps[0]))
        nsteps--; /* full: the last record is overwritten */
    va_start(ap, fmt);
    vsnprintf(steps[nsteps], sizeof steps[nsteps], fmt, ap);
    va_end(ap);
    nsteps++;
}

/* Add to the record of the current step. */
static __attribute__((format(printf, 1, 2))) void step_add(const char *fmt, ...)
{
    va_list ap;
    char *s = steps[nsteps - 1];
    size_t len = strlen(s);
    va_start(ap, fmt);
    vsnprintf(s + len, sizeof steps[0] - len, fmt, ap);
    va_end(ap);
}

static void step_end(void)
{
    if (trace)
        fprintf(stderr, "fuzz_fdops: [%2d] %s\n", nsteps - 1, steps[nsteps - 1]);
}

/* The step is not made, for WHY. */
static void skip(const char *why)
{
    step_add(" skipped (%s)", why);
    step_end();
}

/* ---- the model ----------------------------------------------------------- */

static int own_index(int fd)
{
    for (int i = 0; i < nown; i++)
        if (owned[i].fd == fd)
            return i;
    return -1;
}

static void own_remove(int fd)
{
    int i = own_index(fd);
    if (i >= 0)
        owned[i] = owned[--nown];
}

/* FD now names OFD (replacing whatever the model said it named). */
static void own_set(int fd, int ofd)
{
    int i = own_index(fd);
    if (i < 0) {
        CHECK(nown < MAX_OWN, "harness: more than %d descriptors", MAX_OWN);
        i = nown++;
    }
    owned[i] = (struct own){fd, ofd};
}

static int ofd_new(enum kind kind, int file, int acc)
{
    CHECK(nofd < MAX_OFD, "harness: more than %d open file descriptions", MAX_OFD);
    ofds[nofd] = (struct ofd){kind, file, acc, 0, 0};
    return nofd++;
}

/* The model's OFD behind FD, -1 when the harness has FD closed. */
static int ofd_of(int fd)
{
    int i = own_index(fd);
    return i < 0 ? -1 : owned[i].ofd;
}

/* A descriptor naming OFD, -1 if none does. */
static int ofd_fd(int ofd)
{
    for (int i = 0; i < nown; i++)
        if (owned[i].ofd == ofd)
            return owned[i].fd;
    return -1;
}

/* Is OFD still open: named by a descriptor, or kept by a mapping? */
static int ofd_alive(int ofd)
{
    return ofds[ofd].maps || ofd_fd(ofd) >= 0;
}

/* May OFD hold a lease nobody can see through a descriptor?  Only one whose
 * owner is another process, kept by a mapping: the shim leaves it (R3). */
static int ofd_hidden_lease(int ofd)
{
    return ofds[ofd].kind == K_FILE && ofds[ofd].foreign && ofds[ofd].maps && ofd_fd(ofd) < 0;
}

static int in_range(int fd, unsigned first, unsigned last)
{
    return fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last;
}

/* ---- picking operands ----------------------------------------------------- */

/* Descriptor numbers no call may succeed on. */
static int bad_fd(uint8_t b)
{
    static const int bad[] = {-1, INT_MIN, INT_MAX, (int)LS_FD_LIMIT, (int)LS_FD_LIMIT - 1};
    if (b % 6 == 5)
        return (int)nofile; /* the first number beyond RLIMIT_NOFILE */
    return bad[b % 5];
}

/* An existing descriptor, mostly: one the harness has open, or a window
 * number (open or not), or a bad number.  Never one libFuzzer owns. */
static int pick_fd(uint8_t b)
{
    if (b >= 0xf0)
        return bad_fd(b);
    if (nown && !(b & 0x08))
        return owned[((b & 0x07) | (b >> 4) << 3) % nown].fd;
    return base + (((b & 0x07) | ((b >> 4) & 1) << 3) % WIN); /* every slot */
}

/* A number for a new descriptor (dup2/dup3 target, F_DUPFD minimum): the
 * window, the far numbers, one the harness has open, or a bad number. */
static int pick_target(uint8_t b)
{
    if (b >= 0xf0)
        return bad_fd(b);
    if (b >= 0xd0 && nfar)
        return far[b % nfar];
    if (nown && (b & 0x10))
        return owned[b % nown].fd;
    return base + b % WIN;
}

static int pick_sig(uint8_t b)
{
    static const int extra[] = {0, SIGIO, 65, -1};
    unsigned n = b % 7;
    return n < 3 ? sigs[n] : extra[n - 3];
}

/* ---- the calls, through one of the shim's entry points each ------------------ */

/* syscall() through the shim, always with six argument words.  The shim's
 * syscall(), like glibc's, forwards six words whatever the caller passed (it
 * cannot know how many); with fewer, the last is read from the caller's
 * stack, harmless on x86-64 but, in this instrumented caller, a redzone that
 * ASan reports (fuzz/README.md, "Findings"). */
static long sys6(long nr, long a, long b, long c)
{
    return syscall(nr, a, b, c, 0L, 0L, 0L);
}

static int call_close(int fd, unsigned route)
{
    switch (route % 3) {
    case 0:
        return close(fd);
    case 1:
        return __close(fd);
    default:
        return (int)sys6(SYS_close, fd, 0, 0);
    }
}

static int call_fcntl(int fd, int cmd, long arg, unsigned route)
{
    switch (route % 4) {
    case 0:
        return fcntl(fd, cmd, arg);
    case 1:
        return fcntl64(fd, cmd, arg);
    case 2:
        return __fcntl(fd, cmd, arg);
    default:
        return (int)sys6(SYS_fcntl, fd, cmd, arg);
    }
}

static const char *const route_fcntl[] = {"fcntl", "fcntl64", "__fcntl", "syscall(fcntl)"};

/* ---- checking a call's result ------------------------------------------------ */

/* R with errno ERR (ERRNO_MARK when the call left it alone) must be WANT,
 * or -1 with WANT_ERR when WANT is -1. */
static void expect(long r, int err, long want, int want_err)
{
    step_add(" -> %ld", r);
    if (r < 0)
        step_add(" (%s)", strerrorname_np(err) ? strerrorname_np(err) : "?");
    step_end();
    if (want >= 0) {
        CHECK(r == want, "result %ld, the kernel's would be %ld", r, want);
        CHECK(err == ERRNO_MARK, "success changed errno to %d", err);
    } else {
        CHECK(r == -1 && err == want_err, "result %ld errno %d (%s), the kernel's would be -1 %s",
              r, err, strerrorname_np(err) ? strerrorname_np(err) : "?",
              strerrorname_np(want_err) ? strerrorname_np(want_err) : "?");
    }
}

/* ---- the checks after every step --------------------------------------------- */

static unsigned long degraded0, behind0;

/* Every open descriptor is one the input started with or one the harness
 * opened: the shim holds none of its own and shifts no number. */
static void check_fdset(void)
{
    int now[MAX_FDSET];
    int n = k_fdset(now);
    CHECK(n >= 0, "cannot read /proc/self/fd");
    for (int i = 0; i < n; i++) {
        int fd = now[i], known = own_index(fd) >= 0;
        for (int j = 0; !known && j < nbaseline; j++)
            known = baseline[j] == fd;
        CHECK(known, "fd %d is open but the harness never opened it", fd);
    }
    for (int i = 0; i < nown; i++)
        CHECK(k_open(owned[i].fd), "fd %d should be open (harness model) but is closed", owned[i].fd);
}

/* The shim's table against the kernel: see fuzz/README.md, "What it checks". */
static void check_table(void)
{
    uint32_t ids[MAX_OWN];
    int nids = 0;
    unsigned tracked = 0;
    for (int fd = ls_fd_next_tracked(0, LS_FD_LIMIT - 1); fd >= 0;
         fd = ls_fd_next_tracked((unsigned)fd + 1, LS_FD_LIMIT - 1)) {
        uint32_t id = ls_fd_reg(fd);
        struct ls_reg *r = ls_reg_get(id);
        struct stat st;
        tracked++;
        CHECK(r->live, "fd %d names registration %u, which is free", fd, id);
        CHECK(own_index(fd) >= 0, "fd %d is tracked but the harness does not have it open", fd);
        CHECK(k_open(fd), "tracked fd %d is closed", fd);
        CHECK(k_fstat(fd, &st) == 0 && st.st_dev == r->dev && st.st_ino == r->ino,
              "tracked fd %d does not name its registration's file (ino %lu, table %lu)", fd,
              (unsigned long)st.st_ino, (unsigned long)r->ino);
        CHECK(k_same(fd, r->head), "tracked fd %d and its registration's head %d name two OFDs",
              fd, r->head);
        int seen = 0;
        for (int i = 0; i < nids; i++)
            seen |= ids[i] == id;
        if (!seen) {
            CHECK(nids < MAX_OWN, "more registrations than descriptors");
            ids[nids++] = id;
        }
    }
    unsigned members = 0;
    for (uint32_t id = 1; id <= ls_reg_high_water(); id++) {
        struct ls_reg *r = ls_reg_get(id);
        if (!r->live)
            continue;
        int seen = 0;
        for (int i = 0; i < nids; i++)
            seen |= ids[i] == id;
        CHECK(seen, "registration %u is live but no tracked fd names it (leaked)", id);
        members += r->members;

        /* the ring: from head, exactly MEMBERS steps back to head, every
         * member in this registration, none twice */
        CHECK(r->head >= 0 && ls_fd_reg(r->head) == id, "registration %u: head %d not a member",
              id, r->head);
        int ring[MAX_OWN], n = 0, m = r->head;
        do {
            CHECK(n < MAX_OWN && (unsigned)n < r->members,
                  "registration %u: ring longer than its %u members", id, r->members);
            CHECK(ls_fd_reg(m) == id, "registration %u: ring passes fd %d of registration %u", id,
                  m, ls_fd_reg(m));
            for (int i = 0; i < n; i++)
                CHECK(ring[i] != m, "registration %u: fd %d twice in the ring", id, m);
            ring[n++] = m;
            m = ls_fd_next_member(m);
        } while (m != r->head);
        CHECK((unsigned)n == r->members, "registration %u: ring of %d, members %u", id, n,
              r->members);

        /* every descriptor of the OFD is a member, and only those */
        int o = ofd_of(r->head);
        for (int i = 0; i < nown; i++) {
            int fd = owned[i].fd, same = k_same(fd, r->head);
            CHECK(same == (owned[i].ofd == o), "harness model wrong: fd %d vs %d (kcmp %d)", fd,
                  r->head, same);
            CHECK(!same || ls_fd_reg(fd) == id, "fd %d names registration %u's OFD but is %s", fd,
                  id, ls_fd_reg(fd) ? "in another registration" : "untracked");
        }

        /* what it says about the kernel is true */
        CHECK(r->lease == F_RDLCK || r->lease == F_WRLCK || r->lease == F_UNLCK,
              "registration %u: lease %d", id, r->lease);
        CHECK((r->lease != F_UNLCK) == (r->lease_fd >= 0), "registration %u: lease %d on fd %d",
              id, r->lease, r->lease_fd);
        CHECK(r->lease != F_UNLCK || r->async_fd >= 0,
              "registration %u has neither lease nor O_ASYNC but is kept", id);
        CHECK(r->proc == self, "registration %u: made by pid %d, we are %d", id, r->proc, self);
        long lease = k_fcntl(r->head, F_GETLEASE, 0);
        CHECK(lease == r->lease, "registration %u: table says lease %d, kernel %ld on fd %d", id,
              r->lease, lease, r->head);
        /* O_ASYNC: on a pipe or socket the flag is exactly the table's.  On
         * a regular file a lease sets the flag (its fasync entry) and
         * F_UNLCK clears it, so only the flag without a lease is checked;
         * exactly where F_SETFL O_ASYNC leaves a regular file alone (Linux
         * 6.18: no ->fasync), at least one way where it sets the flag
         * (F_UNLCK may clear what F_SETFL set; harmless there, such a
         * file sends nothing). */
        long fl = k_fcntl(r->head, F_GETFL, 0);
        int fasync = fl >= 0 && (fl & O_ASYNC);
        CHECK(fl >= 0, "registration %u: F_GETFL on fd %d failed", id, r->head);
        if (ofds[o].kind != K_FILE || (lease == F_UNLCK && !regular_async))
            CHECK(fasync == (r->async_fd >= 0),
                  "registration %u: table says O_ASYNC on fd %d, kernel F_GETFL %#lx", id,
                  r->async_fd, fl);
        else if (lease == F_UNLCK)
            CHECK(!fasync || r->async_fd >= 0,
                  "registration %u: kernel has O_ASYNC (F_GETFL %#lx) but the table not", id, fl);
        long sig = k_fcntl(r->head, F_GETSIG, 0);
        CHECK(sig == r->sig, "registration %u: table says signal %d, kernel %ld", id, r->sig, sig);
        struct f_owner_ex ow = {0, 0};
        CHECK(k_fcntl(r->head, F_GETOWN_EX, (long)&ow) == 0 && ow.pid == r->owner.pid &&
                  (ow.type == r->owner.type || !ow.pid),
              "registration %u: table says owner %d/%d, kernel %d/%d", id, r->owner.type,
              r->owner.pid, ow.type, ow.pid);
        /* the notify fds are members, also where the OFD was once owned
         * by another process: the shim then leaves the kernel naming the
         * old number (R3), but its table names a member */
        CHECK(r->lease_fd < 0 || ls_fd_reg(r->lease_fd) == id,
              "registration %u: lease fd %d is not a member", id, r->lease_fd);
        CHECK(r->async_fd < 0 || ls_fd_reg(r->async_fd) == id,
              "registration %u: O_ASYNC fd %d is not a member", id, r->async_fd);
    }
    CHECK(members == tracked, "%u tracked fds but the registrations count %u members", tracked,
          members);

    /* conversely: every descriptor with a lease or O_ASYNC is tracked */
    for (int i = 0; i < nown; i++) {
        int fd = owned[i].fd;
        long lease = k_fcntl(fd, F_GETLEASE, 0), fl = k_fcntl(fd, F_GETFL, 0);
        CHECK(lease == F_UNLCK || ls_fd_reg(fd), "fd %d holds lease %ld but is not tracked", fd,
              lease);
        CHECK(!(fl & O_ASYNC) || ls_fd_reg(fd), "fd %d has O_ASYNC but is not tracked", fd);
    }
}

/* Count the leases /proc/locks lists on each of the files into GOT (the
 * first lines of each into SEEN, for a report).  0, or -1 if unreadable. */
static int read_locks(const struct stat *st, int *got, char (*seen)[4][100])
{
    char buf[16384];
    int d = (int)LS_REAL(syscall)(SYS_openat, (long)AT_FDCWD, "/proc/locks",
                                  (long)(O_RDONLY | O_CLOEXEC));
    if (d < 0)
        return -1;
    memset(got, 0, NFILES * sizeof *got);
    /* line by line, however long the machine's list is (other programs
     * hold leases too): a partial line waits at the front of BUF */
    size_t len = 0;
    for (;;) {
        long n = LS_REAL(syscall)(SYS_read, (long)d, buf + len, (long)(sizeof buf - 1 - len));
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = 0;
            /* "1: LEASE  ACTIVE    READ 17405 fe:00:10970662 0 EOF" */
            char kind[16];
            unsigned maj, min;
            unsigned long ino;
            int pid;
            if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", kind, &pid, &maj, &min, &ino) == 5 &&
                strcmp(kind, "LEASE") == 0)
                for (int f = 0; f < NFILES; f++)
                    if (ino == st[f].st_ino && makedev(maj, min) == st[f].st_dev) {
                        if (got[f] < 4)
                            snprintf(seen[f][got[f]], sizeof seen[f][0], "%s", line);
                        got[f]++;
                    }
            line = nl + 1;
        }
        len -= (size_t)(line - buf);
        memmove(buf, line, len);
    }
    ls_sys_close(d);
    return 0;
}

/* The leases /proc/locks lists on the files are exactly those of OFDs a
 * descriptor names: no lease outlives its last descriptor (R2), even where a
 * mapping keeps the OFD open; unless another process owns it (R3). */
static void check_locks(void)
{
    static struct stat st[NFILES];
    static int have_st;
    int want[NFILES] = {0}, got[NFILES], hidden[NFILES] = {0}, bad = -1;
    char seen[NFILES][4][100];
    if (!have_st) {
        for (int f = 0; f < NFILES; f++)
            CHECK(stat(paths[f], &st[f]) == 0, "cannot stat %s", paths[f]);
        have_st = 1;
    }
    for (int x = 0; x < nofd; x++) {
        if (ofds[x].kind != K_FILE)
            continue;
        int fd = ofd_fd(x);
        if (fd >= 0)
            want[ofds[x].file] += k_fcntl(fd, F_GETLEASE, 0) != F_UNLCK;
        hidden[ofds[x].file] += ofd_hidden_lease(x);
    }
    /* /proc/locks is no snapshot: it is read a page at a time by position,
     * so while other processes take and drop leases a line can be listed
     * twice or not at all.  A real difference persists: read again. */
    for (int tries = 0; tries < 5 && bad; tries++) {
        CHECK(read_locks(st, got, seen) == 0, "cannot read /proc/locks");
        bad = 0;
        for (int f = 0; f < NFILES; f++)
            if (got[f] < want[f] || got[f] > want[f] + hidden[f])
                bad = f + 1;
    }
    if (bad) {
        int f = bad - 1;
        fail("/proc/locks has %d lease(s) on f%d, the descriptors show %d (+%d owned elsewhere):"
             "\n  %s\n  %s\n  %s", got[f], f, want[f], hidden[f], got[f] > 0 ? seen[f][0] : "",
             got[f] > 1 ? seen[f][1] : "", got[f] > 2 ? seen[f][2] : "");
    }
}

/* The signal mask is the one the program started with: every change the
 * shim made under its lock was undone exactly (R5). */
static void check_mask(void)
{
    sigset_t mask;
    /* only the kernel's 64 bits: glibc leaves the rest of a sigset_t alone */
    CHECK(k_sigmask(&mask) == 0 && memcmp(&mask, &mask0, _NSIG / 8) == 0,
          "the signal mask changed from %#lx to %#lx (R5: restored exactly)",
          *(const unsigned long *)&mask0, *(unsigned long *)&mask);
}

/* After every step. */
static void check_all(void)
{
    check_mask();
    check_fdset();
    CHECK(ls_stat_get(LS_STAT_DEGRADED) == degraded0,
          "the shim degraded (an internal failure) with nothing to provoke it");
    CHECK(ls_stat_get(LS_STAT_BEHIND_BACK) == behind0,
          "the shim found a descriptor changed behind its back, but every call went through it");
    if (ls_cfg.enabled)
        check_table();
    if (nmaps) /* without a mapping an OFD ends with its last descriptor */
        check_locks();
}

/* ---- the steps ---------------------------------------------------------------- */

enum op {
    OP_OPEN, OP_PIPE, OP_SOCKETPAIR, OP_LEASE, OP_SETSIG, OP_ASYNC, OP_SETOWN, OP_DUP,
    OP_DUPFD, OP_DUP2, OP_CLOSE, OP_CLOSE_RANGE, OP_IO, OP_SETFD, OP_MMAP, OP_STDIO, OP_COUNT
};

/* Place TMP (a descriptor just made, low-numbered) at the lowest free number
 * >= MIN through F_DUPFD (or F_DUPFD_CLOEXEC) and close TMP, both through the
 * shim; record the new descriptor as naming OFD. */
static void place(int tmp, int min, int cloexec, unsigned route, int ofd)
{
    int want = k_lowest_free(min), cmd = cloexec ? F_DUPFD_CLOEXEC : F_DUPFD;
    errno = ERRNO_MARK;
    int fd = call_fcntl(tmp, cmd, min, route);
    int err = errno;
    step_add(" %s(%d,%s,%d) -> %d", route_fcntl[route % 4], tmp, cloexec ? "F_DUPFD_CLOEXEC" : "F_DUPFD",
             min, fd);
    CHECK(fd == want && err == ERRNO_MARK, "F_DUPFD(%d) gave %d errno %d, the kernel's would be %d",
          min, fd, err, want);
    CHECK(close(tmp) == 0 && errno == ERRNO_MARK, "close(%d) of a fresh descriptor failed", tmp);
    own_set(fd, ofd);
}

/* A number >= base to place a new descriptor at or above. */
static int pick_min(uint8_t b)
{
    if (b >= 0xe0 && nfar)
        return far[b % nfar];
    return base + b % WIN;
}

static void op_open(uint8_t a, uint8_t b, uint8_t c)
{
    static const int accs[] = {O_RDONLY, O_WRONLY, O_RDWR};
    int file = a % NFILES, acc = accs[(a / NFILES) % 3];
    step_begin("open f%d %s", file, acc == O_RDONLY ? "r" : acc == O_WRONLY ? "w" : "rw");
    if (nown >= MAX_OWN) {
        skip("too many fds");
        return;
    }
    /* nothing may break a lease: our own open would wait for ourselves */
    for (int x = 0; x < nofd; x++)
        if (ofds[x].file == file && ofd_hidden_lease(x)) {
            skip("a mapping may keep a lease on it");
            return;
        }
    for (int i = 0; i < nown; i++) {
        struct ofd *o = &ofds[owned[i].ofd];
        if (o->kind != K_FILE || o->file != file)
            continue;
        long lease = k_fcntl(owned[i].fd, F_GETLEASE, 0);
        if (lease == F_WRLCK || (lease == F_RDLCK && acc != O_RDONLY)) {
            step_add(" (fd %d has a lease)", owned[i].fd);
            skip("our own open would break it: nothing may");
            return;
        }
    }
    int tmp = open(paths[file], acc | O_NONBLOCK | O_CLOEXEC);
    CHECK(tmp >= 0, "open(%s) failed: %s", paths[file], strerror(errno));
    place(tmp, pick_min(b), c & 1, c >> 1, ofd_new(K_FILE, file, acc));
    step_end();
}

static void op_pipe(uint8_t a, uint8_t b, uint8_t c, int sock)
{
    int p[2];
    step_begin("%s", sock ? "socketpair" : "pipe");
    if (nown + 2 > MAX_OWN) {
        skip("too many fds");
        return;
    }
    int r = sock ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) : pipe2(p, O_CLOEXEC);
    CHECK(r == 0, "%s failed: %s", sock ? "socketpair" : "pipe2", strerror(errno));
    place(p[0], pick_min(a), c & 1, c >> 2, ofd_new(sock ? K_SOCK : K_PIPE_R, -1, 0));
    place(p[1], pick_min(b), (c >> 1) & 1, c >> 3, ofd_new(sock ? K_SOCK : K_PIPE_W, -1, 0));
    step_end();
}

/* The kernel's answer to F_SETLEASE TYPE on FD, from its state now. */
static int predict_lease(int fd, int type, int *err)
{
    int o = ofd_of(fd);
    *err = 0;
    if (!k_open(fd)) {
        *err = EBADF;
    } else if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) {
        *err = EINVAL;
    } else if (ofds[o].kind != K_FILE) {
        *err = EINVAL; /* leases are for regular files only */
    } else if (type == F_UNLCK) {
        if (k_fcntl(fd, F_GETLEASE, 0) == F_UNLCK)
            *err = EAGAIN; /* nothing to release */
    } else {
        /* read lease: nobody has the file open for writing (this OFD
         * included); write lease: nobody else has it open at all (an OFD
         * kept only by a mapping counts) */
        for (int x = 0; x < nofd; x++) {
            if (ofds[x].kind != K_FILE || ofds[x].file != ofds[o].file || !ofd_alive(x))
                continue;
            if (type == F_RDLCK && ofds[x].acc != O_RDONLY)
                *err = EAGAIN;
            if (type == F_WRLCK && x != o)
                *err = EAGAIN;
        }
    }
    return *err ? -1 : 0;
}

static void op_setsig(int fd, int sig, unsigned route)
{
    step_begin("%s(%d, F_SETSIG, %d)", route_fcntl[route % 4], fd, sig);
    int want_err = !k_open(fd) ? EBADF : (sig < 0 || sig > 64) ? EINVAL : 0;
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, F_SETSIG, sig, route);
    expect(r, errno, want_err ? -1 : 0, want_err);
    if (r == 0)
        CHECK(k_fcntl(fd, F_GETSIG, 0) == sig, "F_SETSIG %d did not stick", sig);
}

static void op_lease(uint8_t a, uint8_t b, uint8_t c)
{
    static const int types[] = {F_RDLCK, F_WRLCK, F_UNLCK, F_RDLCK, F_WRLCK, 7, -1};
    int fd = pick_fd(a), type = types[b % 7];
    unsigned route = c >> 4;
    if (c & 1)
        op_setsig(fd, pick_sig(c >> 1), route);
    step_begin("%s(%d, F_SETLEASE, %d)", route_fcntl[route % 4], fd, type);
    long before = k_open(fd) ? k_fcntl(fd, F_GETLEASE, 0) : -1;
    int want_err, want = predict_lease(fd, type, &want_err);
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, F_SETLEASE, type, route);
    expect(r, errno, want, want_err);
    long after = k_open(fd) ? k_fcntl(fd, F_GETLEASE, 0) : -1;
    if (r == 0) {
        CHECK(after == type, "F_SETLEASE %d succeeded but F_GETLEASE says %ld", type, after);
        if (type == F_UNLCK)
            CHECK(k_fcntl(fd, F_GETSIG, 0) == 0, "F_UNLCK left the OFD's signal set");
    } else {
        CHECK(after == before, "a failed F_SETLEASE changed the lease from %ld to %ld", before,
              after);
    }
}

static void op_async(uint8_t a, uint8_t b, uint8_t c)
{
    int fd = pick_fd(a), on = b & 1;
    unsigned route = c;
    if (b & 2) {
        step_begin("%s(%d, F_SETOWN, getpid)", route_fcntl[route % 4], fd);
        int open = k_open(fd);
        errno = ERRNO_MARK;
        int r = call_fcntl(fd, F_SETOWN, self, route);
        expect(r, errno, open ? 0 : -1, EBADF);
    }
    long fl = k_fcntl(fd, F_GETFL, 0);
    long arg = fl < 0 ? (on ? O_ASYNC : 0) : on ? (fl | O_ASYNC) : (fl & ~O_ASYNC);
    step_begin("%s(%d, F_SETFL, O_ASYNC %s)", route_fcntl[route % 4], fd, on ? "on" : "off");
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, F_SETFL, arg, route);
    expect(r, errno, fl < 0 ? -1 : 0, EBADF);
    /* a regular file ignores O_ASYNC (no ->fasync; its flag follows a lease) */
    int o = ofd_of(fd);
    if (r == 0 && ofds[o].kind != K_FILE)
        CHECK(!!(k_fcntl(fd, F_GETFL, 0) & O_ASYNC) == on, "F_SETFL O_ASYNC %d did not stick", on);
}

static void op_setown(uint8_t a, uint8_t b, uint8_t c)
{
    int fd = pick_fd(a), o = ofd_of(fd), open = k_open(fd);
    int regular = o >= 0 && ofds[o].kind == K_FILE;
    unsigned route = c, which = b % 9;
    /* another process, or our group, only for regular files: nothing ever
     * signals through them (no lease is broken here), so no other process
     * can receive a notification from this harness */
    if ((which == 2 || which == 8) && !regular)
        which = 0;
    struct f_owner_ex ex = {F_OWNER_PID, self}, want = ex;
    int cmd = F_SETOWN, want_err = 0, foreign = 0;
    long arg = self;
    switch (which) {
    case 1:
        arg = 0;
        want.pid = 0;
        break;
    case 2:
        arg = 1; /* init: not this process (R3) */
        want.pid = 1;
        foreign = 1;
        break;
    case 3:
        cmd = F_SETOWN_EX;
        ex = (struct f_owner_ex){F_OWNER_TID, (pid_t)sys6(SYS_gettid, 0, 0, 0)};
        want = ex;
        break;
    case 4:
        cmd = F_SETOWN_EX;
        break;
    case 5:
        arg = 4194305; /* above PID_MAX_LIMIT: no such process */
        want_err = ESRCH;
        break;
    case 6:
        cmd = F_SETOWN_EX;
        ex = (struct f_owner_ex){99, self};
        want_err = EINVAL;
        break;
    case 7:
        arg = INT_MIN;
        want_err = EINVAL;
        break;
    case 8:
        arg = -getpgrp();
        want = (struct f_owner_ex){F_OWNER_PGRP, getpgrp()};
        break;
    }
    if (cmd == F_SETOWN_EX) {
        arg = (long)&ex;
        step_begin("%s(%d, F_SETOWN_EX, %d/%d)", route_fcntl[route % 4], fd, ex.type, ex.pid);
    } else {
        step_begin("%s(%d, F_SETOWN, %ld)", route_fcntl[route % 4], fd, arg);
    }
    if (!open)
        want_err = EBADF;
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, cmd, arg, route);
    expect(r, errno, want_err ? -1 : 0, want_err);
    if (r == 0) {
        struct f_owner_ex now = {0, 0};
        k_fcntl(fd, F_GETOWN_EX, (long)&now);
        CHECK(now.type == want.type && now.pid == want.pid, "owner %d/%d, wanted %d/%d", now.type,
              now.pid, want.type, want.pid);
        if (foreign)
            ofds[o].foreign = 1;
    }
}

static void op_dup(uint8_t a, uint8_t c)
{
    int fd = pick_fd(a), o = ofd_of(fd), open = k_open(fd);
    int sys = c & 1;
    step_begin("%s(%d)", sys ? "syscall(dup)" : "dup", fd);
    if (nown >= MAX_OWN) {
        skip("too many fds");
        return;
    }
    int want = open ? k_lowest_free(0) : -1;
    errno = ERRNO_MARK;
    int r = sys ? (int)sys6(SYS_dup, fd, 0, 0) : dup(fd);
    expect(r, errno, want, EBADF);
    if (r >= 0) {
        CHECK(k_same(r, fd) && k_fcntl(r, F_GETFD, 0) == 0, "dup %d is not a plain copy of %d", r, fd);
        own_set(r, o);
    }
}

static void op_dupfd(uint8_t a, uint8_t b, uint8_t c)
{
    int fd = pick_fd(a), o = ofd_of(fd), open = k_open(fd), cloexec = c & 1;
    unsigned route = c >> 1;
    long min = b < 0xf0 ? pick_min(b) : (b & 1) ? 0 /* the lowest free, wherever */ : bad_fd(b >> 1);
    step_begin("%s(%d, %s, %ld)", route_fcntl[route % 4], fd, cloexec ? "F_DUPFD_CLOEXEC" : "F_DUPFD",
               min);
    if (nown >= MAX_OWN) {
        skip("too many fds");
        return;
    }
    int want_err = !open ? EBADF : (unsigned long)(unsigned)min >= (unsigned long)nofile ? EINVAL : 0;
    int want = want_err ? -1 : k_lowest_free(min);
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, min, route);
    expect(r, errno, want, want_err);
    if (r >= 0) {
        CHECK(k_same(r, fd) && k_fcntl(r, F_GETFD, 0) == (cloexec ? FD_CLOEXEC : 0),
              "F_DUPFD %d is not the right copy of %d", r, fd);
        own_set(r, o);
    }
}

static void op_dup2(uint8_t a, uint8_t b, uint8_t c)
{
    int oldfd = pick_fd(a), newfd = (c & 0x80) ? oldfd : pick_target(b);
    unsigned variant = c % 4, route = (c >> 2) % 3;
    int flags = variant == 2 ? O_CLOEXEC : variant == 3 ? (b & 1 ? O_NONBLOCK : 0x1) : 0;
    int is_dup3 = variant != 0;
    int o = ofd_of(oldfd), old_open = k_open(oldfd);
    if (is_dup3)
        step_begin("%s(%d, %d, %#x)", route % 2 ? "syscall(dup3)" : "dup3", oldfd, newfd, flags);
    else
        step_begin("%s(%d, %d)", route == 0 ? "dup2" : route == 1 ? "__dup2" : "syscall(dup2)",
                   oldfd, newfd);
    if (own_index(newfd) < 0 && nown >= MAX_OWN) {
        skip("too many fds");
        return;
    }
    /* the kernel's checks, in its order (fs/file.c) */
    int want_err = 0;
    if (is_dup3 && (flags & ~O_CLOEXEC))
        want_err = EINVAL;
    else if (is_dup3 && oldfd == newfd)
        want_err = EINVAL;
    else if (!is_dup3 && oldfd == newfd)
        want_err = old_open ? 0 : EBADF;
    else if ((unsigned long)(unsigned)newfd >= (unsigned long)nofile)
        want_err = EBADF;
    else if (!old_open)
        want_err = EBADF;
    int keep_cloexec = oldfd == newfd ? (int)k_fcntl(newfd, F_GETFD, 0) : 0;
    errno = ERRNO_MARK;
    int r;
    if (is_dup3)
        r = route % 2 ? (int)sys6(SYS_dup3, oldfd, newfd, flags) : dup3(oldfd, newfd, flags);
    else
        r = route == 0 ? dup2(oldfd, newfd) : route == 1 ? __dup2(oldfd, newfd)
                                                         : (int)sys6(SYS_dup2, oldfd, newfd, 0);
    expect(r, errno, want_err ? -1 : newfd, want_err);
    if (r >= 0) {
        int fdflags = oldfd == newfd ? keep_cloexec : (flags & O_CLOEXEC) ? FD_CLOEXEC : 0;
        CHECK(k_same(newfd, oldfd) && k_fcntl(newfd, F_GETFD, 0) == fdflags,
              "fd %d is not the right copy of %d", newfd, oldfd);
        own_set(newfd, o);
    }
}

static void op_close(uint8_t a, uint8_t c)
{
    int fd = pick_fd(a), open = k_open(fd);
    unsigned route = c;
    step_begin("%s(%d)", route % 3 == 0 ? "close" : route % 3 == 1 ? "__close" : "syscall(close)", fd);
    errno = ERRNO_MARK;
    int r = call_close(fd, route);
    expect(r, errno, open ? 0 : -1, EBADF);
    CHECK(!k_open(fd), "fd %d still open after close", fd);
    own_remove(fd);
}

static void op_close_range(uint8_t a, uint8_t b, uint8_t c)
{
    unsigned first = (a & 0x80) && nfar ? (unsigned)far[a % nfar] : (unsigned)(base + a % WIN);
    unsigned span = b % 16, last;
    static const unsigned flagset[] = {0, CLOSE_RANGE_CLOEXEC, 1u << 3, CLOSE_RANGE_CLOEXEC | (1u << 4)};
    unsigned flags = flagset[c % 4], variant = (c >> 2) % 3;
    if (span < 12)
        last = first + span;
    else if (span == 12)
        last = first + 64;
    else if (span == 13)
        last = first - 1; /* first > last */
    else
        last = ~0u;
    if (variant == 2 && flags == 0 && last == ~0u) {
        step_begin("closefrom(%u)", first);
        closefrom((int)first);
        step_end();
    } else {
        step_begin("%s(%u, %u, %#x)", variant == 1 ? "syscall(close_range)" : "close_range", first,
                   last, flags);
        int want_err = (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last
                           ? EINVAL : 0;
        errno = ERRNO_MARK;
        int r = variant == 1 ? (int)sys6(SYS_close_range, first, last, flags)
                             : close_range(first, last, (int)flags);
        expect(r, errno, want_err ? -1 : 0, want_err);
        if (r != 0)
            return;
    }
    for (int i = nown - 1; i >= 0; i--) {
        int fd = owned[i].fd;
        if (!in_range(fd, first, last))
            continue;
        if (flags & CLOSE_RANGE_CLOEXEC) {
            CHECK(k_fcntl(fd, F_GETFD, 0) == FD_CLOEXEC, "fd %d not marked close-on-exec", fd);
        } else {
            CHECK(!k_open(fd), "fd %d still open after close_range", fd);
            own_remove(fd);
        }
    }
}

/* A byte written into a pipe or socket, or read out of one: real O_ASYNC
 * notifications, which reach the shim's trampoline. */
static void op_io(uint8_t a)
{
    int fd = nown ? owned[a % nown].fd : -1;
    enum kind k = fd >= 0 ? ofds[owned[a % nown].ofd].kind : K_FILE;
    step_begin("io on fd %d", fd);
    if (k == K_FILE) {
        skip("not a pipe or socket");
        return;
    }
    /* poll first: a step must never block */
    short ev = k == K_PIPE_R ? POLLIN : k == K_PIPE_W ? POLLOUT : (a & 0x80) ? POLLIN : POLLOUT;
    struct pollfd p = {fd, ev, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & p.events)) {
        char buf[64] = "x";
        ssize_t n = p.events == POLLIN ? read(fd, buf, sizeof buf)
                                       : (k == K_SOCK ? send(fd, buf, 1, MSG_NOSIGNAL | MSG_DONTWAIT)
                                                      : write(fd, buf, 1));
        step_add(" %s -> %zd", p.events == POLLIN ? "read" : "write", n);
    } else {
        step_add(" not ready");
    }
    step_end();
}

static void op_setfd(uint8_t a, uint8_t b, uint8_t c)
{
    int fd = pick_fd(a), open = k_open(fd);
    unsigned route = c;
    if (b % 4 == 3) {
        /* a command nobody knows passes through untouched */
        step_begin("%s(%d, 1234, 0)", route_fcntl[route % 4], fd);
        errno = ERRNO_MARK;
        int r = call_fcntl(fd, 1234, 0, route);
        expect(r, errno, -1, open ? EINVAL : EBADF);
        return;
    }
    int on = b & 1;
    step_begin("%s(%d, F_SETFD, %d)", route_fcntl[route % 4], fd, on);
    errno = ERRNO_MARK;
    int r = call_fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0, route);
    expect(r, errno, open ? 0 : -1, EBADF);
    if (r == 0)
        CHECK(k_fcntl(fd, F_GETFD, 0) == (on ? FD_CLOEXEC : 0), "F_SETFD did not stick");
}

/* Map a file through a descriptor: the mapping keeps the OFD open after its
 * last descriptor goes, so a lease the shim failed to release (R2) would
 * outlive every descriptor, and check_locks sees it. */
static void op_mmap(uint8_t a)
{
    int fd = nown ? owned[a % nown].fd : -1, o = ofd_of(fd);
    step_begin("mmap fd %d", fd);
    if (o < 0 || ofds[o].kind != K_FILE || ofds[o].acc == O_WRONLY) {
        skip("not a readable file");
        return;
    }
    if (nmaps == MAX_MAPS) {
        skip("too many mappings");
        return;
    }
    void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED, "mmap of fd %d failed: %s", fd, strerror(errno));
    maps[nmaps++] = m;
    ofds[o].maps++;
    step_end();
}

/* A stream on a descriptor, closed with fclose, or first reopened on one of
 * the files with freopen (glibc keeps the number: it dup3()s the new file
 * onto it inside libc, where no wrapper sees it); either way the number is
 * closed in the end, through the shim's fclose. */
static void op_stdio(uint8_t a, uint8_t b)
{
    int fd = nown ? owned[a % nown].fd : -1, o = ofd_of(fd), file = b % NFILES;
    int reopen = (b >> 2) & 1;
    step_begin("fdopen(%d)%s, fclose", fd, reopen ? ", freopen" : "");
    if (o < 0) {
        skip("no descriptor");
        return;
    }
    if (reopen)
        for (int x = 0; x < nofd; x++) {
            int xfd = ofd_fd(x);
            if (ofds[x].kind == K_FILE && ofds[x].file == file &&
                (ofd_hidden_lease(x) || (xfd >= 0 && k_fcntl(xfd, F_GETLEASE, 0) == F_WRLCK))) {
                skip("reopening would break a lease");
                return;
            }
        }
    const struct ofd *x = &ofds[o];
    const char *mode = x->kind == K_PIPE_R || (x->kind == K_FILE && x->acc == O_RDONLY) ? "r"
                       : x->kind == K_PIPE_W || (x->kind == K_FILE && x->acc == O_WRONLY) ? "w"
                                                                                       : "r+";
    FILE *fp = fdopen(fd, mode);
    CHECK(fp, "fdopen(%d, %s) failed: %s", fd, mode, strerror(errno));
    if (reopen) {
        fp = freopen(paths[file], "r", fp);
        CHECK(fp && fileno(fp) == fd, "freopen on fd %d failed or moved it", fd);
        own_set(fd, ofd_new(K_FILE, file, O_RDONLY));
        CHECK(!ls_cfg.enabled || !ls_fd_reg(fd), "freopen left fd %d in the table", fd);
    }
    errno = ERRNO_MARK;
    int r = fclose(fp);
    expect(r, errno, 0, 0);
    CHECK(!k_open(fd), "fd %d still open after fclose", fd);
    own_remove(fd);
}

static void run_step(const uint8_t *s)
{
    uint8_t a = s[1], b = s[2], c = s[3];
    switch (s[0] % OP_COUNT) {
    case OP_OPEN:
        op_open(a, b, c);
        break;
    case OP_PIPE:
        op_pipe(a, b, c, 0);
        break;
    case OP_SOCKETPAIR:
        op_pipe(a, b, c, 1);
        break;
    case OP_LEASE:
        op_lease(a, b, c);
        break;
    case OP_SETSIG:
        op_setsig(pick_fd(a), pick_sig(b), c);
        break;
    case OP_ASYNC:
        op_async(a, b, c);
        break;
    case OP_SETOWN:
        op_setown(a, b, c);
        break;
    case OP_DUP:
        op_dup(a, c);
        break;
    case OP_DUPFD:
        op_dupfd(a, b, c);
        break;
    case OP_DUP2:
        op_dup2(a, b, c);
        break;
    case OP_CLOSE:
        op_close(a, c);
        break;
    case OP_CLOSE_RANGE:
        op_close_range(a, b, c);
        break;
    case OP_IO:
        op_io(a);
        break;
    case OP_SETFD:
        op_setfd(a, b, c);
        break;
    case OP_MMAP:
        op_mmap(a);
        break;
    case OP_STDIO:
        op_stdio(a, b);
        break;
    }
}

/* ---- between inputs ------------------------------------------------------------- */

/* Close everything the input left open, through the shim; then nothing may
 * be left: no tracked descriptor, no registration, no descriptor the input
 * did not start with, and no open file description of the files (a write
 * lease is granted only to the sole opener). */
static void reset(void)
{
    step_begin("reset: close");
    while (nown) {
        int fd = owned[nown - 1].fd;
        step_add(" %d", fd);
        errno = ERRNO_MARK;
        CHECK(close(fd) == 0 && errno == ERRNO_MARK, "reset: close(%d) failed", fd);
        nown--;
    }
    step_end();
    check_locks(); /* the mappings still hold their OFDs: none may keep a lease */
    while (nmaps)
        munmap(maps[--nmaps], 4096);
    check_fdset();
    if (ls_cfg.enabled) {
        CHECK(ls_fd_next_tracked(0, LS_FD_LIMIT - 1) < 0, "reset: fd %d still tracked",
              ls_fd_next_tracked(0, LS_FD_LIMIT - 1));
        for (uint32_t id = 1; id <= ls_reg_high_water(); id++)
            CHECK(!ls_reg_get(id)->live, "reset: registration %u still live", id);
    }
    for (int f = 0; f < NFILES; f++) {
        int fd = (int)LS_REAL(syscall)(SYS_openat, (long)AT_FDCWD, paths[f],
                                       (long)(O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        CHECK(fd >= 0, "reset: cannot open %s", paths[f]);
        long r = k_fcntl(fd, F_SETLEASE, F_WRLCK);
        ls_sys_close(fd);
        CHECK(r == 0, "reset: %s is still open somewhere (no write lease: errno %d)", paths[f], errno);
    }
    check_locks(); /* nothing is open now: no lease may be left */
    for (int i = 0; i < 3; i++) {
        struct sigaction sa;
        CHECK(sigaction(sigs[i], NULL, &sa) == 0 && (sa.sa_flags & SA_SIGINFO),
              "sigaction(%d) does not answer with the application's handler", sigs[i]);
    }
}

/* ---- libFuzzer's entry points ------------------------------------------------------ */

static void on_note(int sig, siginfo_t *si, void *uc)
{
    /* counted only: nothing breaks a lease here, and O_ASYNC events only
     * need to pass through the trampoline */
    __atomic_add_fetch(&notes, 1, __ATOMIC_RELAXED);
}

static void cleanup(void)
{
    if (trace)
        fprintf(stderr, "fuzz_fdops: %lu notifications handled\n", notes);
    for (int f = 0; f < NFILES; f++)
        unlink(paths[f]);
    rmdir(dir);
}

/* Once per process: the private files, the window, the signal handlers. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct rlimit rl;
    const char *t = getenv("FUZZ_FDOPS_TRACE");
    trace = t && *t == '1';
    self = getpid();
    if (k_sigmask(&mask0) < 0) {
        perror("fuzz_fdops: rt_sigprocmask");
        exit(1);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max && rl.rlim_max < 1u << 20) {
        rl.rlim_cur = rl.rlim_max; /* room for the far numbers (other table pages) */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    nofile = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < INT_MAX ? (long)rl.rlim_cur : INT_MAX;

    /* the window starts above every descriptor open now (libFuzzer's) */
    int set[MAX_FDSET], n = k_fdset(set);
    base = 100;
    if (n > 0 && set[n - 1] >= base)
        base = set[n - 1] + 1;
    /* far numbers: the same table page, the last of page 0 and the first of
     * page 1 (pages of 1024 entries), and a later page */
    int cand[] = {base + WIN + 29, 1023, 1024, 5000};
    for (unsigned i = 0; i < sizeof cand / sizeof cand[0]; i++)
        if (cand[i] >= base + WIN && cand[i] < nofile)
            far[nfar++] = cand[i];

    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_fdops.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_fdops: mkdtemp");
        exit(1);
    }
    for (int f = 0; f < NFILES; f++) {
        snprintf(paths[f], sizeof paths[f], "%s/f%d", dir, f);
        int fd = open(paths[f], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, "data\n", 5) != 5) {
            perror("fuzz_fdops: create");
            exit(1);
        }
        close(fd);
    }
    atexit(cleanup);
    int probe = open(paths[0], O_RDONLY | O_CLOEXEC);
    regular_async = probe >= 0 && fcntl(probe, F_SETFL, O_ASYNC) == 0 &&
                    (fcntl(probe, F_GETFL) & O_ASYNC);
    close(probe);

    sigs[0] = SIGIO;
    sigs[1] = SIGRTMIN + 1;
    sigs[2] = SIGRTMIN + 2;
    for (int i = 0; i < 3; i++) {
        struct sigaction sa = {.sa_sigaction = on_note, .sa_flags = SA_SIGINFO | SA_RESTART};
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN); /* a write into a pipe nobody reads: EPIPE */
    /* libFuzzer starts its own threads (the RSS watcher) after this returns;
     * they inherit this mask, so the kernel hands every notification to the
     * harness's thread, never to one whose trampoline would run (and open
     * the log file for a moment) while the harness lists its descriptors.
     * The first input restores mask0 on this thread. */
    sigset_t quiet;
    sigfillset(&quiet);
    for (unsigned i = 0; i < sizeof sync_sigs / sizeof sync_sigs[0]; i++)
        sigdelset(&quiet, sync_sigs[i]);
    pthread_sigmask(SIG_BLOCK, &quiet, NULL);
    degraded0 = ls_stat_get(LS_STAT_DEGRADED);
    behind0 = ls_stat_get(LS_STAT_BEHIND_BACK);
    if (trace)
        fprintf(stderr, "fuzz_fdops: window %d..%d, far %d %d %d %d, RLIMIT_NOFILE %ld, files in %s%s\n",
                base, base + WIN - 1, far[0], far[1], far[2], far[3], nofile, dir,
                regular_async ? ", O_ASYNC sticks on regular files" : "");
    return 0;
}

/* One input: its steps, each followed by every check; then a reset. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int unmasked;
    if (!unmasked) {
        unmasked = 1;
        pthread_sigmask(SIG_SETMASK, &mask0, NULL);
    }
    nown = nofd = nsteps = 0;
    nbaseline = k_fdset(baseline);
    CHECK(nbaseline >= 0, "cannot read /proc/self/fd");
    check_mask();
    if (ls_cfg.enabled)
        CHECK(ls_fd_next_tracked(0, LS_FD_LIMIT - 1) < 0, "a tracked fd before the input started");
    for (size_t i = 0; i + 4 <= size && i / 4 < MAX_STEPS; i += 4) {
        run_step(data + i);
        check_all();
    }
    reset();
    return 0;
}
