//! Options objects to the core's serde JSON configs, renamed mechanically.
//!
//! The core defines each configuration once, as a serde type with defaults and
//! `deny_unknown_fields` (`ApiKeyConfig`, `BasicConfig`, `MtlsConfig`, ...). The binding turns
//! a JS options object into that JSON, renaming every option name from camelCase to snake_case
//! (`htpasswdFile` -> `htpasswd_file`, in nested option objects and lists of them too), and
//! lets the core parse it: names, defaults, `null` and validation, and the refusal of an
//! unknown name, stay the core's. Its errors come back with option names spelled as in JS.
//! The values of [`DATA`] options are data keyed by the caller and keep their keys. Functions,
//! symbols, non-finite numbers and cyclic or too-deep values are refused with a type error.

use napi::bindgen_prelude::{Buffer, Either, Object, Unknown};
use napi::{Env, Error, JsValue, Result, Status, ValueType};
use portcullis::ErrorCode;
use serde_json::{Map, Number, Value};

use crate::errors::OrThrow;

/// Options whose values are maps keyed by data (user names, metadata, header field names):
/// their keys are passed on as they are.
pub const DATA: &[&str] = &["users", "metadata", "structuredFields"];

/// Deepest nesting accepted in a value (also what stops a cyclic object).
const MAX_DEPTH: usize = 32;

fn type_error(detail: String) -> Error {
    Error::new(Status::InvalidArg, detail)
}

/// `camelCase` -> `snake_case`: each upper-case ASCII letter becomes `_` and its lower case.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `snake_case` -> `camelCase`: the inverse of [`snake`] on the names it makes.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The core's JSON name for the JS option `name`, or a refusal with `code` (the code the core
/// gives an unknown name in this schema) for a name that is not camelCase: `leeway_seconds`
/// must not reach the core as if it were `leewaySeconds`.
fn json_name(name: &str, code: ErrorCode) -> std::result::Result<String, portcullis::Error> {
    let json = snake(name);
    if camel(&json) == name {
        Ok(json)
    } else {
        Err(portcullis::Error::new(
            code,
            format!("unknown option `{name}` (option names are camelCase)"),
        ))
    }
}

/// `value` with the keys of every object renamed by [`json_name`], except below [`DATA`]
/// options. Recursion is bounded by [`MAX_DEPTH`] ([`to_json`] refused anything deeper).
fn renamed(
    value: Value,
    depth: usize,
    code: ErrorCode,
) -> std::result::Result<Value, portcullis::Error> {
    Ok(match value {
        Value::Object(map) if depth <= MAX_DEPTH => {
            let mut out = Map::new();
            for (name, value) in map {
                let value = if DATA.contains(&name.as_str()) {
                    value
                } else {
                    renamed(value, depth + 1, code)?
                };
                out.insert(json_name(&name, code)?, value);
            }
            Value::Object(out)
        }
        Value::Array(items) if depth <= MAX_DEPTH => Value::Array(
            items
                .into_iter()
                .map(|v| renamed(v, depth + 1, code))
                .collect::<std::result::Result<_, _>>()?,
        ),
        other => other,
    })
}

/// A core error about options, with option names as the JS caller writes them: serde's
/// "unknown field `x`, expected one of `a`, `b`", "missing field `x`" and "duplicate field `x`"
/// name the core's snake_case fields; they become "option" and camelCase. Other messages (an
/// unknown variant names a value, not an option) are left as they are.
fn js_names(error: portcullis::Error) -> portcullis::Error {
    let detail = error.detail();
    if !["unknown field", "missing field", "duplicate field"]
        .iter()
        .any(|m| detail.contains(m))
    {
        return error;
    }
    let detail = detail.replace(" field `", " option `");
    let mut out = String::with_capacity(detail.len());
    for (i, part) in detail.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        out.push_str(&if i % 2 == 1 {
            camel(part)
        } else {
            part.to_owned()
        });
    }
    portcullis::Error::new(error.code(), out)
}

/// The core's JSON object for `options`, renamed; names in `skip` are the caller's to read.
/// An `undefined` option is left out (the core's default). A name that is not camelCase is
/// refused with `code`.
fn to_config(
    env: &Env,
    options: &Object,
    skip: &[&str],
    code: ErrorCode,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for name in Object::keys(options)? {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let Some(value) = options.get::<Unknown>(&name)? else {
            continue;
        };
        let value =
            to_json(&value, 0).map_err(|e| type_error(format!("option `{name}`: {}", e.reason)))?;
        let value = if DATA.contains(&name.as_str()) {
            value
        } else {
            renamed(value, 1, code).or_throw(env)?
        };
        out.insert(json_name(&name, code).or_throw(env)?, value);
    }
    Ok(out)
}

/// Parses an options object with the core's own parser (`Config::from_json`); names in `skip`
/// are the caller's to read. A refusal names options as the JS caller spells them.
pub fn config_of<T>(
    env: &Env,
    options: &Object,
    skip: &[&str],
    parse: impl FnOnce(&str) -> std::result::Result<T, portcullis::Error>,
) -> Result<T> {
    let json = Value::Object(to_config(env, options, skip, ErrorCode::JsonInvalid)?).to_string();
    parse(&json).map_err(js_names).or_throw(env)
}

/// [`config_of`] for an optional options argument (`undefined`/`null`: every default).
pub fn config<T>(
    env: &Env,
    options: Option<Unknown>,
    parse: impl FnOnce(&str) -> std::result::Result<T, portcullis::Error>,
) -> Result<T> {
    match options {
        Some(o) => config_of(env, &object(o)?, &[], parse),
        None => parse("{}").map_err(js_names).or_throw(env),
    }
}

/// An optional options argument read with a core type's serde schema (argon2 parameters,
/// certificate specs: values the binding checks as arguments), every refusal (a bad value, an
/// unknown name) being `code` with `what` in front.
pub fn value<T: serde::de::DeserializeOwned>(
    env: &Env,
    options: Option<Unknown>,
    what: &str,
    code: ErrorCode,
) -> Result<T> {
    let map = match options {
        Some(o) => to_config(env, &object(o)?, &[], code)?,
        None => Map::new(),
    };
    serde_json::from_value(Value::Object(map))
        .map_err(|e| js_names(portcullis::Error::new(code, format!("{what}: {e}"))))
        .or_throw(env)
}

/// An options argument: a plain object (not an array, a Buffer or a function).
pub fn object<'a>(value: Unknown<'a>) -> Result<Object<'a>> {
    if value.get_type()? != ValueType::Object
        || value.is_array()?
        || value.is_buffer()?
        || value.is_typedarray()?
    {
        return Err(type_error("options must be a plain object".into()));
    }
    // SAFETY: the value is a JS object.
    unsafe { value.cast() }
}

/// A JS value as JSON: `null`, booleans, finite numbers, strings, arrays and plain objects.
pub fn to_json(value: &Unknown, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(type_error("value is nested too deeply (or cyclic)".into()));
    }
    // SAFETY (every `cast` below): the value's JS type was checked first, and each target type
    // converts from exactly that JS type; a mismatch would be an error, not undefined behaviour.
    Ok(match value.get_type()? {
        ValueType::Null | ValueType::Undefined => Value::Null,
        ValueType::Boolean => Value::Bool(unsafe { value.cast::<bool>() }?),
        ValueType::Number => {
            let n: f64 = unsafe { value.cast() }?;
            if !n.is_finite() {
                return Err(type_error("a number must be finite".into()));
            }
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
                // A whole number within ±2^53: the cast is exact.
                Value::Number(Number::from(n as i64))
            } else {
                Number::from_f64(n).map_or(Value::Null, Value::Number)
            }
        }
        ValueType::String => Value::String(unsafe { value.cast::<String>() }?),
        ValueType::Object if value.is_array()? => {
            let items: Vec<Unknown> = unsafe { value.cast() }?;
            Value::Array(
                items
                    .iter()
                    .map(|v| to_json(v, depth + 1))
                    .collect::<Result<_>>()?,
            )
        }
        ValueType::Object if !value.is_buffer()? && !value.is_typedarray()? => {
            let object: Object = unsafe { value.cast() }?;
            let mut map = Map::new();
            for key in Object::keys(&object)? {
                if let Some(v) = object.get::<Unknown>(&key)? {
                    map.insert(key, to_json(&v, depth + 1)?);
                }
            }
            Value::Object(map)
        }
        other => {
            return Err(type_error(format!(
                "a {other:?} value cannot be converted to JSON"
            )))
        }
    })
}

/// Reads a required Buffer option.
pub fn buffer(options: &Object, name: &str) -> Result<Buffer> {
    let value = options
        .get::<Unknown>(name)?
        .ok_or_else(|| type_error(format!("option `{name}` (a Buffer) is required")))?;
    if !value.is_buffer()? {
        return Err(type_error(format!("option `{name}` must be a Buffer")));
    }
    // SAFETY: the value is a Buffer.
    unsafe { value.cast() }
}

/// Header (name, value) pairs the core built, as JS `[string, string]` arrays.
pub fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// The bytes of a `Buffer | string` argument (a string gives its UTF-8 bytes).
pub fn bytes(value: Either<Buffer, String>) -> Vec<u8> {
    match value {
        Either::A(buffer) => buffer.to_vec(),
        Either::B(text) => text.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (js, json) in [
            ("htpasswdFile", "htpasswd_file"),
            ("secretsB64", "secrets_b64"),
            ("requireClientAuthEku", "require_client_auth_eku"),
            ("realm", "realm"),
            ("kidMissCooldownSeconds", "kid_miss_cooldown_seconds"),
        ] {
            assert_eq!(snake(js), json);
            assert_eq!(camel(json), js);
            assert_eq!(
                json_name(js, ErrorCode::JsonInvalid).ok().as_deref(),
                Some(json)
            );
        }
        for not_camel in ["leeway_seconds", "max__age", "_x", "x_"] {
            let refused = json_name(not_camel, ErrorCode::InvalidArgument).err();
            assert_eq!(
                refused.map(|e| e.code()),
                Some(ErrorCode::InvalidArgument),
                "{not_camel}"
            );
        }
    }

    #[test]
    fn nested_objects_are_renamed_data_maps_are_not() {
        let value = serde_json::json!({
            "rules": [{"match": {"spiffeId": "spiffe://a/b"}, "subject": "s"}],
            "users": {"aliceSmith": "$2b$..."},
            "forwarded": {"trustedProxies": ["10.0.0.0/8"]},
        });
        let want = serde_json::json!({
            "rules": [{"match": {"spiffe_id": "spiffe://a/b"}, "subject": "s"}],
            "users": {"aliceSmith": "$2b$..."},
            "forwarded": {"trusted_proxies": ["10.0.0.0/8"]},
        });
        assert_eq!(renamed(value, 0, ErrorCode::JsonInvalid).ok(), Some(want));
    }

    #[test]
    fn core_refusals_name_options_as_js_does() {
        let e = portcullis::Error::new(
            ErrorCode::JsonInvalid,
            "JWT config: unknown field `leeway`, expected one of `issuers`, `leeway_seconds`",
        );
        let e = js_names(e);
        assert_eq!(e.code(), ErrorCode::JsonInvalid);
        assert_eq!(
            e.detail(),
            "JWT config: unknown option `leeway`, expected one of `issuers`, `leewaySeconds`"
        );
        let variant = "mTLS config: unknown variant `leaf`, expected `chain` or `end_entity`";
        let e = js_names(portcullis::Error::new(ErrorCode::JsonInvalid, variant));
        assert_eq!(e.detail(), variant);
    }
}
