#!/usr/bin/env bash
# spawn_errno_test.sh PROG LIB - t_spawn_errno without the shim, then under
# LIB (liblease_shim_fault.so) with LEASE_SHIM_FAULTS=mmap:K for K = 0..MAX:
# each run's output must be the output without the shim (errno untouched by
# the shim's failed mapping), and at least one run must have reached the
# spawn's mapping (its warning "out of memory before spawning").
set -u
prog=$1 lib=$2 max=${3:-24}
dir=$(mktemp -d "${TMPDIR:-/tmp}/spawn_errno.XXXXXX")
trap 'rm -rf "$dir"' EXIT
preload="${LEASE_SHIM_TEST_PRELOAD:+$LEASE_SHIM_TEST_PRELOAD:}$lib"

env -u LD_PRELOAD -u LEASE_SHIM_FAULTS "$prog" >"$dir/plain.out" 2>"$dir/plain.err" ||
    { echo "FAIL: the run without the shim failed"; cat "$dir/plain.err"; exit 1; }
echo "== without the shim:"
cat "$dir/plain.out"
fail=0 reached=0
for k in $(seq 0 "$max"); do
    env -u LEASE_SHIM_FAULTS LD_PRELOAD="$preload" LEASE_SHIM_FAULTS="mmap:$k" \
        "$prog" >"$dir/k.out" 2>"$dir/k.err"
    rc=$?
    if [ $rc -ne 0 ] || ! cmp -s "$dir/plain.out" "$dir/k.out"; then
        echo "FAIL: with mmap:$k (exit $rc) the application saw something else:"
        diff -u --label without --label "mmap:$k" "$dir/plain.out" "$dir/k.out"
        sed -n '1,20p' "$dir/k.err"
        fail=1
    fi
    if grep -q 'out of memory before spawning' "$dir/k.err"; then
        reached=$((reached + 1))
    fi
done
if [ $reached -eq 0 ]; then
    echo "FAIL: no run reached the spawn's mapping: the test does not test it"
    fail=1
fi
[ $fail -eq 0 ] && echo "spawn_errno_test: $((max + 1)) fault positions, $reached of them in a spawn's mapping: errno unchanged"
exit $fail
