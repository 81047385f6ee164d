"""A plain HTTP/1.1 server on 127.0.0.1 (port 0) for the remote JWKS and introspection tests:
one fixed response per path (swappable while it runs, to rotate keys), 404 for any other path,
a request count (GET and POST; POST bodies recorded), and an optional delay before answering.
Used as a context manager: it is always shut down and its thread joined."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Optional


class Reply:
    """One fixed response."""

    def __init__(
        self, status: int, body: bytes | str, headers: Optional[list[tuple[str, str]]] = None
    ) -> None:
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = headers if headers is not None else [("Content-Type", "application/json")]


class LoopbackHttp:
    def __init__(self, routes: Optional[dict[str, Reply]] = None, delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Reply] = dict(routes or {})
        self._requests: list[str] = []
        # POSTs: (path, body, Authorization header).
        self._bodies: list[tuple[str, bytes, Optional[str]]] = []
        self.delay = delay
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1 << 20))
                with owner._lock:
                    owner._bodies.append((self.path, body, self.headers.get("Authorization")))
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with owner._lock:
                    owner._requests.append(self.path)
                    reply = owner._routes.get(self.path)
                    delay = owner.delay
                if delay:
                    time.sleep(delay)
                if reply is None:
                    reply = Reply(404, b"not found", [("Content-Type", "text/plain")])
                self.close_connection = True
                no_body = reply.status in (204, 304) or 100 <= reply.status < 200
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers:
                        self.send_header(name, value)
                    if not no_body:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if not no_body:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that stopped reading (a body over its max_bytes)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice it.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, path: str, reply: Reply) -> None:
        """Serves `reply` at `path` from now on (replacing what was there)."""
        with self._lock:
            self._routes[path] = reply

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._requests)

    @property
    def posts(self) -> list[tuple[str, bytes, Optional[str]]]:
        """Every POST: its path, body and Authorization header."""
        with self._lock:
            return list(self._bodies)

    def __enter__(self) -> LoopbackHttp:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive()
