//! DPoP proofs (RFC 9449) at the resource server: [`DpopVerifier`] checks the proof a request
//! carries in its `DPoP` header against what the request is (method, URI, access token, time,
//! server nonce) and records its `jti` against replays.
//!
//! Every step of RFC 9449 section 4.3, in this order (each refusal names its code):
//!
//! 1. one compact JWS of three canonical base64url segments, at most `max_proof_bytes`, whose
//!    header and claims are strict JSON objects (a repeated member is refused);
//!    `dpop_proof_invalid`;
//! 2. `typ` is `dpop+jwt`; `alg` is an asymmetric algorithm of the allowlist (RFC 9864's
//!    `Ed25519` counts as `EdDSA`); no `crit`;
//!    `jwk` is a public key (no private member, not `oct`) usable for `alg`; the signature
//!    verifies with it; `jti` (1 to 256 characters), `htm`, `htu` are strings and `iat` an
//!    integer NumericDate (`ath` and `nonce`, when present, strings): `dpop_proof_invalid`;
//! 3. `htm` is the request's method (case-sensitive) and `htu`, normalised
//!    ([`normalize_htu`]), its normalised URI: `dpop_proof_mismatch`;
//! 4. `iat` lies within `[now - max_age_seconds, now + leeway_seconds]`: `dpop_proof_stale`;
//! 5. with an access token, `ath` is its hash ([`access_token_hash`]; compared in constant
//!    time): `dpop_proof_mismatch`;
//! 6. with nonces configured, `nonce` is the nonce of the current or the previous time step:
//!    `dpop_nonce_required`;
//! 7. last, the proof key's thumbprint and `jti` are recorded in the replay store (namespace
//!    [`REPLAY_NAMESPACE`]) until `iat + max_age_seconds + leeway_seconds`: a second use is
//!    `dpop_proof_replayed`, a store that cannot answer `store_unavailable`. Only a proof that
//!    passed every other check uses up its `jti`.
//!
//! Error details never hold the proof, a key or the nonce secret.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::nonce::NonceKey;
use crate::error::{Error, ErrorCode};
use crate::jwt::{self, header, json, Algorithm, JwtKey};
use crate::keys::jwk::b64url;
use crate::request::Request;
use crate::store::{MemoryStore, ReplayStore};

#[path = "dpop_htu.rs"]
mod htu;

pub use htu::normalize_htu;

/// The namespace of proof ids in the replay store.
pub const REPLAY_NAMESPACE: &str = "dpop:jti";
/// The longest `jti` accepted, in characters.
pub const MAX_JTI_CHARS: usize = 256;
/// The largest `max_age_seconds` a configuration may ask for.
pub const MAX_AGE_SECONDS: u64 = 3600;
/// The largest `max_proof_bytes` a configuration may ask for.
pub const MAX_PROOF_BYTES: usize = 64 * 1024;
/// The shortest nonce secret accepted, in bytes.
pub const MIN_NONCE_SECRET_BYTES: usize = 32;

/// What a [`DpopVerifier`] accepts. The same JSON schema in every language; missing fields take
/// their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DpopConfig {
    /// JWS algorithms a proof may use. Default: ES256, ES384, ES512, PS256, PS384, PS512,
    /// RS256, RS384, RS512, EdDSA. An HMAC algorithm is `config_invalid` (a proof is always
    /// signed with a private key).
    pub algorithms: Vec<Algorithm>,
    /// Oldest `iat` accepted: now - max_age_seconds (default 300, 1 to 3600).
    pub max_age_seconds: u64,
    /// Latest `iat` accepted: now + leeway_seconds (default 5, at most 300).
    pub leeway_seconds: u64,
    /// Largest proof accepted, in bytes (default 8192, at most 65536).
    pub max_proof_bytes: usize,
    /// Server-provided nonces (RFC 9449 section 8); `None`: no nonce is asked for.
    pub nonce: Option<NonceConfig>,
}

impl Default for DpopConfig {
    fn default() -> Self {
        DpopConfig {
            algorithms: vec![
                Algorithm::Es256,
                Algorithm::Es384,
                Algorithm::Es512,
                Algorithm::Ps256,
                Algorithm::Ps384,
                Algorithm::Ps512,
                Algorithm::Rs256,
                Algorithm::Rs384,
                Algorithm::Rs512,
                Algorithm::EdDsa,
            ],
            max_age_seconds: 300,
            leeway_seconds: 5,
            max_proof_bytes: 8192,
            nonce: None,
        }
    }
}

/// Server-provided DPoP nonces, derived statelessly from a secret and the time step.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NonceConfig {
    /// The secret nonces are derived from (at least 32 bytes), the value itself; in a gate file
    /// it is an `env:`/`file:`/`secret:` reference, resolved before this type sees it.
    pub secret: String,
    /// Length of one time step in seconds (default 300, 10 to 86400). A nonce is accepted
    /// during its own step and the next one.
    pub step_seconds: u64,
}

impl Default for NonceConfig {
    fn default() -> Self {
        NonceConfig {
            secret: String::new(),
            step_seconds: 300,
        }
    }
}

impl fmt::Debug for NonceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceConfig")
            .field("secret", &"<redacted>")
            .field("step_seconds", &self.step_seconds)
            .finish()
    }
}

impl DpopConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "DPoP config")
    }

    /// Checks ranges: algorithms, ages, sizes, the nonce secret and step.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::new(ErrorCode::ConfigInvalid, what));
        if self.algorithms.is_empty() {
            return invalid("algorithms cannot be empty".into());
        }
        if let Some(alg) = self.algorithms.iter().find(|a| a.is_hmac()) {
            return invalid(format!(
                "algorithms cannot hold {alg}: a DPoP proof is signed with a private key"
            ));
        }
        if !(1..=MAX_AGE_SECONDS).contains(&self.max_age_seconds) {
            return invalid(format!("max_age_seconds must be 1..={MAX_AGE_SECONDS}"));
        }
        if self.leeway_seconds > jwt::MAX_LEEWAY_SECONDS {
            return invalid(format!(
                "leeway_seconds is capped at {}",
                jwt::MAX_LEEWAY_SECONDS
            ));
        }
        if !(1..=MAX_PROOF_BYTES).contains(&self.max_proof_bytes) {
            return invalid(format!("max_proof_bytes must be 1..={MAX_PROOF_BYTES}"));
        }
        if let Some(nonce) = &self.nonce {
            if nonce.secret.len() < MIN_NONCE_SECRET_BYTES {
                return invalid(format!(
                    "nonce.secret must be at least {MIN_NONCE_SECRET_BYTES} bytes"
                ));
            }
            if !(10..=86_400).contains(&nonce.step_seconds) {
                return invalid("nonce.step_seconds must be 10..=86400".into());
            }
        }
        Ok(())
    }
}

/// What the request a proof came with is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofContext<'a> {
    /// The request's method, as sent (`GET`).
    pub method: &'a str,
    /// The request's URI (`https://api.example.com/orders`); query and fragment are ignored.
    pub uri: &'a str,
    /// The access token presented with the proof (`Authorization: DPoP <token>`), if any.
    pub access_token: Option<&'a str>,
    /// The request's time, Unix seconds.
    pub now: i64,
}

/// A proof that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's `jwk`, base64url: what a bound token's
    /// `cnf.jkt` must equal.
    pub thumbprint: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat`.
    pub iat: i64,
    /// The algorithm the proof was signed with.
    pub algorithm: Algorithm,
    /// The proof's `nonce`, when it carried one.
    pub nonce: Option<String>,
}

/// Checks DPoP proofs. Thread-safe; build once, share.
pub struct DpopVerifier {
    config: DpopConfig,
    replay: Arc<dyn ReplayStore>,
    nonce_key: Option<NonceKey>,
    /// The last proof header segment read and the key it names: a client sends the same
    /// header (`typ`, `alg`, `jwk`) with every proof, and what it yields depends on nothing
    /// else (the configuration never changes), so its parse, key import and thumbprint are
    /// done once per client rather than once per request.
    header_memo: Mutex<HeaderMemo>,
}

/// The last header segment read, and its key.
type HeaderMemo = Option<(Box<str>, Arc<ProofKey>)>;

/// What a proof header yields: its algorithm, the key of its `jwk` and that key's thumbprint.
struct ProofKey {
    alg: Algorithm,
    key: JwtKey,
    thumbprint: String,
}

impl fmt::Debug for DpopVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopVerifier")
            .field("config", &self.config)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

fn invalid(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::DpopProofInvalid, detail)
}

fn mismatch(detail: &'static str) -> Error {
    Error::new(ErrorCode::DpopProofMismatch, detail)
}

/// A JWT-module error as `dpop_proof_invalid`, keeping its detail (which names the part, never
/// its content).
fn as_invalid(e: Error) -> Error {
    invalid(format!("proof {}", e.detail()))
}

/// The members of a JWK that only a private or secret key has.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// ath: base64url(SHA-256(the access token's ASCII bytes)), RFC 9449 section 4.2.
pub fn access_token_hash(token: &str) -> String {
    b64url(&Sha256::digest(token.as_bytes()))
}

/// The claims a proof must carry, read and typed.
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
    nonce: Option<String>,
}

fn string_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("proof claim {name} is not a string"))),
    }
}

fn required(value: Option<String>, name: &str) -> Result<String, Error> {
    value.ok_or_else(|| invalid(format!("proof has no {name} claim")))
}

impl Claims {
    fn read(claims: &Map<String, Value>) -> Result<Self, Error> {
        let jti = required(string_claim(claims, "jti")?, "jti")?;
        if jti.is_empty() || jti.chars().count() > MAX_JTI_CHARS {
            return Err(invalid(format!(
                "proof jti must be 1 to {MAX_JTI_CHARS} characters"
            )));
        }
        let htm = required(string_claim(claims, "htm")?, "htm")?;
        let htu = required(string_claim(claims, "htu")?, "htu")?;
        let iat = match claims.get("iat") {
            None => return Err(invalid("proof has no iat claim")),
            Some(Value::Number(n)) => n
                .as_i64()
                .filter(|t| (0..=jwt::MAX_NUMERIC_DATE).contains(t))
                .ok_or_else(|| invalid("proof iat is not an integer NumericDate"))?,
            Some(_) => return Err(invalid("proof iat is not a number")),
        };
        Ok(Claims {
            jti,
            htm,
            htu,
            iat,
            ath: string_claim(claims, "ath")?,
            nonce: string_claim(claims, "nonce")?,
        })
    }
}

/// What the signature check found.
struct Signed {
    alg: Algorithm,
    thumbprint: String,
    claims: Claims,
}

impl DpopVerifier {
    /// A verifier for `config` (ranges checked: `config_invalid`) that records proof ids in
    /// `replay` (share one store across a fleet).
    pub fn new(config: DpopConfig, replay: Arc<dyn ReplayStore>) -> Result<Self, Error> {
        config.validate()?;
        let nonce_key = config
            .nonce
            .as_ref()
            .map(|n| NonceKey::new(n.secret.as_bytes(), n.step_seconds));
        Ok(DpopVerifier {
            config,
            replay,
            nonce_key,
            header_memo: Mutex::new(None),
        })
    }

    /// A verifier from the configuration's JSON text, with an in-memory replay store.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::new(
            DpopConfig::from_json(json)?,
            Arc::new(MemoryStore::default()),
        )
    }

    /// The configuration.
    pub fn config(&self) -> &DpopConfig {
        &self.config
    }

    /// The `algs` value of the `WWW-Authenticate: DPoP` challenge: the allowed algorithm
    /// names, space-separated, in configuration order.
    pub fn algorithms_param(&self) -> String {
        let mut names: Vec<&str> = Vec::with_capacity(self.config.algorithms.len());
        for alg in &self.config.algorithms {
            if !names.contains(&alg.name()) {
                names.push(alg.name());
            }
        }
        names.join(" ")
    }

    /// The nonce to send in `DPoP-Nonce` at `now` (`None` without nonce configuration):
    /// stateless, derived from the secret and the time step, so every instance sharing the
    /// secret computes the same one.
    pub fn nonce(&self, now: i64) -> Option<String> {
        self.nonce_key.as_ref().map(|k| k.current(now))
    }

    /// Checks one proof against what the request is (RFC 9449 section 4.3, every step; see the
    /// module documentation for the order and the codes) and records its `jti` last.
    pub fn verify(&self, proof: &str, context: &ProofContext<'_>) -> Result<VerifiedProof, Error> {
        let signed = self.signed(proof)?;
        let claims = &signed.claims;
        if claims.htm != context.method {
            return Err(mismatch("proof htm is not the request's method"));
        }
        let want = normalize_htu(context.uri)
            .map_err(|_| mismatch("the request's URI cannot be normalised"))?;
        let have =
            normalize_htu(&claims.htu).map_err(|_| mismatch("proof htu is not a usable URI"))?;
        if have != want {
            return Err(mismatch("proof htu is not the request's URI"));
        }
        self.check_time(claims.iat, context.now)?;
        if let Some(token) = context.access_token {
            let ath = claims.ath.as_deref().ok_or_else(|| {
                mismatch("proof has no ath and the request presents an access token")
            })?;
            let expected = access_token_hash(token);
            if !bool::from(expected.as_bytes().ct_eq(ath.as_bytes())) {
                return Err(mismatch("proof ath is not the hash of the access token"));
            }
        }
        if let Some(key) = &self.nonce_key {
            let fresh = claims
                .nonce
                .as_deref()
                .is_some_and(|n| key.accepts(n, context.now));
            if !fresh {
                let detail = match claims.nonce {
                    None => "proof carries no nonce",
                    Some(_) => "proof nonce is not current",
                };
                return Err(Error::new(ErrorCode::DpopNonceRequired, detail));
            }
        }
        self.remember(&signed, context.now)?;
        let Signed {
            alg,
            thumbprint,
            claims,
        } = signed;
        Ok(VerifiedProof {
            thumbprint,
            jti: claims.jti,
            iat: claims.iat,
            algorithm: alg,
            nonce: claims.nonce,
        })
    }

    /// The proof of `request`: its one `DPoP` header (none, or more than one:
    /// `dpop_proof_missing`), checked against the request's method, URI and time. The URI is
    /// `origin` (`https://api.example.com`, for a service that knows its public origin, behind
    /// a proxy) followed by the request's path; without `origin`, an absolute-form target as
    /// it is, else the request's scheme (default `https`) and `Host` header followed by the
    /// path. No usable URI (no `Host`, or a repeated one): `dpop_proof_mismatch`.
    pub fn verify_request(
        &self,
        request: &Request,
        access_token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<VerifiedProof, Error> {
        let mut values = request.header_values("dpop");
        let (Some(proof), None) = (values.next(), values.next()) else {
            return Err(Error::new(
                ErrorCode::DpopProofMissing,
                "the request must carry exactly one DPoP header",
            ));
        };
        let proof =
            std::str::from_utf8(proof).map_err(|_| invalid("the DPoP header is not UTF-8"))?;
        let uri = request_uri(request, origin)?;
        let context = ProofContext {
            method: request.method(),
            uri: &uri,
            access_token,
            now: request.now(),
        };
        self.verify(proof, &context)
    }

    fn check_time(&self, iat: i64, now: i64) -> Result<(), Error> {
        // Both bounds fit: iat is at most MAX_NUMERIC_DATE and the window at most an hour.
        let max_age = self.config.max_age_seconds as i64;
        let leeway = self.config.leeway_seconds as i64;
        if iat < now.saturating_sub(max_age) {
            return Err(Error::new(
                ErrorCode::DpopProofStale,
                "proof iat is older than max_age_seconds",
            ));
        }
        if iat > now.saturating_add(leeway) {
            return Err(Error::new(
                ErrorCode::DpopProofStale,
                "proof iat is in the future beyond the leeway",
            ));
        }
        Ok(())
    }

    fn remember(&self, signed: &Signed, now: i64) -> Result<(), Error> {
        let until = signed
            .claims
            .iat
            .saturating_add(self.config.max_age_seconds as i64)
            .saturating_add(self.config.leeway_seconds as i64);
        // The thumbprint has a fixed length (43), so key and jti cannot run into each other.
        let mut key = Vec::with_capacity(signed.thumbprint.len() + signed.claims.jti.len());
        key.extend_from_slice(signed.thumbprint.as_bytes());
        key.extend_from_slice(signed.claims.jti.as_bytes());
        match self.replay.remember(REPLAY_NAMESPACE, &key, until, now) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::new(
                ErrorCode::DpopProofReplayed,
                "proof jti was seen before",
            )),
            Err(e) if e.code() == ErrorCode::StoreUnavailable => Err(e),
            Err(e) => Err(Error::new(
                ErrorCode::StoreUnavailable,
                format!("replay store: {}", e.detail()),
            )),
        }
    }

    /// Shape, header, key and signature, and the claims read and typed.
    fn signed(&self, proof: &str) -> Result<Signed, Error> {
        if proof.is_empty() {
            return Err(invalid("proof is empty"));
        }
        if proof.len() > self.config.max_proof_bytes {
            return Err(invalid("proof exceeds max_proof_bytes"));
        }
        let mut parts = proof.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("proof is not three dot-separated segments"));
        };
        let proof_key = self.proof_key(h)?;
        let payload = json::segment(p, "payload").map_err(as_invalid)?;
        let signature = json::segment(s, "signature").map_err(as_invalid)?;
        let signing_input = &proof.as_bytes()[..h.len() + 1 + p.len()];
        if !proof_key.key.verify(signing_input, &signature) {
            return Err(invalid("proof signature does not verify with its jwk"));
        }
        let claims = json::parse_object(&payload, "claims").map_err(as_invalid)?;
        Ok(Signed {
            alg: proof_key.alg,
            thumbprint: proof_key.thumbprint.clone(),
            claims: Claims::read(&claims)?,
        })
    }

    /// The key of header segment `h`, from the memo when it is the last one read.
    fn proof_key(&self, h: &str) -> Result<Arc<ProofKey>, Error> {
        if let Some(memo) = self.try_memo() {
            if let Some((segment, key)) = memo.as_ref() {
                if **segment == *h {
                    return Ok(Arc::clone(key));
                }
            }
        }
        let key = Arc::new(self.read_header(h)?);
        if let Some(mut memo) = self.try_memo() {
            *memo = Some((h.into(), Arc::clone(&key)));
        }
        Ok(key)
    }

    /// The memo, or `None` when another thread holds it (never waited for).
    fn try_memo(&self) -> Option<MutexGuard<'_, HeaderMemo>> {
        match self.header_memo.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Every check of a proof header (RFC 9449 4.3 steps 4 to 8) and the key it names.
    fn read_header(&self, h: &str) -> Result<ProofKey, Error> {
        let header_map =
            json::parse_object(&json::segment(h, "header").map_err(as_invalid)?, "header")
                .map_err(as_invalid)?;
        match header_map.get("typ") {
            Some(Value::String(t)) if t.eq_ignore_ascii_case("dpop+jwt") => {}
            Some(Value::String(_)) => return Err(invalid("proof typ is not dpop+jwt")),
            Some(_) => return Err(invalid("proof typ is not a string")),
            None => return Err(invalid("proof has no typ")),
        }
        // RFC 9864's `Ed25519` is read as EdDSA there, as in every JWS portcullis reads.
        let head = header::parse(&header_map).map_err(as_invalid)?;
        if head.alg.is_hmac() {
            return Err(invalid("proof alg is symmetric"));
        }
        if !self.config.algorithms.contains(&head.alg) {
            return Err(invalid("proof alg is not in the allowlist"));
        }
        let jwk = match header_map.get("jwk") {
            Some(Value::Object(jwk)) => jwk,
            Some(_) => return Err(invalid("proof jwk is not an object")),
            None => return Err(invalid("proof has no jwk")),
        };
        if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
            return Err(invalid("proof jwk holds private key members"));
        }
        if jwk.get("kty").and_then(Value::as_str) == Some("oct") {
            return Err(invalid("proof jwk is a symmetric key"));
        }
        let key = JwtKey::from_jwk(jwk, Some(head.alg)).map_err(|e| {
            // Key errors name members and types; a detail that quotes a value is left out.
            if e.detail().contains('"') {
                invalid("proof jwk is not a usable public key for its alg")
            } else {
                invalid(format!("proof jwk is not usable: {}", e.detail()))
            }
        })?;
        let thumbprint =
            jwt::thumbprint(jwk).map_err(|_| invalid("proof jwk has no RFC 7638 thumbprint"))?;
        Ok(ProofKey {
            alg: head.alg,
            key,
            thumbprint,
        })
    }
}

/// The URI a request was sent to, as [`DpopVerifier::verify_request`] describes it.
fn request_uri(request: &Request, origin: Option<&str>) -> Result<String, Error> {
    let target = request.path();
    // An absolute-form target (a request to a proxy) names its own scheme and authority.
    let absolute = ["http://", "https://"]
        .iter()
        .any(|p| target.len() >= p.len() && target[..p.len()].eq_ignore_ascii_case(p));
    if let Some(origin) = origin {
        let path = if absolute {
            let rest = target.split_once("://").map_or("", |(_, rest)| rest);
            rest.find('/').map_or("/", |i| &rest[i..])
        } else {
            target
        };
        return Ok(format!("{}{path}", origin.trim_end_matches('/')));
    }
    if absolute {
        return Ok(target.to_owned());
    }
    let mut hosts = request.header_values("host");
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => {
            std::str::from_utf8(host).map_err(|_| mismatch("the Host header is not UTF-8"))?
        }
        (None, _) => return Err(mismatch("the request has no Host header and no origin")),
        (Some(_), Some(_)) => return Err(mismatch("the Host header appears more than once")),
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return Err(mismatch("the Host header is not a host"));
    }
    let scheme = request.scheme().unwrap_or("https");
    Ok(format!("{scheme}://{host}{target}"))
}

#[cfg(test)]
#[path = "dpop_tests.rs"]
mod tests;
