"""When `Gate.check` holds the GIL: kept for gates whose checks take microseconds, released when
a credential may block (Basic hashes passwords), and read again after each reload.

The proof is a second Python thread that counts. The switch interval is set far beyond the
test's length, so that thread runs only when the main thread gives the GIL up itself: a count
that moves during a check shows the check released the GIL, one that stays shows it kept it.
The fast gate verifies ES256 tokens (tens of microseconds, in memory: it may not block), long
enough for the waiting thread to get in now and then had the check released the GIL."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import portcullis
from gate_common import CONFIG, NOW, SECRETS

# The default argon2id parameters: a check of this user hashes for milliseconds.
BASIC = (
    CONFIG
    + f"""
[credentials.ops]
method = "basic"
realm = "ops"
users = {{ bob = "{portcullis.hash_password("hunter2")}" }}

[[routes]]
name = "ops"
path = "/ops"
require = "ops"
"""
)
ES_KEY = portcullis.JwtKey.generate("ES256")
ES_KEYS = portcullis.JwtKeySet()
ES_KEYS.insert(ES_KEY)
ES256 = json.dumps(
    {
        "credentials": {"es": {"method": "jwt", "audiences": ["api"], "keys": {"jwks": ES_KEYS.public_jwks()}}},
        "routes": [{"name": "es", "path": "/es", "require": "es"}],
    }
)
EVE = portcullis.Request(
    "GET",
    "/es",
    [("Authorization", "Bearer " + portcullis.jwt_encode({"sub": "eve", "aud": "api", "exp": NOW + 60}, ES_KEY))],
    now=NOW,
)
BOB = portcullis.Request(
    "GET", "/ops", [("Authorization", "Basic " + base64.b64encode(b"bob:hunter2").decode())], now=NOW
)


class Counter:
    """A thread that counts, giving the GIL up between counts (`sleep` releases it)."""

    def __init__(self) -> None:
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.count += 1
            time.sleep(0.0002)


@contextmanager
def counting() -> Iterator[Counter]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    counter = Counter()
    try:
        counter.thread.start()
        for _ in range(10_000):
            if counter.count:
                break
            time.sleep(0.001)
        assert counter.count, "the counting thread never ran"
        yield counter
    finally:
        counter.stop.set()
        counter.thread.join(timeout=30)
        sys.setswitchinterval(old)


def counted_during(g: portcullis.Gate, request: portcullis.Request, checks: int) -> tuple[int, list[str | None]]:
    """How far the counter moved while `checks` checks ran back to back, and their credentials."""
    with counting() as counter:
        before = counter.count
        decisions = [g.check(request) for _ in range(checks)]
        moved = counter.count - before
    return moved, [d.credential for d in decisions]


def test_a_fast_gate_keeps_the_gil() -> None:
    g = portcullis.Gate.from_json(ES256)
    assert not g.may_block
    moved, credentials = counted_during(g, EVE, 500)
    assert credentials == ["es"] * 500
    assert moved == 0, "a check that cannot block released the GIL"


def test_the_counter_sees_a_verify_that_releases_the_gil() -> None:
    # The same verification through a JwtVerifier, which releases the GIL for signatures that
    # are not HMAC: the counter gets in (the test above would see a release).
    verifier = portcullis.JwtVerifier(ES_KEYS, audiences=["api"])
    with counting() as counter:
        before = counter.count
        for _ in range(500):
            verifier.verify(EVE)
        moved = counter.count - before
    assert moved > 0


def test_a_hashing_check_releases_the_gil_and_reloads_follow() -> None:
    g = portcullis.Gate.from_json(ES256, secrets=SECRETS)
    g.reload_toml(BASIC)
    assert g.may_block
    # Each check hashes for milliseconds; the counter runs meanwhile (a few checks at most, so
    # a thread that was slow to wake cannot fail the test).
    moved = 0
    credentials: list[str | None] = []
    for _ in range(5):
        moved, credentials = counted_during(g, BOB, 1)
        if moved:
            break
    assert credentials == ["ops"]
    assert moved > 0, "the GIL was held while the password was hashed"

    # A failed reload keeps the running configuration, and what it says about blocking.
    with pytest.raises(portcullis.UsageError):
        g.reload_toml("version = 1\nroutes = 1\n")
    assert g.may_block

    g.reload_json(ES256)
    assert not g.may_block
    assert counted_during(g, EVE, 500) == (0, ["es"] * 500)
    g.reload_toml(CONFIG)
    assert not g.may_block


def test_may_block_at_load() -> None:
    assert portcullis.Gate.from_toml(BASIC, secrets=SECRETS).may_block
    assert not portcullis.Gate.from_toml(CONFIG, secrets=SECRETS).may_block
