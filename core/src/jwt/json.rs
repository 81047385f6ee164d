//! Strict JSON for JOSE headers and claims: a document whose objects name a member twice is
//! refused (RFC 7515 4 and RFC 7519 4 let a parser refuse them; accepting them lets two parsers
//! read two different tokens), and canonical base64url segments.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorCode};

const DUPLICATE: &str = "portcullis: duplicate member";
/// What a reader expecting an object says when the JSON text is another value.
pub(crate) const NOT_OBJECT: &str = "portcullis: a JSON object";

/// A JSON value built by a visitor that fails on duplicate member names, at any depth.
pub(crate) struct Strict(pub(crate) Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

pub(crate) struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Number::from_f64(v)
            .map(|n| Strict(Value::Number(n)))
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Strict(Value::Array(out)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            members.push((key, v));
        }
        if !sort_unique(&mut members, |(a, _), (b, _)| a.cmp(b)) {
            return Err(de::Error::custom(DUPLICATE));
        }
        Ok(Strict(Value::Object(members.into_iter().collect())))
    }
}

/// Sorts `members` by name (`by` compares two of them) and says whether every name is
/// different: the one duplicate-name check of every JOSE reader, with a sort the reader wants
/// anyway (a map is built from sorted members at once) and no quadratic search.
pub(crate) fn sort_unique<T>(
    members: &mut [T],
    mut by: impl FnMut(&T, &T) -> std::cmp::Ordering,
) -> bool {
    members.sort_unstable_by(&mut by);
    members
        .windows(2)
        .all(|pair| by(&pair[0], &pair[1]) != std::cmp::Ordering::Equal)
}

/// Parses `bytes` as one JSON object; `what` names it in errors (`header`, `claims`).
pub(crate) fn parse_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(_) => Err(not_object(what)),
        Err(e) => Err(read_error(&e, what)),
    }
}

/// The error for a failed read of the JSON object `what`.
pub(crate) fn read_error(e: &serde_json::Error, what: &str) -> Error {
    let text = e.to_string();
    // The marker starts the message of the error the visitor raised; a message that only
    // holds it quotes the input (`invalid type: string "portcullis: duplicate member"`, found
    // by the claims_readers fuzz target), and is no repeat.
    if text.starts_with(DUPLICATE) {
        duplicate(what)
    } else if text.contains(NOT_OBJECT) {
        not_object(what)
    } else {
        not_json(what)
    }
}

pub(crate) fn duplicate(what: &str) -> Error {
    Error::new(
        ErrorCode::JwtDuplicateMember,
        format!("{what} names a member twice"),
    )
}

fn not_object(what: &str) -> Error {
    Error::new(
        ErrorCode::JwtMalformed,
        format!("{what} is not a JSON object"),
    )
}

pub(crate) fn not_json(what: &str) -> Error {
    Error::new(ErrorCode::JwtMalformed, format!("{what} is not valid JSON"))
}

/// Decodes one canonical base64url segment (no padding, URL alphabet, zero trailing bits).
pub(crate) fn segment(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    crate::keys::jwk::b64url_decode(text).ok_or_else(|| {
        Error::new(
            ErrorCode::JwtMalformed,
            format!("{what} is not canonical base64url"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<Map<String, Value>, Error>) -> ErrorCode {
        r.unwrap_err().code()
    }

    #[test]
    fn duplicates_are_refused_at_any_depth() {
        assert!(parse_object(br#"{"a":1,"b":{"c":[1,{"d":2}]}}"#, "x").is_ok());
        let dup = ErrorCode::JwtDuplicateMember;
        assert_eq!(code(parse_object(br#"{"a":1,"a":1}"#, "x")), dup);
        assert_eq!(code(parse_object(br#"{"b":{"c":1,"c":2}}"#, "x")), dup);
        assert_eq!(code(parse_object(br#"{"b":[{"c":1,"c":2}]}"#, "x")), dup);
        assert_eq!(code(parse_object(br#"{"a":1,"\u0061":2}"#, "x")), dup);
        // Small and large objects, the repeat at every position.
        for n in [15, 16, 17, 40] {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            let object = format!("{{{}}}", members.join(","));
            let map = parse_object(object.as_bytes(), "x").unwrap();
            assert_eq!(map.len(), n);
            assert_eq!(map["k3"], 3);
            for at in [0, n / 2, n - 1] {
                let twice = format!("{{{},\"k{at}\":0}}", members.join(","));
                assert_eq!(code(parse_object(twice.as_bytes(), "x")), dup, "{n} {at}");
            }
        }
    }

    #[test]
    fn non_objects_and_garbage_are_malformed() {
        let bad = ErrorCode::JwtMalformed;
        for text in [
            &b"[]"[..],
            b"1",
            b"\"a\"",
            b"",
            b"{",
            b"{} x",
            b"{\"a\":1e999}",
        ] {
            assert_eq!(code(parse_object(text, "x")), bad);
        }
        assert_eq!(code(parse_object(b"{\"a\":\"\xff\"}", "x")), bad);
    }

    #[test]
    fn base64url_is_canonical() {
        assert_eq!(segment("eyJh", "x").unwrap(), b"{\"a");
        for bad in ["eyJh=", "ey+h", "ey/h", "eyJi!", "e", "QR"] {
            assert!(segment(bad, "x").is_err(), "{bad}");
        }
        assert!(segment("QQ", "x").is_ok());
    }
}
