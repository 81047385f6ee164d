"""The credential models of gen_gate.py's reference gate (gate_ref.py): stdlib only, written
from the methods' documented rules (docs/CONFIGURATION.md, docs/JWT.md, docs/WEBHOOKS.md,
docs/SIGNING.md, docs/HTTPSIG.md, docs/MTLS.md) and never run against portcullis. Each model
covers the requests gen_gate.py sends and raises `Unmodelled` for anything else, so a case
outside what the reference knows stops the generator instead of being guessed.
"""

import base64
import hashlib
import hmac
import json
import re
import zlib

import gen_hmac


class Unmodelled(Exception):
    """A request this reference does not decide."""


# The registry's HTTP status and public message (docs/ERRORS.md) of every code a case meets.
ERRORS = {
    "credentials_missing": (401, "Authentication required."),
    "request_invalid": (400, "Malformed request."),
    "header_malformed": (400, "Malformed authorization header."),
    "credentials_ambiguous": (400, "More than one credential was presented."),
    "scope_insufficient": (403, "Insufficient scope."),
    "route_unmatched": (403, "Access denied."),
    "rate_limited": (429, "Too many requests."),
    "locked_out": (429, "Too many failed attempts. Try again later."),
    "store_unavailable": (503, "Service temporarily unavailable."),
    "apikey_malformed": (401, "Invalid API key."),
    "apikey_checksum_mismatch": (401, "Invalid API key."),
    "apikey_prefix_mismatch": (401, "Invalid API key."),
    "apikey_unknown": (401, "Invalid API key."),
    "apikey_revoked": (401, "The API key has been revoked."),
    "apikey_expired": (401, "The API key has expired."),
    "apikey_environment_mismatch": (401, "The API key is for another environment."),
    "basic_bad_base64": (400, "Malformed Basic credentials."),
    "basic_malformed": (400, "Malformed Basic credentials."),
    "basic_invalid_credentials": (401, "Invalid user name or password."),
    "jwt_malformed": (401, "Invalid token."),
    "jwt_signature_invalid": (401, "Invalid token."),
    "jwt_key_unknown": (401, "Invalid token."),
    "jwt_algorithm_refused": (401, "Invalid token."),
    "jwt_expired": (401, "The token has expired."),
    "jwt_issuer_mismatch": (401, "Invalid token."),
    "jwt_audience_mismatch": (401, "Invalid token."),
    "jwt_confirmation_mismatch": (401, "Invalid token."),
    "mtls_certificate_missing": (401, "A client certificate is required."),
    "mtls_untrusted": (401, "Untrusted client certificate."),
    "mtls_expired": (401, "The client certificate has expired."),
    "signature_missing": (401, "Signature required."),
    "signature_malformed": (400, "Malformed signature."),
    "signature_mismatch": (401, "Invalid signature."),
    "signature_expired": (401, "The signature has expired."),
    "signature_replayed": (401, "The request was already received."),
    "signature_body_missing": (400, "The request body is required to check its signature."),
    "signature_key_unknown": (401, "Invalid signature."),
    "invalid_argument": (500, "Invalid argument."),
}

# How telling a failure is (core/src/gate/require.rs): any_of reports its most telling part.
MISSING, FOREIGN, INVALID, SCOPE, SERVER = range(5)
MISSING_CODES = {"credentials_missing", "signature_missing", "mtls_certificate_missing"}
FOREIGN_CODES = {"jwt_malformed", "jwt_key_unknown", "jwt_issuer_mismatch", "apikey_malformed",
                 "apikey_prefix_mismatch", "signature_key_unknown"}


def status(code):
    return ERRORS[code][0]


def tier(code):
    if code in MISSING_CODES:
        return MISSING
    if code in FOREIGN_CODES:
        return FOREIGN
    if code == "scope_insufficient":
        return SCOPE
    return SERVER if status(code) >= 500 else INVALID


def problem(code):
    return {"type": f"urn:portcullis:error:{code}", "title": ERRORS[code][1],
            "status": status(code), "code": code}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise ValueError(text)
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------- decisions


class Challenge:
    """A WWW-Authenticate challenge: a scheme and quoted auth-params (RFC 9110 11.6.1)."""

    def __init__(self, scheme, *params):
        self.scheme = scheme
        self.params = list(params)

    def add(self, name, value):
        return Challenge(self.scheme, *self.params, (name, value))

    def realm(self):
        return next((v for n, v in self.params if n == "realm"), None)

    def header(self):
        def quote(v):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        quoted = ", ".join(f"{n}={quote(v)}" for n, v in self.params)
        return f"{self.scheme} {quoted}" if quoted else self.scheme

    def __eq__(self, other):
        return (self.scheme, self.params) == (other.scheme, other.params)


class Fail(Exception):
    """A refusal: the code and the challenge the method attaches (None for methods without)."""

    def __init__(self, code, challenge=None):
        super().__init__(code)
        self.code = code
        self.challenge = challenge


class Principal:
    def __init__(self, subject, scopes=()):
        self.subject = subject
        self.scopes = list(scopes)

    def has(self, scopes):
        return all(s in self.scopes for s in scopes)


def fields(req, name):
    """Every value of header `name` (case-insensitive), trimmed, in order."""
    return [v.strip(" \t") for n, v in req["headers"] if n.lower() == name]


def single(req, name):
    values = fields(req, name)
    if len(values) > 1:
        raise Fail("credentials_ambiguous")
    return values[0] if values else None


def authorization(req):
    """(scheme, credentials) of the one Authorization header, or None."""
    value = single(req, "authorization")
    if value is None:
        return None
    scheme, _, rest = value.partition(" ")
    if not scheme or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", scheme):
        raise Fail("header_malformed")
    return scheme, rest.strip(" \t")


def body_of(req):
    if "body_b64" in req:
        return base64.b64decode(req["body_b64"])
    return req["body"].encode() if req.get("body") is not None else None


def bearer_challenge(realm, code, scopes=()):
    """RFC 6750 challenges of the API key and JWT verifiers."""
    c = Challenge("Bearer", ("realm", realm))
    if code == "credentials_missing":
        return c
    if code == "scope_insufficient":
        return c.add("error", "insufficient_scope").add("scope", " ".join(scopes))
    if code in ("header_malformed", "credentials_ambiguous"):
        return c.add("error", "invalid_request")
    return c.add("error", "invalid_token").add("error_description", ERRORS[code][1])


def require_scopes(principal, scopes):
    """For methods whose verifiers hold no scopes: refused without a challenge."""
    if not principal.has(scopes):
        raise Fail("scope_insufficient")
    return principal


# ---------------------------------------------------------------- API keys

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(value, width):
    out = ""
    for _ in range(width):
        out = B62[value % 62] + out
        value //= 62
    return out


def api_key(body30, prefix="pc", env="live"):
    """`<prefix>[_<env>]_<30 base62><6 base62 CRC32 of the 30>` (core/src/apikey/format.rs)."""
    head = f"{prefix}_{env}_" if env else f"{prefix}_"
    return head + body30 + b62(zlib.crc32(body30.encode()), 6)


def digest(pepper, key):
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def is_label(s):
    return re.fullmatch(r"[a-z][a-z0-9]{0,15}", s or "") is not None


class ApiKeys:
    def __init__(self, cfg, secrets):
        self.prefix = cfg.get("prefix", "pc")
        self.environment = cfg.get("environment")
        self.bearer = cfg.get("bearer", True)
        self.header = cfg.get("header", "x-api-key")
        self.realm = cfg.get("realm", "api")
        pepper = resolve(cfg["pepper"], secrets)
        self.records = {r["digest"]: r for r in cfg.get("records", [])}
        self.pepper = pepper

    def challenge(self):
        return Challenge("Bearer", ("realm", self.realm))

    def fail(self, code, scopes=()):
        return Fail(code, bearer_challenge(self.realm, code, scopes))

    def locate(self, req):
        try:
            if self.bearer:
                auth = authorization(req)
                if auth and auth[0].lower() == "bearer":
                    if not auth[1] or " " in auth[1] or "\t" in auth[1]:
                        raise Fail("header_malformed")
                    return auth[1]
            if self.header:
                value = single(req, self.header)
                if value is not None:
                    return value
        except Fail as f:
            raise self.fail(f.code) from None
        raise self.fail("credentials_missing")

    def check_format(self, key):
        if len(key) > 70 or "_" not in key:
            return "apikey_malformed"
        head, body = key.rsplit("_", 1)
        if len(body) != 36 or not all(c in B62 for c in body):
            return "apikey_malformed"
        prefix, _, env = head.partition("_")
        env = env if "_" in head else None
        if not is_label(prefix) or (env is not None and not is_label(env)):
            return "apikey_malformed"
        if prefix != self.prefix:
            return "apikey_prefix_mismatch"
        if b62(zlib.crc32(body[:30].encode()), 6) != body[30:]:
            return "apikey_checksum_mismatch"
        if env != self.environment:
            return "apikey_environment_mismatch"
        return None

    def verify(self, req, scopes, store):
        key = self.locate(req)
        problem_code = self.check_format(key)
        if problem_code:
            raise self.fail(problem_code, scopes)
        record = self.records.get(digest(self.pepper, key))
        if record is None:
            raise self.fail("apikey_unknown", scopes)
        now = req["now"]
        if record.get("revoked_at") is not None and now >= record["revoked_at"]:
            raise self.fail("apikey_revoked", scopes)
        if record.get("expires_at") is not None and now >= record["expires_at"]:
            raise self.fail("apikey_expired", scopes)
        if not all(s in record["scopes"] for s in scopes):
            raise self.fail("scope_insufficient", scopes)
        return Principal(record.get("subject") or record["key_id"], record["scopes"])


# ---------------------------------------------------------------- JWT


DIGEST_INFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


def pkcs1_sha256(data, k):
    """EMSA-PKCS1-v1_5 encoding of SHA-256(data) in k bytes (RFC 8017 9.2)."""
    t = DIGEST_INFO_SHA256 + hashlib.sha256(data).digest()
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


class Jwt:
    def __init__(self, cfg, secrets, known_tokens):
        self.issuers = cfg.get("issuers", [])
        self.audiences = cfg.get("audiences", [])
        self.realm = cfg.get("realm", "api")
        self.leeway = cfg.get("leeway_seconds", 60)
        self.binding = cfg.get("require_certificate_binding", False)
        self.keys = []
        for k in cfg["keys"]["static"]:
            if "secret" in k:
                secret = resolve(k["secret"], secrets).encode()
                check = (lambda s: lambda data, sig: hmac.compare_digest(
                    hmac.new(s, data, hashlib.sha256).digest(), sig))(secret)
            else:
                # Asymmetric keys: the reference knows which tokens it (or gen_jwt.py) signed
                # with the matching private key.
                pem = k["pem"]
                check = (lambda pem: lambda data, sig: known_tokens.get((pem, data)) == sig)(pem)
            self.keys.append((k["alg"], k.get("kid"), check))

    def challenge(self):
        return Challenge("Bearer", ("realm", self.realm))

    def fail(self, code, scopes=()):
        return Fail(code, bearer_challenge(self.realm, code, scopes))

    def verify(self, req, scopes, store):
        try:
            auth = authorization(req)
        except Fail as f:
            raise self.fail(f.code) from None
        if not auth or auth[0].lower() != "bearer":
            raise self.fail("credentials_missing")
        token = auth[1]
        if not token or " " in token or "\t" in token:
            raise self.fail("header_malformed")
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except ValueError:
            raise self.fail("jwt_malformed") from None
        kid = header.get("kid")
        keys = [k for k in self.keys if k[1] == kid] if kid is not None else self.keys
        if not keys:
            raise self.fail("jwt_key_unknown")
        keys = [k for k in keys if k[0] == header.get("alg")]
        if not keys:
            raise self.fail("jwt_algorithm_refused")
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        key = next((k for k in keys if k[2](signing_input, sig)), None)
        if key is None:
            raise self.fail("jwt_signature_invalid")
        now = req["now"]
        if now >= claims["exp"] + self.leeway:
            raise self.fail("jwt_expired")
        if self.issuers and claims.get("iss") not in self.issuers:
            raise self.fail("jwt_issuer_mismatch")
        aud = claims.get("aud")
        auds = [aud] if isinstance(aud, str) else (aud or [])
        if (self.audiences and not set(auds) & set(self.audiences)) or \
                (not self.audiences and aud is not None):
            raise self.fail("jwt_audience_mismatch")
        granted = claims.get("scope", "").split() + claims.get("scp", [])
        if not all(s in granted for s in scopes):
            raise self.fail("scope_insufficient", scopes)
        if self.binding:
            certs = req.get("peer_certificates_b64", [])
            thumb = certs and b64url(hashlib.sha256(base64.b64decode(certs[0])).digest())
            if not certs or claims.get("cnf", {}).get("x5t#S256") != thumb:
                raise self.fail("jwt_confirmation_mismatch", scopes)
        return Principal(claims.get("sub", ""), granted)


# ---------------------------------------------------------------- Basic


class Basic:
    def __init__(self, cfg, passwords):
        self.realm = cfg.get("realm", "api")
        # The reference knows each configured hash's password (basic.json's provenance).
        self.passwords = {u: passwords[h] for u, h in cfg.get("users", {}).items()}

    def challenge(self):
        return Challenge("Basic", ("realm", self.realm), ("charset", "UTF-8"))

    def credentials(self, req):
        """(user, password) of Basic credentials, or a Fail code, or None when there are none."""
        auth = authorization(req)
        if not auth or auth[0].lower() != "basic":
            return None
        text = auth[1]
        if not re.fullmatch(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
                            text) or not text:
            raise Fail("basic_bad_base64" if text else "basic_malformed")
        raw = base64.b64decode(text).decode("utf-8")
        if ":" not in raw:
            raise Fail("basic_malformed")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
            raise Unmodelled("control characters")
        return raw.split(":", 1)

    def verify(self, req, scopes, store):
        try:
            creds = self.credentials(req)
        except Fail as f:
            raise Fail(f.code, self.challenge()) from None
        if creds is None:
            raise Fail("credentials_missing", self.challenge())
        user, password = creds
        if self.passwords.get(user) != password:
            raise Fail("basic_invalid_credentials", self.challenge())
        return require_scopes(Principal(user), scopes)

    def claimed_account(self, req):
        try:
            creds = self.credentials(req)
        except Fail:
            return None
        return creds[0] if creds else None


# ---------------------------------------------------------------- webhooks


class Webhook:
    def __init__(self, cfg, secrets):
        self.scheme = cfg.get("scheme", "standard")
        self.secrets = [resolve(s, secrets) for s in cfg["secrets"]]
        self.tolerance = cfg.get("tolerance_seconds", 300)
        self.replay = cfg.get("replay_protection", True)
        self.sender = cfg.get("sender", self.scheme)

    def challenge(self):
        return None

    def header(self, req, name):
        value = single(req, name)
        if value is None:
            raise Fail("signature_missing")
        return value

    def check_time(self, ts, now):
        if now - ts > self.tolerance:
            raise Fail("signature_expired")
        if ts - now > self.tolerance:
            raise Unmodelled("future timestamp")

    SIGNATURE_HEADERS = {"standard": ["webhook-signature"], "stripe": ["stripe-signature"],
                         "github": ["x-hub-signature-256", "x-hub-signature"],
                         "slack": ["x-slack-signature"]}

    def verify(self, req, scopes, store):
        # Not a delivery at all before a delivery without its body.
        if all(single(req, h) is None for h in self.SIGNATURE_HEADERS[self.scheme]):
            raise Fail("signature_missing")
        body = body_of(req)
        if body is None:
            raise Fail("signature_body_missing")
        now = req["now"]
        if single(req, "content-length") is not None:
            raise Unmodelled("content-length")
        if self.scheme == "standard":
            mid = self.header(req, "webhook-id")
            ts = int(self.header(req, "webhook-timestamp"))
            sigs = self.header(req, "webhook-signature").split(" ")
            self.check_time(ts, now)
            key = base64.b64decode(self.secrets[0].removeprefix("whsec_"))
            mac = base64.b64encode(hmac.new(key, f"{mid}.{ts}.".encode() + body,
                                            hashlib.sha256).digest()).decode()
            if f"v1,{mac}" not in sigs:
                raise Fail("signature_mismatch")
            replay_key, until = mid, ts + self.tolerance + 1
        elif self.scheme == "stripe":
            items = dict(p.split("=", 1) for p in self.header(req, "stripe-signature").split(","))
            ts = int(items["t"])
            self.check_time(ts, now)
            mac = hmac.new(self.secrets[0].encode(), f"{ts}.".encode() + body,
                           hashlib.sha256).hexdigest()
            if items.get("v1") != mac:
                raise Fail("signature_mismatch")
            replay_key, until = None, None
        elif self.scheme == "github":
            sig = self.header(req, "x-hub-signature-256")
            delivery = self.header(req, "x-github-delivery")
            mac = hmac.new(self.secrets[0].encode(), body, hashlib.sha256).hexdigest()
            if sig != f"sha256={mac}":
                raise Fail("signature_mismatch")
            replay_key, until = delivery, now + self.tolerance + 1
        else:
            raise Unmodelled(self.scheme)
        if self.replay:
            if replay_key is None:
                raise Unmodelled("stripe replay key")
            if not store.remember(self.scheme, replay_key, until, now):
                raise Fail("signature_replayed")
        return require_scopes(Principal(self.sender), scopes)


# ---------------------------------------------------------------- PCS1, RFC 9421, mTLS


class Pcs1:
    def __init__(self, cfg, secrets):
        keys = [dict(k, secrets_b64=[resolve(s, secrets) for s in k["secrets_b64"]])
                for k in cfg["keys"]]
        resolved = dict(cfg, keys=keys)
        self.reference = gen_hmac.Verifier(resolved)
        self.realm = cfg.get("realm", "api")
        self.required = cfg.get("required_headers", ["host"])

    def challenge(self, code=None):
        c = Challenge("PCS1-HMAC-SHA256", ("realm", self.realm),
                      ("headers", ";".join(self.required)))
        if code is None or code in ("signature_missing", "store_unavailable"):
            return c
        invalid_request = ("signature_malformed", "header_malformed", "credentials_ambiguous",
                           "request_invalid", "signature_body_missing")
        kind = "invalid_request" if code in invalid_request else "invalid_signature"
        return c.add("error", kind).add("error_description", ERRORS[code][1])

    def verify(self, req, scopes, store):
        try:
            p = self.reference.verify(req, req["now"])
        except gen_hmac.Refusal as r:
            raise Fail(str(r), self.challenge(str(r))) from None
        return require_scopes(Principal(p["subject"], p["scopes"]), scopes)


class HttpSig:
    """RFC 9421 with hmac-sha256 keys, covering ("@method" "@path") as the cases sign."""

    INPUT = re.compile(r'(\w+)=\(("@method" "@path")\);created=(\d+);keyid="([^"]+)";'
                       r'alg="hmac-sha256"')

    def __init__(self, cfg, secrets):
        self.keys = {k["keyid"]: base64.b64decode(resolve(k["secret_b64"], secrets))
                     for k in cfg["keys"]}
        self.max_age = cfg.get("max_age", 300)
        self.leeway = cfg.get("leeway", 60)
        if cfg.get("required_components") != ["@method", "@path"]:
            raise Unmodelled("required components")

    def challenge(self):
        return None

    def verify(self, req, scopes, store):
        inputs, sigs = fields(req, "signature-input"), fields(req, "signature")
        if not inputs and not sigs:
            raise Fail("signature_missing")
        m = self.INPUT.fullmatch(",".join(inputs))
        if not m or len(sigs) != 1:
            raise Unmodelled("signature-input form")
        label, covered, created, keyid = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if req["now"] - created > self.max_age + self.leeway:
            raise Fail("signature_expired")
        if keyid not in self.keys:
            raise Fail("signature_key_unknown")
        sig = re.fullmatch(label + r"=:([A-Za-z0-9+/=]+):", sigs[0])
        base = httpsig_base(req, f"({covered});created={created};keyid=\"{keyid}\";"
                                 f"alg=\"hmac-sha256\"")
        mac = hmac.new(self.keys[keyid], base.encode(), hashlib.sha256).digest()
        if not sig or base64.b64decode(sig.group(1)) != mac:
            raise Fail("signature_mismatch")
        return require_scopes(Principal(keyid), scopes)


def httpsig_base(req, params):
    """The RFC 9421 signature base of ("@method" "@path")."""
    path = req["target"].split("?", 1)[0]
    return f'"@method": {req["method"]}\n"@path": {path}\n"@signature-params": {params}'


class Mtls:
    """Outcomes of chains under this trust anchor, as mtls/generate.py (cryptography) computed
    them: the reference does not verify X.509 itself."""

    def __init__(self, cfg, outcomes):
        self.outcomes = outcomes[tuple(cfg["trust_anchors"])]

    def challenge(self):
        return None

    def verify(self, req, scopes, store):
        chain = tuple(req.get("peer_certificates_b64", []))
        if not chain:
            raise Fail("mtls_certificate_missing")
        if chain not in self.outcomes:
            raise Unmodelled("chain")
        kind, value = self.outcomes[chain]
        if kind == "error":
            raise Fail(value)
        return require_scopes(Principal(value), scopes)


def resolve(reference, secrets):
    if not reference.startswith("secret:"):
        raise Unmodelled(reference)
    return secrets[reference[len("secret:"):]]
