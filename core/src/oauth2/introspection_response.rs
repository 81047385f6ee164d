//! Reading an introspection response (RFC 7662 2.2, RFC 9701 5): the media type, strict JSON
//! (or a verified JWT whose `token_introspection` claim is the response), `active`, the types
//! of the members RFC 7662 registers (and `cnf`), and the token's times.

use serde_json::{Map, Value};

use super::TokenInfo;
use crate::error::{Error, ErrorCode};
use crate::jwt::{json, JwtVerifier, MAX_NUMERIC_DATE};

/// The media type of a plain response.
pub(crate) const JSON: &str = "application/json";
/// The media type of an RFC 9701 response.
pub(crate) const JWT: &str = "application/token-introspection+jwt";
/// The JWT `typ` of an RFC 9701 response.
pub(crate) const JWT_TYP: &str = "token-introspection+jwt";

fn invalid(host: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::OAuthIntrospectionInvalid,
        format!("introspection response from {host}: {why}"),
    )
}

/// The essence of a `Content-Type` (`type/subtype`, lower case, parameters dropped).
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Refuses a response whose media type is not `want` (a missing or repeated `Content-Type`
/// included). The detail names the type received only when it is a plain `type/subtype`.
pub(crate) fn check_media_type(
    content_type: Option<&str>,
    want: &str,
    host: &str,
) -> Result<(), Error> {
    let Some(content_type) = content_type else {
        return Err(invalid(host, format!("no Content-Type (expected {want})")));
    };
    let got = essence(content_type);
    if got == want {
        return Ok(());
    }
    let shown = if got.len() <= 100
        && got
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/+.-_".contains(&b))
    {
        got.as_str()
    } else {
        "an unreadable type"
    };
    Err(invalid(
        host,
        format!("Content-Type is {shown}, expected {want}"),
    ))
}

/// The body of a plain response: one JSON object, no member named twice (at any depth).
pub(crate) fn read_json(body: &[u8], host: &str) -> Result<Map<String, Value>, Error> {
    json::parse_object(body, "introspection response").map_err(|e| {
        let why = if e.code() == ErrorCode::JwtDuplicateMember {
            "names a member twice"
        } else if e.detail().ends_with("not a JSON object") {
            "is not a JSON object"
        } else {
            "is not valid JSON"
        };
        invalid(host, why)
    })
}

/// The `token_introspection` object of an RFC 9701 response, once `verifier` (typ, issuer,
/// audience = the client id, signature with the issuer's keys) accepted the JWT.
pub(crate) fn read_jwt(
    body: &[u8],
    verifier: &JwtVerifier,
    now: i64,
    host: &str,
) -> Result<Map<String, Value>, Error> {
    let text = std::str::from_utf8(body)
        .map_err(|_| invalid(host, "the JWT is not UTF-8 text"))?
        .trim();
    let principal = verifier
        .verify_token::<&str>(text, now, &[])
        .map_err(|denial| {
            let e = denial.error();
            invalid(
                host,
                format!("the signed JWT is refused ({}: {})", e.code(), e.detail()),
            )
        })?;
    match principal.claims.get("token_introspection") {
        Some(Value::Object(response)) => Ok(response.clone()),
        Some(_) => Err(invalid(host, "token_introspection is not an object")),
        None => Err(invalid(host, "the JWT has no token_introspection claim")),
    }
}

fn wrong_type(host: &str, name: &str, want: &str) -> Error {
    invalid(host, format!("{name} is not {want}"))
}

fn string(response: &Map<String, Value>, name: &str, host: &str) -> Result<Option<String>, Error> {
    match response.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong_type(host, name, "a string")),
    }
}

/// An integer NumericDate between 1970 and 9999.
fn date(response: &Map<String, Value>, name: &str, host: &str) -> Result<Option<i64>, Error> {
    match response.get(name) {
        None => Ok(None),
        Some(v) => match v.as_i64() {
            Some(d) if (0..=MAX_NUMERIC_DATE).contains(&d) => Ok(Some(d)),
            _ => Err(wrong_type(
                host,
                name,
                "an integer NumericDate between 1970 and 9999",
            )),
        },
    }
}

fn inactive(why: &'static str) -> Error {
    Error::new(ErrorCode::OAuthTokenInactive, why)
}

/// The active token's information at `now`. `active` missing or not a boolean, or a
/// registered member of the wrong type: `oauth_introspection_invalid`. `active: false`, an
/// `exp` at or before `now`, an `nbf` after it: `oauth_token_inactive` (the other members of an
/// inactive answer are not read).
pub(crate) fn token_info(
    mut response: Map<String, Value>,
    now: i64,
    host: &str,
) -> Result<TokenInfo, Error> {
    match response.remove("active") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            return Err(inactive(
                "the authorization server says the token is not active",
            ))
        }
        Some(_) => return Err(wrong_type(host, "active", "a boolean")),
        None => return Err(invalid(host, "active is missing")),
    }
    let scopes = string(&response, "scope", host)?
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let aud = match response.get("aud") {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| wrong_type(host, "aud", "a string or an array of strings"))?,
        Some(_) => return Err(wrong_type(host, "aud", "a string or an array of strings")),
    };
    let cnf = match response.get("cnf") {
        None => None,
        Some(Value::Object(cnf)) => Some(cnf.clone()),
        Some(_) => return Err(wrong_type(host, "cnf", "an object")),
    };
    let info = TokenInfo {
        scopes,
        client_id: string(&response, "client_id", host)?,
        username: string(&response, "username", host)?,
        token_type: string(&response, "token_type", host)?,
        sub: string(&response, "sub", host)?,
        iss: string(&response, "iss", host)?,
        aud,
        jti: string(&response, "jti", host)?,
        exp: date(&response, "exp", host)?,
        iat: date(&response, "iat", host)?,
        nbf: date(&response, "nbf", host)?,
        cnf,
        claims: response,
    };
    check_times(&info, now)?;
    Ok(info)
}

/// `oauth_token_inactive` when the token has expired (`exp <= now`) or is not yet valid
/// (`nbf > now`).
pub(crate) fn check_times(info: &TokenInfo, now: i64) -> Result<(), Error> {
    if info.exp.is_some_and(|exp| exp <= now) {
        return Err(inactive("the introspected token has expired"));
    }
    if info.nbf.is_some_and(|nbf| nbf > now) {
        return Err(inactive("the introspected token is not yet valid"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn read(v: Value) -> Result<TokenInfo, Error> {
        token_info(v.as_object().unwrap().clone(), NOW, "as.test")
    }

    fn code(v: Value) -> ErrorCode {
        read(v).unwrap_err().code()
    }

    #[test]
    fn an_active_response_is_read() {
        let info = read(json!({
            "active": true, "scope": " read  write ", "client_id": "app", "username": "alice",
            "token_type": "Bearer", "sub": "u1", "iss": "https://as.test", "aud": ["a", "b"],
            "jti": "j1", "exp": NOW + 60, "iat": NOW - 1, "nbf": NOW,
            "cnf": {"jkt": "abc"}, "tenant": "t1"
        }))
        .unwrap();
        assert_eq!(info.scopes, ["read", "write"]);
        assert_eq!(info.aud, ["a", "b"]);
        assert_eq!(info.exp, Some(NOW + 60));
        assert_eq!(info.nbf, Some(NOW));
        assert_eq!(info.cnf.unwrap()["jkt"], "abc");
        assert_eq!(info.claims["tenant"], "t1");
        assert!(!info.claims.contains_key("active"));
        assert_eq!(
            read(json!({"active": true, "aud": "x"})).unwrap().aud,
            ["x"]
        );
    }

    #[test]
    fn active_must_be_a_boolean() {
        use ErrorCode::*;
        assert_eq!(code(json!({})), OAuthIntrospectionInvalid);
        assert_eq!(code(json!({"active": "true"})), OAuthIntrospectionInvalid);
        assert_eq!(code(json!({"active": 1})), OAuthIntrospectionInvalid);
        assert_eq!(code(json!({"active": null})), OAuthIntrospectionInvalid);
        assert_eq!(code(json!({"active": false})), OAuthTokenInactive);
        // An inactive answer's other members are not read.
        assert_eq!(
            code(json!({"active": false, "exp": "x"})),
            OAuthTokenInactive
        );
    }

    #[test]
    fn registered_members_of_the_wrong_type_are_refused() {
        for (name, value) in [
            ("scope", json!(["read"])),
            ("client_id", json!(1)),
            ("username", json!(null)),
            ("token_type", json!({})),
            ("sub", json!(true)),
            ("iss", json!(1)),
            ("jti", json!(1)),
            ("aud", json!(1)),
            ("aud", json!(["a", 1])),
            ("cnf", json!("jkt")),
            ("exp", json!("1700000060")),
            ("exp", json!(1_700_000_060.5)),
            ("exp", json!(-1)),
            ("exp", json!(u64::MAX)),
            ("iat", json!(MAX_NUMERIC_DATE + 1)),
            ("nbf", json!(null)),
        ] {
            let mut v = json!({"active": true});
            v[name] = value;
            let e = read(v).unwrap_err();
            assert_eq!(e.code(), ErrorCode::OAuthIntrospectionInvalid, "{name}");
            assert!(e.detail().contains(name), "{e:?}");
        }
    }

    #[test]
    fn times_decide_inactive() {
        use ErrorCode::*;
        assert_eq!(
            code(json!({"active": true, "exp": NOW})),
            OAuthTokenInactive
        );
        assert_eq!(
            code(json!({"active": true, "exp": NOW - 5})),
            OAuthTokenInactive
        );
        assert_eq!(
            code(json!({"active": true, "nbf": NOW + 1})),
            OAuthTokenInactive
        );
        assert!(read(json!({"active": true, "exp": NOW + 1, "nbf": NOW})).is_ok());
    }

    #[test]
    fn json_is_strict() {
        let e = read_json(br#"{"active": true, "active": false}"#, "h").unwrap_err();
        assert_eq!(e.code(), ErrorCode::OAuthIntrospectionInvalid);
        assert!(e.detail().contains("twice"), "{e:?}");
        for body in [&b"[]"[..], b"", b"<html>", b"{\"active\": tru", b"\xff"] {
            let e = read_json(body, "h").unwrap_err();
            assert_eq!(e.code(), ErrorCode::OAuthIntrospectionInvalid);
        }
    }

    #[test]
    fn media_types() {
        assert!(check_media_type(Some("application/json"), JSON, "h").is_ok());
        assert!(check_media_type(Some("Application/JSON; charset=utf-8"), JSON, "h").is_ok());
        assert!(check_media_type(Some("application/token-introspection+jwt"), JWT, "h").is_ok());
        for bad in [
            Some("text/html"),
            Some("application/jsonx"),
            Some("application/jwt"),
            None,
        ] {
            let e = check_media_type(bad, JSON, "h").unwrap_err();
            assert_eq!(e.code(), ErrorCode::OAuthIntrospectionInvalid);
        }
        let e = check_media_type(Some("application/json"), JWT, "h").unwrap_err();
        assert!(e.detail().contains("application/json"), "{e:?}");
        let e = check_media_type(Some("text/\"x y\""), JSON, "h").unwrap_err();
        assert!(e.detail().contains("unreadable"), "{e:?}");
    }
}
