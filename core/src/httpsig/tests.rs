//! Unit tests of the httpsig module (the shared vectors are in tests/vectors/httpsig.json).

use std::collections::HashMap;

use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};
use base64::Engine;

use super::*;
use crate::error::ErrorCode;
use crate::keys::SigningKey;
use crate::request::Request;

const NOW: i64 = 1_750_000_000;
const ED_PRIV: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";

/// RFC 9421 B.1.2: a PKCS#8 private key labelled id-RSASSA-PSS, from the shared vectors.
fn pss_private_pem() -> String {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/vectors/httpsig.json")).unwrap();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "rfc-sig-b21-verify-private-pem")
        .unwrap();
    case["input"]["keys"][0]["pem"].as_str().unwrap().to_owned()
}

fn request() -> Request {
    let mut r = Request::new("POST", "/orders?id=7")
        .unwrap()
        .header("Host", "api.example.com")
        .unwrap()
        .header("Content-Type", "application/json")
        .unwrap()
        .at(NOW);
    r.set_scheme("https").unwrap();
    r
}

fn spec() -> SignatureSpec {
    SignatureSpec {
        nonce: Some("n1".into()),
        ..SignatureSpec::default()
    }
}

fn round_trip(signer: &HttpSigSigner, key: HttpSigKey) {
    let mut r = request();
    let signed = signer.sign_request(&r, &spec()).unwrap();
    signed.apply_to_request(&mut r).unwrap();
    let keys = HttpSigKeyring::new();
    keys.insert(signer.keyid(), key).unwrap();
    let v = HttpSigVerifier::new(HttpSigConfig::default(), keys).unwrap();
    let p = v.verify_request(&r).unwrap();
    assert_eq!(p.subject, signer.keyid());
    assert_eq!(p.claims["alg"], signer.algorithm().name());
    assert_eq!(
        v.verify_request(&r).unwrap_err().code(),
        ErrorCode::SignatureReplayed
    );
}

#[test]
fn every_algorithm_round_trips() {
    let hmac = HttpSigSigner::hmac("h", &[9; 32]).unwrap();
    round_trip(&hmac, HttpSigKey::hmac_secret(&[9; 32]).unwrap());

    let ed = SigningKey::from_pem(crate::keys::KeyAlgorithm::Ed25519, ED_PRIV.as_bytes()).unwrap();
    let public = ed.verifying_key().unwrap();
    let signer = HttpSigSigner::from_signing_key("e", HttpSigAlgorithm::Ed25519, ed).unwrap();
    round_trip(
        &signer,
        HttpSigKey::from_verifying_key(HttpSigAlgorithm::Ed25519, public).unwrap(),
    );

    let p384 = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P384_SHA384_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let key =
        SigningKey::from_der(crate::keys::KeyAlgorithm::EcdsaP384Sha384, p384.as_ref()).unwrap();
    let public = key.verifying_key().unwrap();
    let signer =
        HttpSigSigner::from_signing_key("p384", HttpSigAlgorithm::EcdsaP384Sha384, key).unwrap();
    round_trip(
        &signer,
        HttpSigKey::from_verifying_key(HttpSigAlgorithm::EcdsaP384Sha384, public).unwrap(),
    );

    let pss = pss_private_pem();
    assert!(pss.contains("BEGIN PRIVATE KEY"));
    let signer =
        HttpSigSigner::from_pem("pss", HttpSigAlgorithm::RsaPssSha512, pss.as_bytes()).unwrap();
    round_trip(
        &signer,
        HttpSigKey::public_pem(HttpSigAlgorithm::RsaPssSha512, pss.as_bytes()).unwrap(),
    );
}

#[test]
fn short_hmac_secrets() {
    let e = HttpSigSigner::hmac("h", &[1; 31]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
    assert!(HttpSigKey::hmac_secret(&[1; 16]).is_ok());
    assert!(HttpSigKey::hmac_secret(&[1; 15]).is_err());
}

#[test]
fn key_bound_to_algorithm() {
    let ed = SigningKey::from_pem(crate::keys::KeyAlgorithm::Ed25519, ED_PRIV.as_bytes()).unwrap();
    let e =
        HttpSigSigner::from_signing_key("e", HttpSigAlgorithm::EcdsaP256Sha256, ed).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureAlgorithmUnsupported);
    assert!(HttpSigKey::public_pem(HttpSigAlgorithm::HmacSha256, ED_PRIV.as_bytes()).is_err());
}

#[test]
fn debug_hides_secrets() {
    let s = HttpSigSigner::hmac("h", b"0123456789abcdef0123456789abcdef").unwrap();
    let k = HttpSigKey::hmac_secret(b"0123456789abcdef0123456789abcdef").unwrap();
    for text in [format!("{s:?}"), format!("{k:?}")] {
        assert!(!text.contains("0123456789"), "{text}");
    }
}

#[test]
fn config_json_and_defaults() {
    let c = HttpSigConfig::from_json(r#"{"max_age": 60, "tag": "t"}"#).unwrap();
    assert_eq!(c.max_age, Some(60));
    assert_eq!(c.required_components, vec!["@method", "@target-uri"]);
    assert!(HttpSigConfig::from_json(r#"{"nope": 1}"#).is_err());
    assert!(HttpSigConfig::from_json("[]").is_err());
    let bad = HttpSigConfig {
        max_age: Some(0),
        ..HttpSigConfig::default()
    };
    assert_eq!(
        HttpSigVerifier::new(bad, HttpSigKeyring::new())
            .unwrap_err()
            .code(),
        ErrorCode::ConfigInvalid
    );
}

#[test]
fn response_type_validates() {
    assert!(Response::new(99).is_err());
    assert!(Response::new(1000).is_err());
    let r = Response::new(200).unwrap().header("X-A", "  v  ").unwrap();
    assert_eq!(r.header_values("x-a").next(), Some(&b"v"[..]));
    assert!(Response::new(200).unwrap().header("X A", "v").is_err());
    assert!(Response::new(200).unwrap().header("X-A", "a\r\nb").is_err());
}

#[test]
fn hostile_headers_never_panic() {
    let keys = HttpSigKeyring::new();
    keys.add_hmac_secret("h", &[3; 32]).unwrap();
    let v = HttpSigVerifier::new(HttpSigConfig::default(), keys).unwrap();
    let inputs = [
        "sig1=()",
        "sig1=(\"\")",
        "sig1=(\"@query-param\";name=\"\");keyid=\"h\";created=1750000000",
        "sig1=(\"a\";key=\"\");keyid=\"h\";created=1750000000",
        "sig1=(\"@target-uri\");keyid=\"h\";created=999999999999999",
        "sig1=(\"@method\");created=-999999999999999;expires=999999999999999",
        "a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9",
        "sig1=(\"\u{7f}\")",
        "*=(\"@method\")",
    ];
    let mut seed = 7u32;
    let mut random = Vec::new();
    for _ in 0..200 {
        let s: String = (0..40)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from(b" \"();=:,*@abcdefkqy0129-+/"[(seed >> 16) as usize % 26])
            })
            .collect();
        random.push(format!("sig1={s}"));
    }
    for input in inputs.iter().map(|s| s.to_string()).chain(random) {
        let Ok(r) = request().header("Signature-Input", &input) else {
            continue;
        };
        let r = r.header("Signature", "sig1=:AAAA:, a=:AA==:").unwrap();
        assert!(v.verify_request(&r).is_err(), "{input}");
        let _ = signature_base_for_request(&r, &input, &HashMap::new());
        let _ = signature_base_for_request(&r, input.trim_start_matches("sig1="), &HashMap::new());
    }
}

#[test]
fn sign_emits_headers_in_rfc_form() {
    let signer = HttpSigSigner::hmac("k", &[5; 32]).unwrap();
    let s = signer
        .sign_request(
            &request(),
            &SignatureSpec {
                label: "a".into(),
                components: vec!["@authority".into(), "@query-param;name=\"id\"".into()],
                created: Some(1),
                expires: Some(2),
                nonce: Some("n".into()),
                tag: Some("t".into()),
                include_alg: true,
                ..SignatureSpec::default()
            },
        )
        .unwrap();
    assert_eq!(
        s.signature_input,
        r#"a=("@authority" "@query-param";name="id");created=1;expires=2;keyid="k";alg="hmac-sha256";nonce="n";tag="t""#
    );
    assert!(s.signature.starts_with("a=:") && s.signature.ends_with(':'));
    let base = String::from_utf8(s.signature_base).unwrap();
    assert!(base.starts_with("\"@authority\": api.example.com\n\"@query-param\";name=\"id\": 7\n"));
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&s.signature[3..s.signature.len() - 1])
        .unwrap();
    assert_eq!(sig.len(), 32);
    for bad in ["nonce\u{e9}", "a\"b\u{1}"] {
        let spec = SignatureSpec {
            nonce: Some(bad.into()),
            ..SignatureSpec::default()
        };
        assert_eq!(
            signer.sign_request(&request(), &spec).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}

#[test]
fn authority_is_normalized() {
    let mut r = Request::new("GET", "/")
        .unwrap()
        .header("Host", "API.Example.com:443")
        .unwrap();
    r.set_scheme("https").unwrap();
    let b =
        signature_base_for_request(&r, r#"("@authority" "@target-uri")"#, &HashMap::new()).unwrap();
    assert!(String::from_utf8(b).unwrap().starts_with(
        "\"@authority\": api.example.com\n\"@target-uri\": https://api.example.com/\n"
    ));
    let abs = Request::new("GET", "http://Example.org:8080/p?q").unwrap();
    let b = signature_base_for_request(
        &abs,
        r#"("@authority" "@scheme" "@path" "@query")"#,
        &HashMap::new(),
    )
    .unwrap();
    assert!(String::from_utf8(b).unwrap().starts_with(
        "\"@authority\": example.org:8080\n\"@scheme\": http\n\"@path\": /p\n\"@query\": ?q\n"
    ));
}
