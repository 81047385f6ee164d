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

pub fn build_request(v: &Value, now: i64) -> Result<Request, Error> {
    let mut r = Request::new(s(&v["method"]), s(&v["target"]))?;
    if let Some(headers) = v["headers"].as_array() {
        for h in headers {
            r.add_header(s(&h[0]), s(&h[1]).as_bytes())?;
        }
    }
    if let Some(headers) = v["headers_b64"].as_array() {
        for h in headers {
            let value = base64::engine::general_purpose::STANDARD
                .decode(s(&h[1]))
                .expect("base64 in vector");
            r.add_header(s(&h[0]), &value)?;
        }
    }
    if let Some(body) = v.get("body") {
        r.set_body(s(body).as_bytes().to_vec())?;
    }
    if let Some(body) = v.get("body_b64") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s(body))
            .expect("base64 in vector");
        r.set_body(bytes)?;
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
