"""JWT beyond the vectors: interop with PyJWT both ways for every algorithm both support, key
import/export round trips (PEM, DER, JWK, generated keys of each family), alg-none and algorithm
confusion, revocation and the cache, wrong argument types, secrets kept out of errors and reprs,
and the ``portcullis.jwt`` namespace."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import Any, Callable

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import portcullis
from portcullis import (
    AuthError,
    JwtError,
    JwtKey,
    JwtKeySet,
    JwtVerifier,
    Request,
    UsageError,
    jwk_thumbprint,
    jwt_encode,
)

NOW = 1_767_225_600
SECRET = bytes(range(64, 128))  # 64 bytes: enough to sign HS512
HMAC_ALGS = ["HS256", "HS384", "HS512"]
RSA_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
EC_ALGS = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
ASYMMETRIC_ALGS = RSA_ALGS + list(EC_ALGS) + ["EdDSA"]
ALL_ALGS = HMAC_ALGS + ASYMMETRIC_ALGS
# The module without its types, for calls that are wrong on purpose.
LOOSE: Any = portcullis

PrivateKey = Any  # a pyca/cryptography private key


def refused(call: Callable[[], Any], code: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        call()
    assert info.value.code == code, info.value.detail
    return info.value


def claims(now: int, **extra: Any) -> dict[str, Any]:
    return {"sub": "user-42", "iat": now, "exp": now + 600, **extra}


def keyset_of(*keys: JwtKey) -> JwtKeySet:
    keyset = JwtKeySet()
    for key in keys:
        keyset.insert(key)
    return keyset


_RSA: list[rsa.RSAPrivateKey] = []


def private_key(alg: str) -> PrivateKey:
    """A pyca/cryptography private key for `alg` (one RSA key for every RS*/PS*)."""
    if alg in RSA_ALGS:
        if not _RSA:
            _RSA.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _RSA[0]
    if alg in EC_ALGS:
        return ec.generate_private_key(EC_ALGS[alg])
    assert alg == "EdDSA"
    return ed25519.Ed25519PrivateKey.generate()


def private_pem(key: PrivateKey) -> bytes:
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


def public_pem(key: PrivateKey) -> str:
    pem: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


# --- Interop with PyJWT ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_pyjwt_tokens_verify_in_portcullis(alg: str) -> None:
    now = int(time.time())
    if alg in HMAC_ALGS:
        signing: Any = SECRET
        key = JwtKey.from_secret(SECRET, alg, kid="k1")
    else:
        signing = private_key(alg)
        key = JwtKey.from_pem(public_pem(signing), alg, kid="k1")
    assert not key.can_sign or alg in HMAC_ALGS
    token = pyjwt.encode(
        claims(now, aud="orders-api", scope="orders:read"),
        signing,
        algorithm=alg,
        headers={"kid": "k1"},
    )
    verifier = JwtVerifier(keyset_of(key), audiences=["orders-api"])
    principal = verifier.verify_token(token, scopes=["orders:read"])
    assert (principal.subject, principal.method, principal.credential_id) == (
        "user-42",
        "jwt",
        "k1",
    )
    assert principal.scopes == ["orders:read"]
    assert principal.expires_at == now + 600
    assert principal.claims["aud"] == "orders-api"
    # The same token through a request, and tampered.
    request = Request("GET", "/orders", [("Authorization", f"Bearer {token}")])
    assert verifier.verify(request).subject == "user-42"
    head, payload, sig = token.split(".")
    forged = pyjwt.utils.base64url_encode(
        json.dumps(claims(now, sub="admin", aud="orders-api")).encode()
    ).decode()
    refused(lambda: verifier.verify_token(f"{head}.{forged}.{sig}"), "jwt_signature_invalid")


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_portcullis_tokens_verify_in_pyjwt(alg: str) -> None:
    now = int(time.time())
    if alg in HMAC_ALGS:
        key = JwtKey.from_secret(SECRET, alg, kid="k1")
        verifying: Any = SECRET
    else:
        signing = private_key(alg)
        key = JwtKey.from_pem(private_pem(signing), alg, kid="k1")
        verifying = signing.public_key()
    assert key.can_sign
    token = jwt_encode(claims(now, aud="orders-api"), key)
    assert pyjwt.get_unverified_header(token) == {"alg": alg, "kid": "k1", "typ": "JWT"}
    decoded = pyjwt.decode(token, verifying, algorithms=[alg], audience="orders-api")
    assert decoded == claims(now, aud="orders-api")


@pytest.mark.parametrize("alg", ASYMMETRIC_ALGS)
def test_generated_keys_interop_with_pyjwt(alg: str) -> None:
    """portcullis generates; PyJWT signs with its private PEM and verifies with its public JWK."""
    now = int(time.time())
    key = JwtKey.generate(alg)
    assert key.can_sign and key.algorithm == alg and key.kid == key.thumbprint()
    jwk = key.public_jwk()
    assert (jwk["kid"], jwk["alg"], jwk["use"]) == (key.kid, alg, "sig")
    pyjwk = pyjwt.PyJWK(jwk)
    assert pyjwt.decode(jwt_encode(claims(now), key), pyjwk, algorithms=[alg]) == claims(now)
    private = serialization.load_pem_private_key(key.private_pem().encode(), password=None)
    signer: Any = private  # any private key type; PyJWT's stubs list the ones it takes
    token = pyjwt.encode(claims(now), signer, algorithm=alg, headers={"kid": key.kid})
    public_only = JwtKey.from_jwk(jwk)
    assert not public_only.can_sign
    assert JwtVerifier(keyset_of(public_only)).verify_token(token).credential_id == key.kid


# --- Keys: import, export, generation ---------------------------------------------------------


@pytest.mark.parametrize("alg", ASYMMETRIC_ALGS)
def test_pem_der_jwk_round_trips(alg: str) -> None:
    pk = private_key(alg)
    thumb = JwtKey.from_pem(public_pem(pk), alg).thumbprint()
    der_public = pk.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der_private = pk.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    from_private = JwtKey.from_pem(private_pem(pk).decode(), alg, kid="p")
    variants = [
        from_private,
        JwtKey.from_der(der_public, alg),
        JwtKey.from_der(der_private, alg),
        JwtKey.from_pem(from_private.private_pem(), alg),
        JwtKey.from_jwk(from_private.public_jwk(), alg),
        JwtKey.from_jwk(json.dumps(from_private.public_jwk())),
    ]
    assert {k.thumbprint() for k in variants} == {thumb}
    assert [k.can_sign for k in variants] == [True, False, True, True, False, False]
    assert jwk_thumbprint(from_private.public_jwk()) == thumb
    assert jwk_thumbprint(json.dumps(from_private.public_jwk())) == thumb
    refused(lambda: jwk_thumbprint("[]"), "jwt_key_invalid")  # read as every JWK text is
    # PyJWT's own private JWK export loads as a signing key.
    private_jwk = json.loads(pyjwt.get_algorithm_by_name(alg).to_jwk(pk))
    imported = JwtKey.from_jwk(private_jwk, alg)
    assert imported.can_sign and imported.thumbprint() == thumb
    token = jwt_encode(claims(NOW), imported)
    assert JwtVerifier(keyset_of(variants[1])).verify_token(token, now=NOW).subject == "user-42"


@pytest.mark.parametrize("alg", ALL_ALGS)
def test_generated_keys_sign_and_verify_through_a_keyset(alg: str) -> None:
    key = JwtKey.generate(alg)
    keyset = keyset_of(key)  # the set gets its own copy; `key` stays usable
    token = jwt_encode(claims(NOW), key)
    assert JwtVerifier(keyset).verify_token(token, now=NOW).subject == "user-42"
    if alg in HMAC_ALGS:
        assert key.kid is None and keyset.public_jwks() == {"keys": []}
        refused(key.public_jwk, "jwt_key_invalid")
        refused(key.thumbprint, "jwt_key_invalid")
        refused(key.private_pem, "jwt_key_invalid")
        other = JwtKey.generate(alg)  # another random secret
        wrong = JwtVerifier(keyset_of(other))
        refused(lambda: wrong.verify_token(token, now=NOW), "jwt_signature_invalid")
    else:
        (jwk,) = keyset.public_jwks()["keys"]
        assert jwk == key.public_jwk() and "d" not in jwk
        from_jwks = JwtKeySet.from_jwks(keyset.public_jwks())
        assert JwtVerifier(from_jwks).verify_token(token, now=NOW).credential_id == key.kid


def test_key_set_operations() -> None:
    ed = JwtKey.generate("EdDSA")
    es = JwtKey.generate("ES256")
    keyset = JwtKeySet.from_jwks(json.dumps({"keys": [ed.public_jwk()]}))
    enc = {**es.public_jwk(), "use": "enc", "kid": "enc"}
    assert keyset.add_jwks({"keys": [es.public_jwk(), enc]}) == 1  # `use: enc` is skipped
    assert len(keyset) == 2
    keyset.insert(JwtKey.from_jwk(es.public_jwk()))  # same kid and alg: replaced
    assert len(keyset) == 2
    keyset.insert(JwtKey.from_secret(SECRET, "HS256", kid="h"))
    assert len(keyset) == 3 and len(keyset.public_jwks()["keys"]) == 2
    # A secret beside public keys needs the opt-in.
    refused(lambda: JwtVerifier(keyset), "config_invalid")
    verifier = JwtVerifier(keyset, allow_mixed_key_types=True)
    token = jwt_encode(claims(NOW), ed)
    assert verifier.verify_token(token, now=NOW).credential_id == ed.kid
    assert ed.kid is not None and keyset.remove(ed.kid) == 1 and keyset.remove(ed.kid) == 0
    refused(lambda: verifier.verify_token(token, now=NOW), "jwt_key_unknown")  # shared handle
    assert repr(keyset) == "JwtKeySet(keys=2)"


def test_key_properties_and_errors() -> None:
    key = JwtKey.from_secret(SECRET, "HS384", kid="hs")
    assert (key.kid, key.algorithm, key.can_sign) == ("hs", "HS384", True)
    refused(lambda: JwtKey.from_secret(SECRET[:31], "HS256"), "jwt_key_invalid")
    # An unknown algorithm name (`none` included) is the one unknown-name refusal.
    refused(lambda: JwtKey.from_secret(SECRET, "none"), "invalid_argument")
    refused(lambda: JwtKey.from_secret(SECRET, "hs256"), "invalid_argument")
    refused(lambda: JwtKey.from_secret(SECRET, "RS256"), "jwt_key_invalid")
    refused(lambda: JwtKey.from_pem("not a pem", "RS256"), "jwt_key_invalid")
    refused(lambda: JwtKey.from_der(b"\x30\x03\x02\x01\x01", "ES256"), "jwt_key_invalid")
    refused(lambda: JwtKey.from_jwk('{"kty": "oct"'), "jwt_key_invalid")
    refused(lambda: JwtKey.from_jwk({"kty": "oct", "k": "AAAA"}), "jwt_key_invalid")
    refused(lambda: JwtKey.generate("none"), "invalid_argument")
    # RFC 7518 3.2: HS384 and HS512 secrets shorter than the hash output do not load.
    refused(lambda: JwtKey.from_secret(SECRET[:32], "HS512"), "jwt_key_invalid")
    refused(lambda: JwtKey.from_secret(SECRET[:47], "HS384"), "jwt_key_invalid")
    es = JwtKey.generate("ES256")
    public = JwtKey.from_jwk(es.public_jwk())
    refused(lambda: jwt_encode(claims(NOW), public), "jwt_key_invalid")
    refused(public.private_pem, "jwt_key_invalid")
    refused(lambda: jwt_encode({"exp": "soon"}, es), "invalid_argument")
    refused(lambda: jwt_encode("[1, 2]", es), "json_invalid")


def test_encode_header_options() -> None:
    key = JwtKey.from_secret(SECRET, "HS256", kid="k1")
    header = pyjwt.get_unverified_header
    assert header(jwt_encode(claims(NOW), key)) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    token = jwt_encode('{"sub": "s", "exp": 1}', key, typ="at+jwt", kid="other", cty="x")
    assert header(token) == {"alg": "HS256", "cty": "x", "kid": "other", "typ": "at+jwt"}
    assert header(jwt_encode(claims(NOW), key, typ=None)) == {"alg": "HS256", "kid": "k1"}
    assert token.split(".")[0] == pyjwt.utils.base64url_encode(
        b'{"alg":"HS256","cty":"x","kid":"other","typ":"at+jwt"}'
    ).decode()


# --- Refusals: alg none, confusion, claims ----------------------------------------------------


def test_alg_none_and_algorithm_confusion_are_refused() -> None:
    pk = private_key("RS256")
    pem = public_pem(pk)
    verifier = JwtVerifier(keyset_of(JwtKey.from_pem(pem, "RS256", kid="rsa")))
    body = pyjwt.utils.base64url_encode(json.dumps(claims(NOW)).encode()).decode()
    for alg in ["none", "None", "NONE"]:
        head = pyjwt.utils.base64url_encode(json.dumps({"alg": alg}).encode()).decode()
        unsigned = f"{head}.{body}."
        err = refused(lambda: verifier.verify_token(unsigned, now=NOW), "jwt_algorithm_refused")
        assert err.challenge == (
            'Bearer realm="api", error="invalid_token", error_description="Invalid token."'
        )
    # The classic confusion: HS256 "signed" with the RSA public key as the secret.
    head = pyjwt.utils.base64url_encode(b'{"alg":"HS256","kid":"rsa"}').decode()
    sig = hmac.new(pem.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{head}.{body}.{pyjwt.utils.base64url_encode(sig).decode()}"
    refused(lambda: verifier.verify_token(forged, now=NOW), "jwt_algorithm_refused")
    # ... and the public key can never become an HMAC secret.
    refused(lambda: JwtKey.from_secret(pem.encode(), "HS256"), "jwt_key_invalid")
    der = pk.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    refused(lambda: JwtKey.from_secret(der, "HS256"), "jwt_key_invalid")
    rsa_jwk = {"kty": "RSA", "n": "AQAB", "e": "AQAB"}
    refused(lambda: JwtKey.from_jwk(rsa_jwk, "HS256"), "jwt_key_invalid")
    # A token signed by PyJWT with another algorithm of the same family: refused too.
    rs384 = pyjwt.encode(claims(NOW), pk, algorithm="RS384", headers={"kid": "rsa"})
    refused(lambda: verifier.verify_token(rs384, now=NOW), "jwt_algorithm_refused")


def test_claim_checks_and_challenges() -> None:
    key = JwtKey.from_secret(SECRET, "HS256", kid="k1")
    verifier = JwtVerifier(
        keyset_of(key), issuers=["https://issuer"], audiences=["api"], realm="orders"
    )

    def token(**extra: Any) -> str:
        return jwt_encode(claims(NOW, **{"iss": "https://issuer", "aud": "api", **extra}), key)

    assert verifier.verify_token(token(), now=NOW).subject == "user-42"
    err = refused(lambda: verifier.verify_token(token(), now=NOW + 660), "jwt_expired")
    assert isinstance(err, JwtError) and err.http_status == 401
    assert err.challenge is not None and err.challenge.startswith('Bearer realm="orders"')
    refused(lambda: verifier.verify_token(token(iss="https://evil"), now=NOW), "jwt_issuer_mismatch")
    refused(lambda: verifier.verify_token(token(aud="other"), now=NOW), "jwt_audience_mismatch")
    refused(lambda: verifier.verify_token(token(nbf=NOW + 600), now=NOW), "jwt_not_yet_valid")
    err = refused(
        lambda: verifier.verify_token(token(scope="a b"), now=NOW, scopes=["c"]),
        "scope_insufficient",
    )
    assert err.challenge == 'Bearer realm="orders", error="insufficient_scope", scope="c"'
    assert verifier.verify_token(token(scope="a b"), now=NOW, scopes=["b"]).scopes == ["a", "b"]
    err = refused(lambda: verifier.verify(Request("GET", "/", now=NOW)), "credentials_missing")
    assert err.challenge == 'Bearer realm="orders"'


# Payload texts a peer might send: escapes in names and values, numbers JSON writes in several
# ways, nested objects out of order, space between tokens.
PAYLOAD_TEXTS = [
    f'{{"sub":"user-1","iss":"https://issuer.test","aud":"api","exp":{NOW + 600},"scope":"a b"}}',
    f'{{ "aud":"api", "exp" : {NOW + 600} , "esc\\u0061ped" : "line\\nbreak \\u00e9 \\ud83d\\ude00",'
    f' "plain": "café", "sub":"s\\"q" }}',
    f'{{"aud":"api","exp":{NOW + 600},"f":1.5,"e":1e3,"m0":-0,"neg":-3,'
    f'"huge":123456789012345678901234567890,"tiny":1e-400,"max":9223372036854775807}}',
    f'{{"exp":{NOW + 600},"z":{{"b":1,"a":[1,{{"d":2,"c":null}}]}},"aud":["x","api"],"t":true,'
    f'"n":null,"scp":["r","w"]}}',
    f'{{"aud":"api","exp":{NOW + 600},"u64":18446744073709551615}}',
]


def _ordered(value: Any) -> Any:
    """`value` with every dict as its list of items, so that key order is compared too."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def test_every_path_gives_the_same_principal_whatever_the_payload_text() -> None:
    """Without a cache the claims are read from the payload text; through the cache they come
    from the map a cache entry keeps: the dicts must be equal, in the same order."""
    keys = JwtKeySet()
    keys.insert(JwtKey.from_secret(SECRET, "HS256"))
    verifiers = [JwtVerifier(keys, audiences=["api"], cache_size=n) for n in (0, 4)]

    def b64(text: str) -> str:
        return pyjwt.utils.base64url_encode(text.encode()).decode()

    for text in PAYLOAD_TEXTS:
        signing_input = b64('{"alg":"HS256"}') + "." + b64(text)
        mac = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{pyjwt.utils.base64url_encode(mac).decode()}"
        request = Request("GET", "/", [("Authorization", f"Bearer {token}")], now=NOW)
        principals = [
            principal
            for verifier in verifiers
            for principal in (verifier.verify_token(token, now=NOW), verifier.verify(request))
        ]
        first = principals[0]
        assert list(first.claims) == sorted(first.claims)
        assert first.to_dict()["claims"] == first.claims
        for other in principals[1:]:
            assert other.claims == first.claims, text
            assert _ordered(other.claims) == _ordered(first.claims), text
            assert _ordered(other.to_dict()) == _ordered(first.to_dict()), text


def test_verify_jws_for_non_claims_payloads() -> None:
    key = JwtKey.generate("EdDSA")
    private = serialization.load_pem_private_key(key.private_pem().encode(), password=None)
    signer: Any = private
    token = pyjwt.api_jws.encode(b"\x00\xffraw", signer, algorithm="EdDSA", headers={"x": 1})
    jws = JwtVerifier(keyset_of(key)).verify_jws(token)
    assert (jws.alg, jws.kid, jws.payload) == ("EdDSA", key.kid, b"\x00\xffraw")
    assert jws.header == {"alg": "EdDSA", "typ": "JWT", "x": 1}
    refused(lambda: JwtVerifier(keyset_of(key)).verify_token(token, now=NOW), "jwt_malformed")
    assert repr(jws) == f"VerifiedJws(alg='EdDSA', kid={key.kid!r}, payload_len=5)"


# --- Revocation, cache, threads ---------------------------------------------------------------


def test_revocation() -> None:
    key = JwtKey.from_secret(SECRET, "HS256")
    verifier = JwtVerifier(keyset_of(key), cache_size=16)
    token = jwt_encode(claims(NOW, jti="t-1"), key)
    assert verifier.verify_token(token, now=NOW).claims["jti"] == "t-1"  # cached now
    verifier.revoke("t-1", NOW + 600, now=NOW)
    refused(lambda: verifier.verify_token(token, now=NOW + 1), "jwt_revoked")  # despite the cache
    assert verifier.verify_token(jwt_encode(claims(NOW, jti="t-2"), key), now=NOW).subject


def test_cache_outlives_key_removal_until_cleared() -> None:
    keyset = keyset_of(JwtKey.from_secret(SECRET, "HS256", kid="k1"))
    verifier = JwtVerifier(keyset, cache_size=16)
    token = jwt_encode(claims(NOW), JwtKey.from_secret(SECRET, "HS256", kid="k1"))
    verifier.verify_token(token, now=NOW)
    assert keyset.remove("k1") == 1
    assert verifier.verify_token(token, now=NOW + 1).subject == "user-42"  # a cache hit
    # Never served past exp: the full check runs (and finds no key).
    refused(lambda: verifier.verify_token(token, now=NOW + 700), "jwt_key_unknown")
    verifier.clear_cache()
    refused(lambda: verifier.verify_token(token, now=NOW + 2), "jwt_key_unknown")
    # Without a cache the removal applies at once.
    refused(lambda: JwtVerifier(keyset).verify_token(token, now=NOW), "jwt_key_unknown")


def test_threads_share_one_verifier() -> None:
    key = JwtKey.generate("ES256")
    verifier = JwtVerifier(keyset_of(key))
    tokens = [jwt_encode(claims(NOW, sub=f"u{i}"), key) for i in range(8)]
    seen: list[str] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(50):
                seen.append(verifier.verify_token(tokens[i], now=NOW).subject)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(set(seen)) == [f"u{i}" for i in range(8)] and len(seen) == 400


# --- Arguments, configuration, secrets --------------------------------------------------------


def test_wrong_argument_types() -> None:
    key = JwtKey.from_secret(SECRET, "HS256")
    with pytest.raises(TypeError):
        LOOSE.JwtKey.from_secret("a string secret of more than 32 chars", "HS256")
    with pytest.raises(TypeError):
        LOOSE.JwtKey.from_pem(42, "RS256")
    with pytest.raises(TypeError, match="bytes"):
        LOOSE.JwtKey.from_jwk(b"{}")
    with pytest.raises(TypeError):
        LOOSE.JwtKey.from_jwk(["not", "a", "mapping"])
    with pytest.raises(TypeError, match="JwtKey"):
        LOOSE.JwtKeySet().insert("key")
    with pytest.raises(TypeError):
        LOOSE.JwtKeySet.from_jwks(b'{"keys": []}')
    with pytest.raises(TypeError):
        LOOSE.JwtVerifier("not a keyset")
    with pytest.raises(TypeError):
        LOOSE.jwt_encode(42, key)
    with pytest.raises(TypeError):
        LOOSE.jwt_encode({"sub": object()}, key)
    with pytest.raises(TypeError):
        LOOSE.jwt_encode({}, "key")
    with pytest.raises(TypeError):
        LOOSE.JwtVerifier(JwtKeySet()).verify_token(b"token")
    with pytest.raises(TypeError):
        LOOSE.jwk_thumbprint(42)
    refused(lambda: JwtKeySet.from_jwks("{}"), "jwt_key_invalid")
    refused(lambda: JwtKeySet.from_jwks('{"keys": [], "keys": []}'), "jwt_key_invalid")


def test_configuration() -> None:
    keyset = JwtKeySet()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"leeway_seconds": 301}, "config_invalid"),
        ({"issuers": [""]}, "config_invalid"),
        ({"algorithms": ["none"]}, "json_invalid"),
        ({"unknown_field": 1}, "json_invalid"),
        ({"leeway_seconds": "60"}, "json_invalid"),
    ]
    for config, code in bad:
        err = refused(lambda: LOOSE.JwtVerifier(keyset, **config), code)
        assert isinstance(err, UsageError)
    config_json = '{"issuers": ["i"], "audiences": ["a"], "algorithms": ["ES256"], "realm": "r"}'
    verifier = JwtVerifier.from_json(config_json, keyset)
    assert repr(verifier) == "JwtVerifier(keys=0, issuers=['i'], audiences=['a'], realm='r')"
    refused(lambda: JwtVerifier.from_json("{", keyset), "json_invalid")
    hs = JwtKey.from_secret(SECRET, "HS256")
    keyset.insert(hs)
    token = jwt_encode(claims(NOW, iss="i", aud="a"), hs)
    refused(lambda: verifier.verify_token(token, now=NOW), "jwt_algorithm_refused")


def test_secrets_stay_out_of_errors_and_reprs() -> None:
    secret = b"correct-horse-battery-staple-secret-0123456789"
    key = JwtKey.from_secret(secret, "HS256", kid="k1")
    texts = [repr(key), repr(keyset_of(key)), repr(JwtVerifier(keyset_of(key)))]
    assert texts[0] == "JwtKey(kid='k1', algorithm='HS256', kind='secret')"
    generated = JwtKey.generate("RS256")
    pem = generated.private_pem()
    texts.append(repr(generated))
    calls: list[Callable[[], Any]] = [
        lambda: JwtKey.from_secret(secret[:20], "HS256"),
        lambda: JwtKey.from_secret(secret, "ES256"),
        lambda: JwtKey.from_pem(pem, "ES256"),
        lambda: JwtKey.from_pem(pem.replace("A", "B", 3), "RS256"),
        lambda: JwtKey.from_jwk({"kty": "oct", "k": "c2VjcmV0"}, "HS256"),
        lambda: key.public_jwk(),
        lambda: LOOSE.JwtVerifier(keyset_of(key), leeway_seconds=secret.decode()),
    ]
    for call in calls:
        with pytest.raises(AuthError) as info:
            call()
        err = info.value
        texts += [str(err), repr(err), err.detail, err.message]
    pem_body = "".join(pem.splitlines()[1:-1])
    for text in texts:
        assert secret.decode() not in text and secret[:20].decode() not in text
        assert pem_body[:40] not in text and "c2VjcmV0" not in text


# --- The portcullis.jwt namespace -------------------------------------------------------------


def test_namespace() -> None:
    from portcullis import jwt

    assert (jwt.encode, jwt.Verifier, jwt.KeySet, jwt.Key) == (
        jwt_encode,
        JwtVerifier,
        JwtKeySet,
        JwtKey,
    )
    key = jwt.Key.from_secret(SECRET, "HS256", kid="k1")
    keys = jwt.KeySet()
    keys.insert(key)
    token = jwt.encode(claims(NOW, aud="api", scope="read"), key)
    assert jwt.decode(token, keys, now=NOW, audiences=["api"], scopes=["read"]) == claims(
        NOW, aud="api", scope="read"
    )
    refused(lambda: jwt.decode(token, keys, now=NOW), "jwt_audience_mismatch")
    refused(
        lambda: jwt.decode(token, keys, now=NOW, audiences=["api"], scopes=["w"]),
        "scope_insufficient",
    )
    live = jwt.encode(claims(int(time.time())), key)
    assert jwt.decode(live, keys)["sub"] == "user-42"  # now=None: the system clock
    assert portcullis.jwt is jwt
