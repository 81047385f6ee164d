//! portcullis: one API-authentication core for Rust, C, Python and Node.js services.
//!
//! Every verifier reads a [`Request`] and returns `Result<Principal, Denial>`: who the caller
//! is, or why the request is refused with the `WWW-Authenticate` challenge to send back.
//!
//! - [`apikey`]: GitHub-style API keys with checksums, peppered digests, rotation, revocation.
//! - [`basic`]: HTTP Basic (RFC 7617) against argon2id, bcrypt and SHA-crypt hashes.
//! - [`jwt`]: JWT bearer tokens (JWS compact, RFC 7515/7519/8725): sign, verify, JWK/JWKS.
//! - [`mtls`]: TLS client certificates: chains, SPIFFE identities, proxies, RFC 8705 binding.
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
pub mod decision;
pub mod digest;
pub mod error;
pub mod headers;
pub mod hmac;
pub mod httpsig;
pub mod jwt;
pub mod keys;
pub mod mtls;
pub mod request;
pub mod secret;
pub mod store;
pub mod webhook;

mod confirmation;
mod encoding;
mod http;

pub use decision::{AuthMethod, Challenge, Denial, Principal};
pub use error::{Category, Error, ErrorCode};
pub use request::{Request, RequestLimits};
pub use secret::SecretString;

/// The library version (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
