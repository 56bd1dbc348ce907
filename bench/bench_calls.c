/* bench_calls.c - one overhead measurement of lease-shim per invocation.
 *
 * The program knows nothing about the shim: bench/run starts it twice per
 * round, once plainly and once with LD_PRELOAD=liblease_shim.so, and
 * compares.  Everything the program does is identical in both runs, so any
 * difference is the shim's.
 *
 *   bench_calls CASE [--batches N] [--reps N] [--warmup N]   time CASE
 *   bench_calls CASE --count N                               mark N ops for strace
 *   bench_calls mem --leases N                               memory with N leases
 *   bench_calls mem_fdtop                                    memory with one lease at fd 1,000,000
 *                                                            (or the highest RLIMIT_NOFILE allows)
 *   bench_calls list                                         the case names
 *   bench_calls where SYM...                                 which loaded object defines
 *                                                            each SYM ("WHERE SYM PATH")
 *
 * Timed output: "RESULT CASE ns V1 V2 ..." with one value per batch, the
 * mean cost of one operation in that batch (warm-up batches left out).
 * Count output: the N operations are bracketed by access() calls on the
 * paths MARK_BEGIN/MARK_END, so a strace log can be cut to exactly them;
 * then "COUNTED CASE N".
 * Memory output: "MEM CASE leases=N anon_before_kib=.. anon_after_kib=..
 * register_ns=.. close_ns=.." (mean per lease of taking the leases one by one,
 * and of dropping them all with one close_range(3, ~0U, 0)).
 * A case that cannot run here prints "SKIP CASE reason" and exits 0.
 *
 * Untracked cases hold one tracked read lease on fd 3 (a leasing app has
 * some), so the shim's table page for the low descriptors is mapped and in
 * use: the fast path reads a real entry, and close_range scans a real page.
 * The wide cases (close_range_wide*) and mem_fdtop raise RLIMIT_NOFILE and
 * print "INFO fd_top=.. nofile=..": the descriptors they could reach.
 *
 * Cases with N descriptors open (register_N, close_release_N,
 * close_rehome_N, close_rehome_pre_N; N = 10, 1000, 5000 or max): the soft
 * RLIMIT_NOFILE is raised to the hard one, then N descriptors are opened,
 * each with its own open() as a file server's are: the first 4,096 on
 * distinct files, the rest on /dev/null (the files: f0..f4095 in
 * $LEASE_BENCH_FDS_DIR, which bench/run creates once, on tmpfs where it can;
 * without it the program creates them, slowly on some disks); "max" opens as many as the limit
 * allows less FDS_MARGIN (at most $LEASE_BENCH_FDS_CAP when set).  They stay
 * open, untouched, while the case registers and closes its own descriptor
 * above them.  "INFO fds=N nofile=L" says how many; register_N also prints
 * "INFO first_register_ns=T", the time of the first registration of the
 * process (a shim may do one-time work then; it is in the first batch too).
 *
 * Signal and process cases: sig_notify (a valid lease notification sent to
 * this thread with rt_tgsigqueueinfo; the handler checks si_fd and the case
 * fails if any delivery is missing or wrong), fork_exit, fork_exec (execve
 * of bench_true, next to this program) in a process that never registered
 * (the idle case), fork_exit_leased and fork_exec_leased in one holding a
 * lease, spawn_start (posix_spawn of
 * bench_true with LD_PRELOAD=$LEASE_BENCH_CHILD_PRELOAD in the child's
 * environment only), macro (one run of the script $LEASE_BENCH_MACRO per
 * operation, argument $LEASE_BENCH_MACRO_SCALE, 0 = smoke size).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARK_BEGIN "/lease-shim-bench:begin"
#define MARK_END "/lease-shim-bench:end"

#define FD_WIDE 1000000       /* the top of the "1,000,000 wide" ranges, if allowed */
#define WIDE_UNTRACKED 1000   /* untracked descriptors spread over that range */
#define WIDE_TRACKED 4        /* tracked leases spread over it (close_range_wide4) */
#define RANGE_TRACKED 4       /* tracked leases closed by one close_range (count) */
#define CLOSE_BATCH 1000      /* descriptors closed per batch in the close case */
#define RANGE_FDS 1000        /* width of close_range_1000 */
#define FDS_DISTINCT 4096     /* the N-descriptor cases: this many distinct files, */
#define FDS_MARGIN 32         /* then /dev/null; "max": the limit less this margin */

static char tmpdir[256];
static int lease_sig;
static int base_fd = -1; /* an untracked, unleased descriptor of "plain" */
static int bg_fd = -1;   /* the background tracked lease (untracked cases) */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_calls: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void mark(const char *path)
{
    (void)access(path, F_OK); /* fails with ENOENT; strace shows the path */
}

/* ---- files ---------------------------------------------------------------- */

static void cleanup(void)
{
    if (!tmpdir[0])
        return;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                if (unlinkat(dirfd(d), e->d_name, 0) < 0)
                    unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* macro/, emptied by the script */
        closedir(d);
    }
    rmdir(tmpdir);
    tmpdir[0] = 0;
}

static void make_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/lease-shim-bench.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        die("mkdtemp %s: %s", tmpdir, strerror(errno));
    atexit(cleanup);
}

static const char *path_of(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* Create NAME (empty, no writer left open): a read lease needs that. */
static void create_file(const char *name)
{
    int fd = open(path_of(name), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("create %s: %s", name, strerror(errno));
    close(fd);
}

static int open_ro(const char *name)
{
    int fd = open(path_of(name), O_RDONLY);
    if (fd < 0)
        die("open %s: %s", name, strerror(errno));
    return fd;
}

/* ---- leases --------------------------------------------------------------- */

static void on_lease_sig(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc; /* nobody breaks our leases; just in case */
}

static void setup_signal(void)
{
    lease_sig = SIGRTMIN + 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_lease_sig;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(lease_sig, &sa, NULL) < 0)
        die("sigaction: %s", strerror(errno));
}

static void set_sig(int fd)
{
    if (fcntl(fd, F_SETSIG, lease_sig) < 0)
        die("F_SETSIG fd %d: %s", fd, strerror(errno));
}

static void set_lease(int fd)
{
    if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
        die("F_SETLEASE F_RDLCK fd %d: %s", fd, strerror(errno));
}

/* A tracked descriptor: NAME opened read-only, signal set, read lease taken. */
static int open_leased(const char *name)
{
    int fd = open_ro(name);
    set_sig(fd);
    set_lease(fd);
    return fd;
}

/* The same, but at descriptor number AT. */
static int open_leased_at(const char *name, int at)
{
    int fd = open_ro(name);
    if (fd != at) {
        if (dup2(fd, at) != at)
            die("dup2 %d -> %d: %s", fd, at, strerror(errno));
        close(fd);
    }
    set_sig(at);
    set_lease(at);
    return at;
}

static void xdup2(int from, int to)
{
    if (dup2(from, to) != to)
        die("dup2 %d -> %d: %s", from, to, strerror(errno));
}

/* The untracked cases' surroundings: fd 3 leased, fd 4 plain. */
static void setup_untracked(void)
{
    create_file("bg");
    create_file("plain");
    bg_fd = open_leased_at("bg", 3);
    base_fd = open_ro("plain");
    xdup2(base_fd, 4);
    if (base_fd != 4)
        close(base_fd);
    base_fd = 4;
}

static int fd_top;          /* highest descriptor the wide cases use */
static unsigned long nofile; /* RLIMIT_NOFILE in force after raise_nofile */

/* Raise RLIMIT_NOFILE to nr_open (1,048,576 by default) so descriptor
 * FD_WIDE can exist.  Without CAP_SYS_RESOURCE the hard limit is the
 * ceiling: then fd_top is the highest descriptor allowed, reported in an
 * INFO line.  0 when at least 2,048 descriptors are allowed. */
static int raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    rlim_t want = 1048576;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    if (f) {
        unsigned long v;
        if (fscanf(f, "%lu", &v) == 1)
            want = v;
        fclose(f);
    }
    struct rlimit up = {want, rl.rlim_max > want ? rl.rlim_max : want};
    if (setrlimit(RLIMIT_NOFILE, &up) < 0) {
        /* not privileged enough: take what the hard limit allows */
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    nofile = (unsigned long)rl.rlim_cur;
    fd_top = rl.rlim_cur > FD_WIDE ? FD_WIDE : (int)rl.rlim_cur - 1;
    return fd_top >= 2047 ? 0 : -1;
}

/* Resident anonymous memory in KiB (the shim's table is anonymous mmap and
 * BSS).  From /proc/self/smaps_rollup, which walks the page tables, so it is
 * exact: statm's counter is per-CPU batched on 6.x kernels and jumps by tens
 * of KiB at random, and the total Rss also counts library text faulted in
 * 64 KiB at a time (fault-around) the first time a code path runs. */
static long anon_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        die("/proc/self/smaps_rollup: %s", strerror(errno));
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Anonymous: %ld kB", &kib) == 1)
            break;
    fclose(f);
    if (kib < 0)
        die("/proc/self/smaps_rollup: no Anonymous line");
    return kib;
}

/* ---- cases -------------------------------------------------------------------
 * Each case has a setup (once), and a batch function that performs REPS
 * operations and returns the nanoseconds spent in the operations alone, or,
 * in count mode (counting != 0), brackets each operation with the markers.
 */

static int counting;
static int fds[CLOSE_BATCH];

#define OP(stmt)                          \
    do {                                  \
        if (counting)                     \
            mark(MARK_BEGIN);             \
        stmt;                             \
        if (counting)                     \
            mark(MARK_END);               \
    } while (0)

/* untracked close: CLOSE_BATCH dup()s (untimed), then their close()s (timed) */
static long long b_close(int reps)
{
    long long spent = 0;
    for (int done = 0; done < reps;) {
        int n = reps - done < CLOSE_BATCH ? reps - done : CLOSE_BATCH;
        for (int i = 0; i < n; i++)
            if ((fds[i] = dup(base_fd)) < 0)
                die("dup: %s", strerror(errno));
        if (counting) {
            for (int i = 0; i < n; i++)
                OP(close(fds[i]));
        } else {
            long long t0 = now_ns();
            for (int i = 0; i < n; i++)
                close(fds[i]);
            spent += now_ns() - t0;
        }
        done += n;
    }
    return spent;
}

static int dst_fd = -1;

static void s_dst(void)
{
    setup_untracked();
    dst_fd = dup(base_fd); /* an open, untracked target */
    if (dst_fd < 0)
        die("dup: %s", strerror(errno));
}

static long long b_dup2(int reps)
{
    if (counting) {
        for (int i = 0; i < reps; i++)
            OP(dup2(base_fd, dst_fd));
        return 0;
    }
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++)
        dup2(base_fd, dst_fd);
    return now_ns() - t0;
}

static long long b_dup3(int reps)
{
    if (counting) {
        for (int i = 0; i < reps; i++)
            OP(dup3(base_fd, dst_fd, O_CLOEXEC));
        return 0;
    }
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++)
        dup3(base_fd, dst_fd, O_CLOEXEC);
    return now_ns() - t0;
}

static long long b_fcntl_getfl(int reps)
{
    if (counting) {
        for (int i = 0; i < reps; i++)
            OP(fcntl(base_fd, F_GETFL));
        return 0;
    }
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++)
        fcntl(base_fd, F_GETFL);
    return now_ns() - t0;
}

static int plain_flags;

static void s_setfl(void)
{
    setup_untracked();
    plain_flags = fcntl(base_fd, F_GETFL) & ~O_ACCMODE;
}

/* F_SETFL is one of the commands the shim inspects (O_ASYNC), unlike F_GETFL */
static long long b_fcntl_setfl(int reps)
{
    if (counting) {
        for (int i = 0; i < reps; i++)
            OP(fcntl(base_fd, F_SETFL, plain_flags));
        return 0;
    }
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++)
        fcntl(base_fd, F_SETFL, plain_flags);
    return now_ns() - t0;
}

/* close_range over RANGE_FDS contiguous untracked descriptors 5..1004
 * (the tracked lease on fd 3 shares their table page) */
static long long b_close_range_1000(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < RANGE_FDS; i++)
            xdup2(base_fd, 5 + i);
        long long t0 = now_ns();
        OP(close_range(5, 5 + RANGE_FDS - 1, 0));
        spent += now_ns() - t0;
    }
    return spent;
}

static int wide_ok;

/* RLIMIT_NOFILE to nr_open; leases taken and dropped once across the
 * range, so the shim has table pages mapped there (all empty again). */
static void s_wide(void)
{
    wide_ok = raise_nofile() == 0;
    if (!wide_ok)
        return;
    create_file("plain");
    for (int k = 0; k < WIDE_TRACKED; k++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", k);
        create_file(name);
    }
    for (int k = 0; k < WIDE_TRACKED; k++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", k);
        close(open_leased_at(name, fd_top / WIDE_TRACKED * (k + 1) - 7));
    }
    printf("INFO fd_top=%d nofile=%lu\n", fd_top, nofile);
}

/* fd 3: the plain file (every descriptor from 3 up is closed between reps) */
static void open_wide_base(void)
{
    base_fd = open_ro("plain");
    if (base_fd != 3)
        die("expected fd 3 free, got %d", base_fd);
}

static void place_wide_untracked(void)
{
    int step = (fd_top - 100) / WIDE_UNTRACKED; /* 1,000 from 100 up, then the top */
    for (int i = 0; i < WIDE_UNTRACKED; i++)
        xdup2(base_fd, 100 + i * step);
    xdup2(base_fd, fd_top);
}

/* close_range(3, ~0U, 0) over 1,002 untracked descriptors spread up to
 * fd_top (1,000,000 where allowed); no tracked descriptor in the range */
static long long b_close_range_wide0(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        open_wide_base();
        place_wide_untracked();
        long long t0 = now_ns();
        OP(close_range(3, ~0U, 0));
        spent += now_ns() - t0;
    }
    return spent;
}

/* the same with WIDE_TRACKED tracked leases spread over the range too */
static long long b_close_range_wide4(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        open_wide_base();
        for (int k = 0; k < WIDE_TRACKED; k++) {
            char name[32];
            snprintf(name, sizeof name, "t%d", k);
            open_leased_at(name, fd_top / WIDE_TRACKED * (k + 1) - 7);
        }
        place_wide_untracked();
        long long t0 = now_ns();
        OP(close_range(3, ~0U, 0));
        spent += now_ns() - t0;
    }
    return spent;
}

/* ---- tracked: per-operation timing with untimed setup around each ---------- */

static void s_tracked(void)
{
    create_file("lease");
}

/* close of a leased fd with no alias: R2 release (also with N open: close_release_N) */
static long long b_close_release(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        int fd = open_leased("lease");
        long long t0 = now_ns();
        OP(close(fd));
        spent += now_ns() - t0;
    }
    return spent;
}

/* close of a leased fd whose dup() survives: R1 re-home onto the alias */
static long long b_close_rehome(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        int fd = open_leased("lease");
        int alias = dup(fd);
        if (alias < 0)
            die("dup: %s", strerror(errno));
        long long t0 = now_ns();
        OP(close(fd));
        spent += now_ns() - t0;
        close(alias); /* untimed: now the lease fd, released */
    }
    return spent;
}

/* F_SETLEASE F_RDLCK on a fresh descriptor: the shim registers it */
static long long b_register(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        int fd = open_ro("lease");
        set_sig(fd);
        long long t0 = now_ns();
        int rc;
        OP(rc = fcntl(fd, F_SETLEASE, F_RDLCK));
        spent += now_ns() - t0;
        if (rc < 0)
            die("F_SETLEASE: %s", strerror(errno));
        close(fd);
    }
    return spent;
}

/* close_range over RANGE_TRACKED tracked leases (and nothing else) */
static void s_range_tracked(void)
{
    for (int k = 0; k < RANGE_TRACKED; k++) {
        char name[32];
        snprintf(name, sizeof name, "r%d", k);
        create_file(name);
    }
}

static long long b_close_range_tracked(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        for (int k = 0; k < RANGE_TRACKED; k++) {
            char name[32];
            snprintf(name, sizeof name, "r%d", k);
            open_leased_at(name, 10 + k);
        }
        long long t0 = now_ns();
        OP(close_range(10, 10 + RANGE_TRACKED - 1, 0));
        spent += now_ns() - t0;
    }
    return spent;
}

/* the same with 100 more untracked descriptors open: the registration's
 * alias scan looks at every open descriptor (up to 1,024) */
static void s_tracked_fds100(void)
{
    create_file("lease");
    create_file("plain");
    int p = open_ro("plain");
    for (int i = 0; i < 100; i++)
        if (dup(p) < 0)
            die("dup: %s", strerror(errno));
    close(p);
}

/* ---- tracked, with N descriptors open ------------------------------------------------
 * The case's N (cur_nfds: > 0, or -1 for as many as the limit allows) is
 * opened by s_fds before anything is registered: the first registration of
 * the process happens with all of them open.  The case's own descriptor is
 * opened above them, registered, closed (timed as the case says), and the
 * lease dropped untimed. */

static int cur_nfds;        /* the case's N (-1: max) */
static int held_fds;        /* descriptors s_fds opened */
static int first_reg_done;  /* the first registration of the process timed */
static long long first_reg_ns;

static void s_fds(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit: %s", strerror(errno));
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit RLIMIT_NOFILE to the hard limit %lu: %s", (unsigned long)rl.rlim_max,
            strerror(errno));
    nofile = (unsigned long)rl.rlim_cur;
    long room = (long)(rl.rlim_cur > 1L << 30 ? 1L << 30 : rl.rlim_cur) - 3 - FDS_MARGIN;
    long want = cur_nfds;
    if (want < 0) {
        want = room;
        const char *cap = getenv("LEASE_BENCH_FDS_CAP");
        if (cap && *cap && atol(cap) > 0 && atol(cap) < want)
            want = atol(cap);
    }
    if (want > room)
        die("RLIMIT_NOFILE %lu (hard) leaves room for %ld descriptors, %ld wanted", nofile, room,
            want);
    create_file("lease");
    int distinct = want < FDS_DISTINCT ? (int)want : FDS_DISTINCT;
    const char *dir = getenv("LEASE_BENCH_FDS_DIR");
    if (!dir || !*dir) {
        dir = tmpdir;
        for (int i = 0; i < distinct; i++) {
            char name[32];
            snprintf(name, sizeof name, "f%d", i);
            create_file(name);
        }
    }
    for (long i = 0; i < want; i++) {
        int fd;
        if (i < distinct) {
            char path[4200];
            snprintf(path, sizeof path, "%s/f%ld", dir, i);
            fd = open(path, O_RDONLY);
        } else {
            fd = open("/dev/null", O_RDONLY);
        }
        if (fd < 0)
            die("open descriptor %ld of %ld: %s", i + 1, want, strerror(errno));
    }
    held_fds = (int)want;
    printf("INFO fds=%d nofile=%lu\n", held_fds, nofile);
}

/* drop the lease on FD and FD itself, untimed */
static void drop(int fd)
{
    if (fcntl(fd, F_SETLEASE, F_UNLCK) < 0)
        die("F_SETLEASE F_UNLCK fd %d: %s", fd, strerror(errno));
    close(fd);
}

/* F_SETLEASE F_RDLCK on a fresh descriptor with the N open */
static long long b_register_n(int reps)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        int fd = open_ro("lease");
        set_sig(fd);
        long long t0 = now_ns();
        int rc;
        OP(rc = fcntl(fd, F_SETLEASE, F_RDLCK));
        long long t = now_ns() - t0;
        spent += t;
        if (rc < 0)
            die("F_SETLEASE: %s", strerror(errno));
        if (!first_reg_done) {
            first_reg_done = 1;
            first_reg_ns = t;
            printf("INFO first_register_ns=%lld\n", t);
        }
        drop(fd);
    }
    return spent;
}

/* close of a leased fd whose alias survives, N open: R1 re-home.  ALIAS_AFTER:
 * the alias is dup()ed after the registration (the shim sees it made), else
 * before (the registration has to find it among the N).  The alias must
 * still hold the lease afterwards (the OFD does, without a shim): a close
 * after which it does not (released instead of re-homed) is counted, and
 * main reports "INFO rehome_lost=K of=M". */
static int rehome_ops, rehome_lost;

static long long close_rehome_n(int reps, int alias_after)
{
    long long spent = 0;
    for (int r = 0; r < reps; r++) {
        int fd = open_ro("lease"), alias = -1;
        if (!alias_after && (alias = dup(fd)) < 0)
            die("dup: %s", strerror(errno));
        set_sig(fd);
        set_lease(fd);
        if (alias_after && (alias = dup(fd)) < 0)
            die("dup: %s", strerror(errno));
        long long t0 = now_ns();
        OP(close(fd));
        spent += now_ns() - t0;
        rehome_ops++;
        if (fcntl(alias, F_GETLEASE) == F_UNLCK) {
            rehome_lost++;
            close(alias);
        } else {
            drop(alias); /* untimed: the alias holds the lease now */
        }
    }
    return spent;
}

static long long b_close_rehome_n(int reps)
{
    return close_rehome_n(reps, 1);
}

static long long b_close_rehome_pre_n(int reps)
{
    return close_rehome_n(reps, 0);
}

/* ---- signals and processes ------------------------------------------------------ */

/* sig_notify: a notification-shaped signal for a real, tracked read lease on
 * fd 3 (SIGRTMIN+1, si_code POLL_MSG, si_fd 3, si_band POLLIN|POLLRDNORM|
 * POLLMSG), sent to this very thread with rt_tgsigqueueinfo and delivered on
 * the way out of that call: with the shim, through its trampoline, which
 * finds the registration valid and calls our handler.  The handler counts
 * and checks what it is given; any miss fails the case. */
static volatile sig_atomic_t sig_seen, sig_bad;
static int sig_fd = -1;
static siginfo_t sig_si;

static void on_notify(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == lease_sig && si && si->si_fd == sig_fd && si->si_code == POLL_MSG &&
        si->si_band == (POLLIN | POLLRDNORM | POLLMSG))
        sig_seen++;
    else
        sig_bad++;
}

static void s_sig_notify(void)
{
    setup_untracked();
    sig_fd = bg_fd; /* fd 3: F_SETSIG SIGRTMIN+1, F_SETLEASE F_RDLCK */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_notify;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(lease_sig, &sa, NULL) < 0)
        die("sigaction: %s", strerror(errno));
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, lease_sig);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    memset(&sig_si, 0, sizeof sig_si);
    sig_si.si_signo = lease_sig;
    sig_si.si_code = POLL_MSG;
    sig_si.si_fd = sig_fd;
    sig_si.si_band = POLLIN | POLLRDNORM | POLLMSG;
}

static long long b_sig_notify(int reps)
{
    pid_t pid = getpid(), tid = gettid();
    sig_seen = 0;
    sig_bad = 0;
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        siginfo_t si = sig_si; /* the kernel may not write it, but be sure */
        if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, lease_sig, &si) < 0)
            die("rt_tgsigqueueinfo: %s", strerror(errno));
    }
    long long spent = now_ns() - t0;
    if (sig_seen != reps || sig_bad)
        die("sig_notify: handler saw %d valid notifications for fd %d and %d wrong ones, "
            "%d sent", (int)sig_seen, sig_fd, (int)sig_bad, reps);
    return spent;
}

/* The process cases keep the untracked cases' surroundings (a tracked read
 * lease on fd 3, a plain fd 4), both close-on-exec as a server's would be. */
static char helper[4096]; /* bench_true, next to this program */
extern char **environ;

static void proc_common(void)
{
    if (fcntl(3, F_SETFD, FD_CLOEXEC) < 0 || fcntl(4, F_SETFD, FD_CLOEXEC) < 0)
        die("F_SETFD: %s", strerror(errno));
    ssize_t n = readlink("/proc/self/exe", helper, sizeof helper - 32);
    if (n < 0)
        die("readlink /proc/self/exe: %s", strerror(errno));
    helper[n] = 0;
    char *slash = strrchr(helper, '/');
    strcpy(slash ? slash + 1 : helper, "bench_true");
    if (access(helper, X_OK) < 0)
        die("%s: %s", helper, strerror(errno));
}

/* a process holding one lease (fd 3) and a plain file (fd 4) */
static void s_proc(void)
{
    setup_untracked();
    proc_common();
}

/* an idle process: fds 3 and 4 plain files, no registration ever made */
static void s_proc_idle(void)
{
    create_file("plain");
    create_file("plain2");
    int a = open_ro("plain"), b = open_ro("plain2");
    xdup2(a, 3);
    xdup2(b, 4);
    if (a != 3 && a != 4)
        close(a);
    if (b != 3 && b != 4)
        close(b);
    proc_common();
}

static void reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("child %d: status 0x%x", (int)pid, st);
}

/* fork + waitpid of a child that _exits at once */
static long long b_fork_exit(int reps)
{
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0)
            _exit(0);
        reap(pid);
    }
    return now_ns() - t0;
}

/* fork + execve of bench_true + waitpid; the child inherits the environment,
 * LD_PRELOAD included when bench_calls runs with the shim */
static long long b_fork_exec(int reps)
{
    char *argv[] = {helper, NULL};
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0) {
            execve(helper, argv, environ);
            _exit(127);
        }
        reap(pid);
    }
    return now_ns() - t0;
}

/* posix_spawn + waitpid of bench_true from a plain parent; the child gets
 * LD_PRELOAD=$LEASE_BENCH_CHILD_PRELOAD when that is set, so only the
 * child's start differs between the two runs */
static char **spawn_env;

static void s_spawn(void)
{
    s_proc();
    const char *pre = getenv("LEASE_BENCH_CHILD_PRELOAD");
    size_t n = 0;
    while (environ[n])
        n++;
    spawn_env = calloc(n + 2, sizeof *spawn_env);
    if (!spawn_env)
        die("out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "LEASE_BENCH_", 12))
            spawn_env[k++] = environ[i];
    if (pre && *pre) {
        static char buf[4200];
        snprintf(buf, sizeof buf, "LD_PRELOAD=%s", pre);
        spawn_env[k++] = buf;
    }
    spawn_env[k] = NULL;
}

static long long b_spawn(int reps)
{
    char *argv[] = {helper, NULL};
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, helper, NULL, NULL, argv, spawn_env);
        if (rc)
            die("posix_spawn %s: %s", helper, strerror(rc));
        reap(pid);
    }
    return now_ns() - t0;
}

/* macro: one run of the shell script $LEASE_BENCH_MACRO (bench/macro.sh)
 * in a scratch directory per batch, everything under the same environment
 * (with the shim: every process of the script loads it) */
static char macro_dir[600];

static void s_macro(void)
{
    s_proc();
    snprintf(macro_dir, sizeof macro_dir, "%s", path_of("macro"));
    if (mkdir(macro_dir, 0700) < 0)
        die("mkdir %s: %s", macro_dir, strerror(errno));
    if (!getenv("LEASE_BENCH_MACRO"))
        die("macro: LEASE_BENCH_MACRO (the script) not set");
}

static long long b_macro(int reps)
{
    const char *script = getenv("LEASE_BENCH_MACRO");
    const char *scale = getenv("LEASE_BENCH_MACRO_SCALE");
    char *argv[] = {"sh", (char *)script, macro_dir, (char *)(scale && *scale ? scale : "1"), NULL};
    long long t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
        if (rc)
            die("posix_spawn /bin/sh: %s", strerror(rc));
        reap(pid);
    }
    return now_ns() - t0;
}

struct bcase {
    const char *name;
    void (*setup)(void);
    long long (*batch)(int reps);
    int reps;      /* operations per batch by default */
    int per_op;    /* descriptors (or tracked fds) per operation, for reports */
    int needs_wide;
    int nfds;      /* descriptors held open by s_fds (-1: as many as allowed) */
};

#define FDS_CASES(n, suffix, reg_reps, close_reps)                                   \
    {"register_" suffix, s_fds, b_register_n, reg_reps, 1, 0, n},                    \
    {"close_release_" suffix, s_fds, b_close_release, close_reps, 1, 0, n},        \
    {"close_rehome_" suffix, s_fds, b_close_rehome_n, close_reps, 1, 0, n},          \
    {"close_rehome_pre_" suffix, s_fds, b_close_rehome_pre_n, close_reps, 1, 0, n}

static const struct bcase cases[] = {
    {"close", setup_untracked, b_close, 1000, 1, 0, 0},
    {"dup2", s_dst, b_dup2, 10000, 1, 0, 0},
    {"dup3", s_dst, b_dup3, 10000, 1, 0, 0},
    {"fcntl_getfl", setup_untracked, b_fcntl_getfl, 10000, 1, 0, 0},
    {"fcntl_setfl", s_setfl, b_fcntl_setfl, 10000, 1, 0, 0},
    {"close_range_1000", setup_untracked, b_close_range_1000, 5, RANGE_FDS, 0, 0},
    {"close_range_wide0", s_wide, b_close_range_wide0, 2, WIDE_UNTRACKED + 2, 1, 0},
    {"close_range_wide4", s_wide, b_close_range_wide4, 2, WIDE_TRACKED, 1, 0},
    {"close_release", s_tracked, b_close_release, 50, 1, 0, 0},
    {"close_rehome", s_tracked, b_close_rehome, 50, 1, 0, 0},
    {"register", s_tracked, b_register, 50, 1, 0, 0},
    {"register_fds100", s_tracked_fds100, b_register, 50, 1, 0, 0},
    {"close_range_tracked", s_range_tracked, b_close_range_tracked, 20, RANGE_TRACKED, 0, 0},
    FDS_CASES(10, "10", 50, 50),
    FDS_CASES(1000, "1000", 20, 20),
    FDS_CASES(5000, "5000", 10, 10),
    FDS_CASES(-1, "max", 5, 5),
    {"sig_notify", s_sig_notify, b_sig_notify, 500, 1, 0, 0},
    {"fork_exit", s_proc_idle, b_fork_exit, 20, 1, 0, 0},
    {"fork_exit_leased", s_proc, b_fork_exit, 20, 1, 0, 0},
    {"fork_exec", s_proc_idle, b_fork_exec, 10, 1, 0, 0},
    {"fork_exec_leased", s_proc, b_fork_exec, 10, 1, 0, 0},
    {"spawn_start", s_spawn, b_spawn, 10, 1, 0, 0},
    {"macro", s_macro, b_macro, 1, 1, 0, 0},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

/* ---- memory ------------------------------------------------------------------ */

static int mem_case(int leases, int high)
{
    const char *name = high ? "mem_fdtop" : "mem";
    if (raise_nofile() < 0 && high) {
        printf("SKIP %s RLIMIT_NOFILE below 2,048\n", name);
        return 0;
    }
    if (high)
        leases = 1;
    int *lfd = calloc((size_t)leases + 1, sizeof *lfd);
    if (!lfd)
        die("out of memory");
    for (int i = 0; i < leases; i++) {
        char n[32];
        snprintf(n, sizeof n, "m%d", i);
        create_file(n);
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)leases + 16 > rl.rlim_cur)
        die("RLIMIT_NOFILE %lu too low for %d leases", (unsigned long)rl.rlim_cur, leases);
    memset(lfd, 0, ((size_t)leases + 1) * sizeof *lfd);
    long before = anon_kib();
    long long t0 = now_ns();
    for (int i = 0; i < leases; i++) {
        char n[32];
        snprintf(n, sizeof n, "m%d", i);
        lfd[i] = high ? open_leased_at(n, fd_top) : open_leased(n);
    }
    long long t1 = now_ns();
    long after = anon_kib();
    /* every lease goes in one close_range, as at a closefrom() before exec */
    long long t2 = now_ns();
    close_range(3, ~0U, 0);
    long long t3 = now_ns();
    printf("MEM %s leases=%d nofile=%lu fd_top=%d anon_before_kib=%ld anon_after_kib=%ld "
           "register_ns=%.0f close_ns=%.0f\n",
           name, leases, (unsigned long)rl.rlim_cur, high ? fd_top : leases + 2, before, after,
           leases ? (double)(t1 - t0) / leases : 0.0, leases ? (double)(t3 - t2) / leases : 0.0);
    free(lfd);
    return 0;
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_calls CASE [--batches N] [--reps N] [--warmup N]\n"
            "       bench_calls CASE --count N\n"
            "       bench_calls mem --leases N | mem_fdtop | list\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *cname = argv[1];
    if (!strcmp(cname, "where")) {
        /* which object the dynamic linker gives these names to: with a
         * preload, that library (bench/run checks it interposes them all) */
        for (int i = 2; i < argc; i++) {
            void *sym = dlsym(RTLD_DEFAULT, argv[i]);
            Dl_info di;
            printf("WHERE %s %s\n", argv[i],
                   sym && dladdr(sym, &di) && di.dli_fname ? di.dli_fname : "-");
        }
        return 0;
    }
    int batches = 50, reps = -1, warmup = 2, count = -1, leases = 0;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--batches"))
            batches = v;
        else if (!strcmp(argv[i], "--reps"))
            reps = v;
        else if (!strcmp(argv[i], "--warmup"))
            warmup = v;
        else if (!strcmp(argv[i], "--count"))
            count = v;
        else if (!strcmp(argv[i], "--leases"))
            leases = v;
        else
            usage();
        i++;
    }
    if (!strcmp(cname, "list")) {
        for (int i = 0; i < NCASES; i++)
            printf("%s %d\n", cases[i].name, cases[i].per_op);
        printf("mem 0\nmem_fdtop 0\n");
        return 0;
    }
    /* Start from descriptors 0-2 only: whatever the caller left open (a
     * shell's, ctest's) would change the fd layout and the shim's alias
     * scan, and so the figures, from one environment to the next. */
    close_range(3, ~0U, 0);
    make_tmpdir();
    setup_signal();
    if (!strcmp(cname, "mem") || !strcmp(cname, "mem_fdtop"))
        return mem_case(leases, !strcmp(cname, "mem_fdtop"));

    const struct bcase *c = NULL;
    for (int i = 0; i < NCASES; i++)
        if (!strcmp(cases[i].name, cname))
            c = &cases[i];
    if (!c)
        die("unknown case %s (try: bench_calls list)", cname);
    if (reps <= 0)
        reps = c->reps;
    cur_nfds = c->nfds;
    c->setup();
    if (c->needs_wide && !wide_ok) {
        printf("SKIP %s RLIMIT_NOFILE below 2,048\n", c->name);
        return 0;
    }

    if (count >= 0) {
        counting = 0;
        c->batch(2 < count ? 2 : count); /* warm-up: lazy binding, first-use paths */
        counting = 1;
        c->batch(count);
        printf("COUNTED %s %d\n", c->name, count);
        return 0;
    }

    double *v = calloc((size_t)batches, sizeof *v);
    if (!v)
        die("out of memory");
    for (int b = 0; b < warmup; b++)
        c->batch(reps);
    for (int b = 0; b < batches; b++)
        v[b] = (double)c->batch(reps) / reps;
    printf("RESULT %s ns", c->name);
    for (int b = 0; b < batches; b++)
        printf(" %.2f", v[b]);
    printf("\n");
    if (rehome_ops)
        printf("INFO rehome_lost=%d of=%d\n", rehome_lost, rehome_ops);
    free(v);
    return 0;
}
