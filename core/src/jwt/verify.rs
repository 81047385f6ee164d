//! The verifier: token shape, header, key selection, signature, claims, revocation, scopes.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use serde_json::{Map, Value};

use super::cache::{token_id, Cache, Entry};
use super::header::{self, Header};
use super::keyset::{JwtKey, KeySource};
use super::token_claims::{ClaimRef, TokenClaims};
use super::{claims, json, typ_matches, Algorithm, JwtConfig};
use super::{MAX_CANDIDATE_KEYS, MAX_HEADER_BYTES};
use crate::confirmation;
use crate::decision::{AuthMethod, Challenge, Denial, Principal};
use crate::error::{Error, ErrorCode};
use crate::request::Request;
use crate::store::{MemoryStore, RevocationStore};

/// The namespace of JWT ids in the revocation store.
pub const REVOCATION_NAMESPACE: &str = "jwt:jti";

/// A JWS whose signature verified (claims not checked).
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedJws {
    /// The algorithm that verified.
    pub alg: Algorithm,
    /// The `kid` of the key that verified (the header's when the key has none).
    pub kid: Option<String>,
    /// The whole protected header.
    pub header: Map<String, Value>,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
}

/// A token that verified, its claims as read from the payload ([`TokenClaims`]): what
/// [`JwtVerifier::verify_token_claims`] gives, for callers that hand the claims on without
/// needing them as a map (the language bindings). [`into_principal`](Self::into_principal)
/// makes the [`Principal`] that [`JwtVerifier::verify_token`] returns.
#[derive(Clone, Debug)]
pub struct VerifiedToken {
    /// The `sub` claim (empty when the token has none).
    pub subject: String,
    /// The `kid` of the key that verified (the header's when the key has none).
    pub credential_id: Option<String>,
    /// The scopes from `scope` and `scp`.
    pub scopes: Vec<String>,
    /// The `exp` claim.
    pub expires_at: Option<i64>,
    /// Every claim.
    pub claims: TokenClaims,
}

impl VerifiedToken {
    /// The principal, its claims as a map.
    pub fn into_principal(self) -> Principal {
        Principal {
            subject: self.subject,
            method: AuthMethod::Jwt,
            credential_id: self.credential_id,
            scopes: self.scopes,
            claims: self.claims.into_map(),
            expires_at: self.expires_at,
        }
    }

    /// True when the token grants every one of `required` scopes.
    pub fn has_scopes<S: AsRef<str>>(&self, required: &[S]) -> bool {
        crate::decision::grants(&self.scopes, required)
    }
}

impl From<Principal> for VerifiedToken {
    fn from(p: Principal) -> Self {
        VerifiedToken {
            subject: p.subject,
            credential_id: p.credential_id,
            scopes: p.scopes,
            expires_at: p.expires_at,
            claims: TokenClaims::from_map(p.claims),
        }
    }
}

/// How [`JwtVerifier::read`] keeps the claims: as the map a [`Principal`] holds (read into it
/// at once), or as read from the payload text for a caller that never needs the map.
#[derive(Clone, Copy)]
enum ClaimsAs {
    Map,
    Text,
}

/// What the verified-token cache keeps besides the principal: the `jti` and the span of `now`
/// values for which the time checks pass.
struct CacheFacts {
    jti: Option<String>,
    valid_from: i64,
    valid_until: Option<i64>,
}

/// The last header segment read, and what it parsed to.
type HeaderMemo = Option<(Box<str>, Arc<Header>)>;

/// What [`JwtVerifier::verify_signed`] found.
struct Signed {
    alg: Algorithm,
    kid: Option<String>,
    header: Option<Map<String, Value>>,
    payload: Vec<u8>,
}

/// Verifies JWT bearer tokens against a key source. Thread-safe; build once, share.
pub struct JwtVerifier {
    config: JwtConfig,
    keys: Arc<dyn KeySource>,
    revocations: Arc<dyn RevocationStore>,
    /// False while `revocations` is the verifier's own in-memory store and nothing was ever
    /// revoked in it: that store is reachable only through [`JwtVerifier::revoke`], so it is
    /// then empty and the lookup (a SHA-256 and a lock per token) can be skipped. Always true
    /// for a store given with [`JwtVerifier::with_revocation_store`].
    may_hold_revocations: AtomicBool,
    /// The last header segment read and what [`header::parse`] made of it.
    header_memo: Mutex<HeaderMemo>,
    cache: Option<Cache>,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("config", &self.config)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

fn err(code: ErrorCode, detail: &'static str) -> Error {
    Error::new(code, detail)
}

fn check_key_types(config: &JwtConfig, keys: &dyn KeySource) -> Result<(), Error> {
    if !config.allow_mixed_key_types && keys.mixes_key_types() {
        return Err(err(
            ErrorCode::ConfigInvalid,
            "the key set mixes HMAC secrets and asymmetric keys; set allow_mixed_key_types to accept it",
        ));
    }
    Ok(())
}

impl JwtVerifier {
    /// A verifier for `config`, reading keys from `keys`, with an in-memory revocation list.
    /// A key set that mixes HMAC secrets and asymmetric keys is `config_invalid` unless
    /// `allow_mixed_key_types` is set.
    pub fn new(config: JwtConfig, keys: Arc<dyn KeySource>) -> Result<Self, Error> {
        config.validate()?;
        check_key_types(&config, &*keys)?;
        let cache = (config.cache_size > 0).then(|| Cache::new(config.cache_size));
        Ok(JwtVerifier {
            config,
            keys,
            revocations: Arc::new(MemoryStore::default()),
            may_hold_revocations: AtomicBool::new(false),
            header_memo: Mutex::new(None),
            cache,
        })
    }

    /// Uses `store` for revoked `jti` values (a shared store for a fleet).
    pub fn with_revocation_store(mut self, store: Arc<dyn RevocationStore>) -> Self {
        self.revocations = store;
        self.may_hold_revocations = AtomicBool::new(true);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &JwtConfig {
        &self.config
    }

    /// Revokes the token id `jti` until `until` (Unix seconds; its `exp` is enough).
    pub fn revoke(&self, jti: &str, until: i64, now: i64) -> Result<(), Error> {
        // Set before the entry is written, so no verify that can see the entry skips it.
        self.may_hold_revocations.store(true, Ordering::SeqCst);
        self.revocations
            .revoke(REVOCATION_NAMESPACE, jti.as_bytes(), until, now)
    }

    /// Drops every cached verification (after removing a key, for instance).
    pub fn clear_cache(&self) {
        if let Some(c) = &self.cache {
            c.clear();
        }
    }

    /// Cached verifications currently held.
    pub fn cached(&self) -> usize {
        self.cache.as_ref().map_or(0, Cache::len)
    }

    /// Verifies the `Authorization: Bearer` token of `request` at the request's time and checks
    /// that it grants every one of `required_scopes`.
    pub fn verify<S: AsRef<str>>(
        &self,
        request: &Request,
        required_scopes: &[S],
    ) -> Result<Principal, Denial> {
        self.verify_request(request, required_scopes, ClaimsAs::Map)
            .map(VerifiedToken::into_principal)
    }

    /// [`verify`](Self::verify), with the claims as read from the token ([`VerifiedToken`])
    /// rather than as a map: the same checks, the same errors.
    pub fn verify_claims<S: AsRef<str>>(
        &self,
        request: &Request,
        required_scopes: &[S],
    ) -> Result<VerifiedToken, Denial> {
        self.verify_request(request, required_scopes, ClaimsAs::Text)
    }

    fn verify_request<S: AsRef<str>>(
        &self,
        request: &Request,
        required_scopes: &[S],
        claims_as: ClaimsAs,
    ) -> Result<VerifiedToken, Denial> {
        let no_scopes: &[&str] = &[];
        let token = request
            .bearer_token()
            .map_err(|d| self.deny(d.error().clone(), no_scopes))?
            .ok_or_else(|| {
                self.deny(
                    err(ErrorCode::CredentialsMissing, "no Bearer token"),
                    no_scopes,
                )
            })?;
        let verified = self.verified(token, request.now(), required_scopes, claims_as)?;
        if self.config.require_certificate_binding {
            let leaf = request.peer_certificates().first().ok_or_else(|| {
                err(
                    ErrorCode::JwtConfirmationMismatch,
                    "token must be certificate-bound and the request has no client certificate",
                )
            });
            leaf.and_then(|der| {
                let cnf = verified.claims.get("cnf").map(|cnf| match cnf {
                    ClaimRef::Value(Value::Object(cnf)) => Some(cnf),
                    _ => None,
                });
                confirmation::check_cnf(cnf, &confirmation::certificate_thumbprint(der))
            })
            .map_err(|e| self.deny(e, required_scopes))?;
        }
        Ok(verified)
    }

    /// Verifies a token at `now` (Unix seconds) and checks `required_scopes`. With
    /// `require_certificate_binding` set it refuses every token (`jwt_confirmation_mismatch`):
    /// the binding needs the request's client certificate, so use [`verify`](Self::verify).
    pub fn verify_token<S: AsRef<str>>(
        &self,
        token: &str,
        now: i64,
        required_scopes: &[S],
    ) -> Result<Principal, Denial> {
        self.refuse_bound_tokens(required_scopes)?;
        self.verified(token, now, required_scopes, ClaimsAs::Map)
            .map(VerifiedToken::into_principal)
    }

    /// [`verify_token`](Self::verify_token), with the claims as read from the token
    /// ([`VerifiedToken`]) rather than as a map: the same checks, the same errors.
    pub fn verify_token_claims<S: AsRef<str>>(
        &self,
        token: &str,
        now: i64,
        required_scopes: &[S],
    ) -> Result<VerifiedToken, Denial> {
        self.refuse_bound_tokens(required_scopes)?;
        self.verified(token, now, required_scopes, ClaimsAs::Text)
    }

    fn refuse_bound_tokens<S: AsRef<str>>(&self, required_scopes: &[S]) -> Result<(), Denial> {
        if self.config.require_certificate_binding {
            return Err(self.deny(
                err(
                    ErrorCode::JwtConfirmationMismatch,
                    "certificate-bound tokens need the request: call verify, not verify_token",
                ),
                required_scopes,
            ));
        }
        Ok(())
    }

    /// A verified token that grants `required_scopes`, through the cache when there is one
    /// (whose entries hold the claims as a map).
    fn verified<S: AsRef<str>>(
        &self,
        token: &str,
        now: i64,
        required_scopes: &[S],
        claims_as: ClaimsAs,
    ) -> Result<VerifiedToken, Denial> {
        let verified = if self.cache.is_some() {
            self.principal(token, now).map(VerifiedToken::from)
        } else {
            self.read(token, now, claims_as)
                .map(|(verified, _)| verified)
        };
        let verified = verified.map_err(|e| self.deny(e, required_scopes))?;
        if !verified.has_scopes(required_scopes) {
            return Err(self.deny(
                err(ErrorCode::ScopeInsufficient, "token lacks a required scope"),
                required_scopes,
            ));
        }
        Ok(verified)
    }

    /// The principal of a token through the verified-token cache: a hit, or a read that is kept.
    fn principal(&self, token: &str, now: i64) -> Result<Principal, Error> {
        let id = self.cache.as_ref().map(|_| token_id(token));
        if let (Some(cache), Some(id)) = (&self.cache, &id) {
            if token.len() <= self.config.max_token_bytes {
                if let Some(hit) = cache.get(id, now) {
                    self.check_revoked(hit.jti.as_deref(), now)?;
                    return Ok(hit.principal);
                }
            }
        }
        let (verified, facts) = self.read(token, now, ClaimsAs::Map)?;
        let principal = verified.into_principal();
        if let (Some(cache), Some(id), Some(valid_until)) = (&self.cache, id, facts.valid_until) {
            let entry = Entry {
                principal: principal.clone(),
                jti: facts.jti,
                valid_from: facts.valid_from,
                valid_until,
            };
            cache.put(id, entry, now);
        }
        Ok(principal)
    }

    /// Signature, claims and revocation, without the cache.
    fn read(
        &self,
        token: &str,
        now: i64,
        claims_as: ClaimsAs,
    ) -> Result<(VerifiedToken, CacheFacts), Error> {
        let jws = self.verify_signed(token, false)?;
        let claims = match claims_as {
            ClaimsAs::Map => TokenClaims::from_map(json::parse_object(&jws.payload, "claims")?),
            ClaimsAs::Text => TokenClaims::read(jws.payload)?,
        };
        let facts = claims::check(&self.config, &claims, now)?;
        self.check_revoked(facts.jti, now)?;
        let cache_facts = CacheFacts {
            jti: match self.cache {
                Some(_) => facts.jti.map(str::to_owned),
                None => None,
            },
            valid_from: facts.valid_from,
            valid_until: facts.valid_until,
        };
        let subject = facts.subject.map(str::to_owned).unwrap_or_default();
        let (scopes, expires_at) = (facts.scopes, facts.exp);
        let verified = VerifiedToken {
            subject,
            credential_id: jws.kid,
            scopes,
            expires_at,
            claims,
        };
        Ok((verified, cache_facts))
    }

    fn check_revoked(&self, jti: Option<&str>, now: i64) -> Result<(), Error> {
        match jti {
            Some(jti)
                if self.may_hold_revocations.load(Ordering::SeqCst)
                    && self.revocations.is_revoked(
                        REVOCATION_NAMESPACE,
                        jti.as_bytes(),
                        now,
                    )? =>
            {
                Err(err(ErrorCode::JwtRevoked, "token id is revoked"))
            }
            _ => Ok(()),
        }
    }

    /// Checks shape, header and signature only (no claims): for JWS payloads that are not JWT
    /// claims sets.
    pub fn verify_jws(&self, token: &str) -> Result<VerifiedJws, Error> {
        let signed = self.verify_signed(token, true)?;
        Ok(VerifiedJws {
            alg: signed.alg,
            kid: signed.kid,
            header: signed.header.unwrap_or_default(),
            payload: signed.payload,
        })
    }

    /// The header of segment `h`, read by [`header::parse`]. Tokens from one issuer share their
    /// header segment, so the last one that was read is kept: the same bytes read the same way,
    /// and the checks against the configuration still run on every token.
    ///
    /// The memo is only ever tried, never waited for: a thread that finds it busy parses the
    /// header itself, so many threads sharing one verifier never queue on it.
    fn header(&self, h: &str) -> Result<Arc<Header>, Error> {
        if let Some(memo) = self.try_memo() {
            if let Some((segment, head)) = memo.as_ref() {
                if **segment == *h {
                    return Ok(Arc::clone(head));
                }
            }
        }
        let header_map = json::parse_object(&json::segment(h, "header")?, "header")?;
        let head = Arc::new(header::parse(&header_map)?);
        if let Some(mut memo) = self.try_memo() {
            *memo = Some((h.into(), Arc::clone(&head)));
        }
        Ok(head)
    }

    fn try_memo(&self) -> Option<MutexGuard<'_, HeaderMemo>> {
        match self.header_memo.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Shape, header and signature; with `want_header` the whole header as a map (a
    /// [`VerifiedJws`] holds it), else the header of the last token when it is the same.
    fn verify_signed(&self, token: &str, want_header: bool) -> Result<Signed, Error> {
        if token.len() > self.config.max_token_bytes {
            return Err(err(ErrorCode::JwtTooLarge, "token exceeds max_token_bytes"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err(
                ErrorCode::JwtMalformed,
                "token is not three dot-separated segments",
            ));
        };
        if h.len() > MAX_HEADER_BYTES {
            return Err(err(ErrorCode::JwtTooLarge, "header segment is too large"));
        }
        let (head, header_map) = if want_header {
            let header_map = json::parse_object(&json::segment(h, "header")?, "header")?;
            (Arc::new(header::parse(&header_map)?), Some(header_map))
        } else {
            (self.header(h)?, None)
        };
        if !self.config.algorithms.is_empty() && !self.config.algorithms.contains(&head.alg) {
            return Err(err(
                ErrorCode::JwtAlgorithmRefused,
                "alg is not in the allow-list",
            ));
        }
        if let Some(want) = &self.config.typ {
            if !head.typ.as_deref().is_some_and(|t| typ_matches(want, t)) {
                return Err(err(
                    ErrorCode::JwtTypeMismatch,
                    "typ is not the required type",
                ));
            }
        }
        let payload = json::segment(p, "payload")?;
        let signature = json::segment(s, "signature")?;
        let candidates = self.candidates(head.kid.as_deref(), head.alg)?;
        let signing_input = &token.as_bytes()[..h.len() + 1 + p.len()];
        let key = candidates
            .iter()
            .find(|k| k.verify(signing_input, &signature))
            .ok_or_else(|| err(ErrorCode::JwtSignatureInvalid, "signature does not verify"))?;
        Ok(Signed {
            alg: head.alg,
            kid: key.kid().or(head.kid.as_deref()).map(str::to_owned),
            header: header_map,
            payload,
        })
    }

    /// The keys to try: those the `kid` selects (every key without one) whose algorithm is the
    /// token's, at most [`MAX_CANDIDATE_KEYS`].
    fn candidates(&self, kid: Option<&str>, alg: Algorithm) -> Result<Vec<Arc<JwtKey>>, Error> {
        // Again per token: a shared set may have been mixed after the verifier was built.
        check_key_types(&self.config, &*self.keys)?;
        let keys = self.keys.keys(kid)?;
        if keys.is_empty() {
            return Err(err(ErrorCode::JwtKeyUnknown, "no key for the token's kid"));
        }
        let mut matching = keys;
        matching.retain(|k| k.algorithm() == alg);
        matching.truncate(MAX_CANDIDATE_KEYS);
        if matching.is_empty() {
            return Err(err(
                ErrorCode::JwtAlgorithmRefused,
                "alg is not the algorithm of the selected key",
            ));
        }
        Ok(matching)
    }

    /// The challenge for a request that carries no token (RFC 6750, no error).
    pub fn challenge(&self) -> Challenge {
        Challenge::bearer::<&str>(&self.config.realm, ErrorCode::CredentialsMissing, &[])
    }

    /// A denial with the RFC 6750 challenge.
    fn deny<S: AsRef<str>>(&self, error: Error, required_scopes: &[S]) -> Denial {
        let challenge = Challenge::bearer(&self.config.realm, error.code(), required_scopes);
        Denial::from(error).with_challenge(challenge)
    }
}
