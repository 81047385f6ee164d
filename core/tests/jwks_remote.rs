//! Remote JWKS and discovery against a real HTTP(S) server on 127.0.0.1, with a stepped clock.

#[path = "support/http_server.rs"]
mod http_server;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_server::{Reply, Server};
use portcullis::jwt::remote::{Discovery, JwksState};
use portcullis::jwt::{
    encode, Algorithm, HeaderOptions, JwksClient, JwksConfig, JwtConfig, JwtKey, JwtVerifier,
    KeySource,
};
use portcullis::ErrorCode;
use serde_json::{json, Value};

const T0: u64 = 1_700_000_000_000;
const NOW: i64 = 1_700_000_000;

/// A clock the test steps.
#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(AtomicU64::new(T0)))
    }
    fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds * 1000, Ordering::SeqCst);
    }
    fn clock(&self) -> portcullis::jwt::remote::Clock {
        let t = self.0.clone();
        Arc::new(move || t.load(Ordering::SeqCst))
    }
}

fn key(kid: &str) -> JwtKey {
    JwtKey::generate(Algorithm::Es256).unwrap().with_kid(kid)
}

fn jwks(keys: &[&JwtKey]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| Value::Object(k.public_jwk().unwrap()))
        .collect();
    json!({ "keys": keys }).to_string()
}

fn token(key: &JwtKey) -> String {
    let claims = json!({"sub": "alice", "iss": "https://idp.test", "exp": NOW + 3600});
    encode(claims.as_object().unwrap(), &HeaderOptions::default(), key).unwrap()
}

fn config(url: String) -> JwksConfig {
    JwksConfig {
        url: Some(url),
        ..JwksConfig::default()
    }
}

struct Fixture {
    server: Server,
    clock: TestClock,
    client: Arc<JwksClient>,
    verifier: JwtVerifier,
}

fn fixture(reply: Reply, tweak: impl FnOnce(&mut JwksConfig)) -> Fixture {
    let server = Server::start();
    server.set("/jwks", reply);
    let mut cfg = config(server.url("/jwks?tenant=t1"));
    tweak(&mut cfg);
    let clock = TestClock::new();
    let client = Arc::new(JwksClient::with_clock(cfg, clock.clock()).unwrap());
    let verifier = JwtVerifier::new(JwtConfig::default(), client.clone()).unwrap();
    Fixture {
        server,
        clock,
        client,
        verifier,
    }
}

impl Fixture {
    fn verify(&self, token: &str) -> Result<String, ErrorCode> {
        self.verifier
            .verify_token(token, NOW, &[] as &[&str])
            .map(|p| p.subject)
            .map_err(|d| d.error().code())
    }
    fn hits(&self) -> usize {
        self.server.hits("/jwks")
    }
}

#[test]
fn rotation_kid_miss_refetch_and_removed_keys() {
    let (k1, k2) = (key("k1"), key("k2"));
    let f = fixture(Reply::json(jwks(&[&k1])), |_| {});
    assert_eq!(f.hits(), 0, "construction does not fetch");
    assert_eq!(f.verify(&token(&k1)), Ok("alice".into()));
    assert_eq!(f.verify(&token(&k1)), Ok("alice".into()));
    assert_eq!(f.hits(), 1, "a fresh set answers from memory");

    // Upstream rotates: k2 in, k1 out.
    f.server.set("/jwks", Reply::json(jwks(&[&k2])));
    // Within the cooldown of the last fetch, an unknown kid does not refetch.
    assert_eq!(f.verify(&token(&k2)), Err(ErrorCode::JwtKeyUnknown));
    assert_eq!(f.hits(), 1);
    f.clock.advance(31);
    assert_eq!(f.verify(&token(&k2)), Ok("alice".into()));
    assert_eq!(f.hits(), 2, "one refetch for the new kid");
    // The old key disappeared with the refresh.
    assert_eq!(f.verify(&token(&k1)), Err(ErrorCode::JwtKeyUnknown));
    assert_eq!(f.client.status().kids, vec!["k2".to_string()]);
    assert_eq!(f.hits(), 2);
}

#[test]
fn cache_control_is_honoured_and_clamped() {
    let k1 = key("k1");
    let body = jwks(&[&k1]);
    let f = fixture(
        Reply::json(body.clone()).header("Cache-Control", "max-age=60"),
        |c| {
            c.max_ttl_seconds = 3600;
        },
    );
    f.client.refresh().unwrap();
    let ttl = |f: &Fixture| {
        let s = f.client.status();
        s.expires_at.unwrap() - s.fetched_at.unwrap()
    };
    assert_eq!(ttl(&f), 300, "max-age=60 is raised to min_ttl");
    f.clock.advance(299);
    f.verify(&token(&k1)).unwrap();
    assert_eq!(f.hits(), 1);
    f.clock.advance(2);
    f.verify(&token(&k1)).unwrap();
    assert_eq!(f.hits(), 2, "expired: refetched");

    let cases = [
        ("public, max-age=1000", None, 1000),
        ("max-age=1000", Some("400"), 600),
        ("max-age=999999", None, 3600),
        ("no-store", None, 300),
        ("no-cache, max-age=2000", None, 300),
        ("s-maxage=2000", None, 600),
    ];
    for (cc, age, want) in cases {
        let mut reply = Reply::json(body.clone()).header("Cache-Control", cc);
        if let Some(age) = age {
            reply = reply.header("Age", age);
        }
        f.server.set("/jwks", reply);
        f.client.refresh().unwrap();
        assert_eq!(ttl(&f), want, "{cc} {age:?}");
    }
    f.server.set("/jwks", Reply::json(body));
    f.client.refresh().unwrap();
    assert_eq!(ttl(&f), 600, "no Cache-Control: default_ttl_seconds");
    assert_eq!(f.client.status().state, JwksState::Fresh);
}

#[test]
fn single_flight_on_a_cold_cache() {
    let k1 = key("k1");
    let reply = Reply::json(jwks(&[&k1])).delay(Duration::from_millis(300));
    let f = fixture(reply, |_| {});
    let t = token(&k1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| f.verify(&t))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), Ok("alice".into()));
        }
    });
    assert_eq!(f.hits(), 1, "eight cold verifications, one fetch");
    assert_eq!(f.client.status().fetch_count, 1);
}

#[test]
fn unknown_kid_flood_fetches_once_per_cooldown() {
    let k1 = key("k1");
    let f = fixture(Reply::json(jwks(&[&k1])), |_| {});
    f.client.refresh().unwrap();
    let flood = |f: &Fixture| {
        std::thread::scope(|s| {
            for t in 0..4 {
                s.spawn(move || {
                    for i in 0..25 {
                        let k = key(&format!("random-{t}-{i}"));
                        assert_eq!(f.verify(&token(&k)), Err(ErrorCode::JwtKeyUnknown));
                    }
                });
            }
        });
    };
    flood(&f);
    assert_eq!(f.hits(), 1, "within the cooldown of the first fetch: none");
    f.clock.advance(30);
    flood(&f);
    assert_eq!(f.hits(), 2, "one refetch per cooldown");
    f.clock.advance(10);
    flood(&f);
    assert_eq!(f.hits(), 2);
    f.clock.advance(25);
    flood(&f);
    assert_eq!(f.hits(), 3);
    assert_eq!(f.verify(&token(&k1)), Ok("alice".into()));
}

#[test]
fn stale_set_is_served_while_the_endpoint_fails_then_fails_closed() {
    let k1 = key("k1");
    let f = fixture(Reply::json(jwks(&[&k1])), |c| {
        c.max_stale_seconds = 3600;
        c.timeout_ms = 400;
        c.connect_timeout_ms = 400;
        c.max_bytes = 4096;
    });
    f.verify(&token(&k1)).unwrap();
    let t = token(&k1);
    let failures = [
        (
            Reply::status(500),
            ErrorCode::JwtJwksUnavailable,
            "HTTP status 500",
        ),
        (
            Reply::json("<html>oops</html>"),
            ErrorCode::JwtJwksInvalid,
            "not valid JSON",
        ),
        (
            Reply::json(vec![b' '; 10_000]).without_length(),
            ErrorCode::JwtJwksInvalid,
            "larger than max_bytes",
        ),
        (
            Reply::json(vec![b' '; 10_000]),
            ErrorCode::JwtJwksInvalid,
            "larger than max_bytes",
        ),
        (
            Reply::json(jwks(&[&k1])).delay(Duration::from_millis(1500)),
            ErrorCode::JwtJwksUnavailable,
            "timed out",
        ),
        (
            Reply::status(302).header("Location", "https://elsewhere.test/jwks"),
            ErrorCode::JwtJwksUnavailable,
            "redirects are not followed",
        ),
    ];
    f.clock.advance(600); // expired (default TTL), stale from now on
    for (i, (reply, code, detail)) in failures.into_iter().enumerate() {
        f.server.set("/jwks", reply);
        let before = f.hits();
        assert_eq!(
            f.verify(&t),
            Ok("alice".into()),
            "case {i}: stale set served"
        );
        assert_eq!(f.hits(), before + 1, "case {i}: one attempt");
        let status = f.client.status();
        assert_eq!(status.state, JwksState::Stale);
        let err = status.last_error.unwrap();
        assert_eq!(err.code, code.name(), "case {i}");
        assert!(err.detail.contains(detail), "case {i}: {}", err.detail);
        assert!(err.detail.contains("127.0.0.1"), "{}", err.detail);
        assert!(!err.detail.contains("tenant") && !err.detail.contains("/jwks"));
        // Retries wait for the cooldown.
        assert_eq!(f.verify(&t), Ok("alice".into()));
        assert_eq!(
            f.hits(),
            before + 1,
            "case {i}: no retry within the cooldown"
        );
        f.clock.advance(30);
    }

    // Past max_stale the set is no longer served: fail closed with a 503 code.
    f.server.set("/jwks", Reply::status(503));
    f.clock.advance(3600);
    let denial = f
        .verifier
        .verify_token(&t, NOW, &[] as &[&str])
        .unwrap_err();
    assert_eq!(denial.error().code(), ErrorCode::JwtJwksUnavailable);
    assert_eq!(denial.error().code().http_status(), 503);
    assert_eq!(f.client.status().state, JwksState::Expired);
    let failures = f.client.status().failure_count;
    assert_eq!(failures, 7);

    // The endpoint recovers: after the cooldown, the next verification fetches again.
    f.server.set("/jwks", Reply::json(jwks(&[&k1])));
    assert_eq!(f.verify(&t), Err(ErrorCode::JwtJwksUnavailable));
    f.clock.advance(30);
    assert_eq!(f.verify(&t), Ok("alice".into()));
    assert_eq!(f.client.status().state, JwksState::Fresh);
}

#[test]
fn no_set_yet_fails_closed() {
    let k1 = key("k1");
    let f = fixture(Reply::status(500), |_| {});
    let t = token(&k1);
    assert_eq!(f.verify(&t), Err(ErrorCode::JwtJwksUnavailable));
    assert_eq!(f.verify(&t), Err(ErrorCode::JwtJwksUnavailable));
    assert_eq!(
        f.hits(),
        1,
        "failed fetches are retried after the cooldown only"
    );
    f.server.set("/jwks", Reply::json(r#"{"keys": "nope"}"#));
    assert_eq!(
        f.client.refresh().unwrap_err().code(),
        ErrorCode::JwtJwksInvalid
    );
    assert_eq!(f.verify(&t), Err(ErrorCode::JwtJwksInvalid));
    // A duplicate kid poisons the document.
    f.server.set("/jwks", Reply::json(jwks(&[&k1, &key("k1")])));
    assert_eq!(
        f.client.refresh().unwrap_err().code(),
        ErrorCode::JwtJwksInvalid
    );
    f.server.set("/jwks", Reply::json(jwks(&[&k1])));
    f.client.refresh().unwrap();
    assert_eq!(f.verify(&t), Ok("alice".into()));
    assert_eq!(f.hits(), 4);
}

#[test]
fn a_refresh_in_flight_does_not_block_readers_of_the_stale_set() {
    let k1 = key("k1");
    let f = fixture(Reply::json(jwks(&[&k1])), |_| {});
    f.verify(&token(&k1)).unwrap();
    f.clock.advance(601);
    f.server.set(
        "/jwks",
        Reply::json(jwks(&[&k1])).delay(Duration::from_millis(1200)),
    );
    let t = token(&k1);
    std::thread::scope(|s| {
        let refresher = s.spawn(|| f.client.refresh());
        // Wait (bounded) until the refresh is in flight.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !f.client.status().fetching && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(f.client.status().fetching);
        let start = Instant::now();
        for _ in 0..20 {
            assert_eq!(f.verify(&t), Ok("alice".into()));
        }
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
        refresher.join().unwrap().unwrap();
    });
    assert_eq!(f.hits(), 2);
}

fn discovery_server(issuer_path: &str) -> (Server, String) {
    let server = Server::start();
    let issuer = server.url(issuer_path);
    (server, issuer)
}

#[test]
fn openid_discovery() {
    let k1 = key("k1");
    let (server, issuer) = discovery_server("");
    let doc = json!({"issuer": issuer, "jwks_uri": server.url("/keys")});
    server.set(
        "/.well-known/openid-configuration",
        Reply::json(doc.to_string()),
    );
    server.set("/keys", Reply::json(jwks(&[&k1])));

    let client = Arc::new(JwksClient::from_issuer(&issuer, JwksConfig::default()).unwrap());
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(
        server.hits("/keys"),
        0,
        "the key set itself is fetched lazily"
    );
    let meta = client.discovered().unwrap();
    assert_eq!(meta.issuer, issuer);
    assert_eq!(meta.jwks_uri, server.url("/keys"));
    let verifier = JwtVerifier::new(JwtConfig::default(), client.clone()).unwrap();
    verifier
        .verify_token(&token(&k1), NOW, &[] as &[&str])
        .unwrap();
    let status = client.status();
    assert_eq!(status.issuer.as_deref(), Some(issuer.as_str()));
    assert_eq!(status.jwks_uri, Some(server.url("/keys")));
    assert_eq!(server.hits("/keys"), 1);

    // A trailing slash is part of the issuer: the document must repeat it exactly.
    let e = JwksClient::from_issuer(&format!("{issuer}/"), JwksConfig::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtDiscoveryInvalid);

    // Lazy discovery: `issuer` in the config, first use discovers then fetches.
    let cfg = JwksConfig::from_json(&json!({ "issuer": issuer }).to_string()).unwrap();
    let lazy = JwksClient::new(cfg).unwrap();
    assert_eq!(server.hits("/.well-known/openid-configuration"), 2);
    assert_eq!(lazy.keys(Some("k1")).unwrap().len(), 1);
    assert_eq!(server.hits("/.well-known/openid-configuration"), 3);
    assert!(lazy.discovered().is_some());
}

#[test]
fn discovery_refuses_another_issuer_and_bad_jwks_uris() {
    let (server, issuer) = discovery_server("/realms/a");
    let path = "/realms/a/.well-known/openid-configuration";
    let cases = [
        json!({"issuer": server.url("/realms/b"), "jwks_uri": server.url("/keys")}),
        json!({"issuer": format!("{issuer}/"), "jwks_uri": server.url("/keys")}),
        json!({"jwks_uri": server.url("/keys")}),
        json!({"issuer": issuer}),
        json!({"issuer": issuer, "jwks_uri": "http://attacker.example/keys"}),
        json!({"issuer": issuer, "jwks_uri": 5}),
    ];
    for doc in cases {
        server.set(path, Reply::json(doc.to_string()));
        let e = JwksClient::from_issuer(&issuer, JwksConfig::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtDiscoveryInvalid, "{doc}");
    }
    server.set(path, Reply::json("not json"));
    let e = JwksClient::from_issuer(&issuer, JwksConfig::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtDiscoveryInvalid);
    server.set(path, Reply::status(500));
    let e = JwksClient::from_issuer(&issuer, JwksConfig::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtJwksUnavailable);

    // Lazy discovery that fails: the verification fails closed with the discovery code.
    server.set(
        path,
        Reply::json(json!({"issuer": "https://other.test"}).to_string()),
    );
    let cfg = JwksConfig {
        issuer: Some(issuer.clone()),
        ..JwksConfig::default()
    };
    let lazy = JwksClient::new(cfg).unwrap();
    assert_eq!(
        lazy.keys(None).unwrap_err().code(),
        ErrorCode::JwtDiscoveryInvalid
    );
}

#[test]
fn rfc8414_discovery() {
    let k1 = key("k1");
    let (server, issuer) = discovery_server("/tenant");
    let doc = json!({"issuer": issuer, "jwks_uri": server.url("/tenant/keys")});
    server.set(
        "/.well-known/oauth-authorization-server/tenant",
        Reply::json(doc.to_string()),
    );
    server.set("/tenant/keys", Reply::json(jwks(&[&k1])));
    let cfg = JwksConfig {
        discovery: Discovery::OAuthAuthorizationServer,
        ..JwksConfig::default()
    };
    let client = JwksClient::from_issuer(&issuer, cfg).unwrap();
    assert_eq!(client.keys(Some("k1")).unwrap().len(), 1);
}

#[test]
fn http_to_a_non_loopback_host_is_a_config_error() {
    for url in [
        "http://example.com/jwks",
        "http://10.1.2.3/jwks",
        "http://[fe80::1]/jwks",
    ] {
        let e = JwksClient::new(config(url.into())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{url}");
    }
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
    let k1 = key("k1");
    let (server, ca_pem) = tls_server();
    server.set("/jwks", Reply::json(jwks(&[&k1])));
    for url in [
        server.url("/jwks"),
        format!("https://localhost:{}/jwks", server.port()),
    ] {
        let client = JwksClient::new(JwksConfig {
            ca_pem: Some(ca_pem.clone()),
            ..config(url.clone())
        })
        .unwrap();
        let verifier = JwtVerifier::new(JwtConfig::default(), Arc::new(client)).unwrap();
        let p = verifier
            .verify_token(&token(&k1), NOW, &[] as &[&str])
            .unwrap();
        assert_eq!(p.subject, "alice", "{url}");
    }
    assert_eq!(server.hits("/jwks"), 2);

    // The built-in roots do not know the test CA.
    let client = JwksClient::new(config(server.url("/jwks"))).unwrap();
    let e = client.refresh().unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtJwksUnavailable);
    assert!(e.detail().contains("TLS"), "{}", e.detail());
}
