//! What a refused request is told (RFC 6750 3, RFC 9449 7.1 and 8, RFC 9728 5.1), and the
//! RFC 9728 protected-resource metadata document.

use serde_json::{json, Map, Value};

use super::config::{DpopMode, Issuer, OAuth2Config};
use crate::decision::{Challenge, Denial};
use crate::error::{Error, ErrorCode};

/// The scheme a token was presented under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scheme {
    Bearer,
    Dpop,
}

/// What the challenges are built from, fixed when the resource server is built.
#[derive(Debug)]
pub(super) struct Challenger {
    pub realm: String,
    pub mode: DpopMode,
    /// The DPoP `algs` value.
    pub algs: String,
    /// The `resource_metadata` URL.
    pub metadata_url: Option<String>,
}

/// The RFC 6750 / RFC 9449 `error` for `code`, and whether it belongs on the DPoP challenge.
fn error_param(code: ErrorCode) -> Option<(&'static str, bool)> {
    Some(match code {
        ErrorCode::CredentialsMissing
        | ErrorCode::JwtJwksUnavailable
        | ErrorCode::JwtJwksInvalid
        | ErrorCode::JwtDiscoveryInvalid
        | ErrorCode::OAuthIntrospectionUnavailable
        | ErrorCode::OAuthIntrospectionInvalid
        | ErrorCode::StoreUnavailable
        | ErrorCode::Internal
        | ErrorCode::Panic => return None,
        ErrorCode::ScopeInsufficient => ("insufficient_scope", false),
        ErrorCode::HeaderMalformed
        | ErrorCode::CredentialsAmbiguous
        | ErrorCode::RequestInvalid => ("invalid_request", false),
        ErrorCode::DpopNonceRequired => ("use_dpop_nonce", true),
        ErrorCode::DpopProofMissing
        | ErrorCode::DpopProofInvalid
        | ErrorCode::DpopProofMismatch
        | ErrorCode::DpopProofStale
        | ErrorCode::DpopProofReplayed => ("invalid_dpop_proof", true),
        _ => ("invalid_token", false),
    })
}

impl Challenger {
    fn base(&self, scheme: Scheme) -> Challenge {
        let c = match scheme {
            Scheme::Bearer => Challenge::new("Bearer"),
            Scheme::Dpop => Challenge::new("DPoP"),
        };
        c.param("realm", self.realm.as_str())
    }

    fn finish(&self, scheme: Scheme, c: Challenge) -> Challenge {
        let c = match scheme {
            Scheme::Dpop => c.param("algs", self.algs.as_str()),
            Scheme::Bearer => c,
        };
        match &self.metadata_url {
            Some(url) => c.param("resource_metadata", url.as_str()),
            None => c,
        }
    }

    /// The schemes accepted, in the order their challenges are listed.
    fn schemes(&self) -> &'static [Scheme] {
        match self.mode {
            DpopMode::Off => &[Scheme::Bearer],
            DpopMode::Allowed => &[Scheme::Bearer, Scheme::Dpop],
            DpopMode::Required => &[Scheme::Dpop],
        }
    }

    /// The challenges for a request that carries no token.
    pub fn bare(&self) -> Vec<Challenge> {
        self.schemes()
            .iter()
            .map(|&s| self.finish(s, self.base(s)))
            .collect()
    }

    /// The denial for `error`, the token having been presented under `used` (if at all): the
    /// error's challenge first, then the other accepted scheme's bare one (for a 401).
    pub fn deny<S: AsRef<str>>(&self, error: Error, used: Option<Scheme>, scopes: &[S]) -> Denial {
        let code = error.code();
        let mut denial = Denial::from(error);
        let param = error_param(code);
        let target = match param {
            Some((_, true)) if self.mode != DpopMode::Off => Some(Scheme::Dpop),
            // The scheme the token came under, if this resource server takes it (a Bearer token
            // sent where only DPoP is taken is answered on the DPoP challenge).
            Some(_) => used
                .filter(|u| self.schemes().contains(u))
                .or(self.schemes().first().copied()),
            None => None,
        };
        if let (Some(target), Some((error, _))) = (target, param) {
            let mut c = self.base(target).param("error", error);
            if code == ErrorCode::ScopeInsufficient {
                let scope: Vec<&str> = scopes.iter().map(AsRef::as_ref).collect();
                c = c.param("scope", scope.join(" "));
            } else if error != "invalid_request" {
                c = c.param("error_description", code.public_message());
            }
            denial = denial.with_challenge(self.finish(target, c));
        }
        if code.http_status() == 401 {
            for &s in self.schemes() {
                if Some(s) != target {
                    denial = denial.with_challenge(self.finish(s, self.base(s)));
                }
            }
        }
        denial
    }
}

/// The default metadata URL of `resource` (RFC 9728 3.1): the well-known path between its
/// authority and its path (`https://api.example.com/v1` ->
/// `https://api.example.com/.well-known/oauth-protected-resource/v1`).
pub(super) fn default_metadata_url(resource: &str) -> String {
    let (scheme, rest) = resource.split_once("://").unwrap_or(("https", resource));
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let path = path.split('?').next().unwrap_or("").trim_end_matches('/');
    format!("{scheme}://{authority}/.well-known/oauth-protected-resource{path}")
}

/// The RFC 9728 document for `config` and `issuers`; `None` without a `resource`.
pub(super) fn metadata_document(
    config: &OAuth2Config,
    issuers: &[Issuer],
    algs: &[&str],
) -> Option<String> {
    let resource = config.resource.as_ref()?;
    let m = &config.metadata;
    let mut doc = Map::new();
    doc.insert("resource".into(), json!(resource));
    let servers: Vec<&str> = issuers.iter().map(|i| i.issuer.as_str()).collect();
    doc.insert("authorization_servers".into(), json!(servers));
    doc.insert("bearer_methods_supported".into(), json!(["header"]));
    if !m.scopes_supported.is_empty() {
        doc.insert("scopes_supported".into(), json!(m.scopes_supported));
    }
    for (name, value) in [
        ("resource_name", &m.resource_name),
        ("resource_documentation", &m.resource_documentation),
        ("resource_policy_uri", &m.resource_policy_uri),
        ("resource_tos_uri", &m.resource_tos_uri),
    ] {
        if let Some(v) = value {
            doc.insert(name.into(), json!(v));
        }
    }
    if config.dpop_mode != DpopMode::Off {
        doc.insert("dpop_signing_alg_values_supported".into(), json!(algs));
    }
    doc.insert(
        "dpop_bound_access_tokens_required".into(),
        json!(config.dpop_mode == DpopMode::Required),
    );
    // Certificate-bound tokens are always checked when they come bound (RFC 8705 3).
    doc.insert(
        "tls_client_certificate_bound_access_tokens".into(),
        json!(true),
    );
    serde_json::to_string(&Value::Object(doc)).ok()
}
