//! Key import rules: `use` / `key_ops`, repeated `kid`s, mixed key types, HMAC secret lengths.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::*;
use crate::jwt::{encode, HeaderOptions, JwtConfig, JwtVerifier};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn ed25519_jwk(kid: &str) -> (JwtKey, Map<String, Value>) {
    let key = JwtKey::generate(Algorithm::EdDsa).unwrap().with_kid(kid);
    let jwk = key.public_jwk().unwrap();
    (key, jwk)
}

fn signed(key: &JwtKey) -> String {
    encode(
        &obj(json!({"sub": "u", "exp": 2000})),
        &HeaderOptions::default(),
        key,
    )
    .unwrap()
}

fn verify(set: &JwtKeySet, token: &str) -> Result<crate::Principal, ErrorCode> {
    JwtVerifier::new(JwtConfig::default(), Arc::new(set.clone()))
        .map_err(|e| e.code())?
        .verify_token(token, 1000, &[] as &[&str])
        .map_err(|d| d.code())
}

#[test]
fn a_jwk_whose_use_or_key_ops_exclude_verify_never_verifies() {
    let (_, mut jwk) = ed25519_jwk("k");
    jwk.remove("use");
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!([])),
        ("key_ops", json!(["sign"])),
    ] {
        let mut bad = jwk.clone();
        bad.insert(member.into(), value.clone());
        let e = JwtKey::from_jwk(&bad, None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{member}: {value}");
        let e = JwtKey::from_jwk_json(&Value::Object(bad).to_string(), None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    }
    let mut ok = jwk.clone();
    ok.insert("key_ops".into(), json!(["verify"]));
    assert!(JwtKey::from_jwk(&ok, None).unwrap().can_verify());
    // Contradictory members are refused, whatever they would allow.
    for (u, ops) in [("sig", json!(["encrypt"])), ("enc", json!(["verify"]))] {
        let mut bad = jwk.clone();
        bad.insert("use".into(), json!(u));
        bad.insert("key_ops".into(), ops);
        assert!(JwtKey::from_jwk(&bad, None).is_err());
    }
    // A secret marked for encryption is no HMAC key either.
    let oct = obj(json!({"kty": "oct", "alg": "HS256", "use": "enc",
        "k": crate::keys::jwk::b64url(&[7u8; 32])}));
    assert_eq!(
        JwtKey::from_jwk(&oct, None).unwrap_err().code(),
        ErrorCode::JwtKeyInvalid
    );
}

#[test]
fn key_ops_bind_signing_and_verifying_of_private_keys() {
    let signer = JwtKey::generate(Algorithm::EdDsa).unwrap();
    let mut private = obj(json!({
        "kty": "OKP", "crv": "Ed25519", "kid": "p",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}));
    private.insert("key_ops".into(), json!(["sign"]));
    let sign_only = JwtKey::from_jwk(&private, None).unwrap();
    assert!(sign_only.can_sign() && !sign_only.can_verify());
    let token = signed(&sign_only);
    // It never verifies, even its own token, and a set refuses it.
    assert!(!sign_only.verify(b"m", &sign_only.sign(b"m").unwrap()));
    let set = JwtKeySet::new();
    assert_eq!(
        set.insert(sign_only).unwrap_err().code(),
        ErrorCode::JwtKeyInvalid
    );
    private.insert("key_ops".into(), json!(["verify"]));
    let verify_only = JwtKey::from_jwk(&private, None).unwrap();
    assert!(!verify_only.can_sign());
    let e = encode(&Map::new(), &HeaderOptions::default(), &verify_only).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    set.insert(verify_only).unwrap();
    assert!(verify(&set, &token).is_ok());
    assert_eq!(
        verify(&set, &signed(&signer.with_kid("p"))).unwrap_err(),
        ErrorCode::JwtSignatureInvalid
    );
}

#[test]
fn a_jwks_skips_non_verification_entries_and_refuses_contradictions() {
    let (enc_key, mut enc) = ed25519_jwk("enc");
    enc.insert("use".into(), json!("enc"));
    let (ops_key, mut ops) = ed25519_jwk("ops");
    ops.remove("use");
    ops.insert("key_ops".into(), json!(["encrypt"]));
    let (good_key, good) = ed25519_jwk("good");
    let set = JwtKeySet::from_jwks(&json!({"keys": [enc, ops, good.clone()]}).to_string()).unwrap();
    assert_eq!(set.len(), 1);
    assert!(verify(&set, &signed(&good_key)).is_ok());
    assert_eq!(
        verify(&set, &signed(&enc_key)).unwrap_err(),
        ErrorCode::JwtKeyUnknown
    );
    assert_eq!(
        verify(&set, &signed(&ops_key)).unwrap_err(),
        ErrorCode::JwtKeyUnknown
    );
    let mut contradict = good.clone();
    contradict.insert("use".into(), json!("enc"));
    contradict.insert("key_ops".into(), json!(["verify"]));
    let e = JwtKeySet::from_jwks(&json!({ "keys": [contradict] }).to_string()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
}
