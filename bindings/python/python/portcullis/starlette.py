"""portcullis for Starlette (and any ASGI application): an authentication backend and a
middleware.

- :class:`GateBackend` for Starlette's ``AuthenticationMiddleware`` (with
  ``on_error=gate_on_error``): ``request.user`` and ``request.auth`` from the gate's decision.
  An authentication backend sees the request's headers but never its body: use it for bearer
  tokens, API keys, Basic and mTLS; body-signed credentials (webhooks, PCS1, RFC 9421 with
  ``Content-Digest``) need :class:`GateMiddleware`.
- :class:`GateMiddleware`: a pure ASGI middleware that checks every HTTP request (body
  included), answers refusals itself and hands the application the body it read, unchanged.

Needs Starlette (``pip install portcullis[fastapi]`` brings it). Conversion only: the gate
decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.requests import HTTPConnection
from starlette.requests import Request as StarletteRequest
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ._adapter import DECISION_KEY, DEFAULT_MAX_BODY_BYTES, Refusal
from ._asgi import decide, replay, response_from_refusal
from ._portcullis import Gate, GateDecision, Principal

__all__ = ["GateBackend", "GateDenied", "GateMiddleware", "GateUser", "gate_on_error"]


class GateUser(BaseUser):
    """The caller the gate admitted with a credential: ``request.user``."""

    def __init__(self, decision: GateDecision, principal: Principal) -> None:
        self.decision = decision
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.subject

    @property
    def identity(self) -> str:
        return self.principal.subject


class GateDenied(AuthenticationError):
    """A refusal, raised by :class:`GateBackend`: the gate's (``decision``) or the adapter's own
    (``decision`` None). :func:`gate_on_error` answers it."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"request refused ({refusal.status})")
        self.refusal = refusal
        self.decision: Optional[GateDecision] = refusal.decision


def gate_on_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """``AuthenticationMiddleware(on_error=...)``: the gate's status (401, 403, 429, ...), all
    its headers and its problem body, instead of Starlette's plain-text 400. Another backend's
    error keeps Starlette's default answer."""
    if isinstance(exc, GateDenied):
        return response_from_refusal(exc.refusal)
    return PlainTextResponse(str(exc), status_code=400)


def _auth_result(decision: GateDecision) -> tuple[AuthCredentials, BaseUser]:
    principal = decision.principal
    if principal is None:
        return AuthCredentials(), UnauthenticatedUser()
    return AuthCredentials(principal.scopes), GateUser(decision, principal)


def _keep_decision(scope: Scope, decision: GateDecision) -> None:
    # request.state.portcullis (Starlette's State reads scope["state"]).
    scope.setdefault("state", {})[DECISION_KEY] = decision


class GateBackend(AuthenticationBackend):
    """Starlette authentication from the gate: ``request.user`` is a :class:`GateUser`
    (``display_name`` the subject, ``.principal``, ``.decision``) or ``UnauthenticatedUser``
    on an anonymous route; ``request.auth`` holds the principal's scopes. The decision is also
    ``request.state.portcullis``. `scopes` are required by the gate on every request, on top
    of each route's own. A refusal raises :class:`GateDenied` (pass ``on_error=gate_on_error``
    to the middleware). The body is not read (a backend cannot): see the module's note."""

    def __init__(self, gate: Gate, *, scopes: Sequence[str] = ()) -> None:
        self.gate = gate
        self.scopes = tuple(scopes)

    async def authenticate(self, conn: HTTPConnection) -> Optional[tuple[AuthCredentials, BaseUser]]:
        # A backend has no receive channel: the body is not read (None), and the gate sees a
        # request whose body is missing (a body-signed credential fails, closed).
        outcome = await decide(self.gate, StarletteRequest(conn.scope), self.scopes, None)
        if isinstance(outcome, Refusal):
            raise GateDenied(outcome)
        _keep_decision(conn.scope, outcome)
        return _auth_result(outcome)


class GateMiddleware:
    """A pure ASGI middleware that puts the gate in front of every HTTP request (and the
    handshake of every WebSocket): it reads the body (at most `max_body_bytes`, default 1 MiB;
    longer is 413), checks, answers a refusal itself, and on an allowed request stores the
    decision in ``scope["state"]["portcullis"]`` (``request.state.portcullis``) and sets
    ``scope["user"]``/``scope["auth"]`` as Starlette's AuthenticationMiddleware would, then
    calls the application with the body it read replayed unchanged. `scopes` are required by
    the gate on every request, on top of each route's own."""

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        if scope["type"] == "http":
            request = StarletteRequest(scope, receive)
            outcome = await decide(self.gate, request, self.scopes, self.max_body_bytes)
        else:  # the WebSocket handshake: a GET without a body
            request = StarletteRequest({**scope, "type": "http", "method": "GET"})
            outcome = await decide(self.gate, request, self.scopes, None)
        if isinstance(outcome, Refusal):
            await self._refuse(scope, receive, send, outcome)
            return
        _keep_decision(scope, outcome)
        scope["auth"], scope["user"] = _auth_result(outcome)
        body: Optional[bytes] = getattr(request, "_body", None)
        await self.app(scope, replay(body, receive) if body is not None else receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        if scope["type"] == "http":
            await response_from_refusal(refusal)(scope, receive, send)
            return
        # A WebSocket handshake: the refusal as an HTTP response where the server supports it
        # (the websocket.http.response extension), else a close before accepting (403).
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": refusal.status,
                    "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in refusal.headers],
                }
            )
            await send({"type": "websocket.http.response.body", "body": refusal.body})
        else:
            await send({"type": "websocket.close", "code": 1008})
