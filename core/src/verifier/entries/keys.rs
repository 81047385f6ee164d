//! `api_key` and `basic` credentials.

use std::any::Any;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{built, core_config, secret_fields, split};
use crate::config::{deserialize_at, wipe, ConfigError, DocPath, ReferenceKind};
use crate::decision::{Challenge, Denial, Principal};
use crate::request::Request;
use crate::verifier::{require_scopes, BuildContext, Method};
use std::path::PathBuf;

use crate::apikey::{ApiKeyConfig, ApiKeyRecord, ApiKeyRing};
use crate::basic::{parse_credentials, BasicAuth, BasicConfig};
use crate::error::Error;

// ---------------------------------------------------------------- api_key

/// Members of an `api_key` credential that exist only in a configuration file.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ApiKeyFileSettings {
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

pub(super) fn build_api_key(
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
    fn may_block(&self) -> bool {
        // A password hash: tens of milliseconds by design.
        true
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

pub(super) fn build_basic(
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
