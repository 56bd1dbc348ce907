#!/usr/bin/env python3
"""lease-ls --json on real leases and a writer (then a reader) blocked on them.

A read lease on fd A (plus a dup B): --json shows it ACTIVE, type READ,
held by us with fds A and B, its path and inode, nobody blocked.  A child
opens the file for writing and blocks: the lease is BREAKING to UNLCK (its
original type no longer told by the kernel: null), and the child is one
"blocked" object naming its openat(O_WRONLY), the path, and our lease; the
lease lists the child's tid.  Released: the child gets through and --json
shows nothing of ours.  Then a write lease broken by a reader: "type"
WRITE, "breaking_to" READ.  Also: --pid of the writer, no --pid, and exit 2
for bad usage.  argv[1] is the lease-ls script.
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

TOOL = sys.argv[1]
ME = os.getpid()


def lease_ls(*args):
    r = subprocess.run([TOOL, "--json", *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (args, r.returncode, r.stderr)
    return json.loads(r.stdout)


def ours(doc, ino):
    """Our file's leases in DOC: its inode on its device (another file on
    another device, leased by another process, may have the same inode
    number: without --pid that lease is listed too)."""
    return [l for l in doc["leases"] if l["ino"] == ino and l["dev"] == DEV]


DEV = None  # our file's device as /proc/locks writes it, set in main()


def blocker(path, flags):
    """A child blocked opening PATH with FLAGS until the lease is released."""
    pid = os.fork()
    if pid == 0:
        signal.alarm(30)  # the kernel would revoke after lease-break-time (45 s)
        try:
            os.open(path, flags)
            os._exit(0)
        except OSError:
            os._exit(1)
    return pid


def settled(doc, pid, ino):
    """Does DOC show our lease BREAKING and PID asleep in its call?  (A task
    caught on its way into the sleep, still running, shows no call yet.)"""
    return any(l["state"] == "BREAKING" for l in ours(doc, ino)) and \
        any(t["pid"] == pid and t["call"] and t["lease_id"] is not None for t in doc["blocked"])


def wait_blocked(pid, ino, *args):
    """Until lease-ls ARGS shows PID blocked on our BREAKING lease; the document."""
    for _ in range(100):
        doc = lease_ls(*args)
        if settled(doc, pid, ino):
            return doc
        time.sleep(0.05)
    raise AssertionError("lease-ls never showed %d blocked: %s" % (pid, doc))


def reaped(pid):
    _, st = os.waitpid(pid, 0)
    return os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0


def main():
    # the break is announced with SIGIO, whose default would kill us
    signal.signal(signal.SIGIO, signal.SIG_IGN)
    r = subprocess.run([TOOL, "--json", "--bogus"], capture_output=True)
    assert r.returncode == 2, r
    d = tempfile.mkdtemp(prefix="lease-ls-json.")
    path = os.path.join(d, "leased")
    open(path, "w").close()
    st = os.stat(path)
    ino = st.st_ino
    global DEV
    DEV = "%02x:%02x" % (os.major(st.st_dev), os.minor(st.st_dev))

    # ACTIVE read lease on two fds
    a = os.open(path, os.O_RDONLY)
    b = os.dup(a)
    fcntl.fcntl(a, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    doc = lease_ls("--pid", str(ME))
    print(json.dumps(doc, indent=1))
    assert doc["pid_filter"] == ME and doc["blocked"] == [], doc
    (l,) = ours(doc, ino)
    assert l["kind"] == "LEASE" and l["state"] == "ACTIVE" and l["type"] == "READ", l
    assert l["breaking_to"] is None and l["breaking_for_s"] is None, l
    assert l["holder"]["pid"] == ME and l["holder"]["alive"] is True, l
    assert sorted(l["holder"]["fds"]) == sorted([a, b]), l
    assert l["path"] == path and l["blocked_tids"] == [] and l["others"] == [], l
    assert isinstance(l["id"], int) and l["dev"], l

    # a writer blocks: BREAKING, the blocked object names it and our lease
    w = blocker(path, os.O_WRONLY)
    doc = wait_blocked(w, ino, "--pid", str(ME))
    print(json.dumps(doc, indent=1))
    (l,) = ours(doc, ino)
    assert l["state"] == "BREAKING" and l["kernel_type"] == "UNLCK", l
    assert l["type"] is None and l["breaking_to"] == "UNLCK", l
    assert l["blocked_tids"] == [w], l
    bt = doc["lease_break_time_s"]
    assert isinstance(bt, int) and bt > 0, doc
    # (null when the scheduler clocks of two CPUs disagree; lease-ls never guesses)
    assert l["breaking_for_s"] is None or 0 <= l["breaking_for_s"] < bt, l
    assert 0 < l["revoke_within_s"] <= bt, l
    (t,) = [t for t in doc["blocked"] if t["pid"] == w]
    assert t["tid"] == w and t["lease_id"] == l["id"] and t["lease_holder_pid"] == ME, t
    assert "O_WRONLY" in t["call"] and path in t["call"] and t["path"] == path, t
    assert t["ino"] == ino and t["dev"] == l["dev"], t
    assert t["waiting_s"] is None or 0 <= t["waiting_s"] < bt, t
    assert t["wchan_read"] is True, t
    # the same from the writer's side and with no filter
    for doc in (wait_blocked(w, ino, "--pid", str(w)), wait_blocked(w, ino)):
        mine = ours(doc, ino)
        assert len(mine) == 1, doc
        (l2,) = mine
        assert l2["holder"]["pid"] == ME and l2["state"] == "BREAKING", doc
        assert [t["pid"] for t in doc["blocked"] if t["lease_id"] == l2["id"]] == [w], doc

    # released: the writer gets through, nothing of ours is left
    fcntl.fcntl(a, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    assert reaped(w)
    doc = lease_ls("--pid", str(ME))
    assert doc["leases"] == [] and doc["blocked"] == [], doc
    os.close(a)
    os.close(b)

    # a write lease broken by a reader: WRITE being broken to READ
    a = os.open(path, os.O_RDWR)
    fcntl.fcntl(a, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    (l,) = ours(lease_ls("--pid", str(ME)), ino)
    assert l["type"] == "WRITE" and l["state"] == "ACTIVE", l
    rd = blocker(path, os.O_RDONLY)
    doc = wait_blocked(rd, ino, "--pid", str(ME))
    print(json.dumps(doc, indent=1))
    (l,) = ours(doc, ino)
    assert l["type"] == "WRITE" and l["breaking_to"] == "READ" and l["kernel_type"] == "READ", l
    (t,) = [t for t in doc["blocked"] if t["pid"] == rd]
    assert "O_RDONLY" in t["call"] and t["lease_id"] == l["id"], t
    fcntl.fcntl(a, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    assert reaped(rd)
    os.close(a)
    os.unlink(path)
    os.rmdir(d)
    print("lease_ls_json_test: all passed")


if __name__ == "__main__":
    main()
