//! The Rust runner of tests/vectors/mtls/mtls.json.

mod common;

use common::{b64, build_request, check_file, deny, fail, principal_json, s, Outcome};
use portcullis::mtls::{certificate_thumbprint, check_confirmation, MtlsConfig, MtlsVerifier};
use portcullis::Request;
use serde_json::{json, Value};

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "verify" => {
            let config = MtlsConfig::from_json(&input["config"].to_string()).map_err(fail)?;
            let verifier = MtlsVerifier::new(config).map_err(fail)?;
            let mut request = match input.get("request") {
                Some(r) => build_request(r, now).map_err(fail)?,
                None => Request::new("GET", "/").map_err(fail)?.at(now),
            };
            if let Some(ip) = input.get("peer_address") {
                request.set_peer_address(s(ip).parse().expect("IP address in vector"));
            }
            for cert in input["chain_b64"].as_array().expect("chain_b64") {
                request.add_peer_certificate(b64(cert)).map_err(fail)?;
            }
            verifier
                .verify(&request)
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "thumbprint" => Ok(json!({ "x5t#S256": certificate_thumbprint(&b64(&input["cert_b64"])) })),
        "confirm" => {
            let thumbprint = certificate_thumbprint(&b64(&input["cert_b64"]));
            check_confirmation(&input["claims"], &thumbprint)
                .map(|()| json!({}))
                .map_err(fail)
        }
        op => panic!("unknown mtls op {op}"),
    }
}

#[test]
fn mtls_vectors() {
    check_file("mtls/mtls.json", run);
}
