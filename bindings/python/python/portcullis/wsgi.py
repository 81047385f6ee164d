"""portcullis for any WSGI application: a middleware that puts the gate in front of it.

    app.wsgi_app = GateMiddleware(app.wsgi_app, gate)     # Flask; or wrap any WSGI callable

No dependency beyond the standard library. Conversion only: the gate decides.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Optional, Union

from ._adapter import (
    DEFAULT_MAX_BODY_BYTES,
    Refusal,
    decide,
    length_refusal,
    oversize_refusal,
    request_from_wsgi,
    wsgi_content_length,
    wsgi_has_body,
)
from ._portcullis import Gate, GateDecision

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["DECISION_ENVIRON_KEY", "GateMiddleware", "decision_of", "read_body", "respond", "status_line"]

# Where an allowed request's decision is kept.
DECISION_ENVIRON_KEY = "portcullis.decision"
# How much one read of wsgi.input asks for.
_CHUNK = 65536


def status_line(status: int) -> str:
    """``"401 Unauthorized"``: the status as ``start_response`` takes it."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def read_body(environ: WSGIEnvironment, limit: int) -> Union[bytes, Refusal, None]:
    """The body of the request, at most `limit` bytes (longer: 413), read from ``wsgi.input``
    and put back as a fresh stream holding the same bytes (CONTENT_LENGTH set to their
    number), so the application reads exactly what the gate checked. None when the request
    has no body. A body without Content-Length is read only when the server terminates the
    stream (``wsgi.input_terminated``, PEP 3333's chunked-request signal); otherwise it is
    empty, as werkzeug reads it too."""
    if not wsgi_has_body(environ):
        return None
    length = wsgi_content_length(environ)
    refused = length_refusal(length, limit)
    if refused is not None:
        return refused
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    if length is not None:
        while size < length:
            chunk = stream.read(min(_CHUNK, length - size))
            if not chunk:
                break  # the client sent less than it declared: the gate sees what came
            chunks.append(chunk)
            size += len(chunk)
    elif environ.get("wsgi.input_terminated"):
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                return oversize_refusal()
            chunks.append(chunk)
    body = b"".join(chunks)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def respond(refusal: Refusal, start_response: StartResponse) -> Iterable[bytes]:
    """Sends the refusal through `start_response`: its status, every header, its body."""
    headers = [*refusal.headers, ("Content-Length", str(len(refusal.body)))]
    start_response(status_line(refusal.status), headers)
    return [refusal.body]


class GateMiddleware:
    """Checks every request of the wrapped WSGI application with the gate: reads the body (at
    most `max_body_bytes`, default 1 MiB; longer is a 413 problem) and re-injects it in
    ``wsgi.input``; answers a refusal itself (the gate's status, every header, the problem
    body); on an allowed request puts the :class:`portcullis.GateDecision` in
    ``environ["portcullis.decision"]`` and calls the application. `scopes` are required by the
    gate on every request, on top of each route's own."""

    def __init__(
        self,
        app: WSGIApplication,
        gate: Gate,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        scopes: Sequence[str] = (),
    ) -> None:
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.app = app
        self.gate = gate
        self.max_body_bytes = max_body_bytes
        self.scopes = tuple(scopes)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = read_body(environ, self.max_body_bytes)
        if isinstance(body, Refusal):
            return respond(body, start_response)
        outcome = decide(self.gate, lambda: request_from_wsgi(environ, body), self.scopes)
        if isinstance(outcome, Refusal):
            return respond(outcome, start_response)
        environ[DECISION_ENVIRON_KEY] = outcome
        return self.app(environ, start_response)


def decision_of(environ: WSGIEnvironment) -> Optional[GateDecision]:
    """The decision GateMiddleware stored for this request, or None."""
    decision = environ.get(DECISION_ENVIRON_KEY)
    return decision if isinstance(decision, GateDecision) else None
