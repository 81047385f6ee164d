//! `portcullis.MtlsVerifier`, `portcullis.DevCa`, `portcullis.IssuedCertificate`,
//! `certificate_thumbprint` and `check_confirmation`: TLS client certificates verified by the
//! core (chains, identity, rules, forwarded headers, RFC 8705 binding).
//!
//! The host's TLS stack terminates TLS and hands the peer's chain over (DER, leaf first) in a
//! `Request(peer_certificates=...)` or to `verify_chain`; every decision is the core's.

use std::sync::Arc;

use portcullis::mtls::{
    self, ClientCertSpec, DevCa, IssuedCertificate, MtlsConfig, MtlsVerifier, ServerCertSpec,
};
use portcullis::request::unix_now;
use portcullis::RequestLimits;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use serde_json::Value;

use crate::convert::{config_from_kwargs, py_repr, type_name};
use crate::errors::error_to_py;
use crate::jwt::claims_of;
use crate::principal::{verified, verify_request, PyPrincipal};
use crate::request::PyRequest;

/// A sequence of DER certificates (`bytes` or `bytearray` each), read up to one past the core's
/// `max_peer_certificates`, so the core's rule refuses a longer chain. A single `bytes` or
/// `str` is a `TypeError`, not a sequence of one-byte items.
pub fn der_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Vec<u8>>> {
    if obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyString>()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a sequence of DER certificates (bytes), not {}",
            type_name(obj)
        )));
    }
    let read = RequestLimits::default().max_peer_certificates + 1;
    let mut out = Vec::new();
    for item in obj.try_iter()?.take(read) {
        let item = item?;
        if let Ok(b) = item.cast::<PyBytes>() {
            out.push(b.as_bytes().to_vec());
        } else if let Ok(b) = item.cast::<PyByteArray>() {
            out.push(b.to_vec());
        } else {
            return Err(PyTypeError::new_err(format!(
                "each certificate in {what} must be bytes (DER), not {}",
                type_name(&item)
            )));
        }
    }
    Ok(out)
}

/// Verifies TLS client certificates: the chain against the trust anchors (with the configured
/// intermediates and CRLs) at the request's time, then pins, SPIFFE trust domains and mapping
/// rules. Immutable and thread-safe; build once, share.
#[pyclass(module = "portcullis._portcullis", name = "MtlsVerifier", frozen)]
pub struct PyMtlsVerifier {
    inner: MtlsVerifier,
}

impl PyMtlsVerifier {
    fn build(py: Python<'_>, config: MtlsConfig) -> PyResult<Self> {
        py.detach(|| MtlsVerifier::new(config))
            .map(|inner| PyMtlsVerifier { inner })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyMtlsVerifier {
    /// `trust_anchors`: PEM root certificates; `config`: the other `MtlsConfig` fields as
    /// keyword arguments (the JSON schema's names; `rules` a list of dicts, `forwarded` a
    /// dict).
    #[new]
    #[pyo3(
        signature = (trust_anchors, **config),
        text_signature = "(trust_anchors, *, intermediates=(), crls=(), revocation_depth='chain', unknown_status='deny', require_client_auth_eku=True, spiffe_trust_domains=(), subject_from=None, rules=(), require_rule_match=False, pinned_fingerprints=(), forwarded=None, max_chain_depth=None)"
    )]
    fn new(
        py: Python<'_>,
        trust_anchors: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        if trust_anchors.is_instance_of::<PyString>() || trust_anchors.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "trust_anchors must be a sequence of PEM strings, not a single string",
            ));
        }
        let kwargs = PyDict::new(py);
        if let Some(config) = config {
            kwargs.update(config.as_mapping())?;
            // `subject_from=None` means the default order.
            if let Some(v) = kwargs.get_item("subject_from")? {
                if v.is_none() {
                    kwargs.del_item("subject_from")?;
                }
            }
        }
        kwargs.set_item("trust_anchors", trust_anchors)?;
        let config = config_from_kwargs(py, Some(&kwargs), "config", MtlsConfig::from_json)?;
        Self::build(py, config)
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config = MtlsConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, config)
    }

    /// Verifies the client certificate of `request` (its peer certificates, or a forwarded
    /// header from a trusted proxy address) at the request's time (GIL released).
    fn verify(&self, py: Python<'_>, request: PyRef<'_, PyRequest>) -> PyResult<PyPrincipal> {
        verify_request(py, &self.inner, &request, MtlsVerifier::verify)
    }

    /// Verifies a chain handed over by the TLS stack (DER, leaf first; the rest are candidate
    /// intermediates) at `now` (Unix seconds; the system clock when None). GIL released.
    #[pyo3(signature = (chain, *, now = None))]
    fn verify_chain(
        &self,
        py: Python<'_>,
        chain: &Bound<'_, PyAny>,
        now: Option<i64>,
    ) -> PyResult<PyPrincipal> {
        let chain = der_list(chain, "chain")?;
        let now = now.unwrap_or_else(unix_now);
        verified(py, true, || self.inner.verify_chain(&chain, now))
    }

    // Counts and the forwarded header's name only (the configuration is public material).
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.config();
        Ok(format!(
            "MtlsVerifier(trust_anchors={}, intermediates={}, crls={}, spiffe_trust_domains={}, rules={}, pinned_fingerprints={}, forwarded={})",
            c.trust_anchors.len(),
            c.intermediates.len(),
            c.crls.len(),
            py_repr(py, c.spiffe_trust_domains.clone())?,
            c.rules.len(),
            c.pinned_fingerprints.len(),
            py_repr(py, c.forwarded.as_ref().map(|f| f.header.as_str()))?,
        ))
    }
}

/// A certificate issued by a `DevCa`, with its private key. The repr never shows the key.
#[pyclass(module = "portcullis._portcullis", name = "IssuedCertificate", frozen)]
pub struct PyIssuedCertificate {
    inner: IssuedCertificate,
}

#[pymethods]
impl PyIssuedCertificate {
    /// The certificate, PEM.
    #[getter]
    fn cert_pem(&self) -> &str {
        &self.inner.cert_pem
    }

    /// The certificate then the issuing intermediates (not the root), PEM: what a TLS peer
    /// presents.
    #[getter]
    fn chain_pem(&self) -> &str {
        &self.inner.chain_pem
    }

    /// The certificate, DER.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.der)
    }

    /// The private key, PKCS#8 PEM.
    #[getter]
    fn key_pem(&self) -> &str {
        self.inner.key_pem.as_str()
    }

    /// The serial number, lower-case hex.
    #[getter]
    fn serial(&self) -> &str {
        &self.inner.serial
    }

    /// SHA-256 of the DER, lower-case hex.
    #[getter]
    fn fingerprint_sha256(&self) -> &str {
        &self.inner.fingerprint_sha256
    }

    // Serial and fingerprint only: never the key.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "IssuedCertificate(serial={}, fingerprint_sha256={})",
            py_repr(py, self.inner.serial.as_str())?,
            py_repr(py, self.inner.fingerprint_sha256.as_str())?,
        ))
    }
}

impl From<IssuedCertificate> for PyIssuedCertificate {
    fn from(inner: IssuedCertificate) -> Self {
        PyIssuedCertificate { inner }
    }
}

/// A development certificate authority (ECDSA P-256): issues client, server and intermediate
/// certificates and CRLs at explicit times (Unix seconds). For tests and local setups only:
/// its key lives in memory and is never exported. Thread-safe (revocations are locked).
#[pyclass(module = "portcullis._portcullis", name = "DevCa", frozen)]
pub struct PyDevCa {
    inner: Arc<DevCa>,
    common_name: String,
    not_before: i64,
    not_after: i64,
}

#[pymethods]
impl PyDevCa {
    /// A self-signed root CA.
    #[new]
    #[pyo3(signature = (common_name, *, not_before, not_after))]
    fn new(py: Python<'_>, common_name: &str, not_before: i64, not_after: i64) -> PyResult<Self> {
        py.detach(|| DevCa::new(common_name, not_before, not_after))
            .map(|ca| PyDevCa {
                inner: Arc::new(ca),
                common_name: common_name.to_owned(),
                not_before,
                not_after,
            })
            .map_err(|e| error_to_py(py, &e))
    }

    /// An intermediate CA signed by this one; `path_len` constrains the CAs below it.
    #[pyo3(signature = (common_name, *, not_before, not_after, path_len = None))]
    fn issue_intermediate(
        &self,
        py: Python<'_>,
        common_name: &str,
        not_before: i64,
        not_after: i64,
        path_len: Option<u8>,
    ) -> PyResult<PyDevCa> {
        let ca = Arc::clone(&self.inner);
        py.detach(move || ca.issue_intermediate(common_name, not_before, not_after, path_len))
            .map(|ca| PyDevCa {
                inner: Arc::new(ca),
                common_name: common_name.to_owned(),
                not_before,
                not_after,
            })
            .map_err(|e| error_to_py(py, &e))
    }

    /// A TLS client certificate (clientAuth EKU unless `eku_client_auth=False`).
    #[pyo3(
        signature = (*, spiffe_id = None, dns = Vec::new(), email = Vec::new(), cn = None, not_before, not_after, eku_client_auth = true, eku_server_auth = false),
        text_signature = "($self, *, spiffe_id=None, dns=(), email=(), cn=None, not_before, not_after, eku_client_auth=True, eku_server_auth=False)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn issue_client(
        &self,
        py: Python<'_>,
        spiffe_id: Option<String>,
        dns: Vec<String>,
        email: Vec<String>,
        cn: Option<String>,
        not_before: i64,
        not_after: i64,
        eku_client_auth: bool,
        eku_server_auth: bool,
    ) -> PyResult<PyIssuedCertificate> {
        let spec = ClientCertSpec {
            spiffe_id,
            dns,
            email,
            cn,
            not_before: Some(not_before),
            not_after: Some(not_after),
            eku_client_auth,
            eku_server_auth,
        };
        let ca = Arc::clone(&self.inner);
        py.detach(move || ca.issue_client(&spec))
            .map(PyIssuedCertificate::from)
            .map_err(|e| error_to_py(py, &e))
    }

    /// A TLS server certificate (serverAuth) for `dns_names` (IP addresses accepted).
    #[pyo3(signature = (dns_names, *, cn = None, not_before, not_after))]
    fn issue_server(
        &self,
        py: Python<'_>,
        dns_names: Vec<String>,
        cn: Option<String>,
        not_before: i64,
        not_after: i64,
    ) -> PyResult<PyIssuedCertificate> {
        let spec = ServerCertSpec {
            dns_names,
            cn,
            not_before: Some(not_before),
            not_after: Some(not_after),
        };
        let ca = Arc::clone(&self.inner);
        py.detach(move || ca.issue_server(&spec))
            .map(PyIssuedCertificate::from)
            .map_err(|e| error_to_py(py, &e))
    }

    /// Puts the certificate with serial `serial` (hex) on this CA's CRL, revoked at `at`.
    #[pyo3(signature = (serial, *, at))]
    fn revoke(&self, py: Python<'_>, serial: &str, at: i64) -> PyResult<()> {
        self.inner
            .revoke(serial, at)
            .map_err(|e| error_to_py(py, &e))
    }

    /// This CA's CRL, PEM, issued at `this_update` and valid until `next_update`.
    #[pyo3(signature = (*, this_update, next_update))]
    fn crl_pem(&self, py: Python<'_>, this_update: i64, next_update: i64) -> PyResult<String> {
        let ca = Arc::clone(&self.inner);
        py.detach(move || ca.crl_pem(this_update, next_update))
            .map_err(|e| error_to_py(py, &e))
    }

    /// The CA certificate, PEM (a trust anchor when this is the root).
    fn ca_cert_pem(&self) -> &str {
        self.inner.ca_cert_pem()
    }

    /// This CA's certificate then its parents below the root, PEM; empty for a root.
    fn intermediates_pem(&self) -> String {
        self.inner.intermediates_pem()
    }

    // Name and validity only: never the key.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "DevCa(common_name={}, not_before={}, not_after={})",
            py_repr(py, self.common_name.as_str())?,
            self.not_before,
            self.not_after,
        ))
    }
}

/// The RFC 8705 `x5t#S256` thumbprint of a DER certificate: base64url (no padding) of its
/// SHA-256. The DER is not parsed.
#[pyfunction]
pub fn certificate_thumbprint(der: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = der.cast::<PyBytes>() {
        Ok(mtls::certificate_thumbprint(b.as_bytes()))
    } else if let Ok(b) = der.cast::<PyByteArray>() {
        Ok(mtls::certificate_thumbprint(&b.to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "der must be bytes, not {}",
            type_name(der)
        )))
    }
}

/// Checks that `claims` (a mapping or JSON object text) carries `cnf: {"x5t#S256":
/// thumbprint}`; raises `JwtError` (`jwt_confirmation_mismatch`) otherwise.
#[pyfunction]
pub fn check_confirmation(
    py: Python<'_>,
    claims: &Bound<'_, PyAny>,
    thumbprint: &str,
) -> PyResult<()> {
    let claims = Value::Object(claims_of(py, claims)?);
    mtls::check_confirmation(&claims, thumbprint).map_err(|e| error_to_py(py, &e))
}
