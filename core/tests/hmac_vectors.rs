//! The Rust runner of tests/vectors/hmac.json (ops: tests/vectors/HMAC.md).

mod common;

use common::{body, build_request, check_file, deny, fail, principal_json, s, Outcome};
use portcullis::digest::{self, content_digest, verify_content_digest};
use portcullis::hmac::{
    canonical_request, mac, sign_request, verify_mac, Algorithm, HmacConfig, HmacVerifier,
    SignOptions, SignatureParams, SigningKey,
};
use serde_json::{json, Value};

fn hex(v: &Value) -> Vec<u8> {
    let t = s(v);
    (0..t.len() / 2)
        .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex in vector"))
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn algorithm(v: &Value) -> Algorithm {
    Algorithm::from_name(s(v)).expect("algorithm in vector")
}

fn verifier(input: &Value) -> Result<HmacVerifier, (String, Option<String>)> {
    let config = HmacConfig::from_json(&input["config"].to_string()).map_err(fail)?;
    HmacVerifier::new(config).map_err(fail)
}

fn run(input: &Value, now: i64) -> Outcome {
    match s(&input["op"]) {
        "hmac" => {
            let (alg, key, data) = (
                algorithm(&input["algorithm"]),
                hex(&input["key_hex"]),
                hex(&input["data_hex"]),
            );
            let tag = mac(alg, &key, &data).map_err(fail)?;
            let mut out = json!({ "mac_hex": to_hex(&tag) });
            if let Some(t) = input.get("tag_hex") {
                if !verify_mac(alg, &key, &data, &hex(t)) {
                    return Err(("signature_mismatch".into(), None));
                }
                out["valid"] = json!(true);
            }
            Ok(out)
        }
        "content_digest" => {
            let alg: digest::Algorithm =
                serde_json::from_value(input["algorithm"].clone()).expect("digest algorithm");
            let b = body(input).expect("body in vector");
            Ok(json!({ "value": content_digest(&b, alg) }))
        }
        "content_digest_verify" => {
            verify_content_digest(s(&input["header"]).as_bytes(), body(input).as_deref())
                .map(|a| json!({ "algorithm": a.name() }))
                .map_err(fail)
        }
        "canonical_request" => {
            let p = &input["params"];
            let params = SignatureParams {
                algorithm: algorithm(&p["algorithm"]),
                key_id: s(&p["keyid"]).to_owned(),
                timestamp: p["ts"].as_i64().expect("ts"),
                nonce: s(&p["nonce"]).to_owned(),
                headers: p["headers"]
                    .as_array()
                    .expect("headers")
                    .iter()
                    .map(|h| s(h).to_owned())
                    .collect(),
                signature: Vec::new(),
            };
            let request = build_request(&input["request"], now).map_err(fail)?;
            canonical_request(&request, &params)
                .map(|c| json!({ "canonical": String::from_utf8(c).expect("ASCII canonical") }))
                .map_err(fail)
        }
        "sign" => {
            let k = &input["key"];
            let key = SigningKey::from_base64(
                s(&k["key_id"]),
                algorithm(&k["algorithm"]),
                s(&k["secret_b64"]),
            )
            .map_err(fail)?;
            let options = SignOptions::from_json(&input["options"].to_string()).map_err(fail)?;
            let request = build_request(&input["request"], now).map_err(fail)?;
            let signed = sign_request(&request, &key, &options).map_err(fail)?;
            Ok(json!({
                "authorization": signed.authorization,
                "content_digest": signed.content_digest,
            }))
        }
        "verify" => {
            let verifier = verifier(input)?;
            let request = build_request(&input["request"], now).map_err(fail)?;
            verifier
                .verify(&request)
                .map(|p| principal_json(&p))
                .map_err(deny)
        }
        "verify_sequence" => {
            let verifier = verifier(input)?;
            let results: Vec<String> = input["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|step| {
                    let at = step.get("now").and_then(Value::as_i64).unwrap_or(now);
                    match build_request(&step["request"], at) {
                        Err(e) => e.code().name().to_owned(),
                        Ok(r) => match verifier.verify(&r) {
                            Ok(_) => "ok".to_owned(),
                            Err(d) => d.code().name().to_owned(),
                        },
                    }
                })
                .collect();
            Ok(json!({ "results": results }))
        }
        op => panic!("unknown hmac op {op}"),
    }
}

#[test]
fn hmac_vectors() {
    check_file("hmac.json", run);
}
