"""The demo's FastAPI service: every request is decided by the gate of
examples/services/gate.toml through `portcullis.fastapi`.

    python app.py --gate FILE --run-dir DIR --http PORT --https PORT

Serves on 127.0.0.1 only, with uvicorn: plain HTTP, and HTTPS with DIR/server.pem and
DIR/server-key.pem asking for a client certificate (tls_scope.py puts it in the ASGI scope, where
the adapter reads it). Relative paths in the gate file (`file:` references, `records_file`) start
from DIR. An allowed request gets {"route":..,"credential":..,"subject":..,"scopes":[..]}; a
denial the gate's status, headers and problem body (GateAuth.install's handler).
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations, and
# `Decision` below is local to build_app, where string annotations would not find it.

import argparse
import asyncio
import ssl
import sys
from pathlib import Path
from typing import Annotated, Any, Callable

import uvicorn
from fastapi import FastAPI, Request, Security

import portcullis
from portcullis.fastapi import GateAuth

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tls_scope import TlsScopeH11Protocol  # noqa: E402

EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# OpenSSL's X509_V_FLAG_NO_CHECK_TIME: see tls_context.
NO_CHECK_TIME = 0x200000


def answer(decision: portcullis.GateDecision) -> dict[str, Any]:
    """The same body as the Express and C services: who called, through which credential."""
    principal = decision.principal
    return {
        "route": decision.route,
        "credential": decision.credential if principal else None,
        "subject": principal.subject if principal else None,
        "scopes": principal.scopes if principal else [],
    }


def build_app(gate: portcullis.Gate) -> FastAPI:
    auth = GateAuth(gate)
    app = FastAPI(title="portcullis demo (FastAPI)")
    auth.install(app)
    Decision = Annotated[portcullis.GateDecision, Security(auth)]

    @app.get("/health")
    async def health(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.get("/catalog/{rest:path}")
    async def catalog(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    # The gate's route requires orders:read already; Security's scopes are where a handler asks
    # for more (the gate checks them too: gate.check(request, scopes=...)).
    @app.get("/orders/{order_id}")
    async def read_order(
        order_id: str,
        decision: Annotated[portcullis.GateDecision, Security(auth, scopes=["orders:read"])],
    ) -> dict[str, Any]:
        return answer(decision)

    @app.post("/orders")
    async def create_order(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.get("/reports/{name}")
    async def report(name: str, decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.get("/items/{item_id}")
    async def item(item_id: str, decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.api_route("/admin/{rest:path}", methods=EVERY_METHOD)
    async def admin(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.post("/webhooks/billing")
    async def webhook(request: Request, decision: Decision) -> dict[str, Any]:
        # `await request.body()` gives the exact bytes whose signature the gate checked (the
        # adapter read them within its limit and kept them): the event to act on.
        return answer(decision)

    @app.api_route("/partners/{rest:path}", methods=EVERY_METHOD)
    async def partners(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.get("/internal/{rest:path}")
    async def internal(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    @app.post("/payments/{rest:path}")
    async def payments(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    # Everything else still goes to the gate: it refuses what it has no route for (403) and
    # paths it will not read (400), instead of FastAPI answering 404 or 405 on its own.
    @app.api_route("/{rest:path}", methods=EVERY_METHOD, include_in_schema=False)
    async def elsewhere(decision: Decision) -> dict[str, Any]:
        return answer(decision)

    return app


def tls_context(run_dir: Path) -> "Callable[[uvicorn.Config, Callable[[], ssl.SSLContext]], ssl.SSLContext]":
    """Asks for a client certificate, optional. The standard library cannot accept a
    certificate without verifying it, so OpenSSL checks the chain against the dev CA first;
    it is told to skip the validity dates, so that an expired certificate still reaches the
    gate, which judges it on its own clock like the C and Express services."""

    def factory(config: uvicorn.Config, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(run_dir / "server.pem", run_dir / "server-key.pem")
        context.load_verify_locations(run_dir / "ca.pem")
        context.verify_mode = ssl.CERT_OPTIONAL
        context.verify_flags |= NO_CHECK_TIME
        return context

    return factory


async def serve(app: FastAPI, run_dir: Path, http_port: int, https_port: int) -> None:
    common: dict[str, Any] = {"host": "127.0.0.1", "log_level": "warning", "lifespan": "off"}
    plain = uvicorn.Config(app, port=http_port, **common)
    secure = uvicorn.Config(
        app,
        port=https_port,
        http=TlsScopeH11Protocol,
        ssl_certfile=str(run_dir / "server.pem"),
        ssl_context_factory=tls_context(run_dir),
        **common,
    )
    # Both in one event loop; SIGTERM stops them (uvicorn hands the signal on, one to the next).
    await asyncio.gather(uvicorn.Server(plain).serve(), uvicorn.Server(secure).serve())


def main() -> None:
    parser = argparse.ArgumentParser(description="the demo's FastAPI service")
    parser.add_argument("--gate", type=Path, required=True)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--http", type=int, required=True)
    parser.add_argument("--https", type=int, required=True)
    args = parser.parse_args()
    try:
        gate = portcullis.Gate.from_toml(args.gate.read_text(encoding="utf-8"), base_dir=args.run_dir)
    except portcullis.AuthError as error:
        sys.exit(f"fastapi-service: {args.gate}: {error.code}: {error.detail}")
    print(
        f"fastapi-service: http://127.0.0.1:{args.http} and https://127.0.0.1:{args.https}, gate {args.gate}",
        file=sys.stderr,
        flush=True,
    )
    asyncio.run(serve(build_app(gate), args.run_dir, args.http, args.https))


if __name__ == "__main__":
    main()
