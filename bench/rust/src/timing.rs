//! dudect-style timing checks of the paths that compare a secret (`--timing`, `make timing`):
//! two classes of refused requests that differ only in where the secret comparison fails (or,
//! for Basic, whether the user exists), measured interleaved in random order, then Welch's
//! t-test on the two samples. dudect reads |t| above 4.5 as evidence of a timing difference;
//! below it, this many measurements found none (which is not a proof of constant time).
//!
//! The classes, each refused the same way (`signature_mismatch`, `jwt_signature_invalid`,
//! `basic_invalid`):
//! - webhook (Standard Webhooks, GitHub) and JWT HS256: the signature wrong in its first byte
//!   against wrong in its last byte (decoded, changed, encoded again);
//! - PCS1 (HMAC-SHA256) and RFC 9421 (`hmac-sha256`) request signatures: the same;
//! - API keys checked against a fetched record (`verify_record`): the record's digest differs
//!   from the key's in its first byte against in its last byte (`api_key_unknown`). A ring finds
//!   a key by a map lookup of its peppered HMAC digest, whose bytes a caller cannot choose
//!   without the pepper; the record path is where two digests are compared;
//! - Basic: a wrong password for a user that exists against any password for one that does not
//!   (the dummy hash), both argon2id with the default parameters.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::basic::{self, Argon2Params, BasicAuth, BasicConfig};
use portcullis::hmac::{self, HmacConfig, HmacVerifier, SignOptions, SignatureParams};
use portcullis::httpsig::{
    HttpSigConfig, HttpSigKeyring, HttpSigSigner, HttpSigVerifier, SignatureSpec,
};
use portcullis::jwt::{self, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use portcullis::Request;
use serde_json::json;

use crate::NOW;

/// dudect's threshold for "a difference was found".
pub(crate) const T_THRESHOLD: f64 = 4.5;

/// One compare path: its name, how many measurements per class, and a call per class.
struct Path {
    name: &'static str,
    per_class: usize,
    classes: [Box<dyn Fn() -> bool>; 2],
}

/// What one path measured.
pub(crate) struct Outcome {
    pub(crate) name: &'static str,
    pub(crate) per_class: usize,
    pub(crate) means_ns: [f64; 2],
    /// Welch's t over the samples below the 90th percentile of both (dudect's cropping of the
    /// interrupted tail), and over all of them.
    pub(crate) t_cropped: f64,
    pub(crate) t_all: f64,
}

/// xorshift64*: the class order, random but repeatable.
struct Order(u64);

impl Order {
    fn next_bit(&mut self) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 63) as usize
    }
}

fn welch(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let ((na, ma, va), (nb, mb, vb)) = (stats(a), stats(b));
    (ma - mb) / (va / na + vb / nb).sqrt()
}

fn measure(path: &Path, seed: u64) -> Outcome {
    let mut order = Order(seed | 1);
    let mut samples: [Vec<f64>; 2] = [
        Vec::with_capacity(path.per_class),
        Vec::with_capacity(path.per_class),
    ];
    // Warm both classes up, then measure until each has its count (bounded: 2x the total).
    for class in &path.classes {
        for _ in 0..path.per_class.min(1_000) {
            black_box(class());
        }
    }
    for _ in 0..path.per_class * 4 {
        let c = order.next_bit();
        if samples[c].len() == path.per_class {
            if samples[1 - c].len() == path.per_class {
                break;
            }
            continue;
        }
        let t0 = Instant::now();
        let refused = black_box((path.classes[c])());
        let ns = t0.elapsed().as_nanos() as f64;
        assert!(refused, "{}: class {c} was accepted", path.name);
        samples[c].push(ns);
    }
    let mut all: Vec<f64> = samples.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let p90 = all[all.len() * 9 / 10];
    let cropped: Vec<Vec<f64>> = samples
        .iter()
        .map(|s| s.iter().copied().filter(|&v| v <= p90).collect())
        .collect();
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    Outcome {
        name: path.name,
        per_class: path.per_class,
        means_ns: [mean(&samples[0]), mean(&samples[1])],
        t_cropped: welch(&cropped[0], &cropped[1]),
        t_all: welch(&samples[0], &samples[1]),
    }
}

/// `bytes` with its first (`first`) or last byte changed.
fn changed(mut bytes: Vec<u8>, first: bool) -> Vec<u8> {
    let i = if first { 0 } else { bytes.len() - 1 };
    bytes[i] ^= 0x01;
    bytes
}

fn webhook_paths(per_class: usize) -> Vec<Path> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let body = br#"{"type":"invoice.paid","id":"evt_1"}"#.to_vec();
    let mut paths = Vec::new();
    for (name, scheme, secret) in [
        (
            "webhook Standard Webhooks",
            WebhookScheme::Standard,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (
            "webhook GitHub",
            WebhookScheme::Github,
            "0123456789abcdef0123456789abcdef-long-secret",
        ),
    ] {
        let headers = WebhookSigner::new(scheme, secret)
            .expect("signer")
            .sign(Some("msg_1"), NOW, &body)
            .expect("sign");
        let class = |first: bool| {
            let mut headers = headers.clone();
            for (n, v) in headers.iter_mut() {
                let n = n.to_ascii_lowercase();
                if n == "webhook-signature" {
                    let sig = b64.decode(v.trim_start_matches("v1,")).expect("base64");
                    *v = format!("v1,{}", b64.encode(changed(sig, first)));
                } else if n == "x-hub-signature-256" {
                    let hex = v.trim_start_matches("sha256=").as_bytes().to_vec();
                    // A different hex digit at the first or the last place.
                    let mut hex = hex;
                    let i = if first { 0 } else { hex.len() - 1 };
                    hex[i] = if hex[i] == b'0' { b'1' } else { b'0' };
                    *v = format!("sha256={}", String::from_utf8(hex).expect("hex"));
                }
            }
            let verifier = WebhookVerifier::new(WebhookConfig {
                scheme,
                secrets: vec![secret.to_string()],
                ..WebhookConfig::default()
            })
            .expect("verifier");
            let body = body.clone();
            Box::new(move || {
                let pairs: Vec<(&str, &[u8])> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_bytes()))
                    .collect();
                verifier
                    .verify_payload(&body, &pairs, Some(NOW + 1))
                    .is_err()
            }) as Box<dyn Fn() -> bool>
        };
        paths.push(Path {
            name,
            per_class,
            classes: [class(true), class(false)],
        });
    }
    paths
}

fn jwt_path(per_class: usize) -> Path {
    let secret = b"timing-jwt-secret-0123456789abcdef";
    let key = JwtKey::from_secret(jwt::Algorithm::Hs256, secret).expect("key");
    let claims = json!({"sub": "user-1", "aud": "api", "exp": NOW + 600, "iat": NOW});
    let token = jwt::encode(
        claims.as_object().expect("object"),
        &HeaderOptions::default(),
        &key,
    )
    .expect("encode");
    let set = JwtKeySet::new();
    set.insert(key).expect("insert");
    let verifier = std::sync::Arc::new(
        JwtVerifier::new(
            JwtConfig {
                audiences: vec!["api".into()],
                ..Default::default()
            },
            std::sync::Arc::new(set),
        )
        .expect("verifier"),
    );
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signing_input, signature) = token.rsplit_once('.').expect("compact");
    let class = |first: bool| {
        let sig = changed(b64.decode(signature).expect("base64url"), first);
        let token = format!("{signing_input}.{}", b64.encode(sig));
        let verifier = std::sync::Arc::clone(&verifier);
        Box::new(move || verifier.verify_token(&token, NOW, &[] as &[&str]).is_err())
            as Box<dyn Fn() -> bool>
    };
    Path {
        name: "JWT HS256 signature",
        per_class,
        classes: [class(true), class(false)],
    }
}

/// A signed POST with a body, as the request signature paths sign it.
fn signable_request() -> Request {
    let mut request = Request::new("POST", "/v1/orders?id=7")
        .expect("request")
        .header("Host", "api.example")
        .expect("host")
        .header("Content-Type", "application/json")
        .expect("content type")
        .at(NOW);
    request.set_scheme("https").expect("scheme");
    request
}

fn pcs1_path(per_class: usize) -> Path {
    let secret = [0x42u8; 32];
    let request = signable_request();
    let key = hmac::SigningKey::new("svc-a", hmac::Algorithm::HmacSha256, &secret).expect("key");
    let options = SignOptions {
        headers: vec!["host".into(), "content-type".into()],
        nonce: Some("bm9uY2Utbm9uY2Utbm9uY2U".into()),
        ..SignOptions::default()
    };
    let signed = hmac::sign_request(&request, &key, &options).expect("sign");
    let verifier = std::sync::Arc::new(HmacVerifier::new(HmacConfig::default()).expect("verifier"));
    verifier.insert_key(
        hmac::VerifyingKey::new("svc-a", hmac::Algorithm::HmacSha256, &secret).expect("key"),
    );
    let class = |first: bool| {
        let mut params = SignatureParams::parse(signed.authorization.as_bytes()).expect("params");
        params.signature = changed(params.signature, first);
        let mut r = request.clone();
        r.add_header("Authorization", params.header_value().as_bytes())
            .expect("authorization");
        let verifier = std::sync::Arc::clone(&verifier);
        Box::new(move || verifier.verify(&r).is_err()) as Box<dyn Fn() -> bool>
    };
    Path {
        name: "PCS1 HMAC-SHA256 signature",
        per_class,
        classes: [class(true), class(false)],
    }
}

fn httpsig_path(per_class: usize) -> Path {
    let secret = [0x24u8; 32];
    let request = signable_request();
    let signer = HttpSigSigner::hmac("partner-1", &secret).expect("signer");
    let spec = SignatureSpec {
        components: vec![
            "@method".into(),
            "@target-uri".into(),
            "content-type".into(),
        ],
        ..SignatureSpec::default()
    };
    let signed = signer.sign_request(&request, &spec).expect("sign");
    let keys = HttpSigKeyring::new();
    keys.add_hmac_secret("partner-1", &secret).expect("secret");
    let verifier = std::sync::Arc::new(
        HttpSigVerifier::new(HttpSigConfig::default(), keys).expect("verifier"),
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let class = |first: bool| {
        let (label, value) = signed.signature.split_once('=').expect("label");
        let raw = b64.decode(value.trim_matches(':')).expect("base64");
        let mut r = request.clone();
        r.add_header("Signature-Input", signed.signature_input.as_bytes())
            .expect("signature input");
        r.add_header(
            "Signature",
            format!("{label}=:{}:", b64.encode(changed(raw, first))).as_bytes(),
        )
        .expect("signature");
        let verifier = std::sync::Arc::clone(&verifier);
        Box::new(move || verifier.verify_request(&r).is_err()) as Box<dyn Fn() -> bool>
    };
    Path {
        name: "RFC 9421 hmac-sha256 signature",
        per_class,
        classes: [class(true), class(false)],
    }
}

fn apikey_record_path(per_class: usize) -> Path {
    let ring = std::sync::Arc::new(
        ApiKeyRing::new(
            b"timing-pepper-0123456789abcdef-0123",
            ApiKeyConfig::default(),
        )
        .expect("ring"),
    );
    let issued = ring
        .generate(&ApiKeyOptions {
            subject: Some("svc-a".into()),
            now: Some(NOW),
            ..Default::default()
        })
        .expect("generate");
    let request = Request::new("GET", "/")
        .expect("request")
        .header("Authorization", format!("Bearer {}", issued.key.expose()))
        .expect("header")
        .at(NOW + 1);
    let class = |first: bool| {
        let mut record = issued.record.clone();
        record.digest = changed(record.digest.to_vec(), first)
            .try_into()
            .expect("32 bytes");
        let (ring, request) = (std::sync::Arc::clone(&ring), request.clone());
        Box::new(move || {
            ring.verify_record(&request, &record, &[] as &[&str])
                .is_err()
        }) as Box<dyn Fn() -> bool>
    };
    Path {
        name: "API key record digest",
        per_class,
        classes: [class(true), class(false)],
    }
}

fn basic_path(per_class: usize) -> Path {
    let hash =
        basic::hash_password(b"correct horse battery", Argon2Params::default()).expect("hash");
    let mut config = BasicConfig::default();
    config.users.insert("alice".into(), hash);
    let auth = std::sync::Arc::new(BasicAuth::new(config).expect("basic"));
    let b64 = base64::engine::general_purpose::STANDARD;
    let class = |credentials: &str| {
        let request = Request::new("GET", "/")
            .expect("request")
            .header(
                "Authorization",
                format!("Basic {}", b64.encode(credentials)),
            )
            .expect("header");
        let auth = std::sync::Arc::clone(&auth);
        Box::new(move || auth.verify(&request).is_err()) as Box<dyn Fn() -> bool>
    };
    Path {
        name: "Basic: known user, wrong password / unknown user",
        per_class,
        classes: [
            class("alice:wrong horse battery"),
            class("mallory:wrong horse battery"),
        ],
    }
}

/// Runs every path; `per_class` measurements per class for the microsecond paths (Basic, at
/// tens of milliseconds a call, takes a hundredth of it, at least 50).
pub(crate) fn run(per_class: usize) -> Vec<Outcome> {
    let mut paths = webhook_paths(per_class);
    paths.push(jwt_path(per_class));
    paths.push(pcs1_path(per_class));
    paths.push(httpsig_path(per_class));
    paths.push(apikey_record_path(per_class));
    paths.push(basic_path((per_class / 100).max(50)));
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| measure(p, 0x9e37_79b9_7f4a_7c15 ^ i as u64))
        .collect()
}
