"""portcullis for Flask: an extension with a decorator.

    gate = portcullis.Gate.from_file("gate.toml")
    auth = GateAuth(app, gate)            # or GateAuth(gate=gate) and later auth.init_app(app)

    @app.get("/orders/<id>")
    @auth.required(scopes=["orders:read"])
    def order(id):
        return {"id": id, "caller": auth.current_principal.subject}

Needs Flask (``pip install portcullis[flask]``). Conversion only: the gate decides, including the
scopes of ``required(scopes=...)``. For every request of an application, whatever the view,
wrap it in :class:`portcullis.wsgi.GateMiddleware` instead.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, TypeVar, overload

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ._adapter import (
    DEFAULT_MAX_BODY_BYTES,
    Refusal,
    decide,
    failure_refusal,
    length_refusal,
    oversize_refusal,
    request_from_wsgi,
    wsgi_content_length,
    wsgi_has_body,
)
from ._portcullis import Gate, GateDecision, Principal

__all__ = ["GateAuth", "GateDenied"]

View = TypeVar("View", bound=Callable[..., Any])
# flask.g's attribute that holds the decision of the current request.
_G_DECISION = "portcullis_decision"


def _response(refusal: Refusal) -> Response:
    # Headers as a list: several WWW-Authenticate fields stay several. The gate's
    # Content-Type (application/problem+json) is among them.
    return Response(refusal.body, status=refusal.status, headers=refusal.headers)


class GateDenied(HTTPException):
    """A refusal, as a werkzeug ``HTTPException`` whose response is the gate's status, every
    header and the problem body (``decision`` is the gate's decision, None for the adapter's
    own refusals: a body over the limit, a check that could not be made). Flask answers it
    without any handler; an ``errorhandler(GateDenied)`` may replace the answer."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(description="Request refused.", response=_response(refusal))
        self.code = refusal.status
        self.refusal = refusal
        self.decision: Optional[GateDecision] = refusal.decision


class GateAuth:
    """The gate as a Flask extension. `gate` is the default for every application;
    ``init_app(app, gate)`` may give one per application. `max_body_bytes` (default 1 MiB)
    bounds the body read for the check (longer: 413). The body is read with
    ``request.get_data(cache=True)``: the view reads the same bytes afterwards
    (``request.get_data()``, ``request.json``; form parsing too, since Flask parses the cached
    data)."""

    def __init__(
        self,
        app: Optional[Flask] = None,
        gate: Optional[Gate] = None,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.gate = gate
        self.max_body_bytes = max_body_bytes
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, gate: Optional[Gate] = None) -> None:
        """Registers the extension (``app.extensions["portcullis"]``) with `gate` or the
        extension's own."""
        chosen = gate if gate is not None else self.gate
        if chosen is None:
            raise ValueError("GateAuth needs a gate: GateAuth(app, gate) or init_app(app, gate)")
        app.extensions["portcullis"] = chosen

    def _gate(self) -> Gate:
        gate = current_app.extensions.get("portcullis", self.gate)
        if not isinstance(gate, Gate):
            raise RuntimeError("portcullis.flask.GateAuth was not initialised on this application")
        return gate

    def _body(self, environ: Mapping[str, Any]) -> Optional[bytes]:
        if not wsgi_has_body(environ):
            return None
        refused = length_refusal(wsgi_content_length(environ), self.max_body_bytes)
        if refused is not None:
            raise GateDenied(refused)
        # A chunked body has no length to check first: Flask's own limit (werkzeug's
        # LimitedStream) bounds the read. That stream stops silently at its limit, so it is set
        # one byte past ours (or the application's, if lower): a body that fills it is too long.
        app_limit = request.max_content_length
        limit = self.max_body_bytes if app_limit is None else min(app_limit, self.max_body_bytes)
        request.max_content_length = limit + 1
        try:
            body = request.get_data(cache=True)
        except RequestEntityTooLarge:
            body = None
        if body is None or len(body) > limit:
            raise GateDenied(oversize_refusal())
        return body

    def authenticate(self, scopes: Sequence[str] = ()) -> GateDecision:
        """Checks the current request (requiring `scopes` on top of the route's own) and
        returns the allowed decision, also kept as ``current_decision``; raises
        :class:`GateDenied` on a refusal."""
        environ = request.environ
        body = self._body(environ)
        try:
            gate = self._gate()
        except RuntimeError as error:
            raise GateDenied(failure_refusal(error)) from None
        outcome = decide(gate, lambda: request_from_wsgi(environ, body), scopes)
        if isinstance(outcome, Refusal):
            raise GateDenied(outcome)
        setattr(g, _G_DECISION, outcome)
        return outcome

    @overload
    def required(self, view: View, /) -> View: ...

    @overload
    def required(self, view: None = None, /, *, scopes: Sequence[str] = ()) -> Callable[[View], View]: ...

    def required(self, view: Optional[Callable[..., Any]] = None, /, *, scopes: Sequence[str] = ()) -> Any:
        """A view decorator: ``@auth.required`` or ``@auth.required(scopes=[...])``. The view
        runs only when the gate allows the request; a refusal is answered with the gate's
        response. Put it below ``@app.route``."""
        required_scopes = tuple(scopes)

        def decorate(inner: Callable[..., Any]) -> Callable[..., Any]:
            # An async view goes through Flask's ensure_sync; a plain one is called as it is.
            is_async = inspect.iscoroutinefunction(inner)

            @functools.wraps(inner)
            def checked(*args: Any, **kwargs: Any) -> Any:
                self.authenticate(required_scopes)
                if is_async:
                    return current_app.ensure_sync(inner)(*args, **kwargs)
                return inner(*args, **kwargs)

            return checked

        return decorate(view) if view is not None else decorate

    @property
    def current_decision(self) -> Optional[GateDecision]:
        """The decision on the current request, once ``required``/``authenticate`` allowed it."""
        decision = g.get(_G_DECISION)
        return decision if isinstance(decision, GateDecision) else None

    @property
    def current_principal(self) -> Optional[Principal]:
        """The current request's principal (None when anonymous or not checked)."""
        decision = self.current_decision
        return decision.principal if decision is not None else None
