//! Configuration checks (the network behaviour is tested in core/tests/jwks_remote.rs).

use super::*;
use crate::jwt::Algorithm;

fn config(url: &str) -> JwksConfig {
    JwksConfig {
        url: Some(url.into()),
        ..JwksConfig::default()
    }
}

fn refused(c: JwksConfig) {
    let e = JwksClient::new(c).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{e}");
}

#[test]
fn json_defaults_and_unknown_fields() {
    let c = JwksConfig::from_json(r#"{"url": "https://idp.example/jwks"}"#).unwrap();
    assert_eq!(c, config("https://idp.example/jwks"));
    assert_eq!(c.min_ttl_seconds, 300);
    assert_eq!(c.max_ttl_seconds, 86_400);
    assert_eq!(c.default_ttl_seconds, 600);
    assert_eq!(c.kid_miss_cooldown_seconds, 30);
    assert_eq!(c.max_stale_seconds, 86_400);
    assert_eq!((c.timeout_ms, c.connect_timeout_ms), (5_000, 2_000));
    assert_eq!(c.max_bytes, 512 * 1024);
    let e = JwksConfig::from_json(r#"{"url": "https://x", "ttl": 5}"#).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JsonInvalid);
    let c = JwksConfig::from_json(
        r#"{"issuer": "https://idp.example", "discovery": "oauth-authorization-server",
            "algorithms": ["ES256"], "require_kid": true}"#,
    )
    .unwrap();
    assert_eq!(c.discovery, Discovery::OAuthAuthorizationServer);
    c.validate().unwrap();
}

#[test]
fn construction_does_no_io() {
    // Port 9 on loopback: nothing listens; a fetch would fail, construction must not.
    let client = JwksClient::new(config("http://127.0.0.1:9/jwks")).unwrap();
    let status = client.status();
    assert_eq!(status.state, JwksState::Empty);
    assert_eq!(status.fetch_count, 0);
    assert_eq!(status.jwks_uri.as_deref(), Some("http://127.0.0.1:9/jwks"));
}

#[test]
fn the_url_rule_is_a_config_error() {
    refused(config("http://idp.example/jwks"));
    refused(config("http://192.168.1.1/jwks"));
    refused(config("https://user:pw@idp.example/jwks"));
    refused(JwksConfig::default());
    refused(JwksConfig {
        issuer: Some("https://idp.example".into()),
        ..config("https://idp.example/jwks")
    });
    let e = JwksClient::from_issuer("http://idp.example", JwksConfig::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    let e = JwksClient::from_issuer("https://idp.example", config("https://idp.example/jwks"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
}

#[test]
fn ranges_are_checked() {
    let base = config("https://idp.example/jwks");
    refused(JwksConfig {
        min_ttl_seconds: 0,
        ..base.clone()
    });
    refused(JwksConfig {
        min_ttl_seconds: 700,
        max_ttl_seconds: 600,
        ..base.clone()
    });
    refused(JwksConfig {
        default_ttl_seconds: 100_000,
        ..base.clone()
    });
    refused(JwksConfig {
        max_ttl_seconds: MAX_TTL_SECONDS + 1,
        ..base.clone()
    });
    refused(JwksConfig {
        max_stale_seconds: MAX_TTL_SECONDS + 1,
        ..base.clone()
    });
    refused(JwksConfig {
        kid_miss_cooldown_seconds: 0,
        ..base.clone()
    });
    refused(JwksConfig {
        timeout_ms: MAX_TIMEOUT_MS + 1,
        ..base.clone()
    });
    refused(JwksConfig {
        connect_timeout_ms: 6_000,
        ..base.clone()
    });
    refused(JwksConfig {
        max_bytes: MAX_JWKS_BYTES + 1,
        ..base.clone()
    });
    refused(JwksConfig {
        algorithms: vec![Algorithm::Hs256],
        ..base.clone()
    });
    refused(JwksConfig {
        ca_pem: Some("not a certificate".into()),
        ..base.clone()
    });
    JwksClient::new(JwksConfig {
        max_stale_seconds: 0,
        ..base
    })
    .unwrap();
}

#[test]
fn debug_hides_the_query_and_the_pem() {
    let c = JwksConfig {
        ca_pem: Some("-----BEGIN CERTIFICATE-----".into()),
        ..config("https://idp.example/jwks?api_key=hunter2")
    };
    let text = format!("{c:?}");
    assert!(
        !text.contains("hunter2") && !text.contains("BEGIN"),
        "{text}"
    );
    let client = JwksClient::new(config("https://idp.example/jwks?api_key=hunter2")).unwrap();
    let text = format!("{client:?} {:?}", client.status());
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn no_usable_set_and_require_kid() {
    let client = JwksClient::new(JwksConfig {
        require_kid: true,
        ..config("http://127.0.0.1:9/jwks")
    })
    .unwrap();
    assert_eq!(
        client.keys(None).unwrap_err().code(),
        ErrorCode::JwtKeyUnknown
    );
}
