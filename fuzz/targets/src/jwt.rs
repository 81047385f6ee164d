//! JWT verification against fixed test keys, and the JWK / JWKS readers.

use std::sync::{Arc, OnceLock};

use portcullis::jwt::{encode, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::jwt::{Algorithm, Jwk};
use portcullis::ErrorCode;
use serde_json::{Map, Value};

use crate::{check, NOW};

/// The fixed HMAC secret of the targets' key set (kid `hs`): a test value, never a real one.
const HS256_SECRET: &[u8] = b"portcullis-fuzz-hs256-secret-0123456789abcdef";

/// The fixed P-256 key of the targets' key set (kid `es`): a test key made for these targets.
const ES256_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg80Qe46n8n8HVAZ1l
UHJdQd9ztEyd0wbuByZZqdWOcQyhRANCAASNPKa3w1ORCoG+xbRJ/NJsySQO9hBt
OCYZFW9yWIffPGQNahchrfjJJ4T/X/f3OuIFL0ZP6NYXMLtfswulAhL1
-----END PRIVATE KEY-----
";

/// The claims of the validly signed tokens `jwt_mutated` starts from: valid at [`NOW`].
pub const ORIGINAL_CLAIMS: &[&str] = &[
    r#"{"sub":"alice","iat":1749999990,"exp":1750003600,"scope":"read write"}"#,
    r#"{"sub":"bob","iat":1749999000,"nbf":1749999000,"exp":1750001000,"jti":"j-1","scope":"read","aud_x":["a","b"],"nested":{"a":[1,2.5,{"b":null}],"e":"caf\u00e9"}}"#,
];

fn hs256() -> JwtKey {
    JwtKey::from_secret(Algorithm::Hs256, HS256_SECRET)
        .expect("the fixed HS256 secret loads")
        .with_kid("hs")
}

fn es256() -> JwtKey {
    JwtKey::from_pem(Algorithm::Es256, ES256_PEM.as_bytes())
        .expect("the fixed ES256 key loads")
        .with_kid("es")
}

/// The secret material of the key set, as an error could quote it.
fn secrets() -> [&'static [u8]; 3] {
    let body_line = ES256_PEM.lines().nth(1).unwrap_or_default();
    [HS256_SECRET, body_line.as_bytes(), b"portcullis-fuzz-hs256"]
}

struct Fixture {
    verifier: JwtVerifier,
    originals: Vec<Map<String, Value>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let set = JwtKeySet::new();
        set.insert(hs256()).expect("hs key inserted");
        set.insert(es256()).expect("es key inserted");
        let config = JwtConfig {
            allow_mixed_key_types: true,
            ..JwtConfig::default()
        };
        Fixture {
            verifier: JwtVerifier::new(config, Arc::new(set)).expect("the verifier builds"),
            originals: ORIGINAL_CLAIMS
                .iter()
                .map(|c| serde_json::from_str(c).expect("original claims are JSON"))
                .collect(),
        }
    })
}

/// The tokens `jwt_mutated` starts from: every original claims set signed with each key.
pub fn signed_tokens() -> Vec<String> {
    let header = HeaderOptions::default();
    let mut out = Vec::new();
    for claims in &fixture().originals {
        for key in [hs256(), es256()] {
            out.push(encode(claims, &header, &key).expect("the original claims sign"));
        }
    }
    out
}

/// `jwt_verify`: a token verified into a map (`verify_token`) and read in one pass
/// (`verify_token_claims`) gets the same answer, with and without a required scope; a refusal
/// is named and quotes no key material.
pub fn jwt_verify(data: &[u8]) {
    let token = String::from_utf8_lossy(data);
    let verifier = &fixture().verifier;
    let secrets = check::unseen(&secrets(), data);
    let scope_sets: [&[&str]; 2] = [&[], &["read"]];
    for scopes in scope_sets {
        let as_map = verifier.verify_token(&token, NOW, scopes);
        let as_text = verifier
            .verify_token_claims(&token, NOW, scopes)
            .map(|t| t.into_principal());
        check::same_outcome(&as_map, &as_text, "verify_token / verify_token_claims");
        if let Err(d) = &as_map {
            check::denial(d, &secrets);
        }
    }
}

/// `jwt_mutated`: whatever the fuzzer makes of a validly signed token, an accepted token
/// carries one of the original claims sets: a changed token is never accepted with other
/// claims.
pub fn jwt_mutated(data: &[u8]) {
    let token = String::from_utf8_lossy(data);
    let fixture = fixture();
    match fixture.verifier.verify_token(&token, NOW, &[] as &[&str]) {
        Ok(principal) => assert!(
            fixture.originals.contains(&principal.claims),
            "a token no key signed was accepted: {:?}",
            principal.claims
        ),
        Err(d) => check::denial(&d, &check::unseen(&secrets(), data)),
    }
}

/// The private members of a JWK (what an error must never quote), at least 16 characters.
fn private_members(jwk: &Jwk) -> Vec<Vec<u8>> {
    ["d", "k", "p", "q", "dp", "dq", "qi"]
        .iter()
        .filter_map(|m| jwk.get(*m).and_then(Value::as_str))
        .filter(|v| v.len() >= 16)
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

/// The private members of every JWK in `text` (a JWK or a JWKS), read leniently.
fn private_material(text: &str) -> Vec<Vec<u8>> {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    crate::vectors::walk(&value, &|v| v.is_object(), &mut found);
    found
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(private_members)
        .collect()
}

/// `jwk`: a JWK that loads exports a public JWK (asymmetric keys) that loads again, bound to
/// the same algorithm, with the same thumbprint; a refusal is `jwt_key_invalid` or
/// `jwt_malformed` / `jwt_duplicate_member` for the JSON, and never quotes a private member.
pub fn jwk(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let private = private_material(&text);
    let private: Vec<&[u8]> = private.iter().map(Vec::as_slice).collect();
    let key = match JwtKey::from_jwk_json(&text, None) {
        Ok(key) => key,
        Err(e) => {
            check::error(&e, &[]);
            check::no_input_secret(data, &private, e.detail(), &|input| {
                let text = String::from_utf8_lossy(input);
                JwtKey::from_jwk_json(&text, None)
                    .err()
                    .map(|e| e.detail().to_owned())
            });
            assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{e}");
            return;
        }
    };
    let alg = key.algorithm();
    if let Err(e) = JwtKey::from_jwk_json(&text, Some(alg)) {
        panic!("loads inferred as {alg} but not when {alg} is asked for: {e}");
    }
    if alg.is_hmac() {
        assert!(key.public_jwk().is_err(), "a secret exported a public JWK");
        return;
    }
    let public = key
        .public_jwk()
        .expect("an asymmetric key exports its public JWK");
    assert!(
        private_members(&public).is_empty(),
        "the public JWK holds a private member"
    );
    let again = JwtKey::from_jwk(&public, Some(alg)).expect("the exported JWK loads");
    assert_eq!(again.algorithm(), alg);
    assert_eq!(
        again.thumbprint().ok(),
        key.thumbprint().ok(),
        "thumbprint changed"
    );
}

/// `jwks`: a JWKS that loads exports a public JWKS (no secret, no private member) that loads
/// again with one key per asymmetric key, or is refused as a whole with `jwt_key_invalid`; a
/// refusal never quotes a private member.
pub fn jwks(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let private = private_material(&text);
    let private: Vec<&[u8]> = private.iter().map(Vec::as_slice).collect();
    let set = match JwtKeySet::from_jwks(&text) {
        Ok(set) => set,
        Err(e) => {
            check::error(&e, &[]);
            check::no_input_secret(data, &private, e.detail(), &|input| {
                let text = String::from_utf8_lossy(input);
                JwtKeySet::from_jwks(&text)
                    .err()
                    .map(|e| e.detail().to_owned())
            });
            assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{e}");
            return;
        }
    };
    let public = set
        .public_jwks()
        .expect("a loaded set exports its public JWKS");
    let exported = public["keys"].as_array().map_or(0, Vec::len);
    assert!(exported <= set.len());
    assert!(!private
        .iter()
        .any(|p| check::contains(public.to_string().as_bytes(), p)));
    match JwtKeySet::from_jwks(&public.to_string()) {
        Ok(again) => assert_eq!(again.len(), exported, "the exported set lost keys"),
        // Two kid-less copies of one key get the same thumbprint kid on export.
        Err(e) => assert_eq!(e.code(), ErrorCode::JwtKeyInvalid, "{e}"),
    }
}
