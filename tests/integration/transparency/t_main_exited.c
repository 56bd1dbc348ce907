/* t_main_exited - a process whose main thread has exited (pthread_exit from
 * main; the other threads run on) must be handled from any surviving
 * thread (issue #12 item 3): what the shim asks the kernel (kcmp,
 * /proc/.../fd) names the process by its main thread, which is gone.  The
 * surviving thread closes a leased descriptor that has a dup() alias: the
 * lease must be re-homed, not released, and the break must name the alias
 * (without the shim it names the closed number, reused for another file).
 * The alias is made before the lease, so only the kernel can tell the shim
 * about it.  The exit status comes from the surviving thread. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static const char *data, *other;
static int a, d;

static void *survivor(void *arg)
{
    (void)arg;
    /* wait until the main thread is gone */
    for (int i = 0; i < 2000; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", getpid());
        if (access(path, F_OK) != 0)
            break;
        FILE *f = fopen(path, "r");
        char buf[256] = "";
        if (f) {
            if (!fgets(buf, sizeof buf, f))
                buf[0] = '\0';
            fclose(f);
        }
        char *p = strrchr(buf, ')');
        if (p && (p[2] == 'Z' || p[2] == 'X'))
            break;
        usleep(1000);
    }
    CHECK_EQ(close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a); /* the number is reused */
    CHECK(lst_leases_on(data) >= 1);
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    exit(0);
}

int main(void)
{
    lst_stdio_guard();
    data = lst_path("data");
    other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());
    a = lst_open(data, O_RDONLY);
    d = dup(a); /* before the lease: found by the shim's scan */
    CHECK(d >= 0);
    lst_lease(a, F_RDLCK);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, survivor, NULL) == 0);
    pthread_exit(NULL);
}
