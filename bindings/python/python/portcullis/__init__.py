"""portcullis: one API-authentication core, shared by Python, Node.js and C services.

Every verifier takes a :class:`Request` and returns a :class:`Principal`, or raises an
:class:`AuthError` subclass whose ``code`` names the reason and whose ``challenge`` is the
``WWW-Authenticate`` value to send back.
"""

from ._portcullis import (
    ApiKeyError,
    ApiKeyRecord,
    ApiKeyRing,
    AuthError,
    BasicAuth,
    BasicAuthError,
    SignatureError,
    BasicCredentials,
    InternalError,
    IssuedApiKey,
    Principal,
    Request,
    RequestError,
    UsageError,
    __version__,
    hash_password,
    parse_basic,
)

__all__ = [
    "ApiKeyError",
    "ApiKeyRecord",
    "ApiKeyRing",
    "AuthError",
    "BasicAuth",
    "BasicAuthError",
    "SignatureError",
    "BasicCredentials",
    "InternalError",
    "IssuedApiKey",
    "Principal",
    "Request",
    "RequestError",
    "UsageError",
    "__version__",
    "hash_password",
    "parse_basic",
]
