//! Small conversions between Python objects and the core's plain types.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use pyo3::BoundObject;
use serde_json::{Map, Value};

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

/// A JSON value as a Python object (dicts, lists, str, int, float, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

/// A JSON object as a Python dict.
pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, map)?)
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
