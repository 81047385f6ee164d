#!/usr/bin/env python3
"""The C ABI check: the header's ABI against the committed record of it (ffi/abi.txt).

The record holds the version it was written at and one line per ABI entry of
ffi/include/portcullis.h: every function prototype (parameter types, not names), type (opaque
handles, structs with their fields, callbacks) and constant (`#define PORTCULLIS_*` values),
comments and layout removed.
The rules (docs/C_ABI.md):

- no change: passes, whatever the version;
- entries only added: the version must be above the record's (a minor bump at least);
- an entry removed or changed (a prototype, a struct's fields, a constant's value): a breaking
  change, the major version must be above the record's (the minor one while the major is 0);
- a symbol the shared library exports that the header does not declare, or the reverse: fails.

When the version has been bumped as the rules ask, `UPDATE_ABI=1` rewrites the record (commit
it with the bump). Usage: check_abi.py HEADER RECORD CARGO_TOML [SHARED_LIBRARY]
"""

import os
import re
import subprocess
import sys

# Version macros change with every release by design; the include guard is no ABI.
NOT_ABI = {"PORTCULLIS_H", "PORTCULLIS_VERSION_MAJOR", "PORTCULLIS_VERSION_MINOR",
           "PORTCULLIS_VERSION_PATCH"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def without_parameter_names(decl):
    """`int f(const uint8_t*p,size_t n);` -> `int f(const uint8_t*,size_t);`: a parameter's
    name is no part of the ABI (its type and position are)."""
    m = re.match(r"^(.*?\()(.*)(\);)$", decl)
    if not m or m.group(2) in ("", "void"):
        return decl
    params = []
    for param in m.group(2).split(","):
        named = re.match(r"^(.*[\s*])(\w+)$", param)
        params.append(named.group(1).strip() if named else param)
    return m.group(1) + ",".join(params) + m.group(3)


def entries(header_text):
    """name -> normalised declaration, for every ABI entry of the header."""
    text = strip_comments(header_text)
    out = {}
    body = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            m = re.match(r"#define\s+(PORTCULLIS_\w+)\s+(.+)$", stripped)
            if m and m.group(1) not in NOT_ABI:
                out[m.group(1)] = f"#define {m.group(1)} {' '.join(m.group(2).split())}"
            continue
        if stripped in ('extern "C" {', "}"):
            continue
        body.append(line)
    depth = 0
    statement = []
    for ch in "\n".join(body):
        statement.append(ch)
        depth += ch == "{"
        depth -= ch == "}"
        if ch == ";" and depth == 0:
            decl = " ".join("".join(statement).split())
            statement = []
            decl = re.sub(r"\s*([(),;*{}])\s*", r"\1", decl)
            if decl.startswith("typedef"):
                name = re.search(r"(\w+)\s*(?:\)\s*\(.*\))?;$", decl)
                fn_ptr = re.search(r"\(\*(\w+)\)", decl)
                key = fn_ptr.group(1) if fn_ptr else name.group(1)
                if fn_ptr:
                    decl = without_parameter_names(decl)
            else:
                key = re.search(r"(portcullis_\w+)\(", decl).group(1)
                decl = without_parameter_names(decl)
            out[key] = decl
    if "".join(statement).strip():
        raise SystemExit(f"check_abi: unparsed text at the end of the header: {''.join(statement)[:200]!r}")
    return out


def read_record(path):
    version, record = None, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# version "):
                version = line[len("# version "):].strip()
            elif line and not line.startswith("#"):
                name, _, decl = line.partition("\t")
                record[name] = decl
    if version is None:
        raise SystemExit(f"check_abi: {path} has no '# version' line")
    return version, record


def write_record(path, version, current):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# The C ABI of ffi/include/portcullis.h at this version (tests/abi/check_abi.py;\n")
        f.write("# docs/C_ABI.md). Regenerate after a version bump: UPDATE_ABI=1 make abi-check\n")
        f.write(f"# version {version}\n")
        for name in sorted(current):
            f.write(f"{name}\t{current[name]}\n")


def cargo_version(path):
    with open(path, encoding="utf-8") as f:
        m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), flags=re.M)
    if not m:
        raise SystemExit(f"check_abi: no version in {path}")
    return m.group(1)


def parse_version(text):
    parts = re.match(r"(\d+)\.(\d+)\.(\d+)", text)
    if not parts:
        raise SystemExit(f"check_abi: {text!r} is not a semantic version")
    return tuple(int(p) for p in parts.groups())


def breaking_bump(old, new):
    """True when `new` may break `old`'s ABI: a major bump, or a minor one while the major is 0."""
    if old[0] == 0 and new[0] == 0:
        return new[1] > old[1]
    return new[0] > old[0]


def exported_functions(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines()
            if line.split()[-1].startswith("portcullis_") and line.split()[-2] in ("T", "W")}


def main():
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    header, record_path, cargo_toml = sys.argv[1:4]
    with open(header, encoding="utf-8") as f:
        current = entries(f.read())
    version = cargo_version(cargo_toml)
    problems = []

    if len(sys.argv) == 5:
        declared = {n for n, d in current.items() if not d.startswith(("typedef", "#define"))}
        exported = exported_functions(sys.argv[4])
        for name in sorted(exported - declared):
            problems.append(f"{name}: exported by the library, not declared in the header")
        for name in sorted(declared - exported):
            problems.append(f"{name}: declared in the header, not exported by the library")

    if os.environ.get("UPDATE_ABI") == "1":
        if problems:
            raise SystemExit("check_abi: not written:\n  " + "\n  ".join(problems))
        write_record(record_path, version, current)
        print(f"check_abi: wrote {record_path} ({len(current)} entries, version {version})")
        return

    recorded_version, record = read_record(record_path)
    added = sorted(set(current) - set(record))
    removed = sorted(set(record) - set(current))
    changed = sorted(n for n in set(current) & set(record) if current[n] != record[n])
    old, new = parse_version(recorded_version), parse_version(version)
    if removed or changed:
        if not breaking_bump(old, new):
            for name in removed:
                problems.append(f"{name}: removed (was: {record[name]})")
            for name in changed:
                problems.append(f"{name}: changed\n    was: {record[name]}\n    now: {current[name]}")
            problems.append(f"removing or changing an entry breaks the ABI: the version "
                            f"({version}) must be a {'minor' if old[0] == 0 else 'major'} "
                            f"bump above {recorded_version}, then UPDATE_ABI=1 make abi-check")
    elif added and not new[:2] > old[:2]:
        for name in added:
            problems.append(f"{name}: added")
        problems.append(f"adding to the ABI needs a version above {recorded_version} "
                        f"(a minor bump), then UPDATE_ABI=1 make abi-check")
    if problems:
        print("check_abi: the C ABI differs from ffi/abi.txt:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        raise SystemExit(1)
    if added or removed or changed:
        print(f"check_abi: {len(added)} added, {len(removed)} removed, {len(changed)} changed, "
              f"allowed by the bump {recorded_version} -> {version}; record them with "
              f"UPDATE_ABI=1 make abi-check")
    else:
        print(f"check_abi: the C ABI matches ffi/abi.txt ({len(current)} entries, "
              f"version {recorded_version})")


if __name__ == "__main__":
    main()
