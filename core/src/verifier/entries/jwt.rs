//! `jwt` credentials: a JWT verifier and its keys (remote, a JWKS, single keys).

use std::any::Any;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{built, core_config, secret_fields, split};
use crate::config::{deserialize_at, wipe, ConfigError, DocPath, ReferenceKind};
use crate::decision::{Challenge, Denial, Principal};
use crate::request::Request;
use crate::verifier::{BuildContext, Identity, Method};

use crate::jwt::{Algorithm, JwksClient, JwksConfig, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};

// ---------------------------------------------------------------- jwt

/// Where a `jwt` credential's keys come from: a remote JWKS, or a static set built from a JWKS
/// document and single keys.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct JwtFileSettings {
    /// The verification keys.
    keys: JwtKeysSettings,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct JwtKeysSettings {
    /// A remote JWKS (a URL, or an issuer whose discovery document names it).
    #[serde(default)]
    remote: Option<JwksConfig>,
    /// A JWKS document: inline (public keys only), or a reference to one (`file:PATH`,
    /// `env:NAME`), which may hold symmetric keys.
    #[serde(default)]
    jwks: Option<Value>,
    /// Single keys.
    #[serde(default, rename = "static")]
    static_keys: Vec<StaticJwtKey>,
}

impl JwtKeysSettings {
    /// Gives a remote key set that names no algorithms these (an `oauth2` issuer's), so an
    /// RSA key published without `alg` verifies with each of them.
    pub(super) fn default_algorithms(&mut self, algorithms: &[Algorithm]) {
        if let Some(remote) = &mut self.remote {
            if remote.algorithms.is_empty() {
                remote.algorithms = algorithms.to_vec();
            }
        }
    }

    /// The index of the first static key given as an HMAC secret.
    pub(super) fn first_secret(&self) -> Option<usize> {
        self.static_keys.iter().position(|k| k.secret.is_some())
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StaticJwtKey {
    /// The key's one algorithm.
    alg: Algorithm,
    /// Its key id, matched against the token's `kid`.
    #[serde(default)]
    kid: Option<String>,
    /// An HMAC secret (HS256/384/512): a reference, never the value.
    #[serde(default)]
    secret: Option<String>,
    /// A public key (or certificate) in PEM: inline or a reference.
    #[serde(default)]
    pem: Option<String>,
    /// A public JWK.
    #[serde(default)]
    jwk: Option<Value>,
}

#[derive(Debug)]
struct JwtMethod {
    verifier: JwtVerifier,
    /// Keys come from a remote JWKS: a verification may wait on a fetch.
    remote: bool,
}

impl Method for JwtMethod {
    fn name(&self) -> &'static str {
        "jwt"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        self.verifier.verify(request, scopes)
    }
    fn authenticate(&self, request: &Request, scopes: &[String]) -> Result<Identity, Denial> {
        self.verifier
            .verify_claims(request, scopes)
            .map(Identity::from_token)
    }
    fn challenge(&self) -> Option<Challenge> {
        Some(self.verifier.challenge())
    }
    fn may_block(&self) -> bool {
        self.remote
    }
    fn as_any(&self) -> &dyn Any {
        &self.verifier
    }
}

pub(super) fn build_jwt(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    let keys_at = DocPath::root().key("keys");
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "static", "*", "secret"]],
        ReferenceKind::Secret,
    )?;
    secret_fields(
        &mut object,
        ctx,
        &[
            &["keys", "static", "*", "pem"],
            &["keys", "remote", "ca_pem"],
        ],
        ReferenceKind::Material,
    )?;
    let mut file_value = split::<JwtFileSettings>(&mut object);
    let file: Result<JwtFileSettings, _> = deserialize_at(&file_value, &DocPath::root());
    wipe(&mut file_value);
    let JwtFileSettings { keys } = file?;
    let config: JwtConfig = core_config(object)?;
    let remote = keys.remote.is_some();
    let source = key_source(keys, &keys_at, ctx)?;
    let verifier = JwtVerifier::new(config, source)
        .map_err(|e| built(e, DocPath::root()))?
        .with_revocation_store(ctx.store.clone());
    Ok(Arc::new(JwtMethod { verifier, remote }))
}

/// The key source of a `keys` member (a `jwt` credential's, an `oauth2` issuer's) at
/// `keys_at`: a remote JWKS, or a static set of a JWKS document and single keys.
pub(super) fn key_source(
    keys: JwtKeysSettings,
    keys_at: &DocPath,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn crate::jwt::KeySource>, ConfigError> {
    // A JWKS given by reference may hold symmetric keys; one written inline may not.
    let jwks_text = match &keys.jwks {
        Some(Value::String(r)) => Some(crate::config::resolve_reference(
            r,
            ReferenceKind::Secret,
            &keys_at.key("jwks"),
            ctx.load,
        )?),
        Some(Value::Object(o)) => {
            let holds_secret = o
                .get("keys")
                .and_then(Value::as_array)
                .is_some_and(|ks| ks.iter().any(|k| k.get("k").is_some()));
            if holds_secret {
                return Err(ConfigError::new(
                    keys_at.key("jwks"),
                    "a JWKS with symmetric keys cannot be written in the configuration: reference it (file:PATH, env:NAME, secret:NAME)",
                ));
            }
            Some(Value::Object(o.clone()).to_string())
        }
        Some(_) => {
            return Err(ConfigError::new(
                keys_at.key("jwks"),
                "jwks is a JWKS object or a reference to one",
            ))
        }
        None => None,
    };

    let source: Arc<dyn crate::jwt::KeySource> = match keys.remote {
        Some(remote) => {
            if jwks_text.is_some() || !keys.static_keys.is_empty() {
                return Err(ConfigError::new(
                    keys_at.clone(),
                    "`remote` cannot be combined with `jwks` or `static` keys",
                ));
            }
            Arc::new(JwksClient::new(remote).map_err(|e| built(e, keys_at.key("remote")))?)
        }
        None => {
            let set = JwtKeySet::new();
            if let Some(text) = jwks_text {
                let text = zeroize::Zeroizing::new(text);
                set.add_jwks(&text)
                    .map_err(|e| built(e, keys_at.key("jwks")))?;
            }
            for (i, key) in keys.static_keys.into_iter().enumerate() {
                let at = keys_at.key("static").index(i);
                set.add(static_key(key, &at)?)
                    .map_err(|e| built(e, at.clone()))?;
            }
            if set.is_empty() {
                return Err(ConfigError::new(
                    keys_at.clone(),
                    "no verification key is configured",
                ));
            }
            Arc::new(set)
        }
    };
    Ok(source)
}

fn static_key(key: StaticJwtKey, at: &DocPath) -> Result<JwtKey, ConfigError> {
    let StaticJwtKey {
        alg,
        kid,
        secret,
        pem,
        jwk,
    } = key;
    let secret = secret.map(zeroize::Zeroizing::new);
    let parsed = match (&secret, pem, jwk) {
        (Some(s), None, None) => JwtKey::from_secret(alg, s.as_bytes()),
        (None, Some(p), None) => JwtKey::from_pem(alg, p.as_bytes()),
        (None, None, Some(j)) => JwtKey::from_jwk_json(&j.to_string(), Some(alg)),
        _ => {
            return Err(ConfigError::new(
                at.clone(),
                "a static key has exactly one of `secret`, `pem` and `jwk`",
            ))
        }
    }
    .map_err(|e| built(e, at.clone()))?;
    Ok(match kid {
        Some(kid) => parsed.with_kid(kid),
        None => parsed,
    })
}
