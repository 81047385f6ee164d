//! The Rust runner of tests/vectors/httpsig.json (format: tests/vectors/HTTPSIG.md).

use std::collections::HashMap;
mod common;

use common::{
    b64, body, build_request, check_file, deny, fail, headers, principal_json, s, Outcome,
};
use portcullis::httpsig::{
    signature_base_for_request, signature_base_for_response, HttpSigAlgorithm, HttpSigConfig,
    HttpSigKey, HttpSigKeyring, HttpSigSigner, HttpSigVerifier, Response, SfType, SignatureSpec,
};
use portcullis::{Error, Request};
use serde_json::{json, Value};

fn build_response(v: &Value, now: i64) -> Result<Response, Error> {
    let status = u16::try_from(v["status"].as_u64().expect("status")).expect("u16 status");
    let mut r = Response::new(status)?;
    for (n, value) in headers(v) {
        r.add_header(&n, &value)?;
    }
    if let Some(b) = body(v) {
        r.set_body(b)?;
    }
    r.set_now(now);
    Ok(r)
}

fn related(input: &Value, now: i64) -> Result<Option<Request>, Error> {
    input
        .get("related_request")
        .map(|r| build_request(r, now))
        .transpose()
}

fn algorithm(k: &Value) -> Result<HttpSigAlgorithm, Error> {
    HttpSigAlgorithm::from_name(s(&k["alg"]))
}

fn structured_fields(input: &Value) -> HashMap<String, SfType> {
    serde_json::from_value(input.get("structured_fields").cloned().unwrap_or(json!({})))
        .expect("structured_fields map")
}

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "signature_base" => {
            let params = s(&input["signature_params"]);
            let sf = structured_fields(input);
            let base = if let Some(r) = input.get("request") {
                let request = build_request(r, now).map_err(fail)?;
                signature_base_for_request(&request, params, &sf)
            } else {
                let response = build_response(&input["response"], now).map_err(fail)?;
                let rel = related(input, now).map_err(fail)?;
                signature_base_for_response(&response, rel.as_ref(), params, &sf)
            }
            .map_err(fail)?;
            Ok(json!({ "base": String::from_utf8(base).expect("ASCII base") }))
        }
        "sign" => {
            let k = &input["key"];
            let alg = algorithm(k).map_err(fail)?;
            let signer = if alg == HttpSigAlgorithm::HmacSha256 {
                HttpSigSigner::hmac(s(&k["keyid"]), &b64(&k["secret_b64"]))
            } else {
                HttpSigSigner::from_pem(s(&k["keyid"]), alg, s(&k["pem"]).as_bytes())
            }
            .map_err(fail)?;
            let spec = SignatureSpec::from_json(&input["spec"].to_string()).map_err(fail)?;
            let signed = if let Some(r) = input.get("request") {
                let request = build_request(r, now).map_err(fail)?;
                signer.sign_request(&request, &spec)
            } else {
                let response = build_response(&input["response"], now).map_err(fail)?;
                let rel = related(input, now).map_err(fail)?;
                signer.sign_response(&response, rel.as_ref(), &spec)
            }
            .map_err(fail)?;
            Ok(json!({
                "signature_input": signed.signature_input,
                "signature": signed.signature,
                "base": String::from_utf8(signed.signature_base).expect("ASCII base"),
            }))
        }
        "verify" => {
            let config = HttpSigConfig::from_json(&input["config"].to_string()).map_err(fail)?;
            let keys = HttpSigKeyring::new();
            for k in input["keys"].as_array().expect("keys") {
                let alg = algorithm(k).map_err(fail)?;
                let key = match k.get("secret_b64") {
                    Some(secret) => HttpSigKey::hmac_secret(&b64(secret)),
                    None => HttpSigKey::public_pem(alg, s(&k["pem"]).as_bytes()),
                }
                .map_err(fail)?;
                keys.insert(s(&k["keyid"]), key).map_err(fail)?;
            }
            let verifier = HttpSigVerifier::new(config, keys).map_err(fail)?;
            let repeat = input.get("repeat").and_then(Value::as_u64).unwrap_or(1);
            let mut last = Err(("no attempt".to_owned(), None));
            for _ in 0..repeat {
                last = if let Some(r) = input.get("request") {
                    let request = build_request(r, now).map_err(fail)?;
                    verifier.verify_request(&request)
                } else {
                    let response = build_response(&input["response"], now).map_err(fail)?;
                    let rel = related(input, now).map_err(fail)?;
                    verifier.verify_response(&response, rel.as_ref())
                }
                .map(|p| principal_json(&p))
                .map_err(deny);
            }
            last
        }
        op => panic!("unknown httpsig op {op}"),
    }
}

#[test]
fn httpsig_vectors() {
    check_file("httpsig.json", run);
}
