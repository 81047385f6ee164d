//! portcullis core vs the raw primitives it is built on, side by side, in one process.
//!
//! Method: each workload times every case in batches (`Instant`, `black_box` on inputs and
//! outputs); batches of the cases are interleaved, the order rotating every round, after a
//! warm-up that also sizes the batches. Each batch gives ns/op; the JSON keeps them all and the
//! report shows medians and spread.
//!
//! ```text
//! portcullis-bench --out build/bench/rust.json [--smoke] [--only webhook,apikey,pcs1,capi,jwt,mtls,gate,oauth]
//! portcullis-bench --profile-gate gate-jwt [--calls 20000]    # one case in a loop, for callgrind
//! portcullis-bench --profile-oauth dpop [--calls 20000]       # the same for the OAuth 2.0 cases
//! ```

// The C ABI, called from Rust: these are the symbols of libportcullis (ffi/include/portcullis.h).
extern crate portcullis_ffi;

mod capi;
mod gate;
mod handoff;
mod harness;
mod oauth;
mod timing;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use harness::{measure, rss_kib, Case, Plan, Results};
use hmac::{Hmac, KeyInit, Mac};
use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::hmac::{
    sign_request, Algorithm, HmacConfig, HmacVerifier, SignOptions, SigningKey, VerifyingKey,
};
use portcullis::jwt::{self, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use portcullis::Request;
use serde_json::json;
use sha2::Sha256;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const MSG_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
/// A fixed time for every request: the verifiers read it from the request, never the clock.
pub(crate) const NOW: i64 = 1_700_000_000;

fn json_body(size: usize) -> Vec<u8> {
    let head = br#"{"type":"invoice.paid","data":{"id":"inv_1","pad":""#;
    let tail = br#""}}"#;
    let fill = size - head.len() - tail.len();
    let pad: Vec<u8> = b"abcdefghijklmnopqrstuvwxyz0123456789"
        .iter()
        .copied()
        .cycle()
        .take(fill)
        .collect();
    [&head[..], &pad, &tail[..]].concat()
}

fn bench_webhook(res: &mut Results, plan: &Plan) {
    let raw: Vec<u8> = (0u8..32).collect();
    let secret = format!("whsec_{}", B64.encode(&raw));
    let verifier = WebhookVerifier::new(WebhookConfig {
        secrets: vec![secret.clone()],
        replay_protection: false,
        ..Default::default()
    })
    .expect("verifier");
    let signer = WebhookSigner::new(WebhookScheme::Standard, &secret).expect("signer");
    for (size, label) in [(1024usize, "1k"), (65536, "64k")] {
        let body = json_body(size);
        let headers = signer.sign(Some(MSG_ID), NOW, &body).expect("sign");
        let build = || {
            let mut req = Request::new("POST", "/webhooks").expect("request").at(NOW);
            req.add_header("content-type", b"application/json")
                .expect("header");
            for (name, value) in &headers {
                req.add_header(name, value.as_bytes()).expect("header");
            }
            req.set_body(body.clone()).expect("body");
            req
        };
        let request = build();
        verifier
            .verify(&request)
            .expect("portcullis accepts its own signature");
        let sig_header = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("webhook-signature"))
            .map(|(_, v)| v.clone())
            .expect("signature header");
        let ts = NOW.to_string();
        // The floor: key setup, HMAC-SHA256 over id.ts.body, decode the presented tag, compare
        // in constant time. Nothing a verifier can skip.
        let floor = || {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(black_box(&raw)).expect("key");
            mac.update(MSG_ID.as_bytes());
            mac.update(b".");
            mac.update(ts.as_bytes());
            mac.update(b".");
            mac.update(black_box(&body));
            let tag = B64.decode(&sig_header[3..]).expect("b64");
            assert!(mac.verify_slice(&tag).is_ok());
        };
        floor();
        let mut cases: Vec<Case<'_>> = vec![
            (
                "portcullis",
                Box::new(|| {
                    black_box(verifier.verify(black_box(&request)).is_ok());
                }),
            ),
            ("floor", Box::new(floor)),
        ];
        res.add(
            &format!("webhook_standard_{label}"),
            &format!(
                "Standard Webhooks verify, {} KiB body (prepared Request)",
                size / 1024
            ),
            measure(&mut cases, plan),
            &[("floor", "raw hmac::Hmac<Sha256> (floor)")],
        );
        let pairs: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let mut cases: Vec<Case<'_>> = vec![
            (
                "portcullis",
                Box::new(|| {
                    black_box(
                        verifier
                            .verify_payload(black_box(&body), black_box(&pairs), Some(NOW))
                            .is_ok(),
                    );
                }),
            ),
            ("floor", Box::new(floor)),
        ];
        res.add(
            &format!("webhook_payload_{label}"),
            &format!(
                "Standard Webhooks verify_payload, {} KiB body (no Request)",
                size / 1024
            ),
            measure(&mut cases, plan),
            &[("floor", "raw hmac::Hmac<Sha256> (floor)")],
        );
        let mut cases: Vec<Case<'_>> = vec![(
            "portcullis",
            Box::new(|| {
                black_box(verifier.verify(&build()).is_ok());
            }),
        )];
        res.add(
            &format!("webhook_build_verify_{label}"),
            &format!(
                "Standard Webhooks Request + verify, {} KiB body",
                size / 1024
            ),
            measure(&mut cases, plan),
            &[],
        );
    }
}

fn bench_apikey(res: &mut Results, plan: &Plan) {
    let pepper: Vec<u8> = (100u8..132).collect();
    let big = if plan.smoke { 1000 } else { 1_000_000 };
    for count in [1usize, big] {
        let rss0 = rss_kib();
        let ring = ApiKeyRing::new(&pepper, ApiKeyConfig::default()).expect("ring");
        let opts = ApiKeyOptions {
            subject: Some("svc-billing".into()),
            scopes: vec!["orders:read".into()],
            now: Some(NOW),
            ..Default::default()
        };
        let target = ring.generate(&opts).expect("generate");
        ring.insert(target.record.clone()).expect("insert");
        let plain = ApiKeyOptions {
            now: Some(NOW),
            ..Default::default()
        };
        let t0 = Instant::now();
        for _ in 1..count {
            ring.insert(ring.generate(&plain).expect("generate").record)
                .expect("insert");
        }
        let fill = t0.elapsed();
        let rss1 = rss_kib();
        assert_eq!(ring.len(), count);
        if count > 1 {
            let per_key = (rss1.saturating_sub(rss0) * 1024) as f64 / count as f64;
            println!(
                "  filled ring with {count} keys in {:.2} s ({:.2} us/key), RSS +{} MiB = {per_key:.0} B/key",
                fill.as_secs_f64(),
                fill.as_secs_f64() * 1e6 / (count - 1) as f64,
                rss1.saturating_sub(rss0) / 1024
            );
            res.notes.insert(
                format!("apikey_fill_{count}"),
                json!({
                    "keys": count, "generate_and_insert_seconds": fill.as_secs_f64(),
                    "per_key_us": fill.as_secs_f64() * 1e6 / (count - 1) as f64,
                    "rss_delta_kib": rss1.saturating_sub(rss0), "rss_bytes_per_key": per_key,
                }),
            );
        }
        let request = Request::new("GET", "/orders")
            .expect("request")
            .header("Authorization", format!("Bearer {}", target.key.expose()))
            .expect("header")
            .at(NOW + 100);
        assert_eq!(
            ring.verify(&request, &["orders:read"])
                .expect("verify")
                .subject,
            "svc-billing"
        );
        let label = if count == 1_000_000 {
            "1M".to_owned()
        } else {
            count.to_string()
        };
        let none: &[&str] = &[];
        let mut cases: Vec<Case<'_>> = vec![(
            "portcullis",
            Box::new(|| {
                black_box(ring.verify(black_box(&request), none).is_ok());
            }),
        )];
        res.add(
            &format!("apikey_verify_{label}"),
            &format!("API key verify, {count} keys (prepared Request)"),
            measure(&mut cases, plan),
            &[],
        );
    }
}

fn bench_pcs1(res: &mut Results, plan: &Plan) {
    let secret = [7u8; 32];
    let verifier = HmacVerifier::new(HmacConfig::default()).expect("verifier");
    verifier.insert_key(VerifyingKey::new("svc-a", Algorithm::HmacSha256, &secret).expect("key"));
    let key = SigningKey::new("svc-a", Algorithm::HmacSha256, &secret).expect("key");
    let base = Request::new("GET", "/orders?id=7")
        .expect("request")
        .header("Host", "api.example.com")
        .expect("header")
        .at(NOW);
    // Every verify consumes a fresh nonce (replay protection is always on in PCS1): sign a pool
    // up front, outside the timing.
    let pool_size = if plan.smoke { 20_000 } else { 400_000 };
    let t0 = Instant::now();
    let pool: Vec<Request> = (0..pool_size)
        .map(|_| {
            let mut req = base.clone();
            sign_request(&req, &key, &SignOptions::default())
                .expect("sign")
                .apply(&mut req)
                .expect("apply");
            req
        })
        .collect();
    println!(
        "  signed {pool_size} PCS1 requests in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    // Sanity: a separate verifier (so the timed one has seen no nonce) accepts the pool.
    let check = HmacVerifier::new(HmacConfig::default()).expect("verifier");
    check.insert_key(VerifyingKey::new("svc-a", Algorithm::HmacSha256, &secret).expect("key"));
    if let Err(denial) = check.verify(&pool[0]) {
        panic!(
            "PCS1 verify refused the bench's own request: {:?}",
            denial.code()
        );
    }
    let mut next = 0usize;
    let sub_plan = Plan {
        smoke: plan.smoke,
        batches: plan.batches,
        batch_ns: if plan.smoke { plan.batch_ns } else { 10e6 },
        warmup_ns: if plan.smoke { plan.warmup_ns } else { 10e6 },
    };
    let mut cases: Vec<Case<'_>> = vec![(
        "portcullis",
        Box::new(|| {
            let req = &pool[next % pool.len()];
            next += 1;
            assert!(
                verifier.verify(black_box(req)).is_ok(),
                "pool exhausted: raise pool_size"
            );
        }),
    )];
    res.add(
        "pcs1_verify",
        "PCS1 verify, GET with Host (memory replay store)",
        measure(&mut cases, &sub_plan),
        &[],
    );
}

/// RS256: the whole verify (split, header, base64url, key selection, signature, claims JSON,
/// every claim check, the `Principal`) against the one thing no verifier can skip: aws-lc-rs
/// RSA PKCS#1 v1.5 SHA-256 verify with an already parsed key over the same signing input, the
/// signature already decoded.
fn bench_jwt(res: &mut Results, plan: &Plan) {
    use aws_lc_rs::signature::{KeyPair, ParsedPublicKey, RsaKeyPair, RSA_PKCS1_2048_8192_SHA256};
    let key = JwtKey::generate(jwt::Algorithm::Rs256).expect("generate RS256");
    let public = JwtKey::from_jwk(&key.public_jwk().expect("jwk"), None).expect("public key");
    let keys = JwtKeySet::new();
    keys.insert(public).expect("insert");
    let config = JwtConfig {
        issuers: vec!["https://issuer.example.com".into()],
        audiences: vec!["https://api.example.com".into()],
        algorithms: vec![jwt::Algorithm::Rs256],
        ..Default::default()
    };
    let verifier = JwtVerifier::new(config, std::sync::Arc::new(keys)).expect("verifier");
    let claims = json!({
        "iss": "https://issuer.example.com", "sub": "user-1234567890",
        "aud": "https://api.example.com", "exp": NOW + 3600, "iat": NOW, "nbf": NOW,
        "jti": "3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00", "scope": "orders:read orders:write",
    });
    let token = jwt::encode(
        claims.as_object().expect("object"),
        &HeaderOptions::default(),
        &key,
    )
    .expect("encode");
    let none: &[&str] = &[];
    let p = verifier
        .verify_token(&token, NOW + 10, none)
        .expect("portcullis accepts its own token");
    assert_eq!(p.subject, "user-1234567890");
    // The floor's key: the same RSA public key, parsed once.
    let pem = key.private_pem().expect("pem");
    let der = base64::engine::general_purpose::STANDARD
        .decode(
            pem.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .expect("pem base64");
    let pair = RsaKeyPair::from_pkcs8(&der).expect("pkcs8");
    let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref())
        .expect("parsed key");
    let dot = token.rfind('.').expect("three segments");
    let signing_input = token.as_bytes()[..dot].to_vec();
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token[dot + 1..])
        .expect("b64url");
    assert!(parsed.verify_sig(&signing_input, &signature).is_ok());
    let mut bad = token.clone().into_bytes();
    let at = dot + 5;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).expect("utf8");
    assert!(
        verifier.verify_token(&bad, NOW + 10, none).is_err(),
        "tampered token accepted"
    );
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(
                    verifier
                        .verify_token(black_box(&token), NOW + 10, none)
                        .is_ok(),
                );
            }),
        ),
        (
            "floor",
            Box::new(|| {
                assert!(parsed
                    .verify_sig(black_box(&signing_input), black_box(&signature))
                    .is_ok());
            }),
        ),
    ];
    res.add(
        "jwt_verify_rs256",
        "JWT RS256 verify + validate (8 claims)",
        measure(&mut cases, plan),
        &[("floor", "raw aws-lc-rs RSA verify, parsed key (floor)")],
    );
}

/// The DER of the first PEM certificate in `pem`.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    B64.decode(body).expect("pem base64")
}

/// mTLS: a P-256 client leaf (SPIFFE URI SAN) under one intermediate, verified at a fixed time:
/// the whole `MtlsVerifier::verify_chain` (path building, EKU, SPIFFE trust domain, identity,
/// the `Principal`) against the one thing no verifier can skip: rustls-webpki's
/// `verify_for_usage` (clientAuth) with the anchor parsed once, on the same aws-lc-rs
/// algorithms (the only provider compiled in: no ring).
fn bench_mtls(res: &mut Results, plan: &Plan) {
    use portcullis::mtls::{ClientCertSpec, DevCa, MtlsConfig, MtlsVerifier};
    use rustls_pki_types::{CertificateDer, UnixTime};
    use webpki::{EndEntityCert, KeyUsage};
    let (nb, na) = (NOW - 86_400, NOW + 365 * 86_400);
    let root = DevCa::new("bench root", nb, na).expect("root CA");
    let inter = root
        .issue_intermediate("bench intermediate", nb, na, Some(0))
        .expect("intermediate");
    let leaf = inter
        .issue_client(&ClientCertSpec {
            spiffe_id: Some("spiffe://bench.example/api".into()),
            cn: Some("api".into()),
            ..Default::default()
        })
        .expect("client certificate");
    let leaf_der = leaf.der.clone();
    let inter_der = pem_der(&inter.intermediates_pem());
    let root_der = pem_der(root.ca_cert_pem());
    let chain = vec![leaf_der.clone(), inter_der.clone()];
    let verifier = MtlsVerifier::new(MtlsConfig {
        trust_anchors: vec![root.ca_cert_pem().to_owned()],
        spiffe_trust_domains: vec!["bench.example".into()],
        ..Default::default()
    })
    .expect("verifier");
    let p = verifier
        .verify_chain(&chain, NOW)
        .expect("portcullis accepts the bench chain");
    assert_eq!(p.subject, "spiffe://bench.example/api");
    // Refusals: a chain under another root, and a leaf with one signature byte flipped.
    let other = DevCa::new("other root", nb, na).expect("other CA");
    let stranger = other
        .issue_client(&ClientCertSpec {
            spiffe_id: Some("spiffe://bench.example/api".into()),
            ..Default::default()
        })
        .expect("client certificate");
    assert!(
        verifier.verify_chain(&[&stranger.der[..]], NOW).is_err(),
        "untrusted chain accepted"
    );
    let mut tampered = leaf_der.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert!(
        verifier
            .verify_chain(&[&tampered[..], &inter_der[..]], NOW)
            .is_err(),
        "tampered leaf accepted"
    );
    // The floor: the anchor parsed once; per call the leaf parse and webpki's path check.
    let root_cert = CertificateDer::from(root_der.as_slice());
    let anchor = webpki::anchor_from_trusted_cert(&root_cert)
        .expect("anchor")
        .to_owned();
    let anchors = [anchor];
    let leaf_cd = CertificateDer::from(leaf_der.as_slice());
    let inters = [CertificateDer::from(inter_der.as_slice())];
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW as u64));
    let floor = || {
        let ee = EndEntityCert::try_from(black_box(&leaf_cd)).expect("leaf");
        assert!(ee
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                black_box(&inters),
                now,
                KeyUsage::client_auth(),
                None,
                None,
            )
            .is_ok());
    };
    floor();
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(verifier.verify_chain(black_box(&chain), NOW).is_ok());
            }),
        ),
        ("floor", Box::new(floor)),
    ];
    res.add(
        "mtls_verify_p256",
        "mTLS client chain verify (P-256, 1 intermediate)",
        measure(&mut cases, plan),
        &[(
            "floor",
            "raw webpki verify_for_usage, parsed anchor (floor)",
        )],
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(case) = arg("--profile-gate") {
        let calls = arg("--calls").map_or(20_000, |n| n.parse().expect("--calls N"));
        if gate::profile_gate(&case, calls).is_none() {
            eprintln!("unknown --profile-gate case {case:?} (see bench/rust/src/gate.rs)");
            std::process::exit(2);
        }
        return;
    }
    if let Some(case) = arg("--profile-oauth") {
        let calls = arg("--calls").map_or(20_000, |n| n.parse().expect("--calls N"));
        if oauth::profile_oauth(&case, calls).is_none() {
            eprintln!("unknown --profile-oauth case {case:?} (see bench/rust/src/oauth.rs)");
            std::process::exit(2);
        }
        return;
    }
    if args.iter().any(|a| a == "--timing") {
        let per_class = arg("--per-class").map_or(200_000, |n| n.parse().expect("--per-class N"));
        std::process::exit(timing_report(per_class, arg("--out").as_deref()));
    }
    let smoke = args.iter().any(|a| a == "--smoke");
    let out = arg("--out").expect("--out is required");
    let only: BTreeSet<String> = arg("--only")
        .unwrap_or_else(|| "webhook,apikey,pcs1,capi,jwt,mtls,gate,oauth".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let plan = Plan {
        smoke,
        batches: if smoke { 3 } else { 15 },
        batch_ns: if smoke { 1e6 } else { 40e6 },
        warmup_ns: if smoke { 1e6 } else { 100e6 },
    };
    println!(
        "rust bench ({}): portcullis {}",
        if smoke { "smoke" } else { "full" },
        portcullis::VERSION
    );
    let mut res = Results::default();
    type Step = fn(&mut Results, &Plan);
    let steps: [(&str, Step); 8] = [
        ("webhook", bench_webhook),
        ("apikey", bench_apikey),
        ("pcs1", bench_pcs1),
        ("capi", capi::bench_capi_twins),
        ("jwt", bench_jwt),
        ("mtls", bench_mtls),
        ("gate", gate::bench_gate),
        ("oauth", oauth::bench_oauth),
    ];
    for (name, step) in steps {
        if only.contains(name) {
            println!("== {name}");
            step(&mut res, &plan);
        }
    }
    let doc = json!({
        "lang": "rust", "smoke": smoke, "runtime": "rustc (release profile of the workspace)",
        "portcullis": portcullis::VERSION, "batches": plan.batches,
        "rows": res.rows, "throughput": [], "skipped": [], "notes": res.notes,
    });
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(&out, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    println!("rust bench: wrote {out}");
}

/// `--timing`: the dudect-style checks (timing.rs), as a Markdown table on stdout and in `out`;
/// the exit status is 1 when a path's |t| (cropped) passes the threshold.
fn timing_report(per_class: usize, out: Option<&str>) -> i32 {
    let outcomes = timing::run(per_class);
    let mut md = String::from(
        "| compare path | measurements per class | mean, class A / B | t (cropped at p90) | t (all) | verdict |\n\
         | --- | ---: | ---: | ---: | ---: | --- |\n",
    );
    let mut found = false;
    for o in &outcomes {
        let leak = o.t_cropped.abs() > timing::T_THRESHOLD;
        found |= leak;
        md.push_str(&format!(
            "| {} | {} | {:.0} / {:.0} ns | {:.2} | {:.2} | {} |\n",
            o.name,
            o.per_class,
            o.means_ns[0],
            o.means_ns[1],
            o.t_cropped,
            o.t_all,
            if leak {
                "DIFFERENCE (|t| > 4.5)"
            } else {
                "none found"
            }
        ));
    }
    print!("{md}");
    if let Some(out) = out {
        std::fs::write(out, &md).expect("write");
    }
    i32::from(found)
}
