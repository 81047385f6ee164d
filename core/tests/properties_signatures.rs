//! Property tests for signed requests: for generated methods, targets, headers and bodies, a
//! PCS1 request and an RFC 9421 request (every algorithm) verify as signed, and a change of one
//! bit in what the signature covers (the body, the target, the signature's own header) is
//! refused. (`PROPTEST_CASES` raises the number of cases; the default keeps `make test` quick.)

use std::sync::OnceLock;

#[path = "support/properties.rs"]
mod support;

use proptest::prelude::*;

use portcullis::digest;
use portcullis::hmac::{self, HmacConfig, HmacVerifier, SignOptions};
use portcullis::httpsig::{
    HttpSigAlgorithm, HttpSigConfig, HttpSigKey, HttpSigKeyring, HttpSigSigner, HttpSigVerifier,
    SignatureSpec,
};
use portcullis::keys::SigningKey;
use portcullis::Request;
use support::{config, flip};

const NOW: i64 = 1_767_225_600;
const SECRET: [u8; 48] = [0x5a; 48];

/// A generated request: method, path and query, a header of the caller's, a body.
#[derive(Clone, Debug)]
struct Shape {
    method: &'static str,
    target: String,
    header: String,
    body: Vec<u8>,
}

fn shape_strategy() -> impl Strategy<Value = Shape> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE"]),
        "(/[a-zA-Z0-9_~-][a-zA-Z0-9._~-]{0,11}){1,4}",
        proptest::option::of(
            "[a-z]{1,6}=[a-zA-Z0-9._~-]{0,10}(&[a-z]{1,6}=[a-zA-Z0-9._~-]{0,10}){0,2}",
        ),
        "[ -~]{0,40}",
        proptest::collection::vec(any::<u8>(), 0..256),
    )
        .prop_map(|(method, path, query, header, body)| Shape {
            method,
            target: match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            },
            // A field value has no leading or trailing whitespace.
            header: header.trim().to_owned(),
            body,
        })
}

/// The request as `shape` says, at `target` (so a test can change the target alone).
fn build(shape: &Shape, target: &str, body: &[u8]) -> Option<Request> {
    let mut r = Request::new(shape.method, target)
        .ok()?
        .header("Host", "api.example")
        .ok()?
        .header("X-Caller-Note", shape.header.as_bytes())
        .ok()?
        .at(NOW);
    r.set_scheme("https").ok()?;
    if !shape.body.is_empty() {
        r.set_body(body.to_vec()).ok()?;
    }
    Some(r)
}

// ------------------------------------------------------------------------------------- PCS1

fn pcs1_verifier() -> HmacVerifier {
    let v = HmacVerifier::new(HmacConfig::default()).expect("verifier");
    for alg in hmac::Algorithm::ALL {
        v.insert_key(hmac::VerifyingKey::new(alg.name(), *alg, &SECRET).expect("key"));
    }
    v
}

/// `shape` signed with PCS1 under `alg`: the request and the headers the signer added.
fn pcs1_signed(
    shape: &Shape,
    alg: hmac::Algorithm,
    nonce: &str,
) -> (Request, Vec<(String, String)>) {
    let request = build(shape, &shape.target, &shape.body).expect("request");
    let key = hmac::SigningKey::new(alg.name(), alg, &SECRET).expect("signing key");
    let options = SignOptions {
        headers: vec!["host".into(), "x-caller-note".into()],
        nonce: Some(nonce.into()),
        ..SignOptions::default()
    };
    let signed = hmac::sign_request(&request, &key, &options).expect("sign");
    (request, owned(signed.pairs()))
}

/// A signer's (name, value) pairs, owned, so a test can change one.
fn owned<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn with_headers(mut request: Request, pairs: &[(String, String)]) -> Option<Request> {
    for (name, value) in pairs {
        request.add_header(name, value.as_bytes()).ok()?;
    }
    Some(request)
}

// ------------------------------------------------------------------------------- RFC 9421

struct HttpSigKeyed {
    signer: HttpSigSigner,
    verifier: HttpSigVerifier,
}

/// Per algorithm, made once (RSA generation is slow): a signer and a verifier holding its
/// public key (or the same secret) under the keyid `k-<alg>`.
fn httpsig_keys() -> &'static Vec<HttpSigKeyed> {
    static KEYS: OnceLock<Vec<HttpSigKeyed>> = OnceLock::new();
    KEYS.get_or_init(|| {
        HttpSigAlgorithm::ALL
            .iter()
            .map(|&alg| {
                let keyid = format!("k-{}", alg.name());
                let keys = HttpSigKeyring::new();
                let signer = match alg.key_algorithm() {
                    None => {
                        keys.add_hmac_secret(&keyid, &SECRET).expect("secret");
                        HttpSigSigner::hmac(&keyid, &SECRET).expect("hmac signer")
                    }
                    Some(key_alg) => {
                        let private = SigningKey::generate(key_alg).expect("generate");
                        let public = private.verifying_key().expect("public");
                        keys.insert(
                            &keyid,
                            HttpSigKey::from_verifying_key(alg, public).expect("key"),
                        )
                        .expect("insert");
                        HttpSigSigner::from_signing_key(&keyid, alg, private).expect("signer")
                    }
                };
                let verifier =
                    HttpSigVerifier::new(HttpSigConfig::default(), keys).expect("verifier");
                HttpSigKeyed { signer, verifier }
            })
            .collect()
    })
}

/// `shape` signed with RFC 9421: the method, target URI, the caller's header and, with a
/// body, its `Content-Digest`. Returns the request (with `Content-Digest`) and the two headers.
fn httpsig_signed(shape: &Shape, keyed: &HttpSigKeyed) -> (Request, Vec<(String, String)>) {
    let mut request = build(shape, &shape.target, &shape.body).expect("request");
    let mut components = vec![
        "@method".to_owned(),
        "@target-uri".to_owned(),
        "x-caller-note".to_owned(),
    ];
    if !shape.body.is_empty() {
        request
            .add_header(
                "Content-Digest",
                digest::content_digest(&shape.body, digest::Algorithm::Sha256).as_bytes(),
            )
            .expect("digest header");
        components.push("content-digest".into());
    }
    let spec = SignatureSpec {
        components,
        ..SignatureSpec::default()
    };
    let signed = keyed.signer.sign_request(&request, &spec).expect("sign");
    (request, owned(signed.pairs()))
}

/// The same request as `request` (headers and body), at another target.
fn retarget(shape: &Shape, request: &Request, target: &str) -> Option<Request> {
    let mut r = Request::new(shape.method, target).ok()?.at(NOW);
    r.set_scheme("https").ok()?;
    for (name, value) in request.headers() {
        r.add_header(name, value).ok()?;
    }
    if let Some(body) = request.body() {
        r.set_body(body.to_vec()).ok()?;
    }
    Some(r)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pcs1_sign_then_verify_and_one_bit_changed(
        shape in shape_strategy(),
        sha512 in any::<bool>(),
        nonce in "[A-Za-z0-9_-]{22,40}",
        bit in any::<usize>(),
        place in 0usize..4,
    ) {
        let alg = if sha512 { hmac::Algorithm::HmacSha512 } else { hmac::Algorithm::HmacSha256 };
        let (request, pairs) = pcs1_signed(&shape, alg, &nonce);
        let signed = with_headers(request.clone(), &pairs).expect("signed request");
        let principal = pcs1_verifier().verify(&signed);
        prop_assert!(principal.is_ok(), "{:?}", principal.err());

        match place {
            // The Authorization value (or, with a body, the Content-Digest the signer added).
            0 | 1 => {
                let at = if place == 1 && pairs.len() > 1 { 1 } else { 0 };
                let mut changed = pairs.clone();
                let value = flip(changed[at].1.as_bytes(), bit);
                prop_assume!(std::str::from_utf8(&value).is_ok());
                changed[at].1 = String::from_utf8(value).expect("utf-8");
                if let Some(r) = with_headers(request.clone(), &changed) {
                    let outcome = pcs1_verifier().verify(&r);
                    // An auth-scheme's case is not significant (RFC 9110 11.1).
                    prop_assert!(
                        outcome.is_err() || changed[at].1.eq_ignore_ascii_case(&pairs[at].1),
                        "accepted {:?}", changed[at].1
                    );
                }
            }
            // The target.
            2 => {
                let target = flip(shape.target.as_bytes(), bit);
                prop_assume!(std::str::from_utf8(&target).is_ok());
                let target = String::from_utf8(target).expect("utf-8");
                if let Some(r) = retarget(&shape, &signed, &target) {
                    prop_assert!(pcs1_verifier().verify(&r).is_err(), "accepted target {:?}", target);
                }
            }
            // The body.
            _ => {
                prop_assume!(!shape.body.is_empty());
                let body = flip(&shape.body, bit);
                let mut r = signed.clone();
                r.set_body(body).expect("body");
                prop_assert!(pcs1_verifier().verify(&r).is_err());
            }
        }
    }

    #[test]
    fn httpsig_sign_then_verify_for_every_algorithm_and_one_bit_changed(
        shape in shape_strategy(),
        which in 0usize..64,
        bit in any::<usize>(),
        place in 0usize..4,
    ) {
        let keyed = &httpsig_keys()[which % httpsig_keys().len()];
        let (request, pairs) = httpsig_signed(&shape, keyed);
        let signed = with_headers(request.clone(), &pairs).expect("signed request");
        let principal = keyed.verifier.verify_request(&signed);
        prop_assert!(principal.is_ok(), "{:?}", principal.err());

        match place {
            // The signature's bytes (decoded, one bit changed, encoded again).
            0 => {
                use base64::Engine;
                let engine = base64::engine::general_purpose::STANDARD;
                let (label, rest) = pairs[1].1.split_once('=').expect("label");
                let raw = engine.decode(rest.trim_matches(':')).expect("base64");
                let mut changed = pairs.clone();
                changed[1].1 = format!("{label}=:{}:", engine.encode(flip(&raw, bit)));
                let r = with_headers(request.clone(), &changed).expect("request");
                prop_assert!(keyed.verifier.verify_request(&r).is_err());
            }
            // The Signature-Input text: its components, created time, keyid, label.
            1 => {
                let value = flip(pairs[0].1.as_bytes(), bit);
                prop_assume!(std::str::from_utf8(&value).is_ok());
                let mut changed = pairs.clone();
                changed[0].1 = String::from_utf8(value).expect("utf-8");
                if let Some(r) = with_headers(request.clone(), &changed) {
                    prop_assert!(keyed.verifier.verify_request(&r).is_err(), "accepted {:?}", changed[0].1);
                }
            }
            // The target.
            2 => {
                let target = flip(shape.target.as_bytes(), bit);
                prop_assume!(std::str::from_utf8(&target).is_ok());
                let target = String::from_utf8(target).expect("utf-8");
                if let Some(r) = retarget(&shape, &signed, &target) {
                    prop_assert!(keyed.verifier.verify_request(&r).is_err(), "accepted target {:?}", target);
                }
            }
            // The body (its Content-Digest no longer matches).
            _ => {
                prop_assume!(!shape.body.is_empty());
                let mut r = signed.clone();
                r.set_body(flip(&shape.body, bit)).expect("body");
                prop_assert!(keyed.verifier.verify_request(&r).is_err());
            }
        }
    }
}
