//! Small conversions between Python objects and the core's plain types.

use portcullis::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyMapping, PyString, PyTuple};
use pyo3::{intern, BoundObject};
use serde_json::{Map, Value};

use crate::errors::error_to_py;

/// Text or bytes, as a Python `bytes` object (a `str` is encoded to UTF-8 first), so the
/// content can be borrowed, also with the GIL released (bytes are immutable).
pub struct StrOrBytes<'py>(Bound<'py, PyBytes>);

impl<'py> StrOrBytes<'py> {
    /// Accepts `str` or `bytes`; anything else is a `TypeError` naming `what`. A `str` holding
    /// a lone surrogate raises `UnicodeEncodeError`.
    pub fn extract(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            Ok(StrOrBytes(s.encode_utf8()?))
        } else if let Ok(b) = obj.cast::<PyBytes>() {
            Ok(StrOrBytes(b.clone()))
        } else {
            Err(PyTypeError::new_err(format!(
                "{what} must be str or bytes, not {}",
                type_name(obj)
            )))
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The name of an object's type, for error messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A JSON value as a Python object (dicts, lists, str, int, float, bool, None): what
/// `pythonize` builds (an integer is an `int`, a float a `float`, objects keep the map's order),
/// built directly, without going through serde.
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?,
    })
}

/// A member name as a `str`: the registered JWT claim names (RFC 7519 4.1, and `scope`) are
/// made once and shared, with their hash already computed; any other name is a new `str`.
fn member_name<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    let shared = match name {
        "iss" => intern!(py, "iss"),
        "sub" => intern!(py, "sub"),
        "aud" => intern!(py, "aud"),
        "exp" => intern!(py, "exp"),
        "nbf" => intern!(py, "nbf"),
        "iat" => intern!(py, "iat"),
        "jti" => intern!(py, "jti"),
        "scope" => intern!(py, "scope"),
        _ => return PyString::new(py, name),
    };
    shared.clone()
}

/// A JSON object as a Python dict.
pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (name, value) in map {
        dict.set_item(member_name(py, name), json_to_py(py, value)?)?;
    }
    Ok(dict.into_any())
}

/// A verified token's claims as a Python dict: the dict [`map_to_py`] makes of the same claims
/// as a map (same order, same values), from the claims as the core read them.
pub fn token_claims_to_py<'py>(
    py: Python<'py>,
    claims: &portcullis::jwt::TokenClaims,
) -> PyResult<Bound<'py, PyAny>> {
    use portcullis::jwt::ClaimRef;
    let dict = PyDict::new(py);
    for (name, value) in claims.iter() {
        let value = match value {
            ClaimRef::Str(s) => PyString::new(py, s).into_any(),
            ClaimRef::Int(i) => i.into_pyobject(py)?.into_any(),
            ClaimRef::UInt(u) => u.into_pyobject(py)?.into_any(),
            ClaimRef::Float(f) => PyFloat::new(py, f).into_any(),
            ClaimRef::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
            ClaimRef::Null => py.None().into_bound(py),
            ClaimRef::Value(v) => json_to_py(py, v)?,
        };
        dict.set_item(member_name(py, name), value)?;
    }
    Ok(dict.into_any())
}

/// A Python mapping of JSON-representable values as a JSON object; other types are a
/// `TypeError`.
pub fn py_to_map(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Map<String, Value>> {
    match pythonize::depythonize::<Value>(obj) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(PyTypeError::new_err(format!(
            "{what} must be a mapping, not {}",
            type_name(obj)
        ))),
        Err(e) => Err(PyTypeError::new_err(format!(
            "{what} must hold only JSON values: {e}"
        ))),
    }
}

/// `repr()` of a Python-convertible value, for `__repr__` implementations.
pub fn py_repr<'py, T>(py: Python<'py>, value: T) -> PyResult<String>
where
    T: IntoPyObject<'py>,
{
    let obj = value.into_pyobject(py).map_err(Into::into)?;
    let repr = obj.into_any().into_bound().repr()?;
    Ok(repr.to_string())
}

/// Hands every `(name, value)` of `headers` (a mapping, or an iterable of pairs) to `add`, in
/// order. Names must be `str`; values `str` or `bytes`.
pub fn add_headers(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    mut add: impl FnMut(&str, &[u8]) -> Result<(), Error>,
) -> PyResult<()> {
    let pairs = if let Ok(mapping) = headers.cast::<PyMapping>() {
        mapping.items()?.into_any()
    } else if headers.is_instance_of::<PyString>() || headers.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "headers must be a list of (name, value) pairs or a mapping",
        ));
    } else {
        headers.clone()
    };
    for item in pairs.try_iter()? {
        let (name_obj, value_obj) = header_pair(&item?)?;
        let name = name_obj.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "header name must be str, not {}",
                type_name(&name_obj)
            ))
        })?;
        let value = StrOrBytes::extract(&value_obj, "header value")?;
        add(&name.to_cow()?, value.as_bytes()).map_err(|e| error_to_py(py, &e))?;
    }
    Ok(())
}

/// The name and value of one header given as a `(name, value)` tuple; anything else is a
/// `TypeError`.
pub fn header_pair<'py>(
    item: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let pair = item.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err(format!(
            "each header must be a (name, value) tuple, not {}",
            type_name(item)
        ))
    })?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err(
            "each header must be a (name, value) tuple",
        ));
    }
    Ok((pair.get_item(0)?, pair.get_item(1)?))
}

/// Header (name, value) pairs the core built, as Python `(str, str)` tuples.
pub fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// Bytes the core built (a canonical request, a signature base) as `str`: UTF-8, with any
/// other byte kept as a lone surrogate (`surrogateescape`), so
/// `s.encode("utf-8", "surrogateescape")` gives back the exact bytes.
pub fn bytes_to_str(py: Python<'_>, bytes: &[u8]) -> PyResult<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => PyBytes::new(py, bytes)
            .call_method1("decode", ("utf-8", "surrogateescape"))?
            .extract(),
    }
}

/// Keyword arguments holding a core configuration, parsed by the core's own JSON reader
/// (`parse`), so names, defaults, unknown-field refusals and error codes are the core's.
/// A value that is not JSON-representable is a `TypeError`.
pub fn config_from_kwargs<T>(
    py: Python<'_>,
    kwargs: Option<&Bound<'_, PyDict>>,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, Error>,
) -> PyResult<T> {
    let map = match kwargs {
        Some(k) => py_to_map(k.as_any(), what)?,
        None => Map::new(),
    };
    let json = Value::Object(map).to_string();
    parse(&json).map_err(|e| error_to_py(py, &e))
}
