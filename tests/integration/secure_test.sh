#!/usr/bin/env bash
# Runs t_secure set-uid (owner nobody) as root, so AT_SECURE is set, with
# every LEASE_SHIM variable set: paths for the log and the statistics (none
# may be created), LEASE_SHIM=0 (must not disable the shim), a log level and
# a destination (the warning t_secure provokes must still reach stderr).
# usage: secure_test.sh T_SECURE
set -u
prog=$1
[ "$(id -u)" = 0 ] || { echo "secure_test: needs root to make a set-uid copy; skipped"; exit 0; }
dir=$(mktemp -d "$(dirname "$prog")/secure.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 1777 "$dir"
cp "$prog" "$dir/t_secure" && chown nobody "$dir/t_secure" && chmod 4755 "$dir/t_secure"

# run DEST: one set-uid run with LEASE_SHIM_LOG_DEST=DEST; stdout in $dir/out, stderr in $dir/err
run() {
    (cd "$dir" && LEASE_SHIM_LOG=debug LEASE_SHIM_LOG_DEST="$1" \
        LEASE_SHIM_STATS="$dir/stats.%p.json" LEASE_SHIM=0 TMPDIR="$dir" \
        "$dir/t_secure" >"$dir/out" 2>"$dir/err")
    local status=$?
    cat "$dir/out" "$dir/err"
    grep -q "AT_SECURE=1" "$dir/out" || { echo "secure_test: FAIL: not a secure execution (nosuid mount?)"; exit 1; }
    [ $status -eq 0 ] || { echo "secure_test: FAIL: the program failed (LEASE_SHIM=0 obeyed?)"; exit 1; }
    ls "$dir"/log.* "$dir"/stats.* >/dev/null 2>&1 && { echo "secure_test: FAIL: a path from the environment was used"; exit 1; }
    grep -qE 'lease-shim\[[0-9/]+\] (debug|info):|went away' "$dir/err" && { echo "secure_test: FAIL: LEASE_SHIM_LOG was obeyed"; exit 1; }
    if grep -q "warning provoked" "$dir/out"; then
        grep -qE 'lease-shim\[[0-9/]+\] warning: ' "$dir/err" ||
            { echo "secure_test: FAIL: with LEASE_SHIM_LOG_DEST=$1 the warning did not reach stderr"; exit 1; }
    fi
}
run "file:$dir/log.%p"
run syslog
echo "secure_test: passed"
