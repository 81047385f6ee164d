#!/usr/bin/env python3
"""Writes hmac.json: the shared vectors of PCS1 request signing and RFC 9530 Content-Digest.

An independent reference of docs/SIGNING.md, not a copy of the Rust code: canonicalisation,
header parsing and the verifier's order of checks are re-implemented here from the spec, MACs
come from the stdlib hmac module, digests from hashlib. Every expected outcome is computed by
this reference AND compared with the outcome the case was written to show, so a case whose
label and reference disagree stops the generator. Stdlib only: python3 tests/vectors/gen_hmac.py
"""

import base64
import hashlib
import hmac
import json
import pathlib
import re

HERE = pathlib.Path(__file__).parent
NOW = 1750000000
RFC_MISC = pathlib.Path("/work/shared/vectors/rfc-misc/rfc_misc_vectors.json")

SECRET_A = bytes(range(0x20, 0x40))  # 32 bytes, hmac-sha256
SECRET_B = bytes(range(0x40, 0x80))  # 64 bytes, hmac-sha512
SECRET_OLD = bytes([0xA5]) * 32  # rotation: the old and the new secret of svc-rot
SECRET_NEW = bytes(range(0x80, 0xA0))
SECRET_WRONG = bytes([0x5A]) * 32
NONCE = "dmVjdG9yLW5vbmNlLTAwMQ"  # 22 chars: 16 bytes as unpadded base64url
NONCE2 = "dmVjdG9yLW5vbmNlLTAwMg"

SCHEMES = {"hmac-sha256": ("PCS1-HMAC-SHA256", hashlib.sha256),
           "hmac-sha512": ("PCS1-HMAC-SHA512", hashlib.sha512)}
DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
PATH_LITERAL = UNRESERVED | set(b"!$&'()*+,;=:@/")
HEXDIGITS = set(b"0123456789abcdefABCDEF")
TCHAR = "!#$%&'*+.^_`|~0-9A-Za-z-"


class Refusal(Exception):
    """A refusal, named by its portcullis error code."""


def b64(data):
    return base64.b64encode(data).decode()


def b64_strict(text, code):
    """Standard padded base64, canonical (re-encoding gives the same text)."""
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text) or len(text) % 4:
        raise Refusal(code)
    raw = base64.b64decode(text, validate=True)
    if b64(raw) != text:
        raise Refusal(code)
    return raw


# ---------------------------------------------------------------- canonical request


def pct(byte):
    return "%%%02X" % byte


def unescape(raw, i):
    pair = raw[i + 1:i + 3]
    if len(pair) != 2 or not all(c in HEXDIGITS for c in pair):
        raise Refusal("request_invalid")
    return int(pair, 16)


def canonical_path(path):
    if not path.startswith("/"):
        raise Refusal("request_invalid")
    raw, out, i = path.encode("ascii"), [], 0
    while i < len(raw):
        if raw[i] == 0x25:
            byte = unescape(raw, i)
            out.append(chr(byte) if byte in UNRESERVED else pct(byte))
            i += 3
        else:
            out.append(chr(raw[i]) if raw[i] in PATH_LITERAL else pct(raw[i]))
            i += 1
    text = "".join(out)
    if any(seg in (".", "..") for seg in text.split("/")):
        raise Refusal("request_invalid")
    return text


def canonical_component(text):
    raw, decoded, i = text.encode("ascii"), bytearray(), 0
    while i < len(raw):
        if raw[i] == 0x25:
            decoded.append(unescape(raw, i))
            i += 3
        else:
            decoded.append(0x20 if raw[i] == 0x2B else raw[i])
            i += 1
    return "".join(chr(b) if b in UNRESERVED else pct(b) for b in decoded)


def canonical_query(query):
    pairs = []
    for piece in (query or "").split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((canonical_component(name), canonical_component(value)))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def header_values(req, name):
    return [v.strip(" \t") for n, v in req["headers"] if n.lower() == name]


def canonical(req, p, extra=None):
    path, _, query = req["target"].partition("?")
    lines = [SCHEMES[p["algorithm"]][0], p["keyid"], str(p["ts"]), p["nonce"],
             req["method"].upper(), canonical_path(path), canonical_query(query),
             ";".join(p["headers"])]
    for name in p["headers"]:
        if extra and extra[0] == name:
            lines.append(f"{name}:{extra[1]}")
            continue
        values = header_values(req, name)
        if not values:
            raise Refusal("signature_component_missing")
        lines.append(f"{name}:{','.join(values)}")
    return "\n".join(lines)


# ---------------------------------------------------------------- Content-Digest (RFC 9530)

SF_KEY = re.compile(r"[a-z*][a-z0-9_.*-]*")


def content_digest(body, alg="sha-256"):
    return f"{alg}=:{b64(DIGESTS[alg](body).digest())}:"


def verify_content_digest(value, body):
    members = {}
    text = value.strip(" ")
    if not text:
        raise Refusal("signature_malformed")
    for member in text.split(","):
        member = member.strip(" \t")
        key, eq, rest = member.partition("=")
        m = re.fullmatch(r":([A-Za-z0-9+/=]*):", rest)
        if not eq or not SF_KEY.fullmatch(key) or not m or key in members or len(members) == 16:
            raise Refusal("signature_malformed")
        members[key] = m.group(1)
    checks = []
    for key, text in members.items():
        if key in DIGESTS:
            raw = b64_strict(text, "signature_malformed")
            if len(raw) != DIGESTS[key]().digest_size:
                raise Refusal("signature_malformed")
            checks.append((key, raw))
    if not checks:
        raise Refusal("signature_algorithm_unsupported")
    if body is None:
        raise Refusal("signature_body_missing")
    if not all(hmac.compare_digest(DIGESTS[k](body).digest(), raw) for k, raw in checks):
        raise Refusal("signature_digest_mismatch")
    return "sha-512" if "sha-512" in dict(checks) else "sha-256"


# ---------------------------------------------------------------- signer


def body_of(req):
    if "body_b64" in req:
        return base64.b64decode(req["body_b64"])
    return req["body"].encode() if req.get("body") is not None else None


def sign(req, key_id, alg, secret, headers=("host",), ts=NOW, nonce=NONCE, digest="sha-256"):
    """Returns (authorization, content_digest or None), as the Rust signer must."""
    if len(secret) < 32:
        raise Refusal("signature_secret_invalid")
    names = [h.lower() for h in headers]
    body = body_of(req)
    added = None
    if body:
        present = header_values(req, "content-digest")
        if present:
            verify_content_digest(",".join(present), body)
        else:
            added = content_digest(body, digest)
        if "content-digest" not in names:
            names.append("content-digest")
    if not re.fullmatch(r"[A-Za-z0-9_-]{22,128}", nonce):
        raise Refusal("invalid_argument")
    p = {"algorithm": alg, "keyid": key_id, "ts": ts, "nonce": nonce, "headers": names}
    text = canonical(req, p, ("content-digest", added) if added else None)
    sig = hmac.new(secret, text.encode("latin-1"), SCHEMES[alg][1]).digest()
    auth = (f'{SCHEMES[alg][0]} keyid="{key_id}", ts={ts}, nonce="{nonce}", '
            f'headers="{";".join(names)}", sig="{b64(sig)}"')
    return auth, added


def signed(req, key_id="svc-a", alg="hmac-sha256", secret=SECRET_A, **kw):
    """`req` with the signature headers added."""
    auth, added = sign(req, key_id, alg, secret, **kw)
    out = dict(req, headers=list(req["headers"]))
    if added:
        out["headers"].append(["Content-Digest", added])
    out["headers"].append(["Authorization", auth])
    return out


# ---------------------------------------------------------------- verifier

PARAM = re.compile(r"[ \t]*([" + TCHAR + r"]+)[ \t]*=[ \t]*(?:\"((?:[\t\x20\x21\x23-\x5b\x5d-\x7e]"
                   r"|\\[\t\x20-\x7e])*)\"|([" + TCHAR + r"]+))[ \t]*(,|$)")


def parse_params(credentials):
    out, pos = {}, 0
    while True:
        m = PARAM.match(credentials, pos)
        if not m:
            raise Refusal("signature_malformed")
        name = m.group(1)
        value = re.sub(r"\\(.)", r"\1", m.group(2)) if m.group(2) is not None else m.group(3)
        if name not in ("keyid", "ts", "nonce", "headers", "sig") or name in out:
            raise Refusal("signature_malformed")
        out[name] = value
        pos = m.end()
        if m.group(4) == "":
            return out


def parse_authorization(req):
    values = [v for n, v in req["headers"] if n.lower() == "authorization"]
    if len(values) > 1:
        raise Refusal("credentials_ambiguous")
    if not values:
        raise Refusal("signature_missing")
    scheme, _, credentials = values[0].strip(" \t").partition(" ")
    alg = next((a for a, (s, _) in SCHEMES.items() if s.lower() == scheme.lower()), None)
    if alg is None:
        raise Refusal("signature_algorithm_unsupported"
                      if scheme.upper().startswith("PCS1-HMAC-") else "signature_missing")
    p = parse_params(credentials.strip(" \t"))
    if set(p) != {"keyid", "ts", "nonce", "headers", "sig"}:
        raise Refusal("signature_malformed")
    ok = (re.fullmatch(r"[A-Za-z0-9._~+/=:@-]{1,128}", p["keyid"])
          and re.fullmatch(r"0|[1-9][0-9]{0,14}", p["ts"])
          and re.fullmatch(r"[A-Za-z0-9_-]{22,128}", p["nonce"])
          and len(p["sig"]) <= 128)
    names = p["headers"].split(";")
    ok = ok and len(names) == len(set(names)) <= 64 and all(
        re.fullmatch(r"[a-z0-9!#$%&'*+.^_`|~-]+", n) and n != "authorization" for n in names)
    if not ok:
        raise Refusal("signature_malformed")
    sig = b64_strict(p["sig"], "signature_malformed")
    return {"algorithm": alg, "keyid": p["keyid"], "ts": int(p["ts"]), "nonce": p["nonce"],
            "headers": names, "sig": sig}


def load_config(config):
    keys = {}
    for k in config.get("keys", []):
        secrets = [b64_strict(s, "signature_secret_invalid") for s in k["secrets_b64"]]
        if not secrets or any(len(s) < 32 for s in secrets):
            raise Refusal("signature_secret_invalid")
        keys[k["key_id"]] = dict(k, secrets=secrets)
    return keys


class Verifier:
    def __init__(self, config):
        self.config = config
        self.keys = load_config(config)
        self.window = config.get("window_seconds", 300)
        self.required = config.get("required_headers", ["host"])
        self.seen = {}

    def verify(self, req, now):
        p = parse_authorization(req)
        key = self.keys.get(p["keyid"])
        if key is None:
            raise Refusal("signature_key_unknown")
        if key["algorithm"] != p["algorithm"]:
            raise Refusal("signature_algorithm_unsupported")
        if now - p["ts"] > self.window:
            raise Refusal("signature_expired")
        if p["ts"] - now > self.window:
            raise Refusal("signature_not_yet_valid")
        if any(h not in p["headers"] for h in self.required):
            raise Refusal("signature_component_missing")
        body = body_of(req)
        if body and "content-digest" not in p["headers"]:
            raise Refusal("signature_component_missing")
        declared = header_values(req, "transfer-encoding") or any(
            v.strip("0") for v in header_values(req, "content-length"))
        if body is None and declared:
            raise Refusal("signature_body_missing")
        text = canonical(req, p).encode("latin-1")
        digestmod = SCHEMES[p["algorithm"]][1]
        if not any(hmac.compare_digest(hmac.new(s, text, digestmod).digest(), p["sig"])
                   for s in key["secrets"]):
            raise Refusal("signature_mismatch")
        if "content-digest" in p["headers"]:
            verify_content_digest(",".join(header_values(req, "content-digest")), body)
        replay = (p["keyid"], p["nonce"])
        if self.seen.get(replay, -1) > now:
            raise Refusal("signature_replayed")
        self.seen[replay] = p["ts"] + self.window + 1
        claims = {"algorithm": p["algorithm"], "nonce": p["nonce"],
                  "signed_headers": p["headers"], "timestamp": p["ts"]}
        return {"subject": key.get("subject") or key["key_id"], "method": "hmac",
                "credential_id": key["key_id"], "scopes": key.get("scopes", []),
                "claims": claims, "expires_at": None,
                "claims_canonical": json.dumps(claims, sort_keys=True, separators=(",", ":"))}


# ---------------------------------------------------------------- cases

CASES = []


def case(cid, source, op, inp, run, want, now=NOW, challenge=None):
    """Adds a case; `run` computes the outcome with this reference, `want` is the intent:
    "ok" or an error code name."""
    try:
        expect = {"ok": run()}
    except Refusal as r:
        expect = {"error": str(r)}
    got = "ok" if "ok" in expect else expect["error"]
    assert got == want, f"{cid}: reference says {got}, case meant {want}"
    if challenge:
        expect["challenge"] = challenge
    CASES.append({"id": cid, "source": source, "now": now, "input": dict(op=op, **inp),
                  "expect": expect})


def key_json(key_id, alg, secrets, subject=None, scopes=None):
    k = {"key_id": key_id, "algorithm": alg, "secrets_b64": [b64(s) for s in secrets]}
    if subject:
        k["subject"] = subject
    if scopes is not None:
        k["scopes"] = scopes
    return k


CONFIG = {"realm": "api", "window_seconds": 300, "required_headers": ["host"], "keys": [
    key_json("svc-a", "hmac-sha256", [SECRET_A], "billing", ["orders:write"]),
    key_json("svc-b", "hmac-sha512", [SECRET_B]),
    key_json("svc-rot", "hmac-sha256", [SECRET_NEW, SECRET_OLD], "rotating"),
]}


def chal(error=None, description=None, scheme="PCS1-HMAC-SHA256"):
    c = f'{scheme} realm="api", headers="host"'
    if error:
        c += f', error="{error}", error_description="{description}"'
    return c


def request(method="GET", target="/v1/orders?limit=10&after=abc", headers=None, body=None):
    r = {"method": method, "target": target,
         "headers": headers if headers is not None else [["Host", "api.example.com"]]}
    if body is not None:
        r["body"] = body
    return r


def add_rfc4231():
    misc = json.loads(RFC_MISC.read_text())
    hashes = {"hmac-sha256": ("hmac_sha256", hashlib.sha256),
              "hmac-sha512": ("hmac_sha512", hashlib.sha512)}
    for tc in misc["rfc4231_hmac"]:
        for alg, (field, fn) in hashes.items():
            key, data = bytes.fromhex(tc["key_hex"]), bytes.fromhex(tc["data_hex"])
            published = tc[field]
            src = f"RFC 4231 test case {tc['case']} ({alg.upper()})"
            inp = {"algorithm": alg, "key_hex": tc["key_hex"], "data_hex": tc["data_hex"]}
            full = hmac.new(key, data, fn).hexdigest()
            if tc["case"] == 5:
                # Published truncated to 128 bits: a full-length verifier must refuse it.
                assert full.startswith(published)
                case(f"rfc4231-{tc['case']}-{alg}-truncated-tag", src, "hmac",
                     dict(inp, tag_hex=published),
                     lambda: (_ for _ in ()).throw(Refusal("signature_mismatch")),
                     "signature_mismatch")
                continue
            assert full == published, src
            case(f"rfc4231-{tc['case']}-{alg}", src, "hmac", inp,
                 lambda full=full: {"mac_hex": full}, "ok")
    tc = misc["rfc4231_hmac"][1]
    case("rfc4231-2-hmac-sha256-tag-verifies", "RFC 4231 test case 2 (HMAC-SHA256)", "hmac",
         {"algorithm": "hmac-sha256", "key_hex": tc["key_hex"], "data_hex": tc["data_hex"],
          "tag_hex": tc["hmac_sha256"]},
         lambda: {"mac_hex": tc["hmac_sha256"], "valid": True}, "ok")
    flipped = tc["hmac_sha512"][:-1] + ("6" if tc["hmac_sha512"][-1] != "6" else "7")
    case("rfc4231-2-hmac-sha512-flipped-tag", "RFC 4231 test case 2 (HMAC-SHA512), last nibble "
         "changed", "hmac",
         {"algorithm": "hmac-sha512", "key_hex": tc["key_hex"], "data_hex": tc["data_hex"],
          "tag_hex": flipped},
         lambda: (_ for _ in ()).throw(Refusal("signature_mismatch")), "signature_mismatch")


def add_content_digest():
    hello = '{"hello": "world"}'
    src9421 = "RFC 9421 Appendix B.2 (Content-Digest of the test request body)"
    for cid, src, body, alg in [
        ("cd-rfc9421-sha512", src9421, hello, "sha-512"),
        ("cd-hello-sha256", "portcullis (hashlib)", hello, "sha-256"),
        ("cd-empty-sha256", "portcullis (hashlib): SHA-256 of the empty string", "", "sha-256"),
        ("cd-hello-newline-sha512", "portcullis (hashlib)", hello + "\n", "sha-512"),
    ]:
        case(cid, src, "content_digest", {"algorithm": alg, "body": body},
             lambda b=body, a=alg: {"value": content_digest(b.encode(), a)}, "ok")
    assert content_digest(hello.encode(), "sha-512") == (
        "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
    d256 = content_digest(hello.encode())
    d512 = content_digest(hello.encode(), "sha-512")
    zero256 = "sha-256=:" + b64(bytes(32)) + ":"
    for cid, header, body, want in [
        ("cdv-sha256", d256, hello, "ok"),
        ("cdv-both-strongest", f"{d256}, {d512}", hello, "ok"),
        ("cdv-unknown-ignored", f"md5=:XrY7u+Ae7tCTyyK7j1rNww==:, {d256}, unixsum=:MzA=:", hello,
         "ok"),
        ("cdv-ows-around-commas", f"  {d256} ,\tmd5=:AA==:", hello, "ok"),
        ("cdv-only-unknown", "md5=:XrY7u+Ae7tCTyyK7j1rNww==:, sha=:AAAA:", hello,
         "signature_algorithm_unsupported"),
        ("cdv-mismatch-reserialised", d256, '{"hello":"world"}', "signature_digest_mismatch"),
        ("cdv-one-of-two-mismatch", f"{zero256}, {d512}", hello, "signature_digest_mismatch"),
        ("cdv-no-body", d256, None, "signature_body_missing"),
        ("cdv-duplicate-key", f"{d256}, {d256}", hello, "signature_malformed"),
        ("cdv-parameter", d256 + ";q=1", hello, "signature_malformed"),
        ("cdv-uppercase-key", d256.replace("sha-256", "SHA-256"), hello, "signature_malformed"),
        ("cdv-unpadded", d256.replace("=:", ":"), hello, "signature_malformed"),
        ("cdv-base64url", "sha-512=:" + base64.urlsafe_b64encode(
            hashlib.sha512(hello.encode()).digest()).decode() + ":", hello,
         "signature_malformed"),
        ("cdv-wrong-length", "sha-256=:" + b64(bytes(20)) + ":", hello, "signature_malformed"),
        ("cdv-trailing-comma", d256 + ",", hello, "signature_malformed"),
        ("cdv-token-value", "sha-256=abc", hello, "signature_malformed"),
        ("cdv-empty", "", hello, "signature_malformed"),
    ]:
        inp = {"header": header}
        if body is not None:
            inp["body"] = body
        case(cid, "RFC 9530 s2 / RFC 8941 s3.2 (portcullis strict subset)", "content_digest_verify",
             inp, lambda h=header, b=body: {
                 "algorithm": verify_content_digest(h, None if b is None else b.encode())}, want)


def params(headers=("host",), alg="hmac-sha256", keyid="svc-a", ts=NOW, nonce=NONCE):
    return {"algorithm": alg, "keyid": keyid, "ts": ts, "nonce": nonce, "headers": list(headers)}


def add_canonical():
    src = "portcullis PCS1 (docs/SIGNING.md s3)"
    post = request("post", "/v1/orders?b=2&a=1", [["Host", "api.example.com"],
                                                  ["Content-Type", " application/json "]])
    variants = [
        ("canon-basic-post", post, params(("host", "content-type")), "ok"),
        ("canon-path-normalised",
         request(target="/a%2fb/%7Euser/%41bc/x;v=1/:@!$&'()*+,/q|{}"), params(), "ok"),
        ("canon-query-sorted-encoded",
         request(target="/s?z=%7e&b=2&a=b+c&a=b%20a&&flag&=v&e=%2B&k=a=b"), params(), "ok"),
        ("canon-query-variant-equal",
         request(target="/s?k=a%3Db&e=%2b&=v&flag=&a=b%20a&a=b%20c&b=2&z=~"), params(), "ok"),
        ("canon-empty-query", request(target="/s?"), params(), "ok"),
        ("canon-repeated-header-joined",
         request(headers=[["Host", "api.example.com"], ["X-Trace", "a"], ["x-trace", " b, c"]]),
         params(("x-trace", "host")), "ok"),
        ("canon-sha512-lowercase-method", request(method="delete"), params(alg="hmac-sha512",
                                                                            keyid="svc-b"), "ok"),
        ("canon-dot-segment", request(target="/a/../admin"), params(), "request_invalid"),
        ("canon-encoded-dot-segment", request(target="/a/%2E%2e/admin"), params(),
         "request_invalid"),
        ("canon-bad-escape", request(target="/a%zzb"), params(), "request_invalid"),
        ("canon-bad-query-escape", request(target="/a?x=%4"), params(), "request_invalid"),
        ("canon-not-origin-form", request(target="http://api.example.com/a"), params(),
         "request_invalid"),
        ("canon-signed-header-absent", request(), params(("host", "x-absent")),
         "signature_component_missing"),
    ]
    for cid, req, p, want in variants:
        case(cid, src, "canonical_request", {"request": req, "params": p},
             lambda r=req, p=p: {"canonical": canonical(r, p)}, want)
    a = canonical(variants[2][1], params())
    b = canonical(variants[3][1], params())
    assert a.split("\n")[6] == b.split("\n")[6], "query variants must canonicalise equal"


def add_sign():
    src = "portcullis PCS1 (docs/SIGNING.md s5)"
    key_a = {"key_id": "svc-a", "algorithm": "hmac-sha256", "secret_b64": b64(SECRET_A)}
    key_b = {"key_id": "svc-b", "algorithm": "hmac-sha512", "secret_b64": b64(SECRET_B)}
    opts = {"headers": ["host"], "now": NOW, "nonce": NONCE}
    post = request("POST", "/v1/orders?b=2&a=1",
                   [["Host", "api.example.com"], ["Content-Type", "application/json"]],
                   '{"sku": "A-1", "qty": 2}')
    with_digest = dict(post, headers=post["headers"] + [
        ["Content-Digest", content_digest(post["body"].encode(), "sha-512")]])
    for cid, req, key, o, secret, want in [
        ("sign-get-sha256", request(), key_a, opts, SECRET_A, "ok"),
        ("sign-post-body-adds-digest", post, key_a, dict(opts, headers=["Host", "Content-Type"]),
         SECRET_A, "ok"),
        ("sign-post-sha512-key-sha512-digest", post, key_b, dict(opts, digest="sha-512"), SECRET_B,
         "ok"),
        ("sign-keeps-existing-digest", with_digest, key_a, opts, SECRET_A, "ok"),
        ("sign-empty-body-no-digest", dict(request("PUT"), body=""), key_a, opts, SECRET_A, "ok"),
        ("sign-short-secret", request(), dict(key_a, secret_b64=b64(bytes(31))), opts, bytes(31),
         "signature_secret_invalid"),
        ("sign-absent-header", request(), key_a, dict(opts, headers=["host", "date"]), SECRET_A,
         "signature_component_missing"),
        ("sign-bad-nonce", request(), key_a, dict(opts, nonce="too-short"), SECRET_A,
         "invalid_argument"),
    ]:
        def run(req=req, key=key, o=o, secret=secret):
            auth, added = sign(req, key["key_id"], key["algorithm"], secret,
                               headers=o["headers"], ts=o["now"], nonce=o["nonce"],
                               digest=o.get("digest", "sha-256"))
            return {"authorization": auth, "content_digest": added}
        case(cid, src, "sign", {"request": req, "key": key, "options": o}, run, want)


def replace_auth(req, fn):
    """`req` with its Authorization value passed through `fn`."""
    return dict(req, headers=[[n, fn(v) if n == "Authorization" else v]
                              for n, v in req["headers"]])


def set_param(name, value):
    return lambda a: re.sub(rf'{name}=("[^"]*"|[^,]*)', f"{name}={value}", a, count=1)


def add_verify():
    src = "portcullis PCS1 (docs/SIGNING.md s6)"
    body = '{"sku": "A-1", "qty": 2}'
    post = request("POST", "/v1/orders?b=2&a=1",
                   [["Host", "api.example.com"], ["Content-Type", "application/json"]], body)
    get = signed(request())
    good = signed(post, headers=("host", "content-type"))
    # Signed as if there were no body, then sent with one: Content-Digest is not covered.
    no_digest = dict(signed({k: v for k, v in post.items() if k != "body"}), body=body)
    # A client that signed a wrong Content-Digest: the MAC holds, the body does not match.
    wrong_digest = dict(signed({"method": "POST", "target": post["target"], "headers": post[
        "headers"] + [["Content-Digest", "sha-256=:" + b64(bytes(32)) + ":"]]},
        headers=("host", "content-digest")), body=body)
    md5_only = dict(post, headers=post["headers"] + [["Content-Digest", "md5=:AAAA:"]])
    md5_only = dict(signed({k: v for k, v in md5_only.items() if k != "body"},
                           headers=("host", "content-digest")), body=body)
    sig_of = re.compile(r'sig="([^"]*)"')

    def truncate(a):
        raw = base64.b64decode(sig_of.search(a).group(1))
        return sig_of.sub(f'sig="{b64(raw[:16])}"', a)

    def flip(a):
        raw = bytearray(base64.b64decode(sig_of.search(a).group(1)))
        raw[0] ^= 1
        return sig_of.sub(f'sig="{b64(bytes(raw))}"', a)

    def reorder(a):
        scheme, rest = a.split(" ", 1)
        parts = [p.strip() for p in rest.split(",")]
        return scheme + "  " + " ,\t".join(reversed(parts))

    def unsigned_digest(req):
        out = dict(req, headers=[h for h in req["headers"] if h[0] != "Authorization"])
        auth = sign({k: v for k, v in out.items() if k != "body"}, "svc-a", "hmac-sha256",
                    SECRET_A, headers=("host", "content-type"))[0]
        out["headers"] = out["headers"] + [["Content-Digest", content_digest(body.encode())],
                                           ["Authorization", auth]]
        return out

    def mutate(req, **kw):
        return dict(req, **kw)

    short = dict(CONFIG, keys=[key_json("svc-a", "hmac-sha256", [bytes(31)])])
    cases = [
        ("verify-get-ok", get, CONFIG, NOW, "ok", None),
        ("verify-post-ok", good, CONFIG, NOW, "ok", None),
        ("verify-sha512-ok", signed(post, "svc-b", "hmac-sha512", SECRET_B, digest="sha-512"),
         CONFIG, NOW, "ok", None),
        ("verify-rotated-old-secret-ok", signed(request(), "svc-rot", secret=SECRET_OLD), CONFIG,
         NOW, "ok", None),
        ("verify-rotated-new-secret-ok", signed(request(), "svc-rot", secret=SECRET_NEW), CONFIG,
         NOW, "ok", None),
        ("verify-equivalent-target-ok", mutate(good, target="/v1/%6Frders?a=1&&b=2"), CONFIG, NOW,
         "ok", None),
        ("verify-window-edge-past-ok", get, CONFIG, NOW + 300, "ok", None),
        ("verify-window-edge-future-ok", get, CONFIG, NOW - 300, "ok", None),
        ("verify-lowercase-scheme-ok", replace_auth(get, lambda a: a.replace(
            "PCS1-HMAC-SHA256", "pcs1-hmac-sha256")), CONFIG, NOW, "ok", None),
        ("verify-params-reordered-ok", replace_auth(good, reorder), CONFIG, NOW, "ok", None),
        ("verify-header-case-and-ows-ok", mutate(get, headers=[["HOST", "  api.example.com\t"]] +
                                                 get["headers"][1:]), CONFIG, NOW, "ok", None),
        ("verify-missing", request(), CONFIG, NOW, "signature_missing", chal()),
        ("verify-other-scheme", mutate(request(), headers=[["Host", "api.example.com"], [
            "Authorization", "Bearer abc"]]), CONFIG, NOW, "signature_missing", chal()),
        ("verify-scheme-sha1", replace_auth(get, lambda a: a.replace("SHA256", "SHA1")), CONFIG,
         NOW, "signature_algorithm_unsupported", None),
        ("verify-tampered-method", mutate(good, method="PUT"), CONFIG, NOW, "signature_mismatch",
         chal("invalid_signature", "Invalid signature.")),
        ("verify-tampered-path", mutate(good, target="/v1/orderz?b=2&a=1"), CONFIG, NOW,
         "signature_mismatch", None),
        ("verify-tampered-query", mutate(good, target="/v1/orders?b=3&a=1"), CONFIG, NOW,
         "signature_mismatch", None),
        ("verify-query-plus-is-space", mutate(signed(request(target="/s?q=a+b")),
                                              target="/s?q=a%2Bb"), CONFIG, NOW,
         "signature_mismatch", None),
        ("verify-tampered-host", mutate(good, headers=[["Host", "evil.example"]] +
                                        good["headers"][1:]), CONFIG, NOW, "signature_mismatch",
         None),
        ("verify-repeated-header-appended", mutate(good, headers=good["headers"] + [
            ["Content-Type", "text/plain"]]), CONFIG, NOW, "signature_mismatch", None),
        ("verify-tampered-body", mutate(good, body='{"sku": "A-1", "qty": 9}'), CONFIG, NOW,
         "signature_digest_mismatch",
         chal("invalid_signature", "The request body does not match its signature.")),
        ("verify-reserialised-json-body", mutate(good, body=json.dumps(json.loads(body),
                                                                       separators=(",", ":"))),
         CONFIG, NOW, "signature_digest_mismatch", None),
        ("verify-signed-wrong-digest", wrong_digest, CONFIG, NOW, "signature_digest_mismatch",
         None),
        ("verify-signed-md5-digest-only", md5_only, CONFIG, NOW,
         "signature_algorithm_unsupported", None),
        ("verify-body-without-content-digest", no_digest, CONFIG, NOW,
         "signature_component_missing", None),
        ("verify-content-digest-not-signed", unsigned_digest(good), CONFIG, NOW,
         "signature_component_missing", None),
        ("verify-host-gave-no-body", {k: v for k, v in good.items() if k != "body"}, CONFIG, NOW,
         "signature_body_missing",
         chal("invalid_request", "The request body is required to check its signature.")),
        ("verify-content-length-without-body", mutate(get, headers=get["headers"] + [
            ["Content-Length", "24"]]), CONFIG, NOW, "signature_body_missing", None),
        ("verify-stale-301", get, CONFIG, NOW + 301, "signature_expired",
         chal("invalid_signature", "The signature has expired.")),
        ("verify-future-301", get, CONFIG, NOW - 301, "signature_not_yet_valid", None),
        ("verify-short-secret-config", get, short, NOW, "signature_secret_invalid", None),
        ("verify-unknown-key", signed(request(), "svc-zz"), CONFIG, NOW, "signature_key_unknown",
         chal("invalid_signature", "Invalid signature.")),
        ("verify-sha512-scheme-on-sha256-key", signed(request(), "svc-a", "hmac-sha512",
                                                       SECRET_A), CONFIG, NOW,
         "signature_algorithm_unsupported",
         chal("invalid_signature", "Unsupported signature algorithm.", "PCS1-HMAC-SHA512")),
        ("verify-wrong-secret", signed(request(), secret=SECRET_WRONG), CONFIG, NOW,
         "signature_mismatch", None),
        ("verify-truncated-sig", replace_auth(get, truncate), CONFIG, NOW, "signature_mismatch",
         None),
        ("verify-flipped-sig-bit", replace_auth(get, flip), CONFIG, NOW, "signature_mismatch",
         None),
        ("verify-duplicate-param", replace_auth(get, lambda a: a + ', ts=1750000000'), CONFIG,
         NOW, "signature_malformed", chal("invalid_request", "Malformed signature.")),
        ("verify-unknown-param", replace_auth(get, lambda a: a + ', alg="hmac-sha256"'), CONFIG,
         NOW, "signature_malformed", None),
        ("verify-uppercase-param-name", replace_auth(get, lambda a: a.replace("keyid=", "KeyId=")),
         CONFIG, NOW, "signature_malformed", None),
        ("verify-ts-non-numeric", replace_auth(get, set_param("ts", "1.75e9")), CONFIG, NOW,
         "signature_malformed", None),
        ("verify-ts-leading-zero", replace_auth(get, set_param("ts", "01750000000")), CONFIG, NOW,
         "signature_malformed", None),
        ("verify-sig-not-base64", replace_auth(get, lambda a: a.replace('sig="', 'sig="*')),
         CONFIG, NOW, "signature_malformed", None),
        ("verify-sig-unpadded", replace_auth(get, lambda a: a.replace('=",', '",').rstrip('"')
                                              .rstrip("=") + '"'), CONFIG, NOW,
         "signature_malformed", None),
        ("verify-missing-nonce", replace_auth(get, lambda a: re.sub(r', nonce="[^"]*"', "", a)),
         CONFIG, NOW, "signature_malformed", None),
        ("verify-short-nonce", replace_auth(get, set_param("nonce", '"c2hvcnQtbm9uY2UtMTIzNA"'
                                                                     [:21] + '"')),
         CONFIG, NOW, "signature_malformed", None),
        ("verify-headers-uppercase", replace_auth(get, set_param("headers", '"Host"')), CONFIG,
         NOW, "signature_malformed", None),
        ("verify-headers-lists-authorization", replace_auth(get, set_param(
            "headers", '"host;authorization"')), CONFIG, NOW, "signature_malformed", None),
        ("verify-trailing-comma", replace_auth(get, lambda a: a + ","), CONFIG, NOW,
         "signature_malformed", None),
        ("verify-host-not-signed", signed(request(headers=[["Host", "api.example.com"],
                                                           ["Date", "x"]]), headers=("date",)),
         CONFIG, NOW, "signature_component_missing",
         chal("invalid_signature",
              "The signature does not cover the required parts of the request.")),
        ("verify-signed-header-removed", mutate(good, headers=[
            h for h in good["headers"] if h[0] != "Content-Type"]), CONFIG, NOW,
         "signature_component_missing", None),
        ("verify-two-authorization-headers", mutate(get, headers=get["headers"] + [
            get["headers"][-1]]), CONFIG, NOW, "credentials_ambiguous", None),
        ("verify-dot-segment-path", mutate(get, target="/v1/x/../orders?limit=10&after=abc"),
         CONFIG, NOW, "request_invalid", None),
    ]

    def noncanonical(a):
        value = sig_of.search(a).group(1)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        pad = len(value) - len(value.rstrip("="))
        i = len(value) - pad - 1
        changed = value[:i] + alphabet[alphabet.index(value[i]) ^ 1] + value[i + 1:]
        return sig_of.sub(f'sig="{changed}"', a)

    cases += [
        ("adv-verify-keyid-comma-injected", replace_auth(get, set_param("keyid", '"svc-a,ts=1"')),
         CONFIG, NOW, "signature_malformed", None),
        ("adv-verify-keyid-quote-escaped", replace_auth(get, set_param("keyid", '"svc\\"-a"')),
         CONFIG, NOW, "signature_malformed", None),
        ("adv-verify-sig-non-canonical-bits", replace_auth(get, noncanonical), CONFIG, NOW,
         "signature_malformed", None),
        ("adv-verify-ts-plus-sign", replace_auth(get, set_param("ts", "+1750000000")), CONFIG, NOW,
         "signature_malformed", None),
        ("adv-verify-ts-quoted-is-token", replace_auth(get, set_param("ts", '"1750000000"')), CONFIG,
         NOW, "ok", None),
        ("adv-verify-headers-space-separated", replace_auth(get, set_param("headers", '"host date"')),
         CONFIG, NOW, "signature_malformed", None),
        ("adv-verify-headers-empty-name", replace_auth(get, set_param("headers", '"host;;date"')),
         CONFIG, NOW, "signature_malformed", None),
        ("adv-verify-second-scheme-in-value", replace_auth(get, lambda a: a + ", PCS1-HMAC-SHA256 x=1"),
         CONFIG, NOW, "signature_malformed", None),
    ]
    for cid, req, config, now, want, challenge in cases:
        case(cid, src, "verify", {"config": config, "request": req},
             lambda r=req, c=config, n=now: Verifier(c).verify(r, n), want, now, challenge)

    # verify_sequence: one verifier, several requests in order.
    def run_seq(steps, config=CONFIG):
        def run():
            v = Verifier(config)
            results = []
            for step in steps:
                try:
                    v.verify(step["request"], step.get("now", NOW))
                    results.append("ok")
                except Refusal as r:
                    results.append(str(r))
            return {"results": results}
        return run

    other_nonce = signed(request(), nonce=NONCE2)
    by_b = signed(request(), "svc-b", "hmac-sha512", SECRET_B)
    for cid, steps, results in [
        ("seq-replay-same-request", [{"request": get}, {"request": get}],
         ["ok", "signature_replayed"]),
        ("seq-replay-later-in-window", [{"request": get}, {"request": get, "now": NOW + 299}],
         ["ok", "signature_replayed"]),
        ("seq-replay-after-window-is-stale", [{"request": get}, {"request": get, "now": NOW + 301}],
         ["ok", "signature_expired"]),
        ("seq-distinct-nonces", [{"request": get}, {"request": other_nonce}], ["ok", "ok"]),
        ("seq-failed-attempt-does-not-burn-nonce",
         [{"request": mutate(get, method="DELETE")}, {"request": get}],
         ["signature_mismatch", "ok"]),
        ("seq-replay-reformatted-header",
         [{"request": get}, {"request": replace_auth(get, reorder)}],
         ["ok", "signature_replayed"]),
        ("seq-nonce-scoped-per-key", [{"request": get}, {"request": by_b}], ["ok", "ok"]),
        ("seq-replay-after-tampered-copy",
         [{"request": good}, {"request": mutate(good, body='{"sku": "B-2", "qty": 1}')},
          {"request": good}],
         ["ok", "signature_digest_mismatch", "signature_replayed"]),
    ]:
        run = run_seq(steps)
        assert run()["results"] == results, cid
        case(cid, src + ", replay", "verify_sequence", {"config": CONFIG, "steps": steps}, run,
             "ok")


def main():
    add_rfc4231()
    add_content_digest()
    add_canonical()
    add_sign()
    add_verify()
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case id"
    doc = {"description": "portcullis shared vectors (PCS1 HMAC request signing, RFC 9530 "
                          "Content-Digest); written by gen_hmac.py", "cases": CASES}
    (HERE / "hmac.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    neg = sum(1 for c in CASES if "error" in c["expect"])
    print(f"hmac.json: {len(CASES)} cases, {neg} negative")


if __name__ == "__main__":
    main()
