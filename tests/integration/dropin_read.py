#!/usr/bin/env python3
"""Read a drop-in of lease-run --systemd-dropin the way systemd does, and
check it (helper of dropin_test.sh).

usage: dropin_read.py env CONF
           print the Environment= assignments, NAME=VALUE one a line
       dropin_read.py syslog CONF PROGRAM
           (as root, inside `unshare -m`) run PROGRAM with exactly the
           drop-in's environment, with a private /dev whose /dev/log is a
           socket of this script's: the shim's lines must arrive there, as
           syslog datagrams, and not on PROGRAM's stderr.  PROGRAM is the
           demo (exit 0, one re-home logged at info).
"""
import os
import re
import socket
import subprocess
import sys
import time


def read_dropin(path):
    """[Service] Environment= assignments as systemd reads them: one quoted
    word, C escapes undone, then %% -> % (any other % is a specifier)."""
    sections, env = [], []
    for ln in open(path).read().splitlines():
        if not ln or ln.startswith("#"):
            continue
        if ln.startswith("["):
            sections.append(ln)
            continue
        key, _, v = ln.partition("=")
        assert key == "Environment", ln
        assert sections == ["[Service]"], sections
        assert len(v) >= 2 and v[0] == '"' and v[-1] == '"', ln
        out, i, body = "", 0, v[1:-1]
        while i < len(body):
            c = body[i]
            if c == "\\":
                assert body[i + 1] in '\\"', ln
                out += body[i + 1]
                i += 2
            elif c == '"':
                raise AssertionError("unescaped quote: " + ln)
            elif c == "%":
                assert body[i + 1] == "%", "specifier left in: " + ln
                out += "%"
                i += 2
            else:
                out += c
                i += 1
        name, eq, value = out.partition("=")
        assert eq, ln
        env.append((name, value))
    return env


def syslog(conf, program):
    env = dict(read_dropin(conf))
    assert env.get("LEASE_SHIM_LOG_DEST") == "syslog", env
    # a sanitizer build's shim needs its runtime in front of it
    rt = os.environ.get("LEASE_SHIM_TEST_PRELOAD", "")
    env["LD_PRELOAD"] = rt + env["LD_PRELOAD"]
    env["PATH"] = "/usr/bin:/bin"
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    subprocess.run(["mount", "-t", "tmpfs", "lease-shim-test", "/dev"], check=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    p = subprocess.Popen([program], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, (p.returncode, out, err)
    assert "correct" in out, out
    assert "lease-shim" not in err, "the shim wrote to stderr: " + err
    lines, deadline = [], time.monotonic() + 2
    s.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            lines.append(s.recv(4096).decode())
        except socket.timeout:
            if lines:
                break
    print("\n".join(lines))
    # <14>: facility user, severity info; the pid is the program's
    want = re.compile(r"<14>lease-shim\[%d/%d\] info: fd \d+ \(/.*/data\) went away with a "
                      r"live read lease; notifications now name fd \d+$" % (p.pid, p.pid))
    assert any(want.match(ln) for ln in lines), lines


def main(argv):
    if len(argv) == 2 and argv[0] == "env":
        for name, value in read_dropin(argv[1]):
            print("%s=%s" % (name, value))
    elif len(argv) == 3 and argv[0] == "syslog":
        syslog(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
