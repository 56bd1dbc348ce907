/* exec.h - processes: exec hand-over, spawn (SPEC §5). */
#ifndef LS_EXEC_H
#define LS_EXEC_H

/* Constructor: adopt registrations handed over by the image before exec,
 * remove the variable from environ, restore the signal mask it carried.
 * Not async-signal-safe. */
/* [not async-signal-safe] [lock: takes] [errno: kept] */
void ls_exec_adopt(void);

#endif
