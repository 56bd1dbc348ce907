#!/usr/bin/env python3
"""The man pages in man/: do they render cleanly, and do they say what the
tools, the README and the library say?

usage: man_check.py render MANDIR
       man_check.py drift MANDIR SOURCEDIR VERSION

render: every page formats with `groff -ww -man -z` and `man --warnings=w -l`
        with nothing on stderr, and lexgrog (what mandb/whatis read) parses
        its NAME line.
drift:  * every option in `TOOL --help` is described under OPTIONS in TOOL(1)
          (a tag of its own), and every option described there is in
          `TOOL --help`;
        * the LEASE_SHIM_* variables of the README's environment table are
          exactly those liblease_shim(7) describes under ENVIRONMENT, and
          every variable the shim's sources read is among them; every
          variable `lease-run --help` names is in lease-run(1);
        * the functions of the README's "Wrapped functions" table and those
          under WRAPPED FUNCTIONS in liblease_shim(7) are exactly the entries
          of shim/wrapped.def (the table the version script is made from),
          and the two name the same constants;
        * every page's .TH names "lease-shim VERSION" (the CMake project's).
Every mismatch is printed; the exit status is 1 if there is any.
"""
import glob
import os
import re
import subprocess
import sys

import wrapped

TOOLS = ("lease-run", "lease-ls", "lease-report")
PAGES = ("lease-run.1", "lease-ls.1", "lease-report.1", "liblease_shim.7")
problems = []


def problem(msg):
    problems.append(msg)
    print("man_check: " + msg)


def plain(src):
    """roff source with font changes and escapes taken out (macros kept)."""
    src = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", src)
    for a, b in (("\\-", "-"), ("\\e", "\\"), ("\\(dq", '"'), ("\\(aq", "'"),
                 ("\\&", ""), ("\\%", ""), ("\\c", ""), ("\\(bu", "*")):
        src = src.replace(a, b)
    return src


def sections(src):
    """{SECTION NAME: its plain source lines}."""
    out, name = {}, None
    for ln in plain(src).splitlines():
        if ln.startswith(".SH "):
            name = ln[4:].strip().strip('"')
            out[name] = []
        elif name is not None:
            out[name].append(ln)
    return out


def tags(lines):
    """The tag line of every .TP paragraph in LINES."""
    return [lines[i + 1] for i, ln in enumerate(lines[:-1]) if ln.startswith(".TP")]


OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def render(mandir):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    for page in PAGES:
        path = os.path.join(mandir, page)
        for cmd in (["groff", "-ww", "-man", "-z", path],
                    ["man", "--warnings=w", "-l", path]):
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if r.returncode != 0 or r.stderr.strip():
                problem("%s: %s: status %d: %s" % (page, " ".join(cmd[:-1]), r.returncode,
                                                    r.stderr.strip()))
        r = subprocess.run(["lexgrog", path], capture_output=True, text=True, env=env)
        name = page.rsplit(".", 1)[0]
        if r.returncode != 0 or ": \"%s - " % name not in r.stdout:
            problem("%s: lexgrog cannot read its NAME line: %s" % (page, r.stdout + r.stderr))
        r = subprocess.run(["man", "-l", path], capture_output=True, text=True, env=env)
        if "NAME" not in r.stdout or "SEE ALSO" not in r.stdout:
            problem("%s: man -l renders no NAME or SEE ALSO" % page)


def readme_table(readme, heading):
    """The rows (lists of cells) of the first table after HEADING."""
    text = readme.split(heading, 1)[1]
    rows, started = [], False
    for ln in text.splitlines():
        if ln.startswith("|"):
            started = True
            cells = [c.strip() for c in ln.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif started:
            break
    return rows[1:]  # without the header


def drift(mandir, srcdir, version):
    pages = {p: open(os.path.join(mandir, p)).read() for p in PAGES}
    for p, src in pages.items():
        th = [ln for ln in src.splitlines() if ln.startswith(".TH ")]
        if not th or '"lease-shim %s"' % version not in th[0]:
            problem("%s: .TH does not name \"lease-shim %s\": %s" % (p, version, th))

    # options: --help against the page, both ways
    for tool in TOOLS:
        r = subprocess.run([os.path.join(srcdir, "tools", tool), "--help"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            problem("%s --help: status %d" % (tool, r.returncode))
            continue
        # options of another tool the help text mentions ("lease-run --stats=")
        own = re.sub(r"\b(lease-(?:run|ls|report))((?:\s+--?[\w-]+(?:=\S*)?)*)",
                     lambda m: m.group(0) if m.group(1) == tool else m.group(1), r.stdout)
        helped = set(OPTION.findall(own))
        page = plain(pages[tool + ".1"])
        described = set(OPTION.findall("\n".join(tags(sections(pages[tool + ".1"])["OPTIONS"]))))
        if not described:
            problem("%s.1: no option found under OPTIONS" % tool)
        for o in sorted(helped - described):
            problem("%s.1 does not describe %s under OPTIONS, which %s --help lists"
                    % (tool, o, tool))
        for o in sorted(described - helped):
            problem("%s.1 describes %s, which %s --help does not list" % (tool, o, tool))
        if tool == "lease-run":
            for v in sorted(set(re.findall(r"LEASE_SHIM\w*", r.stdout))):
                if v not in page:
                    problem("lease-run.1 does not mention %s, which lease-run --help names" % v)

    # environment variables: README table = liblease_shim(7) ENVIRONMENT
    readme = open(os.path.join(srcdir, "README.md")).read()
    in_readme = {re.sub(r"[`\\]", "", row[0]) for row in
                 readme_table(readme, "### Environment variables")}
    in_readme = {v for v in in_readme if v.startswith("LEASE_SHIM")}
    man7 = sections(pages["liblease_shim.7"])
    in_man = set()
    for t in tags(man7["ENVIRONMENT"]):
        in_man |= set(re.findall(r"\bLEASE_SHIM\w*", t))
    if not in_readme:
        problem("README: no variable found in the environment table")
    for v in sorted(in_readme - in_man):
        problem("liblease_shim.7 ENVIRONMENT does not describe %s (README does)" % v)
    for v in sorted(in_man - in_readme):
        problem("README's environment table does not list %s (liblease_shim.7 does)" % v)
    read = set()
    for f in glob.glob(os.path.join(srcdir, "shim", "*.[ch]")):
        read |= set(re.findall(r'"(LEASE_SHIM\w*)"', open(f).read()))
    for v in sorted(read - in_man):
        problem("shim/ reads %s, which liblease_shim.7 ENVIRONMENT does not describe" % v)

    # wrapped functions: README table = liblease_shim(7) = shim/wrapped.def
    # (an upper-case name such as FIOASYNC or SCM_RIGHTS is a constant: the
    # two documents must agree on those among themselves)
    def names(text):
        return {n for n in re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)
                if not re.match(r"(F|SYS|O)_", n)}
    in_readme = set()
    for row in readme_table(readme, "### Wrapped functions"):
        in_readme |= names(" ".join(re.findall(r"`([^`]*)`", row[1])))
    in_man = set()
    for ln in man7["WRAPPED FUNCTIONS"]:
        if ln.startswith((".B ", ".BR ")):
            in_man |= names(ln.split(None, 1)[1])
    if not in_readme:
        problem("README: no function found in the wrapped functions table")
    for f in sorted(in_readme - in_man):
        problem("liblease_shim.7 WRAPPED FUNCTIONS does not list %s (README does)" % f)
    for f in sorted(in_man - in_readme):
        problem("README's wrapped functions table does not list %s (liblease_shim.7 does)" % f)
    table = {e.name for e in wrapped.entries(os.path.join(srcdir, "shim", "wrapped.def"))}
    if not table:
        problem("shim/wrapped.def: no entry found")
    for doc, found in (("README's wrapped functions table", in_readme),
                       ("liblease_shim.7 WRAPPED FUNCTIONS", in_man)):
        for f in sorted(table - found):
            problem("%s does not list %s, which shim/wrapped.def wraps" % (doc, f))
        for f in sorted(n for n in found - table if not re.fullmatch(r"[A-Z][A-Z0-9_]*", n)):
            problem("%s lists %s, which shim/wrapped.def does not wrap" % (doc, f))


def main(argv):
    if len(argv) == 2 and argv[0] == "render":
        render(argv[1])
    elif len(argv) == 4 and argv[0] == "drift":
        drift(*argv[1:])
    else:
        sys.stderr.write(__doc__)
        return 2
    if problems:
        print("man_check: %d problem(s)" % len(problems))
        return 1
    print("man_check: %s: all pages agree" % argv[0] if argv[0] == "drift"
          else "man_check: render: every page renders without a warning")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
