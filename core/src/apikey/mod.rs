//! API keys: generation, offline format checks, peppered digests, a thread-safe keyring,
//! verification against the ring or against a record the caller fetched from its own database.
//!
//! Order of checks on every verify, cheapest first: locate the key in the request (duplicates
//! refused), shape, prefix and checksum (offline: a typo costs no lookup), environment, then the
//! digest lookup, a constant-time digest comparison, revocation, expiry or rotation, scopes.

mod format;
mod record;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::decision::{AuthMethod, Challenge, Denial, Principal};
use crate::encoding::{hex_encode, random_base62};
use crate::error::{Error, ErrorCode};
use crate::request::{unix_now, Request};

pub use format::{scanner_regex, ParsedKey, BODY_LEN, CHECKSUM_LEN, MAX_KEY_LEN, RANDOM_LEN};
pub use record::{ApiKeyRecord, IssuedApiKey};

const NO_SCOPES: &[&str] = &[];

/// Shortest pepper accepted, in bytes.
pub const MIN_PEPPER_LEN: usize = 32;

/// How a keyring reads keys and what it accepts. The same JSON schema in every language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ApiKeyConfig {
    /// The key prefix (`[a-z][a-z0-9]{0,15}`), e.g. `pc` for `pc_live_...`.
    pub prefix: String,
    /// The environment this service accepts and issues by default (`live`, `test`); keys of
    /// another environment are refused. `None` accepts keys without an environment only.
    pub environment: Option<String>,
    /// Read `Authorization: Bearer <key>`.
    pub bearer: bool,
    /// Read the key from this header (e.g. `X-API-Key`); `None` turns it off.
    pub header: Option<String>,
    /// Read the key from this query parameter; off by default since URLs end up in logs.
    pub query: Option<String>,
    /// The realm named in the `WWW-Authenticate` challenge.
    pub realm: String,
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        ApiKeyConfig {
            prefix: "pc".into(),
            environment: None,
            bearer: true,
            header: Some("x-api-key".into()),
            query: None,
            realm: "api".into(),
        }
    }
}

impl ApiKeyConfig {
    /// Parses the JSON form of the configuration (missing fields take their defaults).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "API key config")
    }
}

/// What to put in a new key's record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiKeyOptions {
    /// Environment label; defaults to the ring's environment.
    pub environment: Option<String>,
    /// Owner of the key (the principal's subject).
    pub subject: Option<String>,
    /// Scopes the key grants.
    pub scopes: Vec<String>,
    /// Expiry, Unix seconds.
    pub expires_at: Option<i64>,
    /// Free-form data returned in the principal.
    pub metadata: Map<String, Value>,
    /// Creation time, Unix seconds; defaults to the system clock.
    pub now: Option<i64>,
}

impl ApiKeyOptions {
    /// Parses the JSON form of the options.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "API key options")
    }
}

#[derive(Default)]
struct Index {
    by_digest: HashMap<[u8; 32], Arc<ApiKeyRecord>>,
    by_id: HashMap<String, [u8; 32]>,
}

/// A set of API key records and the rules to check keys against them. Thread-safe: verify from
/// any number of threads while others insert, revoke or remove records.
pub struct ApiKeyRing {
    config: ApiKeyConfig,
    mac: Hmac<Sha256>,
    _pepper: Zeroizing<Vec<u8>>,
    index: RwLock<Index>,
}

impl std::fmt::Debug for ApiKeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyRing")
            .field("config", &self.config)
            .field("records", &self.len())
            .finish_non_exhaustive()
    }
}

impl ApiKeyRing {
    /// A ring for `config`, with `pepper` (at least 32 secret bytes, kept outside the database)
    /// keying the digests.
    pub fn new(pepper: &[u8], config: ApiKeyConfig) -> Result<Self, Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        if pepper.len() < MIN_PEPPER_LEN {
            return invalid(format!(
                "pepper must be at least {MIN_PEPPER_LEN} bytes, got {}",
                pepper.len()
            ));
        }
        if !format::is_label(&config.prefix) {
            return invalid("prefix must match [a-z][a-z0-9]{0,15}".into());
        }
        if !config.environment.as_deref().is_none_or(format::is_label) {
            return invalid("environment must match [a-z][a-z0-9]{0,15}".into());
        }
        if !config.bearer && config.header.is_none() && config.query.is_none() {
            return invalid("no key source is enabled (bearer, header, query)".into());
        }
        if let Some(h) = &config.header {
            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return invalid(format!("header name {h:?} is not a valid field name"));
            }
        }
        if config.query.as_deref() == Some("") {
            return invalid("query parameter name is empty".into());
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(pepper)
            .map_err(|_| Error::new(ErrorCode::ConfigInvalid, "pepper rejected by HMAC"))?;
        Ok(ApiKeyRing {
            config,
            mac,
            _pepper: Zeroizing::new(pepper.to_vec()),
            index: RwLock::new(Index::default()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ApiKeyConfig {
        &self.config
    }

    /// The regular expression secret scanners use to find this ring's keys.
    pub fn scanner_regex(&self) -> String {
        scanner_regex(&self.config.prefix)
    }

    /// Mints a key. Returns the key (show it once) and the record to store; the record is not
    /// added to this ring (call [`ApiKeyRing::insert`] for that).
    pub fn generate(&self, options: &ApiKeyOptions) -> Result<IssuedApiKey, Error> {
        let environment = options
            .environment
            .clone()
            .or_else(|| self.config.environment.clone());
        if let Some(env) = &environment {
            if !format::is_label(env) {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    "environment must match [a-z][a-z0-9]{0,15}",
                ));
            }
        }
        let key = format::generate(&self.config.prefix, environment.as_deref())?;
        let record = ApiKeyRecord {
            key_id: format!("ak_{}", random_base62(16)?),
            digest: self.digest_of(&key),
            prefix: self.config.prefix.clone(),
            environment,
            subject: options.subject.clone(),
            scopes: options.scopes.clone(),
            created_at: options.now.unwrap_or_else(unix_now),
            expires_at: options.expires_at,
            revoked_at: None,
            successor: None,
            metadata: options.metadata.clone(),
        };
        record
            .validate()
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, e.detail().to_owned()))?;
        Ok(IssuedApiKey {
            key: key.into(),
            record,
        })
    }

    /// Replaces the key of `old` with a new one that inherits its subject, scopes, environment,
    /// metadata and lifetime. Returns the new key and `old` updated: its successor is set and it
    /// expires `overlap_seconds` after `now` (or earlier if it already did), so clients have
    /// that long to switch. Store both records (and insert both into a ring that holds them).
    pub fn rotate(
        &self,
        old: &ApiKeyRecord,
        overlap_seconds: i64,
        now: Option<i64>,
    ) -> Result<(IssuedApiKey, ApiKeyRecord), Error> {
        let now = now.unwrap_or_else(unix_now);
        if overlap_seconds < 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "overlap must not be negative",
            ));
        }
        if old.revoked_at.is_some() {
            return Err(Error::new(
                ErrorCode::ApiKeyRevoked,
                "a revoked key cannot be rotated",
            ));
        }
        if old.successor.is_some() {
            return Err(Error::new(
                ErrorCode::ApiKeyRotated,
                "the key was already rotated",
            ));
        }
        let lifetime = old.expires_at.map(|e| e.saturating_sub(old.created_at));
        let issued = self.generate(&ApiKeyOptions {
            environment: old.environment.clone(),
            subject: old.subject.clone(),
            scopes: old.scopes.clone(),
            expires_at: lifetime.map(|l| now.saturating_add(l)),
            metadata: old.metadata.clone(),
            now: Some(now),
        })?;
        let mut updated = old.clone();
        updated.successor = Some(issued.record.key_id.clone());
        let overlap_end = now.saturating_add(overlap_seconds);
        updated.expires_at = Some(
            updated
                .expires_at
                .map_or(overlap_end, |e| e.min(overlap_end)),
        );
        Ok((issued, updated))
    }

    /// Adds a record, replacing any record with the same key id.
    pub fn insert(&self, record: ApiKeyRecord) -> Result<(), Error> {
        record.validate()?;
        if record.prefix != self.config.prefix {
            return Err(Error::new(
                ErrorCode::ApiKeyRecordInvalid,
                "record prefix differs from the ring's",
            ));
        }
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(old_digest) = index.by_id.remove(&record.key_id) {
            index.by_digest.remove(&old_digest);
        }
        if let Some(clash) = index.by_digest.get(&record.digest) {
            let clash_id = clash.key_id.clone();
            index.by_id.remove(&clash_id);
        }
        index.by_id.insert(record.key_id.clone(), record.digest);
        index.by_digest.insert(record.digest, Arc::new(record));
        Ok(())
    }

    /// Removes a record; true if it was there.
    pub fn remove(&self, key_id: &str) -> bool {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        match index.by_id.remove(key_id) {
            Some(digest) => index.by_digest.remove(&digest).is_some(),
            None => false,
        }
    }

    /// Marks a record revoked from `at` (Unix seconds; the system clock when `None`). Returns
    /// the updated record, for the caller to persist.
    pub fn revoke(&self, key_id: &str, at: Option<i64>) -> Result<ApiKeyRecord, Error> {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        let digest = *index
            .by_id
            .get(key_id)
            .ok_or_else(|| Error::new(ErrorCode::ApiKeyUnknown, "no record with this key id"))?;
        let slot = index
            .by_digest
            .get_mut(&digest)
            .ok_or_else(|| Error::new(ErrorCode::Internal, "keyring index out of step"))?;
        let mut updated = ApiKeyRecord::clone(slot);
        updated.revoked_at = Some(at.unwrap_or_else(unix_now));
        *slot = Arc::new(updated.clone());
        Ok(updated)
    }

    /// The record with this key id, if present.
    pub fn get(&self, key_id: &str) -> Option<ApiKeyRecord> {
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let digest = index.by_id.get(key_id)?;
        index.by_digest.get(digest).map(|r| ApiKeyRecord::clone(r))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .by_digest
            .len()
    }

    /// True when the ring holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks a key's shape, prefix, checksum and environment offline (no lookup).
    pub fn check_format<'k>(&self, key: &'k str) -> Result<ParsedKey<'k>, Error> {
        let parsed = format::parse(key, &self.config.prefix)?;
        if parsed.environment != self.config.environment.as_deref() {
            return Err(Error::new(
                ErrorCode::ApiKeyEnvironmentMismatch,
                format!(
                    "key environment {:?} is not the accepted {:?}",
                    parsed.environment, self.config.environment
                ),
            ));
        }
        Ok(parsed)
    }

    /// The hex digest of the key in `request`, after the offline checks: the value to look the
    /// record up by in the caller's own database before [`ApiKeyRing::verify_record`].
    pub fn lookup_digest(&self, request: &Request) -> Result<String, Denial> {
        let key = self.locate(request)?;
        self.check_format(key)
            .map_err(|e| self.deny(e, NO_SCOPES))?;
        Ok(hex_encode(&self.digest_of(key)))
    }

    /// Verifies the key in `request` against this ring's records and `required_scopes`.
    pub fn verify<S: AsRef<str>>(
        &self,
        request: &Request,
        required_scopes: &[S],
    ) -> Result<Principal, Denial> {
        let key = self.locate(request)?;
        self.check_format(key)
            .map_err(|e| self.deny(e, required_scopes))?;
        let digest = self.digest_of(key);
        let record = {
            let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
            index.by_digest.get(&digest).cloned()
        };
        let record = record.ok_or_else(|| {
            self.deny(
                Error::new(ErrorCode::ApiKeyUnknown, "no record for this key"),
                required_scopes,
            )
        })?;
        self.accept(&digest, &record, request.now(), required_scopes)
    }

    /// Verifies the key in `request` against `record`, fetched by the caller (see
    /// [`ApiKeyRing::lookup_digest`]).
    pub fn verify_record<S: AsRef<str>>(
        &self,
        request: &Request,
        record: &ApiKeyRecord,
        required_scopes: &[S],
    ) -> Result<Principal, Denial> {
        let key = self.locate(request)?;
        self.check_format(key)
            .map_err(|e| self.deny(e, required_scopes))?;
        record
            .validate()
            .map_err(|e| self.deny(e, required_scopes))?;
        self.accept(&self.digest_of(key), record, request.now(), required_scopes)
    }

    fn digest_of(&self, key: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(key.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Finds the key in the configured places, in order: bearer, header, query.
    fn locate<'r>(&self, request: &'r Request) -> Result<&'r str, Denial> {
        let malformed = |code, what: &'static str| self.deny(Error::new(code, what), NO_SCOPES);
        if self.config.bearer {
            if let Some(token) = request.bearer_token().map_err(|d| self.rechallenge(d))? {
                return Ok(token);
            }
        }
        if let Some(name) = &self.config.header {
            if let Some(value) = request
                .single_header(name)
                .map_err(|d| self.rechallenge(d))?
            {
                return std::str::from_utf8(value).map_err(|_| {
                    malformed(ErrorCode::ApiKeyMalformed, "API key header is not UTF-8")
                });
            }
        }
        if let Some(name) = &self.config.query {
            let mut values = request.query_values(name).into_iter();
            if let Some(first) = values.next() {
                if values.next().is_some() {
                    return Err(malformed(
                        ErrorCode::CredentialsAmbiguous,
                        "API key query parameter appears more than once",
                    ));
                }
                // A percent-decoded value that differs from the raw text is not a key anyway:
                // keys are plain ASCII, so only the borrowed form can pass.
                return match first {
                    std::borrow::Cow::Borrowed(s) => Ok(s),
                    std::borrow::Cow::Owned(_) => Err(malformed(
                        ErrorCode::ApiKeyMalformed,
                        "API key query parameter is percent-encoded",
                    )),
                };
            }
        }
        Err(malformed(
            ErrorCode::CredentialsMissing,
            "no API key in the request",
        ))
    }

    fn accept<S: AsRef<str>>(
        &self,
        digest: &[u8; 32],
        record: &ApiKeyRecord,
        now: i64,
        required_scopes: &[S],
    ) -> Result<Principal, Denial> {
        let deny = |code, what: &'static str| self.deny(Error::new(code, what), required_scopes);
        if !bool::from(record.digest.ct_eq(digest)) {
            return Err(deny(
                ErrorCode::ApiKeyRecordInvalid,
                "the record does not belong to this key",
            ));
        }
        if record.prefix != self.config.prefix || record.environment != self.config.environment {
            return Err(deny(
                ErrorCode::ApiKeyRecordInvalid,
                "the record's prefix or environment differs from the key's",
            ));
        }
        if record.revoked_at.is_some_and(|t| now >= t) {
            return Err(deny(ErrorCode::ApiKeyRevoked, "key revoked"));
        }
        if record.expires_at.is_some_and(|t| now >= t) {
            return Err(if record.successor.is_some() {
                deny(ErrorCode::ApiKeyRotated, "key rotated; overlap window over")
            } else {
                deny(ErrorCode::ApiKeyExpired, "key expired")
            });
        }
        if let Some(missing) = required_scopes
            .iter()
            .map(AsRef::as_ref)
            .find(|r| !record.scopes.iter().any(|s| s == r))
        {
            return Err(self.deny(
                Error::new(
                    ErrorCode::ScopeInsufficient,
                    format!("key lacks scope {missing:?}"),
                ),
                required_scopes,
            ));
        }
        let mut claims = Map::new();
        if let Some(env) = &record.environment {
            claims.insert("environment".into(), env.clone().into());
        }
        if let Some(successor) = &record.successor {
            claims.insert("successor".into(), successor.clone().into());
        }
        claims.insert("metadata".into(), Value::Object(record.metadata.clone()));
        Ok(Principal {
            subject: record
                .subject
                .clone()
                .unwrap_or_else(|| record.key_id.clone()),
            method: AuthMethod::ApiKey,
            credential_id: Some(record.key_id.clone()),
            scopes: record.scopes.clone(),
            claims,
            expires_at: record.expires_at,
        })
    }

    /// The challenge for a request that carries no key (RFC 6750, no error).
    pub fn challenge(&self) -> Challenge {
        Challenge::bearer::<&str>(&self.config.realm, ErrorCode::CredentialsMissing, &[])
    }

    /// A denial with the RFC 6750 challenge for `error`.
    fn deny<S: AsRef<str>>(&self, error: Error, required_scopes: &[S]) -> Denial {
        let challenge = Challenge::bearer(&self.config.realm, error.code(), required_scopes);
        Denial::from(error).with_challenge(challenge)
    }

    fn rechallenge(&self, denial: Denial) -> Denial {
        self.deny(denial.error().clone(), NO_SCOPES)
    }
}

#[cfg(test)]
mod tests;
