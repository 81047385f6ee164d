"""What the framework adapter tests share: one gate (every method the adapters must carry: JWT,
API keys, a webhook over the raw body, PCS1, mTLS, a rate limit, anonymous and optional
routes), credentials made at the current time (the adapters check at the real clock), a
development CA with server and client certificates, and servers on 127.0.0.1 in a thread
(uvicorn for ASGI, werkzeug for WSGI) that are always stopped and joined."""

from __future__ import annotations

import base64
import pathlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import uvicorn
from werkzeug.serving import make_server

import portcullis
from asgi_tls import TlsH11Protocol

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

JWT_SECRET = "adapter-test-jwt-secret-0123456789abcdef"
PEPPER = "adapter-test-pepper-0123456789abcdef"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PCS1_SECRET = b"adapter-test-pcs1-secret-0123456789ab"
PASSWORD = "correct horse battery staple"

START = int(time.time()) - 3600
CA = portcullis.DevCa("adapter test CA", not_before=START, not_after=START + 86400 * 2)
CLIENT = CA.issue_client(cn="edge-client", not_before=START, not_after=START + 86400 * 2)
SERVER = CA.issue_server(["localhost"], not_before=START, not_after=START + 86400 * 2)

SECRETS = {
    "jwt": JWT_SECRET,
    "pepper": PEPPER,
    "whsec": WHSEC,
    "pcs1": base64.b64encode(PCS1_SECRET).decode(),
    "ca": CA.ca_cert_pem(),
}

CONFIG = """
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"

[credentials.hooks]
method = "webhook"
scheme = "standard"
secrets = ["secret:whsec"]
sender = "billing"

[credentials.signed]
method = "pcs1"
required_headers = ["host"]
keys = [{ key_id = "svc-orders", algorithm = "hmac-sha256", secrets_b64 = ["secret:pcs1"], subject = "svc-orders" }]

[credentials.edge]
method = "mtls"
trust_anchors = ["secret:ca"]

[[routes]]
name = "health"
path = "/health"
require = { anonymous = true }

[[routes]]
name = "catalog"
path = "/catalog"
require = { optional = "tokens" }

[[routes]]
name = "orders"
path = "/orders/{id}"
require = { any_of = ["tokens", "keys"] }
scopes = ["orders:read"]

[[routes]]
name = "limited"
path = "/limited"
require = "tokens"
rate_limits = ["two"]

[[routes]]
name = "hooks"
methods = ["POST"]
path = "/hooks"
require = "hooks"

[[routes]]
name = "signed"
methods = ["POST"]
path = "/signed"
require = "signed"

[[routes]]
name = "edge"
path = "/edge"
require = "edge"

[[routes]]
name = "upload"
methods = ["POST"]
path = "/upload"
require = "tokens"

[rate_limits.two]
key = "principal"
quota = 2
window_seconds = 600
"""

# A Basic credential whose password hash takes long (tenths of a second): the gate may block.
SLOW_CONFIG = (
    CONFIG
    + f"""
[credentials.ops]
method = "basic"
realm = "ops"
users = {{ bob = "{portcullis.hash_password(PASSWORD, memory_kib=65536, iterations=6)}" }}

[[routes]]
name = "ops"
path = "/ops"
require = "ops"
"""
)


def make_gate(slow: bool = False) -> portcullis.Gate:
    return portcullis.Gate.from_toml(SLOW_CONFIG if slow else CONFIG, secrets=SECRETS)


def token(scope: str = "orders:read", sub: str = "alice") -> str:
    key = portcullis.JwtKey.from_secret(JWT_SECRET.encode(), "HS256")
    now = int(time.time())
    return portcullis.jwt_encode({"sub": sub, "aud": "api", "exp": now + 600, "scope": scope}, key)


def bearer(scope: str = "orders:read", sub: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(scope, sub)}"}


def basic(user: str = "bob", password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def api_key(gate: portcullis.Gate, subject: str = "svc-billing", scopes: tuple[str, ...] = ("orders:read",)) -> str:
    ring = gate.api_key_ring("keys")
    assert ring is not None
    issued = ring.generate(subject=subject, scopes=list(scopes))
    ring.insert(issued.record)
    return issued.key


def webhook_headers(body: bytes, message_id: str) -> dict[str, str]:
    signer = portcullis.WebhookSigner("standard", WHSEC)
    headers = dict(signer.sign(body, timestamp=int(time.time()), message_id=message_id))
    headers["Content-Type"] = "application/json"
    return headers


def pcs1_headers(host: str, body: bytes, target: str = "/signed") -> dict[str, str]:
    """The PCS1 signature of POST `target` with `body` as a server at `host` will see it."""
    request = portcullis.Request("POST", target, [("host", host)], body=body)
    key = portcullis.HmacSigningKey("svc-orders", PCS1_SECRET)
    return dict(portcullis.sign_request(request, key, headers=("host",)))


def challenges(headers: Any) -> list[str]:
    """Every WWW-Authenticate field of an httpx or werkzeug header collection."""
    if hasattr(headers, "get_list"):  # httpx
        return list(headers.get_list("www-authenticate"))
    return list(headers.getlist("WWW-Authenticate"))  # werkzeug


# --- TLS material -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    ca: pathlib.Path
    server_cert: pathlib.Path
    server_key: pathlib.Path
    client_cert: pathlib.Path
    client_key: pathlib.Path

    def client_context(self, with_certificate: bool = True) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca))
        if with_certificate:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.server_cert), str(self.server_key))
        context.load_verify_locations(cafile=str(self.ca))
        # Optional at the TLS layer: the gate decides which routes need a certificate.
        context.verify_mode = ssl.CERT_OPTIONAL
        return context


def tls_files(folder: pathlib.Path) -> TlsFiles:
    files = TlsFiles(
        folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "client.pem", folder / "client.key"
    )
    files.ca.write_text(CA.ca_cert_pem())
    files.server_cert.write_text(SERVER.chain_pem)
    files.server_key.write_text(SERVER.key_pem)
    files.client_cert.write_text(CLIENT.cert_pem)
    files.client_key.write_text(CLIENT.key_pem)
    return files


# --- servers on 127.0.0.1 ---------------------------------------------------------------------


def _wait(condition: Any, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@contextmanager
def uvicorn_server(app: Any, tls: Optional[TlsFiles] = None) -> Iterator[str]:
    """Serves the ASGI `app` on 127.0.0.1 (a free port) in a thread; yields its base URL. With
    `tls`, HTTPS asking for an optional client certificate, through the test-only protocol that
    fills the ASGI TLS extension."""
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "off"}
    if tls is not None:
        options.update(
            ssl_certfile=str(tls.server_cert),
            ssl_keyfile=str(tls.server_key),
            ssl_ca_certs=str(tls.ca),
            ssl_cert_reqs=ssl.CERT_OPTIONAL,
            http=TlsH11Protocol,
        )
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait(lambda: server.started or not thread.is_alive(), "uvicorn to start")
        assert server.started, "uvicorn did not start"
        yield f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@contextmanager
def werkzeug_server(app: WSGIApplication, tls: Optional[TlsFiles] = None) -> Iterator[str]:
    """Serves the WSGI `app` on 127.0.0.1 (a free port, threaded, HTTP/1.1) in a thread; yields
    its base URL. With `tls`, HTTPS asking for an optional client certificate."""
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, ssl_context=tls.server_context() if tls else None
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive(), "werkzeug did not stop"
