//! The Rust runner of tests/vectors/jwks.json (ops in tests/vectors/JWKS.md): remote key sets
//! against a loopback HTTP server started for each case.

mod common;

#[allow(dead_code)] // the TLS and delay helpers serve jwks_remote.rs
#[path = "support/http_server.rs"]
mod http_server;

use std::sync::Arc;
use std::time::Duration;

use common::{deny, fail, principal_json, s, vectors_dir, Outcome};
use http_server::{Reply, Server};
use portcullis::jwt::{JwksClient, JwksConfig, JwtConfig, JwtVerifier};
use serde_json::{json, Value};

const PLACEHOLDER: &str = "{{base}}";

/// `{{base}}` replaced in every string value of a config object (one level: URLs live there).
fn substitute(config: &Value, base: &str) -> Value {
    let mut out = config.clone();
    if let Some(map) = out.as_object_mut() {
        for value in map.values_mut() {
            if let Value::String(text) = value {
                *text = text.replace(PLACEHOLDER, base);
            }
        }
    }
    out
}

/// One canned response per path, `{{base}}` replaced in the body.
fn route(server: &Server, response: &Value, base: &str) {
    let headers = response["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| (s(&h[0]).to_owned(), s(&h[1]).to_owned()))
        .collect();
    let status = response["status"].as_u64().expect("status");
    server.set(
        s(&response["path"]),
        Reply {
            status: u16::try_from(status).expect("HTTP status"),
            headers,
            body: s(&response["body"]).replace(PLACEHOLDER, base).into_bytes(),
            delay: Duration::ZERO,
            content_length: true,
        },
    );
}

fn client(config: &Value) -> Result<JwksClient, portcullis::Error> {
    JwksClient::new(JwksConfig::from_json(&config.to_string())?)
}

/// Runs `verify_remote`: every attempt's outcome and the server's request count.
fn verify_remote(input: &Value, now: i64) -> (Vec<Outcome>, usize) {
    let server = Server::start();
    let base = server.url("");
    for response in input["responses"].as_array().expect("responses") {
        route(&server, response, &base);
    }
    let times = input.get("times").map_or(1, |t| t.as_u64().expect("times"));
    let built = client(&substitute(&input["config"], &base)).and_then(|c| {
        let config = JwtConfig::from_json(&input["jwt_config"].to_string())?;
        JwtVerifier::new(config, Arc::new(c))
    });
    let outcomes = match built {
        Err(e) => vec![Err(fail(e))],
        Ok(verifier) => (0..times)
            .map(|_| {
                verifier
                    .verify_token(s(&input["token"]), now, &[] as &[&str])
                    .map(|p| principal_json(&p))
                    .map_err(deny)
            })
            .collect(),
    };
    let requests = server.total_hits();
    drop(server);
    (outcomes, requests)
}

/// What is wrong with `outcome` against `expect`, if anything.
fn judge(outcome: &Outcome, expect: &Value) -> Option<String> {
    match (outcome, expect.get("ok"), expect.get("error")) {
        (Ok(got), Some(want), _) => want
            .as_object()
            .expect("ok object")
            .iter()
            .find(|(k, v)| got.get(k.as_str()) != Some(v))
            .map(|(k, v)| format!("{k}: want {v}, got {:?}", got.get(k.as_str()))),
        (Err((code, _)), _, Some(want)) if code == s(want) => None,
        (got, _, _) => Some(format!("expected {expect}, got {got:?}")),
    }
}

fn run_case(case: &Value) -> Option<String> {
    let input = &case["input"];
    let expect = &case["expect"];
    let now = case["now"].as_i64().expect("now");
    match s(&input["op"]) {
        "jwks_config" => {
            let outcome = client(&input["config"]).map(|_| json!({})).map_err(fail);
            judge(&outcome, expect)
        }
        "verify_remote" => {
            let (outcomes, requests) = verify_remote(input, now);
            let mut problems: Vec<String> = outcomes
                .iter()
                .enumerate()
                .filter_map(|(i, o)| judge(o, expect).map(|p| format!("attempt {}: {p}", i + 1)))
                .collect();
            if let Some(want) = expect.get("requests") {
                let want = want.as_u64().expect("requests") as usize;
                if requests != want {
                    problems.push(format!("requests: want {want}, got {requests}"));
                }
            }
            (!problems.is_empty()).then(|| problems.join("; "))
        }
        op => Some(format!("unknown jwks op {op}")),
    }
}

#[test]
fn jwks_vectors() {
    let text = std::fs::read_to_string(vectors_dir().join("jwks.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| run_case(case).map(|p| format!("jwks.json {}: {p}", s(&case["id"]))))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
