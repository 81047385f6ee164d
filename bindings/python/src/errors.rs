//! The exception hierarchy and the one mapping from core errors and denials to it.
//!
//! `AuthError` carries the core's code name and number, the public message, the private detail,
//! the HTTP status, the `WWW-Authenticate` challenge and the category. The subclass is chosen by
//! `ErrorCode::category()`; `str(err)` is `"<code>: <detail>"` (never a secret: the core keeps
//! secrets out of details).

use portcullis::{Category, Denial, Error, ErrorCode};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    portcullis,
    AuthError,
    PyException,
    "A call failed or a request was refused; `.code` names the reason."
);
create_exception!(
    portcullis,
    UsageError,
    AuthError,
    "The API was used wrongly: bad argument, bad configuration, bad JSON."
);
create_exception!(
    portcullis,
    InternalError,
    AuthError,
    "Something broke inside portcullis or its environment."
);
create_exception!(
    portcullis,
    RequestError,
    AuthError,
    "The request is malformed or carries no usable credential."
);
create_exception!(
    portcullis,
    ApiKeyError,
    AuthError,
    "An API key was refused."
);
create_exception!(
    portcullis,
    SignatureError,
    AuthError,
    "A request or webhook signature was refused."
);
create_exception!(
    portcullis,
    JwtError,
    AuthError,
    "A JWT was refused, or a JWT key could not be used."
);
create_exception!(
    portcullis,
    MtlsError,
    AuthError,
    "A TLS client certificate was refused, or the mTLS configuration is unusable."
);
create_exception!(
    portcullis,
    OAuthError,
    AuthError,
    "An OAuth 2.0 access token or its DPoP proof was refused, or introspection failed."
);
create_exception!(
    portcullis,
    BasicAuthError,
    AuthError,
    "HTTP Basic credentials were refused, or a password hash could not be used."
);

/// Builds the exception for `code`, with its attributes set on the instance.
fn raise(
    py: Python<'_>,
    code: ErrorCode,
    detail: &str,
    challenge: Option<String>,
    headers: Vec<(&'static str, String)>,
) -> PyErr {
    let text = format!("{}: {}", code.name(), detail);
    let category = code.category();
    let err = match category {
        Category::Usage => UsageError::new_err(text),
        Category::Internal => InternalError::new_err(text),
        Category::Request => RequestError::new_err(text),
        Category::ApiKey => ApiKeyError::new_err(text),
        Category::Basic => BasicAuthError::new_err(text),
        Category::Signature => SignatureError::new_err(text),
        Category::Jwt => JwtError::new_err(text),
        Category::Mtls => MtlsError::new_err(text),
        Category::OAuth => OAuthError::new_err(text),
    };
    let set = || -> PyResult<()> {
        let value = err.value(py);
        value.setattr("code", code.name())?;
        value.setattr("number", code.number())?;
        value.setattr("message", code.public_message())?;
        value.setattr("detail", detail)?;
        value.setattr("http_status", code.http_status())?;
        value.setattr("challenge", challenge)?;
        value.setattr("headers", headers)?;
        value.setattr("category", category.name())?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(failure) => failure,
    }
}

/// A core error (no challenge) as a Python exception.
pub fn error_to_py(py: Python<'_>, error: &Error) -> PyErr {
    raise(py, error.code(), error.detail(), None, Vec::new())
}

/// A core denial (with its challenge, if any) as a Python exception.
pub fn denial_to_py(py: Python<'_>, denial: &Denial) -> PyErr {
    raise(
        py,
        denial.code(),
        denial.detail(),
        denial.challenge_header(),
        denial.headers().to_vec(),
    )
}

/// Shorthand: a binding-side usage error with the core's code vocabulary.
pub fn usage(py: Python<'_>, code: ErrorCode, detail: impl Into<String>) -> PyErr {
    error_to_py(py, &Error::new(code, detail.into()))
}

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AuthError", py.get_type::<AuthError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    m.add("ApiKeyError", py.get_type::<ApiKeyError>())?;
    m.add("BasicAuthError", py.get_type::<BasicAuthError>())?;
    m.add("SignatureError", py.get_type::<SignatureError>())?;
    m.add("JwtError", py.get_type::<JwtError>())?;
    m.add("MtlsError", py.get_type::<MtlsError>())?;
    m.add("OAuthError", py.get_type::<OAuthError>())?;
    Ok(())
}
