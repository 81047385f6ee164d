"""Audit callables through the Python binding: delivery, failures, drops and garbage
collection."""

from __future__ import annotations

import gc
import json
import sys
import threading
import weakref
from typing import Any

import pytest

import portcullis
from gate_common import CONFIG, NOW, SECRETS, bearer, gate, token

# --- audit ------------------------------------------------------------------------------------


def test_audit_callable_receives_every_decision() -> None:
    events: list[portcullis.AuditEvent] = []
    g = gate(audit=events.append)
    g.check(bearer("/orders/7", peer_address="203.0.113.7"))
    g.check(
        portcullis.Request("GET", "/nowhere", [("X-Request-Id", "req-42")], now=NOW, peer_address="::1")
    )
    assert g.flush_audit()
    assert g.audit_stats() == {"submitted": 2, "delivered": 2, "dropped": 0, "sink_failures": 0}
    allow, deny = events
    assert (allow.outcome, allow.status, allow.route, allow.credential, allow.method, allow.subject) == (
        "allow",
        200,
        "orders",
        "tokens",
        "jwt",
        "alice",
    )
    assert (allow.time, allow.tried, allow.code, allow.peer_address) == (NOW, ["tokens"], None, "203.0.113.7")
    assert allow.latency_us >= 0
    assert (deny.outcome, deny.status, deny.code, deny.route, deny.request_id, deny.peer_address) == (
        "deny",
        403,
        "route_unmatched",
        None,
        "req-42",
        "::1",
    )
    assert deny.credential is None and deny.subject is None and deny.credential_id is None
    assert json.loads(deny.to_json()) == {
        k: v for k, v in deny.to_dict().items() if v is not None
    }
    assert set(allow.to_dict()) == {
        "time", "route", "request_id", "peer_address", "tried", "credential", "method",
        "subject", "credential_id", "outcome", "status", "code", "latency_us",
    }
    assert token()[10:40] not in allow.to_json()
    assert repr(deny).startswith("AuditEvent(outcome='deny', status=403")


def test_a_gate_without_audit_counts_nothing() -> None:
    g = gate()
    g.check(bearer("/orders/7"))
    assert g.flush_audit(0.5)
    assert g.audit_stats() == {"submitted": 0, "delivered": 0, "dropped": 0, "sink_failures": 0}


def test_a_raising_callable_is_counted_and_never_reaches_check(monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def broken(event: portcullis.AuditEvent) -> None:
        raise ValueError(f"cannot log {event.outcome}")

    g = gate(audit=broken)
    for _ in range(3):
        assert g.check(bearer("/orders/7")).allowed
    assert g.flush_audit()
    assert g.audit_stats() == {"submitted": 3, "delivered": 3, "dropped": 0, "sink_failures": 3}
    assert len(unraisable) == 3
    assert isinstance(unraisable[0].exc_value, ValueError)
    assert unraisable[0].object is broken


def test_a_slow_callable_makes_drops_not_slow_checks() -> None:
    entered = threading.Event()
    release = threading.Event()
    seen: list[str] = []

    def slow(event: portcullis.AuditEvent) -> None:
        seen.append(event.outcome)
        entered.set()
        release.wait(timeout=30)

    g = portcullis.Gate.from_toml(CONFIG + "\n[audit]\nqueue = 2\n", secrets=SECRETS, audit=slow)
    try:
        g.check(bearer("/orders/7"))
        assert entered.wait(timeout=30), "the audit thread never called the callable"
        # The audit thread is held in the callable: two events fit in the queue, the rest drop.
        for _ in range(10):
            assert g.check(bearer("/orders/7")).allowed
        stats = g.audit_stats()
        assert (stats["submitted"], stats["dropped"]) == (11, 8)
    finally:
        release.set()
    assert g.flush_audit(30)
    assert g.audit_stats() == {"submitted": 11, "delivered": 3, "dropped": 8, "sink_failures": 0}
    assert seen == ["allow"] * 3


class Recorder:
    """An audit callable that holds the gate it audits: a reference cycle through Rust."""

    def __init__(self) -> None:
        self.gate: portcullis.Gate | None = None
        self.events = 0

    def __call__(self, event: portcullis.AuditEvent) -> None:
        self.events += 1


def test_a_cycle_through_the_audit_callable_is_collected() -> None:
    recorder = Recorder()
    recorder.gate = gate(audit=recorder)
    recorder.gate.check(bearer("/orders/7"))
    assert recorder.gate.flush_audit()
    assert recorder.events == 1
    alive = weakref.ref(recorder)
    del recorder
    for _ in range(3):
        gc.collect()
    assert alive() is None


def test_dropping_a_gate_delivers_what_is_queued() -> None:
    events: list[portcullis.AuditEvent] = []
    g = gate(audit=events.append)
    for _ in range(20):
        g.check(bearer("/orders/7"))
    del g
    assert len(events) == 20

