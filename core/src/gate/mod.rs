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
mod decide;
mod decision;
mod inline;
mod path;
mod policy;
mod require;
pub mod route;
mod state;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::apikey::ApiKeyRing;
use crate::config::{ConfigError, DocPath, Document, Format, LoadContext};
use crate::request::Request;
use crate::store::MemoryStore;
use crate::verifier::Verifier;

use self::audit::{AuditSink, AuditStats};
use self::config::{GateConfig, CONFIG_VERSION};
use self::state::State;

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
        crate::fault::point(request);
        self.state.load().check(request, &self.store, &[])
    }

    /// Decides `request` as [`Gate::check`], with `scopes` required on top of the matched
    /// route's: what a framework route asks for (FastAPI's `Security(scopes=...)`, an Express
    /// middleware's `scopes`). A principal that lacks one is refused with 403
    /// `scope_insufficient` and a bearer credential's challenge names every required scope; an
    /// anonymous pass (an `optional` or `anonymous` route) becomes 401 `credentials_missing`.
    pub fn check_with_scopes(&self, request: &Request, scopes: &[&str]) -> GateDecision {
        crate::fault::point(request);
        self.state.load().check(request, &self.store, scopes)
    }

    /// True when a decision may take long (a credential hashes passwords or fetches keys over
    /// the network): bindings then leave their runtime's lock or event loop while checking, and
    /// keep it for gates whose checks take microseconds.
    pub fn may_block(&self) -> bool {
        self.state
            .load()
            .credentials
            .values()
            .any(|c| c.method.may_block())
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

#[cfg(test)]
mod tests;
