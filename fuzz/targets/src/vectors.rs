//! The repository's shared vectors (tests/vectors/*.json), read once: the fixed configurations
//! of the method targets come from them (so the vectors' signed requests verify and the fuzzer
//! starts from accepted inputs), and so do the seeds.

use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine;
use serde_json::Value;

/// The vectors folder: this crate lives at fuzz/targets in the repository.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// The vector files the targets read.
pub const FILES: &[&str] = &[
    "apikey.json",
    "basic.json",
    "dpop.json",
    "gate.json",
    "hmac.json",
    "httpsig.json",
    "jwks.json",
    "jwt.json",
    "mtls/mtls.json",
    "oauth_rs.json",
    "webhook.json",
];

/// The parsed document of vector file `name` (one of [`FILES`]).
pub fn doc(name: &str) -> &'static Value {
    static DOCS: OnceLock<Vec<Value>> = OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        FILES
            .iter()
            .map(|file| {
                let path = dir().join(file);
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
            })
            .collect()
    });
    let at = FILES
        .iter()
        .position(|f| *f == name)
        .unwrap_or_else(|| panic!("{name} is not a vector file the targets read"));
    &docs[at]
}

/// The cases of vector file `name`.
pub fn cases(name: &str) -> &'static [Value] {
    doc(name)["cases"].as_array().map_or(&[], Vec::as_slice)
}

/// The first case of `name` whose `input.op` is `op` and that `accept` accepts.
pub fn first_case(name: &str, op: &str, accept: impl Fn(&Value) -> bool) -> &'static Value {
    cases(name)
        .iter()
        .find(|c| c["input"]["op"] == op && accept(c))
        .unwrap_or_else(|| panic!("{name} has no {op} case the target can use"))
}

/// `v` as text (empty when it is not a string).
pub fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Standard base64 of a vector member, decoded (empty when it does not decode).
pub fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text(v))
        .unwrap_or_default()
}

/// Every value in `v` (itself included, depth first) that `pick` accepts.
pub fn walk<'v>(v: &'v Value, pick: &dyn Fn(&Value) -> bool, out: &mut Vec<&'v Value>) {
    if pick(v) {
        out.push(v);
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, pick, out)),
        Value::Object(members) => members.values().for_each(|m| walk(m, pick, out)),
        _ => {}
    }
}

/// The request objects (`method` and `target` strings) anywhere in vector file `name`, each as
/// fuzz bytes ([`crate::raw_request`]) at its own `now`, else its case's.
pub fn requests(name: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for case in cases(name) {
        let case_now = case["now"].as_i64().unwrap_or(crate::NOW);
        let case_peer = case["input"]["peer_address"].as_str();
        let mut found = Vec::new();
        walk(
            &case["input"],
            &|v| v["method"].is_string() && v["target"].is_string(),
            &mut found,
        );
        for r in found {
            let headers = fields(r);
            let body = match (&r["body"], &r["body_b64"]) {
                (Value::String(b), _) => Some(b.as_bytes().to_vec()),
                (_, b @ Value::String(_)) => Some(b64(b)),
                _ => None,
            };
            out.push(crate::raw_request::encode(
                text(&r["method"]),
                text(&r["target"]),
                r["now"].as_i64().unwrap_or(case_now),
                r["peer_address"].as_str().or(case_peer),
                &headers,
                body.as_deref(),
            ));
        }
    }
    out
}

/// A vector request's header fields: `headers` (text) then `headers_b64` (raw bytes).
fn fields(r: &Value) -> Vec<(String, Vec<u8>)> {
    let pairs = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut out: Vec<(String, Vec<u8>)> = pairs(&r["headers"])
        .iter()
        .map(|h| (text(&h[0]).to_owned(), text(&h[1]).as_bytes().to_vec()))
        .collect();
    out.extend(
        pairs(&r["headers_b64"])
            .iter()
            .map(|h| (text(&h[0]).to_owned(), b64(&h[1]))),
    );
    out
}
