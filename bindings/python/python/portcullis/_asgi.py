"""The ASGI half both Starlette-based adapters share (portcullis.fastapi, portcullis.starlette):
reading the body within the limit, the check off the event loop when the gate may block, and
the refusal as a Starlette response. Imports Starlette and anyio: only those adapters import it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Optional, Union

import anyio.to_thread
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response
from starlette.types import Message, Receive

from ._adapter import (
    Refusal,
    asgi_content_length,
    asgi_has_body,
    decide as decide_now,
    length_refusal,
    oversize_refusal,
    request_from_asgi,
)
from ._portcullis import Gate, GateDecision, Request

__all__ = ["decide", "read_body", "replay", "response_from_refusal"]


async def read_body(request: StarletteRequest, limit: int) -> Union[bytes, Refusal]:
    """The exact body bytes, read at most `limit` of them: 413 when the body is longer (checked
    against Content-Length first, then while reading a chunked body), 400 when its length is
    malformed. The bytes stay cached on `request`, so `await request.body()` in the handler
    reads the same ones."""
    refused = length_refusal(asgi_content_length(request.scope), limit)
    if refused is not None:
        return refused
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return oversize_refusal()
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette's own cache of the body (what request.body() fills): later reads of this
    # request (FastAPI's body parameters, the handler) get these bytes, not an empty stream.
    request._body = body
    return body


async def decide(
    gate: Gate, request: StarletteRequest, scopes: Sequence[str], max_body_bytes: Optional[int]
) -> Union[GateDecision, Refusal]:
    """The gate's decision on `request` when it allows it, else the refusal to send: the gate's
    own, or the adapter's for a body over the limit or a check that could not be made. The
    body is read when the request has one, unless `max_body_bytes` is None (the caller cannot
    read it: the gate then sees a request whose body is missing). The check runs in a worker
    thread when the gate may block (a password hash, a JWKS or an introspection fetch), so the
    event loop keeps serving other requests meanwhile."""
    body = None
    if max_body_bytes is not None and asgi_has_body(request.scope):
        read = await read_body(request, max_body_bytes)
        if isinstance(read, Refusal):
            return read
        body = read
    def build() -> Request:
        return request_from_asgi(request.scope, body)

    if gate.may_block:
        return await anyio.to_thread.run_sync(functools.partial(decide_now, gate, build, scopes))
    return decide_now(gate, build, scopes)


def response_from_refusal(refusal: Refusal) -> Response:
    """The refusal as a Starlette response: its status, every header field in order (several
    WWW-Authenticate fields stay several), and its problem body."""
    response = Response(content=refusal.body, status_code=refusal.status)
    response.raw_headers.extend(
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in refusal.headers
    )
    return response


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the downstream application the body already read, unchanged and
    in one message, then passes on whatever the server sends next (a disconnect)."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
