"""The gate.json runner (format: tests/vectors/GATE.md).

Each `check` case builds ONE gate (its shared config as JSON text, or its own text) with the
file's secrets and the file's folder as base folder, checks its requests in order and compares
every member each expected decision lists. Each `load` case must fail with the exact code and
detail. An unknown op, or an unknown member of a decision, fails the case. gen_gate.py lists
every member that applies, so an absent `subject`, `retry_after` or `problem` is checked to be
absent from the decision too.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import portcullis
from conftest import VECTORS

DOC: dict[str, Any] = json.loads((VECTORS / "gate.json").read_text("utf-8"))
CASES: list[dict[str, Any]] = DOC["cases"]
# Optional members whose absence from an expected decision means the decision has none.
NONE_WHEN_ABSENT = ("subject", "retry_after", "problem")


def build_request(spec: dict[str, Any]) -> portcullis.Request:
    headers: list[tuple[str, str | bytes]] = [(n, v) for n, v in spec.get("headers", [])]
    body: bytes | None = None
    if "body_b64" in spec:
        body = base64.b64decode(spec["body_b64"])
    elif "body" in spec:
        body = str(spec["body"]).encode("utf-8")
    return portcullis.Request(
        spec["method"],
        spec["target"],
        headers,
        body=body,
        now=spec["now"],
        peer_address=spec.get("peer_address"),
        peer_certificates=[base64.b64decode(c) for c in spec.get("peer_certificates_b64", [])],
    )


def compare(decision: portcullis.GateDecision, want: dict[str, Any], where: str) -> None:
    assert {"allowed", "status"} <= set(want), f"{where}: a decision lists allowed and status"
    principal = decision.principal
    for member, value in want.items():
        have: Any
        if member == "allowed":
            have = decision.allowed
        elif member == "status":
            have = decision.status
        elif member == "route":
            have = decision.route
        elif member == "credential":
            have = decision.credential
        elif member == "subject":
            have = principal.subject if principal is not None else None
        elif member == "code":
            have = decision.code
        elif member == "challenges":
            have = decision.challenges
        elif member == "headers":
            have = [[name, v] for name, v in decision.headers]
        elif member == "retry_after":
            have = decision.retry_after
        elif member == "problem":
            have = json.loads(decision.problem) if decision.problem is not None else None
        else:
            pytest.fail(f"{where}: unknown decision member {member!r}")
        assert have == value, f"{where}: {member}: {have!r} != {value!r} ({decision.detail})"
    for member in NONE_WHEN_ABSENT:
        if member not in want:
            have = {"subject": principal, "retry_after": decision.retry_after, "problem": decision.problem}
            assert have[member] is None, f"{where}: {member} is not expected: {have[member]!r}"


def load_gate(fmt: str, text: str, doc: dict[str, Any] = DOC) -> portcullis.Gate:
    if fmt == "json":
        return portcullis.Gate.from_json(text, secrets=doc["secrets"], base_dir=VECTORS)
    if fmt == "toml":
        return portcullis.Gate.from_toml(text, secrets=doc["secrets"], base_dir=VECTORS)
    pytest.fail(f"unknown format {fmt!r}")


def run_case(case: dict[str, Any], doc: dict[str, Any] = DOC) -> None:
    """Runs one case of `doc` (gate.json, or another file in its format: oauth_rs.json)."""
    inp, expect = case["input"], case["expect"]
    op = inp.get("op")
    if op == "load":
        with pytest.raises(portcullis.AuthError) as info:
            load_gate(inp["format"], inp["text"], doc)
        assert set(expect) == {"error", "detail"}, sorted(expect)
        assert (info.value.code, info.value.detail) == (expect["error"], expect["detail"])
        return
    if op == "check":
        # gate.json names the shared config inside `input`; GATE.md's sketch beside it.
        shared = inp.get("config", case.get("config"))
        if shared is not None:
            gate = load_gate("json", json.dumps(doc["configs"][shared]), doc)
        else:
            gate = load_gate(inp["format"], inp["text"], doc)
        requests, decisions = inp["requests"], expect["decisions"]
        assert len(requests) == len(decisions), "one expected decision per request"
        for i, (spec, want) in enumerate(zip(requests, decisions)):
            # A request with `scopes` is checked with the caller's scopes.
            decision = gate.check(build_request(spec), scopes=spec.get("scopes", ()))
            compare(decision, want, f"{case['id']} request {i}")
        return
    pytest.fail(f"unknown op {op!r}")


RAN: list[str] = []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_gate_vector(case: dict[str, Any]) -> None:
    run_case(case)
    RAN.append(case["id"])


def test_every_case_runs() -> None:
    # One parametrized test per case, no id twice; and, when the whole module runs (not a
    # -k selection), every one of them ran to the end before this test.
    (mark,) = [m for m in test_gate_vector.pytestmark if m.name == "parametrize"]
    ids = [c["id"] for c in mark.args[1]]
    assert ids == [c["id"] for c in CASES] and len(set(ids)) == len(CASES)
    assert len(CASES) >= 100
    if RAN:
        assert sorted(RAN) == sorted(ids), f"{len(RAN)} of {len(CASES)} cases ran"


def test_unknown_op_and_member_fail() -> None:
    with pytest.raises(pytest.fail.Exception, match="unknown op"):
        run_case({"id": "x", "input": {"op": "verify"}, "expect": {}})
    check = next(c for c in CASES if c["input"]["op"] == "check" and len(c["input"]["requests"]) == 1)
    odd = {**check, "expect": {"decisions": [{**check["expect"]["decisions"][0], "colour": "red"}]}}
    with pytest.raises(pytest.fail.Exception, match="unknown decision member"):
        run_case(odd)
    flipped = {**check["expect"]["decisions"][0]}
    flipped["allowed"] = not flipped["allowed"]
    with pytest.raises(AssertionError):
        run_case({**check, "expect": {"decisions": [flipped]}})
