"""The ``portcullis.jwt`` namespace: JWT bearer tokens under short names.

``encode``, ``Verifier``, ``KeySet``, ``Key`` and ``JwksClient`` are
:func:`portcullis.jwt_encode`, :class:`portcullis.JwtVerifier`, :class:`portcullis.JwtKeySet`,
:class:`portcullis.JwtKey` and :class:`portcullis.JwksClient` (a remote JWKS, usable wherever a
``KeySet`` is); ``decode`` verifies one token and returns its claims::

    from portcullis import jwt

    key = jwt.Key.from_secret(secret, "HS256", kid="k1")
    keys = jwt.KeySet()
    keys.insert(key)
    token = jwt.encode({"sub": "user-42", "exp": now + 600}, key)
    claims = jwt.decode(token, keys, now=now)

For many tokens build one ``Verifier`` and call ``verify_token`` (or ``verify`` with a
request): ``decode`` builds a verifier per call. A remote key set::

    keys = jwt.JwksClient(issuer="https://login.example.com")  # discovery, then the JWKS
    verifier = jwt.Verifier(keys, issuers=["https://login.example.com"], audiences=["api"])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

from ._portcullis import JwksClient, JwtKey, JwtKeySet, JwtVerifier, jwt_encode

__all__ = ["JwksClient", "Key", "KeySet", "Verifier", "decode", "encode"]

encode = jwt_encode
Verifier = JwtVerifier
KeySet = JwtKeySet
Key = JwtKey


def decode(
    token: str,
    keyset: Union[JwtKeySet, JwksClient],
    *,
    now: Optional[int] = None,
    scopes: Sequence[str] = (),
    **config: Any,
) -> dict[str, Any]:
    """Verifies ``token`` against ``keyset`` (a ``KeySet`` or a ``JwksClient``) with the
    ``JwtConfig`` fields given as keyword arguments (at ``now``, the system clock when None)
    and returns its claims; raises :class:`portcullis.JwtError` (or another
    :class:`portcullis.AuthError`) when refused."""
    verifier = JwtVerifier(keyset, **config)
    return verifier.verify_token(token, now=now, scopes=scopes).claims
