"""The servers of the end-to-end bench (run.py): one small JSON route, GET /items/{id}, behind
no authentication, a PyJWT check, or the portcullis gate, in FastAPI (uvicorn, one worker) and
in Flask (werkzeug's threaded server). Run as `apps.py FRAMEWORK VARIANT`: serves on
127.0.0.1, a free port, printed on the first line of stdout; stops on SIGTERM.

Every variant does the same work besides authentication: parse the request, call the handler,
serialise a small JSON object. The token is HS256 with `aud`, `exp`, `sub` and `scope`, and both
checks verify the signature, the audience and the expiry."""

from __future__ import annotations

import socket
import sys
from typing import Any, Callable

JWT_SECRET = "e2e-bench-jwt-secret-0123456789abcdef"
AUDIENCE = "api"
GATE = """
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
name = "items"
methods = ["GET"]
path = "/items/{id}"
require = "tokens"
"""


def item(item_id: str, subject: str | None) -> dict[str, Any]:
    return {"id": item_id, "name": "widget", "price": 9.5, "owner": subject}


def fastapi_app(variant: str) -> Any:
    import jwt
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

    import portcullis
    from portcullis.fastapi import GateAuth

    app = FastAPI()
    if variant == "none":

        @app.get("/items/{item_id}")
        async def plain(item_id: str) -> dict[str, Any]:
            return item(item_id, None)

    elif variant == "empty-dependency":
        # Not an authentication: FastAPI's own cost of one dependency, which both the PyJWT
        # and the portcullis variants pay (context for their added latency).
        async def nothing() -> None:
            return None

        @app.get("/items/{item_id}")
        async def with_empty_dependency(item_id: str, _: None = Depends(nothing)) -> dict[str, Any]:
            return item(item_id, None)

    elif variant == "pyjwt":
        bearer = HTTPBearer()

        # The usual FastAPI JWT dependency.
        async def current_subject(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> str:
            try:
                claims = jwt.decode(credentials.credentials, JWT_SECRET, algorithms=["HS256"], audience=AUDIENCE)
            except jwt.PyJWTError:
                raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"}) from None
            return str(claims["sub"])

        @app.get("/items/{item_id}")
        async def with_pyjwt(item_id: str, subject: str = Depends(current_subject)) -> dict[str, Any]:
            return item(item_id, subject)

    elif variant == "portcullis":
        auth = GateAuth(portcullis.Gate.from_toml(GATE, secrets={"jwt": JWT_SECRET}))
        auth.install(app)

        @app.get("/items/{item_id}")
        async def with_gate(item_id: str, decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
            principal = decision.principal
            return item(item_id, principal.subject if principal else None)

    else:
        raise SystemExit(f"unknown variant {variant}")
    return app


def flask_app(variant: str) -> Any:
    import functools

    import jwt
    from flask import Flask, g, request

    import portcullis
    from portcullis.flask import GateAuth

    app = Flask(__name__)
    if variant == "none":

        @app.get("/items/<item_id>")
        def plain(item_id: str) -> dict[str, Any]:
            return item(item_id, None)

    elif variant == "pyjwt":

        # The usual Flask JWT decorator.
        def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def checked(*args: Any, **kwargs: Any) -> Any:
                header = request.headers.get("Authorization", "")
                if not header.startswith("Bearer "):
                    return {"error": "missing token"}, 401, {"WWW-Authenticate": "Bearer"}
                try:
                    claims = jwt.decode(header[7:], JWT_SECRET, algorithms=["HS256"], audience=AUDIENCE)
                except jwt.PyJWTError:
                    return {"error": "invalid token"}, 401, {"WWW-Authenticate": "Bearer"}
                g.subject = claims["sub"]
                return view(*args, **kwargs)

            return checked

        @app.get("/items/<item_id>")
        @token_required
        def with_pyjwt(item_id: str) -> dict[str, Any]:
            return item(item_id, g.subject)

    elif variant == "portcullis":
        auth = GateAuth(app, portcullis.Gate.from_toml(GATE, secrets={"jwt": JWT_SECRET}))

        @app.get("/items/<item_id>")
        @auth.required
        def with_gate(item_id: str) -> dict[str, Any]:
            principal = auth.current_principal
            return item(item_id, principal.subject if principal else None)

    else:
        raise SystemExit(f"unknown variant {variant}")
    return app


def main() -> None:
    framework, variant = sys.argv[1], sys.argv[2]
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    if framework == "fastapi":
        import uvicorn

        config = uvicorn.Config(
            fastapi_app(variant), http="h11", loop="asyncio", lifespan="off", access_log=False, log_level="warning"
        )
        uvicorn.Server(config).run(sockets=[sock])
    elif framework == "flask":
        import logging

        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        # werkzeug serves the socket bound above (it listens on it itself).
        port = sock.getsockname()[1]
        make_server("127.0.0.1", port, flask_app(variant), threaded=True, fd=sock.fileno()).serve_forever()
    else:
        raise SystemExit(f"unknown framework {framework}")


if __name__ == "__main__":
    main()
