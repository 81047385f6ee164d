//! The Rust runner of tests/vectors/webhook.json.

mod common;

use common::{body, build_request, check_file, deny, fail, headers, principal_json, s, Outcome};
use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use serde_json::{json, Value};

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "verify" => {
            let config = WebhookConfig::from_json(&input["config"].to_string()).map_err(fail)?;
            let verifier = WebhookVerifier::new(config).map_err(fail)?;
            let request = build_request(&input["request"], now).map_err(fail)?;
            let times = input["times"].as_u64().unwrap_or(1);
            let outcome = (|| {
                for _ in 1..times {
                    verifier.verify(&request).map_err(deny)?;
                }
                verifier
                    .verify(&request)
                    .map(|p| principal_json(&p))
                    .map_err(deny)
            })();
            // The same case through verify_payload (body and header pairs, no Request), on a
            // fresh verifier: it must decide the same. A case without a body has no payload.
            if let Some(body) = body(&input["request"]) {
                let fresh = WebhookVerifier::new(
                    WebhookConfig::from_json(&input["config"].to_string()).map_err(fail)?,
                )
                .map_err(fail)?;
                let fields = headers(&input["request"]);
                let headers: Vec<(&str, &[u8])> = fields
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_slice()))
                    .collect();
                let payload = (|| {
                    for _ in 1..times {
                        fresh
                            .verify_payload(&body, &headers, Some(now))
                            .map_err(deny)?;
                    }
                    fresh
                        .verify_payload(&body, &headers, Some(now))
                        .map(|p| principal_json(&p))
                        .map_err(deny)
                })();
                assert_eq!(payload, outcome, "verify_payload differs from verify");
            }
            outcome
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
