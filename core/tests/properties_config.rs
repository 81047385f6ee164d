//! Property tests for configuration: a generated gate configuration written as JSON and as TOML
//! parses to the same document, survives being written out and read again, builds the same gate
//! (or fails with the same code at the same document path), and that gate decides generated
//! requests the same way; every verifier configuration survives its JSON form.
//! (`PROPTEST_CASES` raises the number of cases; the default keeps `make test` quick.)

#[path = "support/properties.rs"]
mod support;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use portcullis::apikey::ApiKeyConfig;
use portcullis::config::{Document, Format, LoadContext, Secrets};
use portcullis::gate::{Gate, GateOptions};
use portcullis::hmac::HmacConfig;
use portcullis::httpsig::HttpSigConfig;
use portcullis::jwt::{self, Algorithm, HeaderOptions, JwtConfig, JwtKey};
use portcullis::webhook::{WebhookConfig, WebhookScheme};
use portcullis::Request;
use support::config;

const NOW: i64 = 1_767_225_600;
const JWT_SECRET: &str = "property-gate-jwt-secret-0123456789abcdef";
const CREDENTIALS: [&str; 3] = ["tokens", "keys", "hooks"];

fn credentials(realm: &str, issuer: &str) -> Value {
    json!({
        "tokens": {
            "method": "jwt",
            "issuers": [issuer],
            "audiences": ["api"],
            "realm": realm,
            "keys": {"static": [{"alg": "HS256", "kid": "k1", "secret": "secret:jwt"}]},
        },
        "keys": {
            "method": "api_key",
            "pepper": "secret:pepper",
            "prefix": "pc",
        },
        "hooks": {
            "method": "webhook",
            "scheme": "standard",
            "secrets": ["secret:whsec"],
        },
    })
}

/// A requirement tree over the three credentials, a few levels deep.
fn require_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        4 => prop::sample::select(CREDENTIALS.to_vec()).prop_map(|c| json!(c)),
        1 => Just(json!({"anonymous": true})),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({"any_of": v})),
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({"all_of": v})),
            prop::sample::select(CREDENTIALS.to_vec()).prop_map(|c| json!({"optional": c})),
        ]
    })
}

fn segment_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-c]",
        1 => Just("{}".to_owned()),
    ]
}

fn route_strategy() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(proptest::sample::subsequence(
            vec!["GET", "POST", "PUT", "DELETE"],
            1..4,
        )),
        proptest::collection::vec(segment_strategy(), 0..4),
        any::<bool>(),
        require_strategy(),
        prop_oneof![3 => Just(vec![]), 1 => proptest::collection::vec("[a-c](:[a-c])?", 1..3)],
    )
        .prop_map(|(methods, segments, star, require, scopes)| {
            // Parameters are named by position: a name may appear once in a path.
            let mut path = String::new();
            for (i, s) in segments.iter().enumerate() {
                path.push('/');
                if s == "{}" {
                    path.push_str(&format!("{{p{i}}}"));
                } else {
                    path.push_str(s);
                }
            }
            if star || path.is_empty() {
                path.push_str("/*");
            }
            let mut route = Map::new();
            if let Some(m) = methods {
                route.insert("methods".into(), json!(m));
            }
            route.insert("path".into(), json!(path));
            route.insert("require".into(), require);
            if !scopes.is_empty() {
                route.insert("scopes".into(), json!(scopes));
            }
            Value::Object(route)
        })
}

fn gate_strategy() -> impl Strategy<Value = Value> {
    (
        "[a-z]{1,10}",
        "https://[a-z]{1,10}\\.example",
        proptest::collection::vec(route_strategy(), 1..6),
    )
        .prop_map(|(realm, issuer, routes)| {
            let routes: Vec<Value> = routes
                .into_iter()
                .enumerate()
                .map(|(i, mut r)| {
                    r["name"] = json!(format!("route-{i}"));
                    r
                })
                .collect();
            json!({"version": 1, "credentials": credentials(&realm, &issuer), "routes": routes})
        })
}

/// A request to a path the routes might match, with or without a bearer token from `issuer`.
fn request_strategy() -> impl Strategy<Value = (String, String, Option<Vec<String>>)> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        proptest::collection::vec("[a-c7]", 0..4),
        proptest::option::of(proptest::collection::vec("[a-c](:[a-c])?", 0..3)),
    )
        .prop_map(|(m, segs, token_scopes)| {
            (m.to_owned(), format!("/{}", segs.join("/")), token_scopes)
        })
}

fn bearer(issuer: &str, scopes: &[String]) -> String {
    let key = JwtKey::from_secret(Algorithm::Hs256, JWT_SECRET.as_bytes())
        .expect("key")
        .with_kid("k1");
    let claims = json!({"sub": "alice", "iss": issuer, "aud": "api", "iat": NOW - 5,
                        "exp": NOW + 300, "scope": scopes.join(" ")});
    jwt::encode(
        claims.as_object().expect("object"),
        &HeaderOptions::default(),
        &key,
    )
    .expect("encode")
}

/// What a gate built from a document (its `secret:` references resolved) is: the decision's JSON for each request, or the load
/// error's code and document path.
fn outcome(doc: &Document, requests: &[Request]) -> Result<Vec<String>, (String, String)> {
    let secrets = Secrets::new()
        .with("jwt", JWT_SECRET)
        .with("pepper", "property-gate-pepper-0123456789abcdef")
        .with("whsec", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let options = GateOptions {
        load: LoadContext::new().with_secrets(secrets),
        ..GateOptions::default()
    };
    match Gate::from_document(doc, options) {
        Ok(gate) => Ok(requests.iter().map(|r| gate.check(r).to_json()).collect()),
        Err(e) => Err((e.code().to_string(), e.path().to_string())),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gate_config_as_json_and_toml_is_one_gate(
        value in gate_strategy(),
        requests in proptest::collection::vec(request_strategy(), 1..6),
    ) {
        let json_text = serde_json::to_string_pretty(&value).expect("json");
        let toml_text = toml::to_string(&value).expect("toml");
        let from_json = Document::parse(&json_text, Format::Json).expect("json parses");
        let from_toml = Document::parse(&toml_text, Format::Toml).expect("toml parses");
        prop_assert_eq!(from_json.value(), &value);
        prop_assert_eq!(from_toml.value(), &value, "toml:\n{}", toml_text);

        // Written out again (compact, and as TOML), it reads the same.
        let again = Document::parse(&serde_json::to_string(from_toml.value()).expect("json"), Format::Json)
            .expect("again");
        prop_assert_eq!(again.value(), &value);
        let again = Document::parse(&toml::to_string(from_json.value()).expect("toml"), Format::Toml)
            .expect("again");
        prop_assert_eq!(again.value(), &value);

        let issuer = value["credentials"]["tokens"]["issuers"][0].as_str().expect("issuer").to_owned();
        let requests: Vec<Request> = requests
            .iter()
            .map(|(method, path, scopes)| {
                let r = Request::new(method, path).expect("request").at(NOW);
                match scopes {
                    Some(s) => r.header("Authorization", format!("Bearer {}", bearer(&issuer, s))).expect("header"),
                    None => r,
                }
            })
            .collect();
        prop_assert_eq!(outcome(&from_json, &requests), outcome(&from_toml, &requests));
    }

    #[test]
    fn verifier_configs_survive_their_json_form(
        issuers in proptest::collection::vec("https://[a-z]{1,10}\\.example", 0..3),
        audiences in proptest::collection::vec("[a-z:/.]{1,16}", 0..3),
        leeway in 0u64..300,
        max_age in proptest::option::of(1u64..86_400),
        algorithms in proptest::sample::subsequence(Algorithm::ALL.to_vec(), 0..Algorithm::ALL.len()),
        realm in "[ -~]{0,20}",
        components in proptest::collection::vec(prop::sample::select(vec![
            "@method", "@target-uri", "@authority", "@path", "@query", "content-type",
            "content-digest", "@query-param;name=\"id\"",
        ]), 0..5),
        tolerance in 1i64..600,
        scheme in prop::sample::select(vec![WebhookScheme::Standard, WebhookScheme::Stripe,
                                            WebhookScheme::Github, WebhookScheme::Slack]),
    ) {
        let jwt = JwtConfig {
            issuers,
            audiences,
            leeway_seconds: leeway,
            max_age_seconds: max_age,
            algorithms,
            realm: realm.clone(),
            ..JwtConfig::default()
        };
        let text = serde_json::to_string(&jwt).expect("json");
        prop_assert_eq!(&JwtConfig::from_json(&text).expect("jwt config"), &jwt);

        let httpsig = HttpSigConfig {
            required_components: components.iter().map(|c| c.to_string()).collect(),
            max_age: max_age.map(|a| a as i64),
            ..HttpSigConfig::default()
        };
        let text = serde_json::to_string(&httpsig).expect("json");
        prop_assert_eq!(&HttpSigConfig::from_json(&text).expect("httpsig config"), &httpsig);

        let webhook = WebhookConfig {
            scheme,
            secrets: vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()],
            tolerance_seconds: tolerance,
            ..WebhookConfig::default()
        };
        let text = serde_json::to_string(&webhook).expect("json");
        prop_assert!(WebhookConfig::from_json(&text).expect("webhook config") == webhook);

        let hmac = HmacConfig { realm: realm.clone(), ..HmacConfig::default() };
        let text = serde_json::to_string(&hmac).expect("json");
        prop_assert!(HmacConfig::from_json(&text).expect("hmac config") == hmac);

        let apikey = ApiKeyConfig { realm, ..ApiKeyConfig::default() };
        let text = serde_json::to_string(&apikey).expect("json");
        prop_assert_eq!(&ApiKeyConfig::from_json(&text).expect("api key config"), &apikey);
    }
}
