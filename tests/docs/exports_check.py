#!/usr/bin/env python3
"""Do the built libraries export exactly the wrapped functions, and does
nothing else ship that nothing in them can call?

usage: exports_check.py WRAPPED_DEF EXPORTS_MAP [--test-only NAME,...]
                        (--lib|--gc-lib) LIB OBJECT... [(--lib|--gc-lib) LIB OBJECT...]...

WRAPPED_DEF is shim/wrapped.def, EXPORTS_MAP the version script the build
made from it; each LIB is a preloadable library, linked from the OBJECTs
(a ";"-separated list is split).
  * EXPORTS_MAP names every entry of WRAPPED_DEF but those inside an #if
    that is false here (vfork off x86_64), and nothing else;
  * LIB's defined dynamic symbols (nm -D --defined-only) are exactly the
    names of EXPORTS_MAP: no more, no fewer;
  * no OBJECT defines a function or variable of default visibility that
    WRAPPED_DEF does not list (a wrapper missing from the table would be
    made local by the version script: silently not interposed);
  * --gc-lib (a library linked with --gc-sections): a global function of
    the OBJECTs that nothing references (no relocation outside its own
    section, debug information and unwind tables aside) and that is not
    exported is not in LIB's symbol table (nm, local symbols included);
    and every --test-only NAME (a helper only the unit tests call) is a
    global function of those OBJECTs, and is not in LIB.
Every mismatch is printed; the exit status is 1 if there is any.
"""
import os
import re
import subprocess
import sys

import wrapped

problems = []


def problem(msg):
    problems.append(msg)
    print("exports_check: " + msg)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def map_names(path):
    """The names of the version script's global: part."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    return set(re.findall(r"\b(\w+)\s*;", text.split("global:", 1)[1].split("local:", 1)[0]))


def nm_names(lib, dynamic):
    out = run("nm", "-D", "--defined-only", lib) if dynamic else run("nm", lib)
    return {ln.split()[-1].split("@")[0] for ln in out.splitlines()
            if ln.strip() and ln.split()[-2] not in ("U", "w", "v")
            and not (dynamic and ln.split()[-2] == "A")}  # A: a version node


def defined_globals(obj):
    """{name: (type, visibility)} of the global symbols OBJ defines."""
    out = {}
    for ln in run("readelf", "-sW", obj).splitlines():
        f = ln.split()
        if (len(f) >= 8 and f[0].endswith(":") and f[4] in ("GLOBAL", "WEAK")
                and f[6] != "UND" and f[3] in ("FUNC", "OBJECT")):
            out[f[7].split("@")[0]] = (f[3], f[5])
    return out


def referenced(obj):
    """{name: sections referring to it}: the symbols (a function section's
    .text.NAME counted as NAME) OBJ's relocations name, those of debug
    information and unwind tables left out."""
    out, sec = {}, None
    for ln in run("readelf", "-rW", obj).splitlines():
        m = re.match(r"Relocation section '\.rela?(\S*)'", ln)
        if m:
            sec = m.group(1)
            continue
        if sec is None or sec.startswith((".debug", ".eh_frame")):
            continue
        m = re.match(r"\s*[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+[0-9a-f]+\s+(\S+)", ln)
        if m:
            name = re.sub(r"^\.text\.", "", m.group(1)).split("@")[0]
            out.setdefault(name, set()).add(sec)
    return out


def check_lib(lib, objects, gc, exported, test_only, table):
    base = os.path.basename(lib)
    dyn = nm_names(lib, dynamic=True)
    for n in sorted(exported - dyn):
        problem("%s does not export %s, which the version script (shim/wrapped.def) lists"
                % (base, n))
    for n in sorted(dyn - exported):
        problem("%s exports %s, which shim/wrapped.def does not list" % (base, n))
    defs, refs = {}, {}
    for o in objects:
        for n, (typ, vis) in defined_globals(o).items():
            defs[n] = (typ, vis, o)
            if vis == "DEFAULT" and n not in table:
                what = "function" if typ == "FUNC" else "variable"
                problem("%s (in %s) defines the %s %s with default visibility, which "
                        "shim/wrapped.def does not list: the version script makes it local, "
                        "so it is not interposed" % (os.path.basename(o), base, what, n))
        for n, secs in referenced(o).items():
            refs.setdefault(n, set()).update(secs)
    if not gc:
        return
    present = nm_names(lib, dynamic=False)
    unreached = sorted(n for n, (typ, vis, o) in defs.items()
                       if typ == "FUNC" and n not in exported
                       and not (refs.get(n, set()) - {".text." + n}))
    for n in unreached:
        if n in present:
            problem("%s holds %s, which nothing in it calls (is it linked with --gc-sections?)"
                    % (base, n))
    for n in test_only:
        if n not in defs or defs[n][0] != "FUNC":
            problem("--test-only %s: no object of %s defines a function of that name" % (n, base))
        elif n in present:
            problem("%s holds %s, which only the unit tests call" % (base, n))
    print("exports_check: %s: %d exported; left out, as nothing calls them out of line: %s"
          % (base, len(dyn), ", ".join(n for n in unreached if n not in present) or "none"))


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    def_path, map_path, rest = argv[0], argv[1], argv[2:]
    test_only = []
    if rest[:1] == ["--test-only"]:
        test_only = [n for n in rest[1].split(",") if n]
        rest = rest[2:]
    libs = []
    for a in rest:
        if a in ("--lib", "--gc-lib"):
            libs.append([a == "--gc-lib", None, []])
        elif not libs:
            sys.stderr.write(__doc__)
            return 2
        elif libs[-1][1] is None:
            libs[-1][1] = a
        else:
            libs[-1][2] += [o for o in a.split(";") if o]
    entries = wrapped.entries(def_path)
    table = {e.name for e in entries}
    exported = map_names(map_path)
    for e in entries:
        if e.name not in exported and not e.conditional:
            problem("%s does not name %s, which shim/wrapped.def lists" % (map_path, e.name))
    for n in sorted(exported - table):
        problem("%s names %s, which shim/wrapped.def does not list" % (map_path, n))
    for gc, lib, objects in libs:
        if not objects:
            problem("%s: no object files given" % lib)
        check_lib(lib, objects, gc, exported, test_only, table)
    if problems:
        print("exports_check: %d problem(s)" % len(problems))
        return 1
    print("exports_check: every library exports exactly the %d names of shim/wrapped.def"
          % len(exported))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
