//! RFC 9421 HTTP Message Signatures: signing and verifying requests and responses.
//!
//! - [`HttpSigVerifier`]: a [`HttpSigConfig`] policy (required components, time window,
//!   nonces, tag, label) over a [`HttpSigKeyring`] of keys by `keyid`; returns a
//!   [`Principal`](crate::Principal) or a [`Denial`](crate::Denial) in the 600 range.
//! - [`HttpSigSigner`]: one key and its `keyid`; [`SignatureSpec`] says what to cover, and the
//!   result is the `Signature-Input` and `Signature` header values.
//! - [`signature_base_for_request`] / [`signature_base_for_response`]: the exact signature base
//!   (section 2.5) for a `Signature-Input` member, for debugging and test vectors.
//!
//! Algorithms (section 3.3): `hmac-sha256`, `ed25519`, `ecdsa-p256-sha256`,
//! `ecdsa-p384-sha384`, `rsa-pss-sha512`, `rsa-v1_5-sha256`. Every key is bound to one of them;
//! an `alg` parameter naming another is refused. No `WWW-Authenticate` challenge is attached to
//! denials (RFC 9421 defines none) and `Accept-Signature` negotiation is not implemented.
//! See docs/HTTPSIG.md.

mod base;
mod components;
mod keyring;
mod message;
mod parse;
mod sign;
mod verify;

pub use base::{signature_base_for_request, signature_base_for_response};
pub use components::SfType;
pub use keyring::{HttpSigKey, HttpSigKeyring, MIN_SIGNING_SECRET_LEN, MIN_VERIFY_SECRET_LEN};
pub use message::Response;
pub use sign::{HttpSigSigner, SignatureSpec, SignedHeaders};
pub use verify::{HttpSigConfig, HttpSigVerifier};

use crate::error::{Error, ErrorCode};
use crate::keys::KeyAlgorithm;

/// An RFC 9421 signature algorithm (HTTP Signature Algorithms registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpSigAlgorithm {
    /// `hmac-sha256`: HMAC with SHA-256 over a shared secret.
    HmacSha256,
    /// `ed25519`.
    Ed25519,
    /// `ecdsa-p256-sha256` (fixed-width `r || s`).
    EcdsaP256Sha256,
    /// `ecdsa-p384-sha384` (fixed-width `r || s`).
    EcdsaP384Sha384,
    /// `rsa-pss-sha512` (MGF1 SHA-512, 64-byte salt).
    RsaPssSha512,
    /// `rsa-v1_5-sha256`.
    RsaV15Sha256,
}

impl HttpSigAlgorithm {
    /// Every algorithm.
    pub const ALL: &'static [HttpSigAlgorithm] = &[
        HttpSigAlgorithm::HmacSha256,
        HttpSigAlgorithm::Ed25519,
        HttpSigAlgorithm::EcdsaP256Sha256,
        HttpSigAlgorithm::EcdsaP384Sha384,
        HttpSigAlgorithm::RsaPssSha512,
        HttpSigAlgorithm::RsaV15Sha256,
    ];

    /// The registered name (`rsa-pss-sha512`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            HttpSigAlgorithm::HmacSha256 => "hmac-sha256",
            HttpSigAlgorithm::Ed25519 => "ed25519",
            HttpSigAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            HttpSigAlgorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            HttpSigAlgorithm::RsaPssSha512 => "rsa-pss-sha512",
            HttpSigAlgorithm::RsaV15Sha256 => "rsa-v1_5-sha256",
        }
    }

    /// The algorithm a caller names (a key's or a signer's): anything else is
    /// `invalid_argument` (the one refusal of an unknown name in every surface).
    pub fn parse(name: &str) -> Result<Self, Error> {
        crate::error::parse_name(name, "signature algorithm", Self::ALL, Self::name)
    }

    /// The algorithm a signature's `alg` parameter names; anything else is
    /// `signature_algorithm_unsupported` (a refused request, not a caller's mistake).
    pub fn from_name(name: &str) -> Result<Self, Error> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::SignatureAlgorithmUnsupported,
                    format!("signature algorithm {name:?} is not supported"),
                )
            })
    }

    /// The asymmetric key algorithm behind it (`None` for HMAC).
    pub const fn key_algorithm(self) -> Option<KeyAlgorithm> {
        match self {
            HttpSigAlgorithm::HmacSha256 => None,
            HttpSigAlgorithm::Ed25519 => Some(KeyAlgorithm::Ed25519),
            HttpSigAlgorithm::EcdsaP256Sha256 => Some(KeyAlgorithm::EcdsaP256Sha256),
            HttpSigAlgorithm::EcdsaP384Sha384 => Some(KeyAlgorithm::EcdsaP384Sha384),
            HttpSigAlgorithm::RsaPssSha512 => Some(KeyAlgorithm::RsaPssSha512),
            HttpSigAlgorithm::RsaV15Sha256 => Some(KeyAlgorithm::RsaPkcs1Sha256),
        }
    }
}

impl std::fmt::Display for HttpSigAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests;
