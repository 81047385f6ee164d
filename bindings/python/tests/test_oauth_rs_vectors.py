"""The oauth_rs.json runner: OAuth 2.0 resource-server cases (RFC 9068 access tokens, DPoP,
certificate-bound tokens) in gate.json's format, run by test_gate_vectors.run_case."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import VECTORS
from test_gate_vectors import run_case

DOC: dict[str, Any] = json.loads((VECTORS / "oauth_rs.json").read_text("utf-8"))
CASES: list[dict[str, Any]] = DOC["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_oauth_rs_vector(case: dict[str, Any]) -> None:
    run_case(case, DOC)


def test_the_file_is_mostly_refusals() -> None:
    refused = [c for c in CASES if not c["expect"]["decisions"][-1]["allowed"]]
    assert len(CASES) >= 90 and len(refused) * 3 >= len(CASES) * 2
