//! The OAuth 2.0 resource server (bench/README.md, "OAuth 2.0"; the Python twin is
//! bench/python/oauth.py).
//!
//! - **DPoP-bound ES256 access token + ES256 proof**: `ResourceServer::verify` (the server of an
//!   `oauth2` `Verifier` built from its JSON: a static ES256 issuer key, `dpop_mode` allowed, the
//!   in-memory replay store) on prepared requests (`Host`, `Authorization: DPoP <at+jwt with
//!   cnf.jkt>`, `DPoP: <proof with ath, htm, htu, iat, jti>`), every proof with a fresh `jti`
//!   (a pool signed up front, sized to every call the run makes), against the floor: the two
//!   ES256 signature checks no verifier can skip, on aws-lc-rs directly (see [`Floor`]).
//! - **Cached introspection hit** (informational here; the target is Python's): the same
//!   server type with an introspecting issuer against a loopback HTTP endpoint (a bare
//!   `TcpListener` below, answering `active`), its cache warmed by one call; next to it the
//!   cheapest successful `Verifier::verify` (an `api_key` method with one key), as in Python.
//!
//! `--profile-oauth CASE [--calls N]` runs one case N times and nothing else, for callgrind or
//! `perf record` (bench/profile-notes.md): `dpop`, `dpop-floor`, `introspect-hit`,
//! `apikey-verifier`.

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair, ParsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use base64::Engine;
use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::jwt::{self, HeaderOptions, Jwk, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::oauth2::{access_token_hash, DpopConfig, DpopVerifier, ResourceServer};
use portcullis::store::MemoryStore;
use portcullis::verifier::Verifier;
use portcullis::Request;
use serde_json::{json, Map, Value};

use crate::harness::{measure, Case, Plan, Results};
use crate::NOW;

const ISSUER: &str = "https://as.bench.example";
const RESOURCE: &str = "https://api.bench.example";
const HOST: &str = "api.bench.example";
const PATH: &str = "/v1/items";
const SUBJECT: &str = "user-1234567890";
const PEPPER: &str = "bench-oauth-pepper-0123456789abcdef";
const OPAQUE: &str = "opq_7Hc2XgkQ0m9bN4rT1vW8yZ3aD6fJ5sL";
const NONE: &[&str] = &[];

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn b64url(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}

/// The server inside an `oauth2` `Verifier`.
fn server(verifier: &Verifier) -> &ResourceServer {
    verifier
        .method()
        .as_any()
        .downcast_ref::<ResourceServer>()
        .expect("an oauth2 verifier holds a ResourceServer")
}

/// The least any DPoP-bound token verify does: the proof's ES256 signature with the proof's
/// key, parsed from its point once per proof (`ParsedPublicKey::new` over the uncompressed
/// point `04 || x || y`, already base64url-decoded from the jwk), and the access token's ES256
/// signature with the issuer's key, parsed once at setup. Signing inputs are slices of the
/// proof and token; signatures already base64url-decoded. No JSON, no base64, no claim, no
/// thumbprint, no hash, no replay record.
struct Floor {
    client_point: Vec<u8>,
    issuer: ParsedPublicKey,
    token_input: Vec<u8>,
    token_signature: Vec<u8>,
    /// Per proof of the pool: (signing input, signature).
    proofs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Floor {
    fn verify(&self, i: usize) {
        self.verify_proof(i);
        self.verify_token();
    }

    /// The proof's half: its key parsed from the point, its signature verified.
    fn verify_proof(&self, i: usize) {
        let (input, signature) = &self.proofs[i % self.proofs.len()];
        let proof_key =
            ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&self.client_point))
                .expect("the proof's point");
        assert!(proof_key
            .verify_sig(black_box(input), black_box(signature))
            .is_ok());
    }

    /// The token's half: its signature verified with the issuer's parsed key.
    fn verify_token(&self) {
        assert!(self
            .issuer
            .verify_sig(
                black_box(&self.token_input),
                black_box(&self.token_signature)
            )
            .is_ok());
    }
}

/// (signing input, decoded signature) of a compact JWS.
fn split_jws(jws: &str) -> (Vec<u8>, Vec<u8>) {
    let dot = jws.rfind('.').expect("three segments");
    (
        jws.as_bytes()[..dot].to_vec(),
        B64URL.decode(&jws[dot + 1..]).expect("signature"),
    )
}

fn jwk_point(jwk: &Jwk) -> Vec<u8> {
    let coordinate = |name: &str| {
        B64URL
            .decode(jwk[name].as_str().expect("coordinate"))
            .expect("base64url")
    };
    [vec![0x04], coordinate("x"), coordinate("y")].concat()
}

struct DpopSetup {
    config: String,
    /// The issuer's public JWK, for the token-only row's `JwtVerifier`.
    issuer_jwk: Jwk,
    token: String,
    client: EcdsaKeyPair,
    client_jwk: Jwk,
    head: String,
    ath: String,
    /// One prepared request per proof of the pool.
    requests: Vec<Request>,
    floor: Floor,
}

impl DpopSetup {
    fn new(pool_size: usize) -> DpopSetup {
        let issuer = JwtKey::generate(jwt::Algorithm::Es256).expect("issuer key");
        let issuer_jwk = issuer.public_jwk().expect("issuer jwk");
        let client = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("client key");
        let point = client.public_key().as_ref().to_vec();
        let mut client_jwk = Map::new();
        for (name, value) in [
            ("kty", "EC".to_owned()),
            ("crv", "P-256".to_owned()),
            ("x", b64url(&point[1..33])),
            ("y", b64url(&point[33..65])),
        ] {
            client_jwk.insert(name.into(), Value::String(value));
        }
        let jkt = jwt::thumbprint(&client_jwk).expect("thumbprint");
        let claims = json!({
            "iss": ISSUER, "sub": SUBJECT, "aud": RESOURCE, "client_id": "client-bench",
            "iat": NOW, "exp": NOW + 3600, "jti": "at-3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00",
            "scope": "items:read items:write", "cnf": {"jkt": jkt},
        });
        let token = jwt::encode(
            claims.as_object().expect("object"),
            &HeaderOptions {
                typ: Some("at+jwt".into()),
                kid: issuer.kid().map(str::to_owned),
                cty: None,
            },
            &issuer,
        )
        .expect("access token");
        let config = json!({
            "method": "oauth2", "resource": RESOURCE, "dpop_mode": "allowed",
            "issuers": [{"issuer": ISSUER, "keys": {"static": [
                {"alg": "ES256", "kid": issuer.kid(), "jwk": issuer_jwk}]}}],
        })
        .to_string();
        let head = b64url(
            json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": client_jwk})
                .to_string()
                .as_bytes(),
        );
        let ath = access_token_hash(&token);
        let (token_input, token_signature) = split_jws(&token);
        let issuer_key = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, jwk_point(&issuer_jwk))
            .expect("issuer point");
        let mut s = DpopSetup {
            config,
            issuer_jwk: issuer_jwk.clone(),
            token,
            client,
            client_jwk,
            head,
            ath,
            requests: Vec::with_capacity(pool_size),
            floor: Floor {
                client_point: point,
                issuer: issuer_key,
                token_input,
                token_signature,
                proofs: Vec::with_capacity(pool_size),
            },
        };
        let t0 = std::time::Instant::now();
        for i in 0..pool_size {
            let proof = s.proof(&format!("proof-{i:08}"));
            s.floor.proofs.push(split_jws(&proof));
            s.requests.push(s.request(&proof));
        }
        println!(
            "  signed {pool_size} DPoP proofs in {:.2} s",
            t0.elapsed().as_secs_f64()
        );
        s
    }

    fn proof(&self, jti: &str) -> String {
        let claims = json!({"jti": jti, "htm": "GET", "htu": format!("https://{HOST}{PATH}"), "iat": NOW, "ath": self.ath});
        let input = format!("{}.{}", self.head, b64url(claims.to_string().as_bytes()));
        let signature = self
            .client
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("sign");
        format!("{input}.{}", b64url(signature.as_ref()))
    }

    fn request(&self, proof: &str) -> Request {
        Request::new("GET", PATH)
            .expect("request")
            .header("Host", HOST)
            .expect("header")
            .header("Authorization", format!("DPoP {}", self.token))
            .expect("header")
            .header("DPoP", proof)
            .expect("header")
            .at(NOW)
    }

    fn verifier(&self) -> Verifier {
        Verifier::from_config(&self.config).expect("oauth2 verifier")
    }

    /// The two halves of the server's work on their own (informational rows): the DPoP proof
    /// verifier (`DpopVerifier::verify_request`, default rules, its own memory store) and the
    /// access token's `JwtVerifier` with the settings the server gives its issuer (RFC 9068
    /// `typ` and required claims, `iss`, `aud`, 60 s leeway).
    fn parts(&self) -> (DpopVerifier, JwtVerifier) {
        let dpop = DpopVerifier::new(DpopConfig::default(), Arc::new(MemoryStore::default()))
            .expect("dpop verifier");
        let keys = JwtKeySet::new();
        keys.insert(JwtKey::from_jwk(&self.issuer_jwk, None).expect("issuer public key"))
            .expect("insert");
        let config = JwtConfig {
            issuers: vec![ISSUER.into()],
            audiences: vec![RESOURCE.into()],
            leeway_seconds: 60,
            required_claims: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            typ: Some("at+jwt".into()),
            max_token_bytes: 16 * 1024,
            ..JwtConfig::default()
        };
        let jwt = JwtVerifier::new(config, Arc::new(keys)).expect("jwt verifier");
        assert_eq!(
            dpop.verify_request(&self.requests[0], Some(&self.token), None)
                .expect("the proof alone")
                .thumbprint,
            jwt::thumbprint(&self.client_jwk).expect("thumbprint")
        );
        assert_eq!(
            jwt.verify_token_claims(&self.token, NOW, NONE)
                .expect("the token alone")
                .into_principal()
                .subject,
            SUBJECT
        );
        (dpop, jwt)
    }

    /// The server accepts a proof once, refuses it replayed and tampered; the floor accepts
    /// the pool's first proof.
    fn check(&self) {
        assert_eq!(
            jwt::thumbprint(&self.client_jwk).expect("thumbprint").len(),
            43
        );
        let verifier = self.verifier();
        let rs = server(&verifier);
        let extra = self.proof("proof-sanity");
        let p = rs
            .verify(&self.request(&extra), NONE)
            .expect("portcullis accepts the bench's DPoP request");
        assert_eq!(p.subject, SUBJECT);
        let replayed = rs.verify(&self.request(&extra), NONE).expect_err("replay");
        assert_eq!(replayed.code().name(), "dpop_proof_replayed");
        let dot = extra.rfind('.').expect("dot");
        let mut tampered = extra.clone().into_bytes();
        tampered[dot + 1] = if tampered[dot + 1] == b'A' {
            b'B'
        } else {
            b'A'
        };
        let tampered = String::from_utf8(tampered).expect("utf8");
        let refused = rs
            .verify(&self.request(&tampered), NONE)
            .expect_err("tampered proof");
        assert_eq!(refused.code().name(), "dpop_proof_invalid");
        self.floor.verify(0);
    }
}

/// Proofs for every call of the run: the warm-up and every batch of one case, at no less than
/// 40 us a call (two P-256 verifies take more than that here).
fn dpop_pool_size(plan: &Plan) -> usize {
    let run_ns = plan.warmup_ns + plan.batches as f64 * plan.batch_ns;
    ((run_ns / 40_000.0) as usize).max(200)
}

struct IntrospectionSetup {
    verifier: Verifier,
    request: Request,
    apikey: Verifier,
    apikey_request: Request,
    posts: Arc<AtomicUsize>,
}

/// A bench-only RFC 7662 endpoint on loopback: every request is answered `active` (and
/// counted); one connection per request.
fn introspection_endpoint(answer: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://127.0.0.1:{}/introspect",
        listener.local_addr().expect("addr").port()
    );
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&posts);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // The head, then as much body as Content-Length says.
            let body_start = loop {
                let Ok(n) = stream.read(&mut chunk) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            let Some(body_start) = body_start else {
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..body_start]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < body_start + length {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            counted.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (url, posts)
}

impl IntrospectionSetup {
    fn new() -> IntrospectionSetup {
        let answer = json!({
            "active": true, "sub": SUBJECT, "client_id": "client-bench",
            "scope": "items:read items:write", "iss": ISSUER, "aud": RESOURCE,
            "exp": NOW + 3600, "iat": NOW, "token_type": "Bearer",
        })
        .to_string();
        let (endpoint, posts) = introspection_endpoint(answer);
        let config = json!({
            "method": "oauth2", "resource": RESOURCE,
            "issuers": [{"issuer": ISSUER, "introspection": {
                "endpoint": endpoint, "client_id": "api-bench",
                "client_secret": "secret:introspection",
                "cache_max_seconds": 3600}}],
        })
        .to_string();
        let context = LoadContext::new().with_secrets(
            Secrets::new()
                .with("introspection", "bench-introspection-client-secret")
                .with("pepper", PEPPER),
        );
        let verifier =
            Verifier::load(&config, Format::Json, &context).expect("introspecting verifier");
        let request = Request::new("GET", PATH)
            .expect("request")
            .header("Host", HOST)
            .expect("header")
            .header("Authorization", format!("Bearer {OPAQUE}"))
            .expect("header")
            .at(NOW);
        let rs = server(&verifier);
        for _ in 0..2 {
            let p = rs.verify(&request, NONE).expect("introspected");
            assert_eq!(p.subject, SUBJECT);
        }
        assert_eq!(posts.load(Ordering::SeqCst), 1, "one POST, then cache hits");
        // The cheapest successful Verifier::verify: an api_key method with one key.
        let ring = ApiKeyRing::new(PEPPER.as_bytes(), ApiKeyConfig::default()).expect("ring");
        let issued = ring
            .generate(&ApiKeyOptions {
                subject: Some(SUBJECT.into()),
                scopes: vec!["items:read".into()],
                now: Some(NOW),
                ..Default::default()
            })
            .expect("generate");
        let record: Value = serde_json::from_str(&issued.record.to_json()).expect("record");
        let apikey = Verifier::load(
            &json!({"method": "api_key", "pepper": "secret:pepper", "records": [record]})
                .to_string(),
            Format::Json,
            &context,
        )
        .expect("api_key verifier");
        let apikey_request = Request::new("GET", PATH)
            .expect("request")
            .header("Authorization", format!("Bearer {}", issued.key.expose()))
            .expect("header")
            .at(NOW);
        assert_eq!(
            apikey
                .verify(&apikey_request, NONE)
                .expect("api key")
                .subject,
            SUBJECT
        );
        IntrospectionSetup {
            verifier,
            request,
            apikey,
            apikey_request,
            posts,
        }
    }
}

pub(crate) fn bench_oauth(res: &mut Results, plan: &Plan) {
    let s = DpopSetup::new(dpop_pool_size(plan));
    s.check();
    let verifier = s.verifier();
    let rs = server(&verifier);
    let (dpop, jwt_alone) = s.parts();
    let (mut next, mut next_floor) = (0usize, 0usize);
    // The proof-only row's own place in the pool: its verifier's store has seen request 0.
    let (mut next_proof, mut next_floor_proof) = (1usize, 0usize);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                let request = s
                    .requests
                    .get(next)
                    .expect("the DPoP proof pool ran out: raise dpop_pool_size");
                next += 1;
                black_box(rs.verify(black_box(request), NONE).is_ok());
            }),
        ),
        (
            "floor",
            Box::new(|| {
                s.floor.verify(next_floor);
                next_floor += 1;
            }),
        ),
        (
            "proof-only",
            Box::new(|| {
                let request = s
                    .requests
                    .get(next_proof)
                    .expect("the DPoP proof pool ran out: raise dpop_pool_size");
                next_proof += 1;
                black_box(
                    dpop.verify_request(black_box(request), Some(&s.token), None)
                        .is_ok(),
                );
            }),
        ),
        (
            "floor-proof",
            Box::new(|| {
                s.floor.verify_proof(next_floor_proof);
                next_floor_proof += 1;
            }),
        ),
        (
            "token-only",
            Box::new(|| {
                black_box(
                    jwt_alone
                        .verify_token_claims(black_box(&s.token), NOW, NONE)
                        .is_ok(),
                );
            }),
        ),
        ("floor-token", Box::new(|| s.floor.verify_token())),
    ];
    res.add(
        "oauth_dpop_es256",
        "OAuth 2.0 DPoP-bound ES256 token + ES256 proof, verify",
        measure(&mut cases, plan),
        &[
            (
                "floor",
                "raw aws-lc-rs: 2 ES256 verifies (proof key parsed per proof, issuer key parsed once) (floor)",
            ),
            (
                "proof-only",
                "DpopVerifier::verify_request alone (the proof half, informational)",
            ),
            (
                "floor-proof",
                "raw aws-lc-rs: the proof's ES256 verify, key parsed from its point (informational)",
            ),
            (
                "token-only",
                "JwtVerifier::verify_token_claims alone, the server's settings (the token half, informational)",
            ),
            (
                "floor-token",
                "raw aws-lc-rs: the token's ES256 verify, parsed key (informational)",
            ),
        ],
    );
    drop(cases);
    // Every timed call was accepted (a refusal, a replay among them, would be a cheaper call).
    println!(
        "  {next} DPoP requests verified by the server, {} by the proof verifier alone, of a pool of {}",
        next_proof - 1,
        s.requests.len()
    );
    assert!(
        rs.verify(&s.requests[0], NONE).is_err(),
        "a proof of the pool verified twice"
    );

    let intro = IntrospectionSetup::new();
    let rs = server(&intro.verifier);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(rs.verify(black_box(&intro.request), NONE).is_ok());
            }),
        ),
        (
            "floor",
            Box::new(|| {
                black_box(
                    intro
                        .apikey
                        .verify(black_box(&intro.apikey_request), NONE)
                        .is_ok(),
                );
            }),
        ),
    ];
    res.add(
        "oauth_introspection_hit",
        "OAuth 2.0 opaque token, cached introspection hit, verify",
        measure(&mut cases, plan),
        &[(
            "floor",
            "Verifier::verify of an api_key method, 1 key (the cheapest Verifier call)",
        )],
    );
    drop(cases);
    assert_eq!(
        intro.posts.load(Ordering::SeqCst),
        1,
        "the timed introspection calls were not all cache hits"
    );
    assert!(rs.verify(&intro.request, NONE).is_ok());
}

/// Runs one case `calls` times, for a profiler; `None` for an unknown case.
pub(crate) fn profile_oauth(case: &str, calls: usize) -> Option<()> {
    match case {
        "dpop" | "dpop-floor" => {
            let s = DpopSetup::new(calls.min(2_000));
            let mut verifier = s.verifier();
            for i in 0..calls {
                if case == "dpop-floor" {
                    s.floor.verify(i);
                    continue;
                }
                if i > 0 && i % s.requests.len() == 0 {
                    verifier = s.verifier();
                }
                let ok = server(&verifier)
                    .verify(black_box(&s.requests[i % s.requests.len()]), NONE)
                    .is_ok();
                assert!(ok);
            }
        }
        "introspect-hit" | "apikey-verifier" => {
            let intro = IntrospectionSetup::new();
            let rs = server(&intro.verifier);
            for _ in 0..calls {
                let ok = if case == "introspect-hit" {
                    rs.verify(black_box(&intro.request), NONE).is_ok()
                } else {
                    intro
                        .apikey
                        .verify(black_box(&intro.apikey_request), NONE)
                        .is_ok()
                };
                assert!(black_box(ok));
            }
        }
        _ => return None,
    }
    Some(())
}
