//! The one registry of failure reasons.
//!
//! Every variant has an explicit number that is never reused and a stable snake_case name. The
//! C ABI returns the number; Python and Node expose the name as `.code`. New variants take new
//! numbers; a retired variant keeps its number reserved forever.

use std::borrow::Cow;
use std::fmt;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $num:literal, $name:literal, $category:ident, $status:literal, $message:literal; )*) => {
        /// Why a call failed or a request was refused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant = $num, )*
        }

        impl ErrorCode {
            /// Every code, in number order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable snake_case name (`apikey_expired`, ...).
            pub const fn name(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// The stable number (what the C ABI returns).
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The code with this number, if any.
            pub const fn from_number(number: u32) -> Option<ErrorCode> {
                match number { $( $num => Some(ErrorCode::$variant), )* _ => None }
            }

            /// The code with this name, if any.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                match name { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }

            /// Which family the code belongs to; bindings pick their exception class from it.
            pub const fn category(self) -> Category {
                match self { $( ErrorCode::$variant => Category::$category, )* }
            }

            /// The HTTP status a server should answer with when a request fails this way.
            pub const fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// A message that is safe to show to the client: it names the failure, never a
            /// secret, a user name or a key.
            pub const fn public_message(self) -> &'static str {
                match self { $( ErrorCode::$variant => $message, )* }
            }

            /// The registry's description of the code (its doc comment), one line per source
            /// line: what generated glue (the C constants' comments) documents it with.
            pub fn doc(self) -> String {
                let lines: &[&str] = match self { $( ErrorCode::$variant => &[$($doc),*], )* };
                let lines: Vec<&str> = lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
                lines.join("\n")
            }
        }
    };
}

/// The family of an [`ErrorCode`]: what kind of thing went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// A caller mistake in using the API (bad argument, too-small buffer, bad configuration).
    Usage,
    /// Something broke inside portcullis or its environment.
    Internal,
    /// The request itself is malformed or carries no usable credential.
    Request,
    /// An API key was refused.
    ApiKey,
    /// HTTP Basic credentials were refused, or a password hash could not be used.
    Basic,
    /// A request signature (portcullis HMAC, RFC 9421, webhook) was refused.
    Signature,
    /// A JWT (JWS compact token) was refused, or a JWT key could not be used.
    Jwt,
    /// A TLS client certificate (mutual TLS) was refused, or the mTLS configuration is unusable.
    Mtls,
    /// An OAuth 2.0 access token or its DPoP proof was refused, or the token could not be
    /// introspected.
    OAuth,
}

impl Category {
    /// The stable snake_case name of the family.
    pub const fn name(self) -> &'static str {
        match self {
            Category::Usage => "usage",
            Category::Internal => "internal",
            Category::Request => "request",
            Category::ApiKey => "apikey",
            Category::Basic => "basic",
            Category::Signature => "signature",
            Category::Jwt => "jwt",
            Category::Mtls => "mtls",
            Category::OAuth => "oauth",
        }
    }
}

error_codes! {
    /// An argument is out of range or of the wrong form.
    InvalidArgument = 1, "invalid_argument", Usage, 500, "Invalid argument.";
    /// A required pointer argument was NULL (C ABI).
    NullPointer = 2, "null_pointer", Usage, 500, "A required pointer was NULL.";
    /// The caller's output buffer is too small; the needed size was reported.
    BufferTooSmall = 3, "buffer_too_small", Usage, 500, "The output buffer is too small.";
    /// Text input is not valid UTF-8.
    InvalidUtf8 = 4, "invalid_utf8", Usage, 400, "Input is not valid UTF-8.";
    /// A panic was caught at the API boundary; this is a bug in portcullis.
    Panic = 5, "panic", Internal, 500, "Internal error.";
    /// A configuration value is missing, out of range or inconsistent.
    ConfigInvalid = 6, "config_invalid", Usage, 500, "Invalid configuration.";
    /// An unexpected internal failure.
    Internal = 7, "internal", Internal, 500, "Internal error.";
    /// An input is larger than the configured limit.
    InputTooLarge = 8, "input_too_large", Request, 431, "Request too large.";
    /// The operating system's random number generator failed.
    RandomUnavailable = 9, "random_unavailable", Internal, 500, "Internal error.";
    /// A JSON document (configuration, record) could not be parsed or has the wrong shape.
    JsonInvalid = 10, "json_invalid", Usage, 500, "Invalid JSON.";
    /// The shared store (replay nonces, revocations) could not be reached or is full; the
    /// request is refused rather than let through.
    StoreUnavailable = 11, "store_unavailable", Internal, 503, "Service temporarily unavailable.";
    /// No credential for this method was found in the request.
    CredentialsMissing = 100, "credentials_missing", Request, 401, "Authentication required.";
    /// The request is malformed (method, target or a header is not valid HTTP).
    RequestInvalid = 101, "request_invalid", Request, 400, "Malformed request.";
    /// The `Authorization` header (or the configured credential header) is malformed.
    HeaderMalformed = 102, "header_malformed", Request, 400, "Malformed authorization header.";
    /// The credential appears more than once (repeated header or query parameter).
    CredentialsAmbiguous = 103, "credentials_ambiguous", Request, 400, "More than one credential was presented.";
    /// The credential is valid but lacks a scope the route requires.
    ScopeInsufficient = 104, "scope_insufficient", Request, 403, "Insufficient scope.";
    /// No route of the gate matches the request's method and path (a gate denies what it was
    /// not told to allow).
    RouteUnmatched = 105, "route_unmatched", Request, 403, "Access denied.";
    /// A rate limit of the route or of the principal is exhausted; retry after `Retry-After`.
    RateLimited = 106, "rate_limited", Request, 429, "Too many requests.";
    /// Too many failed attempts from this address or on this account; retry after
    /// `Retry-After`.
    LockedOut = 107, "locked_out", Request, 429, "Too many failed attempts. Try again later.";
    /// The API key does not have the `<prefix>_<random><checksum>` shape.
    ApiKeyMalformed = 200, "apikey_malformed", ApiKey, 401, "Invalid API key.";
    /// The API key's checksum is wrong: a typo or a made-up key.
    ApiKeyChecksumMismatch = 201, "apikey_checksum_mismatch", ApiKey, 401, "Invalid API key.";
    /// The API key carries another prefix than the keyring's.
    ApiKeyPrefixMismatch = 202, "apikey_prefix_mismatch", ApiKey, 401, "Invalid API key.";
    /// No record exists for this API key.
    ApiKeyUnknown = 203, "apikey_unknown", ApiKey, 401, "Invalid API key.";
    /// The API key was revoked.
    ApiKeyRevoked = 204, "apikey_revoked", ApiKey, 401, "The API key has been revoked.";
    /// The API key has expired.
    ApiKeyExpired = 205, "apikey_expired", ApiKey, 401, "The API key has expired.";
    /// The API key was rotated and its overlap window has ended.
    ApiKeyRotated = 206, "apikey_rotated", ApiKey, 401, "The API key has been replaced by a newer key.";
    /// The API key belongs to another environment (a test key against live, ...).
    ApiKeyEnvironmentMismatch = 207, "apikey_environment_mismatch", ApiKey, 401, "The API key is for another environment.";
    /// A stored record is malformed or does not belong to the presented key.
    ApiKeyRecordInvalid = 208, "apikey_record_invalid", ApiKey, 401, "Invalid API key.";
    /// The Basic credentials are not `user-id ":" password`.
    BasicMalformed = 300, "basic_malformed", Basic, 400, "Malformed Basic credentials.";
    /// The Basic credentials are not canonical padded base64.
    BasicBadBase64 = 301, "basic_bad_base64", Basic, 400, "Malformed Basic credentials.";
    /// The Basic user-id or password is not valid UTF-8.
    BasicInvalidUtf8 = 302, "basic_invalid_utf8", Basic, 400, "Malformed Basic credentials.";
    /// The Basic user-id or password contains a control character.
    BasicControlCharacter = 303, "basic_control_character", Basic, 400, "Malformed Basic credentials.";
    /// The Basic credentials exceed the size limits.
    BasicTooLong = 304, "basic_too_long", Basic, 400, "Basic credentials too long.";
    /// Unknown user or wrong password (one code for both, so the code reveals no user names).
    BasicInvalidCredentials = 305, "basic_invalid_credentials", Basic, 401, "Invalid user name or password.";
    /// The password hash uses a scheme portcullis cannot verify.
    BasicHashUnsupported = 306, "basic_hash_unsupported", Basic, 500, "Unsupported password hash.";
    /// The password hash uses a weak scheme and legacy schemes were not allowed.
    BasicHashWeak = 307, "basic_hash_weak", Basic, 500, "Weak password hash refused.";
    /// The password hash string is malformed.
    BasicHashMalformed = 308, "basic_hash_malformed", Basic, 500, "Malformed password hash.";
    /// An htpasswd line is malformed or names a user twice.
    BasicHtpasswdMalformed = 309, "basic_htpasswd_malformed", Basic, 500, "Malformed htpasswd file.";
    /// The token is not a compact JWS (three base64url segments with JSON header and claims),
    /// or its base64url is not canonical.
    JwtMalformed = 400, "jwt_malformed", Jwt, 401, "Invalid token.";
    /// The token (or its header) exceeds the configured size limit.
    JwtTooLarge = 401, "jwt_too_large", Jwt, 401, "Token too large.";
    /// The header or the claims name the same JSON member twice.
    JwtDuplicateMember = 402, "jwt_duplicate_member", Jwt, 401, "Invalid token.";
    /// The token's `alg` is `none` (in any spelling), unknown, outside the allow-list, or not
    /// the algorithm of the key it selects.
    JwtAlgorithmRefused = 403, "jwt_algorithm_refused", Jwt, 401, "Invalid token.";
    /// No key matches the token's `kid` (or no key at all for its `alg`).
    JwtKeyUnknown = 404, "jwt_key_unknown", Jwt, 401, "Invalid token.";
    /// The signature does not verify (altered, truncated, stripped, DER instead of `r || s`).
    JwtSignatureInvalid = 405, "jwt_signature_invalid", Jwt, 401, "Invalid token.";
    /// The header's `crit` is empty, malformed, names an absent header or an extension
    /// portcullis does not implement.
    JwtCritUnsupported = 406, "jwt_crit_unsupported", Jwt, 401, "Invalid token.";
    /// The header's `typ` is not the one the verifier requires.
    JwtTypeMismatch = 407, "jwt_type_mismatch", Jwt, 401, "Invalid token.";
    /// `exp` has passed, leeway included.
    JwtExpired = 408, "jwt_expired", Jwt, 401, "The token has expired.";
    /// `nbf` is still in the future, leeway included.
    JwtNotYetValid = 409, "jwt_not_yet_valid", Jwt, 401, "The token is not yet valid.";
    /// `iat` is in the future beyond the leeway.
    JwtIssuedInFuture = 410, "jwt_issued_in_future", Jwt, 401, "Invalid token.";
    /// The token was issued longer ago than the maximum age.
    JwtTooOld = 411, "jwt_too_old", Jwt, 401, "The token is too old.";
    /// `iss` is not one of the accepted issuers (exact, case-sensitive match).
    JwtIssuerMismatch = 412, "jwt_issuer_mismatch", Jwt, 401, "Invalid token.";
    /// No `aud` value is one of the accepted audiences.
    JwtAudienceMismatch = 413, "jwt_audience_mismatch", Jwt, 401, "Invalid token.";
    /// A required claim (`exp` by default, or one the configuration names) is absent.
    JwtClaimMissing = 414, "jwt_claim_missing", Jwt, 401, "Invalid token.";
    /// A claim has the wrong JSON type (`exp` as a string, `aud` as a number, ...).
    JwtClaimType = 415, "jwt_claim_type", Jwt, 401, "Invalid token.";
    /// The token's `jti` is on the revocation list.
    JwtRevoked = 416, "jwt_revoked", Jwt, 401, "The token has been revoked.";
    /// A JWT key is unusable: asymmetric material offered as an HMAC secret, a secret too short,
    /// a JWK of the wrong shape, a key that does not fit its algorithm.
    JwtKeyInvalid = 417, "jwt_key_invalid", Jwt, 500, "Invalid JWT key.";
    /// The token is certificate-bound (RFC 8705) and its `cnf` claim is absent, malformed or names
    /// another certificate than the client's, or the request carries no client certificate.
    JwtConfirmationMismatch = 418, "jwt_confirmation_mismatch", Jwt, 401, "Invalid token.";
    /// The token lives longer than the verifier's `max_lifetime_seconds`: `exp - iat`, or `exp`
    /// beyond now plus that lifetime (and the leeway).
    JwtLifetimeTooLong = 419, "jwt_lifetime_too_long", Jwt, 401, "Invalid token.";
    /// A remote JWKS could not be fetched (connection, TLS, timeout, HTTP status other than 200)
    /// and no usable key set is cached (none yet, or the last one is older than `max_stale`).
    JwtJwksUnavailable = 420, "jwt_jwks_unavailable", Jwt, 503, "Service temporarily unavailable.";
    /// A remote JWKS document is unusable (not JSON, no `keys` array, duplicate `kid`s, a
    /// malformed key, no usable signature key, larger than `max_bytes`) and no earlier set is
    /// cached.
    JwtJwksInvalid = 421, "jwt_jwks_invalid", Jwt, 503, "Service temporarily unavailable.";
    /// The OpenID Connect / RFC 8414 discovery document is unusable: not JSON, its `issuer` is
    /// not exactly the configured issuer, or its `jwks_uri` is missing or not allowed.
    JwtDiscoveryInvalid = 422, "jwt_discovery_invalid", Jwt, 503, "Service temporarily unavailable.";
    /// The request carries no client certificate (none from TLS, none from a trusted proxy).
    MtlsCertificateMissing = 500, "mtls_certificate_missing", Mtls, 401, "A client certificate is required.";
    /// A certificate of the chain is not valid DER X.509, or its identity fields cannot be read.
    MtlsCertificateMalformed = 501, "mtls_certificate_malformed", Mtls, 401, "Invalid client certificate.";
    /// No path from the certificate to a configured trust anchor (unknown issuer).
    MtlsUntrusted = 502, "mtls_untrusted", Mtls, 401, "Untrusted client certificate.";
    /// A certificate of the chain has expired at the request's time.
    MtlsExpired = 503, "mtls_expired", Mtls, 401, "The client certificate has expired.";
    /// A certificate of the chain is not yet valid at the request's time.
    MtlsNotYetValid = 504, "mtls_not_yet_valid", Mtls, 401, "The client certificate is not yet valid.";
    /// The certificate may not be used for TLS client authentication (extended key usage), or a
    /// CA certificate was presented as the client's.
    MtlsUsageInvalid = 505, "mtls_usage_invalid", Mtls, 401, "Invalid client certificate.";
    /// A certificate of the chain is on a configured CRL.
    MtlsRevoked = 506, "mtls_revoked", Mtls, 401, "The client certificate has been revoked.";
    /// CRLs are configured and none of them covers a certificate that must be checked.
    MtlsRevocationUnknown = 507, "mtls_revocation_unknown", Mtls, 401, "Invalid client certificate.";
    /// A name of the certificate is outside an issuing CA's name constraints.
    MtlsNameConstraintViolation = 508, "mtls_name_constraint_violation", Mtls, 401, "Invalid client certificate.";
    /// A signature of the chain does not verify, or uses an unsupported algorithm or key.
    MtlsSignatureInvalid = 509, "mtls_signature_invalid", Mtls, 401, "Invalid client certificate.";
    /// No acceptable path: too long, a path-length constraint violated, an unsupported critical
    /// extension or another chain-building failure.
    MtlsPathInvalid = 510, "mtls_path_invalid", Mtls, 401, "Invalid client certificate.";
    /// The certificate is valid but its identity is not accepted: a malformed SPIFFE ID, a trust
    /// domain outside the allow-list, no mapping rule matched, no usable subject.
    MtlsIdentityRefused = 511, "mtls_identity_refused", Mtls, 403, "The client certificate is not allowed.";
    /// Pinned fingerprints are configured and the certificate is not one of them.
    MtlsPinMismatch = 512, "mtls_pin_mismatch", Mtls, 403, "The client certificate is not allowed.";
    /// The forwarded client-certificate header came from an address that is not a trusted proxy.
    MtlsForwardedUntrusted = 513, "mtls_forwarded_untrusted", Mtls, 403, "Forwarded client certificate refused.";
    /// The forwarded client-certificate header is malformed, repeated or too large.
    MtlsForwardedMalformed = 514, "mtls_forwarded_malformed", Mtls, 400, "Malformed forwarded client certificate.";
    /// A CRL is unusable: not parseable when configured, or past its nextUpdate at the request's
    /// time (the operator must refresh it).
    MtlsCrlInvalid = 515, "mtls_crl_invalid", Mtls, 503, "Certificate revocation data is unavailable.";
    /// The client certificate's public key is refused by policy: RSA under 2048 bits, with an
    /// even exponent or the ROCA fingerprint, DSA, an elliptic curve other than P-256, P-384 or
    /// P-521, or a key type portcullis does not accept (Ed448, GOST, ...).
    MtlsKeyRefused = 516, "mtls_key_refused", Mtls, 401, "Invalid client certificate.";
    /// The request carries no signature for this scheme (header absent).
    SignatureMissing = 600, "signature_missing", Signature, 401, "Signature required.";
    /// A signature header, parameter, timestamp or id is malformed (bad encoding, upper-case
    /// hex, a `.` in a webhook id, a duplicated parameter, ...).
    SignatureMalformed = 601, "signature_malformed", Signature, 400, "Malformed signature.";
    /// No presented signature matches (wrong secret, altered message, truncated MAC).
    SignatureMismatch = 602, "signature_mismatch", Signature, 401, "Invalid signature.";
    /// The signature's timestamp is older than the tolerance, or its `expires` has passed.
    SignatureExpired = 603, "signature_expired", Signature, 401, "The signature has expired.";
    /// The signature's timestamp is further in the future than the tolerance.
    SignatureNotYetValid = 604, "signature_not_yet_valid", Signature, 401, "The signature is not yet valid.";
    /// The nonce or message id was seen before within the window.
    SignatureReplayed = 605, "signature_replayed", Signature, 401, "The request was already received.";
    /// The signature names a key id the verifier does not know.
    SignatureKeyUnknown = 606, "signature_key_unknown", Signature, 401, "Invalid signature.";
    /// The signature uses an algorithm that is unsupported or not allowed for its key
    /// (`sha1=`, `v2,`, an `alg` other than the key's).
    SignatureAlgorithmUnsupported = 607, "signature_algorithm_unsupported", Signature, 401, "Unsupported signature algorithm.";
    /// A component the policy requires is not covered by the signature, or absent from the
    /// message.
    SignatureComponentMissing = 608, "signature_component_missing", Signature, 401, "The signature does not cover the required parts of the request.";
    /// The verifier needs the raw body and the host did not supply it.
    SignatureBodyMissing = 609, "signature_body_missing", Signature, 400, "The request body is required to check its signature.";
    /// The body does not match its digest: altered, or re-serialised by a framework.
    SignatureDigestMismatch = 610, "signature_digest_mismatch", Signature, 401, "The request body does not match its signature.";
    /// A signing or verification secret is empty, too short or wrongly encoded.
    SignatureSecretInvalid = 611, "signature_secret_invalid", Usage, 500, "Invalid signing secret.";
    /// The authorization server says the token is not active (RFC 7662 `active: false`), or
    /// the introspected token has expired or is not yet valid.
    OAuthTokenInactive = 700, "oauth_token_inactive", OAuth, 401, "Invalid token.";
    /// The introspection endpoint could not be reached, timed out, redirected, answered with a
    /// status other than 200 or a body larger than `max_bytes`; the request is refused rather
    /// than let through.
    OAuthIntrospectionUnavailable = 701, "oauth_introspection_unavailable", OAuth, 503, "Service temporarily unavailable.";
    /// The introspection response is unusable: not JSON, the wrong content type, `active` not a
    /// boolean, a member of the wrong type, or an RFC 9701 JWT response that does not verify.
    OAuthIntrospectionInvalid = 702, "oauth_introspection_invalid", OAuth, 503, "Service temporarily unavailable.";
    /// The token's issuer is not on the resource server's allowlist (no key set is fetched for
    /// it), or an opaque token arrived and no issuer introspects tokens.
    OAuthIssuerUnknown = 703, "oauth_issuer_unknown", OAuth, 401, "Invalid token.";
    /// The token's binding does not hold: a DPoP-bound token (`cnf.jkt`) sent with the `Bearer`
    /// scheme, an unbound token sent with `DPoP`, a `cnf.jkt` that is not the thumbprint of the
    /// proof's key, or a token the configuration requires to be bound that is not.
    OAuthBindingMismatch = 704, "oauth_binding_mismatch", OAuth, 401, "Invalid token.";
    /// The request uses the `DPoP` scheme (or DPoP is required) and carries no `DPoP` proof
    /// header, or carries more than one.
    DpopProofMissing = 710, "dpop_proof_missing", OAuth, 401, "A DPoP proof is required.";
    /// The DPoP proof is malformed or does not verify: not a compact JWS, `typ` not
    /// `dpop+jwt`, an `alg` that is symmetric or not allowed, a `jwk` that is missing, private or
    /// unusable, a bad signature, a required claim missing or of the wrong type.
    DpopProofInvalid = 711, "dpop_proof_invalid", OAuth, 401, "Invalid DPoP proof.";
    /// The DPoP proof is for another request: `htm` is not the request's method, `htu` not its
    /// URI, or `ath` not the hash of the access token presented.
    DpopProofMismatch = 712, "dpop_proof_mismatch", OAuth, 401, "Invalid DPoP proof.";
    /// The DPoP proof's `iat` is outside the accepted window (too old, or in the future beyond
    /// the leeway).
    DpopProofStale = 713, "dpop_proof_stale", OAuth, 401, "Invalid DPoP proof.";
    /// The DPoP proof's `jti` was seen before within the window.
    DpopProofReplayed = 714, "dpop_proof_replayed", OAuth, 401, "Invalid DPoP proof.";
    /// The resource server requires a DPoP nonce and the proof carries none, or one that is not
    /// current: retry with the nonce from the `DPoP-Nonce` header.
    DpopNonceRequired = 715, "dpop_nonce_required", OAuth, 401, "A DPoP nonce is required.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failure: a code, a message safe to show to a client and a private detail for logs.
///
/// Neither the message nor the detail ever holds a secret (key, password, token, pepper).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    detail: Cow<'static, str>,
}

impl Error {
    /// A failure with a detail for logs; the public message comes from the code.
    pub fn new(code: ErrorCode, detail: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            detail: detail.into(),
        }
    }

    /// The failure's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// A message that is safe to show to the client.
    pub fn message(&self) -> &'static str {
        self.code.public_message()
    }

    /// What exactly went wrong, for the server's logs (never a secret).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.code.name(), self.detail)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.detail)
    }
}

impl std::error::Error for Error {}

/// The value of `all` whose name is `name` (exact match). Every algorithm and scheme a caller
/// names in an argument, in every surface, is read through this, so an unknown name is the same
/// `invalid_argument` with the same message everywhere. The name given is not repeated: it may
/// be a secret passed in the wrong argument.
pub(crate) fn parse_name<T: Copy>(
    name: &str,
    kind: &str,
    all: &[T],
    name_of: fn(T) -> &'static str,
) -> Result<T, Error> {
    all.iter()
        .copied()
        .find(|value| name_of(*value) == name)
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|value| name_of(*value)).collect();
            Error::new(
                ErrorCode::InvalidArgument,
                format!("unknown {kind}; expected one of: {}", known.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        let mut numbers = HashSet::new();
        let mut names = HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(numbers.insert(code.number()), "duplicate number {code}");
            assert!(names.insert(code.name()), "duplicate name {code}");
            assert_eq!(ErrorCode::from_number(code.number()), Some(code));
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
            assert!(code.number() != 0, "0 is reserved for success");
            assert!(code
                .name()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        }
        assert_eq!(ErrorCode::from_number(0), None);
        assert_eq!(ErrorCode::from_number(99_999), None);
        assert_eq!(ErrorCode::from_name("nope"), None);
    }

    #[test]
    fn every_code_is_documented() {
        for &code in ErrorCode::ALL {
            let doc = code.doc();
            assert!(!doc.trim().is_empty(), "{code} has no doc comment");
            assert!(
                !doc.starts_with(' ') && doc.ends_with('.'),
                "{code}: {doc:?}"
            );
        }
        assert_eq!(
            ErrorCode::StoreUnavailable.doc(),
            "The shared store (replay nonces, revocations) could not be reached or is full; the\n\
             request is refused rather than let through."
        );
    }

    #[test]
    fn unknown_names_are_one_invalid_argument() {
        let all = [ErrorCode::Panic, ErrorCode::Internal];
        assert_eq!(
            parse_name("internal", "code", &all, ErrorCode::name),
            Ok(ErrorCode::Internal)
        );
        let e = parse_name("hunter2-secret", "code", &all, ErrorCode::name).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.detail(), "unknown code; expected one of: panic, internal");
        assert!(parse_name("Internal", "code", &all, ErrorCode::name).is_err());
    }

    #[test]
    fn numbers_never_change() {
        // These numbers are part of the C ABI; this test pins a sample of them.
        assert_eq!(ErrorCode::NullPointer.number(), 2);
        assert_eq!(ErrorCode::Panic.number(), 5);
        assert_eq!(ErrorCode::CredentialsMissing.number(), 100);
        assert_eq!(ErrorCode::ApiKeyExpired.number(), 205);
        assert_eq!(ErrorCode::BasicInvalidCredentials.number(), 305);
    }
}
