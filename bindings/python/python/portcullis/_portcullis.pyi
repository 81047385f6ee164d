"""Typed stubs of the native module ``portcullis._portcullis`` (checked by mypy.stubtest)."""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Optional, SupportsIndex, Union, final, overload

__all__ = [
    "__version__",
    "AuthError",
    "UsageError",
    "InternalError",
    "RequestError",
    "ApiKeyError",
    "BasicAuthError",
    "SignatureError",
    "JwtError",
    "MtlsError",
    "OAuthError",
    "Request",
    "Principal",
    "ApiKeyRecord",
    "IssuedApiKey",
    "ApiKeyRing",
    "BasicAuth",
    "BasicCredentials",
    "parse_basic",
    "hash_password",
    "Response",
    "WebhookVerifier",
    "WebhookSigner",
    "HmacVerifier",
    "HmacSigningKey",
    "sign_request",
    "hmac_canonical_request",
    "mac",
    "verify_mac",
    "content_digest",
    "verify_content_digest",
    "HttpSigKeyring",
    "HttpSigVerifier",
    "HttpSigSigner",
    "HttpSignature",
    "httpsig_signature_base",
    "JwtKey",
    "JwtKeySet",
    "JwtVerifier",
    "VerifiedJws",
    "jwt_encode",
    "jwk_thumbprint",
    "JwksClient",
    "DpopVerifier",
    "DpopProof",
    "MtlsVerifier",
    "DevCa",
    "IssuedCertificate",
    "certificate_thumbprint",
    "check_confirmation",
    "Verifier",
    "Gate",
    "GateDecision",
    "AuditEvent",
    "AuditBatch",
]

__version__: str

# JSON values as they come out of (and go into) metadata and claims.
_JsonValue = Any

class AuthError(Exception):
    """A call failed or a request was refused; ``code`` names the reason."""

    code: str
    number: int
    message: str
    detail: str
    http_status: int
    challenge: Optional[str]
    # Other response header fields a refusal asks for (a DPoP-Nonce), as (name, value) pairs.
    headers: list[tuple[str, str]]
    category: str
    # Where a configuration that failed to load (Gate, Verifier) is wrong; None on other errors.
    path: Optional[str]
    line: Optional[int]
    column: Optional[int]

class UsageError(AuthError): ...
class InternalError(AuthError): ...
class RequestError(AuthError): ...
class ApiKeyError(AuthError): ...
class BasicAuthError(AuthError): ...
class SignatureError(AuthError): ...
class JwtError(AuthError): ...
class MtlsError(AuthError): ...
class OAuthError(AuthError): ...

_HeaderValue = Union[str, bytes]

@final
class Request:
    def __new__(
        cls,
        method: str,
        target: str,
        headers: Union[
            Iterable[tuple[str, _HeaderValue]], Mapping[str, _HeaderValue], None
        ] = None,
        *,
        body: Optional[bytes] = None,
        peer_certificates: Optional[Sequence[bytes]] = None,
        peer_address: Optional[str] = None,
        now: Optional[int] = None,
        scheme: Optional[str] = None,
    ) -> Request: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def scheme(self) -> Optional[str]: ...

@final
class Principal:
    @property
    def subject(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def credential_id(self) -> Optional[str]: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def claims(self) -> dict[str, _JsonValue]: ...
    @property
    def expires_at(self) -> Optional[int]: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...

@final
class ApiKeyRecord:
    @staticmethod
    def from_json(json: str) -> ApiKeyRecord: ...
    def to_json(self) -> str: ...
    @property
    def key_id(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def environment(self) -> Optional[str]: ...
    @property
    def subject(self) -> Optional[str]: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def created_at(self) -> int: ...
    @property
    def expires_at(self) -> Optional[int]: ...
    @property
    def revoked_at(self) -> Optional[int]: ...
    @property
    def successor(self) -> Optional[str]: ...
    @property
    def metadata(self) -> dict[str, _JsonValue]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class IssuedApiKey:
    @property
    def key(self) -> str: ...
    @property
    def record(self) -> ApiKeyRecord: ...

@final
class ApiKeyRing:
    def __new__(
        cls,
        pepper: bytes,
        *,
        prefix: str = "pc",
        environment: Optional[str] = None,
        bearer: bool = True,
        header: Optional[str] = "x-api-key",
        query: Optional[str] = None,
        realm: str = "api",
    ) -> ApiKeyRing: ...
    @staticmethod
    def from_json(config_json: str, pepper: bytes) -> ApiKeyRing: ...
    def generate(
        self,
        *,
        environment: Optional[str] = None,
        subject: Optional[str] = None,
        scopes: Sequence[str] = (),
        expires_at: Optional[int] = None,
        metadata: Optional[Mapping[str, _JsonValue]] = None,
        now: Optional[int] = None,
    ) -> IssuedApiKey: ...
    def rotate(
        self, record: ApiKeyRecord, *, overlap: int, now: Optional[int] = None
    ) -> tuple[IssuedApiKey, ApiKeyRecord]: ...
    def insert(self, record: ApiKeyRecord) -> None: ...
    def remove(self, key_id: str) -> bool: ...
    def revoke(self, key_id: str, at: Optional[int] = None) -> ApiKeyRecord: ...
    def get(self, key_id: str) -> Optional[ApiKeyRecord]: ...
    def __len__(self) -> int: ...
    def verify(self, request: Request, scopes: Sequence[str] = ()) -> Principal: ...
    def verify_record(
        self, request: Request, record: ApiKeyRecord, scopes: Sequence[str] = ()
    ) -> Principal: ...
    def check_format(self, key: str) -> Optional[str]: ...
    def lookup_digest(self, request: Request) -> str: ...
    def scanner_regex(self) -> str: ...

@final
class BasicAuth:
    def __new__(
        cls,
        *,
        realm: str = "api",
        users: Optional[Mapping[str, str]] = None,
        htpasswd: Optional[str] = None,
        htpasswd_file: Union[str, os.PathLike[str], None] = None,
        allow_legacy: bool = False,
        rehash_params: Optional[Mapping[str, int]] = None,
    ) -> BasicAuth: ...
    @staticmethod
    def from_json(config_json: str) -> BasicAuth: ...
    def verify(self, request: Request) -> Principal: ...
    def __len__(self) -> int: ...

@final
class BasicCredentials:
    @property
    def user_id(self) -> str: ...
    @property
    def password(self) -> str: ...

def parse_basic(header: Union[str, bytes]) -> BasicCredentials: ...
def hash_password(
    password: Union[str, bytes],
    *,
    memory_kib: int = 19456,
    iterations: int = 2,
    parallelism: int = 1,
) -> str: ...

_Headers = Union[Iterable[tuple[str, _HeaderValue]], Mapping[str, _HeaderValue], None]

@final
class Response:
    def __new__(
        cls,
        status: int,
        headers: _Headers = None,
        *,
        body: Optional[bytes] = None,
        now: Optional[int] = None,
    ) -> Response: ...
    @property
    def status(self) -> int: ...

# --- Webhooks ---------------------------------------------------------------------------------

_WebhookScheme = Literal["standard", "stripe", "github", "slack"]
# A raw body: bytes (read in place), or a copied buffer, or text (UTF-8).
_Body = Union[bytes, bytearray, memoryview, str]

@final
class WebhookVerifier:
    def __new__(
        cls,
        *,
        secrets: Sequence[str],
        scheme: _WebhookScheme = "standard",
        tolerance_seconds: int = 300,
        replay_protection: bool = True,
        sender: Optional[str] = None,
    ) -> WebhookVerifier: ...
    @staticmethod
    def from_json(config_json: str) -> WebhookVerifier: ...
    def verify(self, request: Request) -> Principal: ...
    def verify_payload(
        self,
        body: _Body,
        headers: Union[Mapping[str, _HeaderValue], Iterable[tuple[str, _HeaderValue]]],
        *,
        now: Optional[int] = None,
    ) -> Principal: ...
    def header_names(self) -> tuple[str, ...]: ...

@final
class WebhookSigner:
    def __new__(cls, scheme: _WebhookScheme, secret: str) -> WebhookSigner: ...
    def sign(
        self,
        body: Union[bytes, str],
        *,
        timestamp: int,
        message_id: Optional[str] = None,
    ) -> list[tuple[str, str]]: ...

# --- PCS1 request signing ---------------------------------------------------------------------

_HmacAlgorithm = Literal["hmac-sha256", "hmac-sha512"]
_DigestAlgorithm = Literal["sha-256", "sha-512"]

@final
class HmacVerifier:
    def __new__(
        cls,
        *,
        realm: str = "api",
        window_seconds: int = 300,
        required_headers: Sequence[str] = ...,  # ("host",)
        keys: Optional[Sequence[Mapping[str, _JsonValue]]] = (),
    ) -> HmacVerifier: ...
    @staticmethod
    def from_json(config_json: str) -> HmacVerifier: ...
    def verify(self, request: Request) -> Principal: ...
    def __len__(self) -> int: ...

@final
class HmacSigningKey:
    def __new__(
        cls, key_id: str, secret: bytes, algorithm: _HmacAlgorithm = "hmac-sha256"
    ) -> HmacSigningKey: ...
    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> str: ...

def sign_request(
    request: Request,
    key: HmacSigningKey,
    *,
    headers: Sequence[str] = ...,  # ("host",)
    now: Optional[int] = None,
    nonce: Optional[str] = None,
    digest: _DigestAlgorithm = "sha-256",
) -> list[tuple[str, str]]: ...
def hmac_canonical_request(
    request: Request,
    *,
    algorithm: _HmacAlgorithm,
    keyid: str,
    ts: int,
    nonce: str,
    headers: Sequence[str],
) -> str: ...
def mac(algorithm: _HmacAlgorithm, key: bytes, data: bytes) -> bytes: ...
def verify_mac(algorithm: _HmacAlgorithm, key: bytes, data: bytes, tag: bytes) -> bool: ...
def content_digest(body: bytes, algorithm: _DigestAlgorithm = "sha-256") -> str: ...
def verify_content_digest(header: Union[str, bytes], body: Optional[bytes]) -> str: ...

# --- RFC 9421 HTTP Message Signatures ---------------------------------------------------------

_SfType = Literal["item", "list", "dictionary"]

@final
class HttpSigKeyring:
    def __new__(cls) -> HttpSigKeyring: ...
    def add_hmac_secret(self, keyid: str, secret: bytes) -> None: ...
    def add_public_pem(self, keyid: str, algorithm: str, pem: Union[str, bytes]) -> None: ...
    def remove(self, keyid: str) -> bool: ...
    def __len__(self) -> int: ...

@final
class HttpSigVerifier:
    def __new__(
        cls,
        keyring: HttpSigKeyring,
        *,
        label: Optional[str] = None,
        required_components: Sequence[str] = ("@method", "@target-uri"),
        required_response_components: Sequence[str] = ("@status",),
        require_content_digest: bool = True,
        verify_content_digest: bool = True,
        require_created: bool = True,
        require_expires: bool = False,
        max_age: Optional[int] = 300,
        leeway: int = 60,
        require_nonce: bool = False,
        tag: Optional[str] = None,
        structured_fields: Mapping[str, _SfType] = ...,
        max_signatures: int = 8,
        max_header_len: int = 8192,
        max_components: int = 32,
    ) -> HttpSigVerifier: ...
    @staticmethod
    def from_json(config_json: str, keyring: HttpSigKeyring) -> HttpSigVerifier: ...
    def verify_request(self, request: Request) -> Principal: ...
    def verify_response(
        self, response: Response, related_request: Optional[Request] = None
    ) -> Principal: ...

@final
class HttpSignature:
    @property
    def label(self) -> str: ...
    @property
    def signature_input(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def signature_base(self) -> str: ...
    def headers(self) -> list[tuple[str, str]]: ...

@final
class HttpSigSigner:
    @staticmethod
    def hmac(keyid: str, secret: bytes) -> HttpSigSigner: ...
    @staticmethod
    def from_pem(keyid: str, algorithm: str, pem: Union[str, bytes]) -> HttpSigSigner: ...
    @property
    def keyid(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    def sign_request(
        self,
        request: Request,
        *,
        label: str = "sig1",
        components: Sequence[str] = ("@method", "@target-uri"),
        created: Optional[int] = None,
        include_created: bool = True,
        expires: Optional[int] = None,
        nonce: Optional[str] = None,
        tag: Optional[str] = None,
        include_keyid: bool = True,
        include_alg: bool = False,
    ) -> HttpSignature: ...
    def sign_response(
        self,
        response: Response,
        related_request: Optional[Request] = None,
        *,
        label: str = "sig1",
        components: Sequence[str] = ("@method", "@target-uri"),
        created: Optional[int] = None,
        include_created: bool = True,
        expires: Optional[int] = None,
        nonce: Optional[str] = None,
        tag: Optional[str] = None,
        include_keyid: bool = True,
        include_alg: bool = False,
    ) -> HttpSignature: ...

def httpsig_signature_base(
    message: Union[Request, Response],
    signature_params: str,
    *,
    related_request: Optional[Request] = None,
    structured_fields: Optional[Mapping[str, _SfType]] = None,
) -> str: ...

# --- JWT / JOSE -------------------------------------------------------------------------------

# A JWK or JWKS: JSON text or a mapping.
_JsonObject = Union[str, Mapping[str, _JsonValue]]

@final
class JwtKey:
    @staticmethod
    def from_secret(secret: bytes, alg: str, *, kid: Optional[str] = None) -> JwtKey: ...
    @staticmethod
    def from_pem(pem: Union[str, bytes], alg: str, *, kid: Optional[str] = None) -> JwtKey: ...
    @staticmethod
    def from_der(der: bytes, alg: str, *, kid: Optional[str] = None) -> JwtKey: ...
    @staticmethod
    def from_jwk(jwk: _JsonObject, alg: Optional[str] = None) -> JwtKey: ...
    @staticmethod
    def generate(alg: str) -> JwtKey: ...
    @property
    def kid(self) -> Optional[str]: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def can_sign(self) -> bool: ...
    def public_jwk(self) -> dict[str, _JsonValue]: ...
    def thumbprint(self) -> str: ...
    def private_pem(self) -> str: ...

@final
class JwtKeySet:
    def __new__(cls) -> JwtKeySet: ...
    @staticmethod
    def from_jwks(jwks: _JsonObject) -> JwtKeySet: ...
    def add_jwks(self, jwks: _JsonObject) -> int: ...
    def insert(self, key: JwtKey) -> None: ...
    def remove(self, kid: str) -> int: ...
    def __len__(self) -> int: ...
    def public_jwks(self) -> dict[str, _JsonValue]: ...

@final
class VerifiedJws:
    @property
    def alg(self) -> str: ...
    @property
    def kid(self) -> Optional[str]: ...
    @property
    def header(self) -> dict[str, _JsonValue]: ...
    @property
    def payload(self) -> bytes: ...

_Discovery = Literal["openid-configuration", "oauth-authorization-server"]

@final
class JwksClient:
    def __new__(
        cls,
        url: Optional[str] = None,
        *,
        issuer: Optional[str] = None,
        discovery: _Discovery = "openid-configuration",
        min_ttl_seconds: int = 300,
        max_ttl_seconds: int = 86400,
        default_ttl_seconds: int = 600,
        kid_miss_cooldown_seconds: int = 30,
        max_stale_seconds: int = 86400,
        timeout_ms: int = 5000,
        connect_timeout_ms: int = 2000,
        max_bytes: int = 524288,
        ca_pem: Optional[str] = None,
        algorithms: Sequence[str] = (),
        require_kid: bool = False,
    ) -> JwksClient: ...
    @staticmethod
    def from_json(config_json: str) -> JwksClient: ...
    def refresh(self) -> None: ...
    def status(self) -> dict[str, _JsonValue]: ...
    def discovered(self) -> Optional[dict[str, _JsonValue]]: ...

@final
class JwtVerifier:
    def __new__(
        cls,
        keyset: Union[JwtKeySet, JwksClient],
        *,
        issuers: Sequence[str] = (),
        audiences: Sequence[str] = (),
        leeway_seconds: int = 60,
        max_age_seconds: Optional[int] = None,
        required_claims: Sequence[str] = (),
        typ: Optional[str] = None,
        algorithms: Sequence[str] = (),
        require_exp: bool = True,
        max_token_bytes: int = 16384,
        cache_size: int = 0,
        realm: str = "api",
        require_certificate_binding: bool = False,
        max_lifetime_seconds: Optional[int] = 86400,
        allow_mixed_key_types: bool = False,
    ) -> JwtVerifier: ...
    @staticmethod
    def from_json(config_json: str, keyset: Union[JwtKeySet, JwksClient]) -> JwtVerifier: ...
    def verify(self, request: Request, scopes: Sequence[str] = ()) -> Principal: ...
    def verify_token(
        self, token: str, *, now: Optional[int] = None, scopes: Sequence[str] = ()
    ) -> Principal: ...
    def verify_jws(self, token: str) -> VerifiedJws: ...
    def revoke(self, jti: str, until: int, *, now: Optional[int] = None) -> None: ...
    def clear_cache(self) -> None: ...

def jwt_encode(
    claims: _JsonObject,
    key: JwtKey,
    *,
    typ: Optional[str] = "JWT",
    kid: Optional[str] = None,
    cty: Optional[str] = None,
) -> str: ...
def jwk_thumbprint(jwk: _JsonObject) -> str: ...

# --- DPoP (RFC 9449) --------------------------------------------------------------------------

@final
class DpopProof:
    @property
    def thumbprint(self) -> str: ...
    @property
    def jti(self) -> str: ...
    @property
    def iat(self) -> int: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def nonce(self) -> Optional[str]: ...

@final
class DpopVerifier:
    def __new__(
        cls,
        *,
        algorithms: Sequence[str] = ...,
        max_age_seconds: int = 300,
        leeway_seconds: int = 5,
        max_proof_bytes: int = 8192,
        nonce: Optional[Mapping[str, Union[str, int]]] = None,
    ) -> DpopVerifier: ...
    @staticmethod
    def from_json(config_json: str) -> DpopVerifier: ...
    def verify(
        self,
        proof: str,
        method: str,
        uri: str,
        access_token: Optional[str] = None,
        now: Optional[int] = None,
    ) -> DpopProof: ...
    def verify_request(
        self,
        request: Request,
        access_token: Optional[str] = None,
        origin: Optional[str] = None,
    ) -> DpopProof: ...
    def nonce(self, now: Optional[int] = None) -> Optional[str]: ...
    @property
    def algorithms_param(self) -> str: ...

# --- Mutual TLS -------------------------------------------------------------------------------

_SubjectSource = Literal["spiffe", "dns", "email", "cn", "dn", "fingerprint"]
# DER certificates.
_Der = Union[bytes, bytearray]

@final
class MtlsVerifier:
    def __new__(
        cls,
        trust_anchors: Sequence[str],
        *,
        intermediates: Sequence[str] = (),
        crls: Sequence[str] = (),
        revocation_depth: Literal["chain", "end_entity"] = "chain",
        unknown_status: Literal["deny", "allow"] = "deny",
        require_client_auth_eku: bool = True,
        spiffe_trust_domains: Sequence[str] = (),
        subject_from: Optional[Sequence[_SubjectSource]] = None,
        rules: Sequence[Mapping[str, _JsonValue]] = (),
        require_rule_match: bool = False,
        pinned_fingerprints: Sequence[str] = (),
        forwarded: Optional[Mapping[str, _JsonValue]] = None,
        max_chain_depth: Optional[int] = None,
    ) -> MtlsVerifier: ...
    @staticmethod
    def from_json(config_json: str) -> MtlsVerifier: ...
    def verify(self, request: Request) -> Principal: ...
    def verify_chain(self, chain: Sequence[_Der], *, now: Optional[int] = None) -> Principal: ...

@final
class IssuedCertificate:
    @property
    def cert_pem(self) -> str: ...
    @property
    def chain_pem(self) -> str: ...
    @property
    def der(self) -> bytes: ...
    @property
    def key_pem(self) -> str: ...
    @property
    def serial(self) -> str: ...
    @property
    def fingerprint_sha256(self) -> str: ...

@final
class DevCa:
    def __new__(cls, common_name: str, *, not_before: int, not_after: int) -> DevCa: ...
    def issue_intermediate(
        self,
        common_name: str,
        *,
        not_before: int,
        not_after: int,
        path_len: Optional[int] = None,
    ) -> DevCa: ...
    def issue_client(
        self,
        *,
        spiffe_id: Optional[str] = None,
        dns: Sequence[str] = (),
        email: Sequence[str] = (),
        cn: Optional[str] = None,
        not_before: int,
        not_after: int,
        eku_client_auth: bool = True,
        eku_server_auth: bool = False,
    ) -> IssuedCertificate: ...
    def issue_server(
        self,
        dns_names: Sequence[str],
        *,
        cn: Optional[str] = None,
        not_before: int,
        not_after: int,
    ) -> IssuedCertificate: ...
    def revoke(self, serial: str, *, at: int) -> None: ...
    def crl_pem(self, *, this_update: int, next_update: int) -> str: ...
    def ca_cert_pem(self) -> str: ...
    def intermediates_pem(self) -> str: ...

def certificate_thumbprint(der: _Der) -> str: ...
def check_confirmation(claims: _JsonObject, thumbprint: str) -> None: ...

# --- The gate and the generic verifier --------------------------------------------------------

_StrPath = Union[str, os.PathLike[str]]
# An audit callable's return value is ignored.
_AuditCallback = Callable[["AuditEvent"], object]
_AuditBatchCallback = Callable[["AuditBatch"], object]

@final
class Verifier:
    @staticmethod
    def from_json(
        text: str,
        *,
        secrets: Optional[Mapping[str, str]] = None,
        base_dir: Optional[_StrPath] = None,
    ) -> Verifier: ...
    @staticmethod
    def from_toml(
        text: str,
        *,
        secrets: Optional[Mapping[str, str]] = None,
        base_dir: Optional[_StrPath] = None,
    ) -> Verifier: ...
    @property
    def method(self) -> str: ...
    @property
    def challenge(self) -> Optional[str]: ...
    @property
    def resource_metadata(self) -> Optional[str]: ...
    def verify(self, request: Request, scopes: Sequence[str] = ()) -> Principal: ...

@final
class AuditEvent:
    @property
    def time(self) -> int: ...
    @property
    def route(self) -> Optional[str]: ...
    @property
    def request_id(self) -> Optional[str]: ...
    @property
    def peer_address(self) -> Optional[str]: ...
    @property
    def tried(self) -> list[str]: ...
    @property
    def credential(self) -> Optional[str]: ...
    @property
    def method(self) -> Optional[str]: ...
    @property
    def subject(self) -> Optional[str]: ...
    @property
    def credential_id(self) -> Optional[str]: ...
    @property
    def outcome(self) -> Literal["allow", "deny"]: ...
    @property
    def status(self) -> int: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def latency_us(self) -> int: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...

@final
class AuditBatch:
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: SupportsIndex, /) -> AuditEvent: ...
    @overload
    def __getitem__(self, index: slice, /) -> AuditBatch: ...
    def __iter__(self) -> Iterator[AuditEvent]: ...

@final
class GateDecision:
    @property
    def allowed(self) -> bool: ...
    @property
    def status(self) -> int: ...
    @property
    def route(self) -> Optional[str]: ...
    @property
    def params(self) -> dict[str, str]: ...
    @property
    def credential(self) -> Optional[str]: ...
    @property
    def satisfied(self) -> list[str]: ...
    @property
    def principal(self) -> Optional[Principal]: ...
    @property
    def anonymous(self) -> bool: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def message(self) -> Optional[str]: ...
    @property
    def detail(self) -> Optional[str]: ...
    @property
    def challenges(self) -> list[str]: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def retry_after(self) -> Optional[int]: ...
    @property
    def problem(self) -> Optional[str]: ...
    def error(self) -> Optional[AuthError]: ...
    def raise_for_denial(self) -> None: ...
    def __bool__(self) -> bool: ...

@final
class Gate:
    @staticmethod
    def from_file(
        path: _StrPath,
        *,
        secrets: Optional[Mapping[str, str]] = None,
        audit: Optional[_AuditCallback] = None,
        audit_batch: Optional[_AuditBatchCallback] = None,
    ) -> Gate: ...
    @staticmethod
    def from_toml(
        text: str,
        *,
        secrets: Optional[Mapping[str, str]] = None,
        audit: Optional[_AuditCallback] = None,
        audit_batch: Optional[_AuditBatchCallback] = None,
        base_dir: Optional[_StrPath] = None,
    ) -> Gate: ...
    @staticmethod
    def from_json(
        text: str,
        *,
        secrets: Optional[Mapping[str, str]] = None,
        audit: Optional[_AuditCallback] = None,
        audit_batch: Optional[_AuditBatchCallback] = None,
        base_dir: Optional[_StrPath] = None,
    ) -> Gate: ...
    def check(self, request: Request, scopes: Sequence[str] = ()) -> GateDecision: ...
    @property
    def may_block(self) -> bool: ...
    def reload_file(self, path: _StrPath) -> None: ...
    def reload_toml(self, text: str) -> None: ...
    def reload_json(self, text: str) -> None: ...
    def api_key_ring(self, name: str) -> Optional[ApiKeyRing]: ...
    def verifier(self, name: str) -> Optional[Verifier]: ...
    @property
    def credential_names(self) -> list[str]: ...
    @property
    def route_names(self) -> list[str]: ...
    def audit_stats(self) -> dict[str, int]: ...
    def flush_audit(self, timeout: float = 5.0) -> bool: ...
    @staticmethod
    def schema() -> str: ...
