//! Deciding one request against a loaded configuration: route, limits, lockout, requirement,
//! scopes, the decision's headers and the audit event.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::audit::{AuditEvent, AuditedIdentity, InlineText, Outcome};
use super::config::LimitKey;
use super::decision::{self, GateDecision};
use super::policy::{self, FailureCounter, Taken};
use super::require::{Failure, Tier};
use super::route::normalize_path;
use super::state::{is_valid_scope, Route, State};
use crate::decision::{Challenge, Denial};
use crate::error::ErrorCode;
use crate::request::Request;
use crate::store::{LimitStore, MemoryStore};

impl State {
    pub(super) fn check(
        &self,
        request: &Request,
        store: &MemoryStore,
        extra_scopes: &[&str],
    ) -> GateDecision {
        let mut tried = 0;
        let Some(auditor) = &self.auditor else {
            return self.decide(request, store, &mut tried, extra_scopes);
        };
        let started = Instant::now();
        let decision = self.decide(request, store, &mut tried, extra_scopes);
        auditor.submit(self.event(request, &decision, tried, started));
        decision
    }

    fn decide(
        &self,
        request: &Request,
        store: &dyn LimitStore,
        tried: &mut u64,
        extra_scopes: &[&str],
    ) -> GateDecision {
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
        decision.route = Some(route.names);
        decision.params = params;
        let now = request.now();
        let address = request.peer_address();
        let mut taken = Taken::default();
        if route.policy_header.is_some() {
            // RateLimit-Policy and RateLimit, and room for a denial's headers.
            decision.headers.reserve_exact(4);
        }

        // Limits that need no identity go first: a throttled or locked-out client costs no
        // signature check and no password hash.
        let address_key_bytes = address.map(address_key);
        for limit in &route.before {
            let key: &[u8] = match (limit.key(), &address_key_bytes) {
                (LimitKey::Route, _) => route.names.name.as_bytes(),
                (LimitKey::Address, Some(a)) => a.as_slice(),
                (LimitKey::Address, None) | (LimitKey::Principal, _) => continue,
            };
            match limit.take(store, key, now) {
                Ok(Some(state)) => taken.push(limit.name, state),
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
        if let (Some(counter), Some(key)) = (&self.per_address, &address_key_bytes) {
            match counter.blocked(store, key.as_slice(), now) {
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

        // The caller's scopes (a framework route's `Security(scopes=...)`) join the route's.
        if !extra_scopes.iter().all(|s| is_valid_scope(s)) {
            // The service's own mistake, not the client's: refused as a usage error.
            let denial = Denial::new(
                ErrorCode::InvalidArgument,
                "a required scope is empty or holds a space, quote or backslash",
            );
            return self.refuse(decision, route, denial, &taken, None);
        }
        let required: Cow<'_, [String]> = if extra_scopes.is_empty() {
            Cow::Borrowed(&route.scopes)
        } else {
            Cow::Owned(merge_scopes(&route.scopes, extra_scopes))
        };
        let scopes = (!required.is_empty()).then_some(&*required);
        match route.require.evaluate(request, scopes, tried) {
            Err(Failure { denial, tier }) => {
                if matches!(tier, Tier::Foreign | Tier::Invalid) {
                    if let (Some(counter), Some(key)) = (&self.per_address, &address_key_bytes) {
                        counter.record(store, key.as_slice(), now);
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
                        for (_, ns, account) in accounts.iter().filter(|(c, _, _)| **c == **winner)
                        {
                            FailureCounter::new(ns.clone(), policy.clone())
                                .clear(store, account.as_bytes());
                        }
                    }
                }
                let principal = pass.winner.as_ref().map(|(_, p)| p);
                if principal.is_none() && !required.is_empty() && !route.challenges.is_empty() {
                    // Only the caller's scopes can get here (a route with scopes admits no
                    // anonymous request): scopes need someone to hold them, and the route's
                    // challenges say how to authenticate. A route without any (`anonymous`)
                    // cannot grant scopes at all: 403 below.
                    let denial = Denial::new(
                        ErrorCode::CredentialsMissing,
                        "the request needs scopes and carries no credential",
                    );
                    return self.refuse(decision, route, denial, &taken, None);
                }
                if !required.is_empty() && !principal.is_some_and(|p| p.has_scopes(&required)) {
                    let denial = Denial::new(
                        ErrorCode::ScopeInsufficient,
                        "the principal lacks a scope the route requires",
                    );
                    let winner = pass.winner.as_ref().map(|(i, _)| *i);
                    let denial = match self.bearer_challenge(route, winner) {
                        // RFC 6750 3.1: a bearer credential that lacks scope is told which.
                        Some(c) => denial.with_challenge(
                            c.param("error", "insufficient_scope")
                                .param("scope", required.join(" ")),
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
                    let key = PrincipalKey::new(winner.map(|n| &**n), p.subject());
                    for limit in &route.after {
                        match limit.take(store, key.as_slice(), now) {
                            Ok(Some(state)) => taken.push(limit.name, state),
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
                    decision.principal = Some(principal);
                }
                if let Some(policy) = &route.policy_header {
                    decision
                        .headers
                        .push(("RateLimit-Policy", Cow::Borrowed(policy)));
                }
                if let Some(h) = taken.header() {
                    decision.headers.push(("RateLimit", Cow::Owned(h)));
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

    /// The winning credential's challenge, when it is a bearer scheme (`Bearer`, or the `DPoP`
    /// of an OAuth 2.0 resource server that takes only DPoP-bound tokens).
    fn bearer_challenge(&self, route: &Route, winner: Option<u8>) -> Option<Challenge> {
        let name = route.names.credentials.get(usize::from(winner?))?;
        let challenge = self.credentials.get(&**name)?.method.challenge()?;
        let scheme = challenge.scheme();
        (scheme.eq_ignore_ascii_case("Bearer") || scheme.eq_ignore_ascii_case("DPoP"))
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
            decision
                .headers
                .push(("RateLimit-Policy", Cow::Borrowed(policy)));
        }
        if let Some(h) = taken.header() {
            decision.headers.push(("RateLimit", Cow::Owned(h)));
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
            route: decision.route,
            request_id: request_id(request, &self.request_id_header),
            peer_address: request.peer_address(),
            tried,
            winner: decision.winner,
            identity: decision.principal.as_ref().map(AuditedIdentity::of),
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
/// The route's scopes followed by the caller's that the route does not already name.
fn merge_scopes(route: &[String], extra: &[&str]) -> Vec<String> {
    let mut all = route.to_vec();
    for s in extra {
        if !all.iter().any(|r| r == s) {
            all.push((*s).to_owned());
        }
    }
    all
}

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
            .push(("WWW-Authenticate", Cow::Owned(c.header_value())));
    }
    for (name, value) in denial.headers() {
        decision.headers.push((name, Cow::Owned(value.clone())));
    }
    if let Some(wait) = retry_after {
        decision
            .headers
            .push(("Retry-After", Cow::Owned(wait.to_string())));
    }
    decision
        .headers
        .push(("Content-Type", Cow::Borrowed("application/problem+json")));
    decision
}

/// What address limits and lockout count by: the IPv4 address (an IPv4-mapped IPv6 address is
/// the IPv4 client), or the /64 an IPv6 address is in. One IPv6 client is routinely given a whole
/// /64, so counting /128s would hand it 2^64 separate budgets.
fn address_key(address: IpAddr) -> AddressKey {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => AddressKey::V4(v4.octets()),
            None => {
                let mut prefix = [0; 8];
                prefix.copy_from_slice(&v6.octets()[..8]);
                AddressKey::V6Prefix(prefix)
            }
        },
        IpAddr::V4(v4) => AddressKey::V4(v4.octets()),
    }
}

/// The bytes an address is counted under, without an allocation.
#[derive(Clone, Copy)]
pub(super) enum AddressKey {
    V4([u8; 4]),
    V6Prefix([u8; 8]),
}

impl AddressKey {
    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            AddressKey::V4(b) => b,
            AddressKey::V6Prefix(b) => b,
        }
    }
}

/// A principal's limit key, `credential NUL subject`, on the stack when it fits.
struct PrincipalKey {
    inline: [u8; 128],
    len: usize,
    heap: Vec<u8>,
}

impl PrincipalKey {
    fn new(credential: Option<&str>, subject: &str) -> Self {
        let parts = [
            credential.unwrap_or("").as_bytes(),
            b"\0",
            subject.as_bytes(),
        ];
        let len = parts.iter().map(|p| p.len()).sum();
        let mut key = PrincipalKey {
            inline: [0; 128],
            len,
            heap: Vec::new(),
        };
        if len <= key.inline.len() {
            let mut at = 0;
            for part in parts {
                key.inline[at..at + part.len()].copy_from_slice(part);
                at += part.len();
            }
        } else {
            key.heap = parts.concat();
        }
        key
    }

    fn as_slice(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The request id header's value when it is short visible ASCII; anything else is dropped
/// rather than copied into the audit trail.
fn request_id(request: &Request, header: &str) -> Option<InlineText<64>> {
    let value = request.header_values(header).next()?;
    let text = std::str::from_utf8(value).ok()?;
    (text.len() <= 128 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| InlineText::new(text))
}
