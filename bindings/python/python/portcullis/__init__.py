"""portcullis: one API-authentication core, shared by Python, Node.js and C services.

Every verifier takes a :class:`Request` (or, for RFC 9421 responses, a :class:`Response`) and
returns a :class:`Principal`, or raises an :class:`AuthError` subclass whose ``code`` names the
reason and whose ``challenge`` is the ``WWW-Authenticate`` value to send back.

- API keys (:class:`ApiKeyRing`) and HTTP Basic (:class:`BasicAuth`).
- Webhooks (:class:`WebhookVerifier`, :class:`WebhookSigner`): Standard Webhooks, Stripe,
  GitHub, Slack.
- PCS1 request signing (:class:`HmacVerifier`, :class:`HmacSigningKey`, :func:`sign_request`).
- RFC 9421 HTTP Message Signatures (:class:`HttpSigKeyring`, :class:`HttpSigVerifier`,
  :class:`HttpSigSigner`) and RFC 9530 ``Content-Digest`` (:func:`content_digest`).
- JWT bearer tokens (:class:`JwtKey`, :class:`JwtKeySet`, :class:`JwtVerifier`,
  :func:`jwt_encode`, :func:`jwk_thumbprint`) with remote key sets (:class:`JwksClient`);
  also as the :mod:`portcullis.jwt` namespace.
- Mutual TLS client certificates (:class:`MtlsVerifier`, :func:`peer_certificates`), RFC 8705
  certificate-bound tokens (:func:`certificate_thumbprint`, :func:`check_confirmation`,
  ``JwtVerifier(..., require_certificate_binding=True)``) and a development CA
  (:class:`DevCa`, :class:`IssuedCertificate`).
- DPoP proofs (RFC 9449) at the resource server (:class:`DpopVerifier`, :class:`DpopProof`).
- The gate (:class:`Gate`, :class:`GateDecision`, :class:`AuditEvent`, :class:`AuditBatch`): one
  TOML or JSON configuration of credentials, routes, rate limits, lockout and audit that decides
  every request; and :class:`Verifier`, any one method built from the same configuration.
"""

from ._portcullis import (
    ApiKeyError,
    ApiKeyRecord,
    ApiKeyRing,
    AuditBatch,
    AuditEvent,
    AuthError,
    BasicAuth,
    BasicAuthError,
    BasicCredentials,
    DevCa,
    DpopProof,
    DpopVerifier,
    Gate,
    GateDecision,
    HmacSigningKey,
    HmacVerifier,
    HttpSigKeyring,
    HttpSigSigner,
    HttpSigVerifier,
    HttpSignature,
    InternalError,
    IssuedApiKey,
    IssuedCertificate,
    JwksClient,
    JwtError,
    JwtKey,
    JwtKeySet,
    JwtVerifier,
    MtlsError,
    MtlsVerifier,
    OAuthError,
    Principal,
    Request,
    RequestError,
    Response,
    SignatureError,
    UsageError,
    VerifiedJws,
    Verifier,
    WebhookSigner,
    WebhookVerifier,
    __version__,
    certificate_thumbprint,
    check_confirmation,
    content_digest,
    hash_password,
    hmac_canonical_request,
    httpsig_signature_base,
    jwk_thumbprint,
    jwt_encode,
    mac,
    parse_basic,
    sign_request,
    verify_content_digest,
    verify_mac,
)

from ._tls import peer_certificates
from . import jwt  # the portcullis.jwt namespace

__all__ = [
    "ApiKeyError",
    "ApiKeyRecord",
    "ApiKeyRing",
    "AuditBatch",
    "AuditEvent",
    "AuthError",
    "BasicAuth",
    "BasicAuthError",
    "BasicCredentials",
    "DevCa",
    "DpopProof",
    "DpopVerifier",
    "Gate",
    "GateDecision",
    "HmacSigningKey",
    "HmacVerifier",
    "HttpSigKeyring",
    "HttpSigSigner",
    "HttpSigVerifier",
    "HttpSignature",
    "InternalError",
    "IssuedApiKey",
    "IssuedCertificate",
    "JwksClient",
    "JwtError",
    "JwtKey",
    "JwtKeySet",
    "JwtVerifier",
    "MtlsError",
    "MtlsVerifier",
    "OAuthError",
    "Principal",
    "Request",
    "RequestError",
    "Response",
    "SignatureError",
    "UsageError",
    "VerifiedJws",
    "Verifier",
    "WebhookSigner",
    "WebhookVerifier",
    "__version__",
    "certificate_thumbprint",
    "check_confirmation",
    "content_digest",
    "hash_password",
    "hmac_canonical_request",
    "httpsig_signature_base",
    "jwk_thumbprint",
    "jwt_encode",
    "mac",
    "parse_basic",
    "peer_certificates",
    "sign_request",
    "verify_content_digest",
    "verify_mac",
]
