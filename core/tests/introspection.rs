//! RFC 7662 introspection against a real HTTP server on 127.0.0.1: what is sent (each client
//! authentication method checked at the server), how answers are read, every failure's code,
//! the cache, single flight and RFC 9701 signed responses. Time is the `now` argument; no test
//! depends on how long anything takes except the timeout case, which only bounds it.

#[allow(dead_code)] // port() serves the JWKS tests
#[path = "support/http_server.rs"]
mod http_server;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use http_server::{Recorded, Reply, Server};
use portcullis::jwt::{
    encode, Algorithm, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier, KeySource,
};
use portcullis::oauth2::introspection::JWT_BEARER_ASSERTION;
use portcullis::oauth2::{ClientAuthMethod, IntrospectionConfig, Introspector, TokenInfo};
use portcullis::{Error, ErrorCode};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;
const PATH: &str = "/oauth/introspect";
const CLIENT_ID: &str = "rs:api gateway";
const SECRET: &str = "s3cret value/with+symbols&=";
const TOKEN: &str = "opaque-2YotnFZFEjr1zCsicMWpAA";
const ISSUER: &str = "https://as.test";

fn config(server: &Server) -> IntrospectionConfig {
    IntrospectionConfig {
        endpoint: server.url(PATH),
        client_id: CLIENT_ID.into(),
        client_secret: Some(SECRET.into()),
        ..IntrospectionConfig::default()
    }
}

fn introspector(server: &Server, tweak: impl FnOnce(&mut IntrospectionConfig)) -> Introspector {
    let mut cfg = config(server);
    tweak(&mut cfg);
    Introspector::new(cfg, None, None).unwrap()
}

/// A server answering `reply` on PATH and an introspector for it.
fn fixture(reply: Reply, tweak: impl FnOnce(&mut IntrospectionConfig)) -> (Server, Introspector) {
    let server = Server::start();
    server.set(PATH, reply);
    let i = introspector(&server, tweak);
    (server, i)
}

fn active(extra: Value) -> Reply {
    let mut body = json!({"active": true});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    Reply::json(body.to_string())
}

/// The error's code, after checking that it names neither the token nor a secret.
fn code(result: Result<Arc<TokenInfo>, Error>) -> ErrorCode {
    let e = result.unwrap_err();
    no_secrets(&format!("{e:?} {e} {}", e.detail()));
    e.code()
}

fn no_secrets(text: &str) {
    for secret in [
        SECRET,
        TOKEN,
        "s3cret",
        "2YotnFZFEjr1zCsicMWpAA",
        "BEGIN",
        "tenant",
    ] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
    }
}

fn only(server: &Server) -> Recorded {
    let requests = server.requests(PATH);
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

#[test]
fn an_active_token_is_read_and_the_request_is_a_form_post() {
    let (server, i) = fixture(
        active(json!({
            "scope": "read write", "client_id": "app-1", "username": "alice",
            "token_type": "Bearer", "sub": "u-42", "iss": ISSUER, "aud": "https://api.test",
            "jti": "j-1", "exp": NOW + 600, "iat": NOW - 10, "nbf": NOW - 10,
            "cnf": {"x5t#S256": "abc"}, "tenant": "acme"
        })),
        |_| {},
    );
    let info = i.introspect(TOKEN, NOW).unwrap();
    assert_eq!(info.scopes, ["read", "write"]);
    assert_eq!(info.client_id.as_deref(), Some("app-1"));
    assert_eq!(info.username.as_deref(), Some("alice"));
    assert_eq!(info.token_type.as_deref(), Some("Bearer"));
    assert_eq!(info.sub.as_deref(), Some("u-42"));
    assert_eq!(info.iss.as_deref(), Some(ISSUER));
    assert_eq!(info.aud, ["https://api.test"]);
    assert_eq!(info.jti.as_deref(), Some("j-1"));
    assert_eq!(
        (info.exp, info.iat, info.nbf),
        (Some(NOW + 600), Some(NOW - 10), Some(NOW - 10))
    );
    assert_eq!(info.cnf.as_ref().unwrap()["x5t#S256"], "abc");
    assert_eq!(info.claims["tenant"], "acme");
    assert_eq!(info.claims["sub"], "u-42");
    assert!(!info.claims.contains_key("active"));

    let r = only(&server);
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, PATH);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.form_value("token").as_deref(), Some(TOKEN));
    assert_eq!(
        r.form_value("token_type_hint").as_deref(),
        Some("access_token")
    );
    assert_eq!(i.requests_sent(), 1);
}

#[test]
fn client_secret_basic_sends_the_form_encoded_pair() {
    let (server, i) = fixture(active(json!({})), |_| {});
    i.introspect(TOKEN, NOW).unwrap();
    let r = only(&server);
    let basic = r
        .header("authorization")
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap();
    let pair = base64::engine::general_purpose::STANDARD
        .decode(basic)
        .unwrap();
    let pair = String::from_utf8(pair).unwrap();
    // RFC 6749 2.3.1: each part form-urlencoded, then joined with ':'.
    let (id, secret) = pair.split_once(':').unwrap();
    assert_eq!(id, "rs%3Aapi+gateway");
    let decode = |s: &str| {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned()
    };
    assert_eq!(decode(id), CLIENT_ID);
    assert_eq!(decode(secret), SECRET);
    assert!(!secret.contains(' ') && !secret.contains('&'));
    // Nothing of the client in the body.
    let names: Vec<String> = r.form().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["token", "token_type_hint"]);
}

#[test]
fn client_secret_post_sends_them_in_the_body() {
    let (server, i) = fixture(active(json!({})), |c| {
        c.auth_method = ClientAuthMethod::ClientSecretPost;
    });
    i.introspect(TOKEN, NOW).unwrap();
    let r = only(&server);
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.form_value("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(r.form_value("client_secret").as_deref(), Some(SECRET));
    assert_eq!(r.form_value("token").as_deref(), Some(TOKEN));
}

#[test]
fn private_key_jwt_sends_an_assertion_that_verifies() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let pem = key.private_pem().unwrap().to_string();
    let server = Server::start();
    server.set(PATH, active(json!({})));
    let i = introspector(&server, |c| {
        c.auth_method = ClientAuthMethod::PrivateKeyJwt;
        c.client_secret = None;
        c.private_key_pem = Some(pem.clone());
        c.private_key_alg = Some(Algorithm::Es256);
        c.private_key_kid = Some("rs-key-1".into());
        c.cache_max_seconds = 0;
    });
    i.introspect(TOKEN, NOW).unwrap();
    i.introspect(TOKEN, NOW + 1).unwrap();
    let requests = server.requests(PATH);
    assert_eq!(requests.len(), 2);

    let public = JwtKeySet::new();
    public
        .insert(
            JwtKey::from_jwk(&key.public_jwk().unwrap(), None)
                .unwrap()
                .with_kid("rs-key-1"),
        )
        .unwrap();
    let verifier = JwtVerifier::new(
        JwtConfig {
            issuers: vec![CLIENT_ID.into()],
            audiences: vec![server.url(PATH)],
            required_claims: vec!["jti".into(), "iat".into(), "sub".into()],
            ..JwtConfig::default()
        },
        Arc::new(public),
    )
    .unwrap();
    let mut jtis = Vec::new();
    for (r, now) in requests.iter().zip([NOW, NOW + 1]) {
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.form_value("client_id").as_deref(), Some(CLIENT_ID));
        assert_eq!(
            r.form_value("client_assertion_type").as_deref(),
            Some(JWT_BEARER_ASSERTION)
        );
        assert_eq!(r.form_value("client_secret"), None);
        let assertion = r.form_value("client_assertion").unwrap();
        let p = verifier.verify_token::<&str>(&assertion, now, &[]).unwrap();
        assert_eq!(p.credential_id.as_deref(), Some("rs-key-1"));
        assert_eq!(p.claims["iss"], CLIENT_ID);
        assert_eq!(p.claims["sub"], CLIENT_ID);
        assert_eq!(p.claims["aud"], server.url(PATH));
        assert_eq!(p.claims["iat"], now);
        assert_eq!(p.claims["exp"], now + 60);
        let jti = p.claims["jti"].as_str().unwrap().to_owned();
        assert!(jti.len() >= 22, "{jti}");
        jtis.push(jti);
        // Expired a minute later (plus the verifier's leeway).
        let late = verifier.verify_token::<&str>(&assertion, now + 121, &[]);
        assert_eq!(late.unwrap_err().code(), ErrorCode::JwtExpired);
    }
    assert_ne!(jtis[0], jtis[1], "jti must be fresh per request");
    // Not the key itself, nor the PEM, in Debug.
    no_secrets(&format!("{i:?}"));
}

#[test]
fn an_inactive_token_is_inactive() {
    let (_s, i) = fixture(Reply::json(r#"{"active": false}"#), |_| {});
    assert_eq!(
        code(i.introspect(TOKEN, NOW)),
        ErrorCode::OAuthTokenInactive
    );
}

#[test]
fn an_expired_or_not_yet_valid_token_is_inactive() {
    let (_s, i) = fixture(active(json!({"exp": NOW})), |_| {});
    assert_eq!(
        code(i.introspect(TOKEN, NOW)),
        ErrorCode::OAuthTokenInactive
    );
    let (_s, i) = fixture(active(json!({"nbf": NOW + 30})), |_| {});
    assert_eq!(
        code(i.introspect(TOKEN, NOW)),
        ErrorCode::OAuthTokenInactive
    );
}

#[test]
fn active_missing_or_not_a_boolean_is_invalid() {
    for body in [
        r#"{}"#,
        r#"{"active": "true"}"#,
        r#"{"active": 1}"#,
        r#"{"active": null}"#,
    ] {
        let (_s, i) = fixture(Reply::json(body), |_| {});
        assert_eq!(
            code(i.introspect(TOKEN, NOW)),
            ErrorCode::OAuthIntrospectionInvalid,
            "{body}"
        );
    }
}

#[test]
fn registered_members_of_the_wrong_type_are_invalid() {
    for extra in [
        json!({"scope": ["read"]}),
        json!({"exp": "1700000600"}),
        json!({"exp": 1_700_000_600.5}),
        json!({"iat": true}),
        json!({"aud": 5}),
        json!({"aud": ["a", 5]}),
        json!({"cnf": "jkt"}),
        json!({"sub": 1}),
        json!({"client_id": null}),
    ] {
        let (_s, i) = fixture(active(extra.clone()), |_| {});
        let e = i.introspect(TOKEN, NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OAuthIntrospectionInvalid, "{extra}");
        let name = extra.as_object().unwrap().keys().next().unwrap().clone();
        assert!(e.detail().contains(&name), "{e:?}");
    }
}

#[test]
fn bodies_that_are_not_a_json_object_are_invalid() {
    for body in [
        &b"not json"[..],
        b"[true]",
        b"",
        b"{\"active\": true",
        b"{\"active\": true, \"active\": true}",
    ] {
        let (_s, i) = fixture(Reply::json(body), |_| {});
        assert_eq!(
            code(i.introspect(TOKEN, NOW)),
            ErrorCode::OAuthIntrospectionInvalid
        );
    }
}

#[test]
fn the_content_type_must_be_json() {
    let body = r#"{"active": true}"#;
    for content_type in ["text/html", "text/plain", "application/jwt", ""] {
        let (_s, i) = fixture(Reply::typed(content_type, body), |_| {});
        let e = i.introspect(TOKEN, NOW).unwrap_err();
        assert_eq!(
            e.code(),
            ErrorCode::OAuthIntrospectionInvalid,
            "{content_type}"
        );
    }
    let (_s, i) = fixture(
        Reply::typed("application/json; charset=UTF-8", body),
        |_| {},
    );
    i.introspect(TOKEN, NOW).unwrap();
}

#[test]
fn a_non_200_status_is_unavailable() {
    for status in [500, 503, 401, 400, 404, 204] {
        let (_s, i) = fixture(Reply::status(status).header("X", "y"), |_| {});
        let e = i.introspect(TOKEN, NOW).unwrap_err();
        assert_eq!(
            e.code(),
            ErrorCode::OAuthIntrospectionUnavailable,
            "{status}"
        );
        assert!(
            e.detail().contains(&status.to_string()) && e.detail().contains("127.0.0.1"),
            "{e:?}"
        );
        no_secrets(e.detail());
    }
}

#[test]
fn a_redirect_is_not_followed() {
    let server = Server::start();
    server.set(
        PATH,
        Reply::status(302).header("Location", &server.url("/elsewhere")),
    );
    server.set("/elsewhere", active(json!({})));
    let i = introspector(&server, |_| {});
    let e = i.introspect(TOKEN, NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OAuthIntrospectionUnavailable);
    assert!(e.detail().contains("redirect"), "{e:?}");
    assert_eq!(server.hits("/elsewhere"), 0);
}

#[test]
fn a_slow_endpoint_times_out() {
    let (_s, i) = fixture(active(json!({})).delay(Duration::from_secs(8)), |c| {
        c.timeout_ms = 300;
        c.connect_timeout_ms = 300;
    });
    let started = Instant::now();
    let e = i.introspect(TOKEN, NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OAuthIntrospectionUnavailable);
    assert!(e.detail().contains("timed out"), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_unreachable_endpoint_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let i = Introspector::new(
        IntrospectionConfig {
            endpoint: format!("http://127.0.0.1:{port}/introspect?tenant=x"),
            client_id: CLIENT_ID.into(),
            client_secret: Some(SECRET.into()),
            ..IntrospectionConfig::default()
        },
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        code(i.introspect(TOKEN, NOW)),
        ErrorCode::OAuthIntrospectionUnavailable
    );
}

#[test]
fn a_body_over_max_bytes_is_unavailable() {
    let big = format!(r#"{{"active": true, "pad": "{}"}}"#, "x".repeat(4096));
    for reply in [
        Reply::json(big.clone()),
        Reply::json(big.clone()).without_length(),
    ] {
        let (_s, i) = fixture(reply, |c| c.max_bytes = 1024);
        let e = i.introspect(TOKEN, NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OAuthIntrospectionUnavailable);
        assert!(e.detail().contains("max_bytes"), "{e:?}");
    }
    let (_s, i) = fixture(Reply::json(big), |c| c.max_bytes = 8192);
    i.introspect(TOKEN, NOW).unwrap();
}

#[test]
fn an_active_result_is_cached() {
    let (server, i) = fixture(active(json!({"exp": NOW + 3600, "sub": "u"})), |_| {});
    let a = i.introspect(TOKEN, NOW).unwrap();
    let b = i.introspect(TOKEN, NOW + 1).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(
        (server.hits(PATH), i.requests_sent(), i.cached()),
        (1, 1, 1)
    );
    // Another token is another request.
    i.introspect("another-token", NOW).unwrap();
    assert_eq!((server.hits(PATH), i.cached()), (2, 2));
}

#[test]
fn a_cached_result_never_outlives_exp() {
    let (server, i) = fixture(active(json!({"exp": NOW + 10})), |c| {
        c.cache_max_seconds = 60
    });
    i.introspect(TOKEN, NOW).unwrap();
    i.introspect(TOKEN, NOW + 9).unwrap();
    assert_eq!(server.hits(PATH), 1);
    // At exp the entry is gone: a new request, and the token has expired.
    assert_eq!(
        code(i.introspect(TOKEN, NOW + 10)),
        ErrorCode::OAuthTokenInactive
    );
    assert_eq!(server.hits(PATH), 2);
}

#[test]
fn cache_max_seconds_is_respected() {
    let (server, i) = fixture(active(json!({"exp": NOW + 3600})), |c| {
        c.cache_max_seconds = 30
    });
    i.introspect(TOKEN, NOW).unwrap();
    i.introspect(TOKEN, NOW + 29).unwrap();
    assert_eq!(server.hits(PATH), 1);
    i.introspect(TOKEN, NOW + 30).unwrap();
    assert_eq!(server.hits(PATH), 2);
    // A token without exp is kept for cache_max_seconds too.
    let (server, i) = fixture(active(json!({})), |c| c.cache_max_seconds = 30);
    i.introspect(TOKEN, NOW).unwrap();
    i.introspect(TOKEN, NOW + 29).unwrap();
    i.introspect(TOKEN, NOW + 30).unwrap();
    assert_eq!(server.hits(PATH), 2);
    // 0: every call asks.
    let (server, i) = fixture(active(json!({})), |c| c.cache_max_seconds = 0);
    for _ in 0..3 {
        i.introspect(TOKEN, NOW).unwrap();
    }
    assert_eq!((server.hits(PATH), i.cached()), (3, 0));
}

#[test]
fn inactive_answers_are_cached_briefly() {
    let (server, i) = fixture(Reply::json(r#"{"active": false}"#), |c| {
        c.negative_cache_seconds = 5;
    });
    for now in [NOW, NOW + 1, NOW + 4] {
        assert_eq!(
            code(i.introspect(TOKEN, now)),
            ErrorCode::OAuthTokenInactive
        );
    }
    assert_eq!(server.hits(PATH), 1);
    assert_eq!(
        code(i.introspect(TOKEN, NOW + 5)),
        ErrorCode::OAuthTokenInactive
    );
    assert_eq!(server.hits(PATH), 2);
    // 0: not cached.
    let (server, i) = fixture(Reply::json(r#"{"active": false}"#), |c| {
        c.negative_cache_seconds = 0;
    });
    for _ in 0..3 {
        assert_eq!(
            code(i.introspect(TOKEN, NOW)),
            ErrorCode::OAuthTokenInactive
        );
    }
    assert_eq!(server.hits(PATH), 3);
}

#[test]
fn failures_of_the_endpoint_are_never_cached() {
    let (server, i) = fixture(Reply::status(500), |_| {});
    for _ in 0..3 {
        assert_eq!(
            code(i.introspect(TOKEN, NOW)),
            ErrorCode::OAuthIntrospectionUnavailable
        );
    }
    assert_eq!(server.hits(PATH), 3);
    // The endpoint recovers: the next call succeeds.
    server.set(PATH, active(json!({})));
    i.introspect(TOKEN, NOW).unwrap();
    let (server, i) = fixture(Reply::json("nope"), |_| {});
    for _ in 0..2 {
        assert_eq!(
            code(i.introspect(TOKEN, NOW)),
            ErrorCode::OAuthIntrospectionInvalid
        );
    }
    assert_eq!((server.hits(PATH), i.cached()), (2, 0));
}

#[test]
fn concurrent_calls_for_one_token_share_one_request() {
    let (server, i) = fixture(
        active(json!({"sub": "u", "exp": NOW + 600})).delay(Duration::from_millis(300)),
        |_| {},
    );
    let i = Arc::new(i);
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (i, barrier) = (i.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                i.introspect(TOKEN, NOW)
            })
        })
        .collect();
    let results: Vec<Arc<TokenInfo>> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    assert_eq!(server.hits(PATH), 1);
    assert_eq!(i.requests_sent(), 1);
    for r in &results {
        assert!(Arc::ptr_eq(r, &results[0]));
    }
}

#[test]
fn concurrent_callers_share_a_failure_without_hanging() {
    let (server, i) = fixture(Reply::status(500).delay(Duration::from_millis(200)), |_| {});
    let i = Arc::new(i);
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (i, barrier) = (i.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                i.introspect(TOKEN, NOW)
            })
        })
        .collect();
    for t in threads {
        assert_eq!(
            code(t.join().unwrap()),
            ErrorCode::OAuthIntrospectionUnavailable
        );
    }
    // Failures are not cached, so a caller arriving after the first request ended sends its
    // own; callers that came while it ran shared it.
    let hits = server.hits(PATH);
    assert!((1..=8).contains(&hits), "{hits}");
}

#[test]
fn different_tokens_proceed_in_parallel() {
    let server = Server::start();
    server.set(PATH, active(json!({})));
    // Neither answer leaves before both requests arrived: serialised requests would time out.
    server.hold_until_hits(PATH, 2);
    let i = Arc::new(introspector(&server, |c| c.timeout_ms = 5000));
    let threads: Vec<_> = ["token-a", "token-b"]
        .into_iter()
        .map(|token| {
            let i = i.clone();
            thread::spawn(move || i.introspect(token, NOW))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    assert_eq!(server.hits(PATH), 2);
    let tokens: Vec<String> = server
        .requests(PATH)
        .iter()
        .map(|r| r.form_value("token").unwrap())
        .collect();
    assert!(tokens.contains(&"token-a".into()) && tokens.contains(&"token-b".into()));
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let server = Server::start();
    server.set(PATH, Reply::status(500));
    let mut cfg = config(&server);
    cfg.endpoint = server.url(&format!("{PATH}?tenant=t1"));
    no_secrets(&format!("{cfg:?}"));
    let i = Introspector::new(cfg, None, None).unwrap();
    no_secrets(&format!("{i:?}"));
    let e = i.introspect(TOKEN, NOW).unwrap_err();
    no_secrets(&format!("{e:?} {e}"));
    // The query reached the server (only errors and Debug leave it out).
    assert_eq!(only(&server).target, format!("{PATH}?tenant=t1"));
}

// RFC 9701 signed responses.

struct Signed {
    server: Server,
    key: JwtKey,
    introspector: Introspector,
}

fn as_key() -> JwtKey {
    JwtKey::generate(Algorithm::Es256).unwrap().with_kid("as-1")
}

fn signed_fixture() -> Signed {
    let key = as_key();
    let keys = JwtKeySet::new();
    keys.insert(
        JwtKey::from_jwk(&key.public_jwk().unwrap(), None)
            .unwrap()
            .with_kid("as-1"),
    )
    .unwrap();
    let server = Server::start();
    let mut cfg = config(&server);
    cfg.jwt_response = true;
    let keys: Arc<dyn KeySource> = Arc::new(keys);
    let introspector = Introspector::new(cfg, Some(ISSUER.into()), Some(keys)).unwrap();
    Signed {
        server,
        key,
        introspector,
    }
}

fn signed_response(key: &JwtKey, claims: Value, typ: &str) -> String {
    let header = HeaderOptions {
        typ: Some(typ.into()),
        ..HeaderOptions::default()
    };
    encode(claims.as_object().unwrap(), &header, key).unwrap()
}

fn response_claims(introspection: Value) -> Value {
    json!({"iss": ISSUER, "aud": CLIENT_ID, "iat": NOW, "token_introspection": introspection})
}

const JWT_TYPE: &str = "application/token-introspection+jwt";

#[test]
fn a_signed_response_is_accepted() {
    let s = signed_fixture();
    let body = signed_response(
        &s.key,
        response_claims(json!({"active": true, "sub": "u-7", "scope": "a b", "exp": NOW + 60})),
        "token-introspection+jwt",
    );
    s.server.set(PATH, Reply::typed(JWT_TYPE, body));
    let info = s.introspector.introspect(TOKEN, NOW).unwrap();
    assert_eq!(info.sub.as_deref(), Some("u-7"));
    assert_eq!(info.scopes, ["a", "b"]);
    assert!(!info.claims.contains_key("active"));
    assert_eq!(only(&s.server).header("accept"), Some(JWT_TYPE));
}

#[test]
fn a_signed_inactive_response_is_inactive() {
    let s = signed_fixture();
    let body = signed_response(
        &s.key,
        response_claims(json!({"active": false})),
        "token-introspection+jwt",
    );
    s.server.set(PATH, Reply::typed(JWT_TYPE, body));
    assert_eq!(
        code(s.introspector.introspect(TOKEN, NOW)),
        ErrorCode::OAuthTokenInactive
    );
}

#[test]
fn bad_signed_responses_are_refused() {
    let typ = "token-introspection+jwt";
    let good = response_claims(json!({"active": true}));
    let unsigned = {
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": typ})),
            b64(good.clone())
        )
    };
    let changed = |name: &str, value: Option<Value>| {
        let mut claims = good.clone();
        let map = claims.as_object_mut().unwrap();
        match value {
            Some(v) => map.insert(name.into(), v),
            None => map.remove(name),
        };
        claims
    };
    let s = signed_fixture();
    let other_key = as_key(); // the same kid, another key
    let signed = |claims: Value| signed_response(&s.key, claims, typ);
    // (what, body, Content-Type, why it is refused)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("unsigned", unsigned, JWT_TYPE, "jwt_algorithm_refused"),
        (
            "wrong key",
            signed_response(&other_key, good.clone(), typ),
            JWT_TYPE,
            "jwt_signature_invalid",
        ),
        (
            "wrong iss",
            signed(changed("iss", Some(json!("https://evil.test")))),
            JWT_TYPE,
            "jwt_issuer_mismatch",
        ),
        (
            "no iss",
            signed(changed("iss", None)),
            JWT_TYPE,
            "claim iss is missing",
        ),
        (
            "wrong aud",
            signed(changed("aud", Some(json!("someone-else")))),
            JWT_TYPE,
            "jwt_audience_mismatch",
        ),
        (
            "no iat",
            signed(changed("iat", None)),
            JWT_TYPE,
            "jwt_claim_missing",
        ),
        (
            "wrong typ",
            signed_response(&s.key, good.clone(), "JWT"),
            JWT_TYPE,
            "jwt_type_mismatch",
        ),
        (
            "no token_introspection",
            signed(changed("token_introspection", None)),
            JWT_TYPE,
            "no token_introspection",
        ),
        (
            "token_introspection not an object",
            signed(changed("token_introspection", Some(json!("active")))),
            JWT_TYPE,
            "not an object",
        ),
        (
            "token_introspection without active",
            signed(changed("token_introspection", Some(json!({})))),
            JWT_TYPE,
            "active is missing",
        ),
        (
            "plain JSON",
            r#"{"active": true}"#.into(),
            "application/json",
            "Content-Type",
        ),
        (
            "signed, sent as JSON",
            signed(good.clone()),
            "application/json",
            "Content-Type",
        ),
        ("not a JWT", "garbage".into(), JWT_TYPE, "jwt_malformed"),
    ];
    for (what, body, content_type, why) in cases {
        s.server.set(PATH, Reply::typed(content_type, body));
        let e = s.introspector.introspect(TOKEN, NOW).unwrap_err();
        assert_eq!(
            e.code(),
            ErrorCode::OAuthIntrospectionInvalid,
            "{what}: {e:?}"
        );
        assert!(e.detail().contains(why), "{what}: {e:?}");
        no_secrets(&format!("{e:?}"));
    }
    // Invalid answers are not cached: the good one is then accepted.
    s.server.set(PATH, Reply::typed(JWT_TYPE, signed(good)));
    s.introspector.introspect(TOKEN, NOW).unwrap();
}

fn tls_server() -> (Server, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    let ca_pem = ca.as_ref().pem();
    (Server::start_tls(Arc::new(config)), ca_pem)
}

#[test]
fn https_with_a_private_ca() {
    let (server, ca_pem) = tls_server();
    server.set(PATH, active(json!({"sub": "u"})));
    let i = introspector(&server, |c| c.ca_pem = Some(ca_pem));
    assert!(i.endpoint().starts_with("https://"));
    assert_eq!(i.introspect(TOKEN, NOW).unwrap().sub.as_deref(), Some("u"));
    assert_eq!(only(&server).form_value("token").as_deref(), Some(TOKEN));
    // The built-in roots do not know the test CA.
    let i = introspector(&server, |_| {});
    let e = i.introspect(TOKEN, NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OAuthIntrospectionUnavailable);
    assert!(e.detail().contains("TLS"), "{e:?}");
    no_secrets(e.detail());
}
