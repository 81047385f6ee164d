//! JWT bearer tokens (RFC 7519) in JWS compact form (RFC 7515): signing and verification with
//! HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA (Ed25519), all on
//! aws-lc-rs, following the RFC 8725 best current practices.
//!
//! - [`JwtKey`]: one key bound to exactly one [`Algorithm`], parsed once (from a secret, PEM,
//!   DER or JWK, or generated). [`JwtKeySet`] holds keys (from a JWKS) and is the in-memory
//!   [`KeySource`]; [`JwksClient`] (module [`remote`]) fetches and caches a remote JWKS, found
//!   by URL or by OpenID / RFC 8414 discovery, and is another `KeySource`.
//! - [`JwtVerifier`]: built from a [`JwtConfig`] (the same JSON schema in every language) and a
//!   key source; returns a [`Principal`](crate::Principal) or a [`Denial`](crate::Denial) with
//!   the RFC 6750 `Bearer` challenge.
//! - [`encode`]: signs claims with a private key or a secret.
//!
//! Security choices (see docs/JWT.md): `alg: none` is refused in every spelling; the token's
//! `alg` must be the algorithm of the key its `kid` selects; header `jwk`, `jku`, `x5u` and
//! `x5c` are never used to find a key; any `crit` is refused (no extension is implemented);
//! duplicate JSON members, non-canonical base64url and claims of the wrong JSON type are
//! refused; `exp` is required by default; leeway is capped at 300 seconds.

mod cache;
mod claims;
pub(crate) mod header;
pub(crate) mod json;
mod keyset;
pub mod remote;
mod sign;
mod token_claims;
mod verify;

use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};
use crate::keys::KeyAlgorithm;

pub use crate::keys::jwk::Jwk;
pub use keyset::{thumbprint, thumbprint_json, JwtKey, JwtKeySet, KeySource};
pub use remote::{JwksClient, JwksConfig, JwksStatus};
pub use sign::{encode, HeaderOptions};
pub use token_claims::{ClaimRef, ClaimsIter, TokenClaims};
pub use verify::{JwtVerifier, VerifiedJws, VerifiedToken};

/// The largest leeway a configuration may ask for, in seconds.
pub const MAX_LEEWAY_SECONDS: u64 = 300;
/// The largest token size limit a configuration may ask for, in bytes.
pub const MAX_TOKEN_BYTES: usize = 1024 * 1024;
/// The longest header segment accepted (base64url characters), whatever the token limit.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The most keys tried for one token without `kid`.
pub const MAX_CANDIDATE_KEYS: usize = 8;
/// The largest verified-token cache a configuration may ask for.
pub const MAX_CACHE_SIZE: usize = 1_000_000;
/// The latest NumericDate accepted: 9999-12-31T23:59:59Z. Later dates (and dates before 1970)
/// are `jwt_claim_type`: no real token carries them, and refusing them keeps every date
/// representable and every sum of dates in range.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;
/// The default `max_lifetime_seconds`: 24 hours.
pub const DEFAULT_MAX_LIFETIME_SECONDS: u64 = 24 * 60 * 60;

/// A JWS signature algorithm (RFC 7518 section 3, RFC 8037). `none` is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "JwsAlgorithm")]
pub enum Algorithm {
    /// HMAC with SHA-256.
    #[serde(rename = "HS256")]
    Hs256,
    /// HMAC with SHA-384.
    #[serde(rename = "HS384")]
    Hs384,
    /// HMAC with SHA-512.
    #[serde(rename = "HS512")]
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[serde(rename = "RS256")]
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    #[serde(rename = "RS384")]
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    #[serde(rename = "RS512")]
    Rs512,
    /// RSASSA-PSS with SHA-256.
    #[serde(rename = "PS256")]
    Ps256,
    /// RSASSA-PSS with SHA-384.
    #[serde(rename = "PS384")]
    Ps384,
    /// RSASSA-PSS with SHA-512.
    #[serde(rename = "PS512")]
    Ps512,
    /// ECDSA P-256 with SHA-256 (`r || s`, 64 bytes).
    #[serde(rename = "ES256")]
    Es256,
    /// ECDSA P-384 with SHA-384 (96 bytes).
    #[serde(rename = "ES384")]
    Es384,
    /// ECDSA P-521 with SHA-512 (132 bytes).
    #[serde(rename = "ES512")]
    Es512,
    /// EdDSA with Ed25519.
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::Hs256,
        Algorithm::Hs384,
        Algorithm::Hs512,
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::EdDsa,
    ];

    /// The JOSE name (`HS256`, `EdDSA`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::Hs512 => "HS512",
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Es512 => "ES512",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// The algorithm with this exact (case-sensitive, RFC 7515 4.1.1) name.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The algorithm a caller names (exact, case-sensitive): an unknown name (`none`
    /// included) is `invalid_argument`. Every surface parses algorithm names through this.
    pub fn parse(name: &str) -> Result<Algorithm, Error> {
        crate::error::parse_name(name, "JWT algorithm", Self::ALL, Self::name)
    }

    /// True for HS256/384/512.
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
    }

    /// The asymmetric key algorithm, `None` for HMAC.
    pub const fn key_algorithm(self) -> Option<KeyAlgorithm> {
        Some(match self {
            Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512 => return None,
            Algorithm::Rs256 => KeyAlgorithm::RsaPkcs1Sha256,
            Algorithm::Rs384 => KeyAlgorithm::RsaPkcs1Sha384,
            Algorithm::Rs512 => KeyAlgorithm::RsaPkcs1Sha512,
            Algorithm::Ps256 => KeyAlgorithm::RsaPssSha256,
            Algorithm::Ps384 => KeyAlgorithm::RsaPssSha384,
            Algorithm::Ps512 => KeyAlgorithm::RsaPssSha512,
            Algorithm::Es256 => KeyAlgorithm::EcdsaP256Sha256,
            Algorithm::Es384 => KeyAlgorithm::EcdsaP384Sha384,
            Algorithm::Es512 => KeyAlgorithm::EcdsaP521Sha512,
            Algorithm::EdDsa => KeyAlgorithm::Ed25519,
        })
    }

    pub(crate) fn hmac(self) -> Option<(hmac::Algorithm, usize)> {
        match self {
            Algorithm::Hs256 => Some((hmac::HMAC_SHA256, 32)),
            Algorithm::Hs384 => Some((hmac::HMAC_SHA384, 48)),
            Algorithm::Hs512 => Some((hmac::HMAC_SHA512, 64)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a [`JwtVerifier`] accepts. The same JSON schema in every language; missing fields take
/// their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct JwtConfig {
    /// Accepted `iss` values (exact, case-sensitive). Empty: `iss` is not checked.
    pub issuers: Vec<String>,
    /// Accepted audiences: the token's `aud` (a string or an array) must hold one of them.
    /// Empty: a token that carries `aud` is refused (RFC 7519 4.1.3).
    pub audiences: Vec<String>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (at most 300).
    pub leeway_seconds: u64,
    /// Refuse tokens whose `iat` is older than this many seconds (`iat` becomes required).
    pub max_age_seconds: Option<u64>,
    /// Claims that must be present (any JSON type but null), e.g. `sub`, `jti`.
    pub required_claims: Vec<String>,
    /// Required header `typ` (e.g. `at+jwt`), compared case-insensitively with an optional
    /// `application/` prefix. `None`: `typ` is not checked.
    pub typ: Option<String>,
    /// Algorithms accepted at all; empty means every algorithm (each key still accepts only
    /// its own).
    pub algorithms: Vec<Algorithm>,
    /// Require `exp` (default true).
    pub require_exp: bool,
    /// Largest token accepted, in bytes (default 16 KiB).
    pub max_token_bytes: usize,
    /// Verified tokens kept in memory (keyed by SHA-256 of the token, never past `exp`);
    /// 0 turns the cache off.
    pub cache_size: usize,
    /// The realm named in the `WWW-Authenticate` challenge.
    pub realm: String,
    /// RFC 8705: the token must carry `cnf.x5t#S256` equal to the thumbprint of the request's
    /// client certificate (default false). Only [`JwtVerifier::verify`] can check it;
    /// `verify_token` refuses every token when it is set.
    pub require_certificate_binding: bool,
    /// The longest lifetime a token may claim, in seconds (default 24 hours): `exp - iat` may
    /// not exceed it, nor may `exp` lie further than this (plus the leeway) after now.
    /// `None` (JSON `null`) turns the check off.
    pub max_lifetime_seconds: Option<u64>,
    /// Accept a key set that holds HMAC secrets and asymmetric keys together (default false:
    /// the verifier refuses to build, and to verify once a later insertion mixes them,
    /// with `config_invalid`). Keys stay bound to their algorithms either way; the default
    /// catches a shared secret slipped in beside an issuer's public keys, which would let
    /// anyone holding the secret mint tokens the issuer never signed.
    pub allow_mixed_key_types: bool,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway_seconds: 60,
            max_age_seconds: None,
            required_claims: Vec::new(),
            typ: None,
            algorithms: Vec::new(),
            require_exp: true,
            max_token_bytes: 16 * 1024,
            cache_size: 0,
            realm: "api".into(),
            require_certificate_binding: false,
            max_lifetime_seconds: Some(DEFAULT_MAX_LIFETIME_SECONDS),
            allow_mixed_key_types: false,
        }
    }
}

impl JwtConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "JWT config")
    }

    /// Checks ranges: leeway, token size, cache size, non-empty names.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        if self.leeway_seconds > MAX_LEEWAY_SECONDS {
            return invalid(format!("leeway_seconds is capped at {MAX_LEEWAY_SECONDS}"));
        }
        if self.max_token_bytes == 0 || self.max_token_bytes > MAX_TOKEN_BYTES {
            return invalid(format!("max_token_bytes must be 1..={MAX_TOKEN_BYTES}"));
        }
        if self.cache_size > MAX_CACHE_SIZE {
            return invalid(format!("cache_size is capped at {MAX_CACHE_SIZE}"));
        }
        if self.max_age_seconds.is_some_and(|a| a > i64::MAX as u64) {
            return invalid("max_age_seconds is out of range".into());
        }
        if self
            .max_lifetime_seconds
            .is_some_and(|l| l == 0 || l > MAX_NUMERIC_DATE as u64)
        {
            return invalid(format!(
                "max_lifetime_seconds must be 1..={MAX_NUMERIC_DATE}, or null to turn the check off"
            ));
        }
        let empty = |v: &[String]| v.iter().any(String::is_empty);
        if empty(&self.issuers) || empty(&self.audiences) || empty(&self.required_claims) {
            return invalid(
                "issuers, audiences and required_claims cannot hold empty names".into(),
            );
        }
        if self.typ.as_deref() == Some("") {
            return invalid("typ cannot be empty".into());
        }
        Ok(())
    }
}

/// `typ` values compared as RFC 7515 4.1.9 says: case-insensitively, `application/` optional
/// when the rest holds no `/`.
pub(crate) fn typ_matches(want: &str, have: &str) -> bool {
    fn norm(t: &str) -> String {
        let lower = t.to_ascii_lowercase();
        match lower.strip_prefix("application/") {
            Some(rest) if !rest.contains('/') => rest.to_owned(),
            _ => lower,
        }
    }
    norm(want) == norm(have)
}

#[cfg(test)]
mod tests;
