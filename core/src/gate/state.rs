//! A loaded configuration: its credentials built, its routes compiled, its policies checked.
//! Immutable once built; `Gate` swaps whole states on reload.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::audit::{intern_str, Auditor, JsonLinesSink, RouteNames};
use super::config::{FailurePolicy, GateConfig, LimitKey};
use super::policy::{self, FailureCounter, RateLimit};
use super::require::{Requirement, Slot};
use super::route::{MethodSet, PathPattern};
use super::{GateOptions, MAX_CREDENTIALS, MAX_ROUTES, MAX_ROUTE_CREDENTIALS};
use crate::config::{ConfigError, DocPath, Document, LoadContext};
use crate::decision::Challenge;
use crate::store::MemoryStore;
use crate::verifier::{build_method, BuildContext, Method};

/// A built credential and the fingerprint of what built it.
#[derive(Clone, Debug)]
pub(super) struct Credential {
    pub(super) method: Arc<dyn Method>,
    pub(super) fingerprint: [u8; 32],
}

#[derive(Debug)]
pub(super) struct Route {
    pub(super) names: &'static RouteNames,
    pub(super) methods: MethodSet,
    pub(super) pattern: PathPattern,
    pub(super) require: Requirement,
    pub(super) scopes: Vec<String>,
    pub(super) before: Vec<RateLimit>,
    pub(super) after: Vec<RateLimit>,
    pub(super) policy_header: Option<&'static str>,
    pub(super) challenges: Vec<Challenge>,
    pub(super) account_slots: Vec<Slot>,
}

/// One loaded configuration, immutable.
pub(super) struct State {
    pub(super) routes: Vec<Route>,
    pub(super) credentials: BTreeMap<Arc<str>, Credential>,
    pub(super) per_address: Option<FailureCounter>,
    pub(super) per_account: Option<FailurePolicy>,
    pub(super) request_id_header: String,
    pub(super) auditor: Option<Arc<Auditor>>,
    pub(super) audit_file: Option<std::path::PathBuf>,
}

impl State {
    pub(super) fn build(
        doc: &Document,
        config: GateConfig,
        options: &GateOptions,
        store: &Arc<MemoryStore>,
        previous: Option<&State>,
    ) -> Result<State, ConfigError> {
        let locate = |e: ConfigError| doc.locate(e);
        let root = DocPath::root();
        if config.credentials.len() > MAX_CREDENTIALS {
            return Err(locate(ConfigError::new(
                root.key("credentials"),
                format!("at most {MAX_CREDENTIALS} credentials"),
            )));
        }
        if config.routes.is_empty() || config.routes.len() > MAX_ROUTES {
            return Err(locate(ConfigError::new(
                root.key("routes"),
                format!("1 to {MAX_ROUTES} routes"),
            )));
        }
        let ctx = BuildContext {
            load: &options.load,
            store: store.clone(),
        };
        let mut credentials = BTreeMap::new();
        for (name, value) in &config.credentials {
            let at = root.key("credentials").key(name);
            if !valid_name(name) {
                return Err(locate(ConfigError::new(
                    at,
                    "a credential name is 1 to 64 of A-Z a-z 0-9 _ . - (not starting with . _ -)",
                )));
            }
            let fingerprint = fingerprint(value, &options.load);
            let reused = previous
                .and_then(|p| p.credentials.get(name.as_str()))
                .filter(|c| c.fingerprint == fingerprint)
                .map(|c| c.method.clone());
            let method = match reused {
                Some(m) => m,
                None => build_method(value, &at, &ctx).map_err(locate)?,
            };
            credentials.insert(
                Arc::<str>::from(name.as_str()),
                Credential {
                    method,
                    fingerprint,
                },
            );
        }

        for (name, limit) in &config.rate_limits {
            let at = root.key("rate_limits").key(name);
            if !valid_name(name) {
                return Err(locate(ConfigError::new(
                    at,
                    "a rate limit name is 1 to 64 of A-Z a-z 0-9 _ . -",
                )));
            }
            policy::validate_rate_limit(limit).map_err(|m| locate(ConfigError::new(at, m)))?;
        }
        if let Some(p) = &config.lockout.per_address {
            policy::validate_failure_policy(p)
                .map_err(|m| locate(ConfigError::new(root.key("lockout").key("per_address"), m)))?;
        }
        if let Some(p) = &config.lockout.per_account {
            policy::validate_failure_policy(p)
                .map_err(|m| locate(ConfigError::new(root.key("lockout").key("per_account"), m)))?;
        }

        let mut routes = Vec::with_capacity(config.routes.len());
        let mut route_names = std::collections::HashSet::new();
        for (i, rc) in config.routes.iter().enumerate() {
            let at = root.key("routes").index(i);
            let err = |path: DocPath, m: String| locate(ConfigError::new(path, m));
            let methods = MethodSet::parse(&rc.methods).map_err(|m| err(at.key("methods"), m))?;
            let pattern = PathPattern::parse(&rc.path).map_err(|m| err(at.key("path"), m))?;
            // The route's distinct credentials, indexed in order of first appearance.
            let names: std::cell::RefCell<Vec<Arc<str>>> = Default::default();
            let lookup = |name: &str| -> Result<Slot, String> {
                let (key, credential) = credentials
                    .get_key_value(name)
                    .ok_or_else(|| format!("unknown credential {name:?}"))?;
                let mut names = names.borrow_mut();
                let index = match names.iter().position(|n| n == key) {
                    Some(i) => i,
                    None if names.len() < MAX_ROUTE_CREDENTIALS => {
                        names.push(key.clone());
                        names.len() - 1
                    }
                    None => {
                        return Err(format!(
                            "a route names at most {MAX_ROUTE_CREDENTIALS} distinct credentials"
                        ))
                    }
                };
                Ok(Slot {
                    name: key.clone(),
                    method: credential.method.clone(),
                    index: u8::try_from(index).unwrap_or(u8::MAX),
                })
            };
            let require =
                Requirement::parse(&rc.require, &at.key("require"), &lookup, 0).map_err(locate)?;
            let credential_names = names.into_inner();
            for (j, s) in rc.scopes.iter().enumerate() {
                if !is_valid_scope(s) {
                    return Err(err(
                        at.key("scopes").index(j),
                        "a scope is a non-empty string without spaces, quotes or backslashes"
                            .into(),
                    ));
                }
            }
            if !rc.scopes.is_empty() && require.admits_anonymous() {
                return Err(err(
                    at.key("scopes"),
                    "scopes cannot be required on a route that lets anonymous requests through"
                        .into(),
                ));
            }
            let name: Arc<str> = match &rc.name {
                Some(n) if n.is_empty() || n.chars().any(char::is_control) => {
                    return Err(err(at.key("name"), "a route name is non-empty text".into()))
                }
                Some(n) => n.as_str().into(),
                None => default_route_name(&rc.methods, &rc.path).into(),
            };
            if !route_names.insert(name.clone()) {
                return Err(err(
                    at.key("name"),
                    format!("route name {name:?} is used twice"),
                ));
            }
            let mut before = Vec::new();
            let mut after = Vec::new();
            for (j, limit_name) in rc.rate_limits.iter().enumerate() {
                let limit = config.rate_limits.get(limit_name).ok_or_else(|| {
                    err(
                        at.key("rate_limits").index(j),
                        format!("unknown rate limit {limit_name:?}"),
                    )
                })?;
                let limit = RateLimit::new(limit_name, limit.clone());
                match limit.key() {
                    LimitKey::Principal => after.push(limit),
                    LimitKey::Route | LimitKey::Address => before.push(limit),
                }
            }
            let policy_header = (!before.is_empty() || !after.is_empty()).then(|| {
                let text = before
                    .iter()
                    .chain(&after)
                    .map(RateLimit::policy_item)
                    .collect::<Vec<_>>()
                    .join(", ");
                intern_str(&text)
            });
            let mut slots = Vec::new();
            require.slots(&mut slots);
            let mut challenges: Vec<Challenge> = Vec::new();
            for slot in &slots {
                for c in slot.method.challenges() {
                    if !challenges.contains(&c) {
                        challenges.push(c);
                    }
                }
            }
            let mut account_slots: Vec<Slot> = Vec::new();
            if config.lockout.per_account.is_some() {
                for slot in slots {
                    if slot.method.name() == "basic"
                        && !account_slots.iter().any(|s| s.name == slot.name)
                    {
                        account_slots.push(slot);
                    }
                }
            }
            routes.push(Route {
                names: RouteNames::intern(&name, &credential_names, &pattern.param_names()),
                methods,
                pattern,
                require,
                scopes: rc.scopes.clone(),
                before,
                after,
                policy_header,
                challenges,
                account_slots,
            });
        }

        let audit_file = config
            .audit
            .file
            .as_ref()
            .map(|p| options.load.resolve_path(p));
        if !(1..=1_000_000).contains(&config.audit.queue) {
            return Err(locate(ConfigError::new(
                root.key("audit").key("queue"),
                "queue must be 1 to 1000000",
            )));
        }
        let auditor =
            build_auditor(&config, options, audit_file.as_deref(), previous).map_err(locate)?;
        Ok(State {
            routes,
            credentials,
            per_address: config
                .lockout
                .per_address
                .map(|p| FailureCounter::new("gate:fail:address".into(), p)),
            per_account: config.lockout.per_account,
            request_id_header: config.audit.request_id_header.to_ascii_lowercase(),
            auditor,
            audit_file,
        })
    }
}

fn build_auditor(
    config: &GateConfig,
    options: &GateOptions,
    audit_file: Option<&Path>,
    previous: Option<&State>,
) -> Result<Option<Arc<Auditor>>, ConfigError> {
    let at = DocPath::root().key("audit").key("file");
    let mut sinks = options.audit_sinks.clone();
    if let Some(path) = audit_file {
        let sink =
            JsonLinesSink::open(path).map_err(|e| ConfigError::from_error(at.clone(), &e))?;
        sinks.push(Arc::new(sink));
    }
    if sinks.is_empty() {
        return Ok(None);
    }
    if let Some(prev) = previous.and_then(|p| p.auditor.as_ref().map(|a| (p, a))) {
        let (prev_state, auditor) = prev;
        if prev_state.audit_file.as_deref() != audit_file {
            auditor.set_sinks(sinks);
        }
        return Ok(Some(auditor.clone()));
    }
    Auditor::new(config.audit.queue, sinks)
        .map(|a| Some(Arc::new(a)))
        .map_err(|e| ConfigError::from_error(DocPath::root().key("audit"), &e))
}

/// What identifies a credential's configuration: its document value and the content of every
/// file and secret it references, so that a reload rebuilds a credential whose referenced
/// secret changed even when its text did not.
fn fingerprint(value: &serde_json::Value, ctx: &LoadContext) -> [u8; 32] {
    fn walk(value: &serde_json::Value, key: &str, ctx: &LoadContext, h: &mut Sha256) {
        match value {
            serde_json::Value::String(s) => {
                let referenced = if s.starts_with("env:")
                    || s.starts_with("file:")
                    || s.starts_with("secret:")
                {
                    crate::config::resolve_reference(
                        s,
                        crate::config::ReferenceKind::Material,
                        &DocPath::root(),
                        ctx,
                    )
                    .ok()
                } else if key.ends_with("_file") {
                    crate::config::read_text_file(&ctx.resolve_path(Path::new(s)), 64 * 1024 * 1024)
                        .ok()
                } else {
                    None
                };
                if let Some(content) = referenced {
                    let mut content = zeroize::Zeroizing::new(content);
                    h.update(Sha256::digest(content.as_bytes()));
                    zeroize::Zeroize::zeroize(&mut *content);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, key, ctx, h)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, ctx, h)),
            _ => {}
        }
    }
    let mut h = Sha256::new();
    h.update(value.to_string().as_bytes());
    walk(value, "", ctx, &mut h);
    h.finalize().into()
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with(['.', '_', '-'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn default_route_name(methods: &[String], path: &str) -> String {
    if methods.is_empty() {
        format!("* {path}")
    } else {
        format!("{} {path}", methods.join(","))
    }
}

/// A scope as routes and callers may require it: non-empty, without the space that separates
/// scopes nor the quote and backslash a challenge's `scope` parameter would have to escape.
pub(super) fn is_valid_scope(scope: &str) -> bool {
    !scope.is_empty() && !scope.contains([' ', '"', '\\'])
}
