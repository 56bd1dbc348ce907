#!/usr/bin/env bash
# lease-run --systemd-dropin: the drop-in's values, read back the way systemd
# reads them, and the file checked by systemd-analyze verify.
# usage: dropin_test.sh LEASE_RUN SHIM [DEMO]
# With DEMO (demo/legacy_lease): also the log of a program run with the
# drop-in's environment reaches syslog.
# Exit 77 (skipped) after the checks of its own when systemd-analyze is
# missing (tools/dev installs it: package systemd).
set -u
run=$1 shim=$2 demo=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/dropin.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "dropin_test: FAIL: $*" >&2; exit 1; }

# bad usage is exit 2: not a service, a program, --strict, --dry-run, no unit
# or a control character in a value (it would end the line)
for args in "smbd.socket" "smbd true" "smbd --strict" "smbd --dry-run" "" "bad/name"; do
    # shellcheck disable=SC2086
    "$run" --lib="$shim" --systemd-dropin $args >/dev/null 2>&1
    [ $? -eq 2 ] || fail "'--systemd-dropin $args' is not exit 2"
done
"$run" --lib="$shim" --systemd-dropin smbd --log-dest=file:/tmp/a$'\n'b >/dev/null 2>&1
[ $? -eq 2 ] || fail "a newline in a value is not exit 2"

# NAME gets .service; the settings of every option, in order; the log goes
# to syslog (the journal) by default; % \ and " in a value are escaped
"$run" --lib="$shim" --systemd-dropin smbd --close=keep --exec=release --stale=deliver \
    --deadline=5000 --log=info --backtrace --alias-scan=off --off \
    --stats='/var/lib/lease shim/s.%p "x" \n.json' >"$dir/smbd.conf" || fail "exit status"
"$run" --lib="$shim" --systemd-dropin smbd.service --log-dest=stderr >"$dir/stderr.conf" || fail "exit status"
python3 - "$dir" "$shim" "$here" <<'PY' || fail "drop-in contents"
import os, sys
d, shim = sys.argv[1], os.path.realpath(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from dropin_read import read_dropin
env = read_dropin(d + "/smbd.conf")
want = [("LD_PRELOAD", shim), ("LEASE_SHIM_CLOSE", "keep"), ("LEASE_SHIM_EXEC", "release"),
        ("LEASE_SHIM_STALE", "deliver"), ("LEASE_SHIM_BREAK_DEADLINE", "5000"),
        ("LEASE_SHIM_LOG", "info"), ("LEASE_SHIM_BACKTRACE", "1"),
        ("LEASE_SHIM_ALIAS_SCAN", "off"), ("LEASE_SHIM", "0"),
        ("LEASE_SHIM_LOG_DEST", "syslog"),
        ("LEASE_SHIM_STATS", '/var/lib/lease shim/s.%p "x" \\n.json')]
assert env == want, env
text = open(d + "/smbd.conf").read()
assert "systemctl edit smbd.service" in text, text
env = read_dropin(d + "/stderr.conf")
assert env == [("LD_PRELOAD", shim), ("LEASE_SHIM_LOG_DEST", "stderr")], env
PY

# the drop-in's environment, as systemd would give it, loads the shim and
# sends its log to syslog (/dev/log, which systemd-journald reads): the demo
# under it, in a mount namespace with a /dev/log of the test's own
if [ -n "$demo" ]; then
    "$run" --lib="$shim" --systemd-dropin demo.service --log=info >"$dir/demo.conf" || fail "exit status"
    if unshare -m true 2>/dev/null; then
        unshare -m "$here/dropin_read.py" syslog "$dir/demo.conf" "$demo" >"$dir/syslog.out" 2>&1 ||
            fail "the shim's syslog lines under the drop-in's environment: $(cat "$dir/syslog.out")"
    else
        echo "dropin_test: no mount namespace (not root?): the syslog check is skipped"
    fi
fi

command -v systemd-analyze >/dev/null || { echo "dropin_test: systemd-analyze missing: verify skipped"; exit 77; }

# verify(DROPIN): systemd-analyze verify of a service with DROPIN as its
# drop-in; prints what systemd said, fails on any message at all
verify() {
    rm -rf "$dir/units"
    mkdir -p "$dir/units/lstest.service.d"
    printf '[Unit]\nDescription=dropin_test\n[Service]\nExecStart=/bin/true\n' >"$dir/units/lstest.service"
    cp "$1" "$dir/units/lstest.service.d/lease-shim.conf"
    SYSTEMD_UNIT_PATH=$dir/units: systemd-analyze verify --man=no "$dir/units/lstest.service" >"$dir/said" 2>&1 &&
        [ ! -s "$dir/said" ]
}
verify "$dir/smbd.conf" || fail "systemd-analyze verify: $(cat "$dir/said")"
verify "$dir/stderr.conf" || fail "systemd-analyze verify: $(cat "$dir/said")"
"$run" --lib="$shim" --systemd-dropin lstest@inst >"$dir/inst.conf" || fail "instance"
verify "$dir/inst.conf" || fail "systemd-analyze verify (instance): $(cat "$dir/said")"
# ... and verify does read the drop-in: an unknown key or a bad specifier is caught
sed 's/^Environment=/Enviroment=/' "$dir/smbd.conf" >"$dir/typo.conf"
verify "$dir/typo.conf" && fail "verify passed a drop-in with an unknown key"
grep -q "lease-shim.conf" "$dir/said" || fail "verify did not name the drop-in: $(cat "$dir/said")"
sed 's/%%p/%z/' "$dir/smbd.conf" >"$dir/spec.conf"
verify "$dir/spec.conf" && fail "verify passed an unknown specifier"
echo "dropin_test: all passed"
