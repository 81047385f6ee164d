#!/usr/bin/env python3
"""portcullis vs Python peers, side by side, in one process.

Method: every workload times each implementation in batches of `iters` calls with
`time.perf_counter_ns`; batches of the peers are interleaved (the order rotates each round) after
a warm-up, so drift on the machine hits every peer alike. A batch yields ns/op; we keep every
batch and report medians, quartiles and min/max. The loop overhead (one Python call per op) is
the same for every peer and is not subtracted.

    python bench/python/bench.py --out build/bench/python.json [--smoke] [--only webhook,apikey,basic,threads,jwt,mtls,gate,oauth]

Peers are optional: a peer whose package is not importable is skipped and the skip is recorded
(that is how `make bench-smoke` runs with only what `make test` installs).
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import hmac
import json
import os
import platform
import statistics
import sys
import threading
import time
from typing import Any, Callable

import portcullis
from gate import bench_gate
from harness import Plan, Results, calibrate, measure, rss_kib, summarize
from oauth import bench_oauth

try:
    import standardwebhooks  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - reported as skipped
    standardwebhooks = None
try:
    import argon2  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    argon2 = None
try:
    import bcrypt  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    bcrypt = None
try:
    import jwt as pyjwt  # PyJWT
    from cryptography.hazmat.primitives import serialization as crypto_serialization
except ImportError:  # pragma: no cover
    pyjwt = None
try:
    import joserfc.jwk  # type: ignore[import-untyped]
    import joserfc.jwt  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    joserfc = None  # type: ignore[assignment]
try:
    from cryptography import x509 as crypto_x509
    from cryptography.x509 import verification as crypto_verification
except ImportError:  # pragma: no cover
    crypto_x509 = None  # type: ignore[assignment]
    crypto_verification = None  # type: ignore[assignment]

# Timing: harness.py (Plan, measure, Results, rss_kib)


# ---------------------------------------------------------------------------------------------
# Inputs (deterministic; the same bytes for every peer)

SECRET_RAW = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(SECRET_RAW).decode()
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def json_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    head = b'{"type":"invoice.paid","data":{"id":"inv_1","pad":"'
    tail = b'"}}'
    fill = size - len(head) - len(tail)
    assert fill > 0
    return head + (b"abcdefghijklmnopqrstuvwxyz0123456789" * (fill // 36 + 1))[:fill] + tail


def webhook_inputs(size: int) -> tuple[bytes, dict[str, str], int]:
    body = json_body(size)
    ts = int(time.time())  # standardwebhooks checks the wall clock
    signer = portcullis.WebhookSigner("standard", SECRET)
    headers = {"content-type": "application/json"}
    for name, value in signer.sign(body, timestamp=ts, message_id=MSG_ID):
        headers[name.lower()] = value
    return body, headers, ts


def stdlib_floor_verify(key: bytes, body: bytes, headers: dict[str, str]) -> bool:
    """The least a correct Python handler can do: HMAC-SHA256 over id.ts.body, base64, compare."""
    msg_id = headers["webhook-id"]
    ts = headers["webhook-timestamp"]
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest())
    for entry in headers["webhook-signature"].split(" "):
        version, _, sig = entry.partition(",")
        if version == "v1" and hmac.compare_digest(expected, sig.encode()):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Workloads


def bench_webhook(res: Results, plan: Plan) -> None:
    verifier = portcullis.WebhookVerifier(secrets=[SECRET], replay_protection=False)
    for size, label in ((1024, "1k"), (65536, "64k")):
        body, headers, ts = webhook_inputs(size)

        # What a handler does: the raw body and the framework's headers (a dict of str) go
        # straight in; the receive time is the system clock's.
        def pc() -> None:
            verifier.verify_payload(body, headers)

        def floor() -> None:
            if not stdlib_floor_verify(SECRET_RAW, body, headers):
                raise AssertionError("floor rejected a valid signature")

        cases: dict[str, Callable[[], Any]] = {"portcullis": pc, "floor": floor}
        peers = {"floor": "stdlib hmac + compare_digest (floor)"}
        if standardwebhooks is not None:
            wh = standardwebhooks.Webhook(SECRET)

            def sw() -> None:
                wh.verify(body, headers, json_parse=False)

            cases["standardwebhooks"] = sw
            peers["standardwebhooks"] = f"standardwebhooks {version_of('standardwebhooks')} (json_parse=False)"
        elif label == "1k":
            res.skip("python: standardwebhooks not installed (peer of the webhook rows)")
        # Sanity: every case accepts the same valid input, and portcullis refuses a tampered body.
        for fn in cases.values():
            fn()
        try:
            verifier.verify_payload(body[:-1] + b"!", headers)
            raise AssertionError("tampered body accepted")
        except portcullis.SignatureError:
            pass
        res.add(f"webhook_standard_{label}", f"Standard Webhooks verify_payload, {size // 1024} KiB body", measure(cases, plan), peers)
        if label == "1k":
            # Informational, no peer: the same check through a Request built per call, so the
            # cost of building a Request stays visible.
            header_items = list(headers.items())

            def pc_request() -> None:
                verifier.verify(portcullis.Request("POST", "/webhooks", headers=header_items, body=body, now=ts))

            pc_request()
            res.add(
                "webhook_request_verify_1k",
                "Standard Webhooks Request + verify, 1 KiB body",
                measure({"portcullis": pc_request}, plan),
                {},
            )


def bench_apikey(res: Results, plan: Plan) -> None:
    pepper = bytes(range(100, 132))
    big = 1000 if plan.smoke else 1_000_000
    for count in (1, big):
        gc.collect()
        rss0 = rss_kib()
        ring = portcullis.ApiKeyRing(pepper=pepper, prefix="pc")
        target = ring.generate(subject="svc-billing", scopes=["orders:read"], now=1_700_000_000)
        ring.insert(target.record)
        t0 = time.perf_counter_ns()
        for _ in range(count - 1):
            ring.insert(ring.generate(now=1_700_000_000).record)
        fill_ns = time.perf_counter_ns() - t0
        gc.collect()
        rss1 = rss_kib()
        assert len(ring) == count
        if count > 1:
            res.notes[f"apikey_fill_{count}"] = {
                "keys": count,
                "generate_and_insert_seconds": fill_ns / 1e9,
                "per_key_us": fill_ns / 1e3 / (count - 1),
                "rss_delta_kib": rss1 - rss0,
                "rss_bytes_per_key": (rss1 - rss0) * 1024 / count,
            }
            print(
                f"  filled ring with {count:,} keys in {fill_ns / 1e9:.1f} s "
                f"({fill_ns / 1e3 / (count - 1):.2f} us/key), RSS +{(rss1 - rss0) / 1024:.0f} MiB "
                f"= {(rss1 - rss0) * 1024 / count:.0f} B/key",
                flush=True,
            )
        key = target.key
        auth = [("Authorization", f"Bearer {key}")]
        req = portcullis.Request("GET", "/orders", headers=auth, now=1_700_000_100)
        assert ring.verify(req, ["orders:read"]).subject == "svc-billing"
        # The floor: a hand-rolled peppered-digest lookup in a dict of the same size.
        table = {hashlib.sha256(i.to_bytes(8, "little")).digest(): i for i in range(count - 1)}
        digest = hmac.new(pepper, key.encode(), hashlib.sha256).digest()
        table[digest] = -1

        def pc_verify() -> None:
            ring.verify(req)

        def pc_build_verify() -> None:
            ring.verify(portcullis.Request("GET", "/orders", headers=auth, now=1_700_000_100))

        def floor() -> None:
            header = auth[0][1]
            if table[hmac.new(pepper, header[7:].encode(), hashlib.sha256).digest()] != -1:
                raise AssertionError

        label = "1M" if count == 1_000_000 else str(count)
        res.add(
            f"apikey_verify_{label}",
            f"API key verify, {count:,} keys (prepared Request)",
            measure({"portcullis": pc_verify, "floor": floor}, plan),
            {"floor": "stdlib hmac + dict lookup (floor)"},
        )
        res.add(
            f"apikey_build_verify_{label}",
            f"API key Request + verify, {count:,} keys",
            measure({"portcullis": pc_build_verify}, plan),
            {},
        )
        del ring, table
        gc.collect()


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def parse_basic(header: str) -> tuple[str, str]:
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


def bench_basic(res: Results, plan: Plan) -> None:
    slow = Plan(plan.smoke)
    slow.batches = 2 if plan.smoke else 7
    slow.batch_seconds = 0.001 if plan.smoke else 0.12
    slow.warmup_seconds = 0.001 if plan.smoke else 0.1
    password = "correct horse battery staple"
    # argon2id with portcullis' defaults (m=19456 KiB, t=2, p=1): the same stored hash for both.
    a_hash = portcullis.hash_password(password)
    a_auth = portcullis.BasicAuth(users={"alice": a_hash})
    a_header = basic_header("alice", password)

    def pc_argon2() -> None:
        a_auth.verify(portcullis.Request("GET", "/", headers=[("Authorization", a_header)]))

    cases: dict[str, Callable[[], Any]] = {"portcullis": pc_argon2}
    peers: dict[str, str] = {}
    if argon2 is not None:
        ph = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
        users = {"alice": a_hash}

        def cffi() -> None:
            user, pw = parse_basic(a_header)
            ph.verify(users[user], pw)

        cases["argon2-cffi"] = cffi
        peers["argon2-cffi"] = f"argon2-cffi {version_of('argon2-cffi')}"
    else:
        res.skip("python: argon2-cffi not installed (peer of the argon2id Basic row)")
    for fn in cases.values():
        fn()
    res.add("basic_argon2id", "Basic verify, argon2id m=19456 t=2 p=1", measure(cases, slow), peers)

    if bcrypt is None:
        res.skip("python: bcrypt not installed (peer and hash source of the bcrypt Basic row)")
        return
    b_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(10))
    b_auth = portcullis.BasicAuth(users={"bob": b_hash.decode()})
    b_header = basic_header("bob", password)
    b_users = {"bob": b_hash}

    def pc_bcrypt() -> None:
        b_auth.verify(portcullis.Request("GET", "/", headers=[("Authorization", b_header)]))

    def py_bcrypt() -> None:
        user, pw = parse_basic(b_header)
        if not bcrypt.checkpw(pw.encode(), b_users[user]):
            raise AssertionError

    cases = {"portcullis": pc_bcrypt, "bcrypt": py_bcrypt}
    for fn in cases.values():
        fn()
    res.add(
        "basic_bcrypt10",
        "Basic verify, bcrypt cost 10",
        measure(cases, slow),
        {"bcrypt": f"bcrypt {version_of('bcrypt')}"},
    )


def run_threads(fn: Callable[[], Any], threads: int, per_thread: int) -> float:
    """Wall seconds for `threads` threads each calling fn `per_thread` times."""
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(per_thread):
            fn()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for t in pool:
        t.join()
    return (time.perf_counter_ns() - t0) / 1e9


def bench_threads(res: Results, plan: Plan) -> None:
    verifier = portcullis.WebhookVerifier(secrets=[SECRET], replay_protection=False)
    workloads: list[tuple[str, str, Callable[[], Any]]] = []
    for size, label in ((1024, "1k"), (65536, "64k")):
        body, headers, _ = webhook_inputs(size)

        def wh(body: bytes = body, headers: dict[str, str] = headers) -> None:
            verifier.verify_payload(body, headers)

        workloads.append((f"webhook_standard_{label}", f"Standard Webhooks verify_payload, {size // 1024} KiB", wh))
    password = "correct horse battery staple"
    auth = portcullis.BasicAuth(users={"alice": portcullis.hash_password(password)})
    header = basic_header("alice", password)

    def basic_fn() -> None:
        auth.verify(portcullis.Request("GET", "/", headers=[("Authorization", header)]))

    workloads.append(("basic_argon2id", "Basic verify, argon2id (default params)", basic_fn))
    for group, op, fn in workloads:
        threads_entry(res, plan, group, op, fn)


def threads_entry(res: Results, plan: Plan, group: str, op: str, fn: Callable[[], Any]) -> None:
    """N calls on 1 thread vs N on each of 2 threads, alternating which goes first."""
    batches = 3 if plan.smoke else 9
    target = 0.005 if plan.smoke else 0.25
    _, per_op = calibrate(fn, 0.002 if plan.smoke else 0.1)
    n = max(2, int(target * 1e9 / per_op))
    one: list[float] = []
    two: list[float] = []
    ratios: list[float] = []
    for b in range(batches):
        order = (1, 2) if b % 2 == 0 else (2, 1)
        got = {}
        for k in order:
            got[k] = (k * n) / run_threads(fn, k, n)  # ops per second
        one.append(got[1])
        two.append(got[2])
        ratios.append(got[2] / got[1])
    entry = {
        "group": group,
        "op": op,
        "ops_per_thread_per_batch": n,
        "one_thread_ops_s": summarize(one),
        "two_threads_ops_s": summarize(two),
        "ratio": summarize(ratios),
    }
    res.throughput.append(entry)
    print(
        f"  threads: {op:<44} 1 thread {statistics.median(one):>10,.0f}/s  "
        f"2 threads {statistics.median(two):>10,.0f}/s  x{statistics.median(ratios):.2f}",
        flush=True,
    )


# JWT: one token per algorithm with 8 typical claims, the same keys and token for every library.
JWT_ISS = "https://issuer.example.com"
JWT_AUD = "https://api.example.com"
JWT_SECRET = bytes(range(200, 232))  # 32 bytes: the HS256 minimum of portcullis, PyJWT and joserfc
JWT_ALGS = ("HS256", "RS256", "ES256", "EdDSA")


def jwt_claims(ts: int) -> dict[str, Any]:
    # exp/nbf/iat around the wall clock: PyJWT and joserfc check against time.time().
    return {
        "iss": JWT_ISS,
        "sub": "user-1234567890",
        "aud": JWT_AUD,
        "exp": ts + 3600,
        "iat": ts,
        "nbf": ts,
        "jti": "3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00",
        "scope": "orders:read orders:write",
    }


def jwt_setup(alg: str, ts: int) -> tuple[str, Any, Any]:
    """(token, portcullis JwtVerifier over the public key, the private JwtKey)."""
    if alg == "HS256":
        key = portcullis.JwtKey.from_secret(JWT_SECRET, "HS256")
        public = key
    else:
        key = portcullis.JwtKey.generate(alg)
        public = portcullis.JwtKey.from_jwk(key.public_jwk())
    keys = portcullis.JwtKeySet()
    keys.insert(public)
    verifier = portcullis.JwtVerifier(keys, issuers=[JWT_ISS], audiences=[JWT_AUD], algorithms=[alg])
    return portcullis.jwt_encode(jwt_claims(ts), key), verifier, key


def bench_jwt(res: Results, plan: Plan) -> None:
    import warnings

    # joserfc warns (SecurityWarning) that "EdDSA" is deprecated by RFC 9864 on every decode.
    warnings.simplefilter("ignore")
    ts = int(time.time())
    claims = jwt_claims(ts)
    es256 = None
    if pyjwt is None:
        res.skip("python: PyJWT/cryptography not installed (peer of the JWT rows)")
    if joserfc is None:
        res.skip("python: joserfc not installed (peer of the JWT rows)")
    for alg in JWT_ALGS:
        token, verifier, key = jwt_setup(alg, ts)
        if alg == "ES256":
            es256 = (token, verifier)

        def pc(token: str = token, verifier: Any = verifier) -> Any:
            return verifier.verify_token(token, now=ts).claims

        cases: dict[str, Callable[[], Any]] = {"portcullis": pc}
        peers: dict[str, str] = {}
        if pyjwt is not None:
            if alg == "HS256":
                pkey: Any = JWT_SECRET
            else:
                pkey = crypto_serialization.load_pem_private_key(key.private_pem().encode(), None).public_key()

            def pj(token: str = token, pkey: Any = pkey, alg: str = alg) -> Any:
                return pyjwt.decode(token, pkey, algorithms=[alg], audience=JWT_AUD, issuer=JWT_ISS)

            cases["pyjwt"] = pj
            peers["pyjwt"] = f"PyJWT {version_of('PyJWT')} (cryptography {version_of('cryptography')})"
        if joserfc is not None:
            jkey = joserfc.jwk.OctKey.import_key(JWT_SECRET) if alg == "HS256" else joserfc.jwk.import_key(key.public_jwk())
            registry = joserfc.jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": JWT_ISS}, aud={"essential": True, "value": JWT_AUD}
            )

            def jr(token: str = token, jkey: Any = jkey, alg: str = alg, registry: Any = registry) -> Any:
                tok = joserfc.jwt.decode(token, jkey, algorithms=[alg])
                registry.validate(tok.claims)
                return tok.claims

            cases["joserfc"] = jr
            peers["joserfc"] = f"joserfc {version_of('joserfc')}"
        # Sanity: every case returns the same claims, and portcullis refuses a tampered token.
        for name, fn in cases.items():
            if fn() != claims:
                raise AssertionError(f"{name} returned other claims for {alg}")
        head, _, sig = token.rpartition(".")
        bad = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        try:
            verifier.verify_token(bad, now=ts)
            raise AssertionError("tampered token accepted")
        except portcullis.JwtError:
            pass
        res.add(f"jwt_verify_{alg.lower()}", f"JWT {alg} verify + claims (8 claims)", measure(cases, plan), peers)

    # HS256 sign: the same claims, the same secret.
    skey = portcullis.JwtKey.from_secret(JWT_SECRET, "HS256")
    cases = {"portcullis": lambda: portcullis.jwt_encode(claims, skey)}
    peers = {}
    if pyjwt is not None:
        cases["pyjwt"] = lambda: pyjwt.encode(claims, JWT_SECRET, algorithm="HS256")
        peers["pyjwt"] = f"PyJWT {version_of('PyJWT')}"
    if joserfc is not None:
        okey = joserfc.jwk.OctKey.import_key(JWT_SECRET)
        cases["joserfc"] = lambda: joserfc.jwt.encode({"alg": "HS256"}, claims, okey)
        peers["joserfc"] = f"joserfc {version_of('joserfc')}"
    ref = cases["portcullis"]()
    if pyjwt is not None and pyjwt.decode(ref, JWT_SECRET, algorithms=["HS256"], audience=JWT_AUD) != claims:
        raise AssertionError("PyJWT does not read portcullis' HS256 token")
    for fn in cases.values():
        fn()
    res.add("jwt_sign_hs256", "JWT HS256 sign (8 claims)", measure(cases, plan), peers)

    # ES256 verify from 2 threads vs 1 (portcullis).
    assert es256 is not None
    tok, ver = es256
    threads_entry(res, plan, "jwt_verify_es256", "JWT ES256 verify + claims", lambda: ver.verify_token(tok, now=ts).claims)


# ---------------------------------------------------------------------------------------------
# mTLS

MTLS_NOW = 1_700_000_000
MTLS_SPIFFE = "spiffe://bench.example/api"


def pem_der(pem: str) -> bytes:
    """The DER of the first certificate in `pem`."""
    lines = pem.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----BEGIN CERTIFICATE"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("-----END"))
    return base64.b64decode("".join(lines[start + 1 : end]))


def bench_mtls(res: Results, plan: Plan) -> None:
    nb, na = MTLS_NOW - 86_400, MTLS_NOW + 365 * 86_400
    root = portcullis.DevCa("bench root", not_before=nb, not_after=na)
    inter = root.issue_intermediate("bench intermediate", not_before=nb, not_after=na, path_len=0)
    leaf = inter.issue_client(spiffe_id=MTLS_SPIFFE, cn="api", not_before=nb, not_after=na)
    leaf_der, inter_der, root_der = leaf.der, pem_der(inter.intermediates_pem()), pem_der(root.ca_cert_pem())
    chain = [leaf_der, inter_der]
    verifier = portcullis.MtlsVerifier([root.ca_cert_pem()], spiffe_trust_domains=["bench.example"])

    def pc() -> Any:
        return verifier.verify_chain(chain, now=MTLS_NOW).subject

    cases: dict[str, Callable[[], Any]] = {"portcullis": pc}
    peers: dict[str, str] = {}
    if crypto_verification is None:
        res.skip("python: cryptography not installed (peer of the mTLS row)")
    elif not hasattr(crypto_verification.PolicyBuilder, "build_client_verifier"):
        res.skip(f"python: cryptography {version_of('cryptography')} has no build_client_verifier (peer of the mTLS row)")
    else:
        import datetime

        c_root = crypto_x509.load_der_x509_certificate(root_der)
        c_inter = crypto_x509.load_der_x509_certificate(inter_der)
        c_leaf = crypto_x509.load_der_x509_certificate(leaf_der)
        at = datetime.datetime.fromtimestamp(MTLS_NOW, tz=datetime.timezone.utc)
        client_verifier = (
            crypto_verification.PolicyBuilder()
            .store(crypto_verification.Store([c_root]))
            .time(at)
            .build_client_verifier()
        )

        def pyca() -> Any:
            return client_verifier.verify(c_leaf, [c_inter])

        verified = pyca()
        uris = [s.value for s in (verified.subjects or []) if isinstance(s, crypto_x509.UniformResourceIdentifier)]
        if uris != [MTLS_SPIFFE]:
            raise AssertionError(f"cryptography verified the chain with other subjects: {verified.subjects!r}")
        cases["pyca"] = pyca
        peers["pyca"] = f"cryptography {version_of('cryptography')} x509.verification client verifier"
    # Sanity: portcullis accepts the chain with the SPIFFE ID, and refuses a tampered leaf and a
    # chain under another root.
    if pc() != MTLS_SPIFFE:
        raise AssertionError("portcullis returned another subject for the mTLS chain")
    tampered = bytearray(leaf_der)
    tampered[-1] ^= 0x01
    other = portcullis.DevCa("other root", not_before=nb, not_after=na)
    stranger = other.issue_client(spiffe_id=MTLS_SPIFFE, not_before=nb, not_after=na)
    for bad, what in (([bytes(tampered), inter_der], "tampered leaf"), ([stranger.der], "untrusted chain")):
        try:
            verifier.verify_chain(bad, now=MTLS_NOW)
            raise AssertionError(f"{what} accepted")
        except portcullis.MtlsError:
            pass
    res.add("mtls_verify_p256", "mTLS client chain verify (P-256, 1 intermediate)", measure(cases, plan), peers)


def version_of(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true", help="tiny iteration counts: checks that it runs, measures nothing")
    ap.add_argument("--only", default="webhook,apikey,basic,threads,jwt,mtls,gate,oauth")
    args = ap.parse_args()
    plan = Plan(args.smoke)
    res = Results()
    only = set(args.only.split(","))
    print(f"python bench ({'smoke' if args.smoke else 'full'}): portcullis {portcullis.__version__}, Python {platform.python_version()}", flush=True)
    steps = [("webhook", bench_webhook), ("apikey", bench_apikey), ("basic", bench_basic), ("threads", bench_threads), ("jwt", bench_jwt), ("mtls", bench_mtls), ("gate", bench_gate), ("oauth", bench_oauth)]
    for name, step in steps:
        if name in only:
            print(f"== {name}", flush=True)
            step(res, plan)
    out = {
        "lang": "python",
        "smoke": args.smoke,
        "runtime": f"CPython {platform.python_version()}",
        "portcullis": portcullis.__version__,
        "peers": {d: version_of(d) for d in ("standardwebhooks", "argon2-cffi", "bcrypt", "PyJWT", "cryptography", "joserfc")},
        "batches": plan.batches,
        "rows": res.rows,
        "throughput": res.throughput,
        "skipped": res.skipped,
        "notes": res.notes,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"python bench: wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
