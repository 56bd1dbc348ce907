#!/usr/bin/env bash
# fault_test.sh PROG SCENARIO FAULT LIB - run t_fault SCENARIO three times:
#   plain:    without the shim
#   shim:     preloading LIB (liblease_shim_fault.so), no fault
#   faulted:  preloading LIB with LEASE_SHIM_FAULTS=FAULT
# and require: every run exits 0; faulted prints exactly what plain prints
# (the application sees what it would see without the shim); shim prints
# something else (the scenario reaches what the fault breaks); faulted
# warns on stderr (and plain, having no shim, does not).
# Stale notifications are delivered as the kernel sends them
# (LEASE_SHIM_STALE=deliver), so that pass-through is comparable.
# LEASE_SHIM_TEST_PRELOAD is prepended to LD_PRELOAD when set (a
# sanitizer's runtime, which must be loaded first).
set -u
prog=$1 scenario=$2 fault=$3 lib=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/fault_test.XXXXXX")
trap 'rm -rf "$dir"' EXIT
preload="${LEASE_SHIM_TEST_PRELOAD:+$LEASE_SHIM_TEST_PRELOAD:}$lib"

run() { # NAME ENV...
    local name=$1
    shift
    env -u LD_PRELOAD -u LEASE_SHIM_FAULTS "$@" "$prog" "$scenario" >"$dir/$name.out" 2>"$dir/$name.err"
    local rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: the $name run exited $rc"; cat "$dir/$name.out" "$dir/$name.err"; exit 1; }
}
run plain
run shim LD_PRELOAD="$preload" LEASE_SHIM_STALE=deliver
run faulted LD_PRELOAD="$preload" LEASE_SHIM_STALE=deliver LEASE_SHIM_FAULTS="$fault"

echo "== $scenario without the shim (and, expected, with the shim and fault $fault):"
cat "$dir/plain.out"
if ! diff -u "$dir/plain.out" "$dir/faulted.out"; then
    echo "FAIL: with fault $fault the application saw something else than without the shim"
    cat "$dir/faulted.err"
    exit 1
fi
if cmp -s "$dir/plain.out" "$dir/shim.out"; then
    echo "FAIL: the shim without a fault changed nothing: the scenario does not test fault $fault"
    exit 1
fi
echo "== with the shim and no fault (differs, as it should):"
diff "$dir/plain.out" "$dir/shim.out"
if grep -q 'lease-shim\[' "$dir/plain.err"; then
    echo "FAIL: the run without the shim printed shim lines?"
    exit 1
fi
if ! grep -E 'lease-shim\[[0-9/]+\] warning: ' "$dir/faulted.err"; then
    echo "FAIL: no warning for fault $fault"
    cat "$dir/faulted.err"
    exit 1
fi
echo "fault_test: $scenario under fault $fault: passed"
