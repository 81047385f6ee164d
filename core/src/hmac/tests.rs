use std::sync::Arc;

use super::*;
use crate::store::ReplayStore;

const NOW: i64 = 1_750_000_000;
const SECRET: [u8; 32] = [0x42; 32];
const NONCE: &str = "bm9uY2Utbm9uY2Utbm9uY2U";

fn request(body: Option<&[u8]>) -> Request {
    let mut r = Request::new("post", "/v1/orders?z=1&a=b+c")
        .unwrap()
        .header("Host", "api.example")
        .unwrap()
        .header("Content-Type", "application/json")
        .unwrap()
        .at(NOW);
    if let Some(b) = body {
        r.set_body(b.to_vec()).unwrap();
    }
    r
}

fn options() -> SignOptions {
    SignOptions {
        headers: vec!["Host".into(), "content-type".into()],
        nonce: Some(NONCE.into()),
        ..SignOptions::default()
    }
}

fn signed(body: Option<&[u8]>, key: &SigningKey) -> Request {
    let mut r = request(body);
    sign_request(&r, key, &options())
        .unwrap()
        .apply(&mut r)
        .unwrap();
    r
}

fn key() -> SigningKey {
    SigningKey::new("svc-a", Algorithm::HmacSha256, &SECRET).unwrap()
}

fn verifier() -> HmacVerifier {
    let v = HmacVerifier::new(HmacConfig::default()).unwrap();
    v.insert_key(
        VerifyingKey::new("svc-a", Algorithm::HmacSha256, &SECRET)
            .unwrap()
            .with_subject("billing"),
    );
    v
}

#[test]
fn canonical_form_is_exact() {
    let r = request(None).header("X-Multi", "a").unwrap();
    let r = r.header("x-multi", " b ").unwrap();
    let params = SignatureParams {
        algorithm: Algorithm::HmacSha256,
        key_id: "svc-a".into(),
        timestamp: NOW,
        nonce: NONCE.into(),
        headers: vec!["host".into(), "x-multi".into()],
        signature: Vec::new(),
    };
    let c = canonical_request(&r, &params).unwrap();
    assert_eq!(
        String::from_utf8(c).unwrap(),
        format!(
            "PCS1-HMAC-SHA256\nsvc-a\n{NOW}\n{NONCE}\nPOST\n/v1/orders\na=b%20c&z=1\nhost;x-multi\n\
             host:api.example\nx-multi:a,b"
        )
    );
}

#[test]
fn sign_then_verify() {
    let body = b"{\"sku\": 1}";
    let r = signed(Some(body), &key());
    assert_eq!(r.header_values("content-digest").count(), 1);
    let p = verifier().verify(&r).unwrap();
    assert_eq!(p.subject, "billing");
    assert_eq!(p.credential_id.as_deref(), Some("svc-a"));
    assert_eq!(p.method, crate::AuthMethod::Hmac);
    assert_eq!(p.claims["nonce"], NONCE);
    assert_eq!(p.claims["timestamp"], NOW);
    assert_eq!(p.claims["algorithm"], "hmac-sha256");
    assert_eq!(
        p.claims["signed_headers"],
        serde_json::json!(["host", "content-type", "content-digest"])
    );
}

#[test]
fn replay_and_store_failure() {
    let v = verifier();
    let r = signed(None, &key());
    v.verify(&r).unwrap();
    let d = v.verify(&r).unwrap_err();
    assert_eq!(d.code(), ErrorCode::SignatureReplayed);
    assert_eq!(
        d.challenge().unwrap().header_value(),
        "PCS1-HMAC-SHA256 realm=\"api\", headers=\"host\", error=\"invalid_signature\", \
         error_description=\"The request was already received.\""
    );

    #[derive(Debug)]
    struct Down;
    impl ReplayStore for Down {
        fn remember(&self, _: &str, _: &[u8], _: i64, _: i64) -> Result<bool, Error> {
            Err(Error::new(ErrorCode::Internal, "down"))
        }
    }
    let v = HmacVerifier::with_store(HmacConfig::default(), Arc::new(Down)).unwrap();
    v.insert_key(VerifyingKey::new("svc-a", Algorithm::HmacSha256, &SECRET).unwrap());
    assert_eq!(
        v.verify(&r).unwrap_err().code(),
        ErrorCode::StoreUnavailable
    );
}

#[test]
fn refusals() {
    let v = verifier();
    let code = |r: &Request| v.verify(r).unwrap_err().code();
    let d = v.verify(&request(None)).unwrap_err();
    assert_eq!(d.code(), ErrorCode::SignatureMissing);
    assert_eq!(
        d.challenge().unwrap().header_value(),
        "PCS1-HMAC-SHA256 realm=\"api\", headers=\"host\""
    );
    // Tampered body: the digest catches it.
    let mut r = request(Some(b"{\"sku\":2}"));
    let good = signed(Some(b"{\"sku\": 1}"), &key());
    for (n, val) in good.headers() {
        if n == "content-digest" || n == "authorization" {
            r.add_header(n, val).unwrap();
        }
    }
    assert_eq!(code(&r), ErrorCode::SignatureDigestMismatch);
    // Other key, wrong secret.
    let other = SigningKey::new("svc-a", Algorithm::HmacSha256, &[1; 32]).unwrap();
    assert_eq!(code(&signed(None, &other)), ErrorCode::SignatureMismatch);
    let unknown = SigningKey::new("svc-b", Algorithm::HmacSha256, &SECRET).unwrap();
    assert_eq!(
        code(&signed(None, &unknown)),
        ErrorCode::SignatureKeyUnknown
    );
    let sha512 = SigningKey::new("svc-a", Algorithm::HmacSha512, &SECRET).unwrap();
    assert_eq!(
        code(&signed(None, &sha512)),
        ErrorCode::SignatureAlgorithmUnsupported
    );
    // Clock window.
    for (at, want) in [
        (NOW + 301, ErrorCode::SignatureExpired),
        (NOW - 301, ErrorCode::SignatureNotYetValid),
    ] {
        let r = signed(None, &key()).at(at);
        assert_eq!(code(&r), want);
    }
    let r = signed(None, &key()).at(NOW + 300);
    assert!(v.verify(&r).is_ok());
    // Declared but absent body.
    let r = signed(None, &key()).header("Content-Length", "5").unwrap();
    assert_eq!(code(&r), ErrorCode::SignatureBodyMissing);
}

#[test]
fn rotation_accepts_any_active_secret() {
    let v = HmacVerifier::new(HmacConfig::default()).unwrap();
    v.insert_key(
        VerifyingKey::new("svc-a", Algorithm::HmacSha256, &[9; 32])
            .unwrap()
            .with_secret(&SECRET)
            .unwrap(),
    );
    assert!(v.verify(&signed(None, &key())).is_ok());
    assert!(v.remove_key("svc-a"));
    assert!(v.is_empty());
}

#[test]
fn short_secrets_and_bad_config() {
    let e = SigningKey::new("k", Algorithm::HmacSha256, &[1; 31]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
    let e = VerifyingKey::new("k", Algorithm::HmacSha256, &[1; 31]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
    let json = |j: &str| HmacVerifier::from_json(j).map(|_| ()).unwrap_err().code();
    let k = "\"key_id\":\"k\",\"algorithm\":\"hmac-sha256\"";
    assert_eq!(
        json(&format!(
            "{{\"keys\":[{{{k},\"secrets_b64\":[\"AAAA\"]}}]}}"
        )),
        ErrorCode::SignatureSecretInvalid
    );
    assert_eq!(
        json(&format!("{{\"keys\":[{{{k},\"secrets_b64\":[]}}]}}")),
        ErrorCode::SignatureSecretInvalid
    );
    assert_eq!(json("{\"window_seconds\":0}"), ErrorCode::ConfigInvalid);
    assert_eq!(json("{\"window_seconds\":3601}"), ErrorCode::ConfigInvalid);
    assert_eq!(
        json("{\"required_headers\":[\"authorization\"]}"),
        ErrorCode::ConfigInvalid
    );
    assert_eq!(
        json("{\"realm\":\"a\",\"extra\":1}"),
        ErrorCode::JsonInvalid
    );
    let s = "A".repeat(43) + "=";
    let dup = format!("{{{k},\"secrets_b64\":[\"{s}\"]}}");
    assert_eq!(
        json(&format!("{{\"keys\":[{dup},{dup}]}}")),
        ErrorCode::ConfigInvalid
    );
    assert_eq!(
        HmacVerifier::from_json(&format!("{{\"keys\":[{dup}]}}"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn secrets_never_printed() {
    let s = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";
    let config =
        HmacConfig::from_json(&format!(
            "{{\"keys\":[{{\"key_id\":\"k\",\"algorithm\":\"hmac-sha512\",\"secrets_b64\":[\"{s}\"]}}]}}"
        ))
        .unwrap();
    assert!(!format!("{config:?}").contains(s));
    let v = HmacVerifier::new(config).unwrap();
    assert!(!format!("{v:?}").contains("ABCDEF"));
    let k = SigningKey::from_base64("k", Algorithm::HmacSha512, s).unwrap();
    assert!(!format!("{k:?}").contains("ABCDEF"));
}

#[test]
fn signer_argument_checks() {
    let r = request(None);
    let bad = |o: SignOptions| sign_request(&r, &key(), &o).unwrap_err().code();
    let with = |headers: &[&str]| SignOptions {
        headers: headers.iter().map(|s| s.to_string()).collect(),
        ..options()
    };
    assert_eq!(bad(with(&["host", "HOST"])), ErrorCode::InvalidArgument);
    assert_eq!(bad(with(&["authorization"])), ErrorCode::InvalidArgument);
    assert_eq!(
        bad(with(&["x-absent"])),
        ErrorCode::SignatureComponentMissing
    );
    let nonce = SignOptions {
        nonce: Some("short".into()),
        ..options()
    };
    assert_eq!(bad(nonce), ErrorCode::InvalidArgument);
    let random = SignOptions::default();
    let a = sign_request(&r, &key(), &random).unwrap();
    let b = sign_request(&r, &key(), &random).unwrap();
    assert_ne!(a.authorization, b.authorization, "fresh nonces");
    let mut r2 = request(None);
    a.apply(&mut r2).unwrap();
    assert_eq!(
        a.apply(&mut r2).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn mac_primitive_rfc_4231_case_2() {
    let tag = mac(
        Algorithm::HmacSha256,
        b"Jefe",
        b"what do ya want for nothing?",
    )
    .unwrap();
    assert_eq!(
        crate::encoding::hex_encode(&tag),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert!(verify_mac(
        Algorithm::HmacSha256,
        b"Jefe",
        b"what do ya want for nothing?",
        &tag
    ));
    assert!(!verify_mac(
        Algorithm::HmacSha256,
        b"Jefe",
        b"what do ya want for nothing?",
        &tag[..16]
    ));
}
