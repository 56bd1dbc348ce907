#!/bin/sh
# diff_run.sh SHIM PROGRAM [VAR=value...] - differential test (see diff_calls.c).
#
# Runs PROGRAM without the shim and with LD_PRELOAD=SHIM (and the settings
# VAR=value, e.g. LEASE_SHIM=0) and compares the two standard outputs byte
# for byte.  Fails (exit 1) when either run does not
# exit 0, prints nothing, or does not reach its last line (END), and when the
# outputs differ; then a unified diff is printed (without -> with).
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 SHIM PROGRAM [VAR=value...]" >&2
    exit 2
fi
shim=$1
prog=$2
shift 2
if [ ! -f "$shim" ] || [ ! -x "$prog" ]; then
    echo "diff_run: missing $shim or $prog" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/diff_run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Only the shim differs between the two runs: drop any inherited preload and
# shim settings.
unset LD_PRELOAD LEASE_SHIM LEASE_SHIM_CLOSE LEASE_SHIM_LOG LEASE_SHIM_ALIAS_SCAN LEASE_SHIM_BACKTRACE

"$prog" >"$tmp/without.out" 2>"$tmp/without.err"
rc_without=$?
# (a sanitizer build's shim needs its runtime in front: LEASE_SHIM_TEST_PRELOAD)
env "$@" LD_PRELOAD="${LEASE_SHIM_TEST_PRELOAD:-}$shim" "$prog" >"$tmp/with.out" 2>"$tmp/with.err"
rc_with=$?

fail=0
check_run() { # name rc
    out="$tmp/$1.out"
    if [ "$2" -ne 0 ]; then
        if [ "$2" -gt 128 ]; then
            echo "diff_run: run $1 the shim was killed by signal $(($2 - 128))"
        else
            echo "diff_run: run $1 the shim exited with status $2"
        fi
        fail=1
    fi
    if [ ! -s "$out" ]; then
        echo "diff_run: run $1 the shim printed nothing"
        fail=1
    elif [ "$(tail -n 1 "$out")" != "END" ]; then
        echo "diff_run: run $1 the shim stopped before its end; last line:"
        tail -n 1 "$out"
        fail=1
    fi
    if [ -s "$tmp/$1.err" ]; then
        echo "diff_run: stderr of the run $1 the shim:"
        sed -n '1,40p' "$tmp/$1.err"
    fi
}
check_run without "$rc_without"
check_run with "$rc_with"

if ! cmp -s "$tmp/without.out" "$tmp/with.out"; then
    echo "diff_run: outputs differ (--- without the shim, +++ with it):"
    diff -u --label without --label with "$tmp/without.out" "$tmp/with.out"
    fail=1
fi

if [ "$fail" -eq 0 ]; then
    echo "diff_run: $(wc -l <"$tmp/with.out") lines identical without and with the shim"
fi
exit "$fail"
