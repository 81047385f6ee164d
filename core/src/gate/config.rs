//! The gate's configuration document: its serde types (also the source of its JSON Schema).
//!
//! ```toml
//! version = 1
//!
//! [credentials.keys]
//! method = "api_key"
//! pepper = "env:API_KEY_PEPPER"
//! records_file = "keys.jsonl"
//!
//! [credentials.tokens]
//! method = "jwt"
//! issuers = ["https://issuer.example"]
//! audiences = ["orders-api"]
//! keys = { remote = { url = "https://issuer.example/.well-known/jwks.json" } }
//!
//! [[routes]]
//! path = "/orders/{id}"
//! methods = ["GET"]
//! require = { any_of = ["tokens", "keys"] }
//! scopes = ["orders:read"]
//! rate_limits = ["per-caller"]
//!
//! [rate_limits.per-caller]
//! key = "principal"
//! quota = 100
//! window_seconds = 60
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::verifier::ENTRIES;

/// The configuration format's version: the only one there is.
pub const CONFIG_VERSION: u32 = 1;

/// A gate: named credentials, routes that require them, rate limits, lockout, audit.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "portcullis gate configuration")]
pub struct GateConfig {
    /// The format's version (1).
    #[serde(default = "version_one")]
    pub version: u32,
    /// Named credentials: each an instance of a method (`api_key`, `basic`, `jwt`, `webhook`,
    /// `pcs1`, `httpsig`, `mtls`, `oauth2`) with its settings.
    #[schemars(schema_with = "credentials_schema")]
    pub credentials: BTreeMap<String, Value>,
    /// Routes, tried in order; the first whose methods and path match decides. A request that
    /// no route matches is refused (`route_unmatched`).
    pub routes: Vec<RouteConfig>,
    /// Named rate limits that routes refer to.
    #[serde(default)]
    pub rate_limits: BTreeMap<String, RateLimitConfig>,
    /// Brute-force defence: failure counters per source address and per account.
    #[serde(default)]
    pub lockout: LockoutConfig,
    /// Where decisions are recorded.
    #[serde(default)]
    pub audit: AuditConfig,
    /// The in-memory store of replay ids, revocations and counters.
    #[serde(default)]
    pub store: StoreConfig,
}

fn version_one() -> u32 {
    CONFIG_VERSION
}

/// One route.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// A name for audit events and decisions; defaults to `METHODS path`.
    #[serde(default)]
    pub name: Option<String>,
    /// HTTP methods (case-sensitive tokens); empty or `["*"]` for every method. `GET` also
    /// matches `HEAD`.
    #[serde(default)]
    pub methods: Vec<String>,
    /// The path pattern: literal segments, `{name}` for one segment, a final `*` for the rest.
    pub path: String,
    /// Which credentials the route requires, and how they combine.
    #[schemars(schema_with = "requirement_schema")]
    pub require: Value,
    /// Scopes the decision's principal must hold.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Names of rate limits (from `rate_limits`) that apply to this route.
    #[serde(default)]
    pub rate_limits: Vec<String>,
}

/// What a rate limit counts requests by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// All requests to the route together (checked before authentication).
    Route,
    /// Requests from one source address (checked before authentication; needs the request's
    /// peer address, and passes requests without one).
    Address,
    /// Requests of one authenticated principal: credential name and subject (checked after
    /// authentication; anonymous requests are not counted).
    Principal,
}

/// A token bucket: `quota` requests, refilled continuously over `window_seconds`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// What requests are counted by.
    pub key: LimitKey,
    /// Requests allowed in a burst, and per window (1 to 1,000,000).
    pub quota: u32,
    /// The window in seconds (1 to 86,400).
    pub window_seconds: u32,
    /// When the store cannot answer: refuse (`store_unavailable`, the default) or let the
    /// request through unthrottled.
    #[serde(default)]
    pub fail_open: bool,
}

/// Failure counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LockoutConfig {
    /// Failures from one source address, whatever the credential.
    #[serde(default)]
    pub per_address: Option<FailurePolicy>,
    /// Failures on one account (the Basic user-id), from any address.
    #[serde(default)]
    pub per_account: Option<FailurePolicy>,
}

/// When failures start to delay, and then lock, further attempts.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FailurePolicy {
    /// Consecutive failures before delays start (default 10).
    pub threshold: u32,
    /// Consecutive failures that lock until the window passes (default and at most 100,
    /// NIST SP 800-63B 5.2.2).
    pub max_failures: u32,
    /// The first delay in seconds; each further failure doubles it (default 1).
    pub base_delay_seconds: u32,
    /// The longest delay in seconds (default 900).
    pub max_delay_seconds: u32,
    /// Failures older than this are forgotten, and a lock lasts this long (default 900).
    pub window_seconds: u32,
}

impl Default for FailurePolicy {
    fn default() -> Self {
        FailurePolicy {
            threshold: 10,
            max_failures: 100,
            base_delay_seconds: 1,
            max_delay_seconds: 900,
            window_seconds: 900,
        }
    }
}

/// Where audit events go besides the host's callbacks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Append one JSON line per decision to this file (relative to the configuration file).
    pub file: Option<PathBuf>,
    /// Events waiting for delivery at most; beyond it events are dropped and counted
    /// (default 10,000).
    pub queue: usize,
    /// The request header that carries the request id (default `x-request-id`).
    pub request_id_header: String,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            file: None,
            queue: 10_000,
            request_id_header: "x-request-id".into(),
        }
    }
}

/// The in-memory store. Read when the gate is created; a reload keeps the store (and its
/// counters) as it is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// Entries kept at most per kind (replay ids, revocations, buckets, failure counters).
    pub max_entries: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_entries: crate::store::DEFAULT_MAX_ENTRIES,
        }
    }
}

fn credentials_schema(g: &mut SchemaGenerator) -> Schema {
    let methods: Vec<Value> = ENTRIES.iter().map(|e| (e.schema)(g).to_value()).collect();
    json_schema!({
        "type": "object",
        "description": "Named credentials; each names its method.",
        "propertyNames": { "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" },
        "additionalProperties": { "oneOf": methods }
    })
}

fn requirement_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "$ref": "#/$defs/Requirement",
        "$defs": {}
    })
}

/// The JSON Schema of the gate configuration (both formats), generated from these types and
/// the method registry.
pub fn gate_schema() -> Value {
    let mut schema = schemars::schema_for!(GateConfig).to_value();
    let requirement = serde_json::json!({
        "description": "A credential name, or exactly one of: credential (with scopes), any_of, all_of, optional, anonymous.",
        "oneOf": [
            { "type": "string", "description": "A credential name." },
            {
                "type": "object",
                "properties": {
                    "credential": { "type": "string" },
                    "scopes": { "type": "array", "items": { "type": "string" } }
                },
                "required": ["credential"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "properties": { "any_of": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/Requirement" } } },
                "required": ["any_of"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "properties": { "all_of": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/Requirement" } } },
                "required": ["all_of"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "properties": { "optional": { "$ref": "#/$defs/Requirement" } },
                "required": ["optional"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "properties": { "anonymous": { "const": true } },
                "required": ["anonymous"],
                "additionalProperties": false
            }
        ]
    });
    if let Some(defs) = schema
        .as_object_mut()
        .map(|o| {
            o.entry("$defs")
                .or_insert_with(|| Value::Object(Default::default()))
        })
        .and_then(Value::as_object_mut)
    {
        defs.insert("Requirement".into(), requirement);
    }
    strip_empty_defs(&mut schema);
    schema
}

/// `requirement_schema` leaves an empty `$defs` beside its `$ref`; the real one is at the root.
fn strip_empty_defs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("$ref").is_some()
                && map
                    .get("$defs")
                    .and_then(Value::as_object)
                    .is_some_and(|d| d.is_empty())
            {
                map.remove("$defs");
            }
            map.values_mut().for_each(strip_empty_defs);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_empty_defs),
        _ => {}
    }
}
