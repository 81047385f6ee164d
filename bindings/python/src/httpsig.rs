//! RFC 9421 HTTP Message Signatures: `HttpSigVerifier`, `HttpSigSigner`, `HttpSignature` and
//! `httpsig_signature_base`.

use std::collections::HashMap;
use std::sync::Arc;

use portcullis::httpsig::{
    self, HttpSigAlgorithm, HttpSigConfig, HttpSigSigner, HttpSigVerifier, SfType, SignatureSpec,
    SignedHeaders,
};
use portcullis::{Error, ErrorCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{
    bytes_to_str, config_from_kwargs, owned_pairs, py_repr, type_name, StrOrBytes,
};
use crate::errors::error_to_py;
use crate::httpsig_keys::PyHttpSigKeyring;
use crate::principal::{verified, verify_request, PyPrincipal};
use crate::request::PyRequest;
use crate::response::PyResponse;

/// Verifies RFC 9421 signatures on requests and responses against a keyring and a policy.
/// Thread-safe; share one instance (it remembers nonces).
#[pyclass(module = "portcullis._portcullis", name = "HttpSigVerifier", frozen)]
pub struct PyHttpSigVerifier {
    inner: Arc<HttpSigVerifier>,
}

impl PyHttpSigVerifier {
    fn build(py: Python<'_>, keyring: &PyHttpSigKeyring, config: HttpSigConfig) -> PyResult<Self> {
        keyring
            .attach(|keys| HttpSigVerifier::new(config, keys))
            .map(|inner| PyHttpSigVerifier { inner })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyHttpSigVerifier {
    /// `config`: the `HttpSigConfig` fields as keyword arguments (the JSON schema's names).
    #[new]
    #[pyo3(signature = (keyring, **config))]
    fn new(
        py: Python<'_>,
        keyring: PyRef<'_, PyHttpSigKeyring>,
        config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let config = config_from_kwargs(py, config, "config", HttpSigConfig::from_json)?;
        Self::build(py, &keyring, config)
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(
        py: Python<'_>,
        config_json: &str,
        keyring: PyRef<'_, PyHttpSigKeyring>,
    ) -> PyResult<Self> {
        let config = HttpSigConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, &keyring, config)
    }

    /// Verifies the signature of `request` (GIL released).
    fn verify_request(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
    ) -> PyResult<PyPrincipal> {
        verify_request(py, &*self.inner, &request, HttpSigVerifier::verify_request)
    }

    /// Verifies the signature of `response`; `related_request` is the request it answers
    /// (needed for components with `;req`). GIL released.
    #[pyo3(signature = (response, related_request = None))]
    fn verify_response(
        &self,
        py: Python<'_>,
        response: PyRef<'_, PyResponse>,
        related_request: Option<PyRef<'_, PyRequest>>,
    ) -> PyResult<PyPrincipal> {
        let (verifier, response) = (&*self.inner, response.core());
        let related = related_request.map(|r| r.core());
        verified(py, true, || {
            verifier.verify_response(&response, related.as_deref())
        })
    }

    fn __repr__(&self) -> String {
        format!("HttpSigVerifier(keys={})", self.inner.keys().len())
    }
}

/// One signature made by `HttpSigSigner`: the header values to add and the signed base.
#[pyclass(module = "portcullis._portcullis", name = "HttpSignature", frozen)]
pub struct PyHttpSignature {
    inner: SignedHeaders,
    signature_base: String,
}

#[pymethods]
impl PyHttpSignature {
    /// The dictionary label.
    #[getter]
    fn label(&self) -> &str {
        &self.inner.label
    }

    /// The `Signature-Input` value.
    #[getter]
    fn signature_input(&self) -> &str {
        &self.inner.signature_input
    }

    /// The `Signature` value.
    #[getter]
    fn signature(&self) -> &str {
        &self.inner.signature
    }

    /// The signature base that was signed (UTF-8; other bytes as `surrogateescape`).
    #[getter]
    fn signature_base(&self) -> &str {
        &self.signature_base
    }

    /// `[("Signature-Input", ...), ("Signature", ...)]`: the headers to add.
    fn headers(&self) -> Vec<(String, String)> {
        owned_pairs(&self.inner.pairs())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "HttpSignature(signature_input={}, signature={})",
            py_repr(py, self.inner.signature_input.as_str())?,
            py_repr(py, self.inner.signature.as_str())?,
        ))
    }
}

fn signature(py: Python<'_>, inner: SignedHeaders) -> PyResult<PyHttpSignature> {
    let signature_base = bytes_to_str(py, &inner.signature_base)?;
    Ok(PyHttpSignature {
        inner,
        signature_base,
    })
}

/// Signs requests and responses with one key under one `keyid`.
#[pyclass(module = "portcullis._portcullis", name = "HttpSigSigner", frozen)]
pub struct PyHttpSigSigner {
    inner: Arc<HttpSigSigner>,
}

#[pymethods]
impl PyHttpSigSigner {
    /// An `hmac-sha256` signer (secret of at least 32 bytes).
    #[staticmethod]
    fn hmac(py: Python<'_>, keyid: &str, secret: &[u8]) -> PyResult<Self> {
        HttpSigSigner::hmac(keyid, secret)
            .map(|s| PyHttpSigSigner { inner: Arc::new(s) })
            .map_err(|e| error_to_py(py, &e))
    }

    /// An asymmetric signer from a private-key PEM (PKCS#8, PKCS#1 or SEC1).
    #[staticmethod]
    fn from_pem(
        py: Python<'_>,
        keyid: &str,
        algorithm: &str,
        pem: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let pem = StrOrBytes::extract(pem, "pem")?;
        let pem = pem.as_bytes();
        HttpSigAlgorithm::parse(algorithm)
            .and_then(|alg| py.detach(|| HttpSigSigner::from_pem(keyid, alg, pem)))
            .map(|s| PyHttpSigSigner { inner: Arc::new(s) })
            .map_err(|e| error_to_py(py, &e))
    }

    /// The key id.
    #[getter]
    fn keyid(&self) -> &str {
        self.inner.keyid()
    }

    /// The algorithm's registered name.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }

    /// Signs `request`; `spec`: the `SignatureSpec` fields as keyword arguments (GIL released).
    #[pyo3(signature = (request, **spec))]
    fn sign_request(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
        spec: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyHttpSignature> {
        let spec = config_from_kwargs(py, spec, "spec", SignatureSpec::from_json)?;
        let (signer, request) = (Arc::clone(&self.inner), request.core());
        let signed = py
            .detach(move || signer.sign_request(&request, &spec))
            .map_err(|e| error_to_py(py, &e))?;
        signature(py, signed)
    }

    /// Signs `response` (components with `;req` read `related_request`); GIL released.
    #[pyo3(signature = (response, related_request = None, **spec))]
    fn sign_response(
        &self,
        py: Python<'_>,
        response: PyRef<'_, PyResponse>,
        related_request: Option<PyRef<'_, PyRequest>>,
        spec: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyHttpSignature> {
        let spec = config_from_kwargs(py, spec, "spec", SignatureSpec::from_json)?;
        let (signer, response) = (Arc::clone(&self.inner), response.core());
        let related = related_request.map(|r| r.core());
        let signed = py
            .detach(move || signer.sign_response(&response, related.as_deref(), &spec))
            .map_err(|e| error_to_py(py, &e))?;
        signature(py, signed)
    }

    // Key id and algorithm only: never key material.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "HttpSigSigner(keyid={}, algorithm={})",
            py_repr(py, self.inner.keyid())?,
            py_repr(py, self.inner.algorithm().name())?,
        ))
    }
}

/// `{"field": "item" | "list" | "dictionary"}` as the core's table.
fn sf_types(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<HashMap<String, SfType>> {
    let Some(obj) = obj else {
        return Ok(HashMap::new());
    };
    let value: serde_json::Value = pythonize::depythonize(obj)
        .map_err(|e| PyTypeError::new_err(format!("structured_fields must map str to str: {e}")))?;
    serde_json::from_value(value).map_err(|e| {
        error_to_py(
            py,
            &Error::new(
                ErrorCode::InvalidArgument,
                format!("structured_fields: {e} (types are item, list, dictionary)"),
            ),
        )
    })
}

/// The RFC 9421 signature base of `message` (a `Request` or a `Response`) for one
/// `Signature-Input` member value such as `("@method" "@path");created=1`.
#[pyfunction]
#[pyo3(signature = (message, signature_params, *, related_request = None, structured_fields = None))]
pub fn httpsig_signature_base(
    py: Python<'_>,
    message: &Bound<'_, PyAny>,
    signature_params: &str,
    related_request: Option<PyRef<'_, PyRequest>>,
    structured_fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let sf = sf_types(py, structured_fields)?;
    let base = if let Ok(request) = message.cast::<PyRequest>() {
        if related_request.is_some() {
            return Err(PyTypeError::new_err(
                "related_request applies to a Response only",
            ));
        }
        httpsig::signature_base_for_request(&request.get().core(), signature_params, &sf)
    } else if let Ok(response) = message.cast::<PyResponse>() {
        let related = related_request.map(|r| r.core());
        httpsig::signature_base_for_response(
            &response.get().core(),
            related.as_deref(),
            signature_params,
            &sf,
        )
    } else {
        return Err(PyTypeError::new_err(format!(
            "message must be a Request or a Response, not {}",
            type_name(message)
        )));
    };
    bytes_to_str(py, &base.map_err(|e| error_to_py(py, &e))?)
}
