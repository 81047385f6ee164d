//! The `oauth2` method with an introspecting issuer, through the gate, against a real HTTP server
//! on 127.0.0.1: opaque tokens accepted and cached, what the answer's `iss`, `aud`, `scope` and
//! `cnf` decide, and every endpoint failure refused with 503 and no `error` in the challenge.

#[allow(dead_code)]
#[path = "support/http_server.rs"]
mod http_server;

use std::time::Duration;

use base64::Engine;
use http_server::{Reply, Server};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::{Gate, GateDecision, GateOptions};
use portcullis::Request;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const NOW: i64 = 1_750_000_000;
const PATH: &str = "/introspect";
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

fn gate(server: &Server, extra: Value) -> Gate {
    let mut credential = json!({
        "method": "oauth2",
        "resource": "https://api.example.com",
        "issuers": [{
            "issuer": "https://as.example",
            "introspection": {
                "endpoint": server.url(PATH),
                "client_id": "api",
                "client_secret": "secret:introspection",
                "connect_timeout_ms": 500,
                "timeout_ms": 500
            }
        }]
    });
    for (k, v) in extra.as_object().unwrap() {
        credential[k] = v.clone();
    }
    let config = json!({
        "version": 1,
        "credentials": {"oauth": credential},
        "routes": [{"name": "items", "path": "/v1/items", "require": {"any_of": ["oauth"]},
                    "scopes": ["items:read"]}]
    });
    let mut secrets = Secrets::new();
    secrets.insert("introspection", "introspection-client-secret");
    let options = GateOptions {
        load: LoadContext::new().with_secrets(secrets),
        audit_sinks: Vec::new(),
    };
    Gate::from_text(&config.to_string(), Format::Json, options).unwrap()
}

fn request(token: &str, cert: Option<&[u8]>) -> Request {
    let mut r = Request::new("GET", "/v1/items")
        .unwrap()
        .header("Authorization", format!("Bearer {token}"))
        .unwrap()
        .header("Host", "api.example.com")
        .unwrap()
        .at(NOW);
    if let Some(der) = cert {
        r.add_peer_certificate(der.to_vec()).unwrap();
    }
    r
}

fn active(extra: Value) -> Reply {
    let mut body = json!({"active": true, "sub": "user-9", "client_id": "client-3",
                          "scope": "items:read profile", "exp": NOW + 600,
                          "iss": "https://as.example", "aud": "https://api.example.com"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    Reply::json(body.to_string())
}

fn code(d: &GateDecision) -> Option<&str> {
    d.code().map(|c| c.name())
}

#[test]
fn an_opaque_token_is_introspected_once_then_cached() {
    let server = Server::start();
    server.set(PATH, active(json!({})));
    let gate = gate(&server, json!({}));
    for _ in 0..3 {
        let d = gate.check(&request(TOKEN, None));
        assert!(d.allowed(), "{:?}", d.denial());
        let p = d.principal().unwrap();
        assert_eq!(
            (p.subject.as_str(), p.credential_id.as_deref()),
            ("user-9", Some("client-3"))
        );
        assert_eq!(p.method.name(), "oauth2");
    }
    assert_eq!(server.hits(PATH), 1);
    // The form carried the token, and the client authenticated with Basic.
    let sent = &server.requests(PATH)[0];
    assert_eq!(sent.form_value("token").as_deref(), Some(TOKEN));
    assert!(sent.header("authorization").unwrap().starts_with("Basic "));
}

#[test]
fn what_the_answer_says_decides() {
    let cases: [(Value, Option<&str>); 6] = [
        (json!({"active": false}), Some("oauth_token_inactive")),
        (
            json!({"iss": "https://other.example"}),
            Some("oauth_issuer_unknown"),
        ),
        (
            json!({"aud": ["https://other.example"]}),
            Some("jwt_audience_mismatch"),
        ),
        (json!({"scope": "profile"}), Some("scope_insufficient")),
        (json!({"exp": NOW - 1}), Some("oauth_token_inactive")),
        (json!({"aud": null, "iss": null}), None),
    ];
    for (extra, want) in cases {
        let server = Server::start();
        let mut body = extra.clone();
        if body.get("active") == Some(&json!(false)) {
            server.set(PATH, Reply::json(body.to_string()));
        } else {
            let mut reply = json!({"active": true, "sub": "user-9", "client_id": "client-3",
                                   "scope": "items:read", "exp": NOW + 600,
                                   "iss": "https://as.example", "aud": "https://api.example.com"});
            for (k, v) in body.as_object_mut().unwrap() {
                if v.is_null() {
                    reply.as_object_mut().unwrap().remove(k);
                } else {
                    reply[k] = v.clone();
                }
            }
            server.set(PATH, Reply::json(reply.to_string()));
        }
        let d = gate(&server, json!({})).check(&request(TOKEN, None));
        assert_eq!(code(&d), want, "{extra}: {:?}", d.denial());
    }
}

#[test]
fn a_certificate_bound_introspected_token_needs_its_certificate() {
    let cert = b"not really a certificate, but its hash is what binds";
    let x5t = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(cert));
    let server = Server::start();
    server.set(PATH, active(json!({"cnf": {"x5t#S256": x5t}})));
    let gate = gate(&server, json!({}));
    assert!(gate.check(&request(TOKEN, Some(cert))).allowed());
    let d = gate.check(&request(TOKEN, None));
    assert_eq!(code(&d), Some("jwt_confirmation_mismatch"));
    let d = gate.check(&request(TOKEN, Some(b"another certificate")));
    assert_eq!(code(&d), Some("jwt_confirmation_mismatch"));
}

#[test]
fn a_dpop_bound_introspected_token_is_refused_as_bearer() {
    let server = Server::start();
    server.set(
        PATH,
        active(json!({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})),
    );
    let d = gate(&server, json!({})).check(&request(TOKEN, None));
    assert_eq!(code(&d), Some("oauth_binding_mismatch"));
}

#[test]
fn an_endpoint_that_fails_is_a_503_without_an_error_param() {
    let replies = [
        Reply::status(500),
        Reply::json(r#"{"active": true}"#).delay(Duration::from_millis(1500)),
        Reply::json(format!(
            r#"{{"active": true, "x": "{}"}}"#,
            "a".repeat(128 * 1024)
        )),
        Reply::typed("text/html", "<html>login</html>"),
        Reply::status(302).header("Location", "https://evil.example/"),
        Reply::json(r#"{"active": "true"}"#),
    ];
    let codes = [
        "oauth_introspection_unavailable",
        "oauth_introspection_unavailable",
        "oauth_introspection_unavailable",
        "oauth_introspection_invalid",
        "oauth_introspection_unavailable",
        "oauth_introspection_invalid",
    ];
    for (reply, want) in replies.into_iter().zip(codes) {
        let server = Server::start();
        server.set(PATH, reply);
        let gate = gate(&server, json!({}));
        let d = gate.check(&request(TOKEN, None));
        assert_eq!(code(&d), Some(want));
        assert_eq!(d.status(), 503);
        assert!(
            d.challenges()
                .iter()
                .all(|c| c.param_value("error").is_none()),
            "{:?}",
            d.challenges()
        );
        // Failures are not cached: the next request asks again.
        gate.check(&request(TOKEN, None));
        assert_eq!(server.hits(PATH), 2, "{want}");
    }
}

#[test]
fn a_bad_introspection_setting_is_named_by_its_path() {
    let config = json!({
        "version": 1,
        "credentials": {"oauth": {"method": "oauth2", "resource": "https://api.example.com",
            "issuers": [{"issuer": "https://as.example", "introspection": {
                "endpoint": "http://as.example/introspect", "client_id": "api",
                "client_secret": "secret:introspection"}}]}},
        "routes": [{"path": "/", "require": "oauth"}]
    });
    let mut secrets = Secrets::new();
    secrets.insert("introspection", "introspection-client-secret");
    let options = GateOptions {
        load: LoadContext::new().with_secrets(secrets),
        audit_sinks: Vec::new(),
    };
    let e = portcullis::Error::from(
        Gate::from_text(&config.to_string(), Format::Json, options).unwrap_err(),
    );
    assert_eq!(e.code().name(), "config_invalid");
    assert!(
        e.detail()
            .starts_with("credentials.oauth.issuers[0].introspection: "),
        "{}",
        e.detail()
    );
    assert!(e.detail().contains("https"), "{}", e.detail());
    assert!(!e.detail().contains("introspection-client-secret"));
}
