//! What the gate answers: allow with a principal, or deny with a status, challenges, headers
//! and an RFC 9457 problem body.

use std::borrow::Cow;

use serde::Serialize;

use super::audit::RouteNames;
use super::route::Captured;
use crate::decision::{Challenge, Denial, Principal};
use crate::error::ErrorCode;
use crate::verifier::Identity;

/// The gate's answer to one request.
#[derive(Clone, Debug)]
pub struct GateDecision {
    pub(crate) route: Option<&'static RouteNames>,
    pub(crate) params: Captured,
    pub(crate) winner: Option<u8>,
    pub(crate) satisfied: u64,
    pub(crate) principal: Option<Identity>,
    pub(crate) denial: Option<Denial>,
    pub(crate) challenges: Vec<Challenge>,
    pub(crate) headers: Vec<(&'static str, Cow<'static, str>)>,
}

impl GateDecision {
    pub(crate) fn deny(denial: Denial) -> Self {
        GateDecision {
            route: None,
            params: Captured::default(),
            winner: None,
            satisfied: 0,
            principal: None,
            denial: Some(denial),
            challenges: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// True when the request may proceed.
    pub fn allowed(&self) -> bool {
        self.denial.is_none()
    }

    /// The HTTP status to answer a denied request with (400, 401, 403, 429, 503, ...); 200
    /// when allowed.
    pub fn status(&self) -> u16 {
        self.denial.as_ref().map_or(200, Denial::http_status)
    }

    /// The name of the route that matched, if one did.
    pub fn route(&self) -> Option<&str> {
        self.route.map(|r| &*r.name)
    }

    /// The path parameters the route captured (`{id}`), in pattern order, still
    /// percent-encoded as in the normalized path.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        let names = self
            .route
            .into_iter()
            .flat_map(|r| r.params.iter().map(|n| &**n));
        names.zip(self.params.values())
    }

    /// The credential (by its configuration name) whose principal the decision reports; None
    /// when denied or anonymous.
    pub fn credential(&self) -> Option<&str> {
        let route = self.route?;
        route
            .credentials
            .get(usize::from(self.winner?))
            .map(|n| &**n)
    }

    /// Every credential that was satisfied (more than one under `all_of`), in the route's
    /// order.
    pub fn satisfied(&self) -> impl Iterator<Item = &str> {
        self.route
            .into_iter()
            .flat_map(move |r| r.select(self.satisfied))
    }

    /// Who is calling; None when denied, or allowed anonymously.
    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref().map(Identity::principal)
    }

    /// Who is calling, in the form the method proved it (a JWT's claims still as text): what
    /// bindings read, to hand the claims on without building a map.
    pub fn identity(&self) -> Option<&Identity> {
        self.principal.as_ref()
    }

    /// Takes the identity out (the decision keeps everything else): what a binding that builds
    /// its own principal object from it calls, so the token is moved rather than copied.
    pub fn take_identity(&mut self) -> Option<Identity> {
        self.principal.take()
    }

    /// Takes the principal out.
    pub fn into_principal(self) -> Option<Principal> {
        self.principal.map(Identity::into_principal)
    }

    /// True when allowed without a principal (`optional` with no credential, `anonymous`).
    pub fn anonymous(&self) -> bool {
        self.allowed() && self.principal.is_none()
    }

    /// Why the request was refused.
    pub fn denial(&self) -> Option<&Denial> {
        self.denial.as_ref()
    }

    /// The refusal's code.
    pub fn code(&self) -> Option<ErrorCode> {
        self.denial.as_ref().map(Denial::code)
    }

    /// The `WWW-Authenticate` challenges to send, one header field each.
    pub fn challenges(&self) -> &[Challenge] {
        &self.challenges
    }

    /// Every header the response should carry: `WWW-Authenticate` (one per challenge),
    /// `Retry-After`, `RateLimit-Policy`, `RateLimit`, and `Content-Type` for the problem body
    /// of a denial. Names as written here; a header may repeat.
    pub fn headers(&self) -> &[(&'static str, Cow<'static, str>)] {
        &self.headers
    }

    /// Seconds the client should wait, for a throttled or locked-out request.
    pub fn retry_after(&self) -> Option<u64> {
        self.headers
            .iter()
            .find(|(n, _)| *n == "Retry-After")
            .and_then(|(_, v)| v.parse().ok())
    }

    /// The RFC 9457 `application/problem+json` body of a denial: `type`, `title`, `status` and
    /// `code`, nothing a client could use against the server (no detail, no user name).
    pub fn problem_json(&self) -> Option<String> {
        let denial = self.denial.as_ref()?;
        Some(problem_json(denial.code()))
    }
}

impl GateDecision {
    /// The whole decision as one JSON object, the form bindings hand to JavaScript and the
    /// CLI prints: `allowed`, `status`, `route`, `params` (object), `credential`, `satisfied`,
    /// `anonymous`, `principal` (the principal's JSON or null), `code`, `message`,
    /// `challenges`, `headers` (`[[name, value], ...]`), `retry_after`, `problem` (the problem
    /// body's JSON text, or null).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct View<'a> {
            allowed: bool,
            status: u16,
            route: Option<&'a str>,
            params: serde_json::Map<String, serde_json::Value>,
            credential: Option<&'a str>,
            satisfied: Vec<&'a str>,
            anonymous: bool,
            principal: Option<&'a Principal>,
            code: Option<&'static str>,
            message: Option<&'static str>,
            challenges: Vec<String>,
            headers: &'a [(&'static str, Cow<'static, str>)],
            retry_after: Option<u64>,
            problem: Option<String>,
        }
        let view = View {
            allowed: self.allowed(),
            status: self.status(),
            route: self.route(),
            params: self
                .params()
                .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
                .collect(),
            credential: self.credential(),
            satisfied: self.satisfied().collect(),
            anonymous: self.anonymous(),
            principal: self.principal(),
            code: self.code().map(ErrorCode::name),
            message: self.denial.as_ref().map(Denial::message),
            challenges: self
                .challenges
                .iter()
                .map(Challenge::header_value)
                .collect(),
            headers: &self.headers,
            retry_after: self.retry_after(),
            problem: self.problem_json(),
        };
        serde_json::to_string(&view).unwrap_or_default()
    }
}

/// The problem document for `code`.
pub fn problem_json(code: ErrorCode) -> String {
    #[derive(Serialize)]
    struct Problem<'a> {
        #[serde(rename = "type")]
        kind: String,
        title: &'a str,
        status: u16,
        code: &'a str,
    }
    let problem = Problem {
        kind: format!("urn:portcullis:error:{}", code.name()),
        title: code.public_message(),
        status: code.http_status(),
        code: code.name(),
    };
    serde_json::to_string(&problem).unwrap_or_default()
}

/// The challenges of a denial: the denial's own first, then the route's other methods' ones
/// (for a 401 only: a client that lacks a credential may present any of them), without two of
/// the same scheme and realm.
pub(crate) fn merge_challenges(denial: &Denial, route: &[Challenge]) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = denial.challenges().cloned().collect();
    if denial.http_status() != 401 {
        return out;
    }
    for c in route {
        let same = |o: &Challenge| {
            o.scheme().eq_ignore_ascii_case(c.scheme())
                && o.param_value("realm") == c.param_value("realm")
        };
        if !out.iter().any(same) {
            out.push(c.clone());
        }
    }
    out
}
