"""Runs every case of tests/vectors/apikey.json and basic.json through the Python binding.

Configurations are built with the keyword constructors (a config object's fields map 1:1 to
keyword arguments); records with ``ApiKeyRecord.from_json``. An unknown ``op`` fails the case.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

import pytest

import portcullis
from conftest import VECTORS


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / f"{name}.json").read_text("utf-8"))["cases"]
    assert cases, f"{name}.json has no case"
    return cases


def build_request(spec: dict[str, Any], now: int) -> portcullis.Request:
    headers: list[tuple[str, str | bytes]] = [(n, v) for n, v in spec.get("headers", [])]
    headers += [(n, base64.b64decode(v)) for n, v in spec.get("headers_b64", [])]
    return portcullis.Request(spec["method"], spec["target"], headers, now=now)


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys: what serde_json writes for the core's claims."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_principal(principal: portcullis.Principal, want: dict[str, Any]) -> None:
    checked = 0
    for field in ("subject", "method", "credential_id", "scopes", "claims", "expires_at"):
        if field in want:
            assert getattr(principal, field) == want[field], field
            checked += 1
    if "claims_canonical" in want:
        assert canonical(principal.claims) == want["claims_canonical"]
        checked += 1
    assert checked == len(want), f"unchecked principal fields in {sorted(want)}"


def ring_of(inp: dict[str, Any]) -> portcullis.ApiKeyRing:
    return portcullis.ApiKeyRing(bytes.fromhex(inp["pepper_hex"]), **inp["config"])


def run_apikey(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "verify":
        ring = ring_of(inp)
        for record in inp["records"]:
            ring.insert(portcullis.ApiKeyRecord.from_json(json.dumps(record)))
        return ring.verify(build_request(inp["request"], now), inp["scopes"])
    if op == "verify_record":
        ring = ring_of(inp)
        record = portcullis.ApiKeyRecord.from_json(json.dumps(inp["record"]))
        return ring.verify_record(build_request(inp["request"], now), record, inp["scopes"])
    if op == "check_format":
        return {"environment": ring_of(inp).check_format(inp["key"])}
    if op == "lookup_digest":
        return {"digest": ring_of(inp).lookup_digest(build_request(inp["request"], now))}
    pytest.fail(f"unknown op {op!r}")


def run_basic(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "parse":
        header: str | bytes = (
            base64.b64decode(inp["header_b64"]) if "header_b64" in inp else inp["header"]
        )
        creds = portcullis.parse_basic(header)
        return {"user_id": creds.user_id, "password": creds.password}
    if op == "verify":
        auth = portcullis.BasicAuth(**inp["config"])
        return auth.verify(build_request(inp["request"], now))
    if op == "load":
        return {"users": len(portcullis.BasicAuth(**inp["config"]))}
    pytest.fail(f"unknown op {op!r}")


def run_case(case: dict[str, Any], runner: Callable[..., Any]) -> None:
    expect = case["expect"]
    assert ("ok" in expect) != ("error" in expect), "a case expects ok or error"
    if "error" in expect:
        with pytest.raises(portcullis.AuthError) as info:
            runner(case["input"], case["now"])
        assert info.value.code == expect["error"], info.value.detail
        if "challenge" in expect:
            assert info.value.challenge == expect["challenge"]
        return
    result = runner(case["input"], case["now"])
    if isinstance(result, portcullis.Principal):
        check_principal(result, expect["ok"])
    else:
        assert result == expect["ok"]


APIKEY = load("apikey")
BASIC = load("basic")


@pytest.mark.parametrize("case", APIKEY, ids=[c["id"] for c in APIKEY])
def test_apikey_vector(case: dict[str, Any]) -> None:
    run_case(case, run_apikey)


@pytest.mark.parametrize("case", BASIC, ids=[c["id"] for c in BASIC])
def test_basic_vector(case: dict[str, Any]) -> None:
    run_case(case, run_basic)


def test_every_case_ran() -> None:
    # Ids are unique, so parametrization above ran exactly one test per case.
    for cases in (APIKEY, BASIC):
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids))
