//! Shared by the vector runners: requests, principals and the expectation check.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::Engine;
use portcullis::{Denial, Error, Principal, Request};
use serde_json::Value;

/// What an op produced: an `ok` object, or an error name with its challenge.
pub type Outcome = Result<Value, (String, Option<String>)>;

pub fn fail(e: Error) -> (String, Option<String>) {
    (e.code().name().to_owned(), None)
}

pub fn deny(d: Denial) -> (String, Option<String>) {
    (
        d.code().name().to_owned(),
        d.challenge().map(|c| c.header_value()),
    )
}

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

pub fn s(v: &Value) -> &str {
    v.as_str().expect("string in vector")
}

pub fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s(v))
        .expect("base64 in vector")
}

/// A message's header fields: `headers` (text values) then `headers_b64` (raw bytes).
pub fn headers(v: &Value) -> Vec<(String, Vec<u8>)> {
    let text = v["headers"].as_array().into_iter().flatten();
    let raw = v["headers_b64"].as_array().into_iter().flatten();
    text.map(|h| (s(&h[0]).to_owned(), s(&h[1]).as_bytes().to_vec()))
        .chain(raw.map(|h| (s(&h[0]).to_owned(), b64(&h[1]))))
        .collect()
}

/// A message's body: `body` (UTF-8 text) or `body_b64`; neither (or null) means no body.
pub fn body(v: &Value) -> Option<Vec<u8>> {
    match (v.get("body"), v.get("body_b64")) {
        (Some(b), _) if !b.is_null() => Some(s(b).as_bytes().to_vec()),
        (_, Some(b)) if !b.is_null() => Some(b64(b)),
        _ => None,
    }
}

pub fn build_request(v: &Value, now: i64) -> Result<Request, Error> {
    let mut r = Request::new(s(&v["method"]), s(&v["target"]))?;
    for (name, value) in headers(v) {
        r.add_header(&name, &value)?;
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

pub fn principal_json(p: &Principal) -> Value {
    let mut v = p.to_json();
    v["claims_canonical"] = Value::String(serde_json::to_string(&p.claims).unwrap());
    v
}

pub fn scopes(input: &Value) -> Vec<String> {
    input["scopes"]
        .as_array()
        .map(|a| a.iter().map(|x| s(x).to_owned()).collect())
        .unwrap_or_default()
}

pub fn check_file(name: &str, run: fn(&Value, i64) -> Outcome) {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
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
            (Err((code, challenge)), _, Some(want)) => {
                if code != s(want) {
                    Some(format!("want error {want}, got {code}"))
                } else {
                    expect
                        .get("challenge")
                        .filter(|c| challenge.as_deref() != Some(s(c)))
                        .map(|c| format!("challenge: want {c}, got {challenge:?}"))
                }
            }
            (got, _, _) => Some(format!("expected {expect}, got {got:?}")),
        };
        if let Some(p) = problem {
            failures.push(format!("{name} {id}: {p}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
