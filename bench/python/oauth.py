"""The OAuth 2.0 resource server in Python (bench/README.md, "OAuth 2.0"; the Rust twin is
bench/rust/src/oauth.rs): an `oauth2` `Verifier` against what a team would otherwise write.

- **DPoP-bound ES256 access token + ES256 proof** (RFC 9068 + RFC 9449): `Verifier.verify` on a
  prepared request (`Authorization: DPoP <at+jwt with cnf.jkt>`, `DPoP: <proof>`, `Host`)
  against the same check written with PyJWT + cryptography (`PyJwtDpop` below: every step the
  core takes, in its order). Every call gets a proof with a fresh `jti`: a pool signed up front,
  the same proofs for both sides; each side has its own replay store, renewed (with its place in
  the pool) after every warm-up and batch, outside the timing.
- **Cached introspection hit** (RFC 7662): an `oauth2` `Verifier` whose issuer introspects,
  against a loopback HTTP server (stdlib `http.server`, below) answering `active`; the cache is
  warmed by one call, then `verify` of a prepared request with the opaque token is timed. Next
  to it, the cheapest successful `Verifier.verify` there is (an `api_key` method with one key),
  and what a Python application's own cache would do (SHA-256 of the token, a dict, the expiry).

    python bench/python/oauth.py --profile dpop-portcullis [--calls N]   # one case in a loop
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import portcullis
from harness import Plan, Results, measure

try:
    import jwt as pyjwt  # PyJWT
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
except ImportError:  # pragma: no cover - reported as skipped
    pyjwt = None  # type: ignore[assignment]

ISSUER = "https://as.bench.example"
RESOURCE = "https://api.bench.example"
HOST = "api.bench.example"
PATH = "/v1/items"
HTU = f"https://{HOST}{PATH}"
CLIENT_ID = "client-bench"
SUBJECT = "user-1234567890"
# The core's default DPoP allowlist (DpopConfig::default), which the PyJWT check uses too.
DPOP_ALGORITHMS = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"]
DPOP_MAX_AGE = 300  # DpopConfig defaults: max_age_seconds, leeway_seconds
DPOP_LEEWAY = 5
TOKEN_LEEWAY = 60  # OAuth2Config::leeway_seconds
RFC9068_REQUIRED = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]
INTROSPECTION_SECRET = "bench-introspection-client-secret"
PEPPER = "bench-oauth-pepper-0123456789abcdef"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------
# The client and its proofs


class Client:
    """A DPoP client: a P-256 key (cryptography), its public JWK in every proof's header."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        numbers = self.key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }
        self.head = b64url(compact_json({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk}))

    def proof(self, jti: str, iat: int, ath: str) -> str:
        claims = {"jti": jti, "htm": "GET", "htu": HTU, "iat": iat, "ath": ath}
        signing_input = f"{self.head}.{b64url(compact_json(claims))}"
        r, s = decode_dss_signature(self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: the required members in lexicographic order, no whitespace, SHA-256."""
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


# ---------------------------------------------------------------------------------------------
# The PyJWT peer


class Refused(Exception):
    pass


PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
DEFAULT_PORTS = {"https": 443, "http": 80}


def normalized_uri(uri: str) -> tuple[str, str, str]:
    """What RFC 9449 compares: scheme and host lower-cased, the default port dropped, an empty
    path as `/`, query and fragment ignored (the core also normalises escapes and dot
    segments, which these URIs do not have)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        raise Refused("not an http(s) URI")
    port = parts.port
    netloc = parts.hostname if port in (None, DEFAULT_PORTS[scheme]) else f"{parts.hostname}:{port}"
    return scheme, netloc, parts.path or "/"


class PyJwtDpop:
    """The DPoP-bound access token check written with PyJWT + cryptography: the proof first
    (RFC 9449 4.3: typ, alg allowlist, a public jwk, signature, claims, htm, htu, iat window,
    ath), then the access token (RFC 9068: ES256 with the issuer's key, typ at+jwt, iss, aud,
    exp, the required claims, client_id a string), then the binding (cnf.jkt = the RFC 7638
    thumbprint of the proof's key), and last the replay check of the proof (a set of
    (thumbprint, jti)). Raises on any refusal; returns the access token's claims."""

    def __init__(self, issuer_key: Any) -> None:
        self.issuer_key = issuer_key
        self.seen: set[tuple[str, str]] = set()

    def verify(self, method: str, path: str, headers: dict[str, str], now: int) -> dict[str, Any]:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "dpop" or not token:
            raise Refused("no DPoP token")
        proof = headers.get("dpop")
        if not proof:
            raise Refused("no DPoP proof")
        # The proof.
        header = pyjwt.get_unverified_header(proof)
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() != "dpop+jwt":
            raise Refused("proof typ")
        alg = header.get("alg")
        if alg not in DPOP_ALGORITHMS:
            raise Refused("proof alg")
        jwk = header.get("jwk")
        if not isinstance(jwk, dict) or jwk.get("kty") == "oct" or any(m in jwk for m in PRIVATE_MEMBERS):
            raise Refused("proof jwk")
        claims = pyjwt.decode(
            proof,
            pyjwt.PyJWK(jwk, algorithm=alg),
            algorithms=[alg],
            options={"require": ["jti", "htm", "htu", "iat"], "verify_iat": False},
        )
        jti, htm, htu, iat = claims["jti"], claims["htm"], claims["htu"], claims["iat"]
        if not isinstance(jti, str) or not 1 <= len(jti) <= 256 or not isinstance(htm, str) or not isinstance(htu, str):
            raise Refused("proof claims")
        if not isinstance(iat, int) or isinstance(iat, bool):
            raise Refused("proof iat")
        if htm != method:
            raise Refused("proof htm")
        if normalized_uri(htu) != normalized_uri(f"https://{headers['host']}{path}"):
            raise Refused("proof htu")
        if not now - DPOP_MAX_AGE <= iat <= now + DPOP_LEEWAY:
            raise Refused("proof iat window")
        ath = claims.get("ath")
        if not isinstance(ath, str) or not hmac.compare_digest(ath, b64url(hashlib.sha256(token.encode()).digest())):
            raise Refused("proof ath")
        # The access token.
        decoded = pyjwt.decode_complete(
            token,
            self.issuer_key,
            algorithms=["ES256"],
            audience=RESOURCE,
            issuer=ISSUER,
            leeway=TOKEN_LEEWAY,
            options={"require": RFC9068_REQUIRED},
        )
        at_typ = decoded["header"].get("typ")
        if not isinstance(at_typ, str) or at_typ.lower() not in ("at+jwt", "application/at+jwt"):
            raise Refused("access token typ")
        payload: dict[str, Any] = decoded["payload"]
        if not isinstance(payload.get("client_id"), str):
            raise Refused("client_id")
        # The binding, then the replay record.
        cnf = payload.get("cnf")
        jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
        thumbprint = jwk_thumbprint(jwk)
        if not isinstance(jkt, str) or not hmac.compare_digest(jkt, thumbprint):
            raise Refused("cnf.jkt")
        seen = (thumbprint, jti)
        if seen in self.seen:
            raise Refused("replayed proof")
        self.seen.add(seen)
        return payload


# ---------------------------------------------------------------------------------------------
# DPoP setup


class DpopSetup:
    """The issuer, the client, the token and a pool of proofs (one per call of a batch), as
    portcullis requests and as the header dicts the PyJWT check reads."""

    def __init__(self, pool_size: int) -> None:
        self.now = int(time.time())  # PyJWT checks the access token's exp against the clock
        self.issuer = portcullis.JwtKey.generate("ES256")
        self.client = Client()
        self.jkt = jwk_thumbprint(self.client.jwk)
        if portcullis.jwk_thumbprint(self.client.jwk) != self.jkt:
            raise AssertionError("the bench's RFC 7638 thumbprint differs from portcullis'")
        self.claims = {
            "iss": ISSUER,
            "sub": SUBJECT,
            "aud": RESOURCE,
            "client_id": CLIENT_ID,
            "iat": self.now,
            "exp": self.now + 3600,
            "jti": "at-3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00",
            "scope": "items:read items:write",
            "cnf": {"jkt": self.jkt},
        }
        self.token = portcullis.jwt_encode(self.claims, self.issuer, typ="at+jwt", kid=self.issuer.kid)
        self.config = json.dumps(
            {
                "method": "oauth2",
                "resource": RESOURCE,
                "dpop_mode": "allowed",
                "issuers": [
                    {
                        "issuer": ISSUER,
                        "keys": {"static": [{"alg": "ES256", "kid": self.issuer.kid, "jwk": self.issuer.public_jwk()}]},
                    }
                ],
            }
        )
        self.issuer_public = serialization.load_pem_private_key(self.issuer.private_pem().encode(), None).public_key()
        ath = b64url(hashlib.sha256(self.token.encode()).digest())
        t0 = time.perf_counter()
        self.proofs = [self.client.proof(f"proof-{i:08d}", self.now, ath) for i in range(pool_size)]
        print(f"  signed {pool_size:,} DPoP proofs in {time.perf_counter() - t0:.2f} s", flush=True)
        self.requests = [self.request(p) for p in self.proofs]
        self.headers = [self.header_dict(p) for p in self.proofs]

    def request(self, proof: str, token: Optional[str] = None) -> Any:
        headers = [("Host", HOST), ("Authorization", f"DPoP {token or self.token}"), ("DPoP", proof)]
        return portcullis.Request("GET", PATH, headers=headers, now=self.now)

    def header_dict(self, proof: str) -> dict[str, str]:
        # What a framework hands a handler: lower-cased names.
        return {"host": HOST, "authorization": f"DPoP {self.token}", "dpop": proof}

    def verifier(self) -> Any:
        return portcullis.Verifier.from_json(self.config)

    def check_refusals(self) -> None:
        """Both sides accept a proof once, and refuse it replayed, and a tampered one."""
        extra = self.client.proof("proof-sanity", self.now, b64url(hashlib.sha256(self.token.encode()).digest()))
        head, _, sig = extra.rpartition(".")
        tampered = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        v = self.verifier()
        if v.verify(self.request(extra)).subject != SUBJECT:
            raise AssertionError("portcullis returned another subject")
        for proof, code in ((extra, "dpop_proof_replayed"), (tampered, "dpop_proof_invalid")):
            try:
                v.verify(self.request(proof))
                raise AssertionError(f"portcullis accepted a proof it must refuse ({code})")
            except portcullis.OAuthError as e:
                if e.code != code:
                    raise AssertionError(f"portcullis refused with {e.code}, not {code}") from None
        peer = PyJwtDpop(self.issuer_public)
        if peer.verify("GET", PATH, self.header_dict(extra), self.now)["sub"] != SUBJECT:
            raise AssertionError("the PyJWT check returned another subject")
        for proof, what in ((extra, "replayed"), (tampered, "tampered")):
            try:
                peer.verify("GET", PATH, self.header_dict(proof), self.now)
                raise AssertionError(f"the PyJWT check accepted a {what} proof")
            except (Refused, pyjwt.PyJWTError):
                pass


class PoolCase:
    """One side's case over the pool: `run` takes the next prepared input; `reset` (after each
    warm-up and batch, untimed) gives the side a fresh replay store and starts the pool over."""

    def __init__(self, name: str, inputs: list[Any], fresh: Callable[[], Callable[[Any], Any]]) -> None:
        self.name = name
        self.inputs = inputs
        self.fresh = fresh
        self.verify: Callable[[Any], Any] = fresh()
        self.it = iter(inputs)

    def reset(self) -> None:
        self.verify = self.fresh()
        self.it = iter(self.inputs)

    def make_run(self) -> Callable[[], Any]:
        case = self

        def run() -> Any:
            try:
                item = next(case.it)
            except StopIteration:
                raise AssertionError(f"{case.name}: the proof pool ran out within a batch; raise DPOP_POOL") from None
            return case.verify(item)

        return run


def dpop_pool_size(plan: Plan) -> int:
    # One warm-up (0.1 s) or one batch (0.04 s) at the fastest side's ~100 us a call needs about
    # 1,000 proofs; twice that and a margin (a faster machine runs out with an error, never a
    # replay).
    return 200 if plan.smoke else 4_000


def dpop_cases(s: DpopSetup) -> dict[str, PoolCase]:
    def portcullis_fresh() -> Callable[[Any], Any]:
        verify = s.verifier().verify
        return lambda request: verify(request).subject

    def pyjwt_fresh() -> Callable[[Any], Any]:
        verify, now = PyJwtDpop(s.issuer_public).verify, s.now
        return lambda headers: verify("GET", PATH, headers, now)["sub"]

    return {
        "portcullis": PoolCase("portcullis", s.requests, portcullis_fresh),
        "pyjwt": PoolCase("pyjwt", s.headers, pyjwt_fresh),
    }


def bench_dpop(res: Results, plan: Plan) -> None:
    if pyjwt is None:
        res.skip("python: PyJWT/cryptography not installed (peer of the OAuth 2.0 DPoP row, and the proofs' signer)")
        return
    s = DpopSetup(dpop_pool_size(plan))
    s.check_refusals()
    cases = dpop_cases(s)
    for case in cases.values():
        if case.make_run()() != SUBJECT:
            raise AssertionError(f"{case.name} returned another subject")
        case.reset()
    res.add(
        "oauth_dpop_es256",
        "OAuth 2.0 DPoP-bound ES256 token + ES256 proof, verify",
        measure(
            {name: c.make_run() for name, c in cases.items()},
            plan,
            after_batch={name: c.reset for name, c in cases.items()},
        ),
        {"pyjwt": f"PyJWT {version_of('PyJWT')} + cryptography {version_of('cryptography')} (the same checks, hand-written)"},
    )


# ---------------------------------------------------------------------------------------------
# Introspection


class IntrospectionServer:
    """A bench-only RFC 7662 endpoint on loopback: every POST to /introspect is answered
    `active`, and counted."""

    def __init__(self, answer: dict[str, Any]) -> None:
        body = json.dumps(answer).encode()
        posts: list[bytes] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                posts.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.posts = posts
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class IntrospectionSetup:
    """The introspecting verifier with its cache warm, the api_key verifier of the floor row,
    and a Python dict cache of the same answer."""

    OPAQUE = "opq_7Hc2XgkQ0m9bN4rT1vW8yZ3aD6fJ5sL"

    def __init__(self) -> None:
        self.now = int(time.time())
        answer = {
            "active": True,
            "sub": SUBJECT,
            "client_id": CLIENT_ID,
            "scope": "items:read items:write",
            "iss": ISSUER,
            "aud": RESOURCE,
            "exp": self.now + 3600,
            "iat": self.now,
            "token_type": "Bearer",
        }
        self.server = IntrospectionServer(answer)
        config = {
            "method": "oauth2",
            "resource": RESOURCE,
            "issuers": [
                {
                    "issuer": ISSUER,
                    "introspection": {
                        "endpoint": self.server.endpoint,
                        "client_id": "api-bench",
                        "client_secret": "secret:introspection",
                        "cache_max_seconds": 3600,
                    },
                }
            ],
        }
        self.verifier = portcullis.Verifier.from_json(json.dumps(config), secrets={"introspection": INTROSPECTION_SECRET})
        self.request = portcullis.Request(
            "GET", PATH, headers=[("Host", HOST), ("Authorization", f"Bearer {self.OPAQUE}")], now=self.now
        )
        # Warm the cache: one POST, then hits.
        if self.verifier.verify(self.request).subject != SUBJECT or len(self.server.posts) != 1:
            raise AssertionError("the introspecting verifier did not accept the opaque token with one POST")
        if self.verifier.verify(self.request).subject != SUBJECT or len(self.server.posts) != 1:
            raise AssertionError("the second verify was not a cache hit")
        try:
            self.verifier.verify(self.request, ["items:admin"])
            raise AssertionError("a scope the token lacks was granted")
        except portcullis.AuthError as e:
            if e.code != "scope_insufficient":
                raise AssertionError(f"refused with {e.code}, not scope_insufficient") from None
        # The floor: the cheapest successful Verifier.verify (an api_key method with one key).
        ring = portcullis.ApiKeyRing(pepper=PEPPER.encode())
        issued = ring.generate(subject=SUBJECT, scopes=["items:read"], now=self.now)
        self.apikey = portcullis.Verifier.from_json(
            json.dumps({"method": "api_key", "pepper": "secret:pepper", "records": [json.loads(issued.record.to_json())]}),
            secrets={"pepper": PEPPER},
        )
        self.apikey_request = portcullis.Request(
            "GET", PATH, headers=[("Host", HOST), ("Authorization", f"Bearer {issued.key}")], now=self.now
        )
        if self.apikey.verify(self.apikey_request).subject != SUBJECT:
            raise AssertionError("the api_key verifier refused its own key")
        # A Python application's own cache of introspection answers, keyed by the token's hash.
        self.dict_cache = {hashlib.sha256(self.OPAQUE.encode()).digest(): (answer, self.now + 3600)}
        self.headers = {"host": HOST, "authorization": f"Bearer {self.OPAQUE}"}

    def cases(self) -> dict[str, Callable[[], Any]]:
        verify, request = self.verifier.verify, self.request
        apikey_verify, apikey_request = self.apikey.verify, self.apikey_request
        cache, headers, now = self.dict_cache, self.headers, self.now
        sha256 = hashlib.sha256

        def dict_cache() -> Any:
            scheme, _, token = headers["authorization"].partition(" ")
            if scheme.lower() != "bearer":
                raise Refused("scheme")
            answer, until = cache[sha256(token.encode()).digest()]
            if now >= until:
                raise Refused("expired")
            return answer["sub"]

        return {
            "portcullis": lambda: verify(request).subject,
            "floor": lambda: apikey_verify(apikey_request).subject,
            "dict-cache": dict_cache,
        }


def bench_introspection(res: Results, plan: Plan) -> None:
    s = IntrospectionSetup()
    try:
        cases = s.cases()
        for name, fn in cases.items():
            if fn() != SUBJECT:
                raise AssertionError(f"{name} returned another subject")
        res.add(
            "oauth_introspection_hit",
            "OAuth 2.0 opaque token, cached introspection hit, verify",
            measure(cases, plan),
            {
                "floor": "Verifier.verify of an api_key method, 1 key (the cheapest Verifier call)",
                "dict-cache": "stdlib sha256 + dict of answers (an app's own cache, informational)",
            },
        )
        if len(s.server.posts) != 1:
            raise AssertionError(f"the endpoint was asked {len(s.server.posts)} times: the timed calls were not all hits")
    finally:
        s.server.close()


def bench_oauth(res: Results, plan: Plan) -> None:
    bench_dpop(res, plan)
    bench_introspection(res, plan)


def version_of(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"


# ---------------------------------------------------------------------------------------------
# Profiling


PROFILE_CASES = ["dpop-portcullis", "dpop-pyjwt", "introspect-hit", "apikey-verifier", "dict-cache"]


def profile(case: str, calls: int) -> None:
    """One case in a loop and nothing else, for a profiler (bench/profile-notes.md)."""
    if case.startswith("dpop-"):
        s = DpopSetup(min(calls, 4_000))
        c = dpop_cases(s)["portcullis" if case == "dpop-portcullis" else "pyjwt"]
        run = c.make_run()
        for i in range(calls):
            if i and i % len(s.requests) == 0:
                c.reset()
            run()
        return
    intro = IntrospectionSetup()
    try:
        fn = intro.cases()[{"introspect-hit": "portcullis", "apikey-verifier": "floor", "dict-cache": "dict-cache"}[case]]
        for _ in range(calls):
            fn()
    finally:
        intro.server.close()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="run one OAuth 2.0 case in a loop, for perf or cProfile")
    ap.add_argument("--profile", required=True, choices=PROFILE_CASES)
    ap.add_argument("--calls", type=int, default=200_000)
    a = ap.parse_args()
    profile(a.profile, a.calls)
