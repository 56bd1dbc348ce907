/* bench_true.c - the smallest dynamically linked program: exits 0 at once.
 * bench_calls execs and spawns it to time process start (with the shim in
 * LD_PRELOAD, the dynamic loader maps and initialises the shim first). */
int main(void)
{
    return 0;
}
