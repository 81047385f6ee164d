//! Credentials a client presents as text: HTTP Basic, htpasswd lines and password hashes, API
//! keys.

use std::sync::OnceLock;

use base64::Engine;
use portcullis::apikey::{ApiKeyConfig, ApiKeyRecord, ApiKeyRing};
use portcullis::basic::{parse_authorization, BasicAuth, BasicConfig, StoredHash};
use portcullis::{fuzzing, AuthMethod, ErrorCode, Request};

use crate::{check, raw_request, vectors, NOW};

/// The Basic verifier: the users of basic.json's first accepted `verify` case (argon2id,
/// bcrypt, SHA-crypt, all at low cost).
fn basic_auth() -> &'static (BasicAuth, Vec<String>) {
    static AUTH: OnceLock<(BasicAuth, Vec<String>)> = OnceLock::new();
    AUTH.get_or_init(|| {
        let case = vectors::first_case("basic.json", "verify", |c| c["expect"]["ok"].is_object());
        let config = BasicConfig::from_json(&case["input"]["config"].to_string())
            .expect("basic.json's config reads");
        let hashes = config.users.values().cloned().collect();
        (
            BasicAuth::new(config).expect("the Basic verifier builds"),
            hashes,
        )
    })
}

/// The password of a `Basic` header value, as the target reads it (to keep it out of errors).
fn presented_password(data: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(data).ok()?;
    let token = text.trim().split_once(' ')?.1.trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some(decoded[colon + 1..].to_vec())
}

/// `basic_credentials`: the bytes are an `Authorization` value. Credentials that parse encode
/// back (`Basic` + base64 of `user:password`) to the same credentials, their user-id holds no
/// colon; a refusal never quotes the password; the Basic verifier answers a request carrying
/// the value with a principal of its users or a named refusal that quotes no stored hash.
pub fn basic_credentials(data: &[u8]) {
    let password = presented_password(data).filter(|p| p.len() >= 8);
    let hidden: Vec<&[u8]> = password.iter().map(Vec::as_slice).collect();
    match parse_authorization(data) {
        Ok(c) => {
            assert!(!c.user_id.contains(':'), "a user-id with a colon");
            let again = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    c.user_id,
                    c.password.expose()
                ))
            );
            let back = parse_authorization(again.as_bytes()).expect("re-encoded credentials");
            assert_eq!(back.user_id, c.user_id);
            assert_eq!(back.password.expose(), c.password.expose());
        }
        Err(e) => check::error(&e, &hidden),
    }
    let request = Request::new("GET", "/").and_then(|r| r.header("Authorization", data));
    let Ok(request) = request else { return };
    let (auth, hashes) = basic_auth();
    let mut secrets: Vec<&[u8]> = hashes.iter().map(|h| h.as_bytes()).collect();
    secrets.extend(&hidden);
    match auth.verify(&request.at(NOW)) {
        Ok(p) => assert_eq!(p.method, AuthMethod::Basic),
        Err(d) => check::denial(&d, &check::unseen(&secrets, data)),
    }
}

/// `htpasswd`: the bytes are htpasswd text. Loading it (hashes parsed, nothing hashed) gives
/// at most one user per line, or a named refusal that quotes no hash; each line's hash that
/// parses strictly parses with legacy schemes allowed too.
pub fn htpasswd(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.lines().count();
    let hashes: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(_, hash)| hash.trim_end_matches('\r'))
        .collect();
    // A hash long enough to be one: an error that quotes it leaks a password's verifier.
    let secret: Vec<&[u8]> = hashes
        .iter()
        .filter(|h| h.len() >= 12)
        .map(|h| h.as_bytes())
        .collect();
    for allow_legacy in [false, true] {
        let config = BasicConfig {
            htpasswd: Some(text.clone()),
            allow_legacy,
            ..BasicConfig::default()
        };
        match fuzzing::load_basic_users(&config) {
            Ok(users) => assert!(users <= lines, "{users} users from {lines} lines"),
            Err(e) => {
                check::error(&e, &[]);
                check::no_input_secret(data, &secret, e.detail(), &|input| {
                    let config = BasicConfig {
                        htpasswd: Some(String::from_utf8_lossy(input).into_owned()),
                        allow_legacy,
                        ..BasicConfig::default()
                    };
                    fuzzing::load_basic_users(&config)
                        .err()
                        .map(|e| e.detail().to_owned())
                });
            }
        }
    }
    for hash in hashes {
        match StoredHash::parse(hash, false) {
            Ok(stored) => {
                let legacy = StoredHash::parse(hash, true).expect("strict parse, legacy refuses");
                assert_eq!(legacy.scheme(), stored.scheme());
            }
            Err(e) => {
                check::error(&e, &[]);
                check::no_input_secret(hash.as_bytes(), &secret, e.detail(), &|input| {
                    let hash = String::from_utf8_lossy(input);
                    StoredHash::parse(&hash, false)
                        .err()
                        .map(|e| e.detail().to_owned())
                });
            }
        }
    }
}

struct ApiKeys {
    ring: ApiKeyRing,
    pepper: Vec<u8>,
}

/// The ring of apikey.json's first accepted `verify` case: its pepper, config and records.
fn api_keys() -> &'static ApiKeys {
    static RING: OnceLock<ApiKeys> = OnceLock::new();
    RING.get_or_init(|| {
        let case = vectors::first_case("apikey.json", "verify", |c| c["expect"]["ok"].is_object());
        let input = &case["input"];
        let hex = vectors::text(&input["pepper_hex"]);
        let pepper: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("pepper hex"))
            .collect();
        let config = ApiKeyConfig::from_json(&input["config"].to_string()).expect("config reads");
        let ring = ApiKeyRing::new(&pepper, config).expect("the ring builds");
        for record in input["records"].as_array().into_iter().flatten() {
            let record = ApiKeyRecord::from_json(&record.to_string()).expect("record reads");
            ring.insert(record).expect("record inserted");
        }
        ApiKeys { ring, pepper }
    })
}

/// `apikey_verify`: the bytes are a request ([`raw_request`]). The ring's digest lookup and its
/// verify agree: a key that verifies has a digest, a key refused before the lookup is refused
/// by both with the same code; every refusal is named and quotes neither the pepper nor its
/// hex. The whole input as a key text gets a format check that never fails unnamed.
pub fn apikey_verify(data: &[u8]) {
    let keys = api_keys();
    let hex: String = keys.pepper.iter().map(|b| format!("{b:02x}")).collect();
    let secrets = check::unseen(&[keys.pepper.as_slice(), hex.as_bytes()], data);
    if let Err(e) = keys.ring.check_format(&String::from_utf8_lossy(data)) {
        check::error(&e, &secrets);
    }
    let raw = raw_request::split(data);
    let request = match raw.build(NOW) {
        Ok(r) => r,
        Err(e) => return check::error(&e, &[]),
    };
    let verified = keys.ring.verify(&request, &[] as &[&str]);
    let digest = keys.ring.lookup_digest(&request);
    match (&verified, &digest) {
        (Ok(p), Ok(_)) => assert_eq!(p.method, AuthMethod::ApiKey),
        (Ok(_), Err(d)) => panic!("verified, yet no digest: {d}"),
        (Err(v), Err(d)) => assert_eq!(v.code(), d.code(), "verify {v}, lookup {d}"),
        (Err(v), Ok(_)) => assert!(
            !matches!(
                v.code(),
                ErrorCode::ApiKeyMalformed
                    | ErrorCode::ApiKeyChecksumMismatch
                    | ErrorCode::ApiKeyPrefixMismatch
                    | ErrorCode::CredentialsMissing
            ),
            "refused before the lookup ({v}), yet a digest was found"
        ),
    }
    for d in [verified.err(), digest.err()].iter().flatten() {
        check::denial(d, &secrets);
    }
}
