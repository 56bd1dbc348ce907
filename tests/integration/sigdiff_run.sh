#!/bin/sh
# sigdiff_run.sh SHIM SIGDIFF - run the sigdiff program without the shim and
# with LD_PRELOAD=SHIM, and compare what it printed (stdout and stderr) and
# its exit status byte for byte.  A program with no leases must not be able
# to tell that the shim is there.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 SHIM SIGDIFF" >&2
    exit 2
fi
shim=$1
prog=$2
# a sanitizer build's shim needs its runtime in front (LEASE_SHIM_TEST_PRELOAD)
preload=${LEASE_SHIM_TEST_PRELOAD:-}$shim
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# The comparison means something only if the preload takes effect.
plain_who=$(env -u LD_PRELOAD "$prog" --whoami) || { echo "sigdiff --whoami failed" >&2; exit 1; }
shim_who=$(env LD_PRELOAD="$preload" "$prog" --whoami) || { echo "sigdiff --whoami failed under the shim" >&2; exit 1; }
if [ "$(readlink -f "$shim_who")" != "$(readlink -f "$shim")" ]; then
    echo "under LD_PRELOAD=$shim, sysv_signal() comes from $shim_who: the shim is not loaded" >&2
    exit 1
fi
if [ "$(readlink -f "$plain_who")" = "$(readlink -f "$shim")" ]; then
    echo "without LD_PRELOAD, sysv_signal() still comes from the shim" >&2
    exit 1
fi

env -u LD_PRELOAD "$prog" >"$tmp/plain.out" 2>"$tmp/plain.err"
echo "exit $?" >>"$tmp/plain.err"
env LD_PRELOAD="$preload" "$prog" >"$tmp/shim.out" 2>"$tmp/shim.err"
echo "exit $?" >>"$tmp/shim.err"

if ! tail -n 1 "$tmp/plain.out" | grep -qx '== end'; then
    echo "sigdiff did not run to its end without the shim:" >&2
    tail -n 5 "$tmp/plain.out" "$tmp/plain.err" >&2
    exit 1
fi
status=0
for part in out err; do
    if ! cmp -s "$tmp/plain.$part" "$tmp/shim.$part"; then
        echo "std$part differs (- without the shim, + with it):"
        diff -u "$tmp/plain.$part" "$tmp/shim.$part" | head -n 200
        status=1
    fi
done
[ $status -eq 0 ] && echo "identical: $(wc -l <"$tmp/plain.out") lines"
exit $status
