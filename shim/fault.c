/* fault.c - test-only fault injection (see fault.h). */
#include "fault.h"

#ifdef LS_FAULT_INJECTION
#include "fmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int err;
} faults[LS_FAULT_COUNT] = {
    [LS_FAULT_SETLEASE] = {"setlease", EAGAIN},   [LS_FAULT_SETOWN_EX] = {"setown_ex", EPERM},
    [LS_FAULT_EMFILE] = {"emfile", EMFILE},       [LS_FAULT_MMAP] = {"mmap", ENOMEM},
    [LS_FAULT_SIGACTION] = {"sigaction", EINVAL}, [LS_FAULT_PROC] = {"proc", ENOENT},
};

static int armed[LS_FAULT_COUNT];        /* 1: this kind fails */
static long skip_left[LS_FAULT_COUNT];   /* requests still let through first */

int ls_fault(enum ls_fault f)
{
    if (!__atomic_load_n(&armed[f], __ATOMIC_RELAXED))
        return 0;
    if (__atomic_load_n(&skip_left[f], __ATOMIC_RELAXED) > 0 &&
        __atomic_sub_fetch(&skip_left[f], 1, __ATOMIC_RELAXED) >= 0)
        return 0;
    errno = faults[f].err;
    return 1;
}

void ls_fault_load(void (*report)(const char *msg))
{
    int saved = errno; /* strtol's */
    const char *spec = secure_getenv("LEASE_SHIM_FAULTS");
    while (spec && *spec) {
        size_t len = strcspn(spec, ",");
        size_t name_len = strcspn(spec, ",:");
        int found = 0;
        for (int f = 0; f < LS_FAULT_COUNT; f++) {
            if (strlen(faults[f].name) == name_len && !strncmp(spec, faults[f].name, name_len)) {
                skip_left[f] = name_len < len ? strtol(spec + name_len + 1, NULL, 10) : 0;
                __atomic_store_n(&armed[f], 1, __ATOMIC_RELAXED);
                found = 1;
            }
        }
        if (!found && report) {
            char name[32], msg[80];
            size_t n = name_len < sizeof name - 1 ? name_len : sizeof name - 1;
            memcpy(name, spec, n);
            name[n] = '\0';
            ls_fmt(msg, sizeof msg, "LEASE_SHIM_FAULTS: no fault named '%s'", name);
            report(msg);
        }
        spec += len + (spec[len] == ',');
    }
    errno = saved;
}
#endif
