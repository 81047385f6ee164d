"""A panic inside the core is an exception in Python, never an abort of the interpreter.

`make test-python` builds the binding a second time with the test-only `fault-injection`
feature (a request for /__portcullis_fault__/panic panics inside `Gate.check` and
`Verifier.verify`) into a package folder of its own and names it in PORTCULLIS_FAULT_PYTHONPATH.
The checks run in a child interpreter on that package, so the binding the other tests load is
the normal one, and an abort would show as the child's exit status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHILD = r"""
import portcullis

PEPPER = {"pepper": "fault-test-pepper-0123456789abcdef"}
gate = portcullis.Gate.from_json(
    '{"credentials": {"keys": {"method": "api_key", "pepper": "secret:pepper"}},'
    ' "routes": [{"path": "/*", "require": "keys"}]}',
    secrets=PEPPER,
)
verifier = portcullis.Verifier.from_json('{"method": "api_key", "pepper": "secret:pepper"}', secrets=PEPPER)
boom = portcullis.Request("GET", "/__portcullis_fault__/panic")
plain = portcullis.Request("GET", "/orders")

caught = []
for name, call in (("gate.check", lambda: gate.check(boom)), ("verifier.verify", lambda: verifier.verify(boom))):
    try:
        call()
    except BaseException as e:  # PyO3 raises PanicException, a BaseException
        caught.append((name, type(e).__name__, "forced panic" in str(e)))
    else:
        caught.append((name, "no exception", False))

# The same objects keep working after the panic.
after = gate.check(plain).status
try:
    verifier.verify(plain)
    after_verify = "allowed"
except portcullis.AuthError as e:
    after_verify = e.code
print(repr((caught, after, after_verify)))
"""


def fault_path() -> str | None:
    path = os.environ.get("PORTCULLIS_FAULT_PYTHONPATH")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("PORTCULLIS_FAULT_PYTHONPATH is not set: run the tests through make test-python")
    pytest.skip("the fault-injection build is made by make test-python (PORTCULLIS_FAULT_PYTHONPATH)")
    return None


def test_a_panic_in_the_core_is_an_exception_not_an_abort() -> None:
    path = fault_path()
    env = dict(os.environ, PYTHONPATH=str(path), RUST_BACKTRACE="0")
    child = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, f"child exited with {child.returncode}: {child.stderr[-2000:]}"
    caught, after, after_verify = eval(child.stdout.strip().splitlines()[-1])  # noqa: S307 (our own repr)
    assert caught == [("gate.check", "PanicException", True), ("verifier.verify", "PanicException", True)]
    assert after == 401
    assert after_verify == "credentials_missing"
