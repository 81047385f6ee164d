//! The registry: one entry per method, each turning its configuration into a [`Method`].
//!
//! An entry resolves its secret references (`env:`, `file:`, `secret:`), takes out the few
//! members that exist only in a configuration file (an API key ring's pepper and records, a JWT
//! verifier's keys, ...) and hands the rest to the method's own serde configuration type, whose
//! `deny_unknown_fields` refuses a misspelt setting. The method's verifier does the rest.

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{require_scopes, BuildContext, Entry, Identity, Method};
use crate::apikey::{ApiKeyConfig, ApiKeyRecord, ApiKeyRing};
use crate::basic::{parse_credentials, BasicAuth, BasicConfig};
use crate::config::{deserialize_at, resolve_fields, wipe, ConfigError, DocPath, ReferenceKind};
use crate::decision::{Challenge, Denial, Principal};
use crate::error::Error;
use crate::hmac::{HmacConfig, HmacVerifier};
use crate::httpsig::{HttpSigAlgorithm, HttpSigConfig, HttpSigKeyring, HttpSigVerifier};
use crate::jwt::{Algorithm, JwksClient, JwksConfig, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use crate::mtls::{MtlsConfig, MtlsVerifier};
use crate::request::Request;
use crate::webhook::{WebhookConfig, WebhookVerifier};

/// Every method a configuration can name, in documentation order.
pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        name: "api_key",
        build: build_api_key,
        schema: |g| method_schema::<ApiKeyConfig, ApiKeyFileSettings>(g, "api_key"),
    },
    Entry {
        name: "basic",
        build: build_basic,
        schema: |g| method_schema::<BasicConfig, NoFileSettings>(g, "basic"),
    },
    Entry {
        name: "jwt",
        build: build_jwt,
        schema: |g| method_schema::<JwtConfig, JwtFileSettings>(g, "jwt"),
    },
    Entry {
        name: "webhook",
        build: build_webhook,
        schema: |g| method_schema::<WebhookConfig, NoFileSettings>(g, "webhook"),
    },
    Entry {
        name: "pcs1",
        build: build_pcs1,
        schema: |g| method_schema::<HmacConfig, NoFileSettings>(g, "pcs1"),
    },
    Entry {
        name: "httpsig",
        build: build_httpsig,
        schema: |g| method_schema::<HttpSigConfig, HttpSigFileSettings>(g, "httpsig"),
    },
    Entry {
        name: "mtls",
        build: build_mtls,
        schema: |g| method_schema::<MtlsConfig, NoFileSettings>(g, "mtls"),
    },
];

/// The schema of a method's object: the core configuration's members, the file-only members,
/// and `method` itself.
fn method_schema<C: JsonSchema, F: JsonSchema>(g: &mut SchemaGenerator, name: &str) -> Schema {
    let mut schema = C::json_schema(g);
    let file = F::json_schema(g);
    let obj = schema.ensure_object();
    let props = obj
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props {
        if let Some(Value::Object(extra)) = file.get("properties") {
            for (k, v) in extra {
                props.insert(k.clone(), v.clone());
            }
        }
        props.insert(
            "method".into(),
            serde_json::json!({ "const": name, "description": "The method's registry name." }),
        );
    }
    let mut required: Vec<Value> = vec![Value::String("method".into())];
    if let Some(Value::Array(r)) = file.get("required") {
        required.extend(r.iter().cloned());
    }
    if let Some(Value::Array(r)) = obj.get("required") {
        required.extend(r.iter().cloned());
    }
    obj.insert("required".into(), Value::Array(required));
    obj.insert("additionalProperties".into(), Value::Bool(false));
    obj.insert("title".into(), Value::String(format!("method {name}")));
    schema
}

/// For methods whose configuration file takes exactly the core configuration.
#[derive(JsonSchema)]
struct NoFileSettings {}

/// Takes the members named in `F`'s schema out of `object`: what remains belongs to the core
/// configuration type.
fn split<F: JsonSchema>(object: &mut Map<String, Value>) -> Value {
    let schema = schemars::schema_for!(F);
    let mut out = Map::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for name in props.keys() {
            if let Some(v) = object.remove(name) {
                out.insert(name.clone(), v);
            }
        }
    }
    Value::Object(out)
}

/// Deserializes a core configuration from what remains of the object, then wipes it: the
/// resolved object may hold secrets.
fn core_config<C: serde::de::DeserializeOwned>(
    object: Map<String, Value>,
) -> Result<C, ConfigError> {
    let mut value = Value::Object(object);
    let parsed = deserialize_at(&value, &DocPath::root());
    wipe(&mut value);
    parsed
}

fn built(error: Error, at: DocPath) -> ConfigError {
    ConfigError::from_error(at, &error)
}

fn secret_fields(
    object: &mut Map<String, Value>,
    ctx: &BuildContext<'_>,
    patterns: &[&[&str]],
    kind: ReferenceKind,
) -> Result<(), ConfigError> {
    let mut value = Value::Object(std::mem::take(object));
    let result = patterns
        .iter()
        .try_for_each(|p| resolve_fields(&mut value, p, kind, &DocPath::root(), ctx.load));
    if let Value::Object(map) = value {
        *object = map;
    }
    result
}

// ---------------------------------------------------------------- api_key

/// Members of an `api_key` credential that exist only in a configuration file.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ApiKeyFileSettings {
    /// At least 32 secret bytes keying the digests: a reference (`env:NAME`, `file:PATH`,
    /// `secret:NAME`), never the value.
    pepper: String,
    /// Key records to load (the JSON objects `ApiKeyRecord.to_json` writes).
    #[serde(default)]
    records: Vec<ApiKeyRecord>,
    /// A file of key records: a JSON array, or one JSON object per line.
    #[serde(default)]
    records_file: Option<PathBuf>,
}

#[derive(Debug)]
struct ApiKeyMethod(Arc<ApiKeyRing>);

impl Method for ApiKeyMethod {
    fn name(&self) -> &'static str {
        "api_key"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        self.0.verify(request, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        Some(self.0.challenge())
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_api_key(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(&mut object, ctx, &[&["pepper"]], ReferenceKind::Secret)?;
    let mut file_value = split::<ApiKeyFileSettings>(&mut object);
    let file: Result<ApiKeyFileSettings, _> = deserialize_at(&file_value, &DocPath::root());
    wipe(&mut file_value);
    let file = file?;
    let config: ApiKeyConfig = core_config(object)?;
    let pepper = zeroize::Zeroizing::new(file.pepper);
    let ring = ApiKeyRing::new(pepper.as_bytes(), config)
        .map_err(|e| built(e, DocPath::root().key("pepper")))?;
    for (i, record) in file.records.into_iter().enumerate() {
        ring.insert(record)
            .map_err(|e| built(e, DocPath::root().key("records").index(i)))?;
    }
    if let Some(path) = file.records_file {
        let at = DocPath::root().key("records_file");
        let full = ctx.load.resolve_path(&path);
        for record in read_records(&full).map_err(|m| ConfigError::new(at.clone(), m))? {
            ring.insert(record).map_err(|e| built(e, at.clone()))?;
        }
    }
    Ok(Arc::new(ApiKeyMethod(Arc::new(ring))))
}

/// The largest records file read (64 MiB: about 200,000 records).
const MAX_RECORDS_FILE_BYTES: usize = 64 * 1024 * 1024;

fn read_records(path: &std::path::Path) -> Result<Vec<ApiKeyRecord>, String> {
    let text = crate::config::read_text_file(path, MAX_RECORDS_FILE_BYTES)?;
    let where_ = |n: usize, e: Error| format!("{} record {n}: {}", path.display(), e.detail());
    if text.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a JSON array of records: {e}", path.display()))?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| ApiKeyRecord::from_json(&v.to_string()).map_err(|e| where_(i, e)))
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| ApiKeyRecord::from_json(l).map_err(|e| where_(i + 1, e)))
            .collect()
    }
}

// ---------------------------------------------------------------- basic

#[derive(Debug)]
struct BasicMethod(BasicAuth);

impl Method for BasicMethod {
    fn name(&self) -> &'static str {
        "basic"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        Some(self.0.challenge())
    }
    fn claimed_account(&self, request: &Request) -> Option<String> {
        let auth = request.authorization().ok()??;
        if !auth.is_scheme("Basic") {
            return None;
        }
        parse_credentials(auth.credentials).ok().map(|c| c.user_id)
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_basic(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    if let Some(Value::String(p)) = object.get_mut("htpasswd_file") {
        *p = ctx
            .load
            .resolve_path(std::path::Path::new(p))
            .display()
            .to_string();
    }
    let config: BasicConfig = core_config(object)?;
    let auth = BasicAuth::new(config).map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(BasicMethod(auth)))
}

// ---------------------------------------------------------------- jwt

/// Where a `jwt` credential's keys come from: a remote JWKS, or a static set built from a JWKS
/// document and single keys.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct JwtFileSettings {
    /// The verification keys.
    keys: JwtKeysSettings,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct JwtKeysSettings {
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

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StaticJwtKey {
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
struct JwtMethod(JwtVerifier);

impl Method for JwtMethod {
    fn name(&self) -> &'static str {
        "jwt"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        self.0.verify(request, scopes)
    }
    fn authenticate(&self, request: &Request, scopes: &[String]) -> Result<Identity, Denial> {
        self.0
            .verify_claims(request, scopes)
            .map(Identity::from_token)
    }
    fn challenge(&self) -> Option<Challenge> {
        Some(self.0.challenge())
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_jwt(
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
                    keys_at,
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
                    keys_at,
                    "no verification key is configured",
                ));
            }
            Arc::new(set)
        }
    };
    let verifier = JwtVerifier::new(config, source)
        .map_err(|e| built(e, DocPath::root()))?
        .with_revocation_store(ctx.store.clone());
    Ok(Arc::new(JwtMethod(verifier)))
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

// ---------------------------------------------------------------- webhook

#[derive(Debug)]
struct WebhookMethod(WebhookVerifier);

impl Method for WebhookMethod {
    fn name(&self) -> &'static str {
        "webhook"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_webhook(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["secrets", "*"]],
        ReferenceKind::Secret,
    )?;
    let config: WebhookConfig = core_config(object)?;
    let verifier = WebhookVerifier::with_store(config, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(WebhookMethod(verifier)))
}

// ---------------------------------------------------------------- pcs1

#[derive(Debug)]
struct Pcs1Method(HmacVerifier);

impl Method for Pcs1Method {
    fn name(&self) -> &'static str {
        "pcs1"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        Some(self.0.challenge())
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_pcs1(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "secrets_b64", "*"]],
        ReferenceKind::Secret,
    )?;
    let config: HmacConfig = core_config(object)?;
    let verifier = HmacVerifier::with_store(config, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(Pcs1Method(verifier)))
}

// ---------------------------------------------------------------- httpsig

/// The keys of an `httpsig` credential.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct HttpSigFileSettings {
    /// The keys, by `keyid`.
    keys: Vec<HttpSigKeySettings>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct HttpSigKeySettings {
    /// The `keyid` signers send.
    keyid: String,
    /// The key's one algorithm: `hmac-sha256`, `ed25519`, `ecdsa-p256-sha256`,
    /// `ecdsa-p384-sha384`, `rsa-pss-sha512` or `rsa-v1_5-sha256`.
    algorithm: String,
    /// For `hmac-sha256`: the secret, standard base64, as a reference.
    #[serde(default)]
    secret_b64: Option<String>,
    /// For the others: the public key in PEM, inline or a reference.
    #[serde(default)]
    public_pem: Option<String>,
}

#[derive(Debug)]
struct HttpSigMethod(HttpSigVerifier);

impl Method for HttpSigMethod {
    fn name(&self) -> &'static str {
        "httpsig"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify_request(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_httpsig(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "secret_b64"]],
        ReferenceKind::Secret,
    )?;
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "public_pem"]],
        ReferenceKind::Material,
    )?;
    let mut file_value = split::<HttpSigFileSettings>(&mut object);
    let file: Result<HttpSigFileSettings, _> = deserialize_at(&file_value, &DocPath::root());
    wipe(&mut file_value);
    let file = file?;
    let config: HttpSigConfig = core_config(object)?;
    let keyring = HttpSigKeyring::new();
    for (i, key) in file.keys.into_iter().enumerate() {
        let at = DocPath::root().key("keys").index(i);
        let algorithm = HttpSigAlgorithm::from_name(&key.algorithm)
            .map_err(|e| built(e, at.key("algorithm")))?;
        let added = match (key.secret_b64.map(zeroize::Zeroizing::new), key.public_pem) {
            (Some(b64), None) if algorithm == HttpSigAlgorithm::HmacSha256 => {
                use base64::Engine;
                let secret = zeroize::Zeroizing::new(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|_| {
                            ConfigError::new(at.key("secret_b64"), "not standard padded base64")
                        })?,
                );
                keyring.add_hmac_secret(&key.keyid, &secret)
            }
            (None, Some(pem)) if algorithm != HttpSigAlgorithm::HmacSha256 => {
                keyring.add_public_pem(&key.keyid, algorithm, pem.as_bytes())
            }
            _ => {
                return Err(ConfigError::new(
                    at,
                    "hmac-sha256 keys take `secret_b64`, the others `public_pem`",
                ))
            }
        };
        added.map_err(|e| built(e, at))?;
    }
    let verifier = HttpSigVerifier::with_store(config, keyring, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(HttpSigMethod(verifier)))
}

// ---------------------------------------------------------------- mtls

#[derive(Debug)]
struct MtlsMethod(MtlsVerifier);

impl Method for MtlsMethod {
    fn name(&self) -> &'static str {
        "mtls"
    }
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial> {
        require_scopes(self.0.verify(request)?, scopes)
    }
    fn challenge(&self) -> Option<Challenge> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
}

fn build_mtls(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[
            &["trust_anchors", "*"],
            &["intermediates", "*"],
            &["crls", "*"],
        ],
        ReferenceKind::Material,
    )?;
    let config: MtlsConfig = core_config(object)?;
    let verifier = MtlsVerifier::new(config).map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(MtlsMethod(verifier)))
}
