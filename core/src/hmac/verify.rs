//! The PCS1 verifier: configuration, keys and the order of checks (docs/SIGNING.md, section 6).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::decision::{AuthMethod, Challenge, Denial, Principal};
use crate::digest;
use crate::error::{Error, ErrorCode};
use crate::request::Request;
use crate::store::{MemoryStore, ReplayStore};

use super::params::{is_key_id, is_signable_header};
use super::{canonical, check_secret, decode_secret, mac, Algorithm, SignatureParams};

/// Widest clock window accepted, in seconds.
pub const MAX_WINDOW_SECONDS: i64 = 3600;
/// Most active secrets per key id.
pub const MAX_SECRETS_PER_KEY: usize = 16;
/// The replay-store namespace of PCS1 nonces.
const REPLAY_NAMESPACE: &str = "pcs1-hmac";

/// How an [`HmacVerifier`] checks signatures. The same JSON schema in every language.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HmacConfig {
    /// The realm named in the `WWW-Authenticate` challenge.
    pub realm: String,
    /// How far `ts` may be from the verifier's clock, each way (1 to 3600 seconds).
    pub window_seconds: i64,
    /// Headers every signature must cover (lower-cased on load). Default `["host"]`; add
    /// `content-digest` to require a body digest on every request.
    pub required_headers: Vec<String>,
    /// The keys, by key id.
    pub keys: Vec<HmacKeyConfig>,
}

impl Default for HmacConfig {
    fn default() -> Self {
        HmacConfig {
            realm: "api".into(),
            window_seconds: 300,
            required_headers: vec!["host".into()],
            keys: Vec::new(),
        }
    }
}

impl std::fmt::Debug for HmacConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacConfig")
            .field("realm", &self.realm)
            .field("window_seconds", &self.window_seconds)
            .field("required_headers", &self.required_headers)
            .field("keys", &self.keys)
            .finish()
    }
}

impl HmacConfig {
    /// Parses the JSON form of the configuration (missing fields take their defaults).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "HMAC config")
    }
}

/// One key in an [`HmacConfig`]. Its secrets are wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HmacKeyConfig {
    /// The key id clients send as `keyid`.
    pub key_id: String,
    /// The one algorithm this key signs with.
    pub algorithm: Algorithm,
    /// The active secrets, standard padded base64, at least 32 bytes each; a signature under any
    /// of them is accepted (add the new secret, move clients, remove the old one).
    pub secrets_b64: Vec<String>,
    /// The principal's subject; defaults to the key id.
    #[serde(default)]
    pub subject: Option<String>,
    /// Scopes granted to the principal.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl Drop for HmacKeyConfig {
    fn drop(&mut self) {
        self.secrets_b64.zeroize();
    }
}

impl std::fmt::Debug for HmacKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacKeyConfig")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .field("secrets", &self.secrets_b64.len())
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A key a verifier accepts: key id, algorithm, one or more active secrets, the principal's
/// subject and scopes.
#[derive(Clone)]
pub struct VerifyingKey {
    key_id: String,
    algorithm: Algorithm,
    secrets: Vec<Zeroizing<Vec<u8>>>,
    subject: Option<String>,
    scopes: Vec<String>,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .field("secrets", &self.secrets.len())
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl VerifyingKey {
    /// A key with one secret (at least 32 bytes, else `signature_secret_invalid`); the key id
    /// must match `[A-Za-z0-9._~+/=:@-]{1,128}` (`config_invalid`).
    pub fn new(key_id: &str, algorithm: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        if !is_key_id(key_id) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "key id is not 1-128 of [A-Za-z0-9._~+/=:@-]",
            ));
        }
        check_secret(secret)?;
        Ok(VerifyingKey {
            key_id: key_id.to_owned(),
            algorithm,
            secrets: vec![Zeroizing::new(secret.to_vec())],
            subject: None,
            scopes: Vec::new(),
        })
    }

    /// Adds another active secret (rotation).
    pub fn with_secret(mut self, secret: &[u8]) -> Result<Self, Error> {
        check_secret(secret)?;
        if self.secrets.len() >= MAX_SECRETS_PER_KEY {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("at most {MAX_SECRETS_PER_KEY} secrets per key"),
            ));
        }
        self.secrets.push(Zeroizing::new(secret.to_vec()));
        Ok(self)
    }

    /// Sets the principal's subject (default: the key id).
    pub fn with_subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }

    /// Sets the scopes granted to the principal.
    pub fn with_scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = scopes;
        self
    }

    /// The key from its configuration form.
    pub fn from_config(config: &HmacKeyConfig) -> Result<Self, Error> {
        let mut secrets = config.secrets_b64.iter();
        let Some(first) = secrets.next() else {
            return Err(Error::new(
                ErrorCode::SignatureSecretInvalid,
                format!("key {} has no secret", config.key_id),
            ));
        };
        let mut key = VerifyingKey::new(&config.key_id, config.algorithm, &decode_secret(first)?)?;
        for secret in secrets {
            key = key.with_secret(&decode_secret(secret)?)?;
        }
        key.subject = config.subject.clone();
        key.scopes = config.scopes.clone();
        Ok(key)
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// True when `signature` is the MAC of `canonical` under any of the secrets. Every secret is
    /// tried, and each comparison is constant time.
    fn matches(&self, canonical: &[u8], signature: &[u8]) -> Result<bool, Error> {
        let mut any = Choice::from(0);
        for secret in &self.secrets {
            let expected = mac(self.algorithm, secret, canonical)?;
            let same_len = Choice::from(u8::from(expected.len() == signature.len()));
            any |= same_len & expected.ct_eq(signature);
        }
        Ok(any.into())
    }
}

/// Verifies PCS1 signatures. Thread-safe: verify from any number of threads while others insert
/// or remove keys.
pub struct HmacVerifier {
    realm: String,
    window: i64,
    required_headers: Vec<String>,
    keys: RwLock<HashMap<String, Arc<VerifyingKey>>>,
    store: Arc<dyn ReplayStore>,
}

impl std::fmt::Debug for HmacVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacVerifier")
            .field("realm", &self.realm)
            .field("window_seconds", &self.window)
            .field("required_headers", &self.required_headers)
            .field("keys", &self.len())
            .field("store", &self.store)
            .finish()
    }
}

impl HmacVerifier {
    /// A verifier with an in-memory replay store.
    pub fn new(config: HmacConfig) -> Result<Self, Error> {
        Self::with_store(config, Arc::new(MemoryStore::default()))
    }

    /// A verifier whose nonces live in `store` (share one store between instances of a service).
    pub fn with_store(config: HmacConfig, store: Arc<dyn ReplayStore>) -> Result<Self, Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        if !(1..=MAX_WINDOW_SECONDS).contains(&config.window_seconds) {
            return invalid(format!(
                "window_seconds must be 1 to {MAX_WINDOW_SECONDS}, got {}",
                config.window_seconds
            ));
        }
        let mut required_headers: Vec<String> = Vec::new();
        for name in &config.required_headers {
            let name = name.to_ascii_lowercase();
            if !is_signable_header(&name) || required_headers.contains(&name) {
                return invalid(format!(
                    "required header {name:?} is not a token, is repeated or is authorization"
                ));
            }
            required_headers.push(name);
        }
        let mut keys = HashMap::new();
        for key in &config.keys {
            let key = VerifyingKey::from_config(key)?;
            let id = key.key_id.clone();
            if keys.insert(id.clone(), Arc::new(key)).is_some() {
                return invalid(format!("key id {id} appears twice"));
            }
        }
        Ok(HmacVerifier {
            realm: config.realm.clone(),
            window: config.window_seconds,
            required_headers,
            keys: RwLock::new(keys),
            store,
        })
    }

    /// A verifier from the JSON form of [`HmacConfig`].
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::new(HmacConfig::from_json(json)?)
    }

    /// Adds a key, replacing any key with the same id.
    pub fn insert_key(&self, key: VerifyingKey) {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        keys.insert(key.key_id.clone(), Arc::new(key));
    }

    /// Removes a key; true if it was there.
    pub fn remove_key(&self, key_id: &str) -> bool {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        keys.remove(key_id).is_some()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when no key is configured.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Verifies the PCS1 signature of `request`.
    pub fn verify(&self, request: &Request) -> Result<Principal, Denial> {
        let mut algorithm = None;
        self.check(request, &mut algorithm)
            .map_err(|e| self.deny(e, algorithm))
    }

    fn check(
        &self,
        request: &Request,
        seen_algorithm: &mut Option<Algorithm>,
    ) -> Result<Principal, Error> {
        let fail = |code, what: &'static str| Err(Error::new(code, what));
        let auth = request
            .authorization()
            .map_err(|d| d.error().clone())?
            .ok_or_else(|| Error::new(ErrorCode::SignatureMissing, "no Authorization header"))?;
        let algorithm = Algorithm::from_scheme(auth.scheme)?;
        *seen_algorithm = Some(algorithm);
        let params = SignatureParams::parse_credentials(algorithm, auth.credentials)?;
        let key = {
            let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
            keys.get(&params.key_id).cloned()
        };
        let Some(key) = key else {
            return fail(ErrorCode::SignatureKeyUnknown, "unknown key id");
        };
        if key.algorithm != params.algorithm {
            return fail(
                ErrorCode::SignatureAlgorithmUnsupported,
                "the scheme's algorithm is not the key's",
            );
        }
        let now = request.now();
        if now.saturating_sub(params.timestamp) > self.window {
            return fail(ErrorCode::SignatureExpired, "ts is older than the window");
        }
        if params.timestamp.saturating_sub(now) > self.window {
            return fail(
                ErrorCode::SignatureNotYetValid,
                "ts is further ahead than the window",
            );
        }
        let signs = |name: &str| params.headers.iter().any(|h| h == name);
        if let Some(name) = self.required_headers.iter().find(|h| !signs(h)) {
            return Err(Error::new(
                ErrorCode::SignatureComponentMissing,
                format!("required header {name} is not signed"),
            ));
        }
        let body = request.body();
        if body.is_some_and(|b| !b.is_empty()) && !signs("content-digest") {
            return fail(
                ErrorCode::SignatureComponentMissing,
                "the request has a body but Content-Digest is not signed",
            );
        }
        if body.is_none() && declares_body(request) {
            return fail(
                ErrorCode::SignatureBodyMissing,
                "the request declares a body but the host supplied none",
            );
        }
        let canonical = canonical::build(request, &params, None)?;
        if !key.matches(&canonical, &params.signature)? {
            return fail(ErrorCode::SignatureMismatch, "no secret of the key matches");
        }
        if signs("content-digest") {
            let value: Vec<&[u8]> = request.header_values("content-digest").collect();
            digest::verify_content_digest(&value.join(&b","[..]), body)?;
        }
        let mut replay_key = Vec::with_capacity(params.key_id.len() + 1 + params.nonce.len());
        replay_key.extend_from_slice(params.key_id.as_bytes());
        replay_key.push(b'\n');
        replay_key.extend_from_slice(params.nonce.as_bytes());
        let expires_at = params.timestamp.saturating_add(self.window + 1);
        let fresh = self
            .store
            .remember(REPLAY_NAMESPACE, &replay_key, expires_at, now)
            .map_err(|e| Error::new(ErrorCode::StoreUnavailable, e.detail().to_owned()))?;
        if !fresh {
            return fail(ErrorCode::SignatureReplayed, "nonce already seen");
        }
        let mut claims = Map::new();
        claims.insert("algorithm".into(), algorithm.name().into());
        claims.insert("nonce".into(), params.nonce.clone().into());
        claims.insert("timestamp".into(), params.timestamp.into());
        claims.insert(
            "signed_headers".into(),
            Value::Array(params.headers.iter().cloned().map(Value::from).collect()),
        );
        Ok(Principal {
            subject: key.subject.clone().unwrap_or_else(|| key.key_id.clone()),
            method: AuthMethod::Hmac,
            credential_id: Some(key.key_id.clone()),
            scopes: key.scopes.clone(),
            claims,
            expires_at: None,
        })
    }

    /// The challenge for a request that carries no signature.
    pub fn challenge(&self) -> Challenge {
        self.deny(
            Error::new(ErrorCode::SignatureMissing, "no signature"),
            None,
        )
        .challenge()
        .cloned()
        .unwrap_or_else(|| Challenge::new(Algorithm::HmacSha256.scheme()))
    }

    /// A denial with the PCS1 challenge: `<scheme> realm="...", headers="..."`, plus `error` and
    /// `error_description` once a signature was presented.
    fn deny(&self, error: Error, algorithm: Option<Algorithm>) -> Denial {
        let scheme = algorithm.unwrap_or(Algorithm::HmacSha256).scheme();
        let mut challenge = Challenge::new(scheme)
            .param("realm", self.realm.clone())
            .param("headers", self.required_headers.join(";"));
        let error_param = match error.code() {
            ErrorCode::SignatureMissing | ErrorCode::StoreUnavailable => None,
            ErrorCode::SignatureMalformed
            | ErrorCode::HeaderMalformed
            | ErrorCode::CredentialsAmbiguous
            | ErrorCode::RequestInvalid
            | ErrorCode::SignatureBodyMissing => Some("invalid_request"),
            _ => Some("invalid_signature"),
        };
        if let Some(e) = error_param {
            challenge = challenge
                .param("error", e)
                .param("error_description", error.code().public_message());
        }
        Denial::from(error).with_challenge(challenge)
    }
}

/// True when the framing headers say a body was sent: a `Transfer-Encoding`, or a
/// `Content-Length` other than `0`.
fn declares_body(request: &Request) -> bool {
    request.header_values("transfer-encoding").next().is_some()
        || request
            .header_values("content-length")
            .any(|v| v.iter().any(|&b| b != b'0'))
}
