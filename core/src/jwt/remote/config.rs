//! The JSON configuration of a [`JwksClient`](super::JwksClient).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::discovery::{self, Discovery};
use crate::error::{Error, ErrorCode};
use crate::http::check_url;
use crate::jwt::Algorithm;

/// The longest TTL and the longest stale period a configuration may ask for (30 days).
pub const MAX_TTL_SECONDS: u64 = 30 * 24 * 3600;
/// The longest kid-miss cooldown a configuration may ask for (one hour).
pub const MAX_COOLDOWN_SECONDS: u64 = 3600;
/// The longest total or connect timeout a configuration may ask for (60 s).
pub const MAX_TIMEOUT_MS: u64 = 60_000;
/// The largest response a configuration may allow (4 MiB).
pub const MAX_JWKS_BYTES: usize = 4 * 1024 * 1024;

/// Where and how a [`JwksClient`] fetches keys. The same JSON schema in every language;
/// missing fields take their defaults. Exactly one of `url` and `issuer` is set.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct JwksConfig {
    /// The JWKS URL: `https://`, or `http://` to localhost / a loopback address only.
    pub url: Option<String>,
    /// An issuer whose discovery document names the JWKS URL (instead of `url`).
    pub issuer: Option<String>,
    /// Which discovery document: `openid-configuration` (default) or
    /// `oauth-authorization-server` (RFC 8414).
    pub discovery: Discovery,
    /// Shortest time a set is fresh, whatever the server says (default 300).
    pub min_ttl_seconds: u64,
    /// Longest time a set is fresh, whatever the server says (default 86400).
    pub max_ttl_seconds: u64,
    /// Freshness when the response has no usable `Cache-Control` (default 600).
    pub default_ttl_seconds: u64,
    /// Least time between a fetch and a refetch for an unknown `kid`, and before retrying a
    /// failed fetch (default 30).
    pub kid_miss_cooldown_seconds: u64,
    /// How long after it expired the last good set is still served while fetches fail
    /// (default 86400; 0 fails closed at expiry).
    pub max_stale_seconds: u64,
    /// Total time for one request, body included, in milliseconds (default 5000).
    pub timeout_ms: u64,
    /// Time to connect (TCP and TLS), in milliseconds (default 2000).
    pub connect_timeout_ms: u64,
    /// Largest response body accepted, in bytes (default 512 KiB, at most 4 MiB).
    pub max_bytes: usize,
    /// PEM root certificates that replace the built-in Mozilla roots (private PKI).
    pub ca_pem: Option<String>,
    /// Algorithms accepted; keys for others are skipped. Empty: every asymmetric algorithm.
    /// An RSA key published without `alg` verifies with every RSA algorithm listed here (one
    /// key per algorithm); with none listed, with RS256 only.
    pub algorithms: Vec<Algorithm>,
    /// Skip keys without `kid`, and refuse tokens without `kid` (default false).
    pub require_kid: bool,
}

impl Default for JwksConfig {
    fn default() -> Self {
        JwksConfig {
            url: None,
            issuer: None,
            discovery: Discovery::default(),
            min_ttl_seconds: 300,
            max_ttl_seconds: 86_400,
            default_ttl_seconds: 600,
            kid_miss_cooldown_seconds: 30,
            max_stale_seconds: 86_400,
            timeout_ms: 5_000,
            connect_timeout_ms: 2_000,
            max_bytes: 512 * 1024,
            ca_pem: None,
            algorithms: Vec::new(),
            require_kid: false,
        }
    }
}

impl fmt::Debug for JwksConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL's query may carry a secret: only scheme, host and path are shown.
        let url = self
            .url
            .as_deref()
            .map(|u| u.split('?').next().unwrap_or(""));
        f.debug_struct("JwksConfig")
            .field("url", &url)
            .field("issuer", &self.issuer)
            .field("discovery", &self.discovery)
            .field("min_ttl_seconds", &self.min_ttl_seconds)
            .field("max_ttl_seconds", &self.max_ttl_seconds)
            .field("default_ttl_seconds", &self.default_ttl_seconds)
            .field("kid_miss_cooldown_seconds", &self.kid_miss_cooldown_seconds)
            .field("max_stale_seconds", &self.max_stale_seconds)
            .field("timeout_ms", &self.timeout_ms)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("max_bytes", &self.max_bytes)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<pem>"))
            .field("algorithms", &self.algorithms)
            .field("require_kid", &self.require_kid)
            .finish()
    }
}

impl JwksConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "JWKS config")
    }

    /// Checks ranges and the URL rule (no I/O).
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        match (&self.url, &self.issuer) {
            (Some(url), None) => {
                check_url(url, "url", ErrorCode::ConfigInvalid)?;
            }
            (None, Some(issuer)) => {
                discovery::check_issuer(issuer)?;
            }
            _ => return invalid("exactly one of url and issuer must be set".into()),
        }
        if self.min_ttl_seconds == 0 || self.min_ttl_seconds > self.max_ttl_seconds {
            return invalid("min_ttl_seconds must be 1..=max_ttl_seconds".into());
        }
        if self.max_ttl_seconds > MAX_TTL_SECONDS || self.max_stale_seconds > MAX_TTL_SECONDS {
            return invalid(format!(
                "max_ttl_seconds and max_stale_seconds are capped at {MAX_TTL_SECONDS}"
            ));
        }
        if !(self.min_ttl_seconds..=self.max_ttl_seconds).contains(&self.default_ttl_seconds) {
            return invalid("default_ttl_seconds must be within min and max TTL".into());
        }
        if !(1..=MAX_COOLDOWN_SECONDS).contains(&self.kid_miss_cooldown_seconds) {
            return invalid(format!(
                "kid_miss_cooldown_seconds must be 1..={MAX_COOLDOWN_SECONDS}"
            ));
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms)
            || !(1..=self.timeout_ms).contains(&self.connect_timeout_ms)
        {
            return invalid(format!(
                "timeout_ms must be 1..={MAX_TIMEOUT_MS} and connect_timeout_ms 1..=timeout_ms"
            ));
        }
        if !(1..=MAX_JWKS_BYTES).contains(&self.max_bytes) {
            return invalid(format!("max_bytes must be 1..={MAX_JWKS_BYTES}"));
        }
        if self.algorithms.iter().any(|a| a.is_hmac()) {
            return invalid(
                "a remote JWKS never supplies HMAC secrets: HS* cannot be listed".into(),
            );
        }
        Ok(())
    }
}
