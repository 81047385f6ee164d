//! The Rust runner of tests/vectors/dpop.json (format in tests/vectors/DPOP.md): every case is
//! a sequence of steps against one verifier built from the case's configuration.

mod common;

use common::{build_request, s, vectors_dir};
use portcullis::jwt::thumbprint_json;
use portcullis::oauth2::{DpopVerifier, ProofContext, VerifiedProof};
use portcullis::Error;
use serde_json::{json, Value};

fn proof_json(p: VerifiedProof) -> Value {
    json!({
        "thumbprint": p.thumbprint,
        "jti": p.jti,
        "iat": p.iat,
        "algorithm": p.algorithm.name(),
        "nonce": p.nonce,
    })
}

fn outcome(r: Result<Value, Error>) -> Value {
    match r {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e.code().name() }),
    }
}

/// Runs one step; `None` for an op this runner does not know.
fn step(verifier: &DpopVerifier, step: &Value) -> Option<Value> {
    let now = step["now"].as_i64();
    let token = step.get("access_token").map(s);
    let result = match s(&step["op"]) {
        "load" => Ok(json!({})),
        "verify" => {
            let context = ProofContext {
                method: s(&step["method"]),
                uri: s(&step["uri"]),
                access_token: token,
                now: now.unwrap(),
            };
            verifier.verify(s(&step["proof"]), &context).map(proof_json)
        }
        "verify_request" => build_request(&step["request"], now.unwrap()).and_then(|r| {
            verifier
                .verify_request(&r, token, step.get("origin").map(s))
                .map(proof_json)
        }),
        "nonce" => Ok(json!({ "nonce": verifier.nonce(now.unwrap()) })),
        "algs" => Ok(json!({ "algs": verifier.algorithms_param() })),
        "thumbprint" => {
            thumbprint_json(&step["jwk"].to_string()).map(|t| json!({ "thumbprint": t }))
        }
        _ => return None,
    };
    Some(outcome(result))
}

#[test]
fn dpop_vectors() {
    let text = std::fs::read_to_string(vectors_dir().join("dpop.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 75, "dpop.json holds {} cases", cases.len());
    let mut failures = Vec::new();
    let mut steps = 0;
    for case in cases {
        let id = s(&case["id"]);
        let case_steps = case["steps"].as_array().unwrap();
        let verifier = match DpopVerifier::from_json(&case["config"].to_string()) {
            Ok(v) => v,
            Err(e) => {
                // A configuration that does not build: the case is one `load` step expecting it.
                let got = json!({ "error": e.code().name() });
                if case_steps.len() != 1
                    || s(&case_steps[0]["op"]) != "load"
                    || case_steps[0]["expect"] != got
                {
                    failures.push(format!("{id}: the config fails to build: {got}"));
                }
                steps += 1;
                continue;
            }
        };
        for (i, st) in case_steps.iter().enumerate() {
            steps += 1;
            match step(&verifier, st) {
                None => failures.push(format!("{id} step {i}: unknown op {}", st["op"])),
                Some(got) if got != st["expect"] => {
                    failures.push(format!("{id} step {i}: want {}, got {got}", st["expect"]))
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps failed:\n{}",
        failures.len(),
        steps,
        failures.join("\n")
    );
}
