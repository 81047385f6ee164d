//! The Rust runner of the shared vectors in tests/vectors/*.json (format: tests/vectors/README.md).

use std::path::PathBuf;

use base64::Engine;
use portcullis::apikey::{ApiKeyConfig, ApiKeyRecord, ApiKeyRing};
use portcullis::basic::{self, BasicAuth, BasicConfig};
use portcullis::{Denial, Error, Principal, Request};
use serde_json::{json, Value};

/// What an op produced: an `ok` object, or an error name with its challenge.
type Outcome = Result<Value, (String, Option<String>)>;

fn fail(e: Error) -> (String, Option<String>) {
    (e.code().name().to_owned(), None)
}

fn deny(d: Denial) -> (String, Option<String>) {
    (
        d.code().name().to_owned(),
        d.challenge().map(|c| c.header_value()),
    )
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string in vector")
}

fn build_request(v: &Value, now: i64) -> Result<Request, Error> {
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
    r.set_now(now);
    Ok(r)
}

fn principal_json(p: &Principal) -> Value {
    let mut v = p.to_json();
    v["claims_canonical"] = Value::String(serde_json::to_string(&p.claims).unwrap());
    v
}

fn scopes(input: &Value) -> Vec<String> {
    input["scopes"]
        .as_array()
        .map(|a| a.iter().map(|x| s(x).to_owned()).collect())
        .unwrap_or_default()
}

fn run_apikey(input: &Value, now: i64) -> Outcome {
    let pepper: Vec<u8> = (0..s(&input["pepper_hex"]).len() / 2)
        .map(|i| u8::from_str_radix(&s(&input["pepper_hex"])[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let config = ApiKeyConfig::from_json(&input["config"].to_string()).map_err(fail)?;
    let ring = ApiKeyRing::new(&pepper, config).map_err(fail)?;
    match s(&input["op"]) {
        "verify" => {
            for r in input["records"].as_array().unwrap() {
                let record = ApiKeyRecord::from_json(&r.to_string()).map_err(fail)?;
                ring.insert(record).map_err(fail)?;
            }
            let request = build_request(&input["request"], now).map_err(fail)?;
            ring.verify(&request, &scopes(input))
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "verify_record" => {
            let record = ApiKeyRecord::from_json(&input["record"].to_string()).map_err(fail)?;
            let request = build_request(&input["request"], now).map_err(fail)?;
            ring.verify_record(&request, &record, &scopes(input))
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "check_format" => ring
            .check_format(s(&input["key"]))
            .map(|k| json!({ "environment": k.environment }))
            .map_err(fail),
        "lookup_digest" => {
            let request = build_request(&input["request"], now).map_err(fail)?;
            ring.lookup_digest(&request)
                .map(|d| json!({ "digest": d }))
                .map_err(deny)
        }
        op => panic!("unknown apikey op {op}"),
    }
}

fn run_basic(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "parse" => {
            let header = match input.get("header_b64") {
                Some(b) => base64::engine::general_purpose::STANDARD
                    .decode(s(b))
                    .unwrap(),
                None => s(&input["header"]).as_bytes().to_vec(),
            };
            basic::parse_authorization(&header)
                .map(|c| json!({ "user_id": c.user_id, "password": c.password.expose() }))
                .map_err(fail)
        }
        "verify" | "load" => {
            let config = BasicConfig::from_json(&input["config"].to_string()).map_err(fail)?;
            let auth = BasicAuth::new(config).map_err(fail)?;
            if s(&input["op"]) == "load" {
                return Ok(json!({ "users": auth.len() }));
            }
            let request = build_request(&input["request"], now).map_err(fail)?;
            auth.verify(&request)
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        op => panic!("unknown basic op {op}"),
    }
}

fn check_file(name: &str, run: fn(&Value, i64) -> Outcome) {
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

#[test]
fn apikey_vectors() {
    check_file("apikey.json", run_apikey);
}

#[test]
fn basic_vectors() {
    check_file("basic.json", run_basic);
}
