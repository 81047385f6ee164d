//! The Rust runner of tests/vectors/httpsig.json (format: tests/vectors/HTTPSIG.md).

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine;
use portcullis::httpsig::{
    signature_base_for_request, signature_base_for_response, HttpSigAlgorithm, HttpSigConfig,
    HttpSigKey, HttpSigKeyring, HttpSigSigner, HttpSigVerifier, Response, SfType, SignatureSpec,
};
use portcullis::{Denial, Error, Principal, Request};
use serde_json::{json, Value};

type Outcome = Result<Value, String>;

fn fail(e: Error) -> String {
    e.code().name().to_owned()
}

fn deny(d: Denial) -> String {
    assert!(
        d.challenge().is_none(),
        "httpsig denials carry no challenge"
    );
    d.code().name().to_owned()
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string in vector")
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s(v))
        .expect("base64 in vector")
}

fn headers(v: &Value) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for h in v["headers"].as_array().into_iter().flatten() {
        out.push((s(&h[0]).to_owned(), s(&h[1]).as_bytes().to_vec()));
    }
    for h in v["headers_b64"].as_array().into_iter().flatten() {
        out.push((s(&h[0]).to_owned(), b64(&h[1])));
    }
    out
}

fn body(v: &Value) -> Option<Vec<u8>> {
    match (v.get("body"), v.get("body_b64")) {
        (Some(b), _) => Some(s(b).as_bytes().to_vec()),
        (None, Some(b)) => Some(b64(b)),
        (None, None) => None,
    }
}

fn build_request(v: &Value, now: i64) -> Result<Request, Error> {
    let mut r = Request::new(s(&v["method"]), s(&v["target"]))?;
    for (n, value) in headers(v) {
        r.add_header(&n, &value)?;
    }
    if let Some(b) = body(v) {
        r.set_body(b)?;
    }
    if let Some(scheme) = v.get("scheme") {
        r.set_scheme(s(scheme))?;
    }
    r.set_now(now);
    Ok(r)
}

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

fn principal_json(p: &Principal) -> Value {
    let mut v = p.to_json();
    v["claims_canonical"] = Value::String(serde_json::to_string(&p.claims).unwrap());
    v
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
            let mut last = Err("no attempt".to_owned());
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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/httpsig.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 100);
    let mut failures = Vec::new();
    for case in cases {
        let id = s(&case["id"]);
        let outcome = run(&case["input"], case["now"].as_i64().unwrap());
        let expect = &case["expect"];
        let problem = match (&outcome, expect.get("ok"), expect.get("error")) {
            (Ok(got), Some(want), _) => want
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, v)| got.get(k.as_str()) != Some(v))
                .map(|(k, v)| format!("{k}: want {v}, got {:?}", got.get(k.as_str()))),
            (Err(code), _, Some(want)) => {
                (code != s(want)).then(|| format!("want {want}, got {code}"))
            }
            (Ok(got), None, Some(want)) => Some(format!("want error {want}, got ok {got}")),
            (Err(code), Some(_), _) => Some(format!("want ok, got error {code}")),
            _ => Some("case has neither ok nor error".into()),
        };
        if let Some(p) = problem {
            failures.push(format!("{id}: {p}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
