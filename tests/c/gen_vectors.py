#!/usr/bin/env python3
"""Turns the shared JSON vectors into a C table for tests/c/test_vectors.c.

Usage: gen_vectors.py OUT.h tests/vectors/apikey.json tests/vectors/basic.json

Every case of every file becomes one `vcase` (C string literals with explicit lengths, every
byte escaped safely). The generator refuses what the C runner could not check faithfully: an
unknown `op`, an unknown input or expectation field, a scope holding whitespace. A case is
never skipped.
"""

import base64
import json
import os
import sys

OPS = {
    "apikey": {"verify", "verify_record", "check_format", "lookup_digest"},
    "basic": {"parse", "verify", "load"},
}
INPUT_FIELDS = {
    "op", "pepper_hex", "config", "records", "record", "request", "scopes", "key",
    "header", "header_b64",
}
OK_FIELDS = {
    "subject", "method", "credential_id", "scopes", "claims", "claims_canonical",
    "expires_at", "environment", "digest", "user_id", "password", "users",
}
REQUEST_FIELDS = {"method", "target", "headers", "headers_b64"}


class VectorError(Exception):
    pass


def lit(data):
    """A C string literal for `data` (bytes or str) and its length: `"...", N`."""
    if data is None:
        return "{NULL, 0}"
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and c != "?":  # no trigraphs
            out.append(c)
        else:
            out.append("\\%03o" % b)  # octal escapes stop after 3 digits: never greedy
    return '{"%s", %d}' % ("".join(out), len(data))


def flag_lit(present, data):
    return "%d, %s" % (1 if present else 0, lit(data if present else None))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def strict_keys(what, got, allowed, case_id):
    unknown = set(got) - allowed
    if unknown:
        raise VectorError("%s: unknown %s field(s) %s" % (case_id, what, sorted(unknown)))


def emit_case(kind, case, arrays):
    cid = case["id"]
    inp = case["input"]
    exp = case["expect"]
    op = inp.get("op")
    if op not in OPS[kind]:
        raise VectorError("%s: unknown op %r in %s.json" % (cid, op, kind))
    strict_keys("input", inp, INPUT_FIELDS, cid)
    strict_keys("expect", exp, {"ok", "error", "challenge"}, cid)
    if ("ok" in exp) == ("error" in exp):
        raise VectorError("%s: expect needs exactly one of ok / error" % cid)
    n = len(arrays["names"])
    fields = []
    fields.append(".id = %s" % lit(cid))
    fields.append(".kind = %s" % lit(kind))
    fields.append(".op = %s" % lit(op))
    fields.append(".now = %dLL" % int(case["now"]))
    pepper = bytes.fromhex(inp["pepper_hex"]) if "pepper_hex" in inp else None
    fields.append(".pepper = %s" % lit(pepper))
    has_config = "config" in inp
    fields.append(".has_config = %d" % has_config)
    fields.append(".config_json = %s" % lit(json.dumps(inp["config"]) if has_config else None))
    env = inp["config"].get("environment") if has_config and isinstance(inp["config"], dict) else None
    fields.append(".config_env = %s" % lit(env))

    req = inp.get("request")
    fields.append(".has_request = %d" % (req is not None))
    if req is not None:
        strict_keys("request", req, REQUEST_FIELDS, cid)
        if "headers" in req and "headers_b64" in req:
            raise VectorError("%s: both headers and headers_b64" % cid)
        headers = []
        for name, value in req.get("headers", []):
            headers.append((name, value.encode("utf-8")))
        for name, value in req.get("headers_b64", []):
            headers.append((name, base64.b64decode(value, validate=True)))
        fields.append(".method = %s" % lit(req["method"]))
        fields.append(".target = %s" % lit(req["target"]))
        hname = "headers_%d" % n
        if headers:
            arrays["decls"].append(
                "static const vheader %s[] = {\n%s\n};"
                % (hname, ",\n".join("    {%s, %s}" % (lit(a), lit(b)) for a, b in headers))
            )
            fields.append(".headers = %s" % hname)
        fields.append(".n_headers = %d" % len(headers))

    scopes = inp.get("scopes")
    if scopes is not None:
        for s in scopes:
            if not s or any(ch.isspace() for ch in s):
                raise VectorError("%s: scope %r cannot travel space-separated" % (cid, s))
        fields.append(".scopes = %s" % lit(" ".join(scopes)))
    if "records" in inp:
        rname = "records_%d" % n
        recs = inp["records"]
        if recs:
            arrays["decls"].append(
                "static const vbytes %s[] = {\n%s\n};"
                % (rname, ",\n".join("    %s" % lit(json.dumps(r)) for r in recs))
            )
            fields.append(".records = %s" % rname)
        fields.append(".n_records = %d" % len(recs))
    if "record" in inp:
        fields.append(".record = %s" % lit(json.dumps(inp["record"])))
        fields.append(".has_record = 1")
    if "key" in inp:
        fields.append(".key = %s" % lit(inp["key"]))
    if "header" in inp and "header_b64" in inp:
        raise VectorError("%s: both header and header_b64" % cid)
    if "header" in inp:
        fields.append(".header = %s" % lit(inp["header"]))
    if "header_b64" in inp:
        fields.append(".header = %s" % lit(base64.b64decode(inp["header_b64"], validate=True)))

    fields.append(".expect_ok = %d" % ("ok" in exp))
    fields.append(".error = %s" % lit(exp.get("error")))
    fields.append(".has_challenge = %d" % ("challenge" in exp))
    fields.append(".challenge = %s" % lit(exp.get("challenge")))
    ok = exp.get("ok") or {}
    strict_keys("ok", ok, OK_FIELDS, cid)

    def text(field):
        present = field in ok
        value = ok.get(field)
        if present and value is not None and not isinstance(value, str):
            raise VectorError("%s: ok.%s is not a string" % (cid, field))
        fields.append(".has_%s = %d" % (field, present))
        fields.append(".%s_null = %d" % (field, present and value is None))
        fields.append(".want_%s = %s" % (field, lit(value if present else None)))

    for field in ("subject", "method", "credential_id", "environment", "digest", "user_id",
                  "password"):
        text(field)
    if "scopes" in ok:
        fields.append(".has_scopes = 1")
        fields.append(".want_scopes = %s" % lit(" ".join(ok["scopes"])))
    if "claims" in ok or "claims_canonical" in ok:
        claims = ok.get("claims_canonical")
        if claims is None:
            claims = canonical(ok["claims"])
        elif "claims" in ok and json.loads(claims) != ok["claims"]:
            raise VectorError("%s: claims_canonical differs from claims" % cid)
        fields.append(".has_claims = 1")
        fields.append(".want_claims = %s" % lit(claims))
    if "expires_at" in ok:
        fields.append(".has_expires_at = 1")
        if ok["expires_at"] is None:
            fields.append(".expires_at_null = 1")
        else:
            fields.append(".want_expires_at = %dLL" % int(ok["expires_at"]))
    if "users" in ok:
        fields.append(".has_users = 1")
        fields.append(".want_users = %d" % int(ok["users"]))

    arrays["names"].append(cid)
    arrays["cases"].append("    {\n        " + ",\n        ".join(fields) + ",\n    }")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, inputs = argv[1], argv[2:]
    arrays = {"decls": [], "cases": [], "names": []}
    for path in inputs:
        kind = os.path.splitext(os.path.basename(path))[0]
        if kind not in OPS:
            raise VectorError("%s: no C runner knows this vector file" % path)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        cases = doc["cases"]
        if not cases:
            raise VectorError("%s: no cases" % path)
        for case in cases:
            emit_case(kind, case, arrays)
    text = [
        "/* GENERATED by tests/c/gen_vectors.py from %s; do not edit. */"
        % ", ".join(os.path.basename(p) for p in inputs),
        "#ifndef VECTORS_TABLE_H",
        "#define VECTORS_TABLE_H",
        "",
        *arrays["decls"],
        "",
        "static const vcase VECTOR_CASES[] = {",
        ",\n".join(arrays["cases"]),
        "};",
        "#define VECTOR_CASE_COUNT %d" % len(arrays["cases"]),
        "",
        "#endif",
        "",
    ]
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("\n".join(text))
    os.replace(tmp, out_path)
    print("gen_vectors: %d cases -> %s" % (len(arrays["cases"]), out_path))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (VectorError, KeyError, ValueError) as e:
        print("gen_vectors: error: %s" % e, file=sys.stderr)
        sys.exit(1)
