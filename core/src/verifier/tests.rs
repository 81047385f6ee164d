use super::*;
use crate::config::Secrets;
use crate::decision::AuthMethod;
use crate::error::Error;
use crate::jwt::{encode, Algorithm, HeaderOptions};
use crate::webhook::{WebhookScheme, WebhookSigner};

const NOW: i64 = 1_767_225_600;
const PEPPER: &str = "gate-test-pepper-0123456789abcdef";
const JWT_SECRET: &str = "gate-test-jwt-secret-0123456789abcdef";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn ctx() -> LoadContext {
    LoadContext::new().with_secrets(
        Secrets::new()
            .with("pepper", PEPPER)
            .with("jwt", JWT_SECRET)
            .with("whsec", WHSEC),
    )
}

fn load(text: &str) -> Result<Verifier, Error> {
    Verifier::load(text, Format::detect(text), &ctx()).map_err(Error::from)
}

fn get(path: &str) -> Request {
    Request::new("GET", path).unwrap().at(NOW)
}

#[test]
fn jwt_from_json_with_a_referenced_secret() {
    let v = load(
        r#"{"method": "jwt", "audiences": ["api"],
            "keys": {"static": [{"alg": "HS256", "kid": "k1", "secret": "secret:jwt"}]}}"#,
    )
    .unwrap();
    assert_eq!(v.method_name(), "jwt");
    let key = crate::jwt::JwtKey::from_secret(Algorithm::Hs256, JWT_SECRET.as_bytes())
        .unwrap()
        .with_kid("k1");
    let claims = serde_json::json!({"sub": "alice", "aud": "api", "exp": NOW + 60, "scope": "a b"});
    let token = encode(claims.as_object().unwrap(), &HeaderOptions::default(), &key).unwrap();
    let req = get("/")
        .header("Authorization", format!("Bearer {token}"))
        .unwrap();
    let p = v.verify(&req, &["a"]).unwrap();
    assert_eq!((p.subject.as_str(), p.method), ("alice", AuthMethod::Jwt));
    assert_eq!(
        v.verify(&req, &["c"]).unwrap_err().code(),
        ErrorCode::ScopeInsufficient
    );
    assert_eq!(
        v.verify(&get("/"), &[] as &[&str]).unwrap_err().code(),
        ErrorCode::CredentialsMissing
    );
}

#[test]
fn toml_works_the_same() {
    let v = load("method = \"webhook\"\nscheme = \"standard\"\nsecrets = [\"secret:whsec\"]\n")
        .unwrap();
    let signer = WebhookSigner::new(WebhookScheme::Standard, WHSEC).unwrap();
    let body = b"{\"a\":1}";
    let mut req = Request::new("POST", "/hook").unwrap().at(NOW);
    for (n, v) in signer.sign(Some("msg_1"), NOW, body).unwrap() {
        req.add_header(&n, v.as_bytes()).unwrap();
    }
    req.set_body(body.to_vec()).unwrap();
    assert_eq!(
        v.verify(&req, &[] as &[&str]).unwrap().method,
        AuthMethod::Hmac
    );
    assert_eq!(
        v.verify(&req, &[] as &[&str]).unwrap_err().code(),
        ErrorCode::SignatureReplayed
    );
}

#[test]
fn api_key_ring_from_configuration_records() {
    let ring = crate::apikey::ApiKeyRing::new(PEPPER.as_bytes(), Default::default()).unwrap();
    let issued = ring
        .generate(&crate::apikey::ApiKeyOptions {
            subject: Some("svc".into()),
            scopes: vec!["read".into()],
            now: Some(NOW),
            ..Default::default()
        })
        .unwrap();
    let config = serde_json::json!({
        "method": "api_key", "pepper": "secret:pepper", "records": [serde_json::from_str::<serde_json::Value>(&issued.record.to_json()).unwrap()]
    });
    let v = load(&config.to_string()).unwrap();
    let req = get("/").header("X-API-Key", issued.key.expose()).unwrap();
    assert_eq!(v.verify(&req, &["read"]).unwrap().subject, "svc");
    assert!(v
        .method()
        .as_any()
        .downcast_ref::<Arc<crate::apikey::ApiKeyRing>>()
        .is_some());
}

#[test]
fn load_errors_name_path_line_and_column() {
    let e = load("{\"method\": \"jwt\",\n \"audience\": [\"api\"], \"keys\": {\"static\": []}}")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert!(
        e.detail().contains("unknown field `audience`"),
        "{}",
        e.detail()
    );

    let e = load("{\"method\": \"jwk\"}").unwrap_err();
    assert!(
        e.detail().starts_with("method: unknown method \"jwk\""),
        "{}",
        e.detail()
    );
    assert!(
        e.detail().ends_with("(line 1, column 12)"),
        "{}",
        e.detail()
    );

    let e = load(
        "method = \"webhook\"\nsecrets = [\n  \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\",\n]\n",
    )
    .unwrap_err();
    assert_eq!(e.detail(), "secrets[0]: a secret cannot be written in the configuration: use env:NAME, file:PATH or secret:NAME (line 3, column 3)");
    assert!(!e.detail().contains("MfKQ"));

    let e = load(r#"{"method": "jwt", "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt", "pem": "x"}]}}"#).unwrap_err();
    assert!(
        e.detail()
            .starts_with("keys.static[0]: a static key has exactly one"),
        "{}",
        e.detail()
    );

    let e = load(r#"{"method": "jwt", "keys": {"jwks": {"keys": [{"kty": "oct", "k": "AAAA"}]}}}"#)
        .unwrap_err();
    assert!(
        e.detail()
            .starts_with("keys.jwks: a JWKS with symmetric keys"),
        "{}",
        e.detail()
    );

    let e = load(r#"{"method": "api_key", "pepper": "secret:nope"}"#).unwrap_err();
    assert!(
        e.detail().starts_with("pepper: no secret named \"nope\""),
        "{}",
        e.detail()
    );

    let e =
        load(r#"{"method": "mtls", "trust_anchors": ["file:/nonexistent/ca.pem"]}"#).unwrap_err();
    assert!(
        e.detail()
            .starts_with("trust_anchors[0]: cannot read /nonexistent/ca.pem"),
        "{}",
        e.detail()
    );

    let e = load(r#"{"scheme": "stripe"}"#).unwrap_err();
    assert!(
        e.detail().starts_with("(document): missing `method`"),
        "{}",
        e.detail()
    );
}

#[test]
fn a_core_refusal_keeps_its_code() {
    let e = load(
        r#"{"method": "jwt", "keys": {"static": [{"alg": "HS256", "secret": "secret:short"}]}}"#,
    );
    assert!(e.is_err());
    let ctx = ctx().with_secrets(Secrets::new().with("short", "too-short"));
    let e = Verifier::load(
        r#"{"method": "jwt", "keys": {"static": [{"alg": "HS256", "secret": "secret:short"}]}}"#,
        Format::Json,
        &ctx,
    )
    .map_err(Error::from)
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwtKeyInvalid);
    assert!(e.detail().starts_with("keys.static[0]: "), "{}", e.detail());
}

#[test]
fn every_registry_entry_has_a_schema() {
    let mut g = schemars::SchemaGenerator::default();
    for entry in ENTRIES {
        let schema = (entry.schema)(&mut g).to_value();
        assert_eq!(schema["properties"]["method"]["const"], entry.name);
        assert_eq!(schema["additionalProperties"], false);
    }
    assert_eq!(
        method_names(),
        ["api_key", "basic", "jwt", "webhook", "pcs1", "httpsig", "mtls", "oauth2"]
    );
}
