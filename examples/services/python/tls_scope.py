"""uvicorn's HTTP/1.1 protocol, plus the ASGI TLS extension in each request's scope.

The FastAPI adapter reads the client's certificates from `scope["extensions"]["tls"]
["client_cert_chain"]` (PEM, leaf first: https://asgi.readthedocs.io/en/latest/specs/tls.html).
Neither uvicorn 0.55 (it reads the TLS connection only to set `scheme`) nor hypercorn 0.18 (only
for ALPN) fills it, so the demo serves FastAPI through this subclass of uvicorn's h11 protocol:
it reads the chain once per connection from the transport's `ssl_object` and adds the extension
to the scope of every request on that connection, before the application's task first runs.
Conversion only: which certificate is acceptable is the gate's decision.
"""

from __future__ import annotations

import ssl
from typing import Any, Optional

from uvicorn.protocols.http.h11_impl import H11Protocol

import portcullis

_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def tls_extension(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    """The ASGI TLS extension of a server-side connection."""
    chain = portcullis.peer_certificates(ssl_object)  # DER, leaf first; [] without a certificate
    return {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der) for der in chain],
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,  # the standard library names the suite, not its number
    }


class TlsScopeH11Protocol(H11Protocol):
    """`uvicorn.Config(..., http=TlsScopeH11Protocol)`."""

    tls: Optional[dict[str, Any]] = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self.tls = tls_extension(ssl_object)

    def handle_events(self) -> None:
        # h11 hands over at most one new request per call (the next waits until this one is
        # answered); uvicorn has built its scope and scheduled, not started, the app's task.
        super().handle_events()
        scope: Any = self.scope
        if self.tls is not None and scope is not None:
            extensions = scope.setdefault("extensions", {})
            extensions.setdefault("tls", dict(self.tls))
