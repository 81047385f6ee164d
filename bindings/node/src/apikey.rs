//! API keys: `ApiKeyRecord` and `ApiKeyRing`.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::{Map, Value};

use portcullis::apikey::{self as core, ApiKeyConfig, ApiKeyOptions};

use crate::errors::{unix_seconds, OrThrow, Principal};
use crate::options;
use crate::request::Request;

/// How a keyring reads keys and what it accepts (`ApiKeyConfig` in the core). Absent fields
/// take the core's defaults; `null` turns an optional source off.
#[napi(object, object_to_js = false)]
pub struct ApiKeyRingOptions {
    /// At least 32 secret bytes, kept outside the database, that key the digests.
    pub pepper: Buffer,
    /// The key prefix (`[a-z][a-z0-9]{0,15}`), default `pc`.
    pub prefix: Option<String>,
    /// The environment accepted and issued (`live`, `test`); `null` (the default) accepts keys
    /// without an environment only.
    #[napi(ts_type = "string | null")]
    pub environment: Option<String>,
    /// Read `Authorization: Bearer <key>` (default true).
    pub bearer: Option<bool>,
    /// Read the key from this header (default `x-api-key`); `null` turns it off.
    #[napi(ts_type = "string | null")]
    pub header: Option<String>,
    /// Read the key from this query parameter (default off).
    #[napi(ts_type = "string | null")]
    pub query: Option<String>,
    /// The realm named in the `WWW-Authenticate` challenge (default `api`).
    pub realm: Option<String>,
}

/// What to put in a new key's record.
#[napi(object, object_to_js = false)]
pub struct GenerateOptions {
    /// Environment label; defaults to the ring's environment.
    pub environment: Option<String>,
    /// Owner of the key (the principal's subject).
    pub subject: Option<String>,
    /// Scopes the key grants.
    pub scopes: Option<Vec<String>>,
    /// Expiry, Unix seconds.
    pub expires_at: Option<i64>,
    /// Free-form JSON data returned in the principal's claims.
    pub metadata: Option<Map<String, Value>>,
    /// Creation time, Unix seconds; defaults to the system clock.
    pub now: Option<i64>,
}

/// How to rotate a key.
#[napi(object)]
pub struct RotateOptions {
    /// Seconds the old key keeps working after `now`.
    pub overlap: f64,
    /// The rotation time, Unix seconds; defaults to the system clock.
    pub now: Option<f64>,
}

/// What a service stores for one API key: never the key itself.
#[napi]
#[derive(Clone)]
pub struct ApiKeyRecord {
    pub(crate) inner: core::ApiKeyRecord,
}

#[napi]
impl ApiKeyRecord {
    /// Parses a record from its JSON form (throws `json_invalid` or `apikey_record_invalid`).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        let inner = core::ApiKeyRecord::from_json(&json).or_throw(&env)?;
        Ok(ApiKeyRecord { inner })
    }

    /// The record as JSON text (what to store).
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Public identifier of the key (`ak_...`): safe to log and show.
    #[napi(catch_unwind, getter)]
    pub fn key_id(&self) -> String {
        self.inner.key_id.clone()
    }

    /// `HMAC-SHA256(pepper, key)` as lower-case hex: the lookup index of the key.
    #[napi(catch_unwind, getter)]
    pub fn digest(&self) -> String {
        self.inner.digest_hex()
    }

    /// The prefix the key carries.
    #[napi(catch_unwind, getter)]
    pub fn prefix(&self) -> String {
        self.inner.prefix.clone()
    }

    /// The environment the key carries, or `null`.
    #[napi(catch_unwind, getter)]
    pub fn environment(&self) -> Option<String> {
        self.inner.environment.clone()
    }

    /// Who owns the key, or `null` (the principal's subject is then the key id).
    #[napi(catch_unwind, getter)]
    pub fn subject(&self) -> Option<String> {
        self.inner.subject.clone()
    }

    /// Scopes the key grants.
    #[napi(catch_unwind, getter)]
    pub fn scopes(&self) -> Vec<String> {
        self.inner.scopes.clone()
    }

    /// Creation time, Unix seconds.
    #[napi(catch_unwind, getter)]
    pub fn created_at(&self) -> i64 {
        self.inner.created_at
    }

    /// Expiry, Unix seconds, or `null`.
    #[napi(catch_unwind, getter)]
    pub fn expires_at(&self) -> Option<i64> {
        self.inner.expires_at
    }

    /// Revocation time, Unix seconds, or `null`.
    #[napi(catch_unwind, getter)]
    pub fn revoked_at(&self) -> Option<i64> {
        self.inner.revoked_at
    }

    /// Key id of the key that replaced this one, or `null`.
    #[napi(catch_unwind, getter)]
    pub fn successor(&self) -> Option<String> {
        self.inner.successor.clone()
    }

    /// Free-form data attached to the key.
    #[napi(catch_unwind, getter)]
    pub fn metadata(&self) -> Map<String, Value> {
        self.inner.metadata.clone()
    }
}

/// A key as issued: the key (show it to its owner once) and the record to store.
#[napi(object, object_from_js = false)]
pub struct IssuedApiKey {
    /// The API key.
    pub key: String,
    /// What to store.
    pub record: ApiKeyRecord,
}

impl From<core::IssuedApiKey> for IssuedApiKey {
    fn from(issued: core::IssuedApiKey) -> Self {
        IssuedApiKey {
            key: issued.key.expose().to_owned(),
            record: ApiKeyRecord {
                inner: issued.record,
            },
        }
    }
}

/// The result of a rotation: the new key and the old record, updated.
#[napi(object, object_from_js = false)]
pub struct Rotation {
    /// The new key and its record.
    pub issued: IssuedApiKey,
    /// The old record with its successor set and its expiry moved to the end of the overlap.
    pub previous: ApiKeyRecord,
}

/// A set of API key records and the rules to check keys against them.
#[napi]
pub struct ApiKeyRing {
    // Shared: a gate's ring (`Gate.apiKeyRing`) is the gate's own, not a copy.
    inner: Arc<core::ApiKeyRing>,
}

impl ApiKeyRing {
    /// Wraps a ring the core already holds (a gate credential's).
    pub(crate) fn shared(inner: Arc<core::ApiKeyRing>) -> Self {
        ApiKeyRing { inner }
    }
}

fn scopes_of(scopes: &Option<Vec<String>>) -> &[String] {
    scopes.as_deref().unwrap_or_default()
}

#[napi]
impl ApiKeyRing {
    /// A ring from an options object (throws `config_invalid` or `json_invalid`).
    #[napi(catch_unwind, constructor, ts_args_type = "options: ApiKeyRingOptions")]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let options = options::object(options)?;
        let pepper = options::buffer(&options, "pepper")?;
        let config = options::config_of(&env, &options, &["pepper"], ApiKeyConfig::from_json)?;
        let inner = core::ApiKeyRing::new(&pepper, config).or_throw(&env)?;
        Ok(ApiKeyRing::shared(Arc::new(inner)))
    }

    /// A ring from the configuration's JSON text (the same schema in every language).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, config_json: String, pepper: Buffer) -> Result<Self> {
        let config = ApiKeyConfig::from_json(&config_json).or_throw(&env)?;
        let inner = core::ApiKeyRing::new(&pepper, config).or_throw(&env)?;
        Ok(ApiKeyRing::shared(Arc::new(inner)))
    }

    /// Mints a key. The record is not added to the ring: call `insert` for that.
    #[napi(catch_unwind, ts_args_type = "options?: GenerateOptions")]
    pub fn generate(&self, env: Env, options: Option<Unknown>) -> Result<IssuedApiKey> {
        let options = options::config(&env, options, ApiKeyOptions::from_json)?;
        Ok(self.inner.generate(&options).or_throw(&env)?.into())
    }

    /// Replaces the key of `record` with a new one; the old key keeps working for `overlap`
    /// seconds. Store (and insert) both returned records.
    #[napi(catch_unwind)]
    pub fn rotate(
        &self,
        env: Env,
        record: &ApiKeyRecord,
        options: RotateOptions,
    ) -> Result<Rotation> {
        let overlap = unix_seconds(options.overlap, "overlap").or_throw(&env)?;
        let now = options
            .now
            .map(|n| unix_seconds(n, "now"))
            .transpose()
            .or_throw(&env)?;
        let (issued, previous) = self
            .inner
            .rotate(&record.inner, overlap, now)
            .or_throw(&env)?;
        Ok(Rotation {
            issued: issued.into(),
            previous: ApiKeyRecord { inner: previous },
        })
    }

    /// Adds a record, replacing any record with the same key id.
    #[napi(catch_unwind)]
    pub fn insert(&self, env: Env, record: &ApiKeyRecord) -> Result<()> {
        self.inner.insert(record.inner.clone()).or_throw(&env)
    }

    /// Removes a record; true if it was there.
    #[napi(catch_unwind)]
    pub fn remove(&self, key_id: String) -> bool {
        self.inner.remove(&key_id)
    }

    /// Marks a record revoked from `at` (Unix seconds; the system clock when absent) and
    /// returns the updated record, for the caller to persist.
    #[napi(catch_unwind)]
    pub fn revoke(&self, env: Env, key_id: String, at: Option<f64>) -> Result<ApiKeyRecord> {
        let at = at
            .map(|t| unix_seconds(t, "at"))
            .transpose()
            .or_throw(&env)?;
        let inner = self.inner.revoke(&key_id, at).or_throw(&env)?;
        Ok(ApiKeyRecord { inner })
    }

    /// The record with this key id, or `null`.
    #[napi(catch_unwind)]
    pub fn get(&self, key_id: String) -> Option<ApiKeyRecord> {
        self.inner.get(&key_id).map(|inner| ApiKeyRecord { inner })
    }

    /// Number of records.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Verifies the key in `request` against the ring's records and the required `scopes`.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        env: Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Principal> {
        let principal = self
            .inner
            .verify(&request.inner, scopes_of(&scopes))
            .or_throw(&env)?;
        Ok(principal.into())
    }

    /// Verifies the key in `request` against `record`, fetched by the caller (by the digest
    /// `lookupDigest` returns).
    #[napi(catch_unwind)]
    pub fn verify_record(
        &self,
        env: Env,
        request: &Request,
        record: &ApiKeyRecord,
        scopes: Option<Vec<String>>,
    ) -> Result<Principal> {
        let principal = self
            .inner
            .verify_record(&request.inner, &record.inner, scopes_of(&scopes))
            .or_throw(&env)?;
        Ok(principal.into())
    }

    /// Checks a key's shape, prefix, checksum and environment offline; returns the key's
    /// environment (or `null`), throws when the key cannot be valid.
    #[napi(catch_unwind)]
    pub fn check_format(&self, env: Env, key: String) -> Result<Option<String>> {
        let parsed = self.inner.check_format(&key).or_throw(&env)?;
        Ok(parsed.environment.map(str::to_owned))
    }

    /// The hex digest of the key in `request`, after the offline checks: the value to look the
    /// record up by in the caller's database.
    #[napi(catch_unwind)]
    pub fn lookup_digest(&self, env: Env, request: &Request) -> Result<String> {
        self.inner.lookup_digest(&request.inner).or_throw(&env)
    }

    /// The regular expression secret scanners use to find this ring's keys.
    #[napi(catch_unwind)]
    pub fn scanner_regex(&self) -> String {
        self.inner.scanner_regex()
    }
}
