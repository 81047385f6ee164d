//! `oauth2` credentials: an OAuth 2.0 resource server and its issuers.

use std::any::Any;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::jwt::{key_source, JwtKeysSettings};
use super::{built, core_config, secret_fields, split};
use crate::config::{deserialize_at, wipe, ConfigError, DocPath, ReferenceKind};
use crate::decision::{Challenge, Denial, Principal};
use crate::jwt::Algorithm;
use crate::oauth2::{IntrospectionConfig, Issuer, OAuth2Config, ResourceServer};
use crate::request::Request;
use crate::verifier::{BuildContext, Method};

/// The authorization servers whose tokens an `oauth2` credential accepts.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OAuth2FileSettings {
    /// The issuers, each with its keys (for JWT access tokens), its introspection endpoint
    /// (for opaque tokens) or both. A token's `iss` picks its issuer before any key is fetched.
    issuers: Vec<IssuerSettings>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IssuerSettings {
    /// The issuer identifier: the exact `iss` of its tokens.
    issuer: String,
    /// The audiences its tokens must name (one of); default: the credential's `resource`.
    #[serde(default)]
    audiences: Vec<String>,
    /// The JWS algorithms its access tokens may use (asymmetric only); default: any its keys
    /// have. A remote key set that names none takes these, so an RSA key published without
    /// `alg` verifies with each RSA algorithm listed (PS256 for FAPI 2.0).
    #[serde(default)]
    algorithms: Vec<Algorithm>,
    /// Its public signing keys, as a `jwt` credential's `keys` (remote, jwks, static PEM or
    /// JWK; no HMAC secrets).
    #[serde(default)]
    keys: Option<JwtKeysSettings>,
    /// Its RFC 7662 introspection endpoint and how to authenticate to it.
    #[serde(default)]
    introspection: Option<IntrospectionConfig>,
}

#[derive(Debug)]
struct OAuth2Method(ResourceServer);

impl Method for OAuth2Method {
    fn name(&self) -> &'static str {
        "oauth2"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        self.0.verify(request, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        self.0.challenges().into_iter().next()
    }
    fn challenges(&self) -> Vec<Challenge> {
        self.0.challenges()
    }
    fn resource_metadata(&self) -> Option<String> {
        self.0.resource_metadata().map(str::to_owned)
    }
    fn may_block(&self) -> bool {
        self.0.may_block()
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

pub(super) fn build_oauth2(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[
            &["issuers", "*", "introspection", "client_secret"],
            &["issuers", "*", "introspection", "private_key_pem"],
            &["dpop", "nonce", "secret"],
        ],
        ReferenceKind::Secret,
    )?;
    secret_fields(
        &mut object,
        ctx,
        &[
            &["issuers", "*", "keys", "static", "*", "pem"],
            &["issuers", "*", "keys", "remote", "ca_pem"],
            &["issuers", "*", "introspection", "ca_pem"],
        ],
        ReferenceKind::Material,
    )?;
    let mut file_value = split::<OAuth2FileSettings>(&mut object);
    let file: Result<OAuth2FileSettings, _> = deserialize_at(&file_value, &DocPath::root());
    wipe(&mut file_value);
    let OAuth2FileSettings { issuers: settings } = file?;
    let config: OAuth2Config = core_config(object)?;
    let mut issuers = Vec::with_capacity(settings.len());
    for (i, s) in settings.into_iter().enumerate() {
        let at = DocPath::root().key("issuers").index(i);
        let keys = match s.keys {
            Some(mut keys) => {
                keys.default_algorithms(&s.algorithms);
                let keys_at = at.key("keys");
                if let Some(k) = keys.first_secret() {
                    return Err(ConfigError::new(
                        keys_at.key("static").index(k).key("secret"),
                        "access tokens are verified with their issuer's public keys, not a shared secret",
                    ));
                }
                Some(key_source(keys, &keys_at, ctx)?)
            }
            None => None,
        };
        if let Some(introspection) = &s.introspection {
            introspection
                .validate()
                .map_err(|e| built(e, at.key("introspection")))?;
        }
        issuers.push(Issuer {
            issuer: s.issuer,
            audiences: s.audiences,
            algorithms: s.algorithms,
            keys,
            introspection: s.introspection,
        });
    }
    let server = ResourceServer::new(config, issuers, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(OAuth2Method(server)))
}
