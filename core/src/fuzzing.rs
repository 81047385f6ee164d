//! Crate-private parsers, re-exposed for the fuzz targets in `fuzz/targets` (feature
//! `fuzzing`, off by default; no surface enables it). Differential targets compare these with a
//! second implementation (serde_json, the claims reader, the base64 crate), and a parser reached
//! directly runs far more inputs a second than the same parser behind a verifier. Nothing here
//! holds logic of its own: each function hands its arguments to the crate's parser.

use serde_json::{Map, Value};

use crate::basic::BasicConfig;
use crate::error::Error;
use crate::jwt::{Algorithm, TokenClaims};
use crate::mtls::{ForwardedConfig, ForwardedFormat};

/// The strict JSON object reader of every JOSE document (duplicate members refused at any
/// depth); `what` names the document in errors.
pub fn parse_json_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, Error> {
    crate::jwt::json::parse_object(bytes, what)
}

/// The one-pass claims reader of `verify_token_claims`.
pub fn read_token_claims(payload: Vec<u8>) -> Result<TokenClaims, Error> {
    TokenClaims::read(payload)
}

/// One canonical base64url segment of a compact JWS.
pub fn jose_segment(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    crate::jwt::json::segment(text, what)
}

/// The members of a protected JOSE header the verifier reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoseHeader {
    /// `alg`.
    pub alg: Algorithm,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
}

/// The header checks of the verifier (`alg`, `crit`, `b64`, `kid`, `typ`) on a parsed header.
pub fn parse_jose_header(map: &Map<String, Value>) -> Result<JoseHeader, Error> {
    crate::jwt::header::parse(map).map(|h| JoseHeader {
        alg: h.alg,
        kid: h.kid,
        typ: h.typ,
    })
}

/// The certificates (DER, leaf first) of a forwarded client certificate header in `format`,
/// as the mTLS verifier reads it from a trusted proxy.
pub fn parse_forwarded_certificates(
    format: ForwardedFormat,
    value: &[u8],
) -> Result<Vec<Vec<u8>>, Error> {
    let config = ForwardedConfig {
        format,
        trusted_proxies: vec!["127.0.0.1/32".into()],
        ..ForwardedConfig::default()
    };
    crate::mtls::forwarded::Forwarded::new(&config)?.parse(value)
}

/// The users of a Basic configuration (its `users` map and htpasswd text), each hash parsed,
/// without the dummy hash [`BasicAuth::new`](crate::basic::BasicAuth::new) computes: the
/// number of users.
pub fn load_basic_users(config: &BasicConfig) -> Result<usize, Error> {
    crate::basic::load_users(config).map(|users| users.len())
}
