/* closeall_common.h - what the t_closeall_* programs share (issue #7 item 5,
 * SPEC §6: the shim's own descriptors survive the application closing
 * everything, and never shift or touch the application's).
 *
 * Each program is run as  PROG METHOD VARIANT:
 *   METHOD   closefrom  closefrom(0), stdio included;
 *            loop       close(n) for every n below the RLIMIT_NOFILE soft limit;
 *            dup2       dup2(/dev/null, n) over every n below the limit, then
 *                       close(n) for n >= 3 (stdio stays on /dev/null);
 *   VARIANT  plain      the shim's defaults (it logs nothing, holds nothing);
 *            own        the settings that make the shim use descriptors of its
 *                       own: LEASE_SHIM_LOG=info, LEASE_SHIM_LOG_DEST=file:PATH,
 *                       LEASE_SHIM_STATS=PATH, LEASE_SHIM_BACKTRACE=1.
 * The process started by ctest is only a runner: it execs itself as the
 * scenario process (the one that closes everything, a fresh image with the
 * shim loaded as in any daemon), with exactly fds 0-2 open and, for "own",
 * the settings above pointing into its temporary directory; it then checks
 * the exit status and, in the program's AFTER hook, what is left on disk
 * once the scenario process has exited (the statistics are written at exit).
 * After closing everything the scenario reopens 0 and 1 on /dev/null and 2
 * on the runner's stderr, so CHECK messages still reach ctest.
 *
 * The scenario keeps a model of the descriptors it has open (number, file,
 * FD_CLOEXEC and status flags, offset).  ca_check() compares it with
 * /proc/self/fd: a descriptor the program did not open (the shim's) or one
 * changed or closed behind its back fails the test, with what it names.
 * The soft limit is lowered to CA_LIMIT first, so the loops stay short.
 */
#ifndef CLOSEALL_COMMON_H
#define CLOSEALL_COMMON_H

#include "lstest.h"

#define CA_LIMIT 256

enum ca_method { CA_CLOSEFROM, CA_LOOP, CA_DUP2 };

/* Run the program: as the runner (argv: METHOD VARIANT) or as the scenario
 * process (argv: --scenario METHOD VARIANT DIR).  SCENARIO returns the
 * scenario's exit status; AFTER (may be NULL) runs in the runner after the
 * scenario process exited with 0, with its pid and the directory.  Returns
 * main()'s status. */
int ca_main(int argc, char **argv, int (*scenario)(enum ca_method, const char *dir),
            void (*after)(pid_t pid, const char *dir));

/* Was VARIANT "own" asked for (in the runner and in the scenario)? */
int ca_own(void);

/* "DIR/NAME" (static storage, 8 rotating buffers). */
const char *ca_file(const char *dir, const char *name);

/* The model: start tracking FD as the program's (recording what it names,
 * its flags and offset now), stop tracking it, and the lowest number the
 * model says is free. */
void ca_track(int fd);
void ca_forget(int fd);
int ca_lowest(void);

/* open / pipe2 / dup / socketpair that CHECK the kernel handed out exactly
 * the lowest free numbers of the model (nothing of the shim's is in the
 * way), and track the results. */
int ca_open(const char *path, int flags);
void ca_pipe(int p[2], int flags);
int ca_dup(int fd);
void ca_socketpair(int s[2]);
/* An O_ASYNC registration on FD (lst_sig(), owner this process), tracked
 * again with the new status flags. */
void ca_async_on(int fd);
/* The registrations closing everything must take away: a read lease on
 * PATH (lst_sig()) at *LEASE and an O_ASYNC pipe read end at P[0] (write
 * end P[1]), each dup()ed, all tracked and checked against the model. */
void ca_register_two(const char *path, int *lease, int p[2]);
/* close() a tracked descriptor and forget it. */
void ca_close(int fd);

/* /proc/self/fd must list exactly the model's descriptors, each still
 * naming the same file with the same FD_CLOEXEC, status flags and offset. */
void ca_check(const char *where);

/* Close everything by METHOD, then reopen stdio (0, 1 on /dev/null, 2 on
 * the runner's stderr); the model is then exactly {0, 1, 2}. */
void ca_close_everything(enum ca_method m);

/* Whole content of PATH into BUF (SIZE bytes, terminated); its length. */
size_t ca_slurp(const char *path, char *buf, size_t size);

#endif
