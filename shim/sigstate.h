/* sigstate.h - the application's view of every signal's disposition, and
 * which signals the kernel delivers to the shim's trampoline instead.
 *
 * The kernel holds the trampoline for a signal from just before the first
 * call that can start its notifications (a registration made with it, or
 * F_SETSIG giving it to one) and while the application's disposition is a
 * handler, and for SIGIO while the
 * application leaves SIGIO at SIG_DFL and some registration uses a
 * real-time signal (queue-overflow recovery, SPEC §4).  Otherwise the kernel
 * holds exactly what the application asked for.
 */
#ifndef LS_SIGSTATE_H
#define LS_SIGSTATE_H

#include <signal.h>
#include <stdint.h>

/* The application's disposition of SIG as the kernel would report it, for
 * the trampoline: 1 if the kernel holds the trampoline for SIG (and *APP is
 * filled), 0 if the kernel holds the application's own disposition.
 * Async-signal-safe, lock-free, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_sig_app_view(int sig, struct sigaction *app);

/* Is SIG used by some registration (ever, since start)?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_sig_watched(int sig);

/* A registration uses SIG, or is about to: install the trampoline if the application's
 * disposition calls for it.  Lock held; async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_sig_watch(int sig);

/* ls_sig_watch for every signal in SIGS (bit sig-1, as ls_reg_take_signals
 * gives them), lowest first.  Lock held; async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_sig_watch_all(uint64_t sigs);

/* SIG carries notifications of registrations adopted across exec: hold the
 * trampoline even at SIG_DFL, so that a break is answered (released)
 * instead of killing an image that has no handler.  Lock held. */
/* [async-signal-safe] [lock: held] [errno: kept] */
void ls_sig_guard(int sig);

/* Is SIG guarded?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_sig_guarded(int sig);

/* Is any signal guarded?  Async-signal-safe, one read, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_sig_any_guarded(void);

/* The sigaction() the application sees: record ACT as the application's,
 * give the kernel the trampoline or ACT itself, answer OLD with the
 * application's view.  Result and errno exactly glibc's.  Takes the lock;
 * async-signal-safe. */
/* [async-signal-safe] [lock: takes] [errno: set] */
int ls_sig_action(int sig, const struct sigaction *act, struct sigaction *old);

/* SA_RESETHAND emulation: the application's one shot for SIG is spent;
 * SIG's disposition becomes SIG_DFL (flags and mask kept, as the kernel
 * does).  Takes the lock; async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_sig_spend_one_shot(int sig, void (*expected)(int));

/* Default action requested for SIG from the trampoline: the kernel gets
 * SIG_DFL back so that a re-raised SIG acts as it would without the shim.
 * Takes the lock; async-signal-safe; errno kept. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_sig_reset_default(int sig);

#endif
