"""Typed stubs of the native module ``portcullis._portcullis`` (checked by mypy.stubtest)."""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union, final

__all__ = [
    "__version__",
    "AuthError",
    "UsageError",
    "InternalError",
    "RequestError",
    "ApiKeyError",
    "BasicAuthError",
    "SignatureError",
    "Request",
    "Principal",
    "ApiKeyRecord",
    "IssuedApiKey",
    "ApiKeyRing",
    "BasicAuth",
    "BasicCredentials",
    "parse_basic",
    "hash_password",
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
    category: str

class UsageError(AuthError): ...
class InternalError(AuthError): ...
class RequestError(AuthError): ...
class ApiKeyError(AuthError): ...
class BasicAuthError(AuthError): ...
class SignatureError(AuthError): ...

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
    ) -> Request: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...

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
