//! The gate: `Gate` (one configuration deciding every request) and its decision object. The
//! audit callback's sink and events are in `gate_audit`.
//!
//! Conversion only: loading, routing, requirement trees, rate limits and audit batching are the
//! core's (`portcullis::gate`). Decisions reach JavaScript as the JSON text of the decision's
//! fourteen values in order, the principal as its six (as `compact` writes a token's), which
//! `gate.js` turns into the `GateDecision` object with one `JSON.parse`: far cheaper than setting
//! each member through N-API, and cheaper than the core's `GateDecision::to_json`, whose member
//! names cost `JSON.parse` about a third more. The usual allowed decision takes a short form of
//! nine values and its headers (`ShortValues`, `decision_text`): the rest are constants
//! `gate.js` fills in. The native `check` still returns the object built here, member for
//! member the same (a test compares them).

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{AsyncTask, Either, External, Null, Object, Unknown};
use napi::{Env, Error, JsString, JsValue, Result, Status, Task, ValueType};
use napi_derive::napi;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use portcullis::config::{ConfigError, Format, LoadContext, Secrets};
use portcullis::gate::audit::AuditSink;
use portcullis::gate::{self as core, GateDecision as CoreDecision};

use crate::apikey::ApiKeyRing;
use crate::compact::{exact, utf8_js};
use crate::errors::{self, invalid_argument, OrThrow, Principal};
use crate::gate_audit::{
    audit_function, audit_sink, events_text, AuditStats, HeldEvents, JsAuditSink,
};
use crate::options;
use crate::request::Request;
use crate::task::catch_panic;
use crate::verifier::Verifier;

/// How `Gate.fromToml` and `Gate.fromJson` load a configuration.
#[napi(object, object_to_js = false)]
pub struct GateOptions<'a> {
    /// The values of `secret:NAME` references.
    pub secrets: Option<std::collections::HashMap<String, String>>,
    /// Called once per decision with its audit event, never during `check`: events are
    /// delivered in batches from the audit thread to the event loop. A callback that throws (or
    /// returns a promise that rejects) is counted in `auditStats().sinkFailures`.
    #[napi(ts_type = "(event: AuditEvent) => void")]
    pub audit: Option<Unknown<'a>>,
    /// Called once per batch of audit events (as the core delivers them, up to 4096), before
    /// `audit`'s calls for the same events when both are given. The batch's events are read
    /// only when asked for (`batch.at(i)`, iteration): a callback that reads only
    /// `batch.length` costs no parsing. A throw or rejection counts as one failure.
    #[napi(ts_type = "(batch: import('./gate').AuditBatch) => void")]
    pub audit_batch: Option<Unknown<'a>>,
    /// Where relative paths of the configuration start (default: the working directory).
    pub base_dir: Option<String>,
}

/// How `Gate.fromFile` loads a configuration (relative paths start from the file's folder).
#[napi(object, object_to_js = false)]
pub struct GateFileOptions<'a> {
    /// The values of `secret:NAME` references.
    pub secrets: Option<std::collections::HashMap<String, String>>,
    /// Called once per decision with its audit event (see `GateOptions.audit`).
    #[napi(ts_type = "(event: AuditEvent) => void")]
    pub audit: Option<Unknown<'a>>,
    /// Called once per batch of audit events (see `GateOptions.auditBatch`).
    #[napi(ts_type = "(batch: import('./gate').AuditBatch) => void")]
    pub audit_batch: Option<Unknown<'a>>,
}

/// The gate's answer to one request.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct GateDecision {
    /// True when the request may proceed.
    pub allowed: bool,
    /// The HTTP status to answer a denied request with; 200 when allowed.
    pub status: u32,
    /// The name of the route that matched, or `null`.
    pub route: Option<String>,
    /// The path parameters the route captured (`{id}`), still percent-encoded.
    #[napi(ts_type = "Record<string, string>")]
    pub params: Map<String, Value>,
    /// The credential (by its configuration name) whose principal is reported, or `null`.
    pub credential: Option<String>,
    /// Every credential that was satisfied (more than one under `all_of`).
    pub satisfied: Vec<String>,
    /// Who is calling; `null` when denied or allowed anonymously.
    pub principal: Option<Principal>,
    /// True when allowed without a principal.
    pub anonymous: bool,
    /// The refusal's code (`jwt_expired`, `route_unmatched`, ...), or `null` when allowed.
    pub code: Option<String>,
    /// The refusal's public message, or `null`.
    pub message: Option<String>,
    /// The `WWW-Authenticate` values to send, one header field each.
    pub challenges: Vec<String>,
    /// Every header the response should carry, in order (a name may repeat).
    #[napi(ts_type = "Array<[string, string]>")]
    pub headers: Vec<Vec<String>>,
    /// Seconds the client should wait (throttled or locked out), or `null`.
    pub retry_after: Option<i64>,
    /// The RFC 9457 `application/problem+json` body of a denial, or `null`.
    pub problem: Option<String>,
}

impl From<CoreDecision> for GateDecision {
    fn from(d: CoreDecision) -> Self {
        GateDecision {
            allowed: d.allowed(),
            status: u32::from(d.status()),
            route: d.route().map(str::to_owned),
            params: d
                .params()
                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                .collect(),
            credential: d.credential().map(str::to_owned),
            satisfied: d.satisfied().map(str::to_owned).collect(),
            anonymous: d.anonymous(),
            code: d.code().map(|c| c.name().to_owned()),
            message: d.denial().map(|x| x.message().to_owned()),
            challenges: d.challenges().iter().map(|c| c.header_value()).collect(),
            headers: d
                .headers()
                .iter()
                .map(|(n, v)| vec![(*n).to_owned(), v.to_string()])
                .collect(),
            retry_after: d
                .retry_after()
                .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            problem: d.problem_json(),
            principal: d.into_principal().map(Principal::from),
        }
    }
}

/// How long `flushAudit` waits by default.
const DEFAULT_FLUSH_MS: f64 = 5_000.0;

/// A configuration that protects every route of a service: named credentials, routes with
/// requirements and scopes, rate limits, lockout and audit (schema: `Gate.schema()`). `check` never
/// throws for a bad request: a refusal is a decision.
#[napi]
pub struct Gate {
    inner: Arc<core::Gate>,
    sink: Option<Arc<JsAuditSink>>,
}

fn type_error(detail: String) -> Error {
    Error::new(Status::InvalidArg, detail)
}

/// The JS error for a configuration that does not load: the binding's usual error (`code`,
/// `detail` = `"<path>: <message> (line L, column C)"`, ...) plus `path`, `line`, `column`.
pub(crate) fn config_error(env: &Env, e: ConfigError) -> Error {
    let error = portcullis::Error::from(e.clone());
    let object = errors::build(env, &error, None).and_then(|mut object| {
        object.set("path", e.path().to_string())?;
        match e.position() {
            Some((line, column)) => {
                object.set("line", u32::try_from(line).unwrap_or(u32::MAX))?;
                object.set("column", u32::try_from(column).unwrap_or(u32::MAX))?;
            }
            None => {
                object.set("line", Null)?;
                object.set("column", Null)?;
            }
        }
        Ok(object)
    });
    match object {
        Ok(object) => Error::from(object.to_unknown()),
        Err(_) => errors::from_error(env, error),
    }
}

/// The `secrets` option: an object of strings.
pub(crate) fn read_secrets(value: Unknown) -> Result<Secrets> {
    let object = options::object(value)
        .map_err(|_| type_error("option `secrets` must be an object of names to strings".into()))?;
    let mut secrets = Secrets::new();
    for name in Object::keys(&object)? {
        let Some(value) = object.get::<Unknown>(&name)? else {
            continue;
        };
        if value.get_type()? != ValueType::String {
            // The name only: the value may be a secret.
            return Err(type_error(format!(
                "option `secrets`: the value of `{name}` must be a string"
            )));
        }
        // SAFETY: the value is a JS string.
        let text: String = unsafe { value.cast() }?;
        secrets.insert(name, text);
    }
    Ok(secrets)
}

/// Reads a `Gate` options object: `secrets`, `audit`, `auditBatch`, and `baseDir` when
/// `base_dir` allows it. The sink calls `audit`, else `auditBatch`, with each batch's count and
/// text: `gate.js` passes its dispatcher as `audit` (and no `auditBatch`).
fn read_options(
    options: Option<Unknown>,
    base_dir: bool,
) -> Result<(core::GateOptions, Option<Arc<JsAuditSink>>)> {
    let mut load = LoadContext::new();
    let (mut audit, mut audit_batch) = (None, None);
    let Some(options) = options else {
        return Ok((core::GateOptions::default(), None));
    };
    if matches!(options.get_type()?, ValueType::Undefined | ValueType::Null) {
        return Ok((core::GateOptions::default(), None));
    }
    let options = options::object(options)?;
    for name in Object::keys(&options)? {
        let Some(value) = options.get::<Unknown>(&name)? else {
            continue;
        };
        if matches!(value.get_type()?, ValueType::Undefined | ValueType::Null) {
            continue;
        }
        match name.as_str() {
            "secrets" => load = load.with_secrets(read_secrets(value)?),
            "baseDir" if base_dir => {
                if value.get_type()? != ValueType::String {
                    return Err(type_error("option `baseDir` must be a string".into()));
                }
                // SAFETY: the value is a JS string.
                let dir: String = unsafe { value.cast() }?;
                load = load.with_base_dir(dir);
            }
            "audit" => audit = Some(audit_function("audit", value)?),
            "auditBatch" => audit_batch = Some(audit_function("auditBatch", value)?),
            _ => {
                let known = if base_dir {
                    "secrets, audit, auditBatch, baseDir"
                } else {
                    "secrets, audit, auditBatch"
                };
                return Err(type_error(format!(
                    "unknown option `{name}` (expected one of: {known})"
                )));
            }
        }
    }
    let sink = match audit.or(audit_batch) {
        Some(function) => Some(Arc::new(audit_sink(function)?)),
        None => None,
    };
    let audit_sinks: Vec<Arc<dyn AuditSink>> = sink
        .iter()
        .map(|s| Arc::clone(s) as Arc<dyn AuditSink>)
        .collect();
    Ok((core::GateOptions { load, audit_sinks }, sink))
}

/// A principal as the JSON array of its six values, in the `Principal` object's order
/// (`principal.js` reads it).
pub(crate) struct PrincipalValues<'a>(pub &'a portcullis::Principal);

impl Serialize for PrincipalValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let p = self.0;
        (
            &p.subject,
            p.method.name(),
            &p.credential_id,
            &p.scopes,
            &p.claims,
            p.expires_at,
        )
            .serialize(s)
    }
}

/// A decision's identity as [`PrincipalValues`] writes a principal: a verified JWT's claims are
/// written from the token's text ([`TokenClaims`](portcullis::jwt::TokenClaims)), as the JWT
/// fast path does, so no claims map is built.
struct IdentityValues<'a>(&'a portcullis::verifier::Identity);

impl Serialize for IdentityValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0.token() {
            Some(t) => (
                &t.subject,
                portcullis::AuthMethod::Jwt.name(),
                &t.credential_id,
                &t.scopes,
                &t.claims,
                t.expires_at,
            )
                .serialize(s),
            None => PrincipalValues(self.0.principal()).serialize(s),
        }
    }
}

/// A decision as the JSON array of the `GateDecision` object's values, in its order.
struct DecisionValues<'a>(&'a CoreDecision);

impl Serialize for DecisionValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Params<'a>(&'a CoreDecision);
        impl Serialize for Params<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.params())
            }
        }
        struct Satisfied<'a>(&'a CoreDecision);
        impl Serialize for Satisfied<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.satisfied())
            }
        }
        struct Challenges<'a>(&'a CoreDecision);
        impl Serialize for Challenges<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.challenges().iter().map(|c| c.header_value()))
            }
        }
        let d = self.0;
        let mut seq = s.serialize_seq(Some(14))?;
        seq.serialize_element(&d.allowed())?;
        seq.serialize_element(&d.status())?;
        seq.serialize_element(&d.route())?;
        seq.serialize_element(&Params(d))?;
        seq.serialize_element(&d.credential())?;
        seq.serialize_element(&Satisfied(d))?;
        seq.serialize_element(&d.identity().map(IdentityValues))?;
        seq.serialize_element(&d.anonymous())?;
        seq.serialize_element(&d.code().map(|c| c.name()))?;
        seq.serialize_element(&d.denial().map(|x| x.message()))?;
        seq.serialize_element(&Challenges(d))?;
        seq.serialize_element(d.headers())?;
        seq.serialize_element(&d.retry_after())?;
        seq.serialize_element(&d.problem_json())?;
        seq.end()
    }
}

/// An allowed decision in its short form: the nine values `[route, credential, params,
/// subject, method, credentialId, scopes, claims, expiresAt]` (the principal's six flattened,
/// as [`IdentityValues`] writes them), for a decision whose other values are the constants of
/// an allowed decision with a principal ([`short_form`]), which `gate.js` fills in: fewer
/// values to write, parse and intern, and no nested array for the principal. Its headers (a
/// rate limit's) come before the JSON, as lines ([`decision_text`]).
struct ShortValues<'a>(&'a CoreDecision, &'a portcullis::verifier::Identity);

impl Serialize for ShortValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Params<'a>(&'a CoreDecision);
        impl Serialize for Params<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.params())
            }
        }
        let ShortValues(d, identity) = *self;
        let mut seq = s.serialize_seq(Some(9))?;
        seq.serialize_element(&d.route())?;
        seq.serialize_element(&d.credential())?;
        seq.serialize_element(&Params(d))?;
        match identity.token() {
            Some(t) => {
                seq.serialize_element(&t.subject)?;
                seq.serialize_element(portcullis::AuthMethod::Jwt.name())?;
                seq.serialize_element(&t.credential_id)?;
                seq.serialize_element(&t.scopes)?;
                seq.serialize_element(&t.claims)?;
                seq.serialize_element(&t.expires_at)?;
            }
            None => {
                let p = identity.principal();
                seq.serialize_element(&p.subject)?;
                seq.serialize_element(p.method.name())?;
                seq.serialize_element(&p.credential_id)?;
                seq.serialize_element(&p.scopes)?;
                seq.serialize_element(&p.claims)?;
                seq.serialize_element(&p.expires_at)?;
            }
        }
        seq.end()
    }
}

/// The identity of a decision that takes the short form: allowed with a principal, satisfied
/// by the reporting credential alone, no challenge, no `Retry-After`, and headers that read
/// back as lines (no line break; no name starting with `[`, which starts the JSON): the values
/// `gate.js` then fills in as constants.
fn short_form(d: &CoreDecision) -> Option<&portcullis::verifier::Identity> {
    let identity = d.identity()?;
    let mut satisfied = d.satisfied();
    let alone =
        satisfied.next().is_some_and(|s| Some(s) == d.credential()) && satisfied.next().is_none();
    // A byte loop: these are a few dozen bytes, shorter than a `memchr` call is worth.
    let lines = d
        .headers()
        .iter()
        .all(|(n, v)| !n.starts_with('[') && !n.bytes().chain(v.bytes()).any(|b| b == b'\n'));
    (d.allowed() && alone && lines && d.challenges().is_empty() && d.retry_after().is_none())
        .then_some(identity)
}

/// The decision's text for `gate.js`: the short form when it applies, else the fourteen values'
/// JSON; `None` when JSON cannot carry the principal's claims exactly. A short form with
/// headers has them first, as lines: a line break, then each name and value followed by a
/// line break, then the JSON (`[`). In JSON they would cost three arrays, and the escaped
/// quotes of a `RateLimit` value a pass on `JSON.parse`'s slow path. UTF-8 bytes, left
/// unchecked: [`utf8_js`] reads them as they are.
fn decision_text(decision: &CoreDecision) -> Option<Vec<u8>> {
    if !identity_carried(decision.identity()) {
        return None;
    }
    // Room for a usual decision, so the text is not reallocated as it grows.
    let mut text = Vec::with_capacity(512);
    let Some(identity) = short_form(decision) else {
        serde_json::to_writer(&mut text, &DecisionValues(decision)).ok()?;
        return Some(text);
    };
    let headers = decision.headers();
    if !headers.is_empty() {
        text.push(b'\n');
        for (name, value) in headers {
            text.extend_from_slice(name.as_bytes());
            text.push(b'\n');
            text.extend_from_slice(value.as_bytes());
            text.push(b'\n');
        }
    }
    serde_json::to_writer(&mut text, &ShortValues(decision, identity)).ok()?;
    Some(text)
}

/// The JSON text of `value` (always serialisable: strings, numbers and JSON maps).
pub(crate) fn json_text(value: &impl Serialize) -> Option<String> {
    // Room for a usual decision, so the text is not reallocated as it grows.
    let mut text = Vec::with_capacity(512);
    serde_json::to_writer(&mut text, value).ok()?;
    String::from_utf8(text).ok()
}

/// True when JSON carries the principal's claims exactly (no integer above `i64::MAX`, which
/// the object conversion gives as a string).
pub(crate) fn carried(principal: Option<&portcullis::Principal>) -> bool {
    principal.is_none_or(|p| p.claims.values().all(exact))
}

/// [`carried`] for a decision's identity, reading a token's claims where they are.
fn identity_carried(identity: Option<&portcullis::verifier::Identity>) -> bool {
    use portcullis::jwt::ClaimRef;
    match identity.and_then(|i| i.token()) {
        Some(t) => t.claims.iter().all(|(_, value)| match value {
            ClaimRef::UInt(_) => false,
            ClaimRef::Value(v) => exact(v),
            _ => true,
        }),
        None => carried(identity.map(|i| i.principal())),
    }
}

/// A decision as the JSON text of its values for `gate.js` (see the module's comment), or as
/// the object when JSON cannot carry the principal's claims exactly.
fn decision_js<'env>(
    env: &'env Env,
    decision: CoreDecision,
) -> Result<Either<JsString<'env>, GateDecision>> {
    Ok(match decision_text(&decision) {
        Some(text) => Either::A(utf8_js(env, &text, text.is_ascii())?),
        None => Either::B(decision.into()),
    })
}

#[napi]
impl Gate {
    fn build(
        env: &Env,
        load: impl FnOnce(core::GateOptions) -> std::result::Result<core::Gate, ConfigError>,
        options: Option<Unknown>,
        base_dir: bool,
    ) -> Result<Self> {
        let (options, sink) = read_options(options, base_dir)?;
        let inner = load(options).map_err(|e| config_error(env, e))?;
        Ok(Gate {
            inner: Arc::new(inner),
            sink,
        })
    }

    // The factories are writable so that `gate.js` can hand them the audit dispatcher in
    // place of the user's callback.

    /// Loads the configuration file at `path` (`.toml` or `.json`). Throws `config_invalid`,
    /// `json_invalid` or a method's code (`jwt_key_invalid`, ...) with `path`, `line` and
    /// `column` naming the bad value.
    #[napi(
        catch_unwind,
        factory,
        writable = true,
        ts_args_type = "path: string, options?: GateFileOptions"
    )]
    pub fn from_file(env: Env, path: String, options: Option<Unknown>) -> Result<Self> {
        Self::build(
            &env,
            |o| core::Gate::from_file(std::path::Path::new(&path), o),
            options,
            false,
        )
    }

    /// Loads a TOML configuration (errors as `fromFile`).
    #[napi(
        catch_unwind,
        factory,
        writable = true,
        ts_args_type = "text: string, options?: GateOptions"
    )]
    pub fn from_toml(env: Env, text: String, options: Option<Unknown>) -> Result<Self> {
        Self::build(
            &env,
            |o| core::Gate::from_text(&text, Format::Toml, o),
            options,
            true,
        )
    }

    /// Loads a JSON configuration (errors as `fromFile`).
    #[napi(
        catch_unwind,
        factory,
        writable = true,
        ts_args_type = "text: string, options?: GateOptions"
    )]
    pub fn from_json(env: Env, text: String, options: Option<Unknown>) -> Result<Self> {
        Self::build(
            &env,
            |o| core::Gate::from_text(&text, Format::Json, o),
            options,
            true,
        )
    }

    /// Decides `request` on the calling thread (JWT, API key and webhook checks take
    /// microseconds). Never throws for a refused request: see `allowed`, `status`, `headers`.
    /// `scopes` are required on top of the matched route's (what a framework route asks for):
    /// lacking one is 403 `scope_insufficient`, and an anonymous pass becomes 401
    /// `credentials_missing`.
    #[napi(catch_unwind)]
    pub fn check(&self, request: &Request, scopes: Option<Vec<String>>) -> GateDecision {
        check_scoped(&self.inner, &request.inner, scopes.as_deref()).into()
    }

    /// `check` for the JS layer (`gate.js`): the decision as JSON text. Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_checkJson")]
    pub fn check_json<'env>(
        &self,
        env: &'env Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Either<JsString<'env>, GateDecision>> {
        decision_js(
            env,
            check_scoped(&self.inner, &request.inner, scopes.as_deref()),
        )
    }

    /// `check` on the libuv thread pool, for configurations whose checks are slow (Basic
    /// password hashing, a JWKS fetch on a cold cache); `scopes` as `check`.
    #[napi(catch_unwind, ts_return_type = "Promise<GateDecision>")]
    pub fn check_async(
        &self,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> AsyncTask<CheckTask> {
        AsyncTask::new(CheckTask {
            gate: Arc::clone(&self.inner),
            request: Some(request.inner.clone()),
            scopes: scopes.unwrap_or_default(),
            json: false,
        })
    }

    /// `checkAsync` for the JS layer: resolves to the decision's JSON text (or the object, as
    /// `_checkJson`). Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_checkAsyncJson")]
    pub fn check_async_json(
        &self,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> AsyncTask<CheckTask> {
        AsyncTask::new(CheckTask {
            gate: Arc::clone(&self.inner),
            request: Some(request.inner.clone()),
            scopes: scopes.unwrap_or_default(),
            json: true,
        })
    }

    /// True when a check may take long (a credential hashes passwords or fetches keys or
    /// token introspection over the network): an adapter then uses `checkAsync` so the event
    /// loop never waits. Follows reloads.
    #[napi(getter)]
    pub fn may_block(&self) -> bool {
        self.inner.may_block()
    }

    /// Replaces the configuration with the file at `path`, atomically; on error (thrown as by
    /// `fromFile`) the running configuration stays. Requests being checked finish on the one
    /// they started with; unchanged credentials keep their state (keys inserted at run time).
    #[napi(catch_unwind)]
    pub fn reload_file(&self, env: Env, path: String) -> Result<()> {
        self.inner
            .reload_file(std::path::Path::new(&path))
            .map_err(|e| config_error(&env, e))
    }

    /// `reloadFile` from TOML text.
    #[napi(catch_unwind)]
    pub fn reload_toml(&self, env: Env, text: String) -> Result<()> {
        self.inner
            .reload_text(&text, Format::Toml)
            .map_err(|e| config_error(&env, e))
    }

    /// `reloadFile` from JSON text.
    #[napi(catch_unwind)]
    pub fn reload_json(&self, env: Env, text: String) -> Result<()> {
        self.inner
            .reload_text(&text, Format::Json)
            .map_err(|e| config_error(&env, e))
    }

    /// The API key ring of credential `name` (a `method = "api_key"` credential), or `null`:
    /// the gate's own ring, so keys inserted or revoked through it take effect at once.
    #[napi(catch_unwind)]
    pub fn api_key_ring(&self, name: String) -> Option<ApiKeyRing> {
        self.inner.api_key_ring(&name).map(ApiKeyRing::shared)
    }

    /// The credential `name` as a `Verifier`, or `null`.
    #[napi(catch_unwind)]
    pub fn verifier(&self, name: String) -> Option<Verifier> {
        self.inner.verifier(&name).map(Verifier::from)
    }

    /// The credential names, sorted.
    #[napi(catch_unwind)]
    pub fn credential_names(&self) -> Vec<String> {
        self.inner.credential_names()
    }

    /// The route names, in matching order.
    #[napi(catch_unwind)]
    pub fn route_names(&self) -> Vec<String> {
        self.inner.route_names()
    }

    /// The audit pipeline's counters. After `flushAudit` returned true (and no check ran since),
    /// `submitted == delivered + dropped`.
    #[napi(catch_unwind)]
    pub fn audit_stats(&self) -> AuditStats {
        JsAuditSink::stats(self.sink.as_deref(), self.inner.audit_stats())
    }

    /// Waits, at most `timeoutMs` (default 5000), until every audit event submitted so far was
    /// handed to the callback or dropped; true when that happened. It blocks the event loop,
    /// and the callbacks of the flushed events run once the event loop turns again.
    #[napi(catch_unwind)]
    pub fn flush_audit(&self, env: Env, timeout_ms: Option<f64>) -> Result<bool> {
        let ms = timeout_ms.unwrap_or(DEFAULT_FLUSH_MS);
        if !(ms.is_finite() && ms >= 0.0) {
            let detail = "timeoutMs must be a finite number of milliseconds, 0 or more";
            return Err(invalid_argument(detail)).or_throw(&env);
        }
        // Longer than a day is a day: the core caps the wait anyway.
        let timeout = Duration::from_secs_f64(ms.min(86_400_000.0) / 1000.0);
        Ok(self.inner.flush_audit(timeout))
    }

    /// The JSON text of an audit batch that crossed as its events, for the JS layer
    /// (`gate.js`). Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_auditBatchText")]
    pub fn audit_batch_text<'env>(
        env: &'env Env,
        events: &External<HeldEvents>,
    ) -> Result<JsString<'env>> {
        let text = events_text(events)?;
        utf8_js(env, &text, text.is_ascii())
    }

    /// The gate configuration's JSON Schema (draft 2020-12), as pretty-printed JSON text.
    #[napi(catch_unwind)]
    pub fn schema() -> String {
        serde_json::to_string_pretty(&core::gate_schema()).unwrap_or_default()
    }
}

/// The work of `checkAsync`.
pub struct CheckTask {
    gate: Arc<core::Gate>,
    request: Option<portcullis::Request>,
    scopes: Vec<String>,
    json: bool,
}

/// `gate.check_with_scopes` with the scopes as JS passes them (absent: none).
fn check_scoped(
    gate: &core::Gate,
    request: &portcullis::Request,
    scopes: Option<&[String]>,
) -> CoreDecision {
    let scopes: Vec<&str> = scopes
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    gate.check_with_scopes(request, &scopes)
}

impl Task for CheckTask {
    type Output = std::result::Result<Option<CoreDecision>, portcullis::Error>;
    type JsValue = Either<String, GateDecision>;

    fn compute(&mut self) -> Result<Self::Output> {
        // The request (with its credentials) is dropped as soon as it has been checked.
        Ok(catch_panic(|| {
            self.request
                .take()
                .map(|r| check_scoped(&self.gate, &r, Some(&self.scopes)))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let decision = output
            .map_err(|e| errors::from_error(&env, e))?
            .ok_or_else(|| Error::new(Status::GenericFailure, "check task ran twice"))?;
        let text = if self.json {
            decision_text(&decision).and_then(|t| String::from_utf8(t).ok())
        } else {
            None
        };
        Ok(match text {
            Some(text) => Either::A(text),
            None => Either::B(decision.into()),
        })
    }
}
