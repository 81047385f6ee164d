//! Property tests: for generated claims, bodies and keys, what is signed verifies with the same
//! content, and a change of one bit anywhere in the signed form is refused; keys survive export
//! and import; records survive their JSON form. Every algorithm and every webhook scheme.
//! (`PROPTEST_CASES` raises the number of cases; the default keeps `make test` quick.)

use std::sync::OnceLock;

#[path = "support/properties.rs"]
mod support;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRecord, ApiKeyRing};
use portcullis::jwt::{self, Algorithm, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use portcullis::Request;
use support::{config, flip};

const NOW: i64 = 1_767_225_600;
const NONE: &[&str] = &[];

/// Per algorithm, generated once (RSA generation is slow): the signing key and a verifier
/// holding the same key, imported again from its PKCS#8 PEM (or its secret).
struct Keyed {
    key: JwtKey,
    verifier: JwtVerifier,
}

const SECRET: &[u8] = b"property-hmac-secret-0123456789abcdef-0123456789abcdef-0123456789ab";

fn keys() -> &'static Vec<Keyed> {
    static KEYS: OnceLock<Vec<Keyed>> = OnceLock::new();
    KEYS.get_or_init(|| {
        Algorithm::ALL
            .iter()
            .map(|&alg| {
                let (key, again) = if is_hmac(alg) {
                    let make = || JwtKey::from_secret(alg, SECRET).expect("secret");
                    (make(), make())
                } else {
                    let key = JwtKey::generate(alg).expect("generate");
                    let pem = key.private_pem().expect("pem");
                    let again = JwtKey::from_pem(alg, pem.as_bytes()).expect("from pem");
                    let kid = key.kid().expect("kid").to_owned();
                    (key, again.with_kid(kid))
                };
                Keyed {
                    verifier: verifier_for(again),
                    key,
                }
            })
            .collect()
    })
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
}

fn verifier_for(key: JwtKey) -> JwtVerifier {
    let set = JwtKeySet::new();
    set.insert(key).expect("insert");
    let config = JwtConfig {
        audiences: vec!["api".into()],
        ..Default::default()
    };
    JwtVerifier::new(config, std::sync::Arc::new(set)).expect("verifier")
}

fn claims_strategy() -> impl Strategy<Value = Map<String, Value>> {
    (
        "[a-zA-Z0-9_.@-]{1,40}",
        proptest::collection::vec("[a-z:]{1,12}", 0..4),
        1i64..3_600,
        proptest::option::of("\\PC{0,24}"),
    )
        .prop_map(|(sub, scopes, ttl, note)| {
            let mut c = json!({"sub": sub, "aud": "api", "iat": NOW - 5, "exp": NOW + ttl});
            if !scopes.is_empty() {
                c["scope"] = Value::String(scopes.join(" "));
            }
            if let Some(note) = note {
                c["note"] = Value::String(note);
            }
            c.as_object().expect("object").clone()
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn jwt_sign_then_verify_for_every_algorithm(claims in claims_strategy(), which in 0usize..64) {
        let keyed = &keys()[which % keys().len()];
        let token = jwt::encode(&claims, &HeaderOptions::default(), &keyed.key).expect("encode");
        let principal = keyed.verifier.verify_token(&token, NOW, NONE).expect("verify");
        prop_assert_eq!(Value::Object(principal.claims.clone()), Value::Object(claims.clone()));
        prop_assert_eq!(principal.subject.as_str(), claims["sub"].as_str().expect("sub"));
    }

    #[test]
    fn jwt_one_bit_changed_anywhere_is_refused(claims in claims_strategy(), which in 0usize..64, bit in any::<usize>()) {
        let keyed = &keys()[which % keys().len()];
        let token = jwt::encode(&claims, &HeaderOptions::default(), &keyed.key).expect("encode");
        let changed = flip(&token, bit);
        // A flipped bit may leave ASCII: the token is then not text, refused before any check.
        if let Ok(changed) = std::str::from_utf8(&changed) {
            prop_assert!(keyed.verifier.verify_token(changed, NOW, NONE).is_err(), "accepted {}", changed);
        }
    }

    #[test]
    fn jwk_export_then_import_verifies_the_same_tokens(claims in claims_strategy(), which in 0usize..64) {
        let key = &keys()[which % keys().len()].key;
        prop_assume!(!is_hmac(key.algorithm()));
        let jwk = key.public_jwk().expect("public jwk");
        let public = JwtKey::from_jwk(&jwk, None).expect("import");
        prop_assert_eq!(public.thumbprint().expect("thumbprint"), key.thumbprint().expect("thumbprint"));
        prop_assert!(!public.can_sign());
        let token = jwt::encode(&claims, &HeaderOptions::default(), key).expect("encode");
        prop_assert!(verifier_for(public).verify_token(&token, NOW, NONE).is_ok());
    }

    #[test]
    fn webhook_sign_then_verify_and_one_bit_changed(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        scheme in 0usize..4,
        bit in any::<usize>(),
        in_signature in any::<bool>(),
    ) {
        let (scheme, secret) = [
            (WebhookScheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            (WebhookScheme::Stripe, "0123456789abcdef0123456789abcdef-long-secret"),
            (WebhookScheme::Github, "0123456789abcdef0123456789abcdef-long-secret"),
            (WebhookScheme::Slack, "0123456789abcdef0123456789abcdef-long-secret"),
        ][scheme];
        let headers = WebhookSigner::new(scheme, secret)
            .expect("signer")
            .sign(Some("msg_1"), NOW, &body)
            .expect("sign");
        let verifier = || {
            WebhookVerifier::new(WebhookConfig {
                scheme,
                secrets: vec![secret.to_string()],
                ..WebhookConfig::default()
            })
            .expect("verifier")
        };
        let pairs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        prop_assert!(verifier().verify_payload(&body, &pairs, Some(NOW + 5)).is_ok());

        // One bit of the body, or of the header value that carries the signature, changed.
        let signature_header = headers.iter().position(|(n, _)| {
            let n = n.to_ascii_lowercase();
            n.contains("signature") || n == "x-hub-signature-256"
        });
        if in_signature || body.is_empty() {
            let at = signature_header.expect("a signature header");
            let mut changed = headers.clone();
            let value = flip(&changed[at].1, bit);
            prop_assume!(std::str::from_utf8(&value).is_ok());
            changed[at].1 = String::from_utf8(value).expect("utf-8");
            let pairs: Vec<(&str, &[u8])> = changed.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
            // A flipped bit that only turns a version tag or separator into another accepted
            // spelling cannot make a different signature verify.
            let outcome = verifier().verify_payload(&body, &pairs, Some(NOW + 5));
            prop_assert!(outcome.is_err() || changed[at].1.eq_ignore_ascii_case(&headers[at].1));
        } else {
            let mut changed = body.clone();
            let i = bit % (changed.len() * 8);
            changed[i / 8] ^= 1 << (i % 8);
            prop_assert!(verifier().verify_payload(&changed, &pairs, Some(NOW + 5)).is_err());
        }
    }

    #[test]
    fn api_keys_verify_and_one_bit_changed_is_refused(
        subject in "[a-zA-Z0-9_.-]{1,32}",
        scopes in proptest::collection::vec("[a-z:]{1,12}", 0..3),
        bit in any::<usize>(),
    ) {
        let ring = ApiKeyRing::new(b"property-pepper-0123456789abcdef", ApiKeyConfig::default()).expect("ring");
        let issued = ring
            .generate(&ApiKeyOptions { subject: Some(subject.clone()), scopes: scopes.clone(), now: Some(NOW), ..Default::default() })
            .expect("generate");
        ring.insert(issued.record.clone()).expect("insert");
        // The record survives its JSON form.
        let again = ApiKeyRecord::from_json(&issued.record.to_json()).expect("record from json");
        prop_assert_eq!(&again, &issued.record);
        let request = |key: &str| {
            Request::new("GET", "/").expect("request").header("Authorization", format!("Bearer {key}")).expect("header").at(NOW + 1)
        };
        let p = ring.verify(&request(issued.key.expose()), NONE).expect("verify");
        prop_assert_eq!(&p.subject, &subject);
        let changed = flip(issued.key.expose(), bit);
        if let Ok(changed) = std::str::from_utf8(&changed) {
            // A header value with a control character is refused as a request; any other change
            // is refused by the ring.
            if let Ok(r) = Request::new("GET", "/").expect("request").header("Authorization", format!("Bearer {changed}")) {
                prop_assert!(ring.verify(&r.at(NOW + 1), NONE).is_err(), "accepted {}", changed);
            }
        }
    }
}
