//! The Rust runner of tests/vectors/gate.json and oauth_rs.json (format: tests/vectors/GATE.md): one gate per
//! case, its requests checked in order, every listed member of each decision compared; load
//! cases compare the error's code and exact detail.

mod common;

use common::{b64, build_request, s, vectors_dir};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::{Gate, GateDecision, GateOptions};
use portcullis::{Error, Request};
use serde_json::{json, Value};

fn options(doc: &Value) -> GateOptions {
    let mut secrets = Secrets::new();
    for (name, value) in doc["secrets"].as_object().expect("secrets") {
        secrets.insert(name.as_str(), s(value));
    }
    GateOptions {
        load: LoadContext::new()
            .with_base_dir(vectors_dir())
            .with_secrets(secrets),
        audit_sinks: Vec::new(),
    }
}

fn format(input: &Value) -> Format {
    match s(&input["format"]) {
        "toml" => Format::Toml,
        "json" => Format::Json,
        other => panic!("unknown format {other}"),
    }
}

/// The request `R`: the shared request form plus `now`, `peer_address` and
/// `peer_certificates_b64`.
fn request(v: &Value) -> Request {
    let now = v["now"].as_i64().expect("request now");
    let mut r = build_request(v, now).expect("a request the vector can build");
    if let Some(ip) = v.get("peer_address") {
        r.set_peer_address(s(ip).parse().expect("IP address in vector"));
    }
    for cert in v["peer_certificates_b64"].as_array().into_iter().flatten() {
        r.add_peer_certificate(b64(cert)).expect("peer certificate");
    }
    r
}

/// Differences between decision `d` and expectation `want`. Members absent from `want` that
/// say "there is none" (`subject`, `retry_after`, `problem`) must be absent from `d` too:
/// gen_gate.py lists every member that applies.
fn compare(d: &GateDecision, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, got: Value| {
        if let Some(w) = want.get(name) {
            if *w != got {
                out.push(format!("{name}: want {w}, got {got}"));
            }
        } else if matches!(name, "subject" | "retry_after" | "problem") && !got.is_null() {
            out.push(format!("{name}: want none, got {got}"));
        }
    };
    check("allowed", json!(d.allowed()));
    check("status", json!(d.status()));
    check("route", json!(d.route()));
    check("credential", json!(d.credential()));
    check("subject", json!(d.principal().map(|p| p.subject.as_str())));
    check("code", json!(d.code().map(|c| c.name())));
    let challenges: Vec<String> = d.challenges().iter().map(|c| c.header_value()).collect();
    check("challenges", json!(challenges));
    let headers: Vec<[&str; 2]> = d.headers().iter().map(|(n, v)| [*n, &**v]).collect();
    check("headers", json!(headers));
    check("retry_after", json!(d.retry_after()));
    let problem = d
        .problem_json()
        .map(|p| serde_json::from_str::<Value>(&p).expect("problem body is JSON"));
    check("problem", json!(problem));
    for required in ["allowed", "status"] {
        if want.get(required).is_none() {
            out.push(format!("the vector's decision lacks `{required}`"));
        }
    }
    out
}

fn run_check(doc: &Value, case: &Value) -> Vec<String> {
    let input = &case["input"];
    let loaded = match input.get("config") {
        Some(name) => {
            let config = &doc["configs"][s(name)];
            assert!(config.is_object(), "no config named {name}");
            Gate::from_text(&config.to_string(), Format::Json, options(doc))
        }
        None => Gate::from_text(s(&input["text"]), format(input), options(doc)),
    };
    let gate = match loaded {
        Ok(g) => g,
        Err(e) => return vec![format!("the configuration does not load: {e}")],
    };
    let requests = input["requests"].as_array().expect("requests");
    let decisions = case["expect"]["decisions"].as_array().expect("decisions");
    assert_eq!(requests.len(), decisions.len(), "one decision per request");
    let mut out = Vec::new();
    for (i, (r, want)) in requests.iter().zip(decisions).enumerate() {
        // A request with `scopes` is checked with the caller's scopes (`check_with_scopes`).
        let d = match r.get("scopes") {
            Some(scopes) => {
                let scopes: Vec<&str> = scopes
                    .as_array()
                    .expect("scopes is a list")
                    .iter()
                    .map(s)
                    .collect();
                gate.check_with_scopes(&request(r), &scopes)
            }
            None => gate.check(&request(r)),
        };
        out.extend(
            compare(&d, want)
                .into_iter()
                .map(|p| format!("request {i}: {p}")),
        );
    }
    out
}

fn run_load(doc: &Value, case: &Value) -> Vec<String> {
    let input = &case["input"];
    let expect = &case["expect"];
    match Gate::from_text(s(&input["text"]), format(input), options(doc)) {
        Ok(_) => vec![format!("loaded; want {}", expect["error"])],
        Err(e) => {
            let e = Error::from(e);
            let mut out = Vec::new();
            if e.code().name() != s(&expect["error"]) {
                out.push(format!(
                    "error: want {}, got {}",
                    expect["error"],
                    e.code().name()
                ));
            }
            if e.detail() != s(&expect["detail"]) {
                out.push(format!(
                    "detail:\n  want {}\n  got  {:?}",
                    expect["detail"],
                    e.detail()
                ));
            }
            out
        }
    }
}

#[test]
fn gate_vectors() {
    run_file("gate.json");
}

#[test]
fn oauth_rs_vectors() {
    run_file("oauth_rs.json");
}

/// Every case of one file in gate.json's format.
fn run_file(name: &str) {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    let mut run = 0;
    for case in cases {
        let problems = match s(&case["input"]["op"]) {
            "check" => run_check(&doc, case),
            "load" => run_load(&doc, case),
            op => panic!("{}: unknown op {op}", s(&case["id"])),
        };
        run += 1;
        failures.extend(
            problems
                .into_iter()
                .map(|p| format!("{}: {p}", s(&case["id"]))),
        );
    }
    println!("{name}: {run} cases run");
    assert_eq!(run, cases.len());
    assert!(
        failures.is_empty(),
        "{} problems in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
