//! The gate: configuration files (TOML and JSON) and the check of a request.

use std::sync::OnceLock;

use portcullis::config::{ConfigError, Document, Format, LoadContext, Secrets};
use portcullis::gate::{Gate, GateDecision, GateOptions};
use portcullis::Error;
use serde_json::{json, Value};

use crate::{check, raw_request, vectors, NOW};

/// The secrets of gate.json and oauth_rs.json (`secret:NAME`), as every vector runner passes
/// them.
fn secrets() -> &'static [(String, String)] {
    static SECRETS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        ["gate.json", "oauth_rs.json"]
            .iter()
            .flat_map(|file| {
                vectors::doc(file)["secrets"]
                    .as_object()
                    .expect("the file has secrets")
                    .iter()
                    .map(|(name, value)| (name.clone(), vectors::text(value).to_owned()))
            })
            .collect()
    })
}

fn options() -> GateOptions {
    let mut map = Secrets::new();
    for (name, value) in secrets() {
        map.insert(name.as_str(), value.as_str());
    }
    GateOptions {
        // Relative paths start in tests/vectors, as for the vector runners.
        load: LoadContext::new()
            .with_base_dir(vectors::dir())
            .with_secrets(map),
        audit_sinks: Vec::new(),
    }
}

fn secret_values() -> Vec<&'static [u8]> {
    secrets().iter().map(|(_, v)| v.as_bytes()).collect()
}

/// A path a configuration names that may leave tests/vectors: absolute, or climbing out.
fn escapes(path: &str) -> bool {
    path.starts_with('/') || path.starts_with('\\') || path.split(['/', '\\']).any(|p| p == "..")
}

/// True when loading `value` would write a file (`audit.file`) or read one outside
/// tests/vectors (`file:` references, `*_file` paths): the fuzzer may not touch the machine's
/// files (a FIFO or /dev/stdin would also block the run), so such documents are parsed only.
fn touches_files(value: &Value) -> bool {
    if !value["audit"]["file"].is_null() {
        return true;
    }
    let mut found = Vec::new();
    vectors::walk(value, &|v| v.is_object(), &mut found);
    let named_path = found.iter().filter_map(|o| o.as_object()).any(|o| {
        o.iter()
            .any(|(key, v)| key.ends_with("_file") && v.as_str().is_some_and(escapes))
    });
    let mut strings = Vec::new();
    vectors::walk(value, &|v| v.is_string(), &mut strings);
    named_path
        || strings
            .iter()
            .filter_map(|s| s.as_str()?.strip_prefix("file:"))
            .any(escapes)
}

/// A load error: named, placed in the document (a line within the text), explained, and
/// quoting no secret the load was given.
fn load_error(e: &ConfigError, text: &str, secrets: &[&[u8]]) {
    assert!(!e.message().is_empty(), "an empty message at {}", e.path());
    if let Some((line, column)) = e.position() {
        assert!(line >= 1 && column >= 1, "position {line}:{column}");
        assert!(
            line <= text.lines().count() + 1,
            "line {line} is past the text"
        );
    }
    check::no_secret(&e.to_string(), secrets, "a load error");
    check::error(&Error::from(e.clone()), secrets);
}

/// `gate_config`: the bytes are a configuration, read as TOML and as JSON. Each load gives a
/// gate or a named error at a document path, never a panic; a load error quotes no secret.
pub fn gate_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let secrets = check::unseen(&secret_values(), data);
    for format in [Format::Toml, Format::Json] {
        let doc = match Document::parse(&text, format) {
            Ok(doc) => doc,
            Err(e) => {
                load_error(&e, &text, &secrets);
                continue;
            }
        };
        assert!(doc.value().is_object(), "a document that is not a table");
        if touches_files(doc.value()) {
            continue;
        }
        if let Err(e) = Gate::from_document(&doc, options()) {
            load_error(&e, &text, &secrets);
        }
    }
}

/// The gate `gate_check` asks: gate.json's `main` and `methods` configurations in one (API
/// keys, Basic, JWT with HS256, RS256 and ES256 keys, webhooks, PCS1, HTTP signatures, mTLS),
/// oauth_rs.json's OAuth 2.0 resource server with DPoP nonces (`rs-nonce`), plus rate limits
/// (per route, per address, per principal) and lockout on a route of its own.
fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| {
        let configs = &vectors::doc("gate.json")["configs"];
        let mut config = configs["main"].clone();
        for (name, credential) in configs["methods"]["credentials"]
            .as_object()
            .expect("methods")
        {
            config["credentials"][name] = credential.clone();
        }
        let mut routes = vec![json!({
            "name": "limited", "path": "/limited/{id}",
            "require": { "any_of": ["keys", "tokens", "ops"] },
            "rate_limits": ["per_route", "per_address", "per_caller"]
        })];
        for set in ["main", "methods"] {
            routes.extend(
                configs[set]["routes"]
                    .as_array()
                    .expect("routes")
                    .iter()
                    .cloned(),
            );
        }
        let oauth = &vectors::doc("oauth_rs.json")["configs"]["rs-nonce"];
        config["credentials"]["oauth"] = oauth["credentials"]["oauth"].clone();
        routes.extend(oauth["routes"].as_array().expect("routes").iter().cloned());
        config["routes"] = Value::Array(routes);
        config["rate_limits"] = json!({
            "per_route": { "key": "route", "quota": 5, "window_seconds": 60 },
            "per_address": { "key": "address", "quota": 3, "window_seconds": 30 },
            "per_caller": { "key": "principal", "quota": 2, "window_seconds": 10 }
        });
        let policy = json!({ "threshold": 2, "max_failures": 4, "base_delay_seconds": 10,
                             "max_delay_seconds": 20, "window_seconds": 100 });
        config["lockout"] = json!({ "per_address": policy, "per_account": policy });
        Gate::from_text(&config.to_string(), Format::Json, options())
            .unwrap_or_else(|e| panic!("the gate_check configuration does not load: {e}"))
    })
}

/// The statuses a denial may carry from this gate: malformed (400), unauthenticated (401),
/// forbidden (403), limited or locked out (429), too large (431), store unavailable (503).
const DENIAL_STATUSES: &[u16] = &[400, 401, 403, 429, 431, 503];

fn decision(d: &GateDecision, secrets: &[&[u8]]) {
    let json: Value = serde_json::from_str(&d.to_json()).expect("a decision's JSON parses");
    assert_eq!(json["allowed"], d.allowed());
    match d.denial() {
        None => {
            assert!(d.allowed() && d.status() == 200 && d.code().is_none());
            assert!(d.route().is_some(), "allowed without a route");
            if d.principal().is_some() {
                assert!(
                    d.credential().is_some(),
                    "a principal without its credential"
                );
            }
            assert!(d.problem_json().is_none());
        }
        Some(denial) => {
            assert!(!d.allowed());
            assert_eq!(d.code(), Some(denial.code()));
            assert_eq!(d.status(), denial.http_status());
            assert!(
                DENIAL_STATUSES.contains(&d.status()),
                "status {}: {denial}",
                d.status()
            );
            check::denial(denial, secrets);
            for challenge in d.challenges() {
                check::no_secret(&challenge.header_value(), secrets, "a challenge");
            }
            for (name, value) in d.headers() {
                check::no_secret(value, secrets, name);
            }
            let problem = d.problem_json().expect("a denial has a problem body");
            let problem: Value = serde_json::from_str(&problem).expect("problem JSON");
            assert_eq!(problem["status"], d.status());
        }
    }
}

/// `gate_check`: the bytes are a request ([`raw_request`], at gate.json's time unless they name
/// one); the gate answers every request with a decision: allowed with a route, or denied with
/// a named code, its status, a problem body and headers that quote no secret.
pub fn gate_check(data: &[u8]) {
    let request = match raw_request::split(data).build(NOW) {
        Ok(r) => r,
        Err(e) => return check::error(&e, &[]),
    };
    decision(
        &gate().check(&request),
        &check::unseen(&secret_values(), data),
    );
}
