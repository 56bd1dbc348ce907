#!/usr/bin/env bash
# Runs t_secure set-uid (owner nobody) as root, so AT_SECURE is set, with
# every LEASE_SHIM variable pointing at files: none may be created.
# usage: secure_test.sh T_SECURE
set -u
prog=$1
[ "$(id -u)" = 0 ] || { echo "secure_test: needs root to make a set-uid copy; skipped"; exit 0; }
dir=$(mktemp -d "$(dirname "$prog")/secure.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 1777 "$dir"
cp "$prog" "$dir/t_secure" && chown nobody "$dir/t_secure" && chmod 4755 "$dir/t_secure"
out=$(cd "$dir" && LEASE_SHIM_LOG=debug LEASE_SHIM_LOG_DEST="file:$dir/log.%p" \
      LEASE_SHIM_STATS="$dir/stats.%p.json" LEASE_SHIM=0 TMPDIR="$dir" "$dir/t_secure" 2>&1)
status=$?
echo "$out"
case "$out" in *"AT_SECURE=1"*) ;; *) echo "secure_test: FAIL: not a secure execution (nosuid mount?)"; exit 1 ;; esac
[ $status -eq 0 ] || { echo "secure_test: FAIL: the program failed (LEASE_SHIM=0 obeyed?)"; exit 1; }
ls "$dir"/log.* "$dir"/stats.* >/dev/null 2>&1 && { echo "secure_test: FAIL: a path from the environment was used"; exit 1; }
case "$out" in *lease-shim*debug*|*"went away"*) echo "secure_test: FAIL: LEASE_SHIM_LOG was obeyed"; exit 1 ;; esac
echo "secure_test: passed"
