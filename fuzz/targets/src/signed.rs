//! Each signed-request method's verify from raw request parts ([`raw_request`]), with the keys
//! and secrets of the shared vectors, so the vectors' signed requests verify and the fuzzer
//! starts from accepted inputs: webhooks (Standard Webhooks, Stripe, GitHub, Slack), PCS1,
//! RFC 9421 HTTP Message Signatures, and client certificates forwarded by a proxy.

use std::net::IpAddr;
use std::sync::OnceLock;

use portcullis::hmac::{HmacConfig, HmacVerifier, SignatureParams};
use portcullis::httpsig::HttpSigVerifier;
use portcullis::httpsig::{HttpSigAlgorithm, HttpSigConfig, HttpSigKey, HttpSigKeyring};
use portcullis::mtls::{ForwardedFormat, MtlsVerifier};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookVerifier};
use portcullis::{fuzzing, AuthMethod, Denial, ErrorCode, Principal, Request};
use serde_json::Value;

use crate::{check, raw_request, vectors, NOW};

/// The request of `data`, or `None` after checking why it could not be built.
fn request(data: &[u8]) -> Option<(raw_request::RawRequest<'_>, Request)> {
    let raw = raw_request::split(data);
    match raw.build(NOW) {
        Ok(request) => Some((raw, request)),
        Err(e) => {
            check::error(&e, &[]);
            None
        }
    }
}

/// An outcome: a principal of `method`, or a named refusal quoting none of `secrets`.
fn outcome(result: &Result<Principal, Denial>, method: AuthMethod, secrets: &[&[u8]]) {
    match result {
        Ok(p) => assert_eq!(p.method, method, "{p:?}"),
        Err(d) => check::denial(d, secrets),
    }
}

struct Webhooks {
    /// Per scheme: the verifier `verify` uses, the one `verify_payload` uses (replay
    /// protection off, so the two answer the same request alike).
    verifiers: Vec<(WebhookVerifier, WebhookVerifier)>,
    secrets: Vec<String>,
}

fn webhooks() -> &'static Webhooks {
    static HOOKS: OnceLock<Webhooks> = OnceLock::new();
    HOOKS.get_or_init(|| {
        let mut verifiers = Vec::new();
        let mut secrets = Vec::new();
        for scheme in WebhookScheme::ALL {
            let case = vectors::first_case("webhook.json", "verify", |c| {
                c["input"]["config"]["scheme"] == scheme.name() && c["expect"]["ok"].is_object()
            });
            let mut config = WebhookConfig::from_json(&case["input"]["config"].to_string())
                .expect("webhook.json's config reads");
            config.replay_protection = false;
            secrets.extend(config.secrets.iter().cloned());
            let build = || WebhookVerifier::new(config.clone()).expect("the verifier builds");
            verifiers.push((build(), build()));
        }
        Webhooks { verifiers, secrets }
    })
}

/// `webhook_verify`: every scheme's verifier answers the request; a request and its parts
/// (`verify_payload`: the body and header fields, no `Request`) get the same answer.
pub fn webhook_verify(data: &[u8]) {
    let Some((raw, request)) = request(data) else {
        return;
    };
    let hooks = webhooks();
    let secrets: Vec<&[u8]> = hooks.secrets.iter().map(|s| s.as_bytes()).collect();
    let secrets = check::unseen(&secrets, data);
    for (verifier, payload_verifier) in &hooks.verifiers {
        let verified = verifier.verify(&request);
        outcome(&verified, AuthMethod::Hmac, &secrets);
        if let Some(body) = raw.body {
            let from_parts =
                payload_verifier.verify_payload(body, &raw.header_pairs(), Some(request.now()));
            check::same_outcome(&verified, &from_parts, "verify / verify_payload");
        }
    }
}

struct Pcs1 {
    verifier: HmacVerifier,
    secrets: Vec<String>,
}

fn pcs1() -> &'static Pcs1 {
    static PCS1: OnceLock<Pcs1> = OnceLock::new();
    PCS1.get_or_init(|| {
        let case = vectors::first_case("hmac.json", "verify", |c| c["expect"]["ok"].is_object());
        let config = &case["input"]["config"];
        let mut found = Vec::new();
        vectors::walk(&config["keys"], &|v| v.is_string(), &mut found);
        let secrets = found.iter().map(|s| vectors::text(s).to_owned()).collect();
        let config = HmacConfig::from_json(&config.to_string()).expect("hmac.json's config");
        Pcs1 {
            verifier: HmacVerifier::new(config).expect("the PCS1 verifier builds"),
            secrets,
        }
    })
}

/// `pcs1_verify`: the PCS1 verifier answers the request; every `Authorization` value that
/// parses as PCS1 parameters writes back (`header_value`) to a value that parses the same.
pub fn pcs1_verify(data: &[u8]) {
    let Some((raw, request)) = request(data) else {
        return;
    };
    let fixture = pcs1();
    let secrets: Vec<&[u8]> = fixture.secrets.iter().map(|s| s.as_bytes()).collect();
    let secrets = check::unseen(&secrets, data);
    for (name, value) in &raw.headers {
        if !name.eq_ignore_ascii_case("authorization") {
            continue;
        }
        match SignatureParams::parse(value) {
            Ok(params) => {
                let again = SignatureParams::parse(params.header_value().as_bytes());
                assert_eq!(again.as_ref().ok(), Some(&params), "{again:?}");
            }
            Err(e) => check::error(&e, &secrets),
        }
    }
    outcome(
        &fixture.verifier.verify(&request),
        AuthMethod::Hmac,
        &secrets,
    );
}

struct HttpSig {
    /// The vectors' keys under a lenient policy (no component, digest or `created` required)
    /// and under the default policy.
    verifiers: [HttpSigVerifier; 2],
    secrets: Vec<String>,
}

fn httpsig() -> &'static HttpSig {
    static HTTPSIG: OnceLock<HttpSig> = OnceLock::new();
    HTTPSIG.get_or_init(|| {
        let mut secrets = Vec::new();
        let mut entries: Vec<&Value> = Vec::new();
        for case in vectors::cases("httpsig.json") {
            for key in case["input"]["keys"].as_array().into_iter().flatten() {
                // The first key of each keyid: a ring holds one key per keyid.
                if !entries.iter().any(|k| k["keyid"] == key["keyid"]) {
                    entries.push(key);
                }
            }
        }
        let ring = || {
            let ring = HttpSigKeyring::new();
            for k in &entries {
                let key = match k.get("secret_b64") {
                    Some(secret) => HttpSigKey::hmac_secret(&vectors::b64(secret)),
                    None => HttpSigAlgorithm::from_name(vectors::text(&k["alg"])).and_then(|alg| {
                        HttpSigKey::public_pem(alg, vectors::text(&k["pem"]).as_bytes())
                    }),
                };
                // Keys the vectors expect to be refused stay out of the ring.
                if let Ok(key) = key {
                    ring.insert(vectors::text(&k["keyid"]), key)
                        .expect("a key inserted");
                }
            }
            ring
        };
        for k in &entries {
            if let Some(secret) = k.get("secret_b64") {
                secrets.push(vectors::text(secret).to_owned());
            }
        }
        let lenient = HttpSigConfig {
            required_components: Vec::new(),
            require_content_digest: false,
            require_created: false,
            max_age: None,
            leeway: 300,
            ..HttpSigConfig::default()
        };
        let build = |config| HttpSigVerifier::new(config, ring()).expect("the verifier builds");
        HttpSig {
            verifiers: [build(lenient), build(HttpSigConfig::default())],
            secrets,
        }
    })
}

/// `httpsig_verify`: both policies answer the request (`Signature-Input` and `Signature`
/// structured fields, covered components, the signature base, the key's signature), and
/// what the default policy accepts the lenient one accepts too (unless it is a replay there).
pub fn httpsig_verify(data: &[u8]) {
    let Some((_, request)) = request(data) else {
        return;
    };
    let fixture = httpsig();
    let secrets: Vec<&[u8]> = fixture.secrets.iter().map(|s| s.as_bytes()).collect();
    let secrets = check::unseen(&secrets, data);
    let [lenient, strict] = &fixture.verifiers;
    let strict_result = strict.verify_request(&request);
    outcome(&strict_result, AuthMethod::Hmac, &secrets);
    let lenient_result = lenient.verify_request(&request);
    outcome(&lenient_result, AuthMethod::Hmac, &secrets);
    if strict_result.is_ok() {
        // Each verifier keeps its own nonces, and the lenient one accepts (and records) more
        // of them: a nonce it saw on an earlier input is a replay to it alone.
        assert!(
            lenient_result.is_ok()
                || lenient_result
                    .as_ref()
                    .is_err_and(|d| d.code() == ErrorCode::SignatureReplayed),
            "strict accepts, lenient refuses: {lenient_result:?}"
        );
    }
}

/// The mTLS verifiers of mtls.json's first `xfcc` and first `nginx` cases.
fn forwarded_verifiers() -> &'static [(ForwardedFormat, MtlsVerifier)] {
    static VERIFIERS: OnceLock<Vec<(ForwardedFormat, MtlsVerifier)>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        [ForwardedFormat::Xfcc, ForwardedFormat::Nginx]
            .into_iter()
            .map(|format| {
                let name = match format {
                    ForwardedFormat::Xfcc => "xfcc",
                    _ => "nginx",
                };
                let case = vectors::first_case("mtls/mtls.json", "verify", |c| {
                    c["input"]["config"]["forwarded"]["format"] == name
                });
                let config = case["input"]["config"].to_string();
                (
                    format,
                    MtlsVerifier::from_json(&config).expect("mtls.json's config"),
                )
            })
            .collect()
    })
}

/// `mtls_forwarded`: XFCC and nginx forwarded-certificate headers, read directly and by the
/// verifier behind a trusted proxy (the request's address, `127.0.0.1` when it names none):
/// an accepted request has a forwarded certificate its header reader returns.
pub fn mtls_forwarded(data: &[u8]) {
    for format in [ForwardedFormat::Xfcc, ForwardedFormat::Nginx] {
        if let Err(e) = fuzzing::parse_forwarded_certificates(format, data) {
            check::error(&e, &[]);
        }
    }
    let Some((raw, mut request)) = request(data) else {
        return;
    };
    if raw.peer.is_none() {
        request.set_peer_address(IpAddr::from([127, 0, 0, 1]));
    }
    for (format, verifier) in forwarded_verifiers() {
        let result = verifier.verify(&request);
        outcome(&result, AuthMethod::Mtls, &[]);
        if result.is_ok() {
            let forwarded = raw.headers.iter().any(|(_, value)| {
                fuzzing::parse_forwarded_certificates(*format, value)
                    .is_ok_and(|chain| !chain.is_empty())
            });
            assert!(forwarded, "accepted without a forwarded certificate");
        }
    }
}
