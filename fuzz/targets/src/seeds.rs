//! Seed inputs per target, built from tests/vectors: the tokens, JOSE documents, keys,
//! credentials, requests and configurations the shared vectors hold, in the form each target
//! reads. `make fuzz` writes them as the cargo-fuzz corpora; the smoke test replays them.

use std::collections::HashSet;

use serde_json::Value;

use crate::vectors::{self, b64, cases, doc, requests, text, walk};
use crate::{jwt, keys};

/// Every string value anywhere in vector file `name`.
fn strings(name: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    walk(doc(name), &|v| v.is_string(), &mut found);
    found.into_iter().filter_map(Value::as_str).collect()
}

/// The compact JWS tokens of jwt.json (three dot-separated segments).
fn tokens() -> Vec<&'static str> {
    strings("jwt.json")
        .into_iter()
        .filter(|s| s.split('.').count() == 3 && !s.contains(' ') && s.len() > 8)
        .collect()
}

/// Segment `i` of each token, decoded (those that decode).
fn token_parts(i: usize) -> Vec<Vec<u8>> {
    tokens()
        .iter()
        .filter_map(|t| portcullis::keys::jwk::b64url_decode(t.split('.').nth(i)?))
        .collect()
}

/// The objects of the JWT and JWKS vectors that `pick` accepts, as JSON text.
fn jose_objects(pick: &dyn Fn(&Value) -> bool) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for name in ["jwt.json", "jwks.json"] {
        walk(doc(name), pick, &mut found);
    }
    found.iter().map(|v| v.to_string().into_bytes()).collect()
}

fn is_jwk(v: &Value) -> bool {
    v["kty"].is_string()
}

fn is_jwks(v: &Value) -> bool {
    v["keys"]
        .as_array()
        .is_some_and(|k| k.iter().all(Value::is_object))
}

/// PEM texts with the selector byte of their algorithm, and their DER, from every vector file
/// that holds keys.
fn pem_keys() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for name in ["jwt.json", "httpsig.json", "jwks.json"] {
        let mut found = Vec::new();
        walk(
            doc(name),
            &|v| text(&v["pem"]).contains("-----BEGIN"),
            &mut found,
        );
        for entry in found {
            let pick = keys::selector(text(&entry["alg"]));
            let pem = text(&entry["pem"]);
            out.push([&[pick][..], pem.as_bytes()].concat());
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = b64(&Value::String(body));
            out.push([&[pick][..], &der[..]].concat());
        }
    }
    out
}

/// The `Authorization` values of basic.json: `parse` cases and the requests' headers.
fn basic_headers() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for case in cases("basic.json") {
        let input = &case["input"];
        if input["header"].is_string() {
            out.push(text(&input["header"]).as_bytes().to_vec());
        }
        if input["header_b64"].is_string() {
            out.push(b64(&input["header_b64"]));
        }
        for h in input["request"]["headers"].as_array().into_iter().flatten() {
            if text(&h[0]).eq_ignore_ascii_case("authorization") {
                out.push(text(&h[1]).as_bytes().to_vec());
            }
        }
    }
    out
}

/// htpasswd texts: basic.json's `htpasswd` members and its `users` maps as `user:hash` lines.
fn htpasswd_texts() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for case in cases("basic.json") {
        let config = &case["input"]["config"];
        if config["htpasswd"].is_string() {
            out.push(text(&config["htpasswd"]).as_bytes().to_vec());
        }
        if let Some(users) = config["users"].as_object() {
            let lines: Vec<String> = users
                .iter()
                .map(|(user, hash)| format!("{user}:{}", text(hash)))
                .collect();
            out.push(lines.join("\n").into_bytes());
        }
    }
    out
}

/// dpop.json's proofs with the request they were made for (`<now> <METHOD> <uri> [token]`
/// on a first line, as `dpop_verify` reads them).
fn dpop_proofs() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for case in cases("dpop.json") {
        for step in case["steps"].as_array().into_iter().flatten() {
            if step["op"] != "verify" || !step["proof"].is_string() {
                continue;
            }
            let mut head = format!(
                "{} {} {}",
                step["now"].as_i64().unwrap_or(crate::NOW),
                step["method"].as_str().unwrap_or("GET"),
                step["uri"].as_str().unwrap_or("https://api.example.com/")
            );
            if let Some(token) = step["access_token"].as_str() {
                head.push(' ');
                head.push_str(token);
            }
            out.push(format!("{head}\n{}", text(&step["proof"])).into_bytes());
        }
    }
    out
}

/// Gate configurations: gate.json's shared ones as JSON, and each case's own text.
fn gate_configs() -> Vec<Vec<u8>> {
    let gate = doc("gate.json");
    let mut out: Vec<Vec<u8>> = gate["configs"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, config)| config.to_string().into_bytes())
        .collect();
    out.extend(
        cases("gate.json")
            .iter()
            .filter(|c| c["input"]["text"].is_string())
            .map(|c| text(&c["input"]["text"]).as_bytes().to_vec()),
    );
    out
}

/// The seed inputs of `target` (one of [`crate::TARGETS`]); empty for an unknown name.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let bytes = |items: Vec<&str>| -> Vec<Vec<u8>> {
        items.into_iter().map(|s| s.as_bytes().to_vec()).collect()
    };
    let mut out: Vec<Vec<u8>> = match target {
        "json_strict" => {
            let mut out = token_parts(0);
            out.extend(token_parts(1));
            out.extend(jose_objects(&|v| is_jwk(v) || is_jwks(v)));
            out.extend(gate_configs().into_iter().filter(|c| c.starts_with(b"{")));
            out
        }
        "base64url" => {
            let mut out: Vec<Vec<u8>> = tokens()
                .iter()
                .flat_map(|t| t.split('.').map(|s| s.as_bytes().to_vec()))
                .collect();
            let mut members = Vec::new();
            for name in ["jwt.json", "jwks.json"] {
                walk(doc(name), &|v| is_jwk(v), &mut members);
            }
            for jwk in members {
                for m in ["n", "e", "x", "y", "d", "k"] {
                    if jwk[m].is_string() {
                        out.push(text(&jwk[m]).as_bytes().to_vec());
                    }
                }
            }
            out
        }
        "claims_readers" => token_parts(1),
        "jose_header" => token_parts(0),
        "jwt_verify" => {
            let mut out = bytes(tokens());
            out.extend(jwt::signed_tokens().into_iter().map(String::into_bytes));
            out
        }
        "jwt_mutated" => jwt::signed_tokens()
            .into_iter()
            .map(String::into_bytes)
            .collect(),
        "jwk" => jose_objects(&is_jwk),
        "jwks" => jose_objects(&is_jwks),
        "pem_der_keys" => pem_keys(),
        "basic_credentials" => basic_headers(),
        "htpasswd" => htpasswd_texts(),
        "apikey_verify" => requests("apikey.json"),
        "webhook_verify" => requests("webhook.json"),
        "pcs1_verify" => requests("hmac.json"),
        "httpsig_verify" => requests("httpsig.json"),
        "mtls_forwarded" => requests("mtls/mtls.json")
            .into_iter()
            .filter(|r| r.windows(2).any(|w| w == b": "))
            .collect(),
        "gate_config" => gate_configs(),
        "dpop_verify" => dpop_proofs(),
        "gate_check" => {
            let mut out = requests("gate.json");
            out.extend(requests("oauth_rs.json"));
            out
        }
        _ => Vec::new(),
    };
    let mut seen = HashSet::new();
    out.retain(|s| !s.is_empty() && seen.insert(s.clone()));
    out
}

/// Where the vectors are read from, for messages.
pub fn source() -> String {
    vectors::dir().display().to_string()
}
