"""What every framework adapter shares: building a :class:`portcullis.Request` from an ASGI scope
or a WSGI environ, PEM to DER, the parts of a refusal (status, header list, body bytes) and the
refusals the adapters make themselves (a body over the limit, a failed check).

Conversion only: the gate decides. Nothing here imports a web framework, so the core package and
every adapter can import it whatever is installed.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union
from urllib.parse import quote

from ._portcullis import AuthError, Gate, GateDecision, Request

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DECISION_KEY",
    "Refusal",
    "asgi_has_body",
    "asgi_content_length",
    "check",
    "decide",
    "der_certificates",
    "failure_refusal",
    "length_refusal",
    "malformed_refusal",
    "oversize_refusal",
    "refusal_from_decision",
    "request_from_asgi",
    "request_from_wsgi",
    "wsgi_content_length",
    "wsgi_has_body",
]

# 1 MiB: enough for JSON APIs and webhooks; a service that takes uploads on a gated route sets
# its own limit (the whole body has to be in memory for a signature over it to be checked).
DEFAULT_MAX_BODY_BYTES = 1_048_576
# Where the decision is kept: the ASGI scope's "state" (request.state.portcullis in Starlette)
# and, as "portcullis.decision", the WSGI environ.
DECISION_KEY = "portcullis"

logger = logging.getLogger("portcullis")

_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]*?)\s*-----END CERTIFICATE-----"
)


@dataclass(frozen=True)
class Refusal:
    """A response that refuses a request: what each framework turns into its own response."""

    status: int
    # Every field, in order; a name may repeat (several WWW-Authenticate challenges).
    headers: list[tuple[str, str]]
    body: bytes
    # The gate's decision, when the gate made one (None for the adapter's own refusals).
    decision: Optional[GateDecision] = None


def refusal_from_decision(decision: GateDecision) -> Refusal:
    """The gate's refusal as it is: its status, all its headers (WWW-Authenticate, Retry-After,
    RateLimit, DPoP-Nonce, Content-Type) and its RFC 9457 problem body."""
    body = (decision.problem or "").encode("utf-8")
    return Refusal(decision.status, list(decision.headers), body, decision)


def _problem(status: int, code: str, title: str) -> bytes:
    return json.dumps(
        {"type": f"urn:portcullis:error:{code}", "title": title, "status": status, "code": code},
        separators=(",", ":"),
    ).encode("utf-8")


_PROBLEM_JSON = ("Content-Type", "application/problem+json")


def oversize_refusal() -> Refusal:
    """413 for a body over the adapter's limit: refused before the gate, never passed on
    unchecked. (The limit itself is the server's business: the problem does not state it.)"""
    return Refusal(413, [_PROBLEM_JSON], _problem(413, "input_too_large", "Request too large."))


def malformed_refusal() -> Refusal:
    """400 for a request whose framing the adapter cannot read (a malformed Content-Length)."""
    return Refusal(400, [_PROBLEM_JSON], _problem(400, "request_invalid", "Malformed request."))


def length_refusal(length: Optional[int], limit: int) -> Optional[Refusal]:
    """The refusal a declared body length calls for before any byte is read (-1: malformed,
    400; over `limit`: 413), or None."""
    if length == -1:
        return malformed_refusal()
    if length is not None and length > limit:
        return oversize_refusal()
    return None


def failure_refusal(error: BaseException) -> Refusal:
    """The refusal for a check that could not be made (a malformed request the core refused to
    build, or an exception inside the gate call): the error's own status and public message
    when it is a portcullis error, else 500. Never a pass; the detail goes to the log only."""
    if isinstance(error, AuthError):
        logger.warning("portcullis: request refused before a decision: %s: %s", error.code, error.detail)
        status = error.http_status if 400 <= error.http_status <= 599 else 500
        headers = [_PROBLEM_JSON]
        if error.challenge:
            headers.append(("WWW-Authenticate", error.challenge))
        headers.extend(error.headers)
        return Refusal(status, headers, _problem(status, error.code, error.message))
    # Only the type: an unknown exception's text could hold anything.
    logger.error("portcullis: the gate check failed: %s", type(error).__name__)
    return Refusal(500, [_PROBLEM_JSON], _problem(500, "internal", "Internal error."))


def check(gate: Gate, request: Request, scopes: Sequence[str] = ()) -> GateDecision:
    """`gate.check` with the scopes the framework route declared: the gate requires them on
    top of the route's own (403 insufficient_scope when the principal lacks one)."""
    return gate.check(request, scopes=scopes)


def decide(
    gate: Gate, build_request: Callable[[], Request], scopes: Sequence[str] = ()
) -> Union[GateDecision, Refusal]:
    """The gate's decision when it allows the request, else the refusal to send (the gate's, or
    ``failure_refusal`` when the request could not be built or the check raised)."""
    try:
        decision = check(gate, build_request(), scopes)
    except Exception as error:  # fail closed: no decision is a refusal, never a pass
        return failure_refusal(error)
    if not decision.allowed:
        return refusal_from_decision(decision)
    return decision


# --- certificates -----------------------------------------------------------------------------


def der_certificates(pems: Iterable[str]) -> list[bytes]:
    """Every certificate of PEM texts (each may hold several), DER, in order. A text with no
    certificate or a malformed one raises ValueError: a chain the server handed over broken is
    refused, never read as "no certificate"."""
    chain: list[bytes] = []
    for pem in pems:
        if not isinstance(pem, str):
            raise ValueError("a client certificate is not PEM text")
        blocks = _PEM_BLOCK.findall(pem)
        if not blocks:
            raise ValueError("a client certificate is not PEM text")
        for block in blocks:
            try:
                chain.append(base64.b64decode("".join(block.split()), validate=True))
            except binascii.Error as error:
                raise ValueError("a client certificate is not valid base64") from error
    return chain


# Peer addresses already read: the same clients come back, and parsing one costs more than the
# rest of the conversion. Bounded: emptied when full.
_ADDRESSES: dict[str, Optional[str]] = {}
_ADDRESSES_MAX = 4096
_UNSEEN = "?"  # not an address: what the cache answers for a host it has not seen


def _address(host: object) -> Optional[str]:
    """An IP address, or None (a Unix socket, a test client's placeholder name)."""
    if not isinstance(host, str):
        return None
    cached = _ADDRESSES.get(host, _UNSEEN)  # one lookup: another thread may clear meanwhile
    if cached is not _UNSEEN:
        return cached
    try:
        address: Optional[str] = str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        address = None
    if len(_ADDRESSES) >= _ADDRESSES_MAX:
        _ADDRESSES.clear()
    _ADDRESSES[host] = address
    return address


# --- ASGI -------------------------------------------------------------------------------------


def asgi_content_length(scope: Mapping[str, Any]) -> Optional[int]:
    """The Content-Length the client sent; -1 when it is malformed or repeated differently."""
    lengths = {value for name, value in scope.get("headers", ()) if name.lower() == b"content-length"}
    if not lengths:
        return None
    if len(lengths) > 1:
        return -1
    value = next(iter(lengths)).strip()
    return int(value) if value.isdigit() else -1


def asgi_has_body(scope: Mapping[str, Any]) -> bool:
    """Whether the request is framed with a body (Content-Length, even 0, or chunked)."""
    return any(
        name.lower() in (b"content-length", b"transfer-encoding") for name, _ in scope.get("headers", ())
    )


def request_from_asgi(scope: Mapping[str, Any], body: Optional[bytes]) -> Request:
    """The request as the ASGI server received it: the raw path and query exactly as sent (not
    the decoded `path`), every header with its duplicates, `body` (None when the request has
    none), the client address, the scheme, and the client's certificates from the ASGI TLS
    extension (`extensions.tls.client_cert_chain`, PEM, leaf first)."""
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, (bytes, bytearray)) and raw_path:
        # Latin-1 keeps every byte as one character: a non-ASCII byte reaches the core, which
        # refuses it, instead of being re-encoded into something else.
        path = raw_path.decode("latin-1")
    else:
        path = quote(str(scope.get("path", "/")).encode("utf-8"), safe="/!$&'()*+,;=:@-._~%")
    query = scope.get("query_string") or b""
    target = path + ("?" + query.decode("latin-1") if query else "")
    # Values as they are (ASGI gives bytes); names as text, byte for byte.
    headers = [(name.decode("latin-1"), value) for name, value in scope.get("headers", ())]
    scheme = str(scope.get("scheme") or "http")
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    client = scope.get("client")
    peer = _address(client[0]) if client else None
    tls = (scope.get("extensions") or {}).get("tls") or {}
    pems = tls.get("client_cert_chain") or ()
    return Request(
        str(scope.get("method", "GET")),
        target,
        headers,
        body=body,
        peer_certificates=der_certificates(pems) if pems else None,
        peer_address=peer,
        scheme=scheme,
    )


# --- WSGI -------------------------------------------------------------------------------------

# CGI names of the two headers WSGI keeps without the HTTP_ prefix.
_WSGI_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
# What quote() leaves unescaped in a path rebuilt from PATH_INFO: RFC 3986 pchar and "/". PATH_INFO
# is already decoded, so a "%" in it is a literal and is escaped again.
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def wsgi_content_length(environ: Mapping[str, Any]) -> Optional[int]:
    """CONTENT_LENGTH as a number; None when absent or empty, -1 when malformed."""
    value = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else -1


def wsgi_has_body(environ: Mapping[str, Any]) -> bool:
    """Whether the request is framed with a body (a CONTENT_LENGTH, or chunked)."""
    return bool(environ.get("CONTENT_LENGTH")) or "HTTP_TRANSFER_ENCODING" in environ


def _wsgi_target(environ: Mapping[str, Any]) -> str:
    # The raw request target when the server keeps it (werkzeug and gunicorn: RAW_URI; others:
    # REQUEST_URI): the bytes the client sent. Else PEP 3333's decoded SCRIPT_NAME + PATH_INFO,
    # encoded again (so "/a%2Fb" arrives as "/a/b", as the application routes it).
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw:
        return raw
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "")) or "/"
    target = quote(path.encode("latin-1"), safe=_PATH_SAFE)
    query = str(environ.get("QUERY_STRING") or "")
    return target + ("?" + query if query else "")


def _wsgi_header_name(key: str) -> str:
    """The header name of an environ key, or "" for a key that is not a header."""
    if key.startswith("HTTP_"):
        return key[5:].replace("_", "-").lower()
    return _WSGI_UNPREFIXED.get(key, "")


# Environ keys already read (the same few come with every request). Bounded: clients choose
# header names, so it is emptied when full.
_WSGI_NAMES: dict[str, str] = {}
_WSGI_NAMES_MAX = 1024


def _wsgi_headers(environ: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    names = _WSGI_NAMES
    headers: list[tuple[str, bytes]] = []
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            if len(names) >= _WSGI_NAMES_MAX:
                names.clear()
            name = names[key] = _wsgi_header_name(key) if isinstance(key, str) else ""
        if not name or (not value and key in _WSGI_UNPREFIXED):
            continue  # not a header, or CGI's empty CONTENT_TYPE/CONTENT_LENGTH for "none"
        # PEP 3333 values are latin-1 text: back to the bytes that were received.
        headers.append((name, value.encode("latin-1")))
    return headers


def _wsgi_certificates(environ: Mapping[str, Any]) -> list[bytes]:
    # SSL_CLIENT_CERT (PEM, the leaf: werkzeug's development server with an ssl_context,
    # mod_wsgi) and mod_ssl's SSL_CLIENT_CERT_CHAIN_0..n (the intermediates) when present.
    leaf = environ.get("SSL_CLIENT_CERT")
    if not leaf:
        return []
    pems = [str(leaf)]
    for index in range(16):
        more = environ.get(f"SSL_CLIENT_CERT_CHAIN_{index}")
        if not more:
            break
        pems.append(str(more))
    return der_certificates(pems)


def request_from_wsgi(environ: MutableMapping[str, Any], body: Optional[bytes]) -> Request:
    """The request of a WSGI environ: method, the raw target when the server keeps it, the
    headers (WSGI has already joined repeated ones), `body`, REMOTE_ADDR, wsgi.url_scheme and
    the client certificate the server put in the environ (SSL_CLIENT_CERT)."""
    certificates = _wsgi_certificates(environ)
    return Request(
        str(environ.get("REQUEST_METHOD", "GET")),
        _wsgi_target(environ),
        _wsgi_headers(environ),
        body=body,
        peer_certificates=certificates or None,
        peer_address=_address(environ.get("REMOTE_ADDR")),
        scheme=str(environ.get("wsgi.url_scheme") or "http"),
    )
