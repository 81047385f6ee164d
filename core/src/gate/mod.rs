//! The gate: one configuration that composes the methods per route, decides every request,
//! audits each decision and throttles.
//!
//! A [`Gate`] is built from a configuration document (TOML or JSON, one schema: see
//! [`config`] and `docs/GATE.md`): named credentials, each an instance of a method from the
//! registry ([`crate::verifier`]), and routes (methods + path pattern, first match wins, no
//! match is refused) with a requirement tree ([`require`]) and scopes. [`Gate::check`] returns
//! a [`GateDecision`]: the principal of the credential that won, or a denial with its status,
//! merged challenges, `Retry-After` / `RateLimit` headers and an RFC 9457 problem body.
//!
//! A configuration that fails to load never yields a gate (nor replaces a running one): every
//! error names the document path, line and column of the bad value. [`Gate::reload`] swaps a
//! new configuration in atomically; requests in flight finish on the one they started with.
//! Credentials whose configuration (and every file and secret it references) did not change
//! keep their built object across a reload, so an API key ring keeps the keys inserted at run
//! time and a JWKS client keeps its cache.

pub mod audit;
pub mod config;
mod decision;
mod policy;
mod require;
pub mod route;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};

use crate::apikey::ApiKeyRing;
use crate::config::{ConfigError, DocPath, Document, Format, LoadContext};
use crate::decision::{Challenge, Denial};
use crate::error::ErrorCode;
use crate::request::Request;
use crate::store::{LimitStore, MemoryStore};
use crate::verifier::{build_method, BuildContext, Method, Verifier};

use self::audit::{AuditEvent, AuditSink, AuditStats, Auditor, JsonLinesSink, Outcome, RouteNames};
use self::config::{GateConfig, LimitKey, CONFIG_VERSION};
use self::policy::{FailureCounter, RateLimit, Taken};
use self::require::{Failure, Requirement, Slot, Tier};
use self::route::{normalize_path, MethodSet, PathPattern};

pub use self::config::gate_schema;
pub use self::decision::{problem_json, GateDecision};

/// Most routes in one configuration.
pub const MAX_ROUTES: usize = 1024;
/// Most credentials in one configuration.
pub const MAX_CREDENTIALS: usize = 256;
/// Most distinct credentials one route's requirement may name.
pub const MAX_ROUTE_CREDENTIALS: usize = 64;

/// How a gate is loaded besides its document: host secrets, where relative paths start, and
/// the host's audit sinks (a callback in Python, Node or C).
#[derive(Clone, Default)]
pub struct GateOptions {
    /// Relative paths and `secret:NAME` values.
    pub load: LoadContext,
    /// Receive every decision's audit event, in batches, on the audit thread.
    pub audit_sinks: Vec<Arc<dyn AuditSink>>,
}

impl std::fmt::Debug for GateOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateOptions")
            .field("load", &self.load)
            .field("audit_sinks", &self.audit_sinks.len())
            .finish()
    }
}

/// The front door: checks requests against a configuration. Thread-safe; share it.
pub struct Gate {
    state: ArcSwap<State>,
    store: Arc<MemoryStore>,
    options: GateOptions,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.load();
        f.debug_struct("Gate")
            .field("routes", &state.routes.len())
            .field("credentials", &state.credentials.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// Loads the configuration file at `path` (`.toml` or `.json`); relative paths in it start
    /// from its folder.
    pub fn from_file(path: &Path, options: GateOptions) -> Result<Gate, ConfigError> {
        let doc = Document::read(path)?;
        Gate::from_document(&doc, options)
    }

    /// Loads a configuration from text in `format`.
    pub fn from_text(
        text: &str,
        format: Format,
        options: GateOptions,
    ) -> Result<Gate, ConfigError> {
        let doc = Document::parse(text, format)?;
        Gate::from_document(&doc, options)
    }

    /// Loads a parsed document.
    pub fn from_document(doc: &Document, mut options: GateOptions) -> Result<Gate, ConfigError> {
        if let (Some(dir), None) = (doc.base_dir(), options.load.base_dir()) {
            options.load = options.load.clone().with_base_dir(dir);
        }
        let config = parse_config(doc)?;
        let store = Arc::new(MemoryStore::new(config.store.max_entries));
        let state = State::build(doc, config, &options, &store, None)?;
        Ok(Gate {
            state: ArcSwap::from_pointee(state),
            store,
            options,
        })
    }

    /// Replaces the configuration with the file at `path`, atomically; on any error the
    /// running configuration stays.
    pub fn reload_file(&self, path: &Path) -> Result<(), ConfigError> {
        let doc = Document::read(path)?;
        self.reload(&doc)
    }

    /// Replaces the configuration with `text`, atomically; on any error the running
    /// configuration stays.
    pub fn reload_text(&self, text: &str, format: Format) -> Result<(), ConfigError> {
        self.reload(&Document::parse(text, format)?)
    }

    /// Replaces the configuration with `doc`, atomically. Requests already being checked
    /// finish on the configuration they started with.
    pub fn reload(&self, doc: &Document) -> Result<(), ConfigError> {
        let mut options = self.options.clone();
        if let Some(dir) = doc.base_dir() {
            options.load = options.load.with_base_dir(dir);
        }
        let config = parse_config(doc)?;
        let old = self.state.load_full();
        let state = State::build(doc, config, &options, &self.store, Some(&old))?;
        self.state.store(Arc::new(state));
        Ok(())
    }

    /// Decides `request`.
    pub fn check(&self, request: &Request) -> GateDecision {
        self.state.load().check(request, &self.store)
    }

    /// The built credential `name` as a generic verifier.
    pub fn verifier(&self, name: &str) -> Option<Verifier> {
        let state = self.state.load();
        state
            .credentials
            .get(name)
            .map(|c| Verifier::from_method(c.method.clone()))
    }

    /// The API key ring of credential `name` (a `method = "api_key"` credential), to insert,
    /// rotate and revoke keys at run time.
    pub fn api_key_ring(&self, name: &str) -> Option<Arc<ApiKeyRing>> {
        let state = self.state.load();
        let credential = state.credentials.get(name)?;
        credential
            .method
            .as_any()
            .downcast_ref::<Arc<ApiKeyRing>>()
            .cloned()
    }

    /// The credential names, sorted.
    pub fn credential_names(&self) -> Vec<String> {
        self.state
            .load()
            .credentials
            .keys()
            .map(|k| k.to_string())
            .collect()
    }

    /// The route names, in matching order.
    pub fn route_names(&self) -> Vec<String> {
        self.state
            .load()
            .routes
            .iter()
            .map(|r| r.names.name.to_string())
            .collect()
    }

    /// Counts of the audit pipeline (all zero without one).
    pub fn audit_stats(&self) -> AuditStats {
        self.state
            .load()
            .auditor
            .as_ref()
            .map(|a| a.stats())
            .unwrap_or_default()
    }

    /// Waits (at most `timeout`) until every audit event submitted so far was delivered or
    /// dropped.
    pub fn flush_audit(&self, timeout: Duration) -> bool {
        self.state
            .load()
            .auditor
            .as_ref()
            .is_none_or(|a| a.flush(timeout))
    }
}

fn parse_config(doc: &Document) -> Result<GateConfig, ConfigError> {
    let config: GateConfig =
        crate::config::deserialize_at(doc.value(), &DocPath::root()).map_err(|e| doc.locate(e))?;
    if config.version != CONFIG_VERSION {
        return Err(doc.locate(ConfigError::new(
            DocPath::root().key("version"),
            format!(
                "unsupported version {} (this library reads {CONFIG_VERSION})",
                config.version
            ),
        )));
    }
    Ok(config)
}

/// A built credential and the fingerprint of what built it.
#[derive(Clone, Debug)]
struct Credential {
    method: Arc<dyn Method>,
    fingerprint: [u8; 32],
}

#[derive(Debug)]
struct Route {
    names: Arc<RouteNames>,
    methods: MethodSet,
    pattern: PathPattern,
    require: Requirement,
    scopes: Vec<String>,
    before: Vec<RateLimit>,
    after: Vec<RateLimit>,
    policy_header: Option<String>,
    challenges: Vec<Challenge>,
    account_slots: Vec<Slot>,
}

/// One loaded configuration, immutable.
struct State {
    routes: Vec<Route>,
    credentials: BTreeMap<Arc<str>, Credential>,
    per_address: Option<FailureCounter>,
    per_account: Option<config::FailurePolicy>,
    request_id_header: String,
    auditor: Option<Arc<Auditor>>,
    audit_file: Option<std::path::PathBuf>,
}

impl State {
    fn build(
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
                if s.is_empty() || s.contains([' ', '"', '\\']) {
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
                before
                    .iter()
                    .chain(&after)
                    .map(RateLimit::policy_item)
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let mut slots = Vec::new();
            require.slots(&mut slots);
            let mut challenges: Vec<Challenge> = Vec::new();
            for slot in &slots {
                if let Some(c) = slot.method.challenge() {
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
                names: Arc::new(RouteNames {
                    name,
                    credentials: credential_names.into_boxed_slice(),
                }),
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

    fn check(&self, request: &Request, store: &MemoryStore) -> GateDecision {
        let mut tried = 0;
        let Some(auditor) = &self.auditor else {
            return self.decide(request, store, &mut tried);
        };
        let started = Instant::now();
        let decision = self.decide(request, store, &mut tried);
        auditor.submit(self.event(request, &decision, tried, started));
        decision
    }

    fn decide(&self, request: &Request, store: &dyn LimitStore, tried: &mut u64) -> GateDecision {
        let path = match normalize_path(request.target()) {
            Ok(p) => p,
            Err(e) => return finish_denial(GateDecision::deny(Denial::from(e)), &[], None),
        };
        let method = request.method();
        let Some((route, params)) = self.routes.iter().find_map(|r| {
            if !r.methods.matches(method) {
                return None;
            }
            r.pattern.matches(&path).map(|p| (r, p))
        }) else {
            return finish_denial(
                GateDecision::deny(Denial::new(
                    ErrorCode::RouteUnmatched,
                    "no route matches the request's method and path",
                )),
                &[],
                None,
            );
        };
        let mut decision = GateDecision::deny(Denial::new(ErrorCode::Internal, "undecided"));
        decision.route = Some(route.names.clone());
        decision.params = params;
        let now = request.now();
        let address = request.peer_address();
        let mut taken = Taken::default();

        // Limits that need no identity go first: a throttled or locked-out client costs no
        // signature check and no password hash.
        for limit in &route.before {
            let key = match limit.key() {
                LimitKey::Route => route.names.name.as_bytes().to_vec(),
                LimitKey::Address => match address {
                    Some(a) => address_key(a),
                    None => continue,
                },
                LimitKey::Principal => continue,
            };
            match limit.take(store, &key, now) {
                Ok(Some(state)) => taken.push(limit.name.clone(), state),
                Ok(None) => {}
                Err(denial) => return self.refuse(decision, route, denial, &taken, None),
            }
        }
        if let Some(wait) = taken.exhausted() {
            let denial = Denial::new(
                ErrorCode::RateLimited,
                "a rate limit of the route is exhausted",
            );
            return self.refuse(decision, route, denial, &taken, Some(u64::from(wait)));
        }
        let address_key_bytes = address.map(address_key);
        if let (Some(counter), Some(key)) = (&self.per_address, &address_key_bytes) {
            match counter.blocked(store, key, now) {
                Ok(Some(wait)) => {
                    let (d, w) = policy::locked_out(wait, "too many failures from this address");
                    return self.refuse(decision, route, d, &taken, Some(w));
                }
                Ok(None) => {}
                Err(d) => return self.refuse(decision, route, d, &taken, None),
            }
        }
        let accounts = self.claimed_accounts(route, request);
        if let Some(policy) = &self.per_account {
            for (_, counter_ns, account) in &accounts {
                let counter = FailureCounter::new(counter_ns.clone(), policy.clone());
                match counter.blocked(store, account.as_bytes(), now) {
                    Ok(Some(wait)) => {
                        let (d, w) = policy::locked_out(wait, "too many failures on this account");
                        return self.refuse(decision, route, d, &taken, Some(w));
                    }
                    Ok(None) => {}
                    Err(d) => return self.refuse(decision, route, d, &taken, None),
                }
            }
        }

        let scopes = (!route.scopes.is_empty()).then_some(route.scopes.as_slice());
        match route.require.evaluate(request, scopes, tried) {
            Err(Failure { denial, tier }) => {
                if matches!(tier, Tier::Foreign | Tier::Invalid) {
                    if let (Some(counter), Some(key)) = (&self.per_address, &address_key_bytes) {
                        counter.record(store, key, now);
                    }
                    if let Some(policy) = &self.per_account {
                        for (_, ns, account) in &accounts {
                            FailureCounter::new(ns.clone(), policy.clone()).record(
                                store,
                                account.as_bytes(),
                                now,
                            );
                        }
                    }
                }
                self.refuse(decision, route, denial, &taken, None)
            }
            Ok(pass) => {
                if let Some(policy) = &self.per_account {
                    if let Some((winner, _)) = &pass.winner {
                        let winner = &route.names.credentials[usize::from(*winner)];
                        for (_, ns, account) in accounts.iter().filter(|(c, _, _)| c == winner) {
                            FailureCounter::new(ns.clone(), policy.clone())
                                .clear(store, account.as_bytes());
                        }
                    }
                }
                let principal = pass.winner.as_ref().map(|(_, p)| p);
                if !route.scopes.is_empty()
                    && !principal.is_some_and(|p| p.has_scopes(&route.scopes))
                {
                    let denial = Denial::new(
                        ErrorCode::ScopeInsufficient,
                        "the principal lacks a scope the route requires",
                    );
                    let winner = pass.winner.as_ref().map(|(i, _)| *i);
                    let denial = match self.bearer_challenge(route, winner) {
                        // RFC 6750 3.1: a bearer credential that lacks scope is told which.
                        Some(c) => denial.with_challenge(
                            c.param("error", "insufficient_scope")
                                .param("scope", route.scopes.join(" ")),
                        ),
                        None => denial,
                    };
                    return self.refuse(decision, route, denial, &taken, None);
                }
                if let Some(p) = principal.filter(|_| !route.after.is_empty()) {
                    let winner = pass
                        .winner
                        .as_ref()
                        .and_then(|(i, _)| route.names.credentials.get(usize::from(*i)));
                    let key = principal_key(winner.map(|n| &**n), p.subject());
                    for limit in &route.after {
                        match limit.take(store, &key, now) {
                            Ok(Some(state)) => taken.push(limit.name.clone(), state),
                            Ok(None) => {}
                            Err(denial) => {
                                return self.refuse(decision, route, denial, &taken, None)
                            }
                        }
                    }
                    if let Some(wait) = taken.exhausted() {
                        let denial = Denial::new(
                            ErrorCode::RateLimited,
                            "the principal's rate limit is exhausted",
                        );
                        return self.refuse(decision, route, denial, &taken, Some(u64::from(wait)));
                    }
                }
                decision.denial = None;
                decision.satisfied = pass.satisfied;
                if let Some((winner, principal)) = pass.winner {
                    decision.winner = Some(winner);
                    decision.principal = Some(Arc::new(principal));
                }
                if let Some(policy) = &route.policy_header {
                    decision.headers.push(("RateLimit-Policy", policy.clone()));
                }
                if let Some(h) = taken.header() {
                    decision.headers.push(("RateLimit", h));
                }
                decision
            }
        }
    }

    /// The accounts the request's credentials claim, per Basic credential of the route, with
    /// the counter namespace of each.
    fn claimed_accounts(
        &self,
        route: &Route,
        request: &Request,
    ) -> Vec<(Arc<str>, String, String)> {
        route
            .account_slots
            .iter()
            .filter_map(|slot| {
                slot.method.claimed_account(request).map(|a| {
                    (
                        slot.name.clone(),
                        format!("gate:fail:account:{}", slot.name),
                        a,
                    )
                })
            })
            .collect()
    }

    /// The winning credential's challenge, when it is a bearer scheme.
    fn bearer_challenge(&self, route: &Route, winner: Option<u8>) -> Option<Challenge> {
        let name = route.names.credentials.get(usize::from(winner?))?;
        let challenge = self.credentials.get(name)?.method.challenge()?;
        challenge
            .scheme()
            .eq_ignore_ascii_case("Bearer")
            .then_some(challenge)
    }

    fn refuse(
        &self,
        mut decision: GateDecision,
        route: &Route,
        denial: Denial,
        taken: &Taken,
        retry_after: Option<u64>,
    ) -> GateDecision {
        decision.denial = Some(denial);
        if let Some(policy) = &route.policy_header {
            decision.headers.push(("RateLimit-Policy", policy.clone()));
        }
        if let Some(h) = taken.header() {
            decision.headers.push(("RateLimit", h));
        }
        finish_denial(decision, &route.challenges, retry_after)
    }

    fn event(
        &self,
        request: &Request,
        decision: &GateDecision,
        tried: u64,
        started: Instant,
    ) -> AuditEvent {
        AuditEvent {
            time: request.now(),
            route: decision.route.clone(),
            request_id: request_id(request, &self.request_id_header),
            peer_address: request.peer_address(),
            tried,
            winner: decision.winner,
            principal: decision.principal.clone(),
            outcome: if decision.allowed() {
                Outcome::Allow
            } else {
                Outcome::Deny
            },
            status: decision.status(),
            code: decision.code(),
            latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        }
    }
}

/// Fills in a denial's challenges and headers.
fn finish_denial(
    mut decision: GateDecision,
    route_challenges: &[Challenge],
    retry_after: Option<u64>,
) -> GateDecision {
    let Some(denial) = &decision.denial else {
        return decision;
    };
    decision.challenges = decision::merge_challenges(denial, route_challenges);
    for c in &decision.challenges {
        decision
            .headers
            .push(("WWW-Authenticate", c.header_value()));
    }
    if let Some(wait) = retry_after {
        decision.headers.push(("Retry-After", wait.to_string()));
    }
    decision
        .headers
        .push(("Content-Type", "application/problem+json".into()));
    decision
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

/// What address limits and lockout count by: the IPv4 address (an IPv4-mapped IPv6 address is
/// the IPv4 client), or the /64 an IPv6 address is in. One IPv6 client is routinely given a whole
/// /64, so counting /128s would hand it 2^64 separate budgets.
fn address_key(address: IpAddr) -> Vec<u8> {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets()[..8].to_vec(),
        },
        IpAddr::V4(v4) => v4.octets().to_vec(),
    }
}

fn principal_key(credential: Option<&str>, subject: &str) -> Vec<u8> {
    let mut key = credential.unwrap_or("").as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(subject.as_bytes());
    key
}

/// The request id header's value when it is short visible ASCII; anything else is dropped
/// rather than copied into the audit trail.
fn request_id(request: &Request, header: &str) -> Option<Box<str>> {
    let value = request.header_values(header).next()?;
    let text = std::str::from_utf8(value).ok()?;
    (text.len() <= 128 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| text.into())
}

#[cfg(test)]
mod tests;
