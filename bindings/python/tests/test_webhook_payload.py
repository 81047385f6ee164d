"""`WebhookVerifier.verify_payload`: a raw body and the header container a framework hands a
handler, without a `Request`. (The vector runner runs every webhook case through it too.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Callable

import pytest

from portcullis import AuthError, Principal, RequestError, SignatureError, WebhookSigner, WebhookVerifier

NOW = 1_767_225_600
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = b'{"type":"invoice.paid","id":"in_1","amount":1200}'


def signed(body: bytes = BODY, message_id: str = "msg_1", timestamp: int = NOW) -> dict[str, str]:
    headers = WebhookSigner("standard", WHSEC).sign(body, timestamp=timestamp, message_id=message_id)
    return dict(headers)


def verifier(**config: Any) -> WebhookVerifier:
    return WebhookVerifier(secrets=[WHSEC], **config)


def refused(call: Callable[[], Any], code: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        call()
    assert info.value.code == code, info.value.detail
    return info.value


class MultiDict(Mapping[str, str]):
    """A case-insensitive multi-dict, as frameworks keep headers (werkzeug, Starlette): indexing
    gives the first value, `.items()` every field, repeats included."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields

    def __getitem__(self, name: str) -> str:
        for field, value in self._fields:
            if field.lower() == name.lower():
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(field.lower() for field, _ in self._fields))

    def __len__(self) -> int:
        return len(set(field.lower() for field, _ in self._fields))

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self._fields)


def check(principal: Principal, message_id: str = "msg_1") -> None:
    assert (principal.subject, principal.method, principal.credential_id) == ("standard", "hmac", "secret-0")
    assert principal.claims == {
        "scheme": "standard",
        "signature_version": "v1",
        "message_id": message_id,
        "timestamp": NOW,
    }


def test_header_names() -> None:
    assert verifier().header_names() == ("webhook-id", "webhook-timestamp", "webhook-signature", "content-length")
    github = WebhookVerifier(scheme="github", secrets=["s" * 32])
    assert github.header_names() == ("x-hub-signature-256", "x-hub-signature", "x-github-delivery", "content-length")
    assert WebhookVerifier(scheme="stripe", secrets=["s" * 32]).header_names() == ("stripe-signature", "content-length")


def test_header_containers() -> None:
    headers = signed()
    pairs = list(headers.items())
    containers: list[Any] = [
        headers,  # dict
        {"Host": "example.com", **headers, "Accept": "*/*"},  # other fields skipped
        MultiDict(pairs),  # a Mapping that is not a dict
        pairs,  # list of pairs
        tuple(pairs),
        iter(pairs),  # any iterable
        {name.upper(): value for name, value in pairs},  # names case-insensitive
        {name.title(): value for name, value in pairs},  # Django / werkzeug spelling
        {name: value.encode() for name, value in pairs},  # bytes values
        [(name, value.encode() if i % 2 else value) for i, (name, value) in enumerate(pairs)],
        [*pairs, ("Content-Length", str(len(BODY)))],
    ]
    for container in containers:
        check(verifier().verify_payload(BODY, container, now=NOW))


def test_values_trimmed_and_unread_fields_unchecked() -> None:
    headers: dict[str, Any] = {name: f" \t{value} " for name, value in signed().items()}
    # Fields the scheme does not read are neither converted nor checked.
    headers["x-other"] = "bad\r\nvalue"
    headers["x-object"] = object()
    check(verifier().verify_payload(BODY, headers, now=NOW))


def test_body_types() -> None:
    headers = signed()
    for body in (BODY, bytearray(BODY), memoryview(BODY), memoryview(bytearray(BODY)), BODY.decode()):
        check(verifier().verify_payload(body, headers, now=NOW))
    # A non-contiguous buffer is read in logical order.
    doubled = bytes(b for byte in BODY for b in (byte, 0))
    check(verifier().verify_payload(memoryview(doubled)[::2], headers, now=NOW))
    # A text body is its UTF-8.
    text = '{"name":"Zoë ✓"}'
    check(verifier().verify_payload(text, signed(text.encode()), now=NOW))


def test_mutable_body_is_copied() -> None:
    body = bytearray(BODY)
    principal = verifier().verify_payload(body, signed(), now=NOW)
    body[:] = b"changed"
    check(principal)
    refused(lambda: verifier().verify_payload(body, signed(), now=NOW), "signature_mismatch")


def test_refusals() -> None:
    headers = signed()
    refused(lambda: verifier().verify_payload(BODY + b" ", headers, now=NOW), "signature_mismatch")
    err = refused(lambda: verifier().verify_payload(BODY, {}, now=NOW), "signature_missing")
    assert isinstance(err, SignatureError)
    # A field repeated, under two spellings: ambiguous, whatever the container.
    twice = [*headers.items(), ("Webhook-Id", "msg_1")]
    refused(lambda: verifier().verify_payload(BODY, twice, now=NOW), "credentials_ambiguous")
    refused(lambda: verifier().verify_payload(BODY, MultiDict(twice), now=NOW), "credentials_ambiguous")
    # CR, LF or NUL in a field the scheme reads.
    for bad in ("msg_1\r\nx: y", "msg_1\n", b"msg_1\x00"):
        err = refused(lambda: verifier().verify_payload(BODY, {**headers, "webhook-id": bad}, now=NOW), "request_invalid")
        assert isinstance(err, RequestError)
    refused(
        lambda: verifier().verify_payload(BODY, {**headers, "content-length": "3"}, now=NOW),
        "signature_digest_mismatch",
    )
    refused(lambda: verifier().verify_payload(b"x" * (16 * 1024 * 1024 + 1), headers, now=NOW), "input_too_large")
    refused(
        lambda: verifier().verify_payload(BODY, {**headers, "webhook-signature": "v1," + "A" * 20000}, now=NOW),
        "input_too_large",
    )
    # Replays are refused by a verifier that remembers.
    remembering = verifier()
    check(remembering.verify_payload(BODY, headers, now=NOW))
    refused(lambda: remembering.verify_payload(BODY, headers, now=NOW), "signature_replayed")


def test_now_defaults_to_the_clock() -> None:
    old = signed()  # signed at NOW (2026-01-01): long outside the tolerance of the real clock
    err = refused(lambda: verifier().verify_payload(BODY, old), "signature_expired")
    assert "v1," not in str(err) and "MfKQ" not in str(err)
    fresh = int(time.time())
    assert verifier().verify_payload(BODY, signed(timestamp=fresh), now=None).claims["timestamp"] == fresh


def test_wrong_types() -> None:
    v: Any = verifier()  # without its types: these calls are wrong on purpose
    headers = signed()
    for body in (None, 1, ["x"], {"a": 1}):
        with pytest.raises(TypeError, match="body must be"):
            v.verify_payload(body, headers, now=NOW)
    for container in ("webhook-id: x", b"webhook-id: x", 3, None):
        with pytest.raises(TypeError):
            v.verify_payload(BODY, container, now=NOW)
    malformed: list[Any] = [[("webhook-id",)], [["webhook-id", "msg_1"]], ["webhook-id"], {b"webhook-id": "msg_1"}]
    for container in malformed:
        with pytest.raises(TypeError):
            v.verify_payload(BODY, container, now=NOW)
    with pytest.raises(TypeError, match="header value must be str or bytes"):
        v.verify_payload(BODY, {**headers, "webhook-id": 1}, now=NOW)
    with pytest.raises(TypeError):
        v.verify_payload(BODY, headers, now="1767225600")
    with pytest.raises(TypeError):
        v.verify_payload(BODY, headers, NOW)  # now is keyword-only
    with pytest.raises(OverflowError):
        v.verify_payload(BODY, headers, now=2**64)
    # A header value that is not valid text raises rather than being guessed at.
    with pytest.raises(UnicodeEncodeError):
        v.verify_payload(BODY, {**headers, "webhook-id": "msg_\udc80"}, now=NOW)


def test_large_body_with_the_gil_released() -> None:
    body = b"a" * (256 * 1024)
    headers = signed(body)
    check(verifier().verify_payload(body, headers, now=NOW))
    check(verifier().verify_payload(bytearray(body), headers, now=NOW))
    refused(lambda: verifier().verify_payload(body[:-1] + b"b", headers, now=NOW), "signature_mismatch")


def test_threads() -> None:
    shared = verifier()
    sizes = (100, 1024, 20 * 1024, 100 * 1024)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(60):
                size = sizes[i % len(sizes)]
                body = bytes([65 + (worker + i) % 26]) * size
                message_id = f"msg_{worker}_{i}"
                headers = signed(body, message_id)
                check(shared.verify_payload(body, headers, now=NOW), message_id)
                # Each message once: a second delivery is a replay, a tampered one a mismatch.
                refused(lambda: shared.verify_payload(body, headers, now=NOW), "signature_replayed")
                tampered = {**headers, "webhook-id": message_id + "x"}
                refused(lambda: shared.verify_payload(body, tampered, now=NOW), "signature_mismatch")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors


def test_bytearray_changed_by_another_thread() -> None:
    # The body is copied before the GIL is released: a concurrent change makes the check fail
    # or pass (before or after the copy), never read freed or half-written memory.
    body = bytearray(b"a" * (1024 * 1024))
    headers = signed(bytes(body))
    stop = threading.Event()

    def scribble() -> None:
        while not stop.is_set():
            body[0] ^= 1
            body.extend(b"x")
            del body[-1]

    writer = threading.Thread(target=scribble)
    writer.start()
    try:
        outcomes = set()
        for _ in range(20):
            try:
                verifier().verify_payload(body, headers, now=NOW)
                outcomes.add("ok")
            except SignatureError as err:
                outcomes.add(err.code)
    finally:
        stop.set()
        writer.join()
    assert outcomes <= {"ok", "signature_mismatch"}, outcomes
