//! portcullis request signing (PCS1): the HMAC scheme for service-to-service calls.
//!
//! A client signs a canonical form of the request (method, normalised path and query, chosen
//! headers including the RFC 9530 `Content-Digest` of the body, a timestamp, a nonce and the key
//! id) with HMAC-SHA256 or HMAC-SHA512 and sends it as
//! `Authorization: PCS1-HMAC-SHA256 keyid="...", ts=..., nonce="...", headers="...", sig="..."`.
//! The full specification, precise enough for a third-party implementation, is docs/SIGNING.md.
//!
//! - [`sign_request`] with a [`SigningKey`] returns the headers to add ([`SignedHeaders`]).
//! - [`HmacVerifier`] checks them: key lookup (several secrets per key id for rotation),
//!   algorithm bound to the key, clock window, required headers, body digest, MAC in constant
//!   time, then the nonce against a [`ReplayStore`](crate::store::ReplayStore).
//!
//! ```
//! use portcullis::hmac::{sign_request, Algorithm, HmacConfig, HmacVerifier, SignOptions,
//!     SigningKey, VerifyingKey};
//! use portcullis::Request;
//!
//! let secret = [7u8; 32];
//! let key = SigningKey::new("svc-a", Algorithm::HmacSha256, &secret).unwrap();
//! let mut request = Request::new("POST", "/orders?b=2&a=1").unwrap()
//!     .header("Host", "api.example").unwrap().at(1_750_000_000);
//! request.set_body(b"{\"sku\":1}".to_vec()).unwrap();
//! let signed = sign_request(&request, &key, &SignOptions::default()).unwrap();
//! signed.apply(&mut request).unwrap();
//!
//! let verifier = HmacVerifier::new(HmacConfig::default()).unwrap();
//! verifier.insert_key(VerifyingKey::new("svc-a", Algorithm::HmacSha256, &secret).unwrap());
//! let principal = verifier.verify(&request).unwrap();
//! assert_eq!(principal.subject, "svc-a");
//! assert_eq!(verifier.verify(&request).unwrap_err().code().name(), "signature_replayed");
//! ```

mod canonical;
mod params;
mod verify;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::digest;
use crate::error::{Error, ErrorCode};
use crate::headers;
use crate::request::Request;

pub use canonical::canonical_request;
pub use params::{
    SignatureParams, MAX_KEY_ID_LEN, MAX_NONCE_LEN, MAX_SIGNED_HEADERS, MIN_NONCE_LEN,
};
pub use verify::{
    HmacConfig, HmacKeyConfig, HmacVerifier, VerifyingKey, MAX_SECRETS_PER_KEY, MAX_WINDOW_SECONDS,
};

/// Shortest secret accepted for signing and verifying, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// The auth-scheme prefix shared by every PCS1 HMAC algorithm.
pub const SCHEME_PREFIX: &str = "PCS1-HMAC-";

/// A PCS1 MAC algorithm. Each key is bound to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Pcs1Algorithm")]
pub enum Algorithm {
    /// HMAC-SHA256 (RFC 2104, FIPS 180-4): scheme `PCS1-HMAC-SHA256`, 32-byte MAC.
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// HMAC-SHA512: scheme `PCS1-HMAC-SHA512`, 64-byte MAC.
    #[serde(rename = "hmac-sha512")]
    HmacSha512,
}

impl Algorithm {
    /// The configuration name (`hmac-sha256`, `hmac-sha512`).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    /// Every algorithm.
    pub const ALL: &'static [Algorithm] = &[Algorithm::HmacSha256, Algorithm::HmacSha512];

    /// The algorithm with this configuration name.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The algorithm a caller names: anything else is `invalid_argument` (the one refusal of an
    /// unknown name in every surface).
    pub fn parse(name: &str) -> Result<Algorithm, Error> {
        crate::error::parse_name(name, "HMAC algorithm", Self::ALL, Self::name)
    }

    /// The auth-scheme and first line of the canonical request (`PCS1-HMAC-SHA256`).
    pub const fn scheme(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "PCS1-HMAC-SHA256",
            Algorithm::HmacSha512 => "PCS1-HMAC-SHA512",
        }
    }

    /// The algorithm an auth-scheme names (case-insensitive, RFC 9110 11.1). Another scheme is
    /// `signature_missing`; `PCS1-HMAC-` with another hash is `signature_algorithm_unsupported`.
    pub fn from_scheme(scheme: &str) -> Result<Algorithm, Error> {
        for algorithm in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
            if scheme.eq_ignore_ascii_case(algorithm.scheme()) {
                return Ok(algorithm);
            }
        }
        let prefix = scheme.get(..SCHEME_PREFIX.len());
        if prefix.is_some_and(|p| p.eq_ignore_ascii_case(SCHEME_PREFIX)) {
            return Err(Error::new(
                ErrorCode::SignatureAlgorithmUnsupported,
                "PCS1 scheme with an unsupported hash",
            ));
        }
        Err(Error::new(
            ErrorCode::SignatureMissing,
            "no PCS1-HMAC Authorization header",
        ))
    }

    /// The MAC length in bytes.
    pub const fn mac_len(self) -> usize {
        match self {
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha512 => 64,
        }
    }
}

/// HMAC of `data` under `key` (any key length: this is the bare RFC 2104 primitive; the
/// 32-byte minimum applies to [`SigningKey`] and [`VerifyingKey`]).
pub fn mac(algorithm: Algorithm, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    let rejected = |_| Error::new(ErrorCode::Internal, "HMAC rejected the key");
    Ok(match algorithm {
        Algorithm::HmacSha256 => {
            let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(rejected)?;
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Algorithm::HmacSha512 => {
            let mut m = <Hmac<Sha512> as KeyInit>::new_from_slice(key).map_err(rejected)?;
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
    })
}

/// True when `tag` is the full HMAC of `data` under `key`, compared in constant time. A
/// truncated tag never matches.
pub fn verify_mac(algorithm: Algorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    match mac(algorithm, key, data) {
        Ok(expected) => expected.len() == tag.len() && bool::from(expected.ct_eq(tag)),
        Err(_) => false,
    }
}

/// Refuses secrets shorter than [`MIN_SECRET_LEN`].
pub(crate) fn check_secret(secret: &[u8]) -> Result<(), Error> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(Error::new(
            ErrorCode::SignatureSecretInvalid,
            format!(
                "HMAC secrets must be at least {MIN_SECRET_LEN} bytes, got {}",
                secret.len()
            ),
        ));
    }
    Ok(())
}

/// Decodes a standard padded base64 secret and checks its length.
pub(crate) fn decode_secret(secret_b64: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let secret = base64::engine::general_purpose::STANDARD
        .decode(secret_b64.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| {
            Error::new(
                ErrorCode::SignatureSecretInvalid,
                "secret is not canonical padded base64",
            )
        })?;
    check_secret(&secret)?;
    Ok(secret)
}

/// A key that signs requests: key id, algorithm and secret (wiped on drop, never printed).
#[derive(Clone)]
pub struct SigningKey {
    key_id: String,
    algorithm: Algorithm,
    secret: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A signing key. The key id must match `[A-Za-z0-9._~+/=:@-]{1,128}` (`invalid_argument`);
    /// the secret must be at least 32 bytes (`signature_secret_invalid`).
    pub fn new(key_id: &str, algorithm: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        if !params::is_key_id(key_id) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "key id is not 1-128 of [A-Za-z0-9._~+/=:@-]",
            ));
        }
        check_secret(secret)?;
        Ok(SigningKey {
            key_id: key_id.to_owned(),
            algorithm,
            secret: Zeroizing::new(secret.to_vec()),
        })
    }

    /// A signing key whose secret is given as standard padded base64.
    pub fn from_base64(
        key_id: &str,
        algorithm: Algorithm,
        secret_b64: &str,
    ) -> Result<Self, Error> {
        let secret = decode_secret(secret_b64)?;
        Self::new(key_id, algorithm, &secret)
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// How to sign one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignOptions {
    /// Headers to sign (case-insensitive; signed lower-case in this order). `content-digest` is
    /// appended when the body is non-empty and it is not listed. Default: `["host"]`.
    pub headers: Vec<String>,
    /// Signing time, Unix seconds; defaults to the request's time.
    pub now: Option<i64>,
    /// The nonce (22-128 unpadded base64url characters); defaults to 16 random bytes.
    pub nonce: Option<String>,
    /// The `Content-Digest` algorithm used when the signer computes the digest.
    pub digest: digest::Algorithm,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            headers: vec!["host".into()],
            now: None,
            nonce: None,
            digest: digest::Algorithm::Sha256,
        }
    }
}

impl SignOptions {
    /// Parses the JSON form of the options (missing fields take their defaults).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "signing options")
    }
}

/// The header values a signed request must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The `Authorization` value.
    pub authorization: String,
    /// The `Content-Digest` value, when the signer computed it (the request had a non-empty body
    /// and no `Content-Digest` header yet).
    pub content_digest: Option<String>,
}

impl SignedHeaders {
    /// The headers to add as (name, value) pairs: `Authorization`, then `Content-Digest` when
    /// the signer computed one.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![(headers::AUTHORIZATION, self.authorization.as_str())];
        if let Some(d) = &self.content_digest {
            out.push((headers::CONTENT_DIGEST, d.as_str()));
        }
        out
    }

    /// Adds the headers to `request`; refused (`invalid_argument`) when it already carries an
    /// `Authorization` header.
    pub fn apply(&self, request: &mut Request) -> Result<(), Error> {
        if request.header_values("authorization").next().is_some() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the request already has an Authorization header",
            ));
        }
        for (name, value) in self.pairs() {
            request.add_header(name, value.as_bytes())?;
        }
        Ok(())
    }
}

/// A fresh nonce: 16 random bytes as unpadded base64url (22 characters).
pub fn generate_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "OS random source failed"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Signs `request` with `key`: returns the `Authorization` value and, for a non-empty body
/// without a `Content-Digest` header, the digest to add (see [`SignedHeaders::apply`]).
///
/// Errors: `invalid_argument` (bad header name, repeated header, `authorization` listed, bad
/// nonce, negative time), `signature_component_missing` (a listed header is absent),
/// `signature_digest_mismatch` (the request's own `Content-Digest` does not match its body),
/// `request_invalid` (path not canonicalisable), `random_unavailable`.
pub fn sign_request(
    request: &Request,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<SignedHeaders, Error> {
    let invalid = |what: &'static str| Err(Error::new(ErrorCode::InvalidArgument, what));
    let mut headers: Vec<String> = Vec::with_capacity(options.headers.len() + 1);
    for name in &options.headers {
        let name = name.to_ascii_lowercase();
        if !params::is_signable_header(&name) {
            return invalid("a header to sign is not a token, or is authorization");
        }
        if headers.contains(&name) {
            return invalid("a header to sign is listed twice");
        }
        headers.push(name);
    }
    let body = request.body().filter(|b| !b.is_empty());
    let existing_digest: Vec<&[u8]> = request.header_values("content-digest").collect();
    let mut content_digest = None;
    if let Some(body) = body {
        if existing_digest.is_empty() {
            content_digest = Some(digest::content_digest(body, options.digest));
        } else {
            digest::verify_content_digest(&existing_digest.join(&b","[..]), Some(body))?;
        }
        if !headers.iter().any(|h| h == "content-digest") {
            headers.push("content-digest".into());
        }
    }
    if headers.len() > MAX_SIGNED_HEADERS {
        return invalid("too many headers to sign");
    }
    let timestamp = options.now.unwrap_or_else(|| request.now());
    if !(0..=999_999_999_999_999).contains(&timestamp) {
        return invalid("signing time must be 0 to 15 digits of Unix seconds");
    }
    let nonce = match &options.nonce {
        Some(n) if params::is_nonce(n) => n.clone(),
        Some(_) => return invalid("nonce is not 22-128 characters of unpadded base64url"),
        None => generate_nonce()?,
    };
    let mut params = SignatureParams {
        algorithm: key.algorithm,
        key_id: key.key_id.clone(),
        timestamp,
        nonce,
        headers,
        signature: Vec::new(),
    };
    let extra = content_digest
        .as_deref()
        .map(|d| ("content-digest", d.as_bytes()));
    let canonical = canonical::build(request, &params, extra)?;
    params.signature = mac(key.algorithm, &key.secret, &canonical)?;
    Ok(SignedHeaders {
        authorization: params.header_value(),
        content_digest,
    })
}

#[cfg(test)]
mod tests;
