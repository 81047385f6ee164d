//! The Rust runner of tests/vectors/webhook.json.

mod common;

use common::{build_request, check_file, deny, fail, principal_json, s, Outcome};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use serde_json::{json, Value};

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "verify" => {
            let config = WebhookConfig::from_json(&input["config"].to_string()).map_err(fail)?;
            let verifier = WebhookVerifier::new(config).map_err(fail)?;
            let request = build_request(&input["request"], now).map_err(fail)?;
            let times = input["times"].as_u64().unwrap_or(1);
            for _ in 1..times {
                verifier.verify(&request).map_err(deny)?;
            }
            verifier
                .verify(&request)
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "sign" => {
            let scheme: WebhookScheme = serde_json::from_value(input["scheme"].clone()).unwrap();
            let signer = WebhookSigner::new(scheme, s(&input["secret"])).map_err(fail)?;
            let headers = signer
                .sign(
                    input["message_id"].as_str(),
                    input["timestamp"].as_i64().unwrap(),
                    s(&input["body"]).as_bytes(),
                )
                .map_err(fail)?;
            Ok(json!({ "headers": headers }))
        }
        op => panic!("unknown webhook op {op}"),
    }
}

#[test]
fn webhook_vectors() {
    check_file("webhook.json", run);
}
