#!/bin/sh
# macro.sh DIR [SCALE] - the "macro" benchmark case: a few hundred short
# commands, as a build or a CI job runs them.  bench_calls runs it once per
# batch, with and without the shim in LD_PRELOAD (then every process below
# loads it).  SCALE 0 is the quick smoke version (no make, short loops).
# Leaves DIR empty.
set -e
dir=$1
scale=${2:-1}
cd "$dir"
if [ "$scale" -gt 0 ]; then n=40; else n=3; fi

# a few small text files
i=0
while [ $i -lt 8 ]; do
    seq 1 400 | sed "s/^/line $i: /" > "t$i.txt"
    i=$((i + 1))
done

i=0
while [ $i -lt $n ]; do
    /bin/true
    cat t0.txt t1.txt > /dev/null
    grep -c "line 3: 1" t*.txt > /dev/null
    grep -l "99" t*.txt | wc -l > /dev/null
    sh -c 'echo x | tr x y' > /dev/null
    sort -r t2.txt | head -n 3 > /dev/null
    i=$((i + 1))
done

if [ "$scale" -gt 0 ] && command -v make > /dev/null && command -v cc > /dev/null; then
    # a small make -j2 of four C files and a link
    for m in a b c d; do
        printf 'int f_%s(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %d; return s; }\n' \
            "$m" "${#m}" > "$m.c"
    done
    printf 'int f_a(int), f_b(int), f_c(int), f_d(int);\nint main(void) { return (f_a(3) + f_b(4) + f_c(5) + f_d(6)) == -1; }\n' > main.c
    printf 'OBJS = a.o b.o c.o d.o main.o\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c\n\t$(CC) -O1 -c -o $@ $<\n' > Makefile
    make -s -j2 CC=cc > /dev/null
    ./prog
fi

# leave DIR empty for bench_calls' cleanup
find . -mindepth 1 -delete
