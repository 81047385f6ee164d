//! portcullis: one API-authentication core for Rust, C, Python and Node.js services.
//!
//! Every verifier reads a [`Request`] and returns `Result<Principal, Denial>`: who the caller
//! is, or why the request is refused with the `WWW-Authenticate` challenge to send back.
//!
//! The methods:
//! - [`apikey`]: GitHub-style API keys with checksums, peppered digests, rotation, revocation.
//! - [`basic`]: HTTP Basic (RFC 7617) against argon2id, bcrypt and SHA-crypt hashes.
//! - [`jwt`]: JWT bearer tokens (JWS compact, RFC 7515/7519/8725): sign, verify, JWK/JWKS,
//!   remote key sets with OpenID Connect / RFC 8414 discovery.
//! - [`mtls`]: TLS client certificates: chains, SPIFFE identities, proxies, RFC 8705 binding,
//!   rustls configurations, a development CA.
//! - [`webhook`]: signed webhooks (Standard Webhooks, Stripe, GitHub, Slack): verify and sign.
//! - [`hmac`]: PCS1 request signatures (docs/SIGNING.md): verify and sign.
//! - [`oauth2`]: the OAuth 2.0 resource server: RFC 9068 access tokens from several issuers,
//!   RFC 7662 introspection, DPoP (RFC 9449) and certificate-bound (RFC 8705) tokens.
//! - [`httpsig`]: RFC 9421 HTTP Message Signatures on requests and responses.
//!
//! What they share:
//! - [`request`] ([`Request`], [`RequestLimits`]): the request view, validated once, and the
//!   Bearer token every bearer method reads; [`decision`] ([`Principal`], [`Denial`],
//!   [`Challenge`]): what a check returns; [`error`] ([`ErrorCode`]): the one registry of
//!   failure reasons.
//! - [`digest`]: RFC 9530 `Content-Digest`; [`keys`]: asymmetric keys on aws-lc-rs;
//!   [`store`]: replay nonces and revocations; [`secret`]: redacted secret strings;
//!   [`headers`]: the header names a signer returns.
//! - Inside the crate: `http` (the HTTP client remote documents and introspection go through),
//!   `confirmation` (RFC 8705 certificate binding, between `jwt` and `mtls`), `encoding`.
//!
//! ```
//! use portcullis::{apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing}, Request};
//!
//! let ring = ApiKeyRing::new(&[7u8; 32], ApiKeyConfig::default()).unwrap();
//! let issued = ring.generate(&ApiKeyOptions { scopes: vec!["read".into()], ..Default::default() }).unwrap();
//! ring.insert(issued.record.clone()).unwrap();
//!
//! let request = Request::new("GET", "/orders").unwrap()
//!     .header("Authorization", format!("Bearer {}", issued.key.expose())).unwrap();
//! let principal = ring.verify(&request, &["read"]).unwrap();
//! assert_eq!(principal.credential_id.as_deref(), Some(issued.record.key_id.as_str()));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod apikey;
pub mod basic;
pub mod config;
pub mod decision;
pub mod digest;
pub mod error;
#[doc(hidden)]
pub mod fault;
pub mod gate;
pub mod headers;
pub mod hmac;
pub mod httpsig;
pub mod jwt;
pub mod keys;
pub mod mtls;
pub mod oauth2;
pub mod request;
pub mod secret;
pub mod store;
pub mod verifier;
pub mod webhook;

mod confirmation;
mod encoding;
mod http;

/// Crate-private parsers re-exposed for the fuzz targets (feature `fuzzing`, off by default).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use decision::{AuthMethod, Challenge, Denial, Principal};
pub use error::{Category, Error, ErrorCode};
pub use request::{Request, RequestLimits};
pub use secret::SecretString;

/// The library version (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
