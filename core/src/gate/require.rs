//! A route's requirement tree: which credentials, how they combine, and how a failure of the
//! whole is chosen from the failures of its parts.
//!
//! Forms (the same in TOML and JSON):
//! - `"name"` or `{ credential = "name", scopes = [...] }`: the named credential must verify
//!   (with the route's scopes and its own);
//! - `{ any_of = [r1, r2, ...] }`: the first that passes wins, in order;
//! - `{ all_of = [r1, r2, ...] }`: every one must pass; the principal is the first
//!   non-anonymous one's (write the identity-bearing method first: `all_of = ["jwt", "edge"]`);
//! - `{ optional = r }`: `r`, except that a request carrying none of `r`'s credentials passes
//!   as anonymous; a credential that is present but invalid still fails (Envoy's
//!   `allow_missing`);
//! - `{ anonymous = true }`: passes as anonymous.
//!
//! When `any_of` fails, the failure reported is the most telling of its parts: a server-side
//! failure (5xx) over an insufficient scope over an invalid credential over a credential that
//! is not this method's at all (a non-JWT bearer for the JWT verifier) over a missing one;
//! among equals, the first in order.

use std::sync::Arc;

use serde_json::Value;

use crate::config::{ConfigError, DocPath};
use crate::decision::Denial;
use crate::error::ErrorCode;
use crate::request::Request;
use crate::verifier::{Identity, Method};

/// Deepest nesting of combinators.
pub const MAX_REQUIREMENT_DEPTH: usize = 8;
/// Most alternatives in one `any_of` / `all_of`.
pub const MAX_REQUIREMENT_CHILDREN: usize = 32;

/// A credential the tree refers to: its name, its built method, and its index among the
/// route's distinct credentials (the bit it sets in `tried` and `satisfied` masks).
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub name: Arc<str>,
    pub method: Arc<dyn Method>,
    pub index: u8,
}

/// A parsed requirement.
#[derive(Clone, Debug)]
pub(crate) enum Requirement {
    Credential { slot: Slot, scopes: Vec<String> },
    AnyOf(Vec<Requirement>),
    AllOf(Vec<Requirement>),
    Optional(Box<Requirement>),
    Anonymous,
}

impl Requirement {
    /// Parses the requirement at `path`, resolving credential names with `lookup`.
    pub(crate) fn parse(
        value: &Value,
        path: &DocPath,
        lookup: &dyn Fn(&str) -> Result<Slot, String>,
        depth: usize,
    ) -> Result<Requirement, ConfigError> {
        if depth > MAX_REQUIREMENT_DEPTH {
            return Err(ConfigError::new(
                path.clone(),
                format!("requirements nest at most {MAX_REQUIREMENT_DEPTH} deep"),
            ));
        }
        let credential =
            |name: &str, at: &DocPath| lookup(name).map_err(|m| ConfigError::new(at.clone(), m));
        let object = match value {
            Value::String(name) => {
                return Ok(Requirement::Credential {
                    slot: credential(name, path)?,
                    scopes: Vec::new(),
                })
            }
            Value::Object(object) => object,
            _ => {
                return Err(ConfigError::new(
                    path.clone(),
                    "a requirement is a credential name or an object with one of credential, any_of, all_of, optional, anonymous",
                ))
            }
        };
        let forms: Vec<(&str, &Value)> =
            ["credential", "any_of", "all_of", "optional", "anonymous"]
                .into_iter()
                .filter_map(|k| object.get(k).map(|v| (k, v)))
                .collect();
        let [(kind, inner)] = forms.as_slice() else {
            return Err(ConfigError::new(
                path.clone(),
                "a requirement object has exactly one of credential, any_of, all_of, optional, anonymous",
            ));
        };
        let allowed: &[&str] = if *kind == "credential" {
            &["credential", "scopes"]
        } else {
            &[kind]
        };
        if let Some(extra) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ConfigError::new(
                path.key(extra),
                format!("unexpected member in a {kind} requirement"),
            ));
        }
        let at = path.key(kind);
        match *kind {
            "credential" => {
                let name = inner
                    .as_str()
                    .ok_or_else(|| ConfigError::new(at.clone(), "expected a credential name"))?;
                let scopes = match object.get("scopes") {
                    None => Vec::new(),
                    Some(v) => parse_scopes(v, &path.key("scopes"))?,
                };
                Ok(Requirement::Credential {
                    slot: credential(name, &at)?,
                    scopes,
                })
            }
            "any_of" | "all_of" => {
                let items = inner
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| ConfigError::new(at.clone(), "expected a non-empty array"))?;
                if items.len() > MAX_REQUIREMENT_CHILDREN {
                    return Err(ConfigError::new(
                        at,
                        format!("at most {MAX_REQUIREMENT_CHILDREN} requirements"),
                    ));
                }
                let children = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Requirement::parse(v, &at.index(i), lookup, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if *kind == "any_of" {
                    Requirement::AnyOf(children)
                } else {
                    Requirement::AllOf(children)
                })
            }
            "optional" => Ok(Requirement::Optional(Box::new(Requirement::parse(
                inner,
                &at,
                lookup,
                depth + 1,
            )?))),
            _ => match inner {
                Value::Bool(true) => Ok(Requirement::Anonymous),
                _ => Err(ConfigError::new(at, "anonymous takes `true`")),
            },
        }
    }

    /// True when some request without any credential passes.
    pub(crate) fn admits_anonymous(&self) -> bool {
        match self {
            Requirement::Credential { .. } => false,
            Requirement::AnyOf(c) => c.iter().any(Requirement::admits_anonymous),
            Requirement::AllOf(c) => c.iter().all(Requirement::admits_anonymous),
            Requirement::Optional(_) | Requirement::Anonymous => true,
        }
    }

    /// Every credential slot, in order (repeats included).
    pub(crate) fn slots(&self, out: &mut Vec<Slot>) {
        match self {
            Requirement::Credential { slot, .. } => out.push(slot.clone()),
            Requirement::AnyOf(c) | Requirement::AllOf(c) => c.iter().for_each(|r| r.slots(out)),
            Requirement::Optional(r) => r.slots(out),
            Requirement::Anonymous => {}
        }
    }

    /// Evaluates the tree. `route_scopes` are checked by the leaves that can yield the
    /// decision's principal (all of `any_of`, the first of `all_of`); the gate checks them
    /// once more on the principal it reports.
    pub(crate) fn evaluate(
        &self,
        request: &Request,
        route_scopes: Option<&[String]>,
        tried: &mut u64,
    ) -> Result<Pass, Failure> {
        match self {
            Requirement::Anonymous => Ok(Pass::anonymous()),
            Requirement::Credential { slot, scopes } => {
                *tried |= 1 << slot.index;
                let result = match (route_scopes, scopes.is_empty()) {
                    (None | Some([]), true) => slot.method.authenticate(request, &[]),
                    (Some(route), true) => slot.method.authenticate(request, route),
                    (route, false) => {
                        let mut all = route.unwrap_or_default().to_vec();
                        all.extend(scopes.iter().cloned());
                        slot.method.authenticate(request, &all)
                    }
                };
                match result {
                    Ok(principal) => Ok(Pass {
                        winner: Some((slot.index, principal)),
                        satisfied: 1 << slot.index,
                    }),
                    Err(denial) => Err(Failure::from_denial(denial)),
                }
            }
            Requirement::AnyOf(children) => {
                let mut best: Option<Failure> = None;
                for child in children {
                    match child.evaluate(request, route_scopes, tried) {
                        Ok(pass) => return Ok(pass),
                        Err(f) => {
                            if best.as_ref().is_none_or(|b| f.tier > b.tier) {
                                best = Some(f);
                            }
                        }
                    }
                }
                // Non-empty by construction.
                Err(best.unwrap_or_else(Failure::unreachable))
            }
            Requirement::AllOf(children) => {
                let mut passed = Pass::anonymous();
                let mut presented = false;
                for (i, child) in children.iter().enumerate() {
                    let scopes = if i == 0 { route_scopes } else { None };
                    match child.evaluate(request, scopes, tried) {
                        Ok(pass) => {
                            presented |= pass.winner.is_some();
                            passed.absorb(pass);
                        }
                        Err(mut f) => {
                            // A credential missing after others were presented is not a
                            // request without credentials: `optional` must not let it pass.
                            if presented && f.tier == Tier::Missing {
                                f.tier = Tier::Invalid;
                            }
                            return Err(f);
                        }
                    }
                }
                Ok(passed)
            }
            Requirement::Optional(inner) => match inner.evaluate(request, route_scopes, tried) {
                Ok(pass) => Ok(pass),
                Err(f) if f.tier == Tier::Missing => Ok(Pass::anonymous()),
                Err(f) => Err(f),
            },
        }
    }
}

fn parse_scopes(value: &Value, at: &DocPath) -> Result<Vec<String>, ConfigError> {
    let items = value
        .as_array()
        .ok_or_else(|| ConfigError::new(at.clone(), "expected an array of scope names"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_str() {
            Some(s) if !s.is_empty() && !s.contains([' ', '"', '\\']) => Ok(s.to_owned()),
            _ => Err(ConfigError::new(
                at.index(i),
                "a scope is a non-empty string without spaces, quotes or backslashes",
            )),
        })
        .collect()
}

/// A passed requirement: the principal that proved it and its credential's index (None:
/// anonymous), and the mask of every credential that was satisfied.
#[derive(Debug)]
pub(crate) struct Pass {
    pub winner: Option<(u8, Identity)>,
    pub satisfied: u64,
}

impl Pass {
    fn anonymous() -> Self {
        Pass {
            winner: None,
            satisfied: 0,
        }
    }

    fn absorb(&mut self, other: Pass) {
        if self.winner.is_none() {
            self.winner = other.winner;
        }
        self.satisfied |= other.satisfied;
    }
}

/// How telling a failure is, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// The request carries no credential for the method.
    Missing,
    /// The credential is there but is not this method's (a non-JWT bearer for the JWT
    /// verifier, another keyring's prefix, a token from an unlisted issuer or key).
    Foreign,
    /// The credential is this method's and is invalid, or the request is malformed.
    Invalid,
    /// The credential is valid but lacks a scope.
    Scope,
    /// The server could not decide (a store or key source is unavailable).
    Server,
}

impl Tier {
    pub(crate) fn of(code: ErrorCode) -> Tier {
        match code {
            ErrorCode::CredentialsMissing
            | ErrorCode::SignatureMissing
            | ErrorCode::MtlsCertificateMissing => Tier::Missing,
            ErrorCode::JwtMalformed
            | ErrorCode::JwtKeyUnknown
            | ErrorCode::JwtIssuerMismatch
            | ErrorCode::ApiKeyMalformed
            | ErrorCode::ApiKeyPrefixMismatch
            | ErrorCode::SignatureKeyUnknown => Tier::Foreign,
            ErrorCode::ScopeInsufficient => Tier::Scope,
            code if code.http_status() >= 500 => Tier::Server,
            _ => Tier::Invalid,
        }
    }
}

/// A failed requirement.
#[derive(Debug)]
pub(crate) struct Failure {
    pub denial: Denial,
    pub tier: Tier,
}

impl Failure {
    fn from_denial(denial: Denial) -> Self {
        Failure {
            tier: Tier::of(denial.code()),
            denial,
        }
    }

    fn unreachable() -> Self {
        Failure::from_denial(Denial::new(ErrorCode::Internal, "empty requirement"))
    }
}
