/* t_spawn_attr - posix_spawn's signal attributes are the child's, exactly
 * (issue #12 item 4, SPEC §5 spawn).
 *
 *   t_spawn_attr ATTRS IMAGE [spawnp]
 *     ATTRS  none | mask | def | both: POSIX_SPAWN_SETSIGMASK (mask
 *            {SIGHUP, SIGRTMIN+5}), POSIX_SPAWN_SETSIGDEF (SIGUSR2, the
 *            notification signal and SIGIO back to SIG_DFL), both, neither
 *     IMAGE  shim: the child's environment keeps LD_PRELOAD (its image
 *            loads the shim); bare: LD_PRELOAD removed (it does not)
 *
 * The parent holds a read lease and an O_ASYNC pipe, both notifying with
 * SIGRTMIN+1 through a handler; its SIGUSR1 has a handler, SIGUSR2 is
 * ignored, SIGIO is left at SIG_DFL (the shim's SIGIO catcher holds it), and
 * it blocks SIGUSR1 and SIGTERM.  It spawns itself as "report", which
 * writes /proc/self/status's SigBlk, SigIgn and SigCgt and its dispositions
 * to a pipe, and checks them against what the attributes ask:
 *   mask   SETSIGMASK's mask, nothing more or less (without the fix, the
 *          shim's hand-over put the caller's mask back in a shim image);
 *   dispositions  SETSIGDEF's signals at SIG_DFL, SIGUSR2 ignored where
 *          not listed, every handler SIG_DFL, none of these caught.
 * And where the attributes leave the mask alone, the hand-over still
 * works: under the shim a bare image starts with the notification signal
 * blocked on top of the caller's mask (nobody restores it: README "spawn"),
 * and a shim image has the caller's mask back and no LEASE_SHIM_HANDOVER
 * left.  Without the shim (the .noshim twin, which must pass too) the
 * child's mask is the caller's.  The parent's own mask, lease and
 * notifications are unchanged afterwards. */
#include "lstest.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HANDOVER_VAR "LEASE_SHIM_HANDOVER"

static unsigned long long bit(int sig)
{
    return 1ull << (sig - 1);
}

/* ---- the child ----------------------------------------------------------- */

static unsigned long long status_mask(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f != NULL);
    char line[256];
    unsigned long long v = 0;
    int found = 0;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            CHECK(sscanf(line + n + 1, "%llx", &v) == 1);
            found = 1;
        }
    fclose(f);
    CHECK(found);
    return v;
}

/* The signals whose dispositions are reported and checked. */
static int watched_sigs[8];
static int nwatched;

static void init_sigs(void)
{
    int s[] = {SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGIO, SIGRTMIN + 1, SIGRTMIN + 5};
    nwatched = (int)(sizeof s / sizeof s[0]);
    memcpy(watched_sigs, s, sizeof s);
}

static int report(int out)
{
    FILE *f = fdopen(out, "w");
    CHECK(f != NULL);
    fprintf(f, "%llx %llx %llx %d", status_mask("SigBlk"), status_mask("SigIgn"),
            status_mask("SigCgt"), getenv(HANDOVER_VAR) != NULL);
    for (int i = 0; i < nwatched; i++) {
        struct sigaction sa;
        CHECK(sigaction(watched_sigs[i], NULL, &sa) == 0);
        fprintf(f, " %c", sa.sa_handler == SIG_DFL ? 'D' : sa.sa_handler == SIG_IGN ? 'I' : 'H');
    }
    fprintf(f, "\n");
    CHECK(fclose(f) == 0);
    return 0;
}

/* ---- the parent ------------------------------------------------------------ */

static void on_usr1(int sig)
{
    (void)sig;
}

/* Spawn this program as "report" with ATTR, its environment with or
 * without LD_PRELOAD; read and check what it reports. */
static void spawn_and_check(const posix_spawnattr_t *attr, int use_spawnp, int keep_preload,
                            unsigned long long want_blk, const char *want_disp,
                            unsigned long long want_ign_bits, unsigned long long ign_mask)
{
    int p[2];
    CHECK(pipe(p) == 0);
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", p[1]);
    char *argv[] = {"t_spawn_attr", "report", fdarg, NULL};
    char *env[512];
    int n = 0;
    for (char **e = environ; *e && n < 511; e++)
        if (keep_preload || strncmp(*e, "LD_PRELOAD=", 11) != 0)
            env[n++] = *e;
    env[n] = NULL;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
    CHECK_EQ(posix_spawn_file_actions_addclose(&fa, p[0]), 0);
    const char *self = lst_self_exe();
    if (use_spawnp)
        CHECK_EQ(posix_spawnp(&pid, self, &fa, attr, argv, env), 0);
    else
        CHECK_EQ(posix_spawn(&pid, self, &fa, attr, argv, env), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    char buf[256] = "";
    ssize_t got = 0, r;
    while ((r = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
        got += r;
    close(p[0]);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "the child's status: %#x\n", st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    unsigned long long blk, ign, cgt;
    int var;
    char disp[16] = "";
    int pos = 0;
    CHECK(sscanf(buf, "%llx %llx %llx %d%n", &blk, &ign, &cgt, &var, &pos) == 4);
    int nd = 0;
    for (const char *c = buf + pos; *c && *c != '\n' && nd < 15; c++)
        if (*c != ' ')
            disp[nd++] = *c;
    CHECK_EQ(nd, nwatched);
    fprintf(stderr, "child: SigBlk %016llx (want %016llx) SigIgn %016llx SigCgt %016llx "
                    "variable %d dispositions %s (want %s)\n",
            blk, want_blk, ign, cgt, var, disp, want_disp);
    CHECK_EQ(blk, want_blk);
    CHECK_EQ(ign & ign_mask, want_ign_bits);
    /* nothing of ours caught (a sanitizer's runtime catches its own signals) */
    CHECK_EQ(cgt & (ign_mask | bit(SIGHUP) | bit(SIGTERM) | bit(SIGRTMIN + 5)), 0);
    CHECK_EQ(var, 0);
    CHECK(strcmp(disp, want_disp) == 0);
}

int main(int argc, char **argv)
{
    init_sigs();
    if (argc == 3 && strcmp(argv[1], "report") == 0)
        return report(atoi(argv[2]));
    CHECK(argc == 3 || (argc == 4 && strcmp(argv[3], "spawnp") == 0));
    const char *attrs = argv[1];
    int set_mask = !strcmp(attrs, "mask") || !strcmp(attrs, "both");
    int set_def = !strcmp(attrs, "def") || !strcmp(attrs, "both");
    CHECK(set_mask || set_def || !strcmp(attrs, "none"));
    CHECK(!strcmp(argv[2], "shim") || !strcmp(argv[2], "bare"));
    int shim_image = !strcmp(argv[2], "shim");
    int note = lst_sig();

    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);
    int pp[2];
    CHECK(pipe(pp) == 0);
    CHECK(fcntl(pp[0], F_SETSIG, note) == 0);
    CHECK(fcntl(pp[0], F_SETOWN, getpid()) == 0);
    CHECK(fcntl(pp[0], F_SETFL, O_ASYNC) == 0);
    struct sigaction sa = {.sa_handler = on_usr1};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    sigset_t caller;
    sigemptyset(&caller);
    sigaddset(&caller, SIGUSR1);
    sigaddset(&caller, SIGTERM);
    CHECK(sigprocmask(SIG_SETMASK, &caller, NULL) == 0);
    unsigned long long caller_bits = bit(SIGUSR1) | bit(SIGTERM);
    /* the oracle for "the shim is here": the kernel holds another handler
     * (its trampoline) for the notification signal than for an unwatched
     * signal with the same recorder */
    lst_record(SIGRTMIN + 6);
    int under_shim = lst_kernel_handler(note) != lst_kernel_handler(SIGRTMIN + 6);

    posix_spawnattr_t attr;
    CHECK_EQ(posix_spawnattr_init(&attr), 0);
    short flags = 0;
    if (set_mask) {
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGHUP);
        sigaddset(&m, SIGRTMIN + 5);
        CHECK_EQ(posix_spawnattr_setsigmask(&attr, &m), 0);
        flags |= POSIX_SPAWN_SETSIGMASK;
    }
    if (set_def) {
        sigset_t def;
        sigemptyset(&def);
        sigaddset(&def, SIGUSR2);
        sigaddset(&def, note);
        sigaddset(&def, SIGIO);
        CHECK_EQ(posix_spawnattr_setsigdefault(&attr, &def), 0);
        flags |= POSIX_SPAWN_SETSIGDEF;
    }
    CHECK_EQ(posix_spawnattr_setflags(&attr, flags), 0);

    unsigned long long want_blk;
    if (set_mask)
        want_blk = bit(SIGHUP) | bit(SIGRTMIN + 5);
    else if (under_shim && !shim_image)
        want_blk = caller_bits | bit(note); /* the hand-over's block, nobody to lift it */
    else
        want_blk = caller_bits;
    /* HUP USR1 USR2 TERM IO RTMIN+1 RTMIN+5: every handler is SIG_DFL after
     * exec; SIGUSR2 stays ignored unless SETSIGDEF resets it */
    const char *want_disp = set_def ? "DDDDDDD" : "DDIDDDD";
    unsigned long long ign_mask = bit(SIGUSR2) | bit(SIGUSR1) | bit(note) | bit(SIGIO);
    unsigned long long want_ign = set_def ? 0 : bit(SIGUSR2);

    spawn_and_check(&attr, argc == 4, shim_image, want_blk, want_disp, want_ign, ign_mask);
    posix_spawnattr_destroy(&attr);

    /* the parent as it was: mask, lease, notifications through the table */
    sigset_t now;
    CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0);
    for (int sig = 1; sig < 65; sig++)
        CHECK_EQ(sigismember(&now, sig), sigismember(&caller, sig));
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_count(), 0);
    CHECK_EQ(close(a), 0);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    /* without the shim the break names the closed number; with it, the alias */
    CHECK_EQ(lst_fd_at(0), under_shim ? d : a);
    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
