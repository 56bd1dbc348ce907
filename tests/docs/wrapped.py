"""shim/wrapped.def, the one list of wrapped functions, as the checks read it.

entries(path) -> [Entry(kind, ret, name, conditional)], in the file's order:
kind is "LS_WRAP", "LS_WRAP_VIA" or "LS_WRAP_ASM"; conditional is true for
an entry inside an #if (e.g. vfork, x86_64 only), which the version script
of another architecture leaves out.
"""
import collections
import re

Entry = collections.namedtuple("Entry", "kind ret name conditional")
ENTRY = re.compile(r"(LS_WRAP(?:_VIA|_ASM)?)\(\s*([^,()]+?)\s*,\s*(\w+)\s*,")


def entries(path):
    out, ifs = [], []  # ifs: for each open #if, whether it is a condition on entries
    for ln in open(path).read().splitlines():
        s = ln.strip()
        if re.match(r"#\s*if", s):
            ifs.append(not re.match(r"#\s*ifndef\s+LS_WRAP", s))  # not the defaults
        elif re.match(r"#\s*endif", s):
            ifs.pop()
        m = ENTRY.match(s)
        if m:
            out.append(Entry(m.group(1), m.group(2), m.group(3), any(ifs)))
    return out
