"""Audit callables through the Python binding: `audit=` (one call per event) and
`audit_batch=` (one call per core batch, with a lazy `AuditBatch`): delivery, failures, drops,
garbage collection and the batch's sequence behaviour."""

from __future__ import annotations

import gc
import json
import pathlib
import sys
import threading
import weakref
from typing import Any, Callable

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


# --- audit_batch= : one call per batch --------------------------------------------------------


def held_batches(checks: int) -> tuple[portcullis.Gate, list[portcullis.AuditBatch]]:
    """A gate whose batch callable keeps every batch, after `checks` allowed decisions (request
    ids r0, r1, ...) made while the audit thread was held in the callable: they then arrive as
    one batch."""
    batches: list[portcullis.AuditBatch] = []
    entered, release = threading.Event(), threading.Event()

    def keep(batch: portcullis.AuditBatch) -> None:
        batches.append(batch)
        entered.set()
        release.wait(timeout=30)

    g = gate(audit_batch=keep)
    try:
        g.check(bearer("/orders/1"))
        assert entered.wait(timeout=30), "the audit thread never called the callable"
        for i in range(checks):
            headers = [("Authorization", f"Bearer {token()}"), ("X-Request-Id", f"r{i}")]
            g.check(portcullis.Request("GET", "/orders/1", headers, now=NOW))
    finally:
        release.set()
    assert g.flush_audit(30)
    return g, batches


def test_audit_batch_receives_every_decision_in_order() -> None:
    events: list[portcullis.AuditEvent] = []
    sizes: list[int] = []

    def on_batch(batch: portcullis.AuditBatch) -> None:
        sizes.append(len(batch))
        events.extend(batch)

    g = gate(audit_batch=on_batch)
    for i in range(300):
        g.check(bearer(f"/orders/{i}"))
    g.check(portcullis.Request("GET", "/nowhere", now=NOW))
    assert g.flush_audit()
    assert g.audit_stats() == {"submitted": 301, "delivered": 301, "dropped": 0, "sink_failures": 0}
    assert sum(sizes) == 301 and all(n > 0 for n in sizes)
    assert [e.route for e in events] == ["orders"] * 300 + [None]
    assert (events[0].outcome, events[0].credential, events[0].subject) == ("allow", "tokens", "alice")
    assert (events[-1].outcome, events[-1].code) == ("deny", "route_unmatched")


def test_audit_and_audit_batch_both_receive_every_event(tmp_path: pathlib.Path) -> None:
    each: list[str] = []
    batched: list[str] = []

    def on_batch(batch: portcullis.AuditBatch) -> None:
        batched.extend(e.to_json() for e in batch)

    path = tmp_path / "gate.toml"
    path.write_text(CONFIG, "utf-8")
    g = portcullis.Gate.from_file(
        path, secrets=SECRETS, audit=lambda e: each.append(e.to_json()), audit_batch=on_batch
    )
    for i in range(5):
        g.check(bearer(f"/orders/{i}"))
    assert g.flush_audit()
    assert len(each) == 5 and each == batched
    assert g.audit_stats()["sink_failures"] == 0


def test_every_loader_takes_audit_batch() -> None:
    counted = [0]

    def count(batch: portcullis.AuditBatch) -> None:
        counted[0] += len(batch)

    j = portcullis.Gate.from_json(
        json.dumps(
            {
                "credentials": {},
                "routes": [{"name": "up", "path": "/up", "require": {"anonymous": True}}],
            }
        ),
        audit_batch=count,
    )
    t = portcullis.Gate.from_toml(CONFIG, secrets=SECRETS, audit_batch=count)
    j.check(portcullis.Request("GET", "/up", now=NOW))
    t.check(bearer("/orders/1"))
    assert j.flush_audit() and t.flush_audit()
    assert counted == [2]
    with pytest.raises(TypeError, match="audit_batch must be callable, not int"):
        gate(audit_batch=42)


def test_a_batch_is_a_read_only_sequence() -> None:
    _, batches = held_batches(5)
    assert [len(b) for b in batches] == [1, 5]
    batch = batches[1]
    ids = [e.request_id for e in batch]
    assert ids == ["r0", "r1", "r2", "r3", "r4"]
    assert bool(batch) and repr(batch) == "AuditBatch(len=5)"
    assert (batch[0].request_id, batch[-1].request_id, batch[-5].request_id) == ("r0", "r4", "r0")
    for bad in (5, -6, 10**30, -(10**30)):
        with pytest.raises(IndexError, match="AuditBatch index out of range"):
            batch[bad]
    for wrong in ("0", 1.0, None):
        with pytest.raises(TypeError, match="AuditBatch indices must be integers or slices"):
            batch[wrong]  # type: ignore[call-overload]
    # Slices are batches over the same events, as a list's slices would be.
    for s in (slice(1, None), slice(None, None, -1), slice(None, None, 2), slice(4, 0, -2), slice(3, 3), slice(-2, 99)):
        part = batch[s]
        assert isinstance(part, portcullis.AuditBatch)
        assert [e.request_id for e in part] == ids[s]
        assert len(part) == len(ids[s])
    assert [e.request_id for e in batch[::-1][1::2]] == ids[::-1][1::2]
    assert [e.request_id for e in batch[1:][::-2]] == ids[1:][::-2]
    assert [e.request_id for e in reversed(batch)] == ids[::-1]
    assert not batch[5:]
    # Read-only, and an event is made on each read.
    with pytest.raises(TypeError):
        batch[0] = batch[1]  # type: ignore[index]
    with pytest.raises(TypeError):
        del batch[0]  # type: ignore[attr-defined]
    assert batch[0] is not batch[0]
    it = iter(batch)
    assert iter(it) is it
    assert [e.request_id for e in it] == ids
    with pytest.raises(StopIteration):
        next(it)


def test_a_batch_makes_no_event_until_one_is_read() -> None:
    # Every AuditEvent holds a reference to its class, so the class's reference count says how
    # many exist; the collector is off so that no other test's garbage is freed meanwhile.
    seen: list[tuple[int, int, int, int]] = []

    def on_batch(batch: portcullis.AuditBatch) -> None:
        entry = sys.getrefcount(portcullis.AuditEvent)
        n = len(batch)
        after_len = sys.getrefcount(portcullis.AuditEvent)
        first = batch[0]
        after_read = sys.getrefcount(portcullis.AuditEvent)
        seen.append((entry, after_len, after_read, n))
        del first

    gc.collect()
    gc.disable()
    try:
        baseline = sys.getrefcount(portcullis.AuditEvent)
        g = gate(audit_batch=on_batch)
        for i in range(20):
            g.check(bearer(f"/orders/{i}"))
        assert g.flush_audit()
        # (Read outside the assert: pytest's rewriting would hold the class in a temporary.)
        after = sys.getrefcount(portcullis.AuditEvent)
        assert after == baseline
    finally:
        gc.enable()
    assert seen and sum(n for *_, n in seen) == 20
    for entry, after_len, after_read, _ in seen:
        assert entry == after_len == baseline, "events were made for a batch before any was read"
        assert after_read == baseline + 1


def test_a_batch_outlives_its_call() -> None:
    g, batches = held_batches(3)
    del g
    gc.collect()
    assert [e.outcome for e in batches[1]] == ["allow"] * 3
    assert batches[1][1:][0].request_id == "r1"


def test_a_raising_batch_callable_is_counted_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    calls = [0]

    def broken(batch: portcullis.AuditBatch) -> None:
        calls[0] += 1
        raise ValueError(f"cannot log {len(batch)} events")

    each_calls = [0]

    def broken_each(event: portcullis.AuditEvent) -> None:
        each_calls[0] += 1
        raise KeyError(event.outcome)

    g = gate(audit_batch=broken)
    for _ in range(4):
        assert g.check(bearer("/orders/7")).allowed
    assert g.flush_audit()
    stats = g.audit_stats()
    assert (stats["delivered"], stats["dropped"]) == (4, 0)
    assert 1 <= calls[0] <= 4 and stats["sink_failures"] == calls[0] == len(unraisable)
    assert isinstance(unraisable[0].exc_value, ValueError) and unraisable[0].object is broken

    # Both: one failure per event for audit=, one per batch for audit_batch=.
    unraisable.clear()
    calls[0] = 0
    both = gate(audit=broken_each, audit_batch=broken)
    for _ in range(3):
        assert both.check(bearer("/orders/7")).allowed
    assert both.flush_audit()
    assert each_calls[0] == 3
    assert both.audit_stats()["sink_failures"] == 3 + calls[0] == len(unraisable)


def test_a_cycle_through_the_batch_callable_is_collected() -> None:
    class Holder:
        def __init__(self) -> None:
            self.gate: portcullis.Gate | None = None
            self.events = 0

        def __call__(self, batch: portcullis.AuditBatch) -> None:
            self.events += len(batch)

    holder = Holder()
    holder.gate = gate(audit_batch=holder)
    holder.gate.check(bearer("/orders/7"))
    assert holder.gate.flush_audit()
    assert holder.events == 1
    alive = weakref.ref(holder)
    del holder
    for _ in range(3):
        gc.collect()
    assert alive() is None


def test_dropping_a_gate_delivers_what_is_queued_to_the_batch_callable() -> None:
    counted = [0]
    on_batch: Callable[[portcullis.AuditBatch], None] = lambda b: counted.__setitem__(0, counted[0] + len(b))
    g = gate(audit_batch=on_batch)
    for _ in range(20):
        g.check(bearer("/orders/7"))
    del g
    assert counted == [20]


def test_a_busy_check_loop_still_delivers_without_drops() -> None:
    # Checks that keep the GIL hand it to the waiting audit thread once a batch has queued,
    # so a loop of many checks never fills the queue (10,000 by default).
    counted = [0]

    def on_batch(batch: portcullis.AuditBatch) -> None:
        counted[0] += len(batch)

    g = gate(audit_batch=on_batch)
    assert not g.may_block
    req = bearer("/orders/7")
    for _ in range(30_000):
        g.check(req)
    stats = g.audit_stats()
    assert stats["dropped"] == 0
    assert g.flush_audit(30)
    assert counted[0] == 30_000 == g.audit_stats()["delivered"]
