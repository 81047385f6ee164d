//! OpenID Connect Discovery 1.0 and RFC 8414 authorization server metadata: the issuer's
//! document names its `jwks_uri`.
//!
//! - OpenID (default): `GET <issuer without a trailing '/'>/.well-known/openid-configuration`
//!   (Discovery 1.0 section 4).
//! - RFC 8414: `/.well-known/oauth-authorization-server` goes between the host and the
//!   issuer's path (section 3.1).
//!
//! The document's `issuer` must equal the configured issuer exactly (Discovery 1.0 section 4.3,
//! RFC 8414 section 3.3): otherwise a document could redirect trust to another issuer's keys.
//! `jwks_uri` follows the same https/loopback rule as a configured `url`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode};
use crate::http::{check_url, CheckedUrl, HttpClient};
use crate::jwt::json;

/// Which well-known document names the `jwks_uri`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Discovery {
    /// OpenID Connect Discovery 1.0: `/.well-known/openid-configuration`.
    #[default]
    #[serde(rename = "openid-configuration")]
    OpenIdConfiguration,
    /// RFC 8414 OAuth 2.0 authorization server metadata:
    /// `/.well-known/oauth-authorization-server`.
    #[serde(rename = "oauth-authorization-server")]
    OAuthAuthorizationServer,
}

/// What discovery found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiscoveredMetadata {
    /// The issuer (equal to the configured one).
    pub issuer: String,
    /// The key set URL, without its query string.
    pub jwks_uri: String,
}

fn invalid(detail: String) -> Error {
    Error::new(ErrorCode::JwtDiscoveryInvalid, detail)
}

/// Checks a configured issuer: an https (or loopback http) URL without query or fragment.
pub(crate) fn check_issuer(issuer: &str) -> Result<CheckedUrl, Error> {
    let url = check_url(issuer, "issuer", ErrorCode::ConfigInvalid)?;
    if issuer.contains('?') {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            "issuer cannot hold a query",
        ));
    }
    Ok(url)
}

/// The URL of the discovery document for `issuer` (already checked by [`check_issuer`]).
pub(crate) fn document_url(issuer: &str, kind: Discovery) -> String {
    let trimmed = issuer.trim_end_matches('/');
    match kind {
        Discovery::OpenIdConfiguration => format!("{trimmed}/.well-known/openid-configuration"),
        Discovery::OAuthAuthorizationServer => {
            // scheme "://" authority path: insert the well-known segment before the path.
            let after_scheme = trimmed.find("://").map_or(0, |i| i + 3);
            let path_at = trimmed[after_scheme..]
                .find('/')
                .map_or(trimmed.len(), |i| after_scheme + i);
            let (origin, path) = trimmed.split_at(path_at);
            format!("{origin}/.well-known/oauth-authorization-server{path}")
        }
    }
}

/// Fetches and checks the discovery document; returns the metadata and the checked
/// `jwks_uri`.
pub(crate) fn discover(
    http: &HttpClient,
    issuer: &str,
    kind: Discovery,
) -> Result<(DiscoveredMetadata, CheckedUrl), Error> {
    let url = check_url(
        &document_url(issuer, kind),
        "discovery URL",
        ErrorCode::ConfigInvalid,
    )?;
    let host = url.host().to_owned();
    let fetched = http.get(&url, "discovery document").map_err(|e| {
        // An oversized document is an unusable document.
        e.into_error(
            ErrorCode::JwtJwksUnavailable,
            ErrorCode::JwtDiscoveryInvalid,
        )
    })?;
    let doc = json::parse_object(&fetched.body, "discovery document")
        .map_err(|e| invalid(format!("{} (from {host})", e.detail())))?;
    match doc.get("issuer") {
        Some(Value::String(found)) if found == issuer => {}
        Some(Value::String(_)) => {
            return Err(invalid(format!(
                "discovery document from {host} names another issuer than the configured one"
            )))
        }
        _ => {
            return Err(invalid(format!(
                "discovery document from {host} has no issuer string"
            )))
        }
    }
    let jwks_uri = match doc.get("jwks_uri") {
        Some(Value::String(u)) => check_url(u, "jwks_uri", ErrorCode::JwtDiscoveryInvalid)?,
        _ => {
            return Err(invalid(format!(
                "discovery document from {host} has no jwks_uri string"
            )))
        }
    };
    let metadata = DiscoveredMetadata {
        issuer: issuer.to_owned(),
        jwks_uri: jwks_uri.redacted().to_owned(),
    };
    Ok((metadata, jwks_uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls() {
        let oidc = Discovery::OpenIdConfiguration;
        let oauth = Discovery::OAuthAuthorizationServer;
        assert_eq!(
            document_url("https://idp.example", oidc),
            "https://idp.example/.well-known/openid-configuration"
        );
        assert_eq!(
            document_url("https://idp.example/tenant/", oidc),
            "https://idp.example/tenant/.well-known/openid-configuration"
        );
        assert_eq!(
            document_url("https://idp.example", oauth),
            "https://idp.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            document_url("https://idp.example:8443/tenant/1/", oauth),
            "https://idp.example:8443/.well-known/oauth-authorization-server/tenant/1"
        );
    }

    #[test]
    fn issuers_are_checked() {
        check_issuer("https://idp.example/").unwrap();
        check_issuer("http://127.0.0.1:9/").unwrap();
        for bad in [
            "http://idp.example",
            "https://idp.example?x=1",
            "idp.example",
            "",
        ] {
            assert_eq!(
                check_issuer(bad).unwrap_err().code(),
                ErrorCode::ConfigInvalid,
                "{bad}"
            );
        }
    }

    #[test]
    fn discovery_kind_names() {
        let kind: Discovery = serde_json::from_str("\"oauth-authorization-server\"").unwrap();
        assert_eq!(kind, Discovery::OAuthAuthorizationServer);
        assert_eq!(
            serde_json::to_string(&Discovery::default()).unwrap(),
            "\"openid-configuration\""
        );
    }
}
