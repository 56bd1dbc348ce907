#!/usr/bin/env bash
# tools/lease-run, the statistics file and the log destination, end to end.
# usage: leaserun_test.sh LEASE_RUN SHIM DEMO STATIC_PROGRAM
set -u
run=$1 shim=$2 demo=$3 static=$4
dir=$(mktemp -d /tmp/leaserun.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "leaserun_test: FAIL: $*" >&2; exit 1; }
# a sanitizer build's shim needs its runtime first: lease-run keeps it there
rt=${LEASE_SHIM_TEST_PRELOAD:-}
[ -z "$rt" ] || export LD_PRELOAD=${rt%:}

# the program's exit status is passed through; bad usage is 2
"$run" --lib="$shim" sh -c 'exit 7'; [ $? -eq 7 ] || fail "exit status not passed through"
"$run" --lib="$shim" --bogus true 2>/dev/null; [ $? -eq 2 ] || fail "bad option is not exit 2"
"$run" --lib="$shim" --close=sometimes true 2>/dev/null; [ $? -eq 2 ] || fail "bad value is not exit 2"
"$run" --lib="$shim" /nonexistent/program 2>/dev/null; [ $? -eq 127 ] || fail "missing program is not 127"

# LD_PRELOAD is prepended, never replaced; --dry-run runs nothing
out=$(LD_PRELOAD=$rt/lib/other.so "$run" --lib="$shim" --dry-run --close=keep --deadline=250 touch "$dir/ran")
[ ! -e "$dir/ran" ] || fail "--dry-run ran the program"
case "$out" in *"LD_PRELOAD=$rt$shim:/lib/other.so"*) ;; *) fail "LD_PRELOAD not prepended: $out" ;; esac
case "$out" in *LEASE_SHIM_CLOSE=keep*LEASE_SHIM_BREAK_DEADLINE=250*) ;; *) fail "settings missing: $out" ;; esac
# ... except behind sanitizer runtimes, which must come first
out=$(LD_PRELOAD=/x/libasan.so.8:/y/libclang_rt.ubsan_standalone-x86_64.so:/lib/other.so "$run" --lib="$shim" --dry-run true)
case "$out" in *"LD_PRELOAD=/x/libasan.so.8:/y/libclang_rt.ubsan_standalone-x86_64.so:$shim:/lib/other.so "*) ;;
*) fail "sanitizer runtime not kept first: $out" ;; esac
out=$(LD_PRELOAD=/usr/lib/libtsan.so.2 "$run" --lib="$shim" --dry-run true)
case "$out" in *"LD_PRELOAD=/usr/lib/libtsan.so.2:$shim "*) ;; *) fail "sanitizer runtime alone: $out" ;; esac

# the demo is right under lease-run and wrong with --off
"$run" --lib="$shim" "$demo" >/dev/null 2>&1 || fail "demo fails under lease-run"
"$run" --lib="$shim" --off "$demo" >/dev/null 2>&1 && fail "demo right with --off"

# statistics: one JSON document per process, with what the shim did
"$run" --lib="$shim" --stats="$dir/s.%p.json" "$demo" >/dev/null 2>&1
python3 - "$dir" <<'PY' || fail "statistics document"
import glob, json, sys
docs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/s.*.json")]
assert len(docs) == 1, docs
d = docs[0]
assert d["exe"].endswith("legacy_lease"), d
assert d["registered"] == 1 and d["rehomed"] == 1 and d["released"] == 0, d
assert d["violations"] == 1 and d["pid"] > 1 and d["ppid"] > 1, d
assert glob.glob(sys.argv[1] + "/s.*.json.tmp.*") == []
# the violation's call site names the program's own function, first
sites = d["sites"]
assert len(sites) == 1 and sites[0]["event"] == "rehomed" and sites[0]["count"] == 1, sites
assert sites[0]["frames"][0].startswith("main+0x") and "legacy_lease" in sites[0]["frames"][0], sites
PY

# the log goes to a file named with the pid, one line per event, with the path
"$run" --lib="$shim" --log=info --log-dest="file:$dir/log.%p" "$demo" >/dev/null 2>"$dir/stderr"
log=$(cat "$dir"/log.* 2>/dev/null) || fail "no log file"
case "$log" in *"lease-shim["*"info: fd "*"/data) went away with a live read lease; notifications now name fd "*) ;;
*) fail "log line: $log" ;; esac
grep -q "lease-shim" "$dir/stderr" && fail "log also went to stderr"

# a backtrace from the application's own frame, with --backtrace
"$run" --lib="$shim" --log=info --backtrace "$demo" >/dev/null 2>"$dir/bt"
grep -q "^  #0 0x[0-9a-f]* main+0x[0-9a-f]* (.*legacy_lease)" "$dir/bt" || fail "backtrace does not start at main: $(cat "$dir/bt")"

# --strict fails a run with a violation (exit 3), passes a clean one
"$run" --lib="$shim" --strict "$demo" >/dev/null 2>&1; [ $? -eq 3 ] || fail "--strict did not fail"
"$run" --lib="$shim" --strict true || fail "--strict failed a clean run"

# a statically linked program: warned about, still run
"$run" --lib="$shim" "$static" nothing >/dev/null 2>"$dir/static" 
grep -q "statically linked" "$dir/static" || fail "no warning for a static program"
echo "leaserun_test: all passed"
