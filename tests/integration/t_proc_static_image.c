/* t_proc_static_image - statically linked: no dynamic loader, so LD_PRELOAD
 * and the shim never load into it (SPEC §8).  Not a test by itself.
 *
 *   t_proc_static_image READY SECS
 * writes 'R' on the inherited descriptor READY, then sleeps SECS seconds
 * (through interruptions) and exits 0.  It installs no handler and changes
 * no signal mask: whatever it inherited stays. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int rd = atoi(argv[1]);
    if (write(rd, "R", 1) != 1)
        return 3;
    close(rd);
    struct timespec t = {atoi(argv[2]), 0};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
    return 0;
}
