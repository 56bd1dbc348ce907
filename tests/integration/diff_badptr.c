/* diff_badptr.c - differential test: bad application pointers (issue #12
 * item 9).
 *
 * For every wrapper that reads (or writes) a pointer the application passes,
 * and for every such argument, the call is made with a bad pointer:
 *   one        (void *)1
 *   unmapped   an address with nothing mapped there (checked with mincore)
 *   prot_none  a page mapped PROT_NONE
 *   readonly   a page mapped PROT_READ (only for what the call writes)
 * Each case runs in a forked child of its own, which reports the call's
 * result and errno (set to a sentinel, EDOM, before the call) through a pipe;
 * the parent prints one canonical line per case: that report, or the signal
 * the child died of.  glibc itself returns EFAULT where the kernel reads the
 * pointer, and crashes (SIGSEGV) where it reads it in user space: the shim
 * must give exactly the same, which diff_run.sh checks by running this
 * program without and with it and comparing the outputs byte for byte.
 *
 * Every case runs three times: "plain" (the child has no registration: the
 * shim's untracked paths), "live" (the child first takes a read lease with
 * F_SETSIG and a handler, makes an alias of it, and puts a pipe in O_ASYNC
 * mode with the same signal: the tracked paths, the watched signal, the
 * spawn and exec hand-over) and "catch" (as live, with a SIGSEGV and SIGBUS
 * handler that leaves by siglongjmp, as legacy programs that probe memory
 * do: where glibc faults in the caller's context, the handler must run,
 * which it cannot if the shim faults with every signal blocked, and the
 * shim must still work afterwards, which it cannot if the fault left its
 * lock held: the child then makes a few tracked calls and reports them).  Where a call needs a pending signal (to make
 * the kernel write a siginfo, or glibc store sigwait's number) one is made
 * pending first: SIGUSR2 raised, and the notification signal (a real
 * O_ASYNC notification in "live", raised in "plain"), both blocked.
 *
 * Nothing printed varies between runs: no pids, no addresses.  The program
 * exits 0 when every case ran, whatever the cases gave: deaths are data.
 */
#include "lstest.h"

#include <errno.h>
#include <setjmp.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SENTINEL EDOM
#define TRUE_BIN "/bin/true"

extern char **environ;
int __fcntl(int fd, int cmd, ...);
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* ---- the bad pointers ------------------------------------------------------- */

enum { BAD_ONE, BAD_UNMAPPED, BAD_PROT_NONE, BAD_READONLY, NBAD };
/* (and, after them, "-": no bad pointer, for the cases of good_cases) */
static const char *const bad_name[NBAD + 1] = {"one", "unmapped", "prot_none", "readonly", "-"};
static void *bad_ptr[NBAD + 1];

static void make_bad_pointers(void)
{
    long page = sysconf(_SC_PAGESIZE);
    bad_ptr[BAD_ONE] = (void *)1;
    /* far from the heap (just above the program) and from the mmap area
     * (just below the stack): nothing the program or the shim maps lands
     * there by itself */
    bad_ptr[BAD_UNMAPPED] = (void *)0x100000000000ul;
    unsigned char vec;
    CHECK(mincore(bad_ptr[BAD_UNMAPPED], (size_t)page, &vec) < 0 && errno == ENOMEM);
    void *p = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    bad_ptr[BAD_PROT_NONE] = p;
    p = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    bad_ptr[BAD_READONLY] = p; /* zeroes: a NULL-terminated array, an empty string */
}

/* ---- what a child reports ------------------------------------------------------ */

struct result {
    long ret;
    int err;
    int child;  /* the wait status of a process the call started, -1 if none */
    int caught; /* "catch": the signal the handler caught, 0 if none */
    int after;  /* "catch": what the calls made afterwards gave (see after_fault) */
    int brk;    /* "catch", cloexec cases: whom the break named (BRK_*) */
};
enum { BRK_NONE, BRK_CLOEXEC_FD, BRK_ALIAS, BRK_OTHER };
static const char *const brk_name[] = {"no break", "the close-on-exec fd", "its alias", "another fd"};

static const char *errno_name(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

/* Canonical text of a wait status. */
static void status_text(char *buf, size_t size, int st)
{
    if (WIFEXITED(st))
        snprintf(buf, size, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, size, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)));
    else
        snprintf(buf, size, "status %#x", st);
}

/* Run CALL (an expression of type long) with errno = SENTINEL into R. */
#define CALL(r, ...)                          \
    do {                                      \
        errno = SENTINEL;                     \
        (r)->ret = (long)(__VA_ARGS__);       \
        (r)->err = errno;                     \
    } while (0)

/* ---- the child's world ----------------------------------------------------------- */

enum { PASS_PLAIN, PASS_LIVE, PASS_CATCH, NPASS };
static const char *const pass_name[NPASS] = {"plain", "live", "catch"};
static int pass;                 /* which of them runs */
static int live;                 /* this pass makes registrations */
static const char *data_path;    /* a file to lease and to reopen */
static const char *cloexec_path; /* a file leased through a close-on-exec fd */
static int note_sig;             /* the notification signal */

struct world {
    int fd;         /* leased in "live"; plain otherwise */
    int alias;      /* dup of fd */
    int pipe_r, pipe_w;
    FILE *fp;       /* a stream on a dup of fd (tracked in "live") */
    int true_fd;    /* /bin/true, for fexecve */
    int cx, cx_alias; /* "live", cloexec cases: a lease on a close-on-exec fd, a plain dup; else -1 */
    char **env;     /* environ before the call */
    sigset_t usr2, note;
};

static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    (void)ctx;
}

static void world_setup(struct world *w, int cloexec_lease)
{
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(note_sig, &sa, NULL) == 0);
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
    sigemptyset(&w->usr2);
    sigaddset(&w->usr2, SIGUSR2);
    sigemptyset(&w->note);
    sigaddset(&w->note, note_sig);
    sigset_t both = w->usr2;
    sigaddset(&both, note_sig);
    CHECK(sigprocmask(SIG_BLOCK, &both, NULL) == 0);

    w->fd = lst_open(data_path, O_RDONLY);
    int p[2];
    CHECK(pipe(p) == 0);
    w->pipe_r = p[0];
    w->pipe_w = p[1];
    if (live) {
        lst_lease(w->fd, F_RDLCK);
        CHECK(fcntl(w->pipe_r, F_SETSIG, note_sig) == 0);
        CHECK(fcntl(w->pipe_r, F_SETOWN, getpid()) == 0);
        CHECK(fcntl(w->pipe_r, F_SETFL, O_ASYNC) == 0);
    }
    w->alias = dup(w->fd);
    CHECK(w->alias >= 0);
    w->fp = fdopen(dup(w->fd), "r");
    CHECK(w->fp != NULL);
    w->true_fd = open(TRUE_BIN, O_RDONLY | O_CLOEXEC);
    CHECK(w->true_fd >= 0);
    w->env = environ;
    w->cx = w->cx_alias = -1;
    if (live && cloexec_lease) {
        /* an exec re-homes this registration to the alias first (R1), and
         * moves it back if the exec fails */
        w->cx = lst_open(cloexec_path, O_RDONLY | O_CLOEXEC);
        lst_lease(w->cx, F_RDLCK);
        w->cx_alias = dup(w->cx);
        CHECK(w->cx_alias >= 0);
    }

    /* the pending signals */
    CHECK(raise(SIGUSR2) == 0);
    if (live)
        CHECK(write(w->pipe_w, "x", 1) == 1); /* a kernel notification */
    else
        CHECK(raise(note_sig) == 0);
    sigset_t pending;
    CHECK(sigpending(&pending) == 0);
    CHECK(sigismember(&pending, SIGUSR2) == 1);
    CHECK(sigismember(&pending, note_sig) == 1);
}

/* ---- the cases --------------------------------------------------------------------- */

typedef void case_fn(struct world *w, void *bad, struct result *r);

struct badcase {
    const char *name;
    int writes;   /* the argument is written: readonly is bad too */
    case_fn *fn;
    int cloexec;  /* the world has a lease on a close-on-exec fd (w->cx) */
};

static struct timespec zero_ts;

/* Wait for the process a call started; its status into R. */
static void reap(struct result *r, pid_t pid)
{
    int st;
    if (r->ret == 0 && pid > 0 && waitpid(pid, &st, 0) == pid)
        r->child = st;
}

#define CASE(fname, ...)                                              \
    static void fname(struct world *w, void *bad, struct result *r)   \
    {                                                                 \
        (void)w;                                                      \
        (void)bad;                                                    \
        __VA_ARGS__                                                   \
    }

/* sigaction and __sigaction: the new action (read) and the old one (written) */
CASE(c_sigaction_act_usr1, CALL(r, sigaction(SIGUSR1, bad, NULL));)
CASE(c_sigaction_old_usr1, CALL(r, sigaction(SIGUSR1, NULL, bad));)
CASE(c_sigaction_both_usr1, struct sigaction sa = {.sa_handler = SIG_IGN};
     CALL(r, sigaction(SIGUSR1, &sa, bad));)
CASE(c_sigaction_act_note, CALL(r, sigaction(note_sig, bad, NULL));)
CASE(c_sigaction_old_note, CALL(r, sigaction(note_sig, NULL, bad));)
CASE(c_sigaction_both_note, struct sigaction sa = {.sa_handler = SIG_DFL};
     CALL(r, sigaction(note_sig, &sa, bad));)
CASE(c_sigaction_act_sigio, CALL(r, sigaction(SIGIO, bad, NULL));)
CASE(c_sigaction_old_sigio, CALL(r, sigaction(SIGIO, NULL, bad));)
CASE(c_sigaction_act_kill, CALL(r, sigaction(SIGKILL, bad, NULL));)
CASE(c_sigaction_act_zero, CALL(r, sigaction(0, bad, NULL));)
CASE(c_sigaction_old_65, CALL(r, sigaction(65, NULL, bad));)
CASE(c___sigaction_act_note, CALL(r, __sigaction(note_sig, bad, NULL));)
CASE(c___sigaction_old_note, CALL(r, __sigaction(note_sig, NULL, bad));)

/* the waits: set, info and timeout */
CASE(c_sigtimedwait_set, siginfo_t si; CALL(r, sigtimedwait(bad, &si, &zero_ts));)
CASE(c_sigtimedwait_info_usr2, CALL(r, sigtimedwait(&w->usr2, bad, &zero_ts));)
CASE(c_sigtimedwait_info_note, CALL(r, sigtimedwait(&w->note, bad, &zero_ts));)
CASE(c_sigtimedwait_timeout_noinfo, CALL(r, sigtimedwait(&w->usr2, NULL, bad));)
CASE(c_sigtimedwait_timeout_usr2, siginfo_t si; CALL(r, sigtimedwait(&w->usr2, &si, bad));)
CASE(c_sigtimedwait_timeout_note, siginfo_t si; CALL(r, sigtimedwait(&w->note, &si, bad));)
CASE(c_sigwaitinfo_set, siginfo_t si; CALL(r, sigwaitinfo(bad, &si));)
CASE(c_sigwaitinfo_info_usr2, CALL(r, sigwaitinfo(&w->usr2, bad));)
CASE(c_sigwaitinfo_info_note, CALL(r, sigwaitinfo(&w->note, bad));)
CASE(c_sigwait_set, int sig; CALL(r, sigwait(bad, &sig));)
CASE(c_sigwait_sig_usr2, CALL(r, sigwait(&w->usr2, bad));)
CASE(c_sigwait_sig_note, CALL(r, sigwait(&w->note, bad));)

/* fcntl's struct f_owner_ex, through every entry point */
CASE(c_fcntl_setown_ex, CALL(r, fcntl(w->fd, F_SETOWN_EX, bad));)
CASE(c_fcntl64_setown_ex, CALL(r, fcntl64(w->fd, F_SETOWN_EX, bad));)
CASE(c___fcntl_setown_ex, CALL(r, __fcntl(w->fd, F_SETOWN_EX, bad));)
CASE(c_syscall_fcntl_setown_ex, CALL(r, syscall(SYS_fcntl, w->fd, F_SETOWN_EX, bad));)
CASE(c_fcntl_setown_ex_alias, CALL(r, fcntl(w->alias, F_SETOWN_EX, bad));)
CASE(c_fcntl_setown_ex_pipe, CALL(r, fcntl(w->pipe_r, F_SETOWN_EX, bad));)
CASE(c_fcntl_getown_ex, CALL(r, fcntl(w->fd, F_GETOWN_EX, bad));)

/* stdio: the stream, and freopen's path and mode */
CASE(c_fclose, CALL(r, fclose(bad));)
CASE(c_freopen_fp, CALL(r, freopen(data_path, "r", bad) != NULL);)
CASE(c_freopen64_fp, CALL(r, freopen64(data_path, "r", bad) != NULL);)
CASE(c_freopen_path, CALL(r, freopen(bad, "r", w->fp) != NULL);)
CASE(c_freopen_mode, CALL(r, freopen(data_path, bad, w->fp) != NULL);)

/* the exec family: path, argv, envp, and one bad element of each array */
static char *argv_true[] = {"true", NULL};
#define ARGV_BAD_ELEM char *av_[] = {"true", bad, NULL};
#define ENVP_BAD_ELEM char *ev_[] = {environ[0] ? environ[0] : "A=1", bad, NULL};
CASE(c_execve_path, CALL(r, execve(bad, argv_true, environ));)
CASE(c_execve_argv, CALL(r, execve(TRUE_BIN, bad, environ));)
CASE(c_execve_argv_elem, ARGV_BAD_ELEM CALL(r, execve(TRUE_BIN, av_, environ));)
CASE(c_execve_envp, CALL(r, execve(TRUE_BIN, argv_true, bad));)
CASE(c_execve_envp_elem, ENVP_BAD_ELEM CALL(r, execve(TRUE_BIN, argv_true, ev_));)
CASE(c_execv_argv, CALL(r, execv(TRUE_BIN, bad));)
CASE(c_execvp_file, CALL(r, execvp(bad, argv_true));)
CASE(c_execvp_argv, CALL(r, execvp("true", bad));)
CASE(c_execvpe_file, CALL(r, execvpe(bad, argv_true, environ));)
CASE(c_execvpe_envp, CALL(r, execvpe("true", argv_true, bad));)
CASE(c_execvpe_envp_elem, ENVP_BAD_ELEM CALL(r, execvpe("true", argv_true, ev_));)
CASE(c_execveat_envp, CALL(r, execveat(AT_FDCWD, TRUE_BIN, argv_true, bad, 0));)
CASE(c_execveat_path, CALL(r, execveat(AT_FDCWD, bad, argv_true, environ, 0));)
CASE(c_fexecve_envp, CALL(r, fexecve(w->true_fd, argv_true, bad));)
CASE(c_fexecve_argv, CALL(r, fexecve(w->true_fd, bad, environ));)
CASE(c_execl_arg, CALL(r, execl(TRUE_BIN, bad, (char *)NULL));)
CASE(c_execlp_arg, CALL(r, execlp("true", bad, (char *)NULL));)
CASE(c_execle_envp, CALL(r, execle(TRUE_BIN, "true", (char *)NULL, bad));)
CASE(c_execle_path, CALL(r, execle(bad, "true", (char *)NULL, environ));)

/* the spawn functions: pid (written), path, file actions, attributes, argv, envp */
CASE(c_posix_spawn_pid, CALL(r, posix_spawn(bad, TRUE_BIN, NULL, NULL, argv_true, environ));)
CASE(c_posix_spawn_path, pid_t pid = -1;
     CALL(r, posix_spawn(&pid, bad, NULL, NULL, argv_true, environ)); reap(r, pid);)
CASE(c_posix_spawn_actions, pid_t pid = -1;
     CALL(r, posix_spawn(&pid, TRUE_BIN, bad, NULL, argv_true, environ)); reap(r, pid);)
CASE(c_posix_spawn_attr, pid_t pid = -1;
     CALL(r, posix_spawn(&pid, TRUE_BIN, NULL, bad, argv_true, environ)); reap(r, pid);)
CASE(c_posix_spawn_argv, pid_t pid = -1;
     CALL(r, posix_spawn(&pid, TRUE_BIN, NULL, NULL, bad, environ)); reap(r, pid);)
CASE(c_posix_spawn_envp, pid_t pid = -1;
     CALL(r, posix_spawn(&pid, TRUE_BIN, NULL, NULL, argv_true, bad)); reap(r, pid);)
CASE(c_posix_spawn_envp_elem, pid_t pid = -1; ENVP_BAD_ELEM
     CALL(r, posix_spawn(&pid, TRUE_BIN, NULL, NULL, argv_true, ev_)); reap(r, pid);)
CASE(c_posix_spawnp_file, pid_t pid = -1;
     CALL(r, posix_spawnp(&pid, bad, NULL, NULL, argv_true, environ)); reap(r, pid);)
CASE(c_posix_spawnp_attr, pid_t pid = -1;
     CALL(r, posix_spawnp(&pid, "true", NULL, bad, argv_true, environ)); reap(r, pid);)
CASE(c_posix_spawnp_envp, pid_t pid = -1;
     CALL(r, posix_spawnp(&pid, "true", NULL, NULL, argv_true, bad)); reap(r, pid);)

/* popen and system: the command and the mode */
CASE(c_popen_command, FILE *f; CALL(r, (f = popen(bad, "r")) != NULL);
     if (f) r->child = pclose(f);)
CASE(c_popen_mode, FILE *f; CALL(r, (f = popen("true", bad)) != NULL);
     if (f) r->child = pclose(f);)
CASE(c_system_command, CALL(r, system(bad));)

/* valid pointers the shim reads and libc treats specially: streams without
 * a descriptor (fileno fails on them, with EBADF) */
static char membuf[64];
static ssize_t cookie_io(void *c, char *b, size_t n)
{
    (void)c;
    (void)b;
    return (ssize_t)n;
}
static FILE *cookie_stream(void)
{
    cookie_io_functions_t io = {.read = cookie_io};
    return fopencookie(NULL, "r", io);
}
CASE(c_fclose_fmemopen, FILE *f = fmemopen(membuf, sizeof membuf, "r"); CHECK(f);
     CALL(r, fclose(f));)
CASE(c_fclose_memstream, char *b; size_t n; FILE *f = open_memstream(&b, &n); CHECK(f);
     CALL(r, fclose(f));)
CASE(c_fclose_cookie, FILE *f = cookie_stream(); CHECK(f); CALL(r, fclose(f));)
CASE(c_freopen_cookie, FILE *f = cookie_stream(); CHECK(f);
     CALL(r, freopen(data_path, "r", f) != NULL);)

#define C(name, writes) {#name, writes, c_##name, 0}
/* the same with a lease on a close-on-exec descriptor */
#define CX(name) {#name "_cloexec", 0, c_##name, 1}
static const struct badcase cases[] = {
    C(sigaction_act_usr1, 0), C(sigaction_old_usr1, 1), C(sigaction_both_usr1, 1),
    C(sigaction_act_note, 0), C(sigaction_old_note, 1), C(sigaction_both_note, 1),
    C(sigaction_act_sigio, 0), C(sigaction_old_sigio, 1), C(sigaction_act_kill, 0),
    C(sigaction_act_zero, 0), C(sigaction_old_65, 1),
    C(__sigaction_act_note, 0), C(__sigaction_old_note, 1),
    C(sigtimedwait_set, 0), C(sigtimedwait_info_usr2, 1), C(sigtimedwait_info_note, 1),
    C(sigtimedwait_timeout_noinfo, 0), C(sigtimedwait_timeout_usr2, 0),
    C(sigtimedwait_timeout_note, 0),
    C(sigwaitinfo_set, 0), C(sigwaitinfo_info_usr2, 1), C(sigwaitinfo_info_note, 1),
    C(sigwait_set, 0), C(sigwait_sig_usr2, 1), C(sigwait_sig_note, 1),
    C(fcntl_setown_ex, 0), C(fcntl64_setown_ex, 0), C(__fcntl_setown_ex, 0),
    C(syscall_fcntl_setown_ex, 0), C(fcntl_setown_ex_alias, 0), C(fcntl_setown_ex_pipe, 0),
    C(fcntl_getown_ex, 1),
    C(fclose, 0), C(freopen_fp, 0), C(freopen64_fp, 0), C(freopen_path, 0), C(freopen_mode, 0),
    C(execve_path, 0), C(execve_argv, 0), C(execve_argv_elem, 0), C(execve_envp, 0),
    C(execve_envp_elem, 0), C(execv_argv, 0), C(execvp_file, 0), C(execvp_argv, 0),
    C(execvpe_file, 0), CX(execvp_file), CX(execvpe_file), CX(execve_envp), CX(execve_path),
    C(execvpe_envp, 0), C(execvpe_envp_elem, 0), C(execveat_envp, 0), C(execveat_path, 0),
    C(fexecve_envp, 0), C(fexecve_argv, 0), C(execl_arg, 0), C(execlp_arg, 0),
    C(execle_envp, 0), C(execle_path, 0),
    C(posix_spawn_pid, 1), C(posix_spawn_path, 0), C(posix_spawn_actions, 0),
    C(posix_spawn_attr, 0), C(posix_spawn_argv, 0), C(posix_spawn_envp, 0),
    C(posix_spawn_envp_elem, 0), C(posix_spawnp_file, 0), C(posix_spawnp_attr, 0),
    C(posix_spawnp_envp, 0),
    C(popen_command, 0), C(popen_mode, 0), C(system_command, 0),
};
static const struct badcase good_cases[] = {
    C(fclose_fmemopen, 0), C(fclose_memstream, 0), C(fclose_cookie, 0), C(freopen_cookie, 0),
};

/* ---- running a case -------------------------------------------------------------------- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
    fault_sig = sig;
    siglongjmp(fault_jmp, 1);
}

/* After a fault was caught: a few calls that go through the shim's lock
 * (a tracked dup and close, a query of the watched signal, F_GETLEASE),
 * and environ as it was (popen and system swap it for the call).
 * A bit per call that did what it should; a lock left held hangs (SIGALRM). */
static int after_fault(struct world *w)
{
    struct sigaction sa;
    int d = dup(w->fd), bits = 0;
    bits |= (d >= 0 && close(d) == 0) << 0;
    bits |= (sigaction(note_sig, NULL, &sa) == 0 && sa.sa_sigaction == handler) << 1;
    bits |= (fcntl(w->fd, F_GETLEASE) == (live ? F_RDLCK : F_UNLCK)) << 2;
    bits |= (environ == w->env && !getenv("LEASE_SHIM_HANDOVER")) << 3;
    return bits;
}

/* After the call, cloexec cases: break the lease on cloexec_path and say
 * which descriptor the notification names (the pipe's pending one is
 * skipped).  Without the shim: the close-on-exec fd, the lease's own; with
 * it, the same, unless an exec's preparation was left half done. */
static int break_names(struct world *w)
{
    CHECK_EQ(lst_break(cloexec_path, 0), EWOULDBLOCK);
    struct timespec two = {2, 0};
    siginfo_t si;
    while (sigtimedwait(&w->note, &si, &two) == note_sig)
        if (si.si_fd != w->pipe_r)
            return si.si_fd == w->cx ? BRK_CLOEXEC_FD : si.si_fd == w->cx_alias ? BRK_ALIAS : BRK_OTHER;
    return BRK_NONE;
}

/* Run C with bad pointer BAD in this child; R its report. */
static void child_call(const struct badcase *c, void *bad, struct result *r)
{
    struct world w;
    world_setup(&w, c->cloexec);
    if (pass == PASS_CATCH) {
        struct sigaction sa = {.sa_handler = on_fault};
        sigemptyset(&sa.sa_mask);
        CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
        CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
        if (sigsetjmp(fault_jmp, 1)) {
            r->caught = fault_sig;
            r->after = after_fault(&w);
            if (w.cx >= 0)
                r->brk = break_names(&w);
            return;
        }
    }
    c->fn(&w, bad, r);
    if (pass == PASS_CATCH)
        r->after = after_fault(&w);
    if (w.cx >= 0)
        r->brk = break_names(&w);
}

static void run_case(const struct badcase *c, int kind)
{
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        live = pass != PASS_PLAIN;
        close(p[0]);
        alarm(10); /* a call that waits for ever shows up as SIGALRM */
        struct result r = {0, 0, -1, 0, 0, BRK_NONE};
        child_call(c, bad_ptr[kind], &r);
        CHECK(write(p[1], &r, sizeof r) == (ssize_t)sizeof r);
        _exit(0); /* no atexit: the test directory is the parent's */
    }
    close(p[1]);
    struct result r;
    ssize_t n = read(p[0], &r, sizeof r);
    close(p[0]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    char text[240], sub[64] = "";
    if (n == (ssize_t)sizeof r) {
        if (r.child != -1) {
            char s[40];
            status_text(s, sizeof s, r.child);
            snprintf(sub, sizeof sub, "  (started: %s)", s);
        }
        if (r.caught)
            snprintf(text, sizeof text, "caught SIG%s", sigabbrev_np(r.caught));
        else if (r.err == SENTINEL)
            snprintf(text, sizeof text, "= %ld  errno unchanged%s", r.ret, sub);
        else
            snprintf(text, sizeof text, "= %ld  errno %s%s", r.ret, errno_name(r.err), sub);
        if (pass == PASS_CATCH) {
            size_t l = strlen(text);
            snprintf(text + l, sizeof text - l, "; then dup+close %s, sigaction %s, F_GETLEASE %s, environ %s",
                     r.after & 1 ? "ok" : "failed", r.after & 2 ? "ok" : "changed",
                     r.after & 4 ? "ok" : "changed", r.after & 8 ? "ok" : "changed");
        }
        if (c->cloexec && pass != PASS_PLAIN) {
            size_t l = strlen(text);
            snprintf(text + l, sizeof text - l, "; break names %s", brk_name[r.brk]);
        }
    } else {
        char s[40];
        status_text(s, sizeof s, st);
        snprintf(text, sizeof text, "no report, %s", s);
    }
    printf("%-5s %-30s %-10s %s\n", pass_name[pass], c->name, bad_name[kind], text);
}

int main(void)
{
    lst_stdio_guard();
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct rlimit no_core = {0, 0};
    CHECK(setrlimit(RLIMIT_CORE, &no_core) == 0); /* deaths are expected */
    note_sig = lst_sig();
    data_path = lst_path("data");
    close(lst_open(data_path, O_RDONLY));
    cloexec_path = lst_path("cloexec");
    close(lst_open(cloexec_path, O_RDONLY));
    make_bad_pointers();
    for (pass = 0; pass < NPASS; pass++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            for (int kind = 0; kind < NBAD; kind++)
                if (kind != BAD_READONLY || cases[i].writes)
                    run_case(&cases[i], kind);
        for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++)
            run_case(&good_cases[i], NBAD);
    }
    printf("END\n");
    return 0;
}
