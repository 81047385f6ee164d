//! The Rust runner of tests/vectors/jwt.json (ops in tests/vectors/JWT.md).

mod common;

use std::sync::Arc;

use base64::Engine;
use common::{b64, check_file, deny, fail, principal_json, s, Outcome};
use portcullis::jwt::{
    encode, thumbprint, Algorithm, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier,
};
use portcullis::Error;
use serde_json::{json, Value};

fn alg(v: &Value) -> Option<Algorithm> {
    v.as_str()
        .map(|a| Algorithm::from_name(a).expect("known alg in vector"))
}

/// One key entry: `jwks`, `jwk` (+ optional `alg`), `pem` + `alg`, or `secret_b64` + `alg`;
/// `kid` sets the key id.
fn add_key(set: &JwtKeySet, entry: &Value) -> Result<(), Error> {
    if let Some(jwks) = entry.get("jwks") {
        set.add_jwks(&jwks.to_string())?;
        return Ok(());
    }
    set.insert(one_key(entry)?)
}

fn one_key(entry: &Value) -> Result<JwtKey, Error> {
    let key = if let Some(jwk) = entry.get("jwk") {
        JwtKey::from_jwk(jwk.as_object().unwrap(), alg(&entry["alg"]))?
    } else if let Some(pem) = entry.get("pem") {
        JwtKey::from_pem(alg(&entry["alg"]).unwrap(), s(pem).as_bytes())?
    } else {
        JwtKey::from_secret(alg(&entry["alg"]).unwrap(), &b64(&entry["secret_b64"]))?
    };
    Ok(match entry.get("kid") {
        Some(kid) => key.with_kid(s(kid)),
        None => key,
    })
}

fn verifier(input: &Value) -> Result<JwtVerifier, Error> {
    let config = JwtConfig::from_json(&input["config"].to_string())?;
    let set = JwtKeySet::new();
    for entry in input["keys"].as_array().unwrap() {
        add_key(&set, entry)?;
    }
    JwtVerifier::new(config, Arc::new(set))
}

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "verify" => {
            let v = verifier(input).map_err(fail)?;
            for jti in input["revoked"].as_array().into_iter().flatten() {
                v.revoke(s(jti), now + 86_400, now).map_err(fail)?;
            }
            let scopes = common::scopes(input);
            v.verify_token(s(&input["token"]), now, &scopes)
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "verify_jws" => {
            let v = verifier(input).map_err(fail)?;
            let jws = v.verify_jws(s(&input["token"])).map_err(fail)?;
            Ok(json!({
                "alg": jws.alg.name(),
                "kid": jws.kid,
                "payload_b64": base64::engine::general_purpose::STANDARD.encode(&jws.payload),
            }))
        }
        "sign" => {
            let key = one_key(&input["key"]).map_err(fail)?;
            let header = HeaderOptions::from_json(&input["header"].to_string()).map_err(fail)?;
            let token =
                encode(input["claims"].as_object().unwrap(), &header, &key).map_err(fail)?;
            Ok(json!({ "token": token }))
        }
        "thumbprint" => {
            let t = thumbprint(input["jwk"].as_object().unwrap()).map_err(fail)?;
            Ok(json!({ "thumbprint": t }))
        }
        op => panic!("unknown jwt op {op}"),
    }
}

#[test]
fn jwt_vectors() {
    check_file("jwt.json", run);
}
