//! GENERATED from `portcullis::ErrorCode::ALL` by `ffi/tests/result_codes.rs`; do not edit.
//! Regenerate: UPDATE_RESULT_CODES=1 cargo test -p portcullis-ffi --test result_codes
//!
//! One `PORTCULLIS_RESULT_<NAME>` per core error code, its number and its registry doc.

use crate::result::portcullis_result;

/// An argument is out of range or of the wrong form.
pub const PORTCULLIS_RESULT_INVALID_ARGUMENT: portcullis_result = 1;

/// A required pointer argument was NULL (C ABI).
pub const PORTCULLIS_RESULT_NULL_POINTER: portcullis_result = 2;

/// The caller's output buffer is too small; the needed size was reported.
pub const PORTCULLIS_RESULT_BUFFER_TOO_SMALL: portcullis_result = 3;

/// Text input is not valid UTF-8.
pub const PORTCULLIS_RESULT_INVALID_UTF8: portcullis_result = 4;

/// A panic was caught at the API boundary; this is a bug in portcullis.
pub const PORTCULLIS_RESULT_PANIC: portcullis_result = 5;

/// A configuration value is missing, out of range or inconsistent.
pub const PORTCULLIS_RESULT_CONFIG_INVALID: portcullis_result = 6;

/// An unexpected internal failure.
pub const PORTCULLIS_RESULT_INTERNAL: portcullis_result = 7;

/// An input is larger than the configured limit.
pub const PORTCULLIS_RESULT_INPUT_TOO_LARGE: portcullis_result = 8;

/// The operating system's random number generator failed.
pub const PORTCULLIS_RESULT_RANDOM_UNAVAILABLE: portcullis_result = 9;

/// A JSON document (configuration, record) could not be parsed or has the wrong shape.
pub const PORTCULLIS_RESULT_JSON_INVALID: portcullis_result = 10;

/// The shared store (replay nonces, revocations) could not be reached or is full; the
/// request is refused rather than let through.
pub const PORTCULLIS_RESULT_STORE_UNAVAILABLE: portcullis_result = 11;

/// No credential for this method was found in the request.
pub const PORTCULLIS_RESULT_CREDENTIALS_MISSING: portcullis_result = 100;

/// The request is malformed (method, target or a header is not valid HTTP).
pub const PORTCULLIS_RESULT_REQUEST_INVALID: portcullis_result = 101;

/// The `Authorization` header (or the configured credential header) is malformed.
pub const PORTCULLIS_RESULT_HEADER_MALFORMED: portcullis_result = 102;

/// The credential appears more than once (repeated header or query parameter).
pub const PORTCULLIS_RESULT_CREDENTIALS_AMBIGUOUS: portcullis_result = 103;

/// The credential is valid but lacks a scope the route requires.
pub const PORTCULLIS_RESULT_SCOPE_INSUFFICIENT: portcullis_result = 104;

/// No route of the gate matches the request's method and path (a gate denies what it was
/// not told to allow).
pub const PORTCULLIS_RESULT_ROUTE_UNMATCHED: portcullis_result = 105;

/// A rate limit of the route or of the principal is exhausted; retry after `Retry-After`.
pub const PORTCULLIS_RESULT_RATE_LIMITED: portcullis_result = 106;

/// Too many failed attempts from this address or on this account; retry after
/// `Retry-After`.
pub const PORTCULLIS_RESULT_LOCKED_OUT: portcullis_result = 107;

/// The API key does not have the `<prefix>_<random><checksum>` shape.
pub const PORTCULLIS_RESULT_APIKEY_MALFORMED: portcullis_result = 200;

/// The API key's checksum is wrong: a typo or a made-up key.
pub const PORTCULLIS_RESULT_APIKEY_CHECKSUM_MISMATCH: portcullis_result = 201;

/// The API key carries another prefix than the keyring's.
pub const PORTCULLIS_RESULT_APIKEY_PREFIX_MISMATCH: portcullis_result = 202;

/// No record exists for this API key.
pub const PORTCULLIS_RESULT_APIKEY_UNKNOWN: portcullis_result = 203;

/// The API key was revoked.
pub const PORTCULLIS_RESULT_APIKEY_REVOKED: portcullis_result = 204;

/// The API key has expired.
pub const PORTCULLIS_RESULT_APIKEY_EXPIRED: portcullis_result = 205;

/// The API key was rotated and its overlap window has ended.
pub const PORTCULLIS_RESULT_APIKEY_ROTATED: portcullis_result = 206;

/// The API key belongs to another environment (a test key against live, ...).
pub const PORTCULLIS_RESULT_APIKEY_ENVIRONMENT_MISMATCH: portcullis_result = 207;

/// A stored record is malformed or does not belong to the presented key.
pub const PORTCULLIS_RESULT_APIKEY_RECORD_INVALID: portcullis_result = 208;

/// The Basic credentials are not `user-id ":" password`.
pub const PORTCULLIS_RESULT_BASIC_MALFORMED: portcullis_result = 300;

/// The Basic credentials are not canonical padded base64.
pub const PORTCULLIS_RESULT_BASIC_BAD_BASE64: portcullis_result = 301;

/// The Basic user-id or password is not valid UTF-8.
pub const PORTCULLIS_RESULT_BASIC_INVALID_UTF8: portcullis_result = 302;

/// The Basic user-id or password contains a control character.
pub const PORTCULLIS_RESULT_BASIC_CONTROL_CHARACTER: portcullis_result = 303;

/// The Basic credentials exceed the size limits.
pub const PORTCULLIS_RESULT_BASIC_TOO_LONG: portcullis_result = 304;

/// Unknown user or wrong password (one code for both, so the code reveals no user names).
pub const PORTCULLIS_RESULT_BASIC_INVALID_CREDENTIALS: portcullis_result = 305;

/// The password hash uses a scheme portcullis cannot verify.
pub const PORTCULLIS_RESULT_BASIC_HASH_UNSUPPORTED: portcullis_result = 306;

/// The password hash uses a weak scheme and legacy schemes were not allowed.
pub const PORTCULLIS_RESULT_BASIC_HASH_WEAK: portcullis_result = 307;

/// The password hash string is malformed.
pub const PORTCULLIS_RESULT_BASIC_HASH_MALFORMED: portcullis_result = 308;

/// An htpasswd line is malformed or names a user twice.
pub const PORTCULLIS_RESULT_BASIC_HTPASSWD_MALFORMED: portcullis_result = 309;

/// The token is not a compact JWS (three base64url segments with JSON header and claims),
/// or its base64url is not canonical.
pub const PORTCULLIS_RESULT_JWT_MALFORMED: portcullis_result = 400;

/// The token (or its header) exceeds the configured size limit.
pub const PORTCULLIS_RESULT_JWT_TOO_LARGE: portcullis_result = 401;

/// The header or the claims name the same JSON member twice.
pub const PORTCULLIS_RESULT_JWT_DUPLICATE_MEMBER: portcullis_result = 402;

/// The token's `alg` is `none` (in any spelling), unknown, outside the allow-list, or not
/// the algorithm of the key it selects.
pub const PORTCULLIS_RESULT_JWT_ALGORITHM_REFUSED: portcullis_result = 403;

/// No key matches the token's `kid` (or no key at all for its `alg`).
pub const PORTCULLIS_RESULT_JWT_KEY_UNKNOWN: portcullis_result = 404;

/// The signature does not verify (altered, truncated, stripped, DER instead of `r || s`).
pub const PORTCULLIS_RESULT_JWT_SIGNATURE_INVALID: portcullis_result = 405;

/// The header's `crit` is empty, malformed, names an absent header or an extension
/// portcullis does not implement.
pub const PORTCULLIS_RESULT_JWT_CRIT_UNSUPPORTED: portcullis_result = 406;

/// The header's `typ` is not the one the verifier requires.
pub const PORTCULLIS_RESULT_JWT_TYPE_MISMATCH: portcullis_result = 407;

/// `exp` has passed, leeway included.
pub const PORTCULLIS_RESULT_JWT_EXPIRED: portcullis_result = 408;

/// `nbf` is still in the future, leeway included.
pub const PORTCULLIS_RESULT_JWT_NOT_YET_VALID: portcullis_result = 409;

/// `iat` is in the future beyond the leeway.
pub const PORTCULLIS_RESULT_JWT_ISSUED_IN_FUTURE: portcullis_result = 410;

/// The token was issued longer ago than the maximum age.
pub const PORTCULLIS_RESULT_JWT_TOO_OLD: portcullis_result = 411;

/// `iss` is not one of the accepted issuers (exact, case-sensitive match).
pub const PORTCULLIS_RESULT_JWT_ISSUER_MISMATCH: portcullis_result = 412;

/// No `aud` value is one of the accepted audiences.
pub const PORTCULLIS_RESULT_JWT_AUDIENCE_MISMATCH: portcullis_result = 413;

/// A required claim (`exp` by default, or one the configuration names) is absent.
pub const PORTCULLIS_RESULT_JWT_CLAIM_MISSING: portcullis_result = 414;

/// A claim has the wrong JSON type (`exp` as a string, `aud` as a number, ...).
pub const PORTCULLIS_RESULT_JWT_CLAIM_TYPE: portcullis_result = 415;

/// The token's `jti` is on the revocation list.
pub const PORTCULLIS_RESULT_JWT_REVOKED: portcullis_result = 416;

/// A JWT key is unusable: asymmetric material offered as an HMAC secret, a secret too short,
/// a JWK of the wrong shape, a key that does not fit its algorithm.
pub const PORTCULLIS_RESULT_JWT_KEY_INVALID: portcullis_result = 417;

/// The token is certificate-bound (RFC 8705) and its `cnf` claim is absent, malformed or names
/// another certificate than the client's, or the request carries no client certificate.
pub const PORTCULLIS_RESULT_JWT_CONFIRMATION_MISMATCH: portcullis_result = 418;

/// The token lives longer than the verifier's `max_lifetime_seconds`: `exp - iat`, or `exp`
/// beyond now plus that lifetime (and the leeway).
pub const PORTCULLIS_RESULT_JWT_LIFETIME_TOO_LONG: portcullis_result = 419;

/// A remote JWKS could not be fetched (connection, TLS, timeout, HTTP status other than 200)
/// and no usable key set is cached (none yet, or the last one is older than `max_stale`).
pub const PORTCULLIS_RESULT_JWT_JWKS_UNAVAILABLE: portcullis_result = 420;

/// A remote JWKS document is unusable (not JSON, no `keys` array, duplicate `kid`s, a
/// malformed key, no usable signature key, larger than `max_bytes`) and no earlier set is
/// cached.
pub const PORTCULLIS_RESULT_JWT_JWKS_INVALID: portcullis_result = 421;

/// The OpenID Connect / RFC 8414 discovery document is unusable: not JSON, its `issuer` is
/// not exactly the configured issuer, or its `jwks_uri` is missing or not allowed.
pub const PORTCULLIS_RESULT_JWT_DISCOVERY_INVALID: portcullis_result = 422;

/// The request carries no client certificate (none from TLS, none from a trusted proxy).
pub const PORTCULLIS_RESULT_MTLS_CERTIFICATE_MISSING: portcullis_result = 500;

/// A certificate of the chain is not valid DER X.509, or its identity fields cannot be read.
pub const PORTCULLIS_RESULT_MTLS_CERTIFICATE_MALFORMED: portcullis_result = 501;

/// No path from the certificate to a configured trust anchor (unknown issuer).
pub const PORTCULLIS_RESULT_MTLS_UNTRUSTED: portcullis_result = 502;

/// A certificate of the chain has expired at the request's time.
pub const PORTCULLIS_RESULT_MTLS_EXPIRED: portcullis_result = 503;

/// A certificate of the chain is not yet valid at the request's time.
pub const PORTCULLIS_RESULT_MTLS_NOT_YET_VALID: portcullis_result = 504;

/// The certificate may not be used for TLS client authentication (extended key usage), or a
/// CA certificate was presented as the client's.
pub const PORTCULLIS_RESULT_MTLS_USAGE_INVALID: portcullis_result = 505;

/// A certificate of the chain is on a configured CRL.
pub const PORTCULLIS_RESULT_MTLS_REVOKED: portcullis_result = 506;

/// CRLs are configured and none of them covers a certificate that must be checked.
pub const PORTCULLIS_RESULT_MTLS_REVOCATION_UNKNOWN: portcullis_result = 507;

/// A name of the certificate is outside an issuing CA's name constraints.
pub const PORTCULLIS_RESULT_MTLS_NAME_CONSTRAINT_VIOLATION: portcullis_result = 508;

/// A signature of the chain does not verify, or uses an unsupported algorithm or key.
pub const PORTCULLIS_RESULT_MTLS_SIGNATURE_INVALID: portcullis_result = 509;

/// No acceptable path: too long, a path-length constraint violated, an unsupported critical
/// extension or another chain-building failure.
pub const PORTCULLIS_RESULT_MTLS_PATH_INVALID: portcullis_result = 510;

/// The certificate is valid but its identity is not accepted: a malformed SPIFFE ID, a trust
/// domain outside the allow-list, no mapping rule matched, no usable subject.
pub const PORTCULLIS_RESULT_MTLS_IDENTITY_REFUSED: portcullis_result = 511;

/// Pinned fingerprints are configured and the certificate is not one of them.
pub const PORTCULLIS_RESULT_MTLS_PIN_MISMATCH: portcullis_result = 512;

/// The forwarded client-certificate header came from an address that is not a trusted proxy.
pub const PORTCULLIS_RESULT_MTLS_FORWARDED_UNTRUSTED: portcullis_result = 513;

/// The forwarded client-certificate header is malformed, repeated or too large.
pub const PORTCULLIS_RESULT_MTLS_FORWARDED_MALFORMED: portcullis_result = 514;

/// A CRL is unusable: not parseable when configured, or past its nextUpdate at the request's
/// time (the operator must refresh it).
pub const PORTCULLIS_RESULT_MTLS_CRL_INVALID: portcullis_result = 515;

/// The client certificate's public key is refused by policy: RSA under 2048 bits, with an
/// even exponent or the ROCA fingerprint, DSA, an elliptic curve other than P-256, P-384 or
/// P-521, or a key type portcullis does not accept (Ed448, GOST, ...).
pub const PORTCULLIS_RESULT_MTLS_KEY_REFUSED: portcullis_result = 516;

/// The request carries no signature for this scheme (header absent).
pub const PORTCULLIS_RESULT_SIGNATURE_MISSING: portcullis_result = 600;

/// A signature header, parameter, timestamp or id is malformed (bad encoding, upper-case
/// hex, a `.` in a webhook id, a duplicated parameter, ...).
pub const PORTCULLIS_RESULT_SIGNATURE_MALFORMED: portcullis_result = 601;

/// No presented signature matches (wrong secret, altered message, truncated MAC).
pub const PORTCULLIS_RESULT_SIGNATURE_MISMATCH: portcullis_result = 602;

/// The signature's timestamp is older than the tolerance, or its `expires` has passed.
pub const PORTCULLIS_RESULT_SIGNATURE_EXPIRED: portcullis_result = 603;

/// The signature's timestamp is further in the future than the tolerance.
pub const PORTCULLIS_RESULT_SIGNATURE_NOT_YET_VALID: portcullis_result = 604;

/// The nonce or message id was seen before within the window.
pub const PORTCULLIS_RESULT_SIGNATURE_REPLAYED: portcullis_result = 605;

/// The signature names a key id the verifier does not know.
pub const PORTCULLIS_RESULT_SIGNATURE_KEY_UNKNOWN: portcullis_result = 606;

/// The signature uses an algorithm that is unsupported or not allowed for its key
/// (`sha1=`, `v2,`, an `alg` other than the key's).
pub const PORTCULLIS_RESULT_SIGNATURE_ALGORITHM_UNSUPPORTED: portcullis_result = 607;

/// A component the policy requires is not covered by the signature, or absent from the
/// message.
pub const PORTCULLIS_RESULT_SIGNATURE_COMPONENT_MISSING: portcullis_result = 608;

/// The verifier needs the raw body and the host did not supply it.
pub const PORTCULLIS_RESULT_SIGNATURE_BODY_MISSING: portcullis_result = 609;

/// The body does not match its digest: altered, or re-serialised by a framework.
pub const PORTCULLIS_RESULT_SIGNATURE_DIGEST_MISMATCH: portcullis_result = 610;

/// A signing or verification secret is empty, too short or wrongly encoded.
pub const PORTCULLIS_RESULT_SIGNATURE_SECRET_INVALID: portcullis_result = 611;

/// The authorization server says the token is not active (RFC 7662 `active: false`), or
/// the introspected token has expired or is not yet valid.
pub const PORTCULLIS_RESULT_OAUTH_TOKEN_INACTIVE: portcullis_result = 700;

/// The introspection endpoint could not be reached, timed out, redirected, answered with a
/// status other than 200 or a body larger than `max_bytes`; the request is refused rather
/// than let through.
pub const PORTCULLIS_RESULT_OAUTH_INTROSPECTION_UNAVAILABLE: portcullis_result = 701;

/// The introspection response is unusable: not JSON, the wrong content type, `active` not a
/// boolean, a member of the wrong type, or an RFC 9701 JWT response that does not verify.
pub const PORTCULLIS_RESULT_OAUTH_INTROSPECTION_INVALID: portcullis_result = 702;

/// The token's issuer is not on the resource server's allowlist (no key set is fetched for
/// it), or an opaque token arrived and no issuer introspects tokens.
pub const PORTCULLIS_RESULT_OAUTH_ISSUER_UNKNOWN: portcullis_result = 703;

/// The token's binding does not hold: a DPoP-bound token (`cnf.jkt`) sent with the `Bearer`
/// scheme, an unbound token sent with `DPoP`, a `cnf.jkt` that is not the thumbprint of the
/// proof's key, or a token the configuration requires to be bound that is not.
pub const PORTCULLIS_RESULT_OAUTH_BINDING_MISMATCH: portcullis_result = 704;

/// The request uses the `DPoP` scheme (or DPoP is required) and carries no `DPoP` proof
/// header, or carries more than one.
pub const PORTCULLIS_RESULT_DPOP_PROOF_MISSING: portcullis_result = 710;

/// The DPoP proof is malformed or does not verify: not a compact JWS, `typ` not
/// `dpop+jwt`, an `alg` that is symmetric or not allowed, a `jwk` that is missing, private or
/// unusable, a bad signature, a required claim missing or of the wrong type.
pub const PORTCULLIS_RESULT_DPOP_PROOF_INVALID: portcullis_result = 711;

/// The DPoP proof is for another request: `htm` is not the request's method, `htu` not its
/// URI, or `ath` not the hash of the access token presented.
pub const PORTCULLIS_RESULT_DPOP_PROOF_MISMATCH: portcullis_result = 712;

/// The DPoP proof's `iat` is outside the accepted window (too old, or in the future beyond
/// the leeway).
pub const PORTCULLIS_RESULT_DPOP_PROOF_STALE: portcullis_result = 713;

/// The DPoP proof's `jti` was seen before within the window.
pub const PORTCULLIS_RESULT_DPOP_PROOF_REPLAYED: portcullis_result = 714;

/// The resource server requires a DPoP nonce and the proof carries none, or one that is not
/// current: retry with the nonce from the `DPoP-Nonce` header.
pub const PORTCULLIS_RESULT_DPOP_NONCE_REQUIRED: portcullis_result = 715;
