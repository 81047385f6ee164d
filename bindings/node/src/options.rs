//! Options objects to the core's serde JSON configs.
//!
//! The core defines each configuration once, as a serde type with defaults
//! (`ApiKeyConfig`, `BasicConfig`, `ApiKeyOptions`, `Argon2Params`). The binding turns a JS
//! options object into that JSON, renaming the camelCase option names to the snake_case field
//! names, and lets the core parse it: defaults, `null` and validation stay the core's. Unknown
//! option names, functions, symbols, non-finite numbers and cyclic or too-deep values are
//! refused with a type error.

use napi::bindgen_prelude::{Buffer, Either, Object, Unknown};
use napi::{Error, JsValue, Result, Status, ValueType};
use serde_json::{Map, Number, Value};

/// One option: its JS name, its JSON name, and the renaming of a nested options object (or of
/// each object of a list of them).
pub struct Field {
    pub js: &'static str,
    pub json: &'static str,
    pub nested: Option<&'static [Field]>,
}

/// An option whose value is passed through as is (strings, numbers, maps keyed by data).
pub const fn plain(js: &'static str, json: &'static str) -> Field {
    Field {
        js,
        json,
        nested: None,
    }
}

/// Deepest nesting accepted in a value (also what stops a cyclic object).
const MAX_DEPTH: usize = 32;

fn type_error(detail: String) -> Error {
    Error::new(Status::InvalidArg, detail)
}

/// The JSON object for `options` under `fields`; names in `skip` are the caller's to read.
pub fn to_config(options: &Object, fields: &[Field], skip: &[&str]) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for name in Object::keys(options)? {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let Some(field) = fields.iter().find(|f| f.js == name) else {
            let known: Vec<&str> = fields.iter().map(|f| f.js).collect();
            return Err(type_error(format!(
                "unknown option `{name}` (expected one of: {})",
                known.join(", ")
            )));
        };
        let Some(value) = options.get::<Unknown>(&name)? else {
            continue; // undefined: the core's default
        };
        let json = match field.nested {
            Some(nested) if value.is_array()? => {
                // A list of nested options objects (e.g. the keys of an HMAC verifier).
                let items: Vec<Unknown> = unsafe { value.cast() }?;
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(Value::Object(to_config(&object(item)?, nested, &[])?));
                }
                Value::Array(list)
            }
            Some(nested) if value.get_type()? == ValueType::Object => {
                Value::Object(to_config(&object(value)?, nested, &[])?)
            }
            _ => to_json(&value, 0)
                .map_err(|e| type_error(format!("option `{name}`: {}", e.reason)))?,
        };
        out.insert(field.json.to_owned(), json);
    }
    Ok(out)
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

/// The JSON object for an optional options argument (`undefined`/`null` give `{}`).
pub fn to_config_opt(options: Option<Unknown>, fields: &[Field]) -> Result<Map<String, Value>> {
    match options {
        Some(o) => to_config(&object(o)?, fields, &[]),
        None => Ok(Map::new()),
    }
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

/// Serialises a JSON object built by `to_config` (always succeeds for a `Map`).
pub fn to_string(map: Map<String, Value>) -> String {
    Value::Object(map).to_string()
}

/// The bytes of a `Buffer | string` argument (a string gives its UTF-8 bytes).
pub fn bytes(value: Either<Buffer, String>) -> Vec<u8> {
    match value {
        Either::A(buffer) => buffer.to_vec(),
        Either::B(text) => text.into_bytes(),
    }
}
