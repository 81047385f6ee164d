//! `portcullis.Principal`: who the caller is, as a verifier proved it; and the verify shell
//! every class shares ([`verified`], [`verify_request`]).

use portcullis::jwt::VerifiedToken;
use portcullis::verifier::Identity;
use portcullis::{AuthMethod, Denial, Principal, Request};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde_json::Map;

use crate::convert::{json_to_py, map_to_py, py_repr, token_claims_to_py};
use crate::errors::denial_to_py;
use crate::request::PyRequest;

/// The verify shell (`Send` is what `Python::detach` asks of a closure on a stable compiler):
/// runs `verify` (with the GIL released when `detach`; a check shorter than
/// handing the GIL over keeps it), then gives the principal as a `Principal` and a refusal as
/// its `AuthError` subclass.
pub fn verified<P, F>(py: Python<'_>, detach: bool, verify: F) -> PyResult<PyPrincipal>
where
    F: Send + FnOnce() -> Result<P, Denial>,
    P: Send + Into<PyPrincipal>,
{
    let result = if detach { py.detach(verify) } else { verify() };
    result.map(Into::into).map_err(|d| denial_to_py(py, &d))
}

/// [`verified`] for the common case: `verify(verifier, request)` with the GIL released.
pub fn verify_request<V, P, F>(
    py: Python<'_>,
    verifier: &V,
    request: &PyRequest,
    verify: F,
) -> PyResult<PyPrincipal>
where
    V: Sync + ?Sized,
    F: Send + FnOnce(&V, &Request) -> Result<P, Denial>,
    P: Send + Into<PyPrincipal>,
{
    let request = &*request.inner;
    verified(py, true, || verify(verifier, request))
}

/// Who the caller is. Never holds the secret that proved it.
#[pyclass(module = "portcullis._portcullis", name = "Principal", frozen)]
pub struct PyPrincipal {
    /// What the verifier proved, moved in: a verified token keeps its claims as the core read
    /// them (no claims map is built, and the gate's token is not copied).
    inner: Identity,
    /// `claims` as a Python dict, converted on first access.
    claims: PyOnceLock<Py<PyAny>>,
}

impl From<Identity> for PyPrincipal {
    fn from(inner: Identity) -> Self {
        PyPrincipal {
            inner,
            claims: PyOnceLock::new(),
        }
    }
}

impl From<Principal> for PyPrincipal {
    fn from(principal: Principal) -> Self {
        Identity::from_principal(principal).into()
    }
}

impl From<VerifiedToken> for PyPrincipal {
    fn from(token: VerifiedToken) -> Self {
        Identity::from_token(token).into()
    }
}

impl PyPrincipal {
    fn claims_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.token() {
            Some(token) => token_claims_to_py(py, &token.claims),
            None => map_to_py(py, &self.inner.principal().claims),
        }
    }
}

#[pymethods]
impl PyPrincipal {
    /// The authenticated subject.
    #[getter]
    fn subject(&self) -> &str {
        self.inner.subject()
    }

    /// The method that proved it (`"api_key"`, `"basic"`, ...).
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method().name()
    }

    /// A public identifier of the credential (key id, user id, ...).
    #[getter]
    fn credential_id(&self) -> Option<&str> {
        self.inner.credential_id()
    }

    /// The scopes the credential grants.
    #[getter]
    fn scopes(&self) -> Vec<&str> {
        self.inner.scopes().iter().map(String::as_str).collect()
    }

    /// Method-specific facts (environment and metadata of an API key, ...).
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let claims = self
            .claims
            .get_or_try_init(py, || self.claims_dict(py).map(Bound::unbind))?;
        Ok(claims.clone_ref(py))
    }

    /// When the credential stops being valid (Unix seconds), if it does.
    #[getter]
    fn expires_at(&self) -> Option<i64> {
        self.inner.expires_at()
    }

    /// All fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let Some(token) = self.inner.token() else {
            return json_to_py(py, &self.inner.principal().to_json());
        };
        // The fields but the claims, which are written from the token's own form.
        let fields = Principal {
            subject: token.subject.clone(),
            method: AuthMethod::Jwt,
            credential_id: token.credential_id.clone(),
            scopes: token.scopes.clone(),
            claims: Map::new(),
            expires_at: token.expires_at,
        };
        let dict = json_to_py(py, &fields.to_json())?;
        dict.set_item(intern!(py, "claims"), self.claims_dict(py)?)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.inner;
        Ok(format!(
            "Principal(subject={}, method={}, credential_id={}, scopes={}, expires_at={})",
            py_repr(py, p.subject())?,
            py_repr(py, p.method().name())?,
            py_repr(py, p.credential_id())?,
            py_repr(py, self.scopes())?,
            py_repr(py, p.expires_at())?,
        ))
    }
}
