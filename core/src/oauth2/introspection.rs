//! RFC 7662 token introspection: an [`Introspector`] asks the authorization server whether an
//! opaque access token is active and what it grants (docs/INTROSPECTION.md).
//!
//! - One POST per token: `application/x-www-form-urlencoded`, `token=...&token_type_hint=
//!   access_token`, authenticated with `client_secret_basic` (RFC 6749 2.3.1),
//!   `client_secret_post` or `private_key_jwt` (RFC 7523), over the core's HTTP client
//!   (`crate::http`: https or loopback http, no redirects, no proxy, timeouts, a size limit).
//! - The answer is read strictly: `application/json` (or, with `jwt_response`, an RFC 9701
//!   `application/token-introspection+jwt` response verified with the issuer's keys), one JSON
//!   object without repeated members, `active` a boolean, the registered members of their
//!   types. Inactive, expired or not-yet-valid tokens are `oauth_token_inactive`; an
//!   unreachable endpoint is `oauth_introspection_unavailable`; an unusable answer is
//!   `oauth_introspection_invalid`.
//! - Cached by the SHA-256 of the token: an active result for at most `cache_max_seconds` and
//!   never past the token's `exp`, an inactive answer for `negative_cache_seconds`, failures
//!   of the endpoint never. Bounded: expired entries go first, then the oldest.
//! - Single flight: concurrent calls for one token share one request; different tokens
//!   proceed in parallel. Time is the caller's `now`; the network timeouts are real time.

#[path = "introspection_cache.rs"]
mod cache;
#[path = "introspection_client.rs"]
mod client;
#[path = "introspection_config.rs"]
mod config;
#[path = "introspection_flight.rs"]
mod flight;
#[path = "introspection_response.rs"]
mod response;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::http::{check_url, CheckedUrl, HttpClient, HttpSettings};
use crate::jwt::{JwtConfig, JwtVerifier, KeySource};
use cache::{token_id, Answer, Cache};
use client::ClientAuth;
use flight::{Flights, Role};

pub use client::{ASSERTION_LIFETIME_SECONDS, JWT_BEARER_ASSERTION};
pub use config::{
    ClientAuthMethod, IntrospectionConfig, MAX_CACHE_SECONDS, MAX_CACHE_SIZE, MAX_RESPONSE_BYTES,
    MAX_TIMEOUT_MS,
};

/// The longest token sent to the endpoint; a longer one is `oauth_token_inactive` without a
/// request.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// What the authorization server says about an active token (RFC 7662 2.2): the registered
/// members, read with their types checked, and every member of the response.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenInfo {
    /// The scopes, from `scope` (space-separated).
    pub scopes: Vec<String>,
    /// `client_id`: the client the token was issued to.
    pub client_id: Option<String>,
    /// `username`: the resource owner who authorized the token.
    pub username: Option<String>,
    /// `token_type` (`Bearer`, `DPoP`, ...).
    pub token_type: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `iss`: the issuer of the token.
    pub iss: Option<String>,
    /// `aud`, a string or an array of strings, as a list.
    pub aud: Vec<String>,
    /// `jti`.
    pub jti: Option<String>,
    /// `exp`, Unix seconds.
    pub exp: Option<i64>,
    /// `iat`, Unix seconds.
    pub iat: Option<i64>,
    /// `nbf`, Unix seconds.
    pub nbf: Option<i64>,
    /// `cnf`: the confirmation of a bound token (RFC 8705 `x5t#S256`, RFC 9449 `jkt`), checked
    /// by the caller.
    pub cnf: Option<Map<String, Value>>,
    /// The whole response minus `active` (for the principal's claims).
    pub claims: Map<String, Value>,
}

/// Asks one authorization server's introspection endpoint about tokens, with a cache and
/// single flight. `Send + Sync`: build once, share. `Debug` shows no secret.
pub struct Introspector {
    endpoint: CheckedUrl,
    client_id: String,
    auth: ClientAuth,
    http: HttpClient,
    /// The RFC 9701 response verifier, when `jwt_response`.
    jwt: Option<JwtVerifier>,
    cache: Cache,
    flights: Flights,
    cache_max_seconds: i64,
    negative_cache_seconds: i64,
    /// How long a caller waits for another's request: the timeout and a margin.
    wait_bound: Duration,
    requests: AtomicU64,
}

impl fmt::Debug for Introspector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspector")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("auth_method", &self.auth)
            .field("jwt_response", &self.jwt.is_some())
            .field("cached", &self.cached())
            .field("requests_sent", &self.requests_sent())
            .finish_non_exhaustive()
    }
}

fn config_invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::ConfigInvalid, detail)
}

impl Introspector {
    /// An introspector for `config` (validated, the private key parsed; no I/O).
    ///
    /// `issuer` is the authorization server's issuer identifier: an RFC 9701 response's `iss`
    /// must equal it. `response_keys` are the issuer's keys (its JWKS source), which verify an
    /// RFC 9701 response. Both are required when `jwt_response` is set, and unused otherwise.
    /// The `private_key_jwt` assertion's `aud` is the endpoint URL, not the issuer (see
    /// docs/INTROSPECTION.md).
    pub fn new(
        mut config: IntrospectionConfig,
        issuer: Option<String>,
        response_keys: Option<Arc<dyn KeySource>>,
    ) -> Result<Self, Error> {
        config.validate()?;
        if issuer.as_deref() == Some("") {
            return Err(config_invalid("the issuer is empty"));
        }
        let jwt = if config.jwt_response {
            let issuer = issuer.ok_or_else(|| {
                config_invalid("jwt_response needs the issuer (the response's iss)")
            })?;
            let keys = response_keys
                .ok_or_else(|| config_invalid("jwt_response needs the issuer's keys"))?;
            let jwt_config = JwtConfig {
                typ: Some(response::JWT_TYP.into()),
                issuers: vec![issuer],
                audiences: vec![config.client_id.clone()],
                required_claims: vec!["iat".into()],
                require_exp: false,
                max_token_bytes: config.max_bytes,
                cache_size: 0,
                ..JwtConfig::default()
            };
            Some(JwtVerifier::new(jwt_config, keys)?)
        } else {
            None
        };
        let http = HttpClient::new(&HttpSettings {
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            timeout: Duration::from_millis(config.timeout_ms),
            max_bytes: config.max_bytes,
            ca_pem: config.ca_pem.clone(),
            accept: if jwt.is_some() {
                response::JWT
            } else {
                response::JSON
            },
        })?;
        let endpoint = check_url(&config.endpoint, "endpoint", ErrorCode::ConfigInvalid)?;
        let auth = ClientAuth::new(&mut config)?;
        let seconds = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
        Ok(Introspector {
            endpoint,
            client_id: config.client_id,
            auth,
            http,
            jwt,
            cache: Cache::new(config.cache_size),
            flights: Flights::default(),
            cache_max_seconds: seconds(config.cache_max_seconds),
            negative_cache_seconds: seconds(config.negative_cache_seconds),
            wait_bound: Duration::from_millis(config.timeout_ms.saturating_add(1000)),
            requests: AtomicU64::new(0),
        })
    }

    /// The endpoint, without its query string.
    pub fn endpoint(&self) -> &str {
        self.endpoint.redacted()
    }

    /// The resource server's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The active token's information at `now` (Unix seconds), from the cache or one POST
    /// (shared with concurrent callers asking about the same token).
    ///
    /// Errors: `oauth_token_inactive` (`active: false`, `exp <= now`, `nbf > now`, an empty
    /// token or one longer than [`MAX_TOKEN_BYTES`]); `oauth_introspection_unavailable` (not
    /// reachable, timed out, a redirect, a status other than 200, a body over `max_bytes`);
    /// `oauth_introspection_invalid` (not JSON, the wrong `Content-Type`, `active` missing or
    /// not a boolean, a registered member of the wrong type, an RFC 9701 JWT that does not
    /// verify). No error names the token or a secret.
    pub fn introspect(&self, token: &str, now: i64) -> Result<Arc<TokenInfo>, Error> {
        if token.is_empty() {
            return Err(Error::new(
                ErrorCode::OAuthTokenInactive,
                "the token is empty",
            ));
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::new(
                ErrorCode::OAuthTokenInactive,
                format!("the token is longer than {MAX_TOKEN_BYTES} bytes; not introspected"),
            ));
        }
        let id = token_id(token);
        if let Some(answer) = self.cache.get(&id, now) {
            return answer;
        }
        match self.flights.join(id, || self.cache.get(&id, now)) {
            Err(cached) => cached,
            // The leader asked at its own `now`: the times are checked again at the waiter's.
            Ok(Role::Waiter(waiter)) => match waiter.wait(self.wait_bound) {
                Ok(info) => response::check_times(&info, now).map(|()| info),
                failed => failed,
            },
            Ok(Role::Leader(leader)) => {
                let answer = self.ask(token, now).map(Arc::new);
                self.remember(id, &answer, now);
                leader.finish(answer.clone());
                answer
            }
        }
    }

    /// Requests sent to the endpoint so far (every attempt, failed ones included; cache hits
    /// and callers that shared another's request are not counted).
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Results in the cache (expired ones not yet swept included).
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Caches an active result until `min(now + cache_max_seconds, exp)` and an inactive
    /// answer for `negative_cache_seconds`; failures of the endpoint are not cached.
    fn remember(&self, id: cache::TokenId, answer: &Answer, now: i64) {
        let until = match answer {
            Ok(info) if self.cache_max_seconds > 0 => {
                let until = now.saturating_add(self.cache_max_seconds);
                info.exp.map_or(until, |exp| until.min(exp))
            }
            Err(e) if e.code() == ErrorCode::OAuthTokenInactive => {
                now.saturating_add(self.negative_cache_seconds)
            }
            _ => return,
        };
        self.cache.put(id, answer.clone(), now, until);
    }

    /// One POST and its answer.
    fn ask(&self, token: &str, now: i64) -> Result<TokenInfo, Error> {
        let credentials = self.auth.credentials(now)?;
        let mut form: Vec<(&str, &str)> =
            vec![("token", token), ("token_type_hint", "access_token")];
        form.extend(
            credentials
                .form
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        );
        let authorization = credentials.authorization.as_ref().map(|a| a.as_str());
        self.requests.fetch_add(1, Ordering::SeqCst);
        let fetched = self
            .http
            .post_form(&self.endpoint, authorization, &form, "introspection")
            .map_err(|e| {
                e.into_error(
                    ErrorCode::OAuthIntrospectionUnavailable,
                    ErrorCode::OAuthIntrospectionUnavailable,
                )
            })?;
        let host = self.endpoint.host();
        let content_type = fetched.content_type.as_deref();
        let response = match &self.jwt {
            None => {
                response::check_media_type(content_type, response::JSON, host)?;
                response::read_json(&fetched.body, host)?
            }
            Some(verifier) => {
                response::check_media_type(content_type, response::JWT, host)?;
                response::read_jwt(&fetched.body, verifier, now, host)?
            }
        };
        response::token_info(response, now, host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> IntrospectionConfig {
        IntrospectionConfig {
            endpoint: "https://as.example/introspect?tenant=t".into(),
            client_id: "rs".into(),
            client_secret: Some("hunter2-secret".into()),
            ..IntrospectionConfig::default()
        }
    }

    fn refused(config: IntrospectionConfig) -> Error {
        let e = Introspector::new(config, None, None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{e:?}");
        e
    }

    #[test]
    fn defaults_and_json() {
        let c = IntrospectionConfig::from_json(
            r#"{"endpoint": "https://as.example/i", "client_id": "rs",
                "auth_method": "client_secret_post", "client_secret": "s"}"#,
        )
        .unwrap();
        assert_eq!(c.auth_method, ClientAuthMethod::ClientSecretPost);
        assert_eq!(c.cache_max_seconds, 60);
        assert_eq!(c.negative_cache_seconds, 5);
        assert_eq!(c.cache_size, 10_000);
        assert_eq!((c.connect_timeout_ms, c.timeout_ms), (1000, 3000));
        assert_eq!(c.max_bytes, 64 * 1024);
        assert!(!c.jwt_response);
        let e = IntrospectionConfig::from_json(r#"{"client_secret": 5, "x": "leak"}"#);
        assert!(e.is_err());
        // A value put in the wrong field is not quoted back.
        let e = IntrospectionConfig::from_json(r#"{"cache_size": "hunter2"}"#).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JsonInvalid);
        assert!(!e.detail().contains("hunter2"), "{e:?}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = IntrospectionConfig {
            private_key_pem: Some("-----BEGIN PRIVATE KEY-----secretpem".into()),
            ..config()
        };
        let text = format!("{c:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("secretpem"),
            "{text}"
        );
        assert!(!text.contains("tenant"), "{text}");
        let i = Introspector::new(config(), None, None).unwrap();
        let text = format!("{i:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("tenant"),
            "{text}"
        );
        assert!(text.contains("client_secret_basic"), "{text}");
        assert_eq!(i.endpoint(), "https://as.example/introspect");
    }

    #[test]
    fn the_configuration_is_checked() {
        refused(IntrospectionConfig {
            endpoint: "http://as.example/i".into(),
            ..config()
        });
        refused(IntrospectionConfig {
            endpoint: String::new(),
            ..config()
        });
        refused(IntrospectionConfig {
            client_id: String::new(),
            ..config()
        });
        refused(IntrospectionConfig {
            client_secret: None,
            ..config()
        });
        refused(IntrospectionConfig {
            client_secret: Some(String::new()),
            ..config()
        });
        refused(IntrospectionConfig {
            private_key_alg: Some(crate::jwt::Algorithm::Es256),
            ..config()
        });
        let jwt = |c: IntrospectionConfig| IntrospectionConfig {
            auth_method: ClientAuthMethod::PrivateKeyJwt,
            client_secret: None,
            ..c
        };
        let e = refused(jwt(config()));
        assert!(e.detail().contains("private_key_pem"), "{e:?}");
        refused(IntrospectionConfig {
            client_secret: Some("s".into()),
            private_key_pem: Some("pem".into()),
            private_key_alg: Some(crate::jwt::Algorithm::Es256),
            ..jwt(config())
        });
        refused(IntrospectionConfig {
            private_key_pem: Some("pem".into()),
            private_key_alg: Some(crate::jwt::Algorithm::Hs256),
            ..jwt(config())
        });
        let e = refused(IntrospectionConfig {
            private_key_pem: Some("not a pem: secretpem".into()),
            private_key_alg: Some(crate::jwt::Algorithm::Es256),
            ..jwt(config())
        });
        assert!(!e.detail().contains("secretpem"), "{e:?}");
        let key = crate::jwt::JwtKey::generate(crate::jwt::Algorithm::Es256).unwrap();
        let good = IntrospectionConfig {
            private_key_pem: Some(key.private_pem().unwrap().to_string()),
            private_key_alg: Some(crate::jwt::Algorithm::Es256),
            private_key_kid: Some("k1".into()),
            ..jwt(config())
        };
        Introspector::new(good.clone(), None, None).unwrap();
        // The key must be of the named algorithm.
        refused(IntrospectionConfig {
            private_key_alg: Some(crate::jwt::Algorithm::Rs256),
            ..good.clone()
        });
        refused(IntrospectionConfig {
            private_key_kid: Some(String::new()),
            ..good
        });
        for c in [
            IntrospectionConfig {
                cache_max_seconds: MAX_CACHE_SECONDS + 1,
                ..config()
            },
            IntrospectionConfig {
                negative_cache_seconds: MAX_CACHE_SECONDS + 1,
                ..config()
            },
            IntrospectionConfig {
                cache_size: MAX_CACHE_SIZE + 1,
                ..config()
            },
            IntrospectionConfig {
                timeout_ms: 0,
                ..config()
            },
            IntrospectionConfig {
                timeout_ms: MAX_TIMEOUT_MS + 1,
                ..config()
            },
            IntrospectionConfig {
                connect_timeout_ms: 4000,
                ..config()
            },
            IntrospectionConfig {
                max_bytes: 0,
                ..config()
            },
            IntrospectionConfig {
                max_bytes: MAX_RESPONSE_BYTES + 1,
                ..config()
            },
            IntrospectionConfig {
                ca_pem: Some("nothing".into()),
                ..config()
            },
        ] {
            let e = refused(c);
            assert!(!e.detail().contains("hunter2"), "{e:?}");
        }
    }

    #[test]
    fn jwt_response_needs_the_issuer_and_its_keys() {
        let c = IntrospectionConfig {
            jwt_response: true,
            ..config()
        };
        let keys: Arc<dyn KeySource> = Arc::new(crate::jwt::JwtKeySet::new());
        refused(c.clone());
        let e = Introspector::new(c.clone(), None, Some(keys.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid);
        let e = Introspector::new(c.clone(), Some("https://as.example".into()), None);
        assert_eq!(e.unwrap_err().code(), ErrorCode::ConfigInvalid);
        let e = Introspector::new(c.clone(), Some(String::new()), Some(keys.clone()));
        assert_eq!(e.unwrap_err().code(), ErrorCode::ConfigInvalid);
        Introspector::new(c, Some("https://as.example".into()), Some(keys)).unwrap();
    }

    #[test]
    fn empty_and_oversized_tokens_are_not_sent() {
        let i = Introspector::new(config(), None, None).unwrap();
        for token in [String::new(), "a".repeat(MAX_TOKEN_BYTES + 1)] {
            let e = i.introspect(&token, 0).unwrap_err();
            assert_eq!(e.code(), ErrorCode::OAuthTokenInactive);
        }
        assert_eq!(i.requests_sent(), 0);
    }

    #[test]
    fn introspector_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Introspector>();
        check::<TokenInfo>();
    }
}
