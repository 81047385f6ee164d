use super::*;

fn small() -> Argon2Params {
    Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

fn auth_with(users: &[(&str, &str)]) -> BasicAuth {
    BasicAuth::new(BasicConfig {
        users: users
            .iter()
            .map(|(u, p)| (u.to_string(), hash_password(p.as_bytes(), small()).unwrap()))
            .collect(),
        rehash_params: small(),
        ..BasicConfig::default()
    })
    .unwrap()
}

fn basic(header: &str) -> Request {
    Request::new("GET", "/")
        .unwrap()
        .header("Authorization", header)
        .unwrap()
}

#[test]
fn rfc7617_examples() {
    let c = parse_credentials("QWxhZGRpbjpvcGVuIHNlc2FtZQ==").unwrap();
    assert_eq!(c.user_id, "Aladdin");
    assert_eq!(c.password.expose(), "open sesame");
    let c = parse_credentials("dGVzdDoxMjPCow==").unwrap();
    assert_eq!(c.user_id, "test");
    assert_eq!(c.password.expose(), "123£");
}

#[test]
fn parse_refusals() {
    let code = |s: &str| parse_credentials(s).unwrap_err().code();
    assert_eq!(code(""), ErrorCode::BasicMalformed);
    assert_eq!(code("QWxhZGRpbg=="), ErrorCode::BasicMalformed); // "Aladdin"
    assert_eq!(
        code("QWxhZGRpbjpvcGVuIHNlc2FtZQ"),
        ErrorCode::BasicBadBase64
    );
    assert_eq!(
        code("QWxhZGRpbjpvcGVuIHNlc2FtZR=="),
        ErrorCode::BasicBadBase64
    );
    assert_eq!(code("YTpi/w=="), ErrorCode::BasicInvalidUtf8); // "a:b\xff"
    assert_eq!(code("YQA6Yg=="), ErrorCode::BasicControlCharacter); // "a\0:b"
    assert_eq!(code(&"A".repeat(5000)), ErrorCode::BasicTooLong);
}

#[test]
fn verify_known_unknown_and_wrong() {
    let auth = auth_with(&[("Aladdin", "open sesame")]);
    let p = auth
        .verify(&basic("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="))
        .unwrap();
    assert_eq!(p.subject, "Aladdin");
    assert_eq!(p.claims["needs_rehash"], false);
    let wrong = auth
        .verify(&basic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZR=="))
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::BasicBadBase64);
    // "Aladdin:open sesam"
    let d = auth
        .verify(&basic("Basic QWxhZGRpbjpvcGVuIHNlc2Ft"))
        .unwrap_err();
    assert_eq!(d.code(), ErrorCode::BasicInvalidCredentials);
    assert_eq!(
        d.challenge().unwrap().header_value(),
        "Basic realm=\"api\", charset=\"UTF-8\""
    );
    // "nobody:open sesame"
    let d = auth
        .verify(&basic("Basic bm9ib2R5Om9wZW4gc2VzYW1l"))
        .unwrap_err();
    assert_eq!(d.code(), ErrorCode::BasicInvalidCredentials);
    let missing = auth.verify(&Request::new("GET", "/").unwrap()).unwrap_err();
    assert_eq!(missing.code(), ErrorCode::CredentialsMissing);
    let bearer = auth.verify(&basic("Bearer abc")).unwrap_err();
    assert_eq!(bearer.code(), ErrorCode::CredentialsMissing);
}

#[test]
fn htpasswd_loading() {
    let text = format!(
        "# comment\n\nalice:{}\r\nbob:{{SHA}}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
        hash_password(b"pw", small()).unwrap()
    );
    let config = BasicConfig {
        htpasswd: Some(text.clone()),
        ..BasicConfig::default()
    };
    let e = BasicAuth::new(config.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BasicHashWeak);
    assert!(e.detail().contains("line 4"));
    let auth = BasicAuth::new(BasicConfig {
        allow_legacy: true,
        ..config
    })
    .unwrap();
    assert_eq!(auth.len(), 2);
    let creds = BasicCredentials {
        user_id: "bob".into(),
        password: SecretString::new("password".into()),
    };
    let p = auth.verify_credentials(&creds).unwrap();
    assert_eq!(p.claims["needs_rehash"], true);
    assert_eq!(p.claims["hash_scheme"], "sha1");
    let dup = BasicConfig {
        htpasswd: Some(format!("{text}alice:{{SHA}}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")),
        allow_legacy: true,
        ..BasicConfig::default()
    };
    assert_eq!(
        BasicAuth::new(dup).unwrap_err().code(),
        ErrorCode::BasicHtpasswdMalformed
    );
    let no_colon = BasicConfig {
        htpasswd: Some("alice\n".into()),
        ..BasicConfig::default()
    };
    assert_eq!(
        BasicAuth::new(no_colon).unwrap_err().code(),
        ErrorCode::BasicHtpasswdMalformed
    );
}

#[test]
fn bcrypt_refuses_long_passwords_instead_of_truncating() {
    let long = "a".repeat(80);
    let hash = bcrypt::hash(&long[..71], 4).unwrap();
    let auth = BasicAuth::new(BasicConfig {
        users: [("u".to_string(), hash)].into(),
        ..BasicConfig::default()
    })
    .unwrap();
    let creds = |p: &str| BasicCredentials {
        user_id: "u".into(),
        password: SecretString::new(p.into()),
    };
    assert!(auth.verify_credentials(&creds(&long[..71])).is_ok());
    assert!(auth.verify_credentials(&creds(&long)).is_err());
}

#[test]
fn unknown_users_are_checked_against_the_commonest_profile() {
    let bcrypt4 = |p: &str| bcrypt::hash(p, 4).unwrap();
    let auth = BasicAuth::new(BasicConfig {
        users: [
            ("a".to_string(), bcrypt4("x")),
            ("b".to_string(), bcrypt4("y")),
            ("c".to_string(), hash_password(b"z", small()).unwrap()),
        ]
        .into(),
        ..BasicConfig::default()
    })
    .unwrap();
    assert_eq!(auth.dummy.scheme(), HashScheme::Bcrypt);
    assert_eq!(auth.dummy.profile(), auth.users["a"].profile());
}
