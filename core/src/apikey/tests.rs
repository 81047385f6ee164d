use super::*;

const PEPPER: &[u8] = &[0x42; 32];

fn ring(config: ApiKeyConfig) -> ApiKeyRing {
    ApiKeyRing::new(PEPPER, config).unwrap()
}

fn live() -> ApiKeyConfig {
    ApiKeyConfig {
        environment: Some("live".into()),
        query: Some("api_key".into()),
        ..ApiKeyConfig::default()
    }
}

fn issue(ring: &ApiKeyRing, scopes: &[&str], expires_at: Option<i64>) -> IssuedApiKey {
    let issued = ring
        .generate(&ApiKeyOptions {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at,
            subject: Some("svc-billing".into()),
            now: Some(1_000),
            ..ApiKeyOptions::default()
        })
        .unwrap();
    ring.insert(issued.record.clone()).unwrap();
    issued
}

fn bearer(key: &str, now: i64) -> Request {
    Request::new("GET", "/")
        .unwrap()
        .header("Authorization", format!("Bearer {key}"))
        .unwrap()
        .at(now)
}

fn code<T: std::fmt::Debug>(r: Result<T, Denial>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn config_is_checked() {
    let bad = |pepper: &[u8], c: ApiKeyConfig| ApiKeyRing::new(pepper, c).unwrap_err().code();
    assert_eq!(
        bad(&[1; 31], ApiKeyConfig::default()),
        ErrorCode::ConfigInvalid
    );
    let c = ApiKeyConfig {
        prefix: "P_C".into(),
        ..ApiKeyConfig::default()
    };
    assert_eq!(bad(PEPPER, c), ErrorCode::ConfigInvalid);
    let c = ApiKeyConfig {
        bearer: false,
        header: None,
        ..ApiKeyConfig::default()
    };
    assert_eq!(bad(PEPPER, c), ErrorCode::ConfigInvalid);
    assert_eq!(
        ApiKeyConfig::from_json(r#"{"prefix":"pc","bogus":1}"#)
            .unwrap_err()
            .code(),
        ErrorCode::JsonInvalid
    );
}

#[test]
fn verify_from_each_source() {
    let r = ring(live());
    let issued = issue(&r, &["read"], None);
    let key = issued.key.expose();
    let p = r.verify(&bearer(key, 2_000), &["read"]).unwrap();
    assert_eq!(p.subject, "svc-billing");
    assert_eq!(p.method, AuthMethod::ApiKey);
    assert_eq!(
        p.credential_id.as_deref(),
        Some(issued.record.key_id.as_str())
    );
    assert_eq!(p.claims["environment"], "live");
    let via_header = Request::new("GET", "/")
        .unwrap()
        .header("X-API-Key", key)
        .unwrap();
    assert!(r.verify::<&str>(&via_header, &[]).is_ok());
    let via_query = Request::new("GET", &format!("/x?api_key={key}")).unwrap();
    assert!(r.verify::<&str>(&via_query, &[]).is_ok());
    let twice = Request::new("GET", &format!("/x?api_key={key}&api_key={key}")).unwrap();
    assert_eq!(
        code(r.verify::<&str>(&twice, &[])),
        ErrorCode::CredentialsAmbiguous
    );
    let none = Request::new("GET", "/").unwrap();
    let denial = r.verify::<&str>(&none, &[]).unwrap_err();
    assert_eq!(denial.code(), ErrorCode::CredentialsMissing);
    assert_eq!(
        denial.challenge().unwrap().header_value(),
        "Bearer realm=\"api\""
    );
}

#[test]
fn lifecycle() {
    let r = ring(live());
    let issued = issue(&r, &["read", "write"], Some(5_000));
    let key = issued.key.expose().to_owned();
    assert!(r.verify(&bearer(&key, 4_999), &["write"]).is_ok());
    assert_eq!(
        code(r.verify::<&str>(&bearer(&key, 5_000), &[])),
        ErrorCode::ApiKeyExpired
    );
    let d = r.verify(&bearer(&key, 10), &["admin"]).unwrap_err();
    assert_eq!(d.code(), ErrorCode::ScopeInsufficient);
    assert_eq!(d.http_status(), 403);
    assert!(d
        .challenge()
        .unwrap()
        .header_value()
        .contains("insufficient_scope"));
    let revoked = r.revoke(&issued.record.key_id, Some(3_000)).unwrap();
    assert_eq!(revoked.revoked_at, Some(3_000));
    assert!(r.verify::<&str>(&bearer(&key, 2_999), &[]).is_ok());
    assert_eq!(
        code(r.verify::<&str>(&bearer(&key, 3_000), &[])),
        ErrorCode::ApiKeyRevoked
    );
    assert!(r.remove(&issued.record.key_id));
    assert_eq!(
        code(r.verify::<&str>(&bearer(&key, 10), &[])),
        ErrorCode::ApiKeyUnknown
    );
    assert!(r.is_empty());
}

#[test]
fn rotation_overlap() {
    let r = ring(live());
    let old = issue(&r, &["read"], Some(1_000 + 86_400));
    let (new, old_updated) = r.rotate(&old.record, 600, Some(2_000)).unwrap();
    assert_eq!(
        old_updated.successor.as_deref(),
        Some(new.record.key_id.as_str())
    );
    assert_eq!(old_updated.expires_at, Some(2_600));
    assert_eq!(new.record.expires_at, Some(2_000 + 86_400));
    assert_eq!(new.record.scopes, vec!["read"]);
    r.insert(old_updated.clone()).unwrap();
    r.insert(new.record.clone()).unwrap();
    let p = r
        .verify::<&str>(&bearer(old.key.expose(), 2_599), &[])
        .unwrap();
    assert_eq!(p.claims["successor"], new.record.key_id.as_str());
    assert_eq!(
        code(r.verify::<&str>(&bearer(old.key.expose(), 2_600), &[])),
        ErrorCode::ApiKeyRotated
    );
    assert!(r
        .verify::<&str>(&bearer(new.key.expose(), 2_600), &[])
        .is_ok());
    assert_eq!(
        r.rotate(&old_updated, 1, None).unwrap_err().code(),
        ErrorCode::ApiKeyRotated
    );
}

#[test]
fn fetched_record_flow() {
    let r = ring(live());
    let issued = r.generate(&ApiKeyOptions::default()).unwrap();
    let other = r.generate(&ApiKeyOptions::default()).unwrap();
    let req = bearer(issued.key.expose(), 10);
    assert_eq!(r.lookup_digest(&req).unwrap(), issued.record.digest_hex());
    let stored = ApiKeyRecord::from_json(&issued.record.to_json()).unwrap();
    assert!(r.verify_record::<&str>(&req, &stored, &[]).is_ok());
    assert_eq!(
        code(r.verify_record::<&str>(&req, &other.record, &[])),
        ErrorCode::ApiKeyRecordInvalid
    );
}

#[test]
fn environment_and_prefix() {
    let live_ring = ring(live());
    let test_ring = ring(ApiKeyConfig {
        environment: Some("test".into()),
        ..live()
    });
    let test_key = issue(&test_ring, &[], None);
    assert_eq!(
        code(live_ring.verify::<&str>(&bearer(test_key.key.expose(), 10), &[])),
        ErrorCode::ApiKeyEnvironmentMismatch
    );
    let other = ApiKeyRing::new(
        PEPPER,
        ApiKeyConfig {
            prefix: "zz".into(),
            ..live()
        },
    )
    .unwrap();
    let zz = issue(&other, &[], None);
    assert_eq!(
        code(live_ring.verify::<&str>(&bearer(zz.key.expose(), 10), &[])),
        ErrorCode::ApiKeyPrefixMismatch
    );
    assert_eq!(
        live_ring.insert(zz.record.clone()).unwrap_err().code(),
        ErrorCode::ApiKeyRecordInvalid
    );
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let r = ring(live());
    let issued = issue(&r, &[], None);
    let key = issued.key.expose().to_owned();
    assert!(!format!("{issued:?}").contains(&key));
    assert!(!format!("{r:?}").contains("42, 42"));
    let mut typo = key.clone();
    typo.pop();
    typo.push('!');
    let d = r.verify::<&str>(&bearer(&typo, 10), &[]).unwrap_err();
    assert!(!format!("{d:?} {d}").contains(&key[8..20]));
}

#[test]
fn many_threads_share_a_ring() {
    let r = std::sync::Arc::new(ring(live()));
    let keys: Vec<String> = (0..8)
        .map(|_| issue(&r, &["read"], None).key.expose().to_owned())
        .collect();
    std::thread::scope(|s| {
        for key in &keys {
            let r = r.clone();
            s.spawn(move || {
                for _ in 0..200 {
                    assert!(r.verify(&bearer(key, 10), &["read"]).is_ok());
                }
            });
        }
    });
}
