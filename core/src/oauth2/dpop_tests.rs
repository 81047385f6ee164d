use std::sync::Arc;

use serde_json::{json, Value};

use super::*;
use crate::store::MemoryStore;

const RFC_TOKEN_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
const RFC_RESOURCE_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const RFC_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
const NOW: i64 = 1_700_000_000;
const URI: &str = "https://api.example.com/orders";
const SECRET: &str = "nonce-secret-0123456789abcdef0123456789";

fn verifier() -> DpopVerifier {
    DpopVerifier::new(DpopConfig::default(), Arc::new(MemoryStore::default())).unwrap()
}

fn with_nonce() -> DpopVerifier {
    let config = DpopConfig {
        nonce: Some(NonceConfig {
            secret: SECRET.into(),
            step_seconds: 300,
        }),
        ..DpopConfig::default()
    };
    DpopVerifier::new(config, Arc::new(MemoryStore::default())).unwrap()
}

fn ctx<'a>(method: &'a str, uri: &'a str, token: Option<&'a str>, now: i64) -> ProofContext<'a> {
    ProofContext {
        method,
        uri,
        access_token: token,
        now,
    }
}

fn enc(v: &Value) -> String {
    b64url(v.to_string().as_bytes())
}

/// A proof signed by `key` with this header (the key's public JWK added as `jwk` unless the
/// header has one or sets it to null) and these claims.
fn sign(key: &JwtKey, header: Value, claims: Value) -> String {
    let mut header = header.as_object().cloned().unwrap();
    if !header.contains_key("jwk") {
        let mut jwk = key.public_jwk().unwrap();
        jwk.remove("kid");
        jwk.remove("alg");
        jwk.remove("use");
        header.insert("jwk".into(), Value::Object(jwk));
    }
    if header.get("jwk") == Some(&Value::Null) {
        header.remove("jwk");
    }
    header
        .entry("alg")
        .or_insert_with(|| json!(key.algorithm().name()));
    header.entry("typ").or_insert_with(|| json!("dpop+jwt"));
    let input = format!("{}.{}", enc(&Value::Object(header)), enc(&claims));
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64url(&sig))
}

fn claims(jti: &str) -> Value {
    json!({"jti": jti, "htm": "GET", "htu": URI, "iat": NOW})
}

fn code(r: Result<VerifiedProof, Error>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn rfc_9449_examples() {
    let v = verifier();
    let t = 1_562_262_616;
    let ok = v
        .verify(
            RFC_TOKEN_PROOF,
            &ctx("POST", "https://server.example.com/token", None, t),
        )
        .unwrap();
    assert_eq!(ok.thumbprint, RFC_JKT);
    assert_eq!(ok.jti, "-BwC3ESc6acc2lTc");
    assert_eq!(
        (ok.iat, ok.algorithm, ok.nonce),
        (t, Algorithm::Es256, None)
    );
    let again = v.verify(
        RFC_TOKEN_PROOF,
        &ctx("POST", "https://server.example.com/token", None, t),
    );
    assert_eq!(code(again), ErrorCode::DpopProofReplayed);

    let uri = "https://resource.example.org/protectedresource";
    let t = 1_562_262_618;
    assert_eq!(
        access_token_hash(RFC_TOKEN),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
    assert_eq!(
        code(v.verify(RFC_RESOURCE_PROOF, &ctx("GET", uri, Some("other"), t))),
        ErrorCode::DpopProofMismatch
    );
    let ok = v
        .verify(RFC_RESOURCE_PROOF, &ctx("GET", uri, Some(RFC_TOKEN), t))
        .unwrap();
    assert_eq!(ok.thumbprint, RFC_JKT);
    // Without a token the ath is ignored; the jti is spent by now.
    assert_eq!(
        code(v.verify(RFC_RESOURCE_PROOF, &ctx("GET", uri, None, t))),
        ErrorCode::DpopProofReplayed
    );
    assert_eq!(
        code(v.verify(
            RFC_RESOURCE_PROOF,
            &ctx("GET", uri, Some(RFC_TOKEN), t + 301)
        )),
        ErrorCode::DpopProofStale
    );
}

#[test]
fn every_algorithm_verifies() {
    for alg in [
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::EdDsa,
        Algorithm::Rs256,
        Algorithm::Ps384,
    ] {
        let key = JwtKey::generate(alg).unwrap();
        let proof = sign(&key, json!({}), claims("a"));
        let ok = verifier()
            .verify(&proof, &ctx("GET", URI, None, NOW))
            .unwrap();
        assert_eq!(ok.thumbprint, key.thumbprint().unwrap(), "{alg}");
        assert_eq!(ok.algorithm, alg);
    }
}

#[test]
fn fully_specified_ed25519() {
    let ed = JwtKey::generate(Algorithm::EdDsa).unwrap();
    let es = JwtKey::generate(Algorithm::Es256).unwrap();
    let c = ctx("GET", URI, None, NOW);
    let ok = verifier()
        .verify(&sign(&ed, json!({"alg": "Ed25519"}), claims("fs")), &c)
        .unwrap();
    assert_eq!(ok.algorithm, Algorithm::EdDsa);
    // Only an Ed25519 key, and only where EdDSA is allowed.
    let mut es_jwk = es.public_jwk().unwrap();
    es_jwk.remove("alg");
    let wrong_key = sign(&ed, json!({"alg": "Ed25519", "jwk": es_jwk}), claims("fs2"));
    assert_eq!(
        code(verifier().verify(&wrong_key, &c)),
        ErrorCode::DpopProofInvalid
    );
    let narrow = DpopVerifier::from_json(r#"{"algorithms": ["ES256"]}"#).unwrap();
    let proof = sign(&ed, json!({"alg": "Ed25519"}), claims("fs3"));
    assert_eq!(code(narrow.verify(&proof, &c)), ErrorCode::DpopProofInvalid);
    assert_eq!(
        code(verifier().verify(&sign(&ed, json!({"alg": "ed25519"}), claims("fs4")), &c)),
        ErrorCode::DpopProofInvalid,
        "alg names are case-sensitive"
    );
}

#[test]
fn header_refusals() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let other = JwtKey::generate(Algorithm::Es384).unwrap();
    let v = verifier();
    let c = ctx("GET", URI, None, NOW);
    let bad = |header: Value| code(v.verify(&sign(&key, header, claims("h")), &c));
    let invalid = ErrorCode::DpopProofInvalid;
    assert_eq!(bad(json!({"typ": "JWT"})), invalid);
    assert_eq!(bad(json!({"typ": 1})), invalid);
    assert_eq!(bad(json!({"typ": "application/dpop+jwt"})), invalid);
    assert!(v
        .verify(&sign(&key, json!({"typ": "DPoP+JWT"}), claims("case")), &c)
        .is_ok());
    assert_eq!(bad(json!({"alg": "none"})), invalid);
    assert_eq!(bad(json!({"alg": "HS256"})), invalid);
    assert_eq!(bad(json!({"alg": "ES384"})), invalid);
    assert_eq!(bad(json!({"crit": ["exp"]})), invalid);
    assert_eq!(bad(json!({"jwk": null})), invalid);
    assert_eq!(bad(json!({"jwk": "key"})), invalid);
    let mut wrong_curve = other.public_jwk().unwrap();
    wrong_curve.remove("alg");
    assert_eq!(bad(json!({ "jwk": wrong_curve })), invalid);
    assert_eq!(
        bad(json!({"jwk": {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}})),
        invalid
    );
    let mut private = key.public_jwk().unwrap();
    private.insert("d".into(), json!("AAAA"));
    assert_eq!(bad(json!({ "jwk": private })), invalid);
    // A proof signed by another key than its jwk.
    let mut theirs = JwtKey::generate(Algorithm::Es256)
        .unwrap()
        .public_jwk()
        .unwrap();
    theirs.remove("alg");
    assert_eq!(bad(json!({ "jwk": theirs })), invalid);
    // Not in a narrowed allowlist.
    let narrow = DpopVerifier::from_json(r#"{"algorithms": ["EdDSA"]}"#).unwrap();
    let proof = sign(&key, json!({}), claims("n"));
    assert_eq!(code(narrow.verify(&proof, &c)), invalid);
    assert_eq!(narrow.algorithms_param(), "EdDSA");
}

#[test]
fn shape_refusals() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let c = ctx("GET", URI, None, NOW);
    let proof = sign(&key, json!({}), claims("s"));
    let invalid = ErrorCode::DpopProofInvalid;
    for bad in [
        String::new(),
        "a.b".into(),
        format!("{proof}.x"),
        format!("{proof}="),
        proof.replacen('.', "=.", 1),
        "x".repeat(9000),
    ] {
        assert_eq!(code(v.verify(&bad, &c)), invalid, "{bad:.40}");
    }
    // A repeated member, in the header and in the claims.
    let input = format!(
        "{}.{}",
        b64url(br#"{"typ":"dpop+jwt","typ":"dpop+jwt","alg":"ES256"}"#),
        enc(&claims("d"))
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    assert_eq!(
        code(v.verify(&format!("{input}.{}", b64url(&sig)), &c)),
        invalid
    );
    let mut jwk = key.public_jwk().unwrap();
    jwk.remove("kid");
    jwk.remove("alg");
    jwk.remove("use");
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
    let input = format!(
        "{}.{}",
        enc(&header),
        b64url(br#"{"jti":"a","jti":"b","htm":"GET","htu":"https://api.example.com/orders","iat":1700000000}"#)
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    assert_eq!(
        code(v.verify(&format!("{input}.{}", b64url(&sig)), &c)),
        invalid
    );
    assert!(v.verify(&proof, &c).is_ok());
}

#[test]
fn claim_refusals() {
    let key = JwtKey::generate(Algorithm::EdDsa).unwrap();
    let v = verifier();
    let c = ctx("GET", URI, None, NOW);
    let bad = |claims: Value| code(v.verify(&sign(&key, json!({}), claims), &c));
    let invalid = ErrorCode::DpopProofInvalid;
    let base = claims("c");
    for name in ["jti", "htm", "htu", "iat"] {
        let mut m = base.as_object().cloned().unwrap();
        m.remove(name);
        assert_eq!(bad(Value::Object(m.clone())), invalid, "missing {name}");
        m.insert(name.into(), json!([1]));
        assert_eq!(bad(Value::Object(m)), invalid, "typed {name}");
    }
    assert_eq!(
        bad(json!({"jti": "", "htm": "GET", "htu": URI, "iat": NOW})),
        invalid
    );
    assert_eq!(
        bad(json!({"jti": "j".repeat(257), "htm": "GET", "htu": URI, "iat": NOW})),
        invalid
    );
    assert_eq!(
        bad(json!({"jti": "f", "htm": "GET", "htu": URI, "iat": 1.5})),
        invalid
    );
    assert_eq!(
        bad(json!({"jti": "f", "htm": "GET", "htu": URI, "iat": "1700000000"})),
        invalid
    );
    assert_eq!(
        bad(json!({"jti": "f", "htm": "GET", "htu": URI, "iat": NOW, "nonce": 5})),
        invalid
    );
}

#[test]
fn request_binding() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let proof = |htm: &str, htu: &str, jti: &str| {
        sign(
            &key,
            json!({}),
            json!({"jti": jti, "htm": htm, "htu": htu, "iat": NOW}),
        )
    };
    let mm = ErrorCode::DpopProofMismatch;
    let c = ctx("GET", URI, None, NOW);
    assert_eq!(code(v.verify(&proof("get", URI, "1"), &c)), mm);
    assert_eq!(code(v.verify(&proof("POST", URI, "2"), &c)), mm);
    for htu in [
        "https://other.example.com/orders",
        "https://api.example.com/other",
        "http://api.example.com/orders",
        "not a uri",
    ] {
        assert_eq!(code(v.verify(&proof("GET", htu, htu), &c)), mm, "{htu}");
    }
    for (i, htu) in [
        "https://API.example.com:443/orders",
        "https://api.example.com/orders?x=1",
        "https://api.example.com/orders#f",
        "https://api.example.com/a/../orders",
    ]
    .iter()
    .enumerate()
    {
        let ok = v.verify(&proof("GET", htu, &format!("n{i}")), &c);
        assert!(ok.is_ok(), "{htu}: {ok:?}");
    }
    assert_eq!(
        code(v.verify(
            &proof("GET", URI, "bad-ctx"),
            &ctx("GET", "/orders", None, NOW)
        )),
        mm
    );
}

#[test]
fn time_window() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let at = |iat: i64, jti: &str| {
        sign(
            &key,
            json!({}),
            json!({"jti": jti, "htm": "GET", "htu": URI, "iat": iat}),
        )
    };
    let c = ctx("GET", URI, None, NOW);
    let stale = ErrorCode::DpopProofStale;
    assert_eq!(code(v.verify(&at(NOW - 301, "o"), &c)), stale);
    assert_eq!(code(v.verify(&at(NOW + 6, "f"), &c)), stale);
    assert!(v.verify(&at(NOW - 300, "o2"), &c).is_ok());
    assert!(v.verify(&at(NOW + 5, "f2"), &c).is_ok());
    // A stale proof does not spend its jti.
    assert_eq!(code(v.verify(&at(NOW - 301, "o3"), &c)), stale);
    assert!(v
        .verify(&at(NOW - 301, "o3"), &ctx("GET", URI, None, NOW - 1))
        .is_ok());
    // Extreme clocks do not panic.
    for now in [i64::MIN, i64::MAX, -1] {
        assert_eq!(
            code(v.verify(&at(NOW, "x"), &ctx("GET", URI, None, now))),
            stale
        );
    }
}

#[test]
fn access_token_binding() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let token = "the-token";
    let with_ath = |ath: Value, jti: &str| {
        sign(
            &key,
            json!({}),
            json!({"jti": jti, "htm": "GET", "htu": URI, "iat": NOW, "ath": ath}),
        )
    };
    let c = ctx("GET", URI, Some(token), NOW);
    let mm = ErrorCode::DpopProofMismatch;
    assert_eq!(code(v.verify(&with_ath(json!("wrong"), "a1"), &c)), mm);
    assert_eq!(
        code(v.verify(&sign(&key, json!({}), claims("a2")), &c)),
        mm,
        "ath missing with a token"
    );
    assert_eq!(
        code(v.verify(&with_ath(json!(1), "a3"), &c)),
        ErrorCode::DpopProofInvalid
    );
    let good = with_ath(json!(access_token_hash(token)), "a4");
    assert!(v.verify(&good, &c).is_ok());
    // Without a token, an ath is ignored.
    let other = with_ath(json!("anything"), "a5");
    assert!(v.verify(&other, &ctx("GET", URI, None, NOW)).is_ok());
}

#[test]
fn nonces() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = with_nonce();
    assert_eq!(verifier().nonce(NOW), None);
    let n = v.nonce(NOW).unwrap();
    assert_eq!(v.nonce(NOW + 1), Some(n.clone()));
    let with = |nonce: Option<&str>, iat: i64, jti: &str| {
        let mut c = json!({"jti": jti, "htm": "GET", "htu": URI, "iat": iat});
        if let Some(n) = nonce {
            c["nonce"] = json!(n);
        }
        sign(&key, json!({}), c)
    };
    let c = ctx("GET", URI, None, NOW);
    let need = ErrorCode::DpopNonceRequired;
    assert_eq!(code(v.verify(&with(None, NOW, "n1"), &c)), need);
    assert_eq!(code(v.verify(&with(Some("nope"), NOW, "n2"), &c)), need);
    let two_ago = v.nonce(NOW - 600).unwrap();
    assert_eq!(code(v.verify(&with(Some(&two_ago), NOW, "n3"), &c)), need);
    let previous = v.nonce(NOW - 300).unwrap();
    let ok = v.verify(&with(Some(&previous), NOW, "n4"), &c).unwrap();
    assert_eq!(ok.nonce.as_deref(), Some(previous.as_str()));
    assert!(v.verify(&with(Some(&n), NOW, "n5"), &c).is_ok());
    // The iat window still applies with a good nonce.
    assert_eq!(
        code(v.verify(&with(Some(&n), NOW - 400, "n6"), &c)),
        ErrorCode::DpopProofStale
    );
    // A refused nonce spends nothing: the same proof with the right nonce is a new jti.
    assert!(v.verify(&with(Some(&n), NOW, "n1"), &c).is_ok());
    // Another secret's nonce is refused.
    let other = DpopVerifier::from_json(
        r#"{"nonce": {"secret": "another-secret-0123456789abcdef0123456789"}}"#,
    )
    .unwrap();
    let foreign = other.nonce(NOW).unwrap();
    assert_ne!(foreign, n);
    assert_eq!(code(v.verify(&with(Some(&foreign), NOW, "n7"), &c)), need);
}

#[test]
fn replay_is_per_key_and_jti_and_recorded_last() {
    let a = JwtKey::generate(Algorithm::Es256).unwrap();
    let b = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let c = ctx("GET", URI, None, NOW);
    let pa = sign(&a, json!({}), claims("same"));
    let pb = sign(&b, json!({}), claims("same"));
    // A mismatch does not spend the jti.
    assert_eq!(
        code(v.verify(&pa, &ctx("POST", URI, None, NOW))),
        ErrorCode::DpopProofMismatch
    );
    assert!(v.verify(&pa, &c).is_ok());
    assert!(v.verify(&pb, &c).is_ok(), "another key, the same jti");
    assert_eq!(code(v.verify(&pa, &c)), ErrorCode::DpopProofReplayed);
    // A full store fails closed.
    let full = DpopVerifier::new(DpopConfig::default(), Arc::new(MemoryStore::new(1))).unwrap();
    assert!(full.verify(&pa, &c).is_ok());
    assert_eq!(code(full.verify(&pb, &c)), ErrorCode::StoreUnavailable);
}

#[test]
fn requests() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = verifier();
    let proof = sign(&key, json!({}), claims("r1"));
    let req = Request::new("GET", "/orders?page=2")
        .unwrap()
        .header("Host", "API.example.com")
        .unwrap()
        .header("DPoP", &proof)
        .unwrap()
        .at(NOW);
    assert!(v.verify_request(&req, None, None).is_ok());
    assert_eq!(
        v.verify_request(&req, None, None).unwrap_err().code(),
        ErrorCode::DpopProofReplayed
    );
    let missing = Request::new("GET", "/orders").unwrap().at(NOW);
    assert_eq!(
        v.verify_request(&missing, None, None).unwrap_err().code(),
        ErrorCode::DpopProofMissing
    );
    let twice = req.clone().header("dpop", &proof).unwrap();
    assert_eq!(
        v.verify_request(&twice, None, None).unwrap_err().code(),
        ErrorCode::DpopProofMissing
    );
    // Behind a proxy: the Host is internal, the origin is what the client used.
    let proof = sign(&key, json!({}), claims("r2"));
    let proxied = Request::new("GET", "/orders")
        .unwrap()
        .header("Host", "10.0.0.7:8080")
        .unwrap()
        .header("DPoP", &proof)
        .unwrap()
        .at(NOW);
    assert_eq!(
        v.verify_request(&proxied, None, None).unwrap_err().code(),
        ErrorCode::DpopProofMismatch
    );
    assert!(v
        .verify_request(&proxied, None, Some("https://api.example.com/"))
        .is_ok());
    // No Host and no origin: no URI to compare with.
    let proof = sign(&key, json!({}), claims("r3"));
    let hostless = Request::new("GET", "/orders")
        .unwrap()
        .header("DPoP", &proof)
        .unwrap()
        .at(NOW);
    assert_eq!(
        v.verify_request(&hostless, None, None).unwrap_err().code(),
        ErrorCode::DpopProofMismatch
    );
    // The scheme the host recorded.
    let mut plain = Request::new("GET", "/orders")
        .unwrap()
        .header("Host", "api.example.com")
        .unwrap()
        .header("DPoP", &proof)
        .unwrap()
        .at(NOW);
    plain.set_scheme("http").unwrap();
    assert_eq!(
        v.verify_request(&plain, None, None).unwrap_err().code(),
        ErrorCode::DpopProofMismatch
    );
    // An absolute-form target.
    let absolute = Request::new("GET", "https://api.example.com/orders")
        .unwrap()
        .header("DPoP", &proof)
        .unwrap()
        .at(NOW);
    assert!(v.verify_request(&absolute, None, None).is_ok());
}

#[test]
fn configuration() {
    let bad = |json: &str| DpopVerifier::from_json(json).unwrap_err().code();
    let ci = ErrorCode::ConfigInvalid;
    assert_eq!(bad(r#"{"algorithms": ["HS256"]}"#), ci);
    assert_eq!(bad(r#"{"algorithms": []}"#), ci);
    assert_eq!(bad(r#"{"max_age_seconds": 0}"#), ci);
    assert_eq!(bad(r#"{"max_age_seconds": 3601}"#), ci);
    assert_eq!(bad(r#"{"leeway_seconds": 301}"#), ci);
    assert_eq!(bad(r#"{"max_proof_bytes": 0}"#), ci);
    assert_eq!(bad(r#"{"nonce": {"secret": "short"}}"#), ci);
    assert_eq!(
        bad(
            r#"{"nonce": {"secret": "nonce-secret-0123456789abcdef0123456789", "step_seconds": 5}}"#
        ),
        ci
    );
    assert_eq!(bad(r#"{"algorithm": ["ES256"]}"#), ErrorCode::JsonInvalid);
    assert_eq!(bad(r#"{"algorithms": ["none"]}"#), ErrorCode::JsonInvalid);
    assert_eq!(bad("[]"), ErrorCode::JsonInvalid);
    let v = DpopVerifier::from_json("{}").unwrap();
    assert_eq!(v.config(), &DpopConfig::default());
    assert_eq!(
        v.algorithms_param(),
        "ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"
    );
    let debug = format!("{:?}", with_nonce());
    assert!(!debug.contains(SECRET), "{debug}");
    let e = DpopVerifier::from_json(r#"{"nonce": {"secret": 12345678901234567890}}"#);
    assert!(e.is_err());
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DpopVerifier>();
}

#[test]
fn details_hold_no_proof_or_key() {
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = with_nonce();
    let proof = sign(
        &key,
        json!({"kid": "kid-marker"}),
        json!({"jti": "jti-marker", "htm": "PUT", "htu": "https://htu-marker.example/", "iat": NOW, "nonce": "nonce-marker"}),
    );
    let jwk = key.thumbprint().unwrap();
    for c in [
        ctx("GET", URI, None, NOW),
        ctx(
            "PUT",
            "https://htu-marker.example/",
            Some("token-marker"),
            NOW,
        ),
        ctx("PUT", "https://htu-marker.example/", None, NOW),
    ] {
        let e = v.verify(&proof, &c).unwrap_err();
        for marker in ["marker", &proof[..20], SECRET, &jwk] {
            assert!(!e.detail().contains(marker), "{}", e.detail());
        }
    }
}

#[test]
fn nothing_panics_on_junk() {
    let v = with_nonce();
    let c = ctx("GET", URI, None, NOW);
    let junk = [
        "..",
        "...",
        ".a.",
        "eyJ9.e30.",
        "e30.e30.e30",
        "\u{0}.\u{0}.\u{0}",
        "é.é.é",
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7fX0.e30.AA",
    ];
    for j in junk {
        assert_eq!(code(v.verify(j, &c)), ErrorCode::DpopProofInvalid, "{j}");
    }
}

#[test]
fn mutated_proofs_never_panic() {
    // A deterministic mutation pass over a valid proof and its segments: every outcome is a
    // dpop_* refusal (or the one mutant that still verifies), never a panic.
    let key = JwtKey::generate(Algorithm::Es256).unwrap();
    let v = with_nonce();
    let good = sign(
        &key,
        json!({}),
        json!({"jti": "m", "htm": "GET", "htu": URI, "iat": NOW, "nonce": v.nonce(NOW)}),
    );
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    };
    let alphabet = b"AZaz09-_.=+/ \"{}";
    for _ in 0..3000 {
        let mut bytes = good.as_bytes().to_vec();
        for _ in 0..1 + next(4) {
            let at = next(bytes.len());
            match next(3) {
                0 => bytes[at] = alphabet[next(alphabet.len())],
                1 => bytes.insert(at, alphabet[next(alphabet.len())]),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        let proof = String::from_utf8_lossy(&bytes);
        match v.verify(&proof, &ctx("GET", URI, Some("t"), NOW)) {
            Ok(_) => {}
            Err(e) => assert!(
                e.code().name().starts_with("dpop_") && !e.detail().is_empty(),
                "{e:?}"
            ),
        }
        let _ = normalize_htu(&proof);
    }
}

#[test]
fn the_header_memo_never_mixes_clients() {
    let v = verifier();
    let one = JwtKey::generate(Algorithm::Es256).unwrap();
    let two = JwtKey::generate(Algorithm::EdDsa).unwrap();
    let thumb = |k: &JwtKey| k.thumbprint().unwrap();
    let c = ctx("GET", URI, None, NOW);
    for (i, key) in [&one, &two, &one, &one, &two].into_iter().enumerate() {
        let proof = sign(key, json!({}), claims(&format!("memo-{i}")));
        assert_eq!(v.verify(&proof, &c).unwrap().thumbprint, thumb(key));
    }
    // The remembered header with another key's signature is refused, and a bad header after a
    // good one is read afresh.
    let good = sign(&one, json!({}), claims("memo-5"));
    let forged = sign(&two, json!({}), claims("memo-6"));
    let (h, _) = good.split_once('.').unwrap();
    let (_, rest) = forged.split_once('.').unwrap();
    assert_eq!(
        code(v.verify(&format!("{h}.{rest}"), &c)),
        ErrorCode::DpopProofInvalid
    );
    assert!(v.verify(&good, &c).is_ok());
    let untyped = sign(&one, json!({"typ": "JWT"}), claims("memo-7"));
    assert_eq!(code(v.verify(&untyped, &c)), ErrorCode::DpopProofInvalid);
}
