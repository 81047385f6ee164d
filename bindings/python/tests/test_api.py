"""The whole Python surface: keys, rotation, revocation, records, Basic, errors, typing, GIL."""

from __future__ import annotations

import base64
import json
import pathlib
import re
import sys
import threading
from typing import Any

import pytest

import portcullis
from portcullis import (
    ApiKeyError,
    ApiKeyRecord,
    ApiKeyRing,
    AuthError,
    BasicAuth,
    BasicAuthError,
    Request,
    RequestError,
    UsageError,
)

NOW = 1_767_225_600
PEPPER = bytes(range(32))
# Cheap argon2 parameters for tests that only need a hash, not its cost.
FAST = {"memory_kib": 64, "iterations": 1, "parallelism": 1}


def bearer(key: str, now: int = NOW, target: str = "/orders") -> Request:
    return Request("GET", target, [("Authorization", f"Bearer {key}")], now=now)


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def ring() -> ApiKeyRing:
    return ApiKeyRing(PEPPER, environment="live", query="api_key", realm="test")


# --- API keys -------------------------------------------------------------------------------


def test_generate_insert_verify_each_source(ring: ApiKeyRing) -> None:
    issued = ring.generate(
        subject="svc", scopes=["read", "write"], metadata={"team": "a", "n": [1, 2.5, None]}, now=NOW
    )
    assert issued.key.startswith("pc_live_")
    assert ring.check_format(issued.key) == "live"
    assert len(ring) == 0
    ring.insert(issued.record)
    assert len(ring) == 1
    requests = [
        bearer(issued.key),
        Request("GET", "/orders", {"X-API-Key": issued.key}, now=NOW),
        Request("GET", "/orders", [("x-api-key", issued.key.encode())], now=NOW),
        Request("GET", f"/orders?api_key={issued.key}", now=NOW),
    ]
    for request in requests:
        p = ring.verify(request, ["read"])
        assert (p.subject, p.method, p.credential_id) == ("svc", "api_key", issued.record.key_id)
        assert p.scopes == ["read", "write"]
        assert p.expires_at is None
        assert p.claims == {"environment": "live", "metadata": {"team": "a", "n": [1, 2.5, None]}}
        assert p.claims is p.claims  # converted once
        assert p.to_dict()["method"] == "api_key"
        assert p.to_dict()["credential_id"] == issued.record.key_id
        assert issued.key not in repr(p)


def test_record_properties_and_json_round_trip(ring: ApiKeyRing) -> None:
    issued = ring.generate(subject="svc", scopes=["a"], expires_at=NOW + 10, metadata={"k": {"x": 1}}, now=NOW)
    r = issued.record
    assert r.key_id.startswith("ak_")
    assert re.fullmatch(r"[0-9a-f]{64}", r.digest)
    assert (r.prefix, r.environment, r.subject, r.scopes) == ("pc", "live", "svc", ["a"])
    assert (r.created_at, r.expires_at, r.revoked_at, r.successor) == (NOW, NOW + 10, None, None)
    assert r.metadata == {"k": {"x": 1}}
    again = ApiKeyRecord.from_json(r.to_json())
    assert again == r
    assert json.loads(r.to_json())["digest"] == r.digest
    assert r.digest not in repr(r) and r.key_id in repr(r)
    assert issued.key not in repr(issued) and r.key_id in repr(issued)
    assert "redacted" in repr(issued)


def test_ring_management(ring: ApiKeyRing) -> None:
    a = ring.generate(now=NOW)
    b = ring.generate(now=NOW)
    ring.insert(a.record)
    ring.insert(b.record)
    assert len(ring) == 2
    assert ring.get(a.record.key_id) == a.record
    assert ring.get("ak_missing") is None
    assert ring.remove(a.record.key_id) is True
    assert ring.remove(a.record.key_id) is False
    assert len(ring) == 1
    with pytest.raises(ApiKeyError) as info:
        ring.verify(bearer(a.key))
    assert info.value.code == "apikey_unknown"
    assert re.search(ring.scanner_regex(), f"token={b.key};") is not None
    assert "pepper" not in repr(ring).lower() and "records=1" in repr(ring)


def test_rotate_with_overlap(ring: ApiKeyRing) -> None:
    old = ring.generate(subject="svc", scopes=["read"], expires_at=NOW + 1000, now=NOW - 100)
    ring.insert(old.record)
    new, updated = ring.rotate(old.record, overlap=60, now=NOW)
    assert updated.successor == new.record.key_id
    assert updated.expires_at == NOW + 60
    assert new.record.expires_at == NOW + 1100  # same lifetime as the old key
    assert (new.record.subject, new.record.scopes) == ("svc", ["read"])
    ring.insert(updated)
    ring.insert(new.record)
    p = ring.verify(bearer(old.key, NOW + 59))
    assert p.claims["successor"] == new.record.key_id
    with pytest.raises(ApiKeyError) as info:
        ring.verify(bearer(old.key, NOW + 60))
    assert info.value.code == "apikey_rotated"
    assert ring.verify(bearer(new.key, NOW + 60)).credential_id == new.record.key_id
    with pytest.raises(ApiKeyError) as info:
        ring.rotate(updated, overlap=60, now=NOW)
    assert info.value.code == "apikey_rotated"
    with pytest.raises(UsageError) as usage:
        ring.rotate(new.record, overlap=-1, now=NOW)
    assert usage.value.code == "invalid_argument"


def test_revoke(ring: ApiKeyRing) -> None:
    issued = ring.generate(now=NOW)
    ring.insert(issued.record)
    revoked = ring.revoke(issued.record.key_id, NOW + 5)
    assert revoked.revoked_at == NOW + 5
    assert ring.get(issued.record.key_id) == revoked
    ring.verify(bearer(issued.key, NOW + 4))
    with pytest.raises(ApiKeyError) as info:
        ring.verify(bearer(issued.key, NOW + 5))
    assert info.value.code == "apikey_revoked"
    with pytest.raises(ApiKeyError) as info:
        ring.revoke("ak_nope")
    assert info.value.code == "apikey_unknown"
    assert info.value.challenge is None  # a management error, not a denial


def test_lookup_digest_then_verify_record(ring: ApiKeyRing) -> None:
    issued = ring.generate(subject="svc", scopes=["read"], now=NOW)
    database = {issued.record.digest: issued.record.to_json()}  # stored by digest, ring unused
    request = bearer(issued.key)
    digest = ring.lookup_digest(request)
    assert digest == issued.record.digest
    record = ApiKeyRecord.from_json(database[digest])
    p = ring.verify_record(request, record, ["read"])
    assert (p.subject, p.credential_id) == ("svc", issued.record.key_id)
    other = ring.generate(now=NOW).record
    with pytest.raises(ApiKeyError) as info:
        ring.verify_record(request, other)
    assert info.value.code == "apikey_record_invalid"
    with pytest.raises(RequestError) as missing:
        ring.lookup_digest(Request("GET", "/", now=NOW))
    assert missing.value.code == "credentials_missing"


def test_check_format_errors(ring: ApiKeyRing) -> None:
    key = ring.generate(now=NOW).key
    with pytest.raises(ApiKeyError) as info:
        ring.check_format(key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert info.value.code == "apikey_checksum_mismatch"
    with pytest.raises(ApiKeyError) as info:
        ring.check_format("nope")
    assert info.value.code == "apikey_malformed"
    test_ring = ApiKeyRing(PEPPER, environment="test")
    with pytest.raises(ApiKeyError) as info:
        test_ring.check_format(key)
    assert info.value.code == "apikey_environment_mismatch"
    assert ApiKeyRing(PEPPER).check_format(ApiKeyRing(PEPPER).generate().key) is None


def test_from_json_constructors() -> None:
    ring = ApiKeyRing.from_json('{"prefix": "acme", "environment": "test", "header": null}', PEPPER)
    issued = ring.generate(now=NOW)
    assert issued.key.startswith("acme_test_")
    ring.insert(issued.record)
    with pytest.raises(RequestError) as info:
        ring.verify(Request("GET", "/", {"X-API-Key": issued.key}, now=NOW))
    assert info.value.code == "credentials_missing"
    with pytest.raises(UsageError) as bad:
        ApiKeyRing.from_json('{"prefix": "pc", "nope": 1}', PEPPER)
    assert bad.value.code == "json_invalid"
    auth = BasicAuth.from_json(json.dumps({"users": {"u": portcullis.hash_password("pw", **FAST)}}))
    assert len(auth) == 1


# --- errors ---------------------------------------------------------------------------------


def test_exception_classes_and_attributes(ring: ApiKeyRing) -> None:
    for cls in (UsageError, portcullis.InternalError, RequestError, ApiKeyError, BasicAuthError):
        assert issubclass(cls, AuthError) and issubclass(cls, Exception)
    issued = ring.generate(now=NOW, scopes=["read"])
    ring.insert(issued.record)
    with pytest.raises(RequestError) as info:
        ring.verify(bearer(issued.key), ["admin", "read"])
    err = info.value
    assert (err.code, err.number, err.http_status, err.category) == (
        "scope_insufficient", 104, 403, "request"
    )
    assert err.message == "Insufficient scope."
    assert err.challenge == 'Bearer realm="test", error="insufficient_scope", scope="admin read"'
    assert str(err) == f"scope_insufficient: {err.detail}"
    with pytest.raises(RequestError) as info:
        ring.verify(Request("GET", "/", now=NOW))
    assert info.value.challenge == 'Bearer realm="test"'
    with pytest.raises(UsageError) as usage:
        ApiKeyRing(b"short")
    assert (usage.value.code, usage.value.category, usage.value.challenge) == (
        "config_invalid", "usage", None
    )
    with pytest.raises(UsageError) as js:
        ApiKeyRecord.from_json("{")
    assert js.value.code == "json_invalid"
    with pytest.raises(RequestError) as req:
        Request("GE T", "/")
    assert req.value.code == "request_invalid"
    with pytest.raises(RequestError):
        Request("GET", "/", [("X", "a\nb")])
    with pytest.raises(UsageError) as addr:
        Request("GET", "/", peer_address="not-an-ip")
    assert addr.value.code == "invalid_argument"
    with pytest.raises(UsageError):
        Request("GET", "/", peer_certificates=[b""])


def test_secrets_absent_from_errors_and_reprs(ring: ApiKeyRing) -> None:
    issued = ring.generate(now=NOW)
    ring.insert(issued.record)
    typo = issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")
    with pytest.raises(ApiKeyError) as info:
        ring.verify(bearer(typo))
    err = info.value
    texts = [str(err), repr(err), err.detail, err.message, err.challenge or ""]
    for secret in (typo, issued.key, typo[-12:]):
        assert all(secret not in text for text in texts)
    auth = BasicAuth(users={"alice": portcullis.hash_password("s3cret-pw", **FAST)})
    with pytest.raises(BasicAuthError) as bad:
        auth.verify(Request("GET", "/", [("Authorization", basic_header("alice", "wr0ng-pw"))]))
    assert all("wr0ng-pw" not in t for t in (str(bad.value), repr(bad.value), bad.value.detail))
    creds = portcullis.parse_basic(basic_header("alice", "s3cret-pw"))
    assert (creds.user_id, creds.password) == ("alice", "s3cret-pw")
    assert "s3cret-pw" not in repr(creds) and "alice" in repr(creds)
    request = Request("GET", f"/x?api_key={issued.key}", [("Authorization", f"Bearer {issued.key}")])
    assert issued.key not in repr(request) and "authorization" in repr(request)
    assert "s3cret" not in repr(auth)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: Request(1, "/"),  # type: ignore[arg-type]
        lambda r: Request("GET", "/", "Authorization: x"),  # type: ignore[arg-type]
        lambda r: Request("GET", "/", [("X", 1)]),  # type: ignore[list-item]
        lambda r: Request("GET", "/", [("X",)]),  # type: ignore[list-item]
        lambda r: Request("GET", "/", [1]),  # type: ignore[list-item]
        lambda r: Request("GET", "/", body="text"),  # type: ignore[arg-type]
        lambda r: Request("GET", "/", now="soon"),  # type: ignore[arg-type]
        lambda r: ApiKeyRing("not bytes"),  # type: ignore[arg-type]
        lambda r: r.verify("GET /"),
        lambda r: r.verify(Request("GET", "/"), "read"),
        lambda r: r.generate(scopes="read"),
        lambda r: r.generate(metadata={"k": object()}),
        lambda r: r.generate(metadata=["not", "a", "mapping"]),
        lambda r: r.insert({"key_id": "x"}),
        lambda r: r.rotate(r.generate().record, overlap="1"),
        lambda r: portcullis.hash_password(123),  # type: ignore[arg-type]
        lambda r: portcullis.parse_basic(None),  # type: ignore[arg-type]
        lambda r: BasicAuth(users={"u": 1}),  # type: ignore[dict-item]
        lambda r: BasicAuth(users=[("u", "h")]),  # type: ignore[arg-type]
        lambda r: BasicAuth(rehash_params={"memory_kib": "big"}),  # type: ignore[dict-item]
        lambda r: BasicAuth(htpasswd_file=42),  # type: ignore[arg-type]
    ],
)
def test_wrong_argument_types_raise_type_error(ring: ApiKeyRing, call: Any) -> None:
    with pytest.raises(TypeError):
        call(ring)


# --- Basic ----------------------------------------------------------------------------------


def test_hash_password_round_trip_through_basic() -> None:
    encoded = portcullis.hash_password("correct horse", **FAST)
    assert encoded.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert portcullis.hash_password(b"correct horse", **FAST) != encoded  # fresh salt
    auth = BasicAuth(realm="r", users={"alice": encoded})
    p = auth.verify(Request("GET", "/", [("Authorization", basic_header("alice", "correct horse"))]))
    assert (p.subject, p.method, p.credential_id, p.scopes) == ("alice", "basic", "alice", [])
    assert p.claims == {"hash_scheme": "argon2id", "needs_rehash": True}
    current = BasicAuth(users={"alice": encoded}, rehash_params=FAST)
    p = current.verify(Request("GET", "/", [("Authorization", basic_header("alice", "correct horse"))]))
    assert p.claims["needs_rehash"] is False
    with pytest.raises(BasicAuthError) as info:
        auth.verify(Request("GET", "/", [("Authorization", basic_header("alice", "nope"))]))
    err = info.value
    assert (err.code, err.http_status) == ("basic_invalid_credentials", 401)
    assert err.challenge == 'Basic realm="r", charset="UTF-8"'
    with pytest.raises(UsageError) as bad:
        portcullis.hash_password("x", memory_kib=1)
    assert bad.value.code == "invalid_argument"
    with pytest.raises(UsageError) as bad:
        BasicAuth(rehash_params={"memory_kib": 64, "lanes": 2})
    assert bad.value.code == "json_invalid"


def test_htpasswd_file_on_disk(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "htpasswd"
    path.write_text(
        "# users\n"
        f"carol:{portcullis.hash_password('pw-carol', **FAST)}\r\n"
        "bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\n"
    )
    for file_arg in (path, str(path)):
        auth = BasicAuth(htpasswd_file=file_arg)
        assert len(auth) == 2
        for user, password in (("carol", "pw-carol"), ("bob", "hunter2")):
            request = Request("GET", "/", [("Authorization", basic_header(user, password))])
            assert auth.verify(request).subject == user
    with pytest.raises(UsageError) as info:
        BasicAuth(htpasswd_file=tmp_path / "missing")
    assert info.value.code == "config_invalid"
    (tmp_path / "bad").write_text("nocolon\n")
    with pytest.raises(BasicAuthError) as bad:
        BasicAuth(htpasswd_file=tmp_path / "bad")
    assert bad.value.code == "basic_htpasswd_malformed"


def test_parse_basic_str_and_bytes() -> None:
    assert portcullis.parse_basic(b"Basic " + base64.b64encode(b"u:p:q")).password == "p:q"
    with pytest.raises(BasicAuthError) as info:
        portcullis.parse_basic("Basic !!!")
    assert info.value.code == "basic_bad_base64"
    with pytest.raises(RequestError) as other:
        portcullis.parse_basic("Bearer abc")
    assert other.value.code == "credentials_missing"


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", portcullis.__version__)


# --- the GIL --------------------------------------------------------------------------------


def test_gil_released_during_argon2_verify() -> None:
    """Another Python thread runs while verify is inside the native call.

    With a huge switch interval the interpreter never forces a thread to give up the GIL, so
    the counter thread can only run while a verifier has released it: inside verify (or
    hash_password). Any increment seen while a verify is in flight proves the release; no
    clock is read.
    """
    password = "correct horse battery staple"
    auth = BasicAuth(users={"alice": portcullis.hash_password(password)})  # 19456 KiB argon2id
    request = Request("GET", "/", [("Authorization", basic_header("alice", password))])
    state = {"inside": 0, "seen_inside": 0, "done": False}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def verifier() -> None:
        try:
            for _ in range(2):
                with lock:
                    state["inside"] += 1
                assert auth.verify(request).subject == "alice"
                with lock:
                    state["inside"] -= 1
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    def counter() -> None:
        import time

        while not state["done"]:
            if state["inside"] > 0:
                state["seen_inside"] += 1
            time.sleep(0)  # releases the GIL so verifiers can get it back

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        count_thread = threading.Thread(target=counter)
        count_thread.start()
        workers = [threading.Thread(target=verifier) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        state["done"] = True
        count_thread.join()
    finally:
        sys.setswitchinterval(old_interval)
    assert not errors, errors
    assert state["seen_inside"] > 0
