//! The resource server's configuration rules and what only Rust sees (the metadata document,
//! the issuer-selection order); the request rules are in tests/vectors/oauth_rs.json.

use std::sync::Arc;

use serde_json::{json, Value};

use super::*;
use crate::error::ErrorCode;
use crate::jwt::{Algorithm, JwtKey, JwtKeySet, KeySource};
use crate::store::MemoryStore;

fn keys() -> Arc<dyn KeySource> {
    let set = JwtKeySet::new();
    set.add(JwtKey::generate(Algorithm::EdDsa).unwrap().with_kid("k1"))
        .unwrap();
    Arc::new(set)
}

fn issuer(name: &str) -> Issuer {
    Issuer {
        issuer: name.into(),
        audiences: Vec::new(),
        algorithms: Vec::new(),
        keys: Some(keys()),
        introspection: None,
    }
}

fn config(json: Value) -> OAuth2Config {
    OAuth2Config::from_json(&json.to_string()).unwrap()
}

fn build(config: OAuth2Config, issuers: Vec<Issuer>) -> Result<ResourceServer, crate::Error> {
    ResourceServer::new(config, issuers, Arc::new(MemoryStore::default()))
}

#[test]
fn the_metadata_document_follows_rfc_9728() {
    let server = build(
        config(json!({
            "resource": "https://api.example.com/v1",
            "dpop_mode": "required",
            "dpop": {"algorithms": ["ES256", "EdDSA"]},
            "metadata": {"scopes_supported": ["items:read"], "resource_name": "Items"}
        })),
        vec![
            issuer("https://as-one.example"),
            issuer("https://as-two.example"),
        ],
    )
    .unwrap();
    let doc: Value = serde_json::from_str(server.resource_metadata().unwrap()).unwrap();
    assert_eq!(doc["resource"], "https://api.example.com/v1");
    assert_eq!(
        doc["authorization_servers"],
        json!(["https://as-one.example", "https://as-two.example"])
    );
    assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
    assert_eq!(doc["scopes_supported"], json!(["items:read"]));
    assert_eq!(doc["resource_name"], "Items");
    assert_eq!(doc["dpop_bound_access_tokens_required"], true);
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);
    assert_eq!(
        server.resource_metadata_url(),
        Some("https://api.example.com/.well-known/oauth-protected-resource/v1")
    );
    let challenges: Vec<String> = server
        .challenges()
        .iter()
        .map(|c| c.header_value())
        .collect();
    assert_eq!(
        challenges,
        ["DPoP realm=\"api\", algs=\"ES256 EdDSA\", resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/v1\""]
    );
}

#[test]
fn without_a_resource_there_is_no_document_and_no_metadata_param() {
    let mut one = issuer("https://as.example");
    one.audiences = vec!["api".into()];
    let server = build(config(json!({"dpop_mode": "off"})), vec![one]).unwrap();
    assert!(server.resource_metadata().is_none());
    let challenges: Vec<String> = server
        .challenges()
        .iter()
        .map(|c| c.header_value())
        .collect();
    assert_eq!(challenges, ["Bearer realm=\"api\""]);
}

#[test]
fn configurations_that_cannot_work_are_refused() {
    let refused = |config: OAuth2Config, issuers: Vec<Issuer>, needle: &str| {
        let e = build(config, issuers).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{e}");
        assert!(e.detail().contains(needle), "{} lacks {needle}", e.detail());
    };
    let resource = || config(json!({"resource": "https://api.example.com"}));
    refused(resource(), vec![], "issuers");
    refused(
        config(json!({})),
        vec![issuer("https://as.example")],
        "no audience",
    );
    refused(
        resource(),
        vec![issuer("https://as.example"), issuer("https://as.example")],
        "twice",
    );
    let mut bare = issuer("https://as.example");
    bare.keys = None;
    refused(resource(), vec![bare], "neither keys nor");
    let mut hs = issuer("https://as.example");
    hs.algorithms = vec![Algorithm::Hs256];
    refused(resource(), vec![hs], "HS256");
    let introspecting = |name: &str| {
        let mut i = issuer(name);
        i.introspection = Some(IntrospectionConfig {
            endpoint: "https://as.example/introspect".into(),
            client_id: "rs".into(),
            client_secret: Some("a-client-secret-of-some-length".into()),
            ..IntrospectionConfig::default()
        });
        i
    };
    refused(
        resource(),
        vec![
            introspecting("https://a.example"),
            introspecting("https://b.example"),
        ],
        "only one issuer can introspect",
    );
    let bad = |json: Value, needle: &str| {
        let e = OAuth2Config::from_json(&json.to_string())
            .and_then(|c| c.validate())
            .unwrap_err();
        assert!(e.detail().contains(needle), "{} lacks {needle}", e.detail());
    };
    bad(json!({"resource": "http://api.example.com"}), "https");
    bad(json!({"origin": "https://api.example.com/v1"}), "origin");
    bad(json!({"leeway_seconds": 301}), "leeway");
    bad(
        json!({"metadata": {"url": "https://api.example.com/m"}}),
        "resource",
    );
    bad(
        json!({"resource": "https://a.example", "metadata": {"scopes_supported": ["a b"]}}),
        "scopes_supported",
    );
    bad(json!({"dpop_mode": "sometimes"}), "unknown variant");
}

#[test]
fn debug_output_names_issuers_not_secrets() {
    let nonce_secret = "a-dpop-nonce-secret-of-32-bytes-or-more";
    let client_secret = "an-introspection-client-secret";
    let mut one = issuer("https://as.example");
    one.introspection = Some(IntrospectionConfig {
        endpoint: "https://as.example/introspect".into(),
        client_id: "rs".into(),
        client_secret: Some(client_secret.into()),
        ..IntrospectionConfig::default()
    });
    let server = build(
        config(json!({"resource": "https://api.example.com",
                      "dpop": {"nonce": {"secret": nonce_secret, "step_seconds": 60}}})),
        vec![one.clone()],
    )
    .unwrap();
    for text in [
        format!("{server:?}"),
        format!("{one:?}"),
        format!("{:?}", server.config()),
    ] {
        assert!(
            !text.contains(nonce_secret) && !text.contains(client_secret),
            "{text}"
        );
    }
    assert!(format!("{server:?}").contains("https://as.example"));
}
