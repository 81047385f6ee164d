"""A test-only uvicorn HTTP/1.1 protocol that fills the ASGI TLS extension
(`scope["extensions"]["tls"]`, https://asgi.readthedocs.io/en/latest/specs/tls.html).

Neither uvicorn (0.55) nor hypercorn (0.18) fills it: hypercorn reads the TLS connection only
for ALPN, uvicorn only to set the scheme. The adapters read the client's certificates from the
extension, so the mTLS test over a real handshake needs a server that does: this subclass of
uvicorn's h11 protocol adds the extension to every request's scope, from the connection's
`ssl_object` (the leaf, and on Python >= 3.13 the rest of the chain the client sent)."""

from __future__ import annotations

import ssl
from typing import Any, Optional

from uvicorn.protocols.http.h11_impl import H11Protocol

import portcullis


class TlsH11Protocol(H11Protocol):
    _tls: Optional[dict[str, Any]] = None
    _scope: Any = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        chain = portcullis.peer_certificates(ssl_object)
        self._tls = {
            "server_cert": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der) for der in chain],
            "client_cert_name": None,
            "client_cert_error": None,
            "tls_version": {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}.get(ssl_object.version() or ""),
            "cipher_suite": None,  # the standard library names the suite, not its number
        }

    # uvicorn assigns a new scope for each request just before starting the application's task:
    # the extension is added to each as it is assigned.
    @property
    def scope(self) -> Any:
        return self._scope

    @scope.setter
    def scope(self, value: Any) -> None:
        if value is not None and self._tls is not None:
            value.setdefault("extensions", {})["tls"] = dict(self._tls)
        self._scope = value
