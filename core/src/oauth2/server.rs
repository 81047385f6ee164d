//! The resource server: which token, from which issuer, bound to what.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::challenge::{default_metadata_url, metadata_document, Challenger, Scheme};
use super::config::{
    https_url, invalid, AccessTokenProfile, CertificateBinding, DpopMode, Issuer, OAuth2Config,
    MAX_ISSUERS,
};
use super::dpop::{DpopVerifier, VerifiedProof};
use super::introspection::{Introspector, TokenInfo};
use crate::confirmation;
use crate::decision::{AuthMethod, Challenge, Denial, Principal};
use crate::error::{Error, ErrorCode};
use crate::jwt::{JwtConfig, JwtVerifier, VerifiedToken};
use crate::request::Request;
use crate::store::ReplayStore;

/// The claims RFC 9068 2.2 requires of every access token.
const RFC9068_CLAIMS: &[&str] = &["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

/// One issuer as the resource server uses it.
struct IssuerState {
    issuer: String,
    audiences: Vec<String>,
    jwt: Option<JwtVerifier>,
    introspector: Option<Introspector>,
}

/// An OAuth 2.0 resource server: checks the access token of a request (a JWT from one of its
/// issuers, or an opaque token it introspects), the token's DPoP or certificate binding, and
/// its scopes. Thread-safe; build once, share.
pub struct ResourceServer {
    config: OAuth2Config,
    issuers: Vec<IssuerState>,
    /// The issuer opaque tokens are introspected at.
    opaque: Option<usize>,
    dpop: Option<DpopVerifier>,
    challenger: Challenger,
    metadata: Option<String>,
    may_block: bool,
}

impl fmt::Debug for ResourceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuers: Vec<&str> = self.issuers.iter().map(|i| i.issuer.as_str()).collect();
        f.debug_struct("ResourceServer")
            .field("config", &self.config)
            .field("issuers", &issuers)
            .finish_non_exhaustive()
    }
}

/// A token the resource server accepted, before its binding and scopes are checked.
struct Accepted {
    principal: Principal,
}

impl Accepted {
    fn cnf(&self) -> Option<&Value> {
        self.principal.claims.get("cnf")
    }
}

fn err(code: ErrorCode, detail: &'static str) -> Error {
    Error::new(code, detail)
}

impl ResourceServer {
    /// A resource server for `config` accepting tokens from `issuers` (at least one, each
    /// with keys, an introspection endpoint or both); DPoP proof ids are recorded in `replay`.
    /// At most one issuer may introspect opaque tokens: an opaque token names no issuer.
    pub fn new(
        config: OAuth2Config,
        issuers: Vec<Issuer>,
        replay: Arc<dyn ReplayStore>,
    ) -> Result<Self, Error> {
        config.validate()?;
        if issuers.is_empty() || issuers.len() > MAX_ISSUERS {
            return Err(invalid(format!(
                "a resource server needs 1..={MAX_ISSUERS} issuers"
            )));
        }
        let mut states: Vec<IssuerState> = Vec::with_capacity(issuers.len());
        let mut opaque = None;
        let mut may_block = false;
        for (i, issuer) in issuers.iter().enumerate() {
            if issuer.issuer.is_empty() {
                return Err(invalid("an issuer identifier cannot be empty".into()));
            }
            if states.iter().any(|s| s.issuer == issuer.issuer) {
                return Err(invalid(format!("issuer {} is listed twice", issuer.issuer)));
            }
            let audiences = match (&issuer.audiences[..], &config.resource) {
                ([], Some(resource)) => vec![resource.clone()],
                ([], None) => {
                    return Err(invalid(format!(
                        "issuer {} names no audience and there is no resource to default to",
                        issuer.issuer
                    )))
                }
                (a, _) => a.to_vec(),
            };
            if issuer.keys.is_none() && issuer.introspection.is_none() {
                return Err(invalid(format!(
                    "issuer {} has neither keys nor an introspection endpoint",
                    issuer.issuer
                )));
            }
            if let Some(algs) = issuer.algorithms.iter().find(|a| a.is_hmac()) {
                return Err(invalid(format!(
                    "access tokens are signed by their issuer's private key: {algs} is not accepted"
                )));
            }
            let jwt = match &issuer.keys {
                Some(keys) => {
                    may_block |= keys.may_block();
                    Some(JwtVerifier::new(
                        jwt_config(&config, issuer, &audiences),
                        keys.clone(),
                    )?)
                }
                None => None,
            };
            let introspector = match &issuer.introspection {
                Some(settings) => {
                    if opaque.is_some() {
                        return Err(invalid(
                            "only one issuer can introspect: an opaque token does not say whose it is"
                                .into(),
                        ));
                    }
                    opaque = Some(i);
                    may_block = true;
                    Some(Introspector::new(
                        settings.clone(),
                        Some(issuer.issuer.clone()),
                        issuer.keys.clone(),
                    )?)
                }
                None => None,
            };
            states.push(IssuerState {
                issuer: issuer.issuer.clone(),
                audiences,
                jwt,
                introspector,
            });
        }
        let dpop = match config.dpop_mode {
            DpopMode::Off => None,
            _ => Some(DpopVerifier::new(config.dpop.clone(), replay)?),
        };
        let metadata_url = match (&config.metadata.url, &config.resource) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(resource)) => {
                let url = default_metadata_url(resource);
                https_url(&url, "the metadata URL derived from resource")?;
                Some(url)
            }
            (None, None) => None,
        };
        let algs = dpop
            .as_ref()
            .map(DpopVerifier::algorithms_param)
            .unwrap_or_default();
        let alg_names: Vec<&str> = algs.split(' ').filter(|a| !a.is_empty()).collect();
        let metadata = metadata_document(&config, &issuers, &alg_names);
        let challenger = Challenger {
            realm: config.realm.clone(),
            mode: config.dpop_mode,
            algs: algs.clone(),
            metadata_url,
        };
        Ok(ResourceServer {
            config,
            issuers: states,
            opaque,
            dpop,
            challenger,
            metadata,
            may_block,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &OAuth2Config {
        &self.config
    }

    /// The RFC 9728 protected-resource metadata document (JSON); `None` without a `resource`.
    pub fn resource_metadata(&self) -> Option<&str> {
        self.metadata.as_deref()
    }

    /// The URL the metadata document is served at (named in every challenge).
    pub fn resource_metadata_url(&self) -> Option<&str> {
        self.challenger.metadata_url.as_deref()
    }

    /// The current DPoP nonce (for a `DPoP-Nonce` response header), when nonces are on.
    pub fn dpop_nonce(&self, now: i64) -> Option<String> {
        self.dpop.as_ref()?.nonce(now)
    }

    /// The challenges for a request that carries no token: `Bearer`, `DPoP` or both.
    pub fn challenges(&self) -> Vec<Challenge> {
        self.challenger.bare()
    }

    /// True when a verification may wait on the network (a remote JWKS, introspection).
    pub fn may_block(&self) -> bool {
        self.may_block
    }

    /// Verifies the request's access token (`Authorization: Bearer` or `DPoP` with its proof)
    /// at the request's time, its binding, and that it grants every one of `scopes`.
    pub fn verify<S: AsRef<str>>(
        &self,
        request: &Request,
        scopes: &[S],
    ) -> Result<Principal, Denial> {
        let mut used = None;
        self.check(request, scopes, &mut used)
            .map_err(|e| self.deny(e, used, scopes, request.now()))
    }

    fn check<S: AsRef<str>>(
        &self,
        request: &Request,
        scopes: &[S],
        used: &mut Option<Scheme>,
    ) -> Result<Principal, Error> {
        let (scheme, token) = self.presented(request)?;
        *used = Some(scheme);
        if token.len() > self.config.max_token_bytes {
            return Err(err(ErrorCode::JwtTooLarge, "token exceeds max_token_bytes"));
        }
        // RFC 9449 7.1: the proof first, then the token it is for.
        let proof = match (scheme, &self.dpop) {
            (Scheme::Dpop, Some(dpop)) => {
                Some(dpop.verify_request(request, Some(token), self.config.origin.as_deref())?)
            }
            (Scheme::Dpop, None) => {
                return Err(err(ErrorCode::CredentialsMissing, "DPoP is turned off"))
            }
            (Scheme::Bearer, _) if self.config.dpop_mode == DpopMode::Required => {
                return Err(err(
                    ErrorCode::OAuthBindingMismatch,
                    "the resource server takes DPoP-bound tokens only; the token came as Bearer",
                ))
            }
            (Scheme::Bearer, _) => None,
        };
        let accepted = self.token(token, request.now())?;
        self.check_binding(&accepted, proof.as_ref(), request)?;
        if !accepted.principal.has_scopes(scopes) {
            return Err(err(
                ErrorCode::ScopeInsufficient,
                "token lacks a required scope",
            ));
        }
        Ok(accepted.principal)
    }

    /// The scheme and token of the `Authorization` header.
    fn presented<'r>(&self, request: &'r Request) -> Result<(Scheme, &'r str), Error> {
        let auth = request.authorization().map_err(|d| d.error().clone())?;
        let missing = || err(ErrorCode::CredentialsMissing, "no Bearer or DPoP token");
        let auth = auth.ok_or_else(missing)?;
        let scheme = if auth.is_scheme("Bearer") {
            Scheme::Bearer
        } else if auth.is_scheme("DPoP") && self.dpop.is_some() {
            Scheme::Dpop
        } else {
            return Err(missing());
        };
        let token = auth.credentials;
        if !is_b64token(token) {
            return Err(err(
                ErrorCode::HeaderMalformed,
                "the access token is empty or not a b64token (RFC 6750 2.1)",
            ));
        }
        Ok((scheme, token))
    }

    /// The token's principal: a JWT checked against its issuer's keys, or what its issuer's
    /// introspection endpoint says.
    fn token(&self, token: &str, now: i64) -> Result<Accepted, Error> {
        match jwt_issuer(token)? {
            Some(iss) => {
                let state = self
                    .issuers
                    .iter()
                    .find(|s| s.issuer == iss)
                    .ok_or_else(|| {
                        err(
                            ErrorCode::OAuthIssuerUnknown,
                            "the token's iss is not an accepted issuer",
                        )
                    })?;
                match (&state.jwt, &state.introspector) {
                    (Some(jwt), _) => self.jwt_token(jwt, token, now),
                    (None, Some(introspector)) => introspected(state, introspector, token, now),
                    (None, None) => Err(err(ErrorCode::Internal, "issuer without a key source")),
                }
            }
            None => {
                let state = self.opaque.map(|i| &self.issuers[i]).ok_or_else(|| {
                    err(
                        ErrorCode::OAuthIssuerUnknown,
                        "an opaque token arrived and no issuer introspects tokens",
                    )
                })?;
                match &state.introspector {
                    Some(introspector) => introspected(state, introspector, token, now),
                    None => Err(err(
                        ErrorCode::Internal,
                        "opaque issuer without introspection",
                    )),
                }
            }
        }
    }

    fn jwt_token(&self, jwt: &JwtVerifier, token: &str, now: i64) -> Result<Accepted, Error> {
        let no_scopes: &[&str] = &[];
        let verified = jwt
            .verify_token_claims(token, now, no_scopes)
            .map_err(|d| d.error().clone())?;
        let principal = principal_of(verified);
        if self.config.profile == AccessTokenProfile::Rfc9068 {
            check_rfc9068_types(&principal.claims)?;
        }
        Ok(Accepted { principal })
    }

    /// RFC 9449 7.1 and RFC 8705 3: a `cnf.jkt` token only with a proof by that key, a proof
    /// only for such a token; a `cnf.x5t#S256` token only with that client certificate.
    fn check_binding(
        &self,
        accepted: &Accepted,
        proof: Option<&VerifiedProof>,
        request: &Request,
    ) -> Result<(), Error> {
        let mismatch = |detail| err(ErrorCode::OAuthBindingMismatch, detail);
        let cnf = match accepted.cnf() {
            None => None,
            Some(Value::Object(cnf)) => Some(cnf),
            Some(_) => return Err(err(ErrorCode::JwtClaimType, "claim cnf is not an object")),
        };
        let jkt = match cnf.and_then(|c| c.get("jkt")) {
            None => None,
            Some(Value::String(jkt)) => Some(jkt.as_str()),
            Some(_) => return Err(mismatch("cnf.jkt is not a string")),
        };
        match (jkt, proof) {
            (Some(jkt), Some(proof)) => {
                if !bool::from(jkt.as_bytes().ct_eq(proof.thumbprint.as_bytes())) {
                    return Err(mismatch("cnf.jkt is not the thumbprint of the proof's key"));
                }
            }
            (Some(_), None) => {
                return Err(mismatch("a DPoP-bound token came with the Bearer scheme"))
            }
            (None, Some(_)) => {
                return Err(mismatch(
                    "the token is not DPoP-bound; it came with the DPoP scheme",
                ))
            }
            (None, None) => {}
        }
        let bound = cnf.is_some_and(|c| c.contains_key("x5t#S256"));
        if bound || self.config.certificate_binding == CertificateBinding::Required {
            let leaf = request.peer_certificates().first().ok_or_else(|| {
                err(
                    ErrorCode::JwtConfirmationMismatch,
                    "token must be certificate-bound and the request has no client certificate",
                )
            })?;
            confirmation::check_cnf(cnf.map(Some), &confirmation::certificate_thumbprint(leaf))?;
        }
        Ok(())
    }

    fn deny<S: AsRef<str>>(
        &self,
        error: Error,
        used: Option<Scheme>,
        scopes: &[S],
        now: i64,
    ) -> Denial {
        let code = error.code();
        let denial = self.challenger.deny(error, used, scopes);
        // A client told to use a nonce needs it; one refused for another reason may as well
        // have it for its next proof (RFC 9449 8).
        match (code.http_status(), self.dpop_nonce(now)) {
            (401, Some(nonce)) => denial.with_header("DPoP-Nonce", nonce),
            _ => denial,
        }
    }
}

/// The JWT verifier of one issuer: its `iss` and audiences, the shared time and size rules,
/// and the RFC 9068 header type and claims.
fn jwt_config(config: &OAuth2Config, issuer: &Issuer, audiences: &[String]) -> JwtConfig {
    let rfc9068 = config.profile == AccessTokenProfile::Rfc9068;
    JwtConfig {
        issuers: vec![issuer.issuer.clone()],
        audiences: audiences.to_vec(),
        leeway_seconds: config.leeway_seconds,
        required_claims: if rfc9068 {
            RFC9068_CLAIMS.iter().map(|c| (*c).to_owned()).collect()
        } else {
            Vec::new()
        },
        typ: rfc9068.then(|| "at+jwt".to_owned()),
        algorithms: issuer.algorithms.clone(),
        max_token_bytes: config.max_token_bytes,
        cache_size: config.cache_size,
        realm: config.realm.clone(),
        max_lifetime_seconds: config.max_lifetime_seconds,
        ..JwtConfig::default()
    }
}

/// RFC 6750 2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// The `iss` of a token shaped as a JWS compact JWT (three base64url segments, a JSON object
/// header), read before anything is verified so that the issuer's keys are the only ones
/// fetched; `None` for an opaque token. A JWT without a string `iss` is refused.
fn jwt_issuer(token: &str) -> Result<Option<String>, Error> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let b64url = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if h.is_empty() || !b64url(h) || !b64url(p) || !b64url(s) {
        return Ok(None);
    }
    let engine = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // Whether the header is a JSON object at all is what tells a JWS from an opaque token; the
    // JWT verifier reads it strictly later, so its first non-blank byte is enough here.
    let header_opens_object = engine.decode(h).ok().is_some_and(|bytes| {
        bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{')
    });
    if !header_opens_object {
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Peek {
        iss: Option<Value>,
    }
    let payload = engine
        .decode(p)
        .map_err(|_| err(ErrorCode::JwtMalformed, "payload is not base64url"))?;
    let peek: Peek = serde_json::from_slice(&payload)
        .map_err(|_| err(ErrorCode::JwtMalformed, "claims are not a JSON object"))?;
    match peek.iss {
        Some(Value::String(iss)) => Ok(Some(iss)),
        Some(_) => Err(err(ErrorCode::JwtClaimType, "claim iss is not a string")),
        None => Err(err(ErrorCode::JwtClaimMissing, "claim iss is missing")),
    }
}

/// The principal of a verified JWT access token: its `sub`, the `client_id` it was issued to
/// as the credential id, its scopes and every claim.
fn principal_of(verified: VerifiedToken) -> Principal {
    let mut principal = verified.into_principal();
    principal.method = AuthMethod::OAuth2;
    principal.credential_id = principal
        .claims
        .get("client_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    principal
}

/// RFC 9068 2.2: `client_id` a string; 2.2.1 `auth_time` a NumericDate, `acr` a string, `amr`
/// an array of strings; 2.2.3.1 `groups`, `roles` and `entitlements` arrays of strings.
fn check_rfc9068_types(claims: &Map<String, Value>) -> Result<(), Error> {
    let wrong = |detail| Err(err(ErrorCode::JwtClaimType, detail));
    if !claims.get("client_id").is_some_and(Value::is_string) {
        return wrong("claim client_id is not a string");
    }
    if claims.get("acr").is_some_and(|v| !v.is_string()) {
        return wrong("claim acr is not a string");
    }
    if claims.get("auth_time").is_some_and(|v| !v.is_i64()) {
        return wrong("claim auth_time is not a NumericDate");
    }
    let strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
    for (name, detail) in [
        ("amr", "claim amr is not an array of strings"),
        ("groups", "claim groups is not an array of strings"),
        ("roles", "claim roles is not an array of strings"),
        (
            "entitlements",
            "claim entitlements is not an array of strings",
        ),
    ] {
        if claims.get(name).is_some_and(|v| !strings(v)) {
            return wrong(detail);
        }
    }
    Ok(())
}

/// The principal of an introspected token: the issuer's answer, checked against the issuer
/// (`iss`, when the answer names one) and the audiences (`aud`, when it names any).
fn introspected(
    state: &IssuerState,
    introspector: &Introspector,
    token: &str,
    now: i64,
) -> Result<Accepted, Error> {
    let info: Arc<TokenInfo> = introspector.introspect(token, now)?;
    if info.iss.as_deref().is_some_and(|iss| iss != state.issuer) {
        return Err(err(
            ErrorCode::OAuthIssuerUnknown,
            "the introspection response names another issuer",
        ));
    }
    if !info.aud.is_empty() && !info.aud.iter().any(|a| state.audiences.contains(a)) {
        return Err(err(
            ErrorCode::JwtAudienceMismatch,
            "the introspected token is for another audience",
        ));
    }
    let subject = info
        .sub
        .clone()
        .or_else(|| info.username.clone())
        .or_else(|| info.client_id.clone())
        .unwrap_or_default();
    let mut claims = info.claims.clone();
    if let Some(cnf) = &info.cnf {
        claims.insert("cnf".into(), Value::Object(cnf.clone()));
    }
    Ok(Accepted {
        principal: Principal {
            subject,
            method: AuthMethod::OAuth2,
            credential_id: info.client_id.clone(),
            scopes: info.scopes.clone(),
            claims,
            expires_at: info.exp,
        },
    })
}
