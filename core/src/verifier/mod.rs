//! Every method behind one interface, built from its JSON (or TOML) configuration.
//!
//! A method's configuration is an object with a `method` member naming a registry entry
//! (`api_key`, `basic`, `jwt`, `webhook`, `pcs1`, `httpsig`, `mtls`, `oauth2`) and that method's own
//! settings. The registry turns it into a [`Method`]: the gate builds its named credentials
//! this way, and so does [`Verifier`], the generic verifier every binding offers, so a method's
//! configuration means the same thing wherever it is written.
//!
//! Adding a method is adding one registry entry (see [`entries`]): its name, its build
//! function and its schema; the gate, the JSON Schema and the generic verifier pick it up.

mod entries;
mod identity;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::{ConfigError, DocPath, Document, Format, LoadContext};
use crate::decision::{Challenge, Denial, Principal};
use crate::error::ErrorCode;
use crate::request::Request;
use crate::store::MemoryStore;

pub(crate) use entries::ENTRIES;
pub use identity::Identity;

/// One configured authentication method, as the gate and [`Verifier`] call it.
pub trait Method: Send + Sync + fmt::Debug {
    /// The registry name of the method (`jwt`, `api_key`, ...).
    fn name(&self) -> &'static str;

    /// Checks the request's credential for this method and that it grants every scope of
    /// `scopes`. A request without this method's credential is refused with a "missing" code
    /// (`credentials_missing`, `signature_missing`, `mtls_certificate_missing`).
    fn verify(&self, request: &Request, scopes: &[String]) -> Result<Principal, Denial>;

    /// As [`verify`](Method::verify), in the form the method proves identities in: a JWT's
    /// claims stay as read from the token (what the gate keeps, for bindings to hand on).
    fn authenticate(&self, request: &Request, scopes: &[String]) -> Result<Identity, Denial> {
        self.verify(request, scopes).map(Identity::from_principal)
    }

    /// The `WWW-Authenticate` challenge for a request that carries no credential, if the
    /// method has one (mTLS and webhooks do not).
    fn challenge(&self) -> Option<Challenge>;

    /// Every challenge for a request that carries no credential: [`challenge`](Method::challenge)
    /// unless the method accepts its credential under several schemes (OAuth 2.0: `Bearer` and
    /// `DPoP`).
    fn challenges(&self) -> Vec<Challenge> {
        self.challenge().into_iter().collect()
    }

    /// The RFC 9728 protected-resource metadata document (JSON) of a method that protects an
    /// OAuth 2.0 resource; `None` for the others.
    fn resource_metadata(&self) -> Option<String> {
        None
    }

    /// The account a request's credential claims, read without verifying it (the Basic
    /// user-id): what per-account lockout counts. `None` for methods whose credentials are not
    /// guessed per account.
    fn claimed_account(&self, _request: &Request) -> Option<String> {
        None
    }

    /// True when a verification may take long enough that a binding should leave its
    /// runtime's lock or loop (a password hash, a network fetch of keys); false for checks that
    /// take microseconds (a MAC, a signature, a map lookup).
    fn may_block(&self) -> bool {
        false
    }

    /// The built object, for hosts that reach into it (a gate's API key ring, to insert keys).
    fn as_any(&self) -> &dyn Any;
}

/// What a registry build function receives besides its configuration.
#[derive(Clone, Debug)]
pub(crate) struct BuildContext<'a> {
    pub load: &'a LoadContext,
    pub store: Arc<MemoryStore>,
}

/// Builds a method from its configuration object.
pub(crate) type BuildFn =
    fn(Map<String, Value>, &BuildContext<'_>) -> Result<Arc<dyn Method>, ConfigError>;

/// A registry entry: a method's name, how to build it and its configuration's schema.
pub(crate) struct Entry {
    /// The `method` value.
    pub name: &'static str,
    /// Builds the method from its configuration object (without the `method` member);
    /// references are not resolved yet. Errors carry paths relative to the object.
    pub build: BuildFn,
    /// The JSON Schema of the configuration object (with its `method` member).
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

/// Builds the method configured by `value` (an object with a `method` member) at `path`.
pub(crate) fn build_method(
    value: &Value,
    path: &DocPath,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    let Value::Object(object) = value else {
        return Err(ConfigError::new(
            path.clone(),
            "a credential is an object with a `method` member",
        ));
    };
    let mut object = object.clone();
    let name = match object.remove("method") {
        Some(Value::String(name)) => name,
        Some(_) => {
            return Err(ConfigError::new(
                path.key("method"),
                "`method` must be a string",
            ))
        }
        None => {
            return Err(ConfigError::new(
                path.clone(),
                format!("missing `method` (one of: {})", method_names().join(", ")),
            ))
        }
    };
    let entry = ENTRIES.iter().find(|e| e.name == name).ok_or_else(|| {
        ConfigError::new(
            path.key("method"),
            format!(
                "unknown method {name:?} (expected one of: {})",
                method_names().join(", ")
            ),
        )
    })?;
    (entry.build)(object, ctx).map_err(|e| e.under(path))
}

/// The registry's method names, in registry order.
pub fn method_names() -> Vec<&'static str> {
    ENTRIES.iter().map(|e| e.name).collect()
}

/// Refuses a request whose principal lacks one of `scopes`: for methods whose verifiers do not
/// check scopes themselves.
pub(crate) fn require_scopes(principal: Principal, scopes: &[String]) -> Result<Principal, Denial> {
    if principal.has_scopes(scopes) {
        Ok(principal)
    } else {
        Err(Denial::new(
            ErrorCode::ScopeInsufficient,
            "the credential lacks a scope the route requires",
        ))
    }
}

/// Any method, built from its configuration: `{"method": "jwt", "issuers": [...], ...}`.
///
/// The same configuration a gate's `credentials` entry takes, so a service can start with one
/// verifier and move to a gate without rewriting it. Secrets are references (`env:`, `file:`,
/// `secret:`), as in a gate file.
#[derive(Clone, Debug)]
pub struct Verifier {
    method: Arc<dyn Method>,
}

impl Verifier {
    /// Builds the method configured by `text` (JSON, or TOML when it does not start with
    /// `{`), with references read from the environment and the working directory.
    pub fn from_config(text: &str) -> Result<Verifier, ConfigError> {
        Verifier::load(text, Format::detect(text), &LoadContext::new())
    }

    /// Builds the method configured by `text` in `format`, with `ctx` for references.
    pub fn load(text: &str, format: Format, ctx: &LoadContext) -> Result<Verifier, ConfigError> {
        let doc = Document::parse(text, format)?;
        let build = BuildContext {
            load: ctx,
            store: Arc::new(MemoryStore::default()),
        };
        let method =
            build_method(doc.value(), &DocPath::root(), &build).map_err(|e| doc.locate(e))?;
        Ok(Verifier { method })
    }

    /// Wraps a method the gate (or a host) already built.
    pub fn from_method(method: Arc<dyn Method>) -> Verifier {
        Verifier { method }
    }

    /// The registry name of its method.
    pub fn method_name(&self) -> &'static str {
        self.method.name()
    }

    /// Verifies `request`, requiring every one of `scopes`.
    pub fn verify<S: AsRef<str>>(
        &self,
        request: &Request,
        scopes: &[S],
    ) -> Result<Principal, Denial> {
        crate::fault::point(request);
        let scopes: Vec<String> = scopes.iter().map(|s| s.as_ref().to_owned()).collect();
        self.method.verify(request, &scopes)
    }

    /// As [`verify`](Self::verify), with the identity in the form the method proves it (a JWT's
    /// claims as read from the token), for bindings that write the principal themselves.
    pub fn authenticate(&self, request: &Request, scopes: &[String]) -> Result<Identity, Denial> {
        crate::fault::point(request);
        self.method.authenticate(request, scopes)
    }

    /// The challenge to send when a request carries no credential.
    pub fn challenge(&self) -> Option<Challenge> {
        self.method.challenge()
    }

    /// The `WWW-Authenticate` value for a request that carries no credential: every challenge
    /// of the method, separated by `, `.
    pub fn challenge_header(&self) -> Option<String> {
        let values: Vec<String> = self
            .method
            .challenges()
            .iter()
            .map(Challenge::header_value)
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The method's RFC 9728 protected-resource metadata document (`oauth2`), else `None`.
    pub fn resource_metadata(&self) -> Option<String> {
        self.method.resource_metadata()
    }

    /// The method itself.
    pub fn method(&self) -> &Arc<dyn Method> {
        &self.method
    }
}

#[cfg(test)]
mod tests;
