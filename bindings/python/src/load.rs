//! What loading a gate and loading a generic verifier share: the host's secrets and base
//! folder as a `LoadContext`, and load errors with their document path, line and column.

use std::path::PathBuf;

use portcullis::config::{ConfigError, LoadContext, Secrets};
use portcullis::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

use crate::convert::type_name;
use crate::errors::{error_to_py, AuthError};

/// The load context of `secrets` (a mapping of `str` to `str`: the values of `secret:NAME`
/// references) and `base_dir` (where relative paths start).
pub fn load_context(
    secrets: Option<&Bound<'_, PyAny>>,
    base_dir: Option<PathBuf>,
) -> PyResult<LoadContext> {
    let mut context = LoadContext::new();
    if let Some(secrets) = secrets {
        context = context.with_secrets(secrets_of(secrets)?);
    }
    if let Some(dir) = base_dir {
        context = context.with_base_dir(dir);
    }
    Ok(context)
}

fn secrets_of(obj: &Bound<'_, PyAny>) -> PyResult<Secrets> {
    let not_a_mapping = || {
        PyTypeError::new_err(format!(
            "secrets must be a mapping of str to str, not {}",
            type_name(obj)
        ))
    };
    let mapping = obj.cast::<PyMapping>().map_err(|_| not_a_mapping())?;
    let mut secrets = Secrets::new();
    for item in mapping.items()?.try_iter()? {
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        // The value's type only: it is a secret.
        let (Ok(name), Ok(value)) = (name.cast::<PyString>(), value.cast::<PyString>()) else {
            return Err(PyTypeError::new_err(
                "secrets must map str names to str values",
            ));
        };
        secrets.insert(name.to_cow()?.into_owned(), value.to_cow()?.into_owned());
    }
    Ok(secrets)
}

/// A configuration that failed to load, as the exception of its code, with `detail` = the
/// error's text (`<path>: <message> (line L, column C)`) and `path`, `line`, `column`.
pub fn config_error_to_py(py: Python<'_>, error: &ConfigError) -> PyErr {
    let err = error_to_py(py, &Error::from(error.clone()));
    let set = || -> PyResult<()> {
        let value = err.value(py);
        let (line, column) = error.position().unzip();
        value.setattr("path", error.path().to_string())?;
        value.setattr("line", line)?;
        value.setattr("column", column)?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(failure) => failure,
    }
}

/// Gives every `AuthError` `path`, `line` and `column` (None) as class attributes, so that
/// reading them is safe on any error; load errors set their own on the instance.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let class = py.get_type::<AuthError>();
    for name in ["path", "line", "column"] {
        class.setattr(name, py.None())?;
    }
    Ok(())
}
