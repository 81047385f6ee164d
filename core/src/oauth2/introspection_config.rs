//! The configuration of an [`Introspector`](super::Introspector): the endpoint, how the
//! resource server authenticates to it, the cache and the HTTP limits.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};
use crate::http::check_url;
use crate::jwt::Algorithm;

/// The longest time a result may be cached, active or inactive (one day).
pub const MAX_CACHE_SECONDS: u64 = 24 * 3600;
/// The most results a cache may hold.
pub const MAX_CACHE_SIZE: usize = 1_000_000;
/// The longest total or connect timeout a configuration may ask for (60 s).
pub const MAX_TIMEOUT_MS: u64 = 60_000;
/// The largest response a configuration may allow (1 MiB).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How the resource server authenticates to the introspection endpoint (RFC 7662 2.1 requires
/// some authorization; these are the RFC 6749 / RFC 7523 client authentication methods, named
/// as in RFC 8414's `introspection_endpoint_auth_methods_supported`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-urlencoded client id and secret (RFC 6749 2.3.1).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 2.3.1).
    ClientSecretPost,
    /// A JWT client assertion signed with the resource server's private key (RFC 7523 2.2).
    PrivateKeyJwt,
}

impl ClientAuthMethod {
    /// The RFC 8414 name (`client_secret_basic`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
            ClientAuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }

    fn uses_secret(self) -> bool {
        !matches!(self, ClientAuthMethod::PrivateKeyJwt)
    }
}

/// Where and how an [`Introspector`](super::Introspector) asks about opaque tokens (RFC 7662).
/// The same JSON schema in every language; missing fields take their defaults. `Debug` shows
/// no secret (`client_secret`, `private_key_pem`) and no query string of the endpoint.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IntrospectionConfig {
    /// The introspection endpoint: `https://`, or `http://` to localhost / a loopback address
    /// only; no user info, no fragment.
    pub endpoint: String,
    /// The resource server's client id at the authorization server.
    pub client_id: String,
    /// How the resource server authenticates to the endpoint (default `client_secret_basic`).
    pub auth_method: ClientAuthMethod,
    /// The client secret (`client_secret_basic` / `client_secret_post`), the value itself: in
    /// a gate file an `env:`/`file:`/`secret:` reference resolved before this type sees it.
    /// Never in `Debug`, errors or logs.
    pub client_secret: Option<String>,
    /// `private_key_jwt` (RFC 7523): the private key PEM (the value, resolved like the secret).
    pub private_key_pem: Option<String>,
    /// `private_key_jwt`: the key's algorithm (an asymmetric one: RS*, PS*, ES*, EdDSA).
    pub private_key_alg: Option<Algorithm>,
    /// `private_key_jwt`: the `kid` put in the assertion's header, if any.
    pub private_key_kid: Option<String>,
    /// Longest time an active result is cached, in seconds (default 60; 0: not cached; at most
    /// one day). A result never outlives the token's `exp`.
    pub cache_max_seconds: u64,
    /// How long an inactive answer is cached, in seconds (default 5; 0: not cached; at most one
    /// day): a flood of one bad token does not become a flood at the authorization server.
    pub negative_cache_seconds: u64,
    /// Results kept at most (default 10000, at most 1000000; 0: nothing is cached).
    pub cache_size: usize,
    /// Time to connect (TCP and TLS), in milliseconds (default 1000, at most `timeout_ms`).
    pub connect_timeout_ms: u64,
    /// Total time for one exchange, request and response body included, in milliseconds
    /// (default 3000, at most 60000).
    pub timeout_ms: u64,
    /// Largest response body accepted, in bytes (default 64 KiB, at most 1 MiB).
    pub max_bytes: usize,
    /// PEM root certificates that replace the built-in Mozilla roots for the endpoint.
    pub ca_pem: Option<String>,
    /// RFC 9701: ask for `application/token-introspection+jwt` and accept only a signed JWT
    /// response, verified with the issuer's keys (default false).
    pub jwt_response: bool,
}

impl Default for IntrospectionConfig {
    fn default() -> Self {
        IntrospectionConfig {
            endpoint: String::new(),
            client_id: String::new(),
            auth_method: ClientAuthMethod::ClientSecretBasic,
            client_secret: None,
            private_key_pem: None,
            private_key_alg: None,
            private_key_kid: None,
            cache_max_seconds: 60,
            negative_cache_seconds: 5,
            cache_size: 10_000,
            connect_timeout_ms: 1_000,
            timeout_ms: 3_000,
            max_bytes: 64 * 1024,
            ca_pem: None,
            jwt_response: false,
        }
    }
}

/// What `Debug` shows of a secret field: whether it is set, never its value.
fn redacted(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| "<redacted>")
}

impl fmt::Debug for IntrospectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The endpoint's query may carry a secret: only scheme, host and path are shown.
        let endpoint = self.endpoint.split('?').next().unwrap_or("");
        f.debug_struct("IntrospectionConfig")
            .field("endpoint", &endpoint)
            .field("client_id", &self.client_id)
            .field("auth_method", &self.auth_method)
            .field("client_secret", &redacted(&self.client_secret))
            .field("private_key_pem", &redacted(&self.private_key_pem))
            .field("private_key_alg", &self.private_key_alg)
            .field("private_key_kid", &self.private_key_kid)
            .field("cache_max_seconds", &self.cache_max_seconds)
            .field("negative_cache_seconds", &self.negative_cache_seconds)
            .field("cache_size", &self.cache_size)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_bytes", &self.max_bytes)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<pem>"))
            .field("jwt_response", &self.jwt_response)
            .finish()
    }
}

impl IntrospectionConfig {
    /// Parses the JSON form of the configuration (a refused value is not quoted back: it may
    /// be the secret).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "introspection config")
    }

    /// Checks the endpoint's URL rule, the client id, that the authentication method has its
    /// material and only it, and the ranges (no I/O; the private key is parsed by
    /// [`Introspector::new`](super::Introspector::new)). Every refusal is `config_invalid` and
    /// names the field, never its value.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        check_url(&self.endpoint, "endpoint", ErrorCode::ConfigInvalid)?;
        if self.client_id.is_empty() {
            return invalid("client_id is empty".into());
        }
        if self.client_id.chars().any(char::is_control) {
            return invalid("client_id holds control characters".into());
        }
        let method = self.auth_method.name();
        if self.auth_method.uses_secret() {
            match &self.client_secret {
                None => return invalid(format!("{method} needs client_secret")),
                Some(s) if s.is_empty() => return invalid("client_secret is empty".into()),
                Some(_) => {}
            }
            if self.private_key_pem.is_some()
                || self.private_key_alg.is_some()
                || self.private_key_kid.is_some()
            {
                return invalid(format!(
                    "{method} takes no private_key_pem, private_key_alg or private_key_kid"
                ));
            }
        } else {
            if self.client_secret.is_some() {
                return invalid(format!("{method} takes no client_secret"));
            }
            if self.private_key_pem.as_deref().is_none_or(str::is_empty) {
                return invalid(format!("{method} needs private_key_pem"));
            }
            match self.private_key_alg {
                None => return invalid(format!("{method} needs private_key_alg")),
                Some(alg) if alg.is_hmac() => {
                    return invalid(format!(
                        "private_key_alg must be an asymmetric algorithm, not {}",
                        alg.name()
                    ))
                }
                Some(_) => {}
            }
            if self.private_key_kid.as_deref() == Some("") {
                return invalid("private_key_kid is empty".into());
            }
        }
        if self.cache_max_seconds > MAX_CACHE_SECONDS
            || self.negative_cache_seconds > MAX_CACHE_SECONDS
        {
            return invalid(format!(
                "cache_max_seconds and negative_cache_seconds are capped at {MAX_CACHE_SECONDS}"
            ));
        }
        if self.cache_size > MAX_CACHE_SIZE {
            return invalid(format!("cache_size is capped at {MAX_CACHE_SIZE}"));
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms)
            || !(1..=self.timeout_ms).contains(&self.connect_timeout_ms)
        {
            return invalid(format!(
                "timeout_ms must be 1..={MAX_TIMEOUT_MS} and connect_timeout_ms 1..=timeout_ms"
            ));
        }
        if !(1..=MAX_RESPONSE_BYTES).contains(&self.max_bytes) {
            return invalid(format!("max_bytes must be 1..={MAX_RESPONSE_BYTES}"));
        }
        Ok(())
    }
}
