use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::*;
use crate::error::ErrorCode;
use crate::request::Request;

fn claims(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn verifier(set: &JwtKeySet, config: JwtConfig) -> JwtVerifier {
    JwtVerifier::new(config, Arc::new(set.clone())).unwrap()
}

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn every_algorithm_round_trips() {
    for &alg in Algorithm::ALL {
        let key = if alg.is_hmac() {
            JwtKey::from_secret(alg, SECRET).unwrap().with_kid("s")
        } else {
            JwtKey::generate(alg).unwrap()
        };
        let kid = key.kid().unwrap().to_owned();
        let token = encode(
            &claims(json!({"sub": "u", "exp": 2000, "scope": "read write"})),
            &HeaderOptions::default(),
            &key,
        )
        .unwrap();
        let set = JwtKeySet::new();
        set.insert(key).unwrap();
        let p = verifier(&set, JwtConfig::default())
            .verify_token(&token, 1000, &["read"])
            .unwrap();
        assert_eq!(p.subject, "u");
        assert_eq!(p.credential_id.as_deref(), Some(kid.as_str()));
        assert_eq!(p.scopes, ["read", "write"]);
        assert_eq!(p.expires_at, Some(2000));
        assert_eq!(p.method, crate::AuthMethod::Jwt);
    }
}

#[test]
fn public_jwks_verifies_and_hides_secrets() {
    let signer = JwtKey::generate(Algorithm::Es512).unwrap();
    let set = JwtKeySet::new();
    set.insert(JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap())
        .unwrap();
    set.insert(JwtKey::generate(Algorithm::Es512).unwrap())
        .unwrap();
    let jwks = set.public_jwks().unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    let public = JwtKeySet::new();
    let jwk = signer.public_jwk().unwrap();
    assert_eq!(jwk["kid"], Value::String(signer.thumbprint().unwrap()));
    public
        .add_jwks(&json!({ "keys": [jwk] }).to_string())
        .unwrap();
    let token = encode(
        &claims(json!({"exp": 10})),
        &HeaderOptions::default(),
        &signer,
    )
    .unwrap();
    assert!(verifier(&public, JwtConfig::default())
        .verify_token(&token, 0, &[] as &[&str])
        .is_ok());
}

#[test]
fn algorithm_confusion_and_short_secrets() {
    let rsa = JwtKey::generate(Algorithm::Rs256).unwrap();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
    );
    for bad in [
        pem.as_bytes(),
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq",
        br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbX","e":"AQAB"}"#,
    ] {
        let e = JwtKey::from_secret(Algorithm::Hs256, bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    }
    assert!(JwtKey::from_secret(Algorithm::Hs256, &[1; 31]).is_err());
    // RFC 7518 3.2: an HS512 secret shorter than 64 bytes does not even load.
    let e = JwtKey::from_secret(Algorithm::Hs512, &[1; 40]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    // An HS256 token against a key set that holds only the RSA key.
    let set = JwtKeySet::new();
    set.insert(rsa).unwrap();
    let hs = JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap();
    let token = encode(&claims(json!({"exp": 10})), &HeaderOptions::default(), &hs).unwrap();
    let d = verifier(&set, JwtConfig::default())
        .verify_token(&token, 0, &[] as &[&str])
        .unwrap_err();
    assert_eq!(d.code(), ErrorCode::JwtAlgorithmRefused);
    assert_eq!(
        d.challenge().unwrap().header_value(),
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"Invalid token.\""
    );
}

#[test]
fn kid_selection_and_scopes() {
    let a = JwtKey::from_secret(Algorithm::Hs256, SECRET)
        .unwrap()
        .with_kid("a");
    let b = JwtKey::from_secret(Algorithm::Hs256, &[7; 32])
        .unwrap()
        .with_kid("b");
    let token_b = encode(
        &claims(json!({"exp": 10, "sub": "x"})),
        &HeaderOptions::default(),
        &b,
    )
    .unwrap();
    let set = JwtKeySet::new();
    set.insert(a).unwrap();
    let v = verifier(&set, JwtConfig::default());
    let d = v.verify_token(&token_b, 0, &[] as &[&str]).unwrap_err();
    assert_eq!(d.code(), ErrorCode::JwtKeyUnknown);
    set.insert(b).unwrap();
    let d = v.verify_token(&token_b, 0, &["admin", "read"]).unwrap_err();
    assert_eq!(d.code(), ErrorCode::ScopeInsufficient);
    assert_eq!(
        d.challenge().unwrap().header_value(),
        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"admin read\""
    );
    let r = Request::new("GET", "/").unwrap().at(0);
    assert_eq!(
        v.verify(&r, &[] as &[&str]).unwrap_err().code(),
        ErrorCode::CredentialsMissing
    );
    let r = r
        .header("Authorization", format!("bearer {token_b}"))
        .unwrap();
    assert_eq!(v.verify(&r, &[] as &[&str]).unwrap().subject, "x");
}

#[test]
fn cache_never_outlives_exp_and_sees_revocations() {
    let key = JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap();
    let token = encode(
        &claims(json!({"exp": 1000, "jti": "j1"})),
        &HeaderOptions::default(),
        &key,
    )
    .unwrap();
    let set = JwtKeySet::new();
    set.insert(key).unwrap();
    let config = JwtConfig {
        cache_size: 2,
        leeway_seconds: 0,
        ..JwtConfig::default()
    };
    let v = verifier(&set, config);
    assert!(v.verify_token(&token, 900, &[] as &[&str]).is_ok());
    assert_eq!(v.cached(), 1);
    assert!(v.verify_token(&token, 950, &[] as &[&str]).is_ok());
    let e = v.verify_token(&token, 1000, &[] as &[&str]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtExpired);
    assert!(v.verify_token(&token, 900, &[] as &[&str]).is_ok());
    v.revoke("j1", 1000, 900).unwrap();
    let e = v.verify_token(&token, 901, &[] as &[&str]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtRevoked);
}

#[test]
fn revocations_without_cache_and_shared_stores() {
    let key = JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap();
    let token = |jti: &str| {
        encode(
            &claims(json!({"exp": 1000, "jti": jti})),
            &HeaderOptions::default(),
            &key,
        )
        .unwrap()
    };
    let set = JwtKeySet::new();
    set.insert(JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap())
        .unwrap();
    let none: &[&str] = &[];
    // The verifier's own store: a revocation made through it is seen at once.
    let v = verifier(&set, JwtConfig::default());
    assert!(v.verify_token(&token("a"), 900, none).is_ok());
    v.revoke("a", 1000, 900).unwrap();
    let e = v.verify_token(&token("a"), 900, none).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtRevoked);
    assert!(v.verify_token(&token("b"), 900, none).is_ok());
    // A shared store: revocations made by someone else are seen too.
    let store = Arc::new(crate::store::MemoryStore::default());
    let shared = verifier(&set, JwtConfig::default()).with_revocation_store(store.clone());
    assert!(shared.verify_token(&token("c"), 900, none).is_ok());
    crate::store::RevocationStore::revoke(&*store, verify::REVOCATION_NAMESPACE, b"c", 1000, 900)
        .unwrap();
    let e = shared.verify_token(&token("c"), 900, none).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtRevoked);
}

#[test]
fn every_header_is_read_even_when_the_last_one_is_kept() {
    use base64::Engine;
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let key = JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap();
    let typed = |typ: &str| {
        let options = HeaderOptions {
            typ: Some(typ.into()),
            ..HeaderOptions::default()
        };
        encode(&claims(json!({"exp": 1000})), &options, &key).unwrap()
    };
    let set = JwtKeySet::new();
    set.insert(JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap())
        .unwrap();
    let v = verifier(
        &set,
        JwtConfig {
            typ: Some("at+jwt".into()),
            ..JwtConfig::default()
        },
    );
    let none: &[&str] = &[];
    let code = |t: &str| {
        v.verify_token(t, 900, none)
            .map(|_| ())
            .map_err(|e| e.code())
    };
    let good = typed("at+jwt");
    let payload = good.split('.').nth(1).unwrap().to_owned();
    let forged = |header: &str| format!("{}.{payload}.AAAA", b64(header));
    for _ in 0..2 {
        assert_eq!(code(&good), Ok(()));
        assert_eq!(code(&typed("JWT")), Err(ErrorCode::JwtTypeMismatch));
        assert_eq!(code(&good), Ok(()));
        assert_eq!(
            code(&forged(r#"{"alg":"HS256","typ":"at+jwt","typ":"at+jwt"}"#)),
            Err(ErrorCode::JwtDuplicateMember)
        );
        assert_eq!(
            code(&forged(r#"{"alg":"none","typ":"at+jwt"}"#)),
            Err(ErrorCode::JwtAlgorithmRefused)
        );
        assert_eq!(
            code(&forged(
                r#"{"alg":"HS256","typ":"at+jwt","crit":["x"],"x":1}"#
            )),
            Err(ErrorCode::JwtCritUnsupported)
        );
        assert_eq!(
            code(&forged(r#"{"alg":"HS256","typ":"at+jwt"}"#)),
            Err(ErrorCode::JwtSignatureInvalid)
        );
        // The header segment of `good`, with another signature: refused.
        let tampered = format!("{}.{payload}.AAAA", good.split('.').next().unwrap());
        assert_eq!(code(&tampered), Err(ErrorCode::JwtSignatureInvalid));
    }
    assert_eq!(v.verify_jws(&good).unwrap().header["typ"], "at+jwt");
}

#[test]
fn config_limits_and_typ() {
    let capped = JwtConfig {
        leeway_seconds: 301,
        ..JwtConfig::default()
    };
    assert_eq!(
        capped.validate().unwrap_err().code(),
        ErrorCode::ConfigInvalid
    );
    assert!(JwtConfig::from_json(r#"{"algorithms": ["none"]}"#).is_err());
    assert!(JwtConfig::from_json(r#"{"nope": 1}"#).is_err());
    let c = JwtConfig::from_json(r#"{"algorithms": ["EdDSA", "ES512"], "typ": "at+jwt"}"#).unwrap();
    assert_eq!(c.algorithms, [Algorithm::EdDsa, Algorithm::Es512]);
    assert!(typ_matches("at+jwt", "application/AT+JWT"));
    assert!(typ_matches("application/at+jwt", "at+JWT"));
    assert!(!typ_matches("at+jwt", "jwt"));
    assert!(!typ_matches("at+jwt", "application/x/at+jwt"));
}

#[test]
fn shape_errors() {
    let key = JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap();
    let set = JwtKeySet::new();
    set.insert(key).unwrap();
    let v = verifier(
        &set,
        JwtConfig {
            max_token_bytes: 200,
            ..JwtConfig::default()
        },
    );
    let code = |t: &str| v.verify_jws(t).unwrap_err().code();
    assert_eq!(code("a.b"), ErrorCode::JwtMalformed);
    assert_eq!(code("a.b.c.d"), ErrorCode::JwtMalformed);
    assert_eq!(code(""), ErrorCode::JwtMalformed);
    assert_eq!(code(&"a".repeat(201)), ErrorCode::JwtTooLarge);
    assert_eq!(code("eyJhbGciOiJIUzI1NiJ9.e30.!"), ErrorCode::JwtMalformed);
    assert_eq!(
        code("eyJhbGciOiJIUzI1NiJ9.e30."),
        ErrorCode::JwtSignatureInvalid
    );
}

#[test]
fn jwk_json_refuses_repeated_members() {
    use base64::Engine;
    let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([9u8; 32]);
    let good = format!(r#"{{"kty":"oct","k":"{k}"}}"#);
    assert!(JwtKey::from_jwk_json(&good, Some(Algorithm::Hs256)).is_ok());
    let repeated = format!(r#"{{"kty":"oct","k":"{k}","k":"{k}"}}"#);
    assert!(JwtKey::from_jwk_json(&repeated, Some(Algorithm::Hs256)).is_err());
}

#[test]
fn certificate_bound_tokens() {
    let key = JwtKey::from_secret(Algorithm::Hs256, SECRET)
        .unwrap()
        .with_kid("s");
    let set = JwtKeySet::new();
    set.insert(
        JwtKey::from_secret(Algorithm::Hs256, SECRET)
            .unwrap()
            .with_kid("s"),
    )
    .unwrap();
    let config = JwtConfig::from_json(r#"{"require_certificate_binding": true}"#).unwrap();
    assert!(config.require_certificate_binding);
    assert!(!JwtConfig::default().require_certificate_binding);
    let v = verifier(&set, config);
    let cert = b"any DER bytes: the thumbprint does not parse them".to_vec();
    let thumb = crate::confirmation::certificate_thumbprint(&cert);
    let token = |cnf: Value| {
        let mut c = claims(json!({"sub": "u", "exp": 2000}));
        if !cnf.is_null() {
            c.insert("cnf".into(), cnf);
        }
        encode(&c, &HeaderOptions::default(), &key).unwrap()
    };
    let request = |token: &str, cert: Option<&[u8]>| {
        let mut r = Request::new("GET", "/")
            .unwrap()
            .header("Authorization", format!("Bearer {token}"))
            .unwrap()
            .at(1000);
        if let Some(c) = cert {
            r.add_peer_certificate(c.to_vec()).unwrap();
        }
        r
    };
    let bound = token(json!({ "x5t#S256": thumb }));
    let p = v
        .verify(&request(&bound, Some(&cert)), &[] as &[&str])
        .unwrap();
    assert_eq!(p.subject, "u");
    let claims_read = v.verify_claims(&request(&bound, Some(&cert)), &[] as &[&str]);
    assert_eq!(claims_read.unwrap().into_principal(), p);
    // Both request paths refuse with the same code.
    let code = |t: &str, c: Option<&[u8]>| {
        let principal = v.verify(&request(t, c), &[] as &[&str]).unwrap_err();
        let claims = v.verify_claims(&request(t, c), &[] as &[&str]).unwrap_err();
        assert!(principal == claims, "{}", principal.error());
        principal.code()
    };
    let mismatch = ErrorCode::JwtConfirmationMismatch;
    assert_eq!(code(&bound, None), mismatch);
    assert_eq!(code(&bound, Some(b"another certificate")), mismatch);
    assert_eq!(code(&token(Value::Null), Some(&cert)), mismatch);
    assert_eq!(code(&token(json!("x")), Some(&cert)), mismatch);
    assert_eq!(
        code(&token(json!({ "x5t#S256": 5 })), Some(&cert)),
        mismatch
    );
    assert_eq!(code(&token(json!({ "jkt": thumb })), Some(&cert)), mismatch);
    // Without the request there is no certificate to bind to.
    assert_eq!(
        v.verify_token(&bound, 1000, &[] as &[&str])
            .unwrap_err()
            .code(),
        mismatch
    );
    // The JSON form round-trips.
    let json = serde_json::to_string(v.config()).unwrap();
    assert_eq!(JwtConfig::from_json(&json).unwrap(), *v.config());
}

/// An HS256 token over the payload text `payload`, exactly as given.
fn hs256_over(payload: &str) -> String {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let input = format!("{}.{}", b64(br#"{"alg":"HS256"}"#), b64(payload.as_bytes()));
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, SECRET), input.as_bytes());
    format!("{input}.{}", b64(mac.as_ref()))
}

#[test]
fn verify_token_claims_agrees_with_verify_token() {
    let payloads = [
        r#"{"sub":"u","exp":2000,"scope":"read write","aud":"api"}"#,
        r#"{ "exp" : 2000 , "esc\u0061ped" : "a\nb \u00e9", "sub":"s\"q", "aud":["x","api"] }"#,
        r#"{"exp":2000,"f":1.5,"e":1e3,"m0":-0,"huge":1e30,"u":18446744073709551615,"aud":"api"}"#,
        r#"{"exp":2000,"z":{"b":1,"a":[1,{"d":2,"c":null}]},"scp":["read"],"aud":"api"}"#,
        r#"{"exp":999,"aud":"api"}"#,
        r#"{"exp":2000,"aud":"other"}"#,
        r#"{"exp":"2000","aud":"api"}"#,
        r#"{"exp":2000,"aud":"api","exp":2001}"#,
        r#"{"exp":2000,"aud":"api","o":{"k":1,"k":2}}"#,
        r#"[1]"#,
    ];
    let set = JwtKeySet::new();
    set.insert(JwtKey::from_secret(Algorithm::Hs256, SECRET).unwrap())
        .unwrap();
    for cache_size in [0, 8] {
        let config = JwtConfig {
            audiences: vec!["api".into()],
            cache_size,
            ..JwtConfig::default()
        };
        let v = verifier(&set, config);
        for payload in payloads {
            let token = hs256_over(payload);
            for scopes in [&[][..], &["read"][..]] {
                for _ in 0..2 {
                    let principal = v.verify_token(&token, 1000, scopes);
                    let verified = v.verify_token_claims(&token, 1000, scopes);
                    let request = Request::new("GET", "/")
                        .unwrap()
                        .header("Authorization", format!("Bearer {token}"))
                        .unwrap()
                        .at(1000);
                    let by_request = v.verify(&request, scopes);
                    assert!(by_request == principal, "{payload}");
                    let claims_by_request = v.verify_claims(&request, scopes);
                    let same = match (&claims_by_request, &verified) {
                        (Ok(a), Ok(b)) => a.clone().into_principal() == b.clone().into_principal(),
                        (Err(a), Err(b)) => a == b,
                        _ => false,
                    };
                    assert!(same, "{payload}");
                    match (&principal, verified) {
                        (Ok(p), Ok(t)) => {
                            assert_eq!(
                                serde_json::to_string(&t.claims).unwrap(),
                                serde_json::to_string(&p.claims).unwrap()
                            );
                            assert_eq!(&t.into_principal(), p, "{payload}");
                        }
                        (Err(a), Err(b)) => assert!(*a == b, "{payload}: {}", a.error()),
                        (a, b) => panic!("{payload}: {a:?} but {:?}", b.map(|t| t.subject)),
                    }
                }
            }
        }
    }
    let bound = JwtConfig {
        require_certificate_binding: true,
        ..JwtConfig::default()
    };
    let refused =
        verifier(&set, bound).verify_token_claims(&hs256_over(payloads[0]), 1000, &[""; 0]);
    assert_eq!(
        refused.unwrap_err().error().code(),
        ErrorCode::JwtConfirmationMismatch
    );
}

#[test]
fn thumbprints_of_jwk_text_are_read_strictly() {
    let jwk = JwtKey::generate(Algorithm::EdDsa)
        .unwrap()
        .public_jwk()
        .unwrap();
    let text = Value::Object(jwk.clone()).to_string();
    assert_eq!(super::thumbprint_json(&text), super::thumbprint(&jwk));
    for bad in [
        "[]",
        "{",
        "",
        r#"{"kty":"OKP","kty":"OKP"}"#,
        r#"{"kty":"XYZ"}"#,
    ] {
        let e = super::thumbprint_json(bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{bad}");
    }
}

#[test]
fn the_fully_specified_ed25519_name_is_eddsa() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let key = JwtKey::generate(Algorithm::EdDsa).unwrap().with_kid("k");
    let header = b64(br#"{"alg":"Ed25519","kid":"k"}"#);
    let payload = b64(br#"{"sub":"u","exp":2000}"#);
    let input = format!("{header}.{payload}");
    let token = format!("{input}.{}", b64(&key.sign(input.as_bytes()).unwrap()));
    let set = JwtKeySet::new();
    set.insert(key).unwrap();
    let v = verifier(&set, JwtConfig::default());
    assert_eq!(
        v.verify_token(&token, 1000, &[] as &[&str])
            .unwrap()
            .subject,
        "u"
    );
    // An allow-list of EdDSA admits it; one without does not.
    let listed = JwtConfig {
        algorithms: vec![Algorithm::EdDsa],
        ..JwtConfig::default()
    };
    assert!(verifier(&set, listed)
        .verify_token(&token, 1000, &[] as &[&str])
        .is_ok());
    let other = JwtConfig {
        algorithms: vec![Algorithm::Es256],
        ..JwtConfig::default()
    };
    let e = verifier(&set, other)
        .verify_token(&token, 1000, &[] as &[&str])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtAlgorithmRefused);
    // Other spellings stay unknown.
    let odd = format!("{}.{payload}.AAAA", b64(br#"{"alg":"ed25519","kid":"k"}"#));
    let e = v.verify_token(&odd, 1000, &[] as &[&str]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtAlgorithmRefused);
}
