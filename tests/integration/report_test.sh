#!/usr/bin/env bash
# tools/lease-report over hand-made statistics documents and over a real run.
# usage: report_test.sh LEASE_REPORT LEASE_RUN SHIM DEMO
set -u
report=$1 run=$2 shim=$3 demo=$4
dir=$(mktemp -d /tmp/leasereport.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "report_test: FAIL: $*" >&2; exit 1; }
# a sanitizer build's shim needs its runtime first: lease-run keeps it there
[ -z "${LEASE_SHIM_TEST_PRELOAD:-}" ] || export LD_PRELOAD=${LEASE_SHIM_TEST_PRELOAD%:}
has() { case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in output:
$1" ;; esac; }

# ---- usage ------------------------------------------------------------------
"$report" --help | grep -q -- "--junit FILE" || fail "--help does not document --junit"
"$report" --help | grep -q "Exit status" || fail "--help does not document the exit status"
"$report" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments is not exit 2"
"$report" --bogus "$dir" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option is not exit 2"
mkdir "$dir/empty"
"$report" "$dir/empty" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no documents is not exit 2"
"$report" "$dir/nonexistent" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing path is not exit 2"

# ---- hand-made documents ------------------------------------------------------
counters() { # rehomed released kept stale_dropped
    local v=$(( $1 + $2 + $3 + $4 ))
    printf '"registered": 2, "rehomed": %d, "released": %d, "kept": %d, "not_owner_forgotten": 0, "closed_behind_back": 1, "degraded": 0, "stale_dropped": %d, "stale_translated": 0, "overflow_recovered": 0, "deadline_released": 0, "adopted_after_exec": 0, "handed_over_at_exec": 0, "violations": %d' "$@" "$v"
}
F0='"close+0x1c (/lib/x86_64-linux-gnu/libc.so.6)"'
FA="$F0, \"main+0x2b1 (/opt/app)\", \"__libc_start_call_main+0x7a (/lib/x86_64-linux-gnu/libc.so.6)\""
FB="\"?? (/opt/lib/libx.so+0x1234)\", \"worker+0x10 (/opt/app)\", \"0x7f00deadbeef\""
h=$dir/hand
mkdir "$h"
# the root: a clean process
echo "{\"pid\": 100, \"ppid\": 1, \"exe\": \"/opt/runner\", $(counters 0 0 0 0), \"sites\": []}" > "$h/stats.100.json"
# two children with the same site A (merged: 3), one of them also site B
echo "{\"pid\": 101, \"ppid\": 100, \"exe\": \"/opt/app\", $(counters 2 0 0 0), \"sites\": [{\"event\": \"rehomed\", \"count\": 2, \"frames\": [$FA]}]}" > "$h/stats.101.json"
echo "{\"pid\": 102, \"ppid\": 100, \"exe\": \"/opt/app\", $(counters 1 1 0 0), \"sites\": [{\"event\": \"rehomed\", \"count\": 1, \"frames\": [$FA]}, {\"event\": \"released\", \"count\": 1, \"frames\": [$FB]}]}" > "$h/stats.102.json"
# a grandchild from an older shim: no "sites" at all
echo "{\"pid\": 103, \"ppid\": 102, \"exe\": \"/opt/old\", $(counters 0 0 0 2)}" > "$h/stats.103.json"
# truncated, empty and not an object
echo "{\"pid\": 104, \"ppid\": 100, \"exe\": \"/opt/app\", \"registered\": 1, \"reho" > "$h/stats.104.json"
: > "$h/stats.105.json"
echo '[1, 2]' > "$h/stats.106.json"
echo 'not a document' > "$h/README"     # not *.json: not read

out=$("$report" --junit "$dir/hand.xml" --title hand-suite "$h" 2>&1); st=$?
[ $st -eq 1 ] || fail "violations are not exit 1 (got $st): $out"
has "$out" "Processes: 4" "process count"
has "$out" "depth 3" "tree depth"
has "$out" "3 unreadable" "unreadable count"
has "$out" "stats.104.json: not JSON" "truncated document"
has "$out" "stats.105.json: empty" "empty document"
has "$out" "stats.106.json: not a JSON object" "non-object document"
case "$out" in *README*) fail "non-.json file in a directory was read" ;; esac
python3 - "$out" <<'PY' || fail "summary counters or sites"
import re, sys
out = sys.argv[1]
def total(name):
    m = re.search(r"^  %s +(\d+)" % name, out, re.M)
    assert m, name
    return int(m.group(1))
want = {"registered": 8, "rehomed": 3, "released": 1, "kept": 0, "closed_behind_back": 4,
        "stale_dropped": 2, "violations": 6}
for k, v in want.items():
    assert total(k) == v, (k, total(k), v)
assert "Violations: 6 at 3 call sites" in out, out
# sorted by count: the merged site first, printed once
sites = re.findall(r"^\[(\d)\] (\S+) .*: (\d+) times? in (\d+) process", out, re.M)
assert [(s[1], s[2], s[3]) for s in sites] == [("rehomed", "3", "2"), ("stale_dropped", "2", "1"),
                                               ("released", "1", "1")], sites
assert out.count("main+0x2b1 (/opt/app)") == 1, "backtrace not printed once"
assert "/opt/app (pids 101, 102)" in out
assert "no backtrace" in out
assert "0x7f00deadbeef" in out and "?? (/opt/lib/libx.so+0x1234)" in out
PY
python3 - "$dir/hand.xml" <<'PY' || fail "JUnit of the hand-made documents"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root if root.tag == "testsuite" else root.find("testsuite")
assert suite.get("name") == "hand-suite", suite.get("name")
cases = suite.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
assert len(cases) == 3 and len(fails) == 3, (len(cases), len(fails))
assert suite.get("tests") == "3" and suite.get("failures") == "3"
first = cases[0].find("failure")
assert first.get("type") == "rehomed", first.get("type")
assert "3 times in 2 processes" in first.get("message"), first.get("message")
assert "main+0x2b1 (/opt/app)" in first.text and "count: 3" in first.text
assert cases[0].get("classname") == "hand-suite.rehomed"
assert {c.find("failure").get("type") for c in cases} == {"rehomed", "released", "stale_dropped"}
assert len({c.get("name") for c in cases}) == 3, "testcase names not unique"
props = {p.get("name"): p.get("value") for p in suite.iter("property")}
assert props["processes"] == "4" and props["violations"] == "6" and props["rehomed"] == "3"
assert props["unreadable_documents"] == "3"
assert "stats.104.json" in suite.find("system-err").text
PY

# a clean document alone: exit 0 and one passing testcase; files may be named directly
out=$("$report" --junit "$dir/clean.xml" "$h/stats.100.json" 2>&1); st=$?
[ $st -eq 0 ] || fail "no violations is not exit 0 (got $st): $out"
has "$out" "no lease misuse" "clean summary"
python3 - "$dir/clean.xml" <<'PY' || fail "JUnit of a clean run"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = list(root.iter("testcase"))
assert len(cases) == 1 and cases[0].get("name") == "no lease misuse", [c.attrib for c in cases]
assert cases[0].find("failure") is None and cases[0].find("error") is None
assert len(list(root.iter("failure"))) == 0
PY
# only unreadable documents: nothing to report
"$report" "$h/stats.104.json" "$h/stats.105.json" >/dev/null 2>&1; [ $? -eq 2 ] || fail "only corrupt documents is not exit 2"

# ---- a real multi-process run under the shim -----------------------------------
mkdir "$dir/run"
"$run" --lib="$shim" --stats="$dir/run/stats.%p.json" -- sh -c "\"$demo\"; \"$demo\"; true" >/dev/null 2>&1 \
    || fail "the demo suite fails under lease-run"
out=$("$report" --junit "$dir/run.xml" "$dir/run" 2>&1); st=$?
[ $st -eq 1 ] || fail "real run: violations are not exit 1 (got $st): $out"
python3 - "$dir/run" "$dir/run.xml" "$out" "$demo" <<'PY' || fail "report of the real run"
import glob, json, os, re, sys, xml.etree.ElementTree as ET
rundir, junit, out, demo = sys.argv[1:]
docs = [json.load(open(f)) for f in glob.glob(rundir + "/*.json")]
demos = [d for d in docs if os.path.realpath(d["exe"]) == os.path.realpath(demo)]
assert len(demos) == 2, [d["exe"] for d in docs]
def total(name):
    m = re.search(r"^  %s +(\d+)" % name, out, re.M)
    assert m, (name, out)
    return int(m.group(1))
assert total("rehomed") == 2, out
assert total("violations") == 2, out
assert total("registered") == sum(d["registered"] for d in docs)
assert "Processes: %d" % len(docs) in out
root = ET.parse(junit).getroot()
fails = list(root.iter("failure"))
assert fails and all(f.get("type") == "rehomed" for f in fails), [f.attrib for f in fails]
assert sum(int(re.search(r"count: (\d+)", f.text).group(1)) for f in fails) == 2
if all(d.get("sites") for d in demos):
    # same call site in both processes: one site, one failing testcase
    assert "Violations: 2 at 1 call site" in out, out
    assert "2 times in 2 processes" in out, out
    assert len(fails) == 1 and "2 times in 2 processes" in fails[0].get("message"), fails[0].attrib
    frames = demos[0]["sites"][0]["frames"]
    assert any(f.startswith("main+") for f in frames), frames
    assert frames[0] in fails[0].text
else:
    print("report_test: documents have no call sites yet; site checks skipped")
PY
echo "report_test: ok"
