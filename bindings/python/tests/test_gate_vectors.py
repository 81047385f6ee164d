"""The gate.json runner (format: tests/vectors/GATE.md).

Each `check` case builds ONE gate (its shared config as JSON text, or its own text) with the
file's secrets and the file's folder as base folder, checks its requests in order and compares
every member each expected decision lists. Each `load` case must fail with the exact code and
detail. An unknown op, or an unknown member of a decision, fails the case.

tests/vectors/gate.json is the shared file; tests/vectors/gate.json beside this file (written by
gen_gate.py there) is a small sample that exercises the runner on its own.
"""

from __future__ import annotations

import base64
import json
import pathlib
from typing import Any

import pytest

import portcullis
from conftest import VECTORS

SAMPLE = pathlib.Path(__file__).resolve().parent / "vectors" / "gate.json"
SHARED = VECTORS / "gate.json"


def read(path: pathlib.Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text("utf-8"))
    assert doc["cases"], f"{path} has no case"
    return doc


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


def load_gate(doc: dict[str, Any], base: pathlib.Path, fmt: str, text: str) -> portcullis.Gate:
    if fmt == "json":
        return portcullis.Gate.from_json(text, secrets=doc["secrets"], base_dir=base)
    if fmt == "toml":
        return portcullis.Gate.from_toml(text, secrets=doc["secrets"], base_dir=base)
    pytest.fail(f"unknown format {fmt!r}")


def run_case(doc: dict[str, Any], base: pathlib.Path, case: dict[str, Any]) -> None:
    inp, expect = case["input"], case["expect"]
    op = inp.get("op")
    if op == "load":
        with pytest.raises(portcullis.AuthError) as info:
            load_gate(doc, base, inp["format"], inp["text"])
        assert set(expect) == {"error", "detail"}, sorted(expect)
        assert (info.value.code, info.value.detail) == (expect["error"], expect["detail"])
        return
    if op == "check":
        if "config" in case:
            gate = load_gate(doc, base, "json", json.dumps(doc["configs"][case["config"]]))
        else:
            gate = load_gate(doc, base, inp["format"], inp["text"])
        requests, decisions = inp["requests"], expect["decisions"]
        assert len(requests) == len(decisions), "one expected decision per request"
        for i, (spec, want) in enumerate(zip(requests, decisions)):
            compare(gate.check(build_request(spec)), want, f"{case['id']} request {i}")
        return
    pytest.fail(f"unknown op {op!r}")


SAMPLE_DOC = read(SAMPLE)
SHARED_DOC = read(SHARED) if SHARED.exists() else None
SHARED_CASES = SHARED_DOC["cases"] if SHARED_DOC else []


@pytest.mark.parametrize("case", SAMPLE_DOC["cases"], ids=[c["id"] for c in SAMPLE_DOC["cases"]])
def test_sample_gate_vector(case: dict[str, Any]) -> None:
    run_case(SAMPLE_DOC, SAMPLE.parent, case)


@pytest.mark.skipif(SHARED_DOC is None, reason="tests/vectors/gate.json is not written yet")
@pytest.mark.parametrize("case", SHARED_CASES, ids=[c["id"] for c in SHARED_CASES])
def test_gate_vector(case: dict[str, Any]) -> None:
    assert SHARED_DOC is not None
    run_case(SHARED_DOC, VECTORS, case)


def parametrized_ids(test: Any) -> list[str]:
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return [c["id"] for c in mark.args[1]]


def test_every_case_runs() -> None:
    # One parametrized test per case of each file, and no case id twice.
    for test, doc in ((test_sample_gate_vector, SAMPLE_DOC), (test_gate_vector, SHARED_DOC)):
        ids = parametrized_ids(test)
        want = [c["id"] for c in doc["cases"]] if doc is not None else []
        assert ids == want
        assert len(set(ids)) == len(doc["cases"] if doc is not None else [])


def test_unknown_op_and_member_fail() -> None:
    base = SAMPLE.parent
    with pytest.raises(pytest.fail.Exception, match="unknown op"):
        run_case(SAMPLE_DOC, base, {"id": "x", "input": {"op": "verify"}, "expect": {}})
    case = dict(SAMPLE_DOC["cases"][0])
    case["expect"] = {"decisions": [{"allowed": True, "status": 200, "colour": "red"}] * 3}
    with pytest.raises(pytest.fail.Exception, match="unknown decision member"):
        run_case(SAMPLE_DOC, base, case)
    wrong = dict(SAMPLE_DOC["cases"][0])
    wrong["expect"] = {"decisions": [{"allowed": False, "status": 200}] * 3}
    with pytest.raises(AssertionError):
        run_case(SAMPLE_DOC, base, wrong)
