"""portcullis for FastAPI: the gate as a dependency.

    gate = portcullis.Gate.from_file("gate.toml")
    auth = GateAuth(gate)
    app = FastAPI()
    auth.install(app)            # the gate's refusals as responses, its schemes in /openapi.json

    @app.get("/orders/{id}")
    async def order(id: str, decision: GateDecision = Security(auth, scopes=["orders:read"])):
        return {"id": id, "caller": decision.principal.subject}

Needs FastAPI (``pip install portcullis[fastapi]``). Conversion only: the gate decides, including
the scopes of ``Security(auth, scopes=...)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Callable, Optional

from fastapi import FastAPI, HTTPException
from fastapi.openapi.models import HTTPBase
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response

from ._adapter import DEFAULT_MAX_BODY_BYTES, Refusal
from ._asgi import decide, response_from_refusal
from ._portcullis import Gate, GateDecision

__all__ = ["GateAuth", "GateDenied", "openapi_security_schemes"]


class GateDenied(HTTPException):
    """A refusal: the gate's (``decision`` is its decision) or the adapter's own (a body over
    the limit, a check that could not be made: ``decision`` is None). ``GateAuth.install``
    registers the handler that answers it with every header and the problem body exactly; the
    ``headers`` FastAPI's default handler would read join repeated fields with ", "."""

    def __init__(self, refusal: Refusal) -> None:
        joined: dict[str, str] = {}
        for name, value in refusal.headers:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        decision = refusal.decision
        super().__init__(
            status_code=refusal.status,
            detail=(decision.message if decision is not None else None) or "Request refused.",
            headers=joined,
        )
        self.refusal = refusal
        self.decision: Optional[GateDecision] = decision


async def _answer_denied(request: StarletteRequest, exc: Exception) -> Response:
    assert isinstance(exc, GateDenied)
    return response_from_refusal(exc.refusal)


# OpenAPI descriptions of the methods that have no OpenAPI scheme of their own.
_SIGNATURE_DESCRIPTIONS = {
    "webhook": (
        "webhook-signature",
        "A webhook signature over the raw body (Standard Webhooks `webhook-id`, "
        "`webhook-timestamp`, `webhook-signature`; or the provider's own header).",
    ),
    "pcs1": (
        "Authorization",
        "A PCS1 request signature: `Authorization: PCS1-HMAC-SHA256 keyid=..., ts=..., "
        "nonce=..., headers=..., sig=...` (see portcullis docs/SIGNING.md).",
    ),
    "httpsig": (
        "Signature",
        "An RFC 9421 HTTP Message Signature (`Signature-Input` and `Signature` fields, and "
        "`Content-Digest` over the body).",
    ),
}


def _scheme_for(gate: Gate, name: str) -> dict[str, Any]:
    verifier = gate.verifier(name)
    method = verifier.method if verifier is not None else ""
    if method == "api_key":
        # The credential's header setting is not readable from the gate: the default
        # Authorization (as a Bearer value); `install(schemes=...)` names another one.
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API key: `Authorization: Bearer <key>` (or the header the "
            "credential is configured to read).",
        }
    if method == "jwt":
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    if method == "oauth2":
        scheme: dict[str, Any] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        metadata = json.loads(verifier.resource_metadata or "null") if verifier else None
        if isinstance(metadata, dict):
            # RFC 9728 names the authorization servers but not their endpoints, which OpenAPI
            # flows need: the servers go in the description (give flows with `schemes=`).
            servers = metadata.get("authorization_servers") or []
            scheme["description"] = "An OAuth 2.0 access token for the resource " + json.dumps(
                metadata.get("resource")
            ) + (", issued by " + ", ".join(map(str, servers)) if servers else "") + "."
        return scheme
    if method == "basic":
        return {"type": "http", "scheme": "basic"}
    if method == "mtls":
        return {"type": "mutualTLS", "description": "A TLS client certificate."}
    if method in _SIGNATURE_DESCRIPTIONS:
        header, description = _SIGNATURE_DESCRIPTIONS[method]
        return {"type": "apiKey", "in": "header", "name": header, "description": description}
    return {"type": "apiKey", "in": "header", "name": "Authorization"}


def openapi_security_schemes(gate: Gate) -> dict[str, dict[str, Any]]:
    """One OpenAPI 3.1 security scheme per credential of the gate, named as the credential."""
    return {name: _scheme_for(gate, name) for name in gate.credential_names}


class GateAuth(SecurityBase):
    """The gate as a FastAPI dependency: ``Depends(auth)`` or ``Security(auth, scopes=[...])``.

    Each call builds a :class:`portcullis.Request` from the request as received (raw path and
    query, every header, the exact body bytes when there is a body, the client address and
    scheme, the client certificates of the ASGI TLS extension) and returns the gate's allowed
    :class:`portcullis.GateDecision` (``principal`` None on an anonymous or optional route), or
    raises :class:`GateDenied`. The scopes of ``Security`` are required by the gate on top of
    the route's own. When ``gate.may_block``, the check runs in a worker thread.

    ``max_body_bytes`` (default 1 MiB): a longer body is refused with 413 before the gate.
    ``scheme_name``: the placeholder scheme FastAPI lists, replaced by ``install``.
    """

    def __init__(
        self,
        gate: Gate,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        scheme_name: str = "portcullis",
    ) -> None:
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.gate = gate
        self.max_body_bytes = max_body_bytes
        self.scheme_name = scheme_name
        self.model = HTTPBase(scheme="bearer", description="portcullis gate (see install())")

    async def __call__(self, request: StarletteRequest, security_scopes: SecurityScopes) -> GateDecision:
        outcome = await decide(self.gate, request, security_scopes.scopes, self.max_body_bytes)
        if isinstance(outcome, Refusal):
            raise GateDenied(outcome)
        return outcome

    def install(self, app: FastAPI, *, schemes: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        """Registers the :class:`GateDenied` handler on `app` and puts the gate's security
        schemes in its OpenAPI document: one per credential (``openapi_security_schemes``,
        then `schemes`, credential name -> OpenAPI scheme object, over them), and in each
        operation that uses this dependency one security requirement per credential, with the
        scopes of its ``Security``."""
        app.add_exception_handler(GateDenied, _answer_denied)
        overrides = {name: dict(value) for name, value in (schemes or {}).items()}
        original: Callable[[], dict[str, Any]] = app.openapi

        def openapi() -> dict[str, Any]:
            if app.openapi_schema:
                return app.openapi_schema
            document = original()
            self._rewrite(document, {**openapi_security_schemes(self.gate), **overrides})
            return document

        app.openapi = openapi  # type: ignore[method-assign]

    def _rewrite(self, document: dict[str, Any], schemes: dict[str, dict[str, Any]]) -> None:
        components = document.setdefault("components", {}).setdefault("securitySchemes", {})
        components.pop(self.scheme_name, None)
        components.update(schemes)
        for path_item in document.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or not operation.get("security"):
                    continue
                rewritten: list[dict[str, list[str]]] = []
                for requirement in operation["security"]:
                    if self.scheme_name not in requirement:
                        rewritten.append(requirement)
                        continue
                    scopes = list(requirement[self.scheme_name])
                    others = {k: v for k, v in requirement.items() if k != self.scheme_name}
                    # Alternatives: any one credential of the gate (the gate's route decides
                    # which it accepts).
                    rewritten.extend({**others, name: scopes} for name in schemes)
                operation["security"] = rewritten
