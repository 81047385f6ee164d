//! What an OAuth 2.0 resource server accepts: the settings every issuer shares
//! ([`OAuth2Config`], the same JSON in every language) and the issuers themselves ([`Issuer`]:
//! each `iss` with its own keys, audiences and introspection endpoint).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::dpop::DpopConfig;
use super::introspection::IntrospectionConfig;
use crate::error::{Error, ErrorCode};
use crate::jwt::{Algorithm, KeySource, DEFAULT_MAX_LIFETIME_SECONDS, MAX_LEEWAY_SECONDS};

/// The most issuers one resource server accepts.
pub const MAX_ISSUERS: usize = 64;

/// How JWT access tokens are read.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenProfile {
    /// RFC 9068: header `typ` must be `at+jwt` and `iss`, `exp`, `aud`, `sub`, `client_id`,
    /// `iat` and `jti` are required (default).
    #[default]
    Rfc9068,
    /// Any signed JWT: `typ` is not checked and only `exp` is required (for authorization
    /// servers that predate RFC 9068).
    Jwt,
}

/// Whether tokens are accepted under the `DPoP` scheme (RFC 9449).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DpopMode {
    /// Only `Bearer`; a `DPoP`-bound token is refused.
    Off,
    /// `Bearer` for unbound tokens, `DPoP` with a proof for bound ones (default).
    #[default]
    Allowed,
    /// Only DPoP-bound tokens, each with its proof.
    Required,
}

/// Whether tokens must be certificate-bound (RFC 8705).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CertificateBinding {
    /// A token that carries `cnf.x5t#S256` must come with that client certificate (default).
    #[default]
    WhenBound,
    /// Every token must carry `cnf.x5t#S256`, and come with that client certificate.
    Required,
}

/// The RFC 9728 protected-resource metadata a resource server publishes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ResourceMetadataConfig {
    /// Where the document is served, named in every challenge as `resource_metadata`. Default:
    /// the `resource` with `/.well-known/oauth-protected-resource` inserted after its
    /// authority (RFC 9728 3.1).
    pub url: Option<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `resource_name`, for people.
    pub resource_name: Option<String>,
    /// `resource_documentation`: a URL.
    pub resource_documentation: Option<String>,
    /// `resource_policy_uri`.
    pub resource_policy_uri: Option<String>,
    /// `resource_tos_uri`.
    pub resource_tos_uri: Option<String>,
}

/// The settings shared by every issuer of a resource server. The same JSON schema in every
/// language; missing fields take their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OAuth2Config {
    /// The realm named in the challenges.
    pub realm: String,
    /// The resource identifier (RFC 8707, RFC 9728): an `https` URL. The audience of an issuer
    /// that names none, and the `resource` of the metadata document.
    pub resource: Option<String>,
    /// How JWT access tokens are read (default `rfc9068`).
    pub profile: AccessTokenProfile,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (at most 300).
    pub leeway_seconds: u64,
    /// The longest lifetime a JWT access token may claim, in seconds (default 24 hours);
    /// `null` turns the check off.
    pub max_lifetime_seconds: Option<u64>,
    /// Largest token accepted, in bytes (default 16 KiB).
    pub max_token_bytes: usize,
    /// Verified JWT access tokens kept in memory per issuer (never past `exp`); 0 (default)
    /// turns the cache off. Introspection results have their own cache.
    pub cache_size: usize,
    /// Whether the `DPoP` scheme is accepted (default `allowed`).
    pub dpop_mode: DpopMode,
    /// How DPoP proofs are checked.
    pub dpop: DpopConfig,
    /// The public origin requests reach this service at (`https://api.example.com`), which
    /// DPoP proofs name in `htu`; default: the request's scheme and `Host`. Set it behind a
    /// proxy that rewrites `Host`.
    pub origin: Option<String>,
    /// Whether tokens must be certificate-bound (default `when_bound`).
    pub certificate_binding: CertificateBinding,
    /// The protected-resource metadata document and its URL.
    pub metadata: ResourceMetadataConfig,
}

impl Default for OAuth2Config {
    fn default() -> Self {
        OAuth2Config {
            realm: "api".into(),
            resource: None,
            profile: AccessTokenProfile::default(),
            leeway_seconds: 60,
            max_lifetime_seconds: Some(DEFAULT_MAX_LIFETIME_SECONDS),
            max_token_bytes: 16 * 1024,
            cache_size: 0,
            dpop_mode: DpopMode::default(),
            dpop: DpopConfig::default(),
            origin: None,
            certificate_binding: CertificateBinding::default(),
            metadata: ResourceMetadataConfig::default(),
        }
    }
}

impl OAuth2Config {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "OAuth 2.0 config")
    }

    /// Checks ranges and URLs (the JWT and DPoP settings are checked by their verifiers).
    pub fn validate(&self) -> Result<(), Error> {
        if self.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(invalid(format!(
                "leeway_seconds is capped at {MAX_LEEWAY_SECONDS}"
            )));
        }
        if let Some(resource) = &self.resource {
            https_url(resource, "resource")?;
        }
        if let Some(origin) = &self.origin {
            let url = https_url(origin, "origin")?;
            if url.path() != "/" || origin.ends_with('/') || url.query().is_some() {
                return Err(invalid(
                    "origin is a scheme and an authority only (https://api.example.com)".into(),
                ));
            }
        }
        let m = &self.metadata;
        for (url, name) in [
            (&m.url, "metadata.url"),
            (&m.resource_documentation, "metadata.resource_documentation"),
            (&m.resource_policy_uri, "metadata.resource_policy_uri"),
            (&m.resource_tos_uri, "metadata.resource_tos_uri"),
        ] {
            if let Some(url) = url {
                https_url(url, name)?;
            }
        }
        if m.url.is_some() && self.resource.is_none() {
            return Err(invalid(
                "metadata.url needs the resource it describes: set resource".into(),
            ));
        }
        if m.scopes_supported.iter().any(|s| !is_scope_token(s)) {
            return Err(invalid(
                "metadata.scopes_supported holds an empty scope or one with spaces, quotes or backslashes".into(),
            ));
        }
        Ok(())
    }
}

/// One authorization server whose tokens the resource server accepts.
#[derive(Clone)]
pub struct Issuer {
    /// Its issuer identifier: the exact `iss` of its tokens.
    pub issuer: String,
    /// The audiences its tokens must name (one of); empty: the resource server's `resource`.
    pub audiences: Vec<String>,
    /// The JWS algorithms its access tokens may use; empty: any asymmetric one its keys have.
    pub algorithms: Vec<Algorithm>,
    /// Its signing keys, for JWT access tokens (a remote JWKS, discovered or static).
    pub keys: Option<Arc<dyn KeySource>>,
    /// Its introspection endpoint, for opaque tokens (and for its JWTs when it has no keys).
    pub introspection: Option<IntrospectionConfig>,
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("algorithms", &self.algorithms)
            .field("keys", &self.keys)
            .field("introspection", &self.introspection)
            .finish()
    }
}

pub(super) fn invalid(detail: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, detail)
}

/// An absolute `https` URL (`http` only to a loopback host, as everywhere in portcullis).
pub(super) fn https_url(url: &str, what: &str) -> Result<ureq::http::Uri, Error> {
    crate::http::check_url(url, what, ErrorCode::ConfigInvalid)?;
    url.parse()
        .map_err(|_| invalid(format!("{what} is not a valid URL")))
}

/// An RFC 6749 3.3 scope-token: `%x21 / %x23-5B / %x5D-7E`, at least one.
pub(super) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}
