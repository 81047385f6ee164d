//! The Rust runner of the shared vectors in tests/vectors/*.json (format: tests/vectors/README.md).

mod common;

use base64::Engine;
use common::{build_request, check_file, deny, fail, principal_json, s, scopes, Outcome};
use portcullis::apikey::{ApiKeyConfig, ApiKeyRecord, ApiKeyRing};
use portcullis::basic::{self, BasicAuth, BasicConfig};
use serde_json::{json, Value};

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

#[test]
fn apikey_vectors() {
    check_file("apikey.json", run_apikey);
}

#[test]
fn basic_vectors() {
    check_file("basic.json", run_basic);
}
