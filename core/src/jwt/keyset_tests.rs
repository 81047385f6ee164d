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

fn es256_jwk(kid: &str) -> (JwtKey, Map<String, Value>) {
    let key = JwtKey::generate(Algorithm::Es256).unwrap().with_kid(kid);
    let jwk = key.public_jwk().unwrap();
    (key, jwk)
}

#[test]
fn a_repeated_kid_for_one_algorithm_is_refused_on_every_load_path() {
    let (_, a1) = es256_jwk("a");
    let (_, a2) = es256_jwk("a");
    let e =
        JwtKeySet::from_jwks(&json!({"keys": [a1.clone(), a2.clone()]}).to_string()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    // Across two documents, atomically: the new kid of the second one is not added either.
    let set = JwtKeySet::from_jwks(&json!({ "keys": [a1] }).to_string()).unwrap();
    let (_, b) = es256_jwk("b");
    let e = set
        .add_jwks(&json!({ "keys": [b, a2.clone()] }).to_string())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    assert_eq!(set.len(), 1);
    // `add` refuses the repeat, `insert` replaces it on purpose.
    let again = JwtKey::from_jwk(&a2, None).unwrap();
    assert_eq!(set.add(again).unwrap_err().code(), ErrorCode::JwtKeyInvalid);
    set.insert(JwtKey::from_jwk(&a2, None).unwrap()).unwrap();
    assert_eq!(set.len(), 1);
    // RFC 7517 4.5: keys of different types may share a kid; the token's alg picks.
    let (ed_key, mut ed) = ed25519_jwk("a");
    ed.insert("kid".into(), json!("a"));
    let (es_key, es) = es256_jwk("a");
    let shared = JwtKeySet::from_jwks(&json!({ "keys": [es, ed] }).to_string()).unwrap();
    assert!(verify(&shared, &signed(&es_key)).is_ok());
    assert!(verify(&shared, &signed(&ed_key)).is_ok());
    // Keys without kid are no repeat: each is tried for its algorithm.
    let (_, mut n1) = es256_jwk("x");
    let (_, mut n2) = es256_jwk("y");
    n1.remove("kid");
    n2.remove("kid");
    assert_eq!(
        JwtKeySet::from_jwks(&json!({ "keys": [n1, n2] }).to_string())
            .unwrap()
            .len(),
        2
    );
}

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[test]
fn a_set_mixing_secrets_and_public_keys_needs_the_opt_in() {
    let (ed_key, _) = ed25519_jwk("ed");
    let hs = JwtKey::from_secret(Algorithm::Hs256, SECRET)
        .unwrap()
        .with_kid("hs");
    let set = JwtKeySet::new();
    set.insert(hs).unwrap();
    // Built over secrets only, then mixed by a later insertion: refused per token.
    let verifier = JwtVerifier::new(JwtConfig::default(), Arc::new(set.clone())).unwrap();
    set.insert(JwtKey::from_jwk(&ed_key.public_jwk().unwrap(), None).unwrap())
        .unwrap();
    assert!(set.mixes_key_types() && !set.only_secrets());
    let token = signed(&ed_key);
    let denial = verifier
        .verify_token(&token, 1000, &[] as &[&str])
        .unwrap_err();
    assert_eq!(denial.code(), ErrorCode::ConfigInvalid);
    assert_eq!(verify(&set, &token).unwrap_err(), ErrorCode::ConfigInvalid);
    let allowed = JwtConfig {
        allow_mixed_key_types: true,
        ..JwtConfig::default()
    };
    let mixed = JwtVerifier::new(allowed, Arc::new(set.clone())).unwrap();
    assert!(mixed.verify_token(&token, 1000, &[] as &[&str]).is_ok());
    // Removing the secret unmixes the set.
    assert_eq!(set.remove("hs"), 1);
    assert!(!set.mixes_key_types());
    assert!(verify(&set, &token).is_ok());
    let config = JwtConfig::from_json(r#"{"allow_mixed_key_types": true}"#).unwrap();
    assert!(config.allow_mixed_key_types);
}

#[test]
fn the_gate_loads_keys_by_the_same_rules() {
    use crate::config::{Format, LoadContext, Secrets};
    use crate::verifier::Verifier;
    let ctx = LoadContext::new().with_secrets(
        Secrets::new()
            .with("hs", std::str::from_utf8(SECRET).unwrap())
            .with("jwks", json!({ "keys": [es256_jwk("a").1] }).to_string()),
    );
    let load = |text: String| {
        Verifier::load(&text, Format::detect(&text), &ctx)
            .map(|_| ())
            .map_err(|e| crate::Error::from(e).code())
    };
    let jwk = |kid: &str, extra: Value| {
        let mut j = es256_jwk(kid).1;
        j.remove("use");
        for (k, v) in extra.as_object().unwrap() {
            j.insert(k.clone(), v.clone());
        }
        Value::Object(j)
    };
    let stat = |keys: Vec<Value>| json!({"method": "jwt", "keys": {"static": keys}}).to_string();
    let es = |kid: &str, extra: Value| json!({"alg": "ES256", "kid": kid, "jwk": jwk(kid, extra)});
    assert!(load(stat(vec![es("a", json!({}))])).is_ok());
    assert_eq!(
        load(stat(vec![es("a", json!({})), es("a", json!({}))])),
        Err(ErrorCode::JwtKeyInvalid)
    );
    assert_eq!(
        load(stat(vec![es("a", json!({"use": "enc"}))])),
        Err(ErrorCode::JwtKeyInvalid)
    );
    assert_eq!(
        load(stat(vec![es("a", json!({"key_ops": ["encrypt"]}))])),
        Err(ErrorCode::JwtKeyInvalid)
    );
    // A JWKS by reference and a static key under the same kid and algorithm.
    let both = json!({"method": "jwt", "keys": {"jwks": "secret:jwks",
        "static": [es("a", json!({}))]}});
    assert_eq!(load(both.to_string()), Err(ErrorCode::JwtKeyInvalid));
    // A secret beside a public key needs the opt-in, a top-level field of the credential.
    let hs = json!({"alg": "HS256", "kid": "hs", "secret": "secret:hs"});
    assert_eq!(
        load(stat(vec![hs.clone(), es("a", json!({}))])),
        Err(ErrorCode::ConfigInvalid)
    );
    let opted = json!({"method": "jwt", "allow_mixed_key_types": true,
        "keys": {"static": [hs, es("a", json!({}))]}});
    assert!(load(opted.to_string()).is_ok());
}

#[test]
fn hmac_secrets_shorter_than_the_hash_output_never_load() {
    for (alg, need) in [
        (Algorithm::Hs256, 32),
        (Algorithm::Hs384, 48),
        (Algorithm::Hs512, 64),
    ] {
        let short = vec![0x5a; need - 1];
        let e = JwtKey::from_secret(alg, &short).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{alg}");
        assert!(e.detail().contains(&need.to_string()), "{}", e.detail());
        let oct = obj(json!({"kty": "oct", "alg": alg.name(),
            "k": crate::keys::jwk::b64url(&short)}));
        assert!(JwtKey::from_jwk(&oct, None).is_err(), "{alg} as a JWK");
        // Exactly the output length loads, verifies and signs.
        let key = JwtKey::from_secret(alg, &vec![0x5a; need]).unwrap();
        let sig = key.sign(b"m").unwrap();
        assert!(key.verify(b"m", &sig));
    }
}

#[test]
fn a_pem_file_is_read_by_its_first_block() {
    // A private key and then a public key (what appending `openssl pkey -pubout` writes) is
    // the private key; the key readers read the first block too (found while writing the
    // pem_der_keys fuzz target's invariant).
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let private = key.private_pem().unwrap();
    let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWnXUS+cp0m1iVA33h9i75zzepOji\n\
                  DVk5KLyLGUPwYt0iemA1KOyCXhp5R6SbFfn2bjQwVlqsMo58p4SE/w2LtQ==\n-----END PUBLIC KEY-----\n";
    let both = format!("{}{public}", &*private);
    let loaded = JwtKey::from_pem(Algorithm::Es256, both.as_bytes()).unwrap();
    assert!(loaded.can_sign());
    assert_eq!(loaded.thumbprint().unwrap(), key.thumbprint().unwrap());
    let public_first = format!("{public}{}", &*private);
    let loaded = JwtKey::from_pem(Algorithm::Es256, public_first.as_bytes()).unwrap();
    assert!(!loaded.can_sign());
    assert_eq!(
        JwtKey::from_pem(
            Algorithm::Es256,
            b"-----BEGIN FOO PUBLIC KEY-----\nAA==\n-----END FOO PUBLIC KEY-----\n"
        )
        .unwrap_err()
        .code(),
        ErrorCode::JwtKeyInvalid
    );
}
