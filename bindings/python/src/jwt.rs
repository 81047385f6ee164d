//! `portcullis.JwtVerifier`, `portcullis.VerifiedJws` and `jwt_encode`: JWT bearer tokens
//! (RFC 7519, JWS compact form) verified and signed by the core.

use std::sync::Arc;

use portcullis::jwt::{
    self, HeaderOptions, JwksClient, JwtConfig, JwtKeySet, JwtVerifier, KeySource, VerifiedJws,
};
use portcullis::request::unix_now;
use portcullis::{Error, ErrorCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use serde_json::{Map, Value};

use crate::convert::{config_from_kwargs, map_to_py, py_repr, py_to_map, type_name};
use crate::errors::error_to_py;
use crate::jwks::PyJwksClient;
use crate::jwt_key::{PyJwtKey, PyJwtKeySet};
use crate::principal::{verified, PyPrincipal};
use crate::request::PyRequest;

/// Where a verifier's keys come from: an in-memory set or a remote JWKS.
enum Keys {
    Set(JwtKeySet),
    Remote(Arc<JwksClient>),
}

impl Keys {
    /// A `JwtKeySet` or a `JwksClient`; anything else is a `TypeError`.
    fn of(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(set) = obj.cast::<PyJwtKeySet>() {
            Ok(Keys::Set(set.get().core()))
        } else if let Ok(client) = obj.cast::<PyJwksClient>() {
            Ok(Keys::Remote(client.get().core()))
        } else {
            Err(PyTypeError::new_err(format!(
                "keyset must be a JwtKeySet or a JwksClient, not {}",
                type_name(obj)
            )))
        }
    }

    fn source(&self) -> Arc<dyn KeySource> {
        match self {
            Keys::Set(set) => Arc::new(set.clone()),
            Keys::Remote(client) => Arc::clone(client) as Arc<dyn KeySource>,
        }
    }

    // Counts and the (query-less) JWKS URL only: never key material.
    fn describe(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match self {
            Keys::Set(set) => format!("keys={}", set.len()),
            Keys::Remote(client) => {
                format!("jwks_uri={}", py_repr(py, client.status().jwks_uri)?)
            }
        })
    }
}

/// Verifies JWT bearer tokens against a key set (a `JwtKeySet`, or a `JwksClient` for a
/// remote JWKS) and a configuration. Thread-safe; build once and share (it holds the
/// revocation list and the verified-token cache).
#[pyclass(module = "portcullis._portcullis", name = "JwtVerifier", frozen)]
pub struct PyJwtVerifier {
    inner: Arc<JwtVerifier>,
    keys: Keys,
    /// The configuration's allow-list holds only HMAC algorithms.
    hmac_only: bool,
}

impl PyJwtVerifier {
    fn build(py: Python<'_>, keyset: &Bound<'_, PyAny>, config: JwtConfig) -> PyResult<Self> {
        let keys = Keys::of(keyset)?;
        JwtVerifier::new(config, keys.source())
            .map(|v| PyJwtVerifier {
                hmac_only: !v.config().algorithms.is_empty()
                    && v.config().algorithms.iter().all(|a| a.is_hmac()),
                inner: Arc::new(v),
                keys,
            })
            .map_err(|e| error_to_py(py, &e))
    }
}

impl PyJwtVerifier {
    /// True when a verification cannot block or run long: the keys are in memory (not a
    /// `JwksClient`, which may fetch) and only HMAC can run (the allow-list or every key says
    /// so). Such a verify takes about a microsecond, less than handing the GIL over and taking
    /// it back costs another thread, so it keeps the GIL.
    fn short(&self) -> bool {
        match &self.keys {
            Keys::Set(set) => self.hmac_only || set.only_secrets(),
            Keys::Remote(_) => false,
        }
    }
}

#[pymethods]
impl PyJwtVerifier {
    /// `keyset`: a `JwtKeySet` or a `JwksClient`; `config`: the `JwtConfig` fields as keyword
    /// arguments (the JSON schema's names).
    #[new]
    #[pyo3(signature = (keyset, **config))]
    fn new(
        py: Python<'_>,
        keyset: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Keys::of(keyset)?; // a wrong type is reported before the configuration
        let config = config_from_kwargs(py, config, "config", JwtConfig::from_json)?;
        Self::build(py, keyset, config)
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str, keyset: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config = JwtConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, keyset, config)
    }

    /// Verifies the `Authorization: Bearer` token of `request` at the request's time and
    /// checks the required `scopes` (GIL released: a remote JWKS may be fetched meanwhile).
    /// With `require_certificate_binding`, the token's `cnf.x5t#S256` must match the
    /// request's leaf peer certificate (RFC 8705).
    #[pyo3(signature = (request, scopes = Vec::new()), text_signature = "($self, request, scopes=())")]
    fn verify(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
        scopes: Vec<String>,
    ) -> PyResult<PyPrincipal> {
        let (verifier, request) = (&*self.inner, &*request.inner);
        verified(py, !self.short(), || {
            verifier.verify_claims(request, &scopes)
        })
    }

    /// Verifies a token at `now` (Unix seconds; the system clock when None) and checks the
    /// required `scopes` (GIL released: a remote JWKS may be fetched meanwhile).
    #[pyo3(
        signature = (token, *, now = None, scopes = Vec::new()),
        text_signature = "($self, token, *, now=None, scopes=())"
    )]
    fn verify_token(
        &self,
        py: Python<'_>,
        token: &str,
        now: Option<i64>,
        scopes: Vec<String>,
    ) -> PyResult<PyPrincipal> {
        let (verifier, now) = (&*self.inner, now.unwrap_or_else(unix_now));
        verified(py, !self.short(), || {
            verifier.verify_token_claims(token, now, &scopes)
        })
    }

    /// Checks the token's shape, header and signature only (no claims): for JWS payloads that
    /// are not claims sets (GIL released).
    fn verify_jws(&self, py: Python<'_>, token: &str) -> PyResult<PyVerifiedJws> {
        let verifier = &self.inner;
        py.detach(|| verifier.verify_jws(token))
            .map(|inner| PyVerifiedJws { inner })
            .map_err(|e| error_to_py(py, &e))
    }

    /// Revokes the token id `jti` until `until` (Unix seconds; the token's `exp` is enough).
    #[pyo3(signature = (jti, until, *, now = None))]
    fn revoke(&self, py: Python<'_>, jti: &str, until: i64, now: Option<i64>) -> PyResult<()> {
        self.inner
            .revoke(jti, until, now.unwrap_or_else(unix_now))
            .map_err(|e| error_to_py(py, &e))
    }

    /// Drops every cached verification (after removing a key, for instance).
    fn clear_cache(&self) {
        self.inner.clear_cache()
    }

    // Configuration and key count only: never key material.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.config();
        Ok(format!(
            "JwtVerifier({}, issuers={}, audiences={}, realm={})",
            self.keys.describe(py)?,
            py_repr(py, c.issuers.clone())?,
            py_repr(py, c.audiences.clone())?,
            py_repr(py, c.realm.as_str())?,
        ))
    }
}

/// A JWS whose signature verified (claims not checked).
#[pyclass(module = "portcullis._portcullis", name = "VerifiedJws", frozen)]
pub struct PyVerifiedJws {
    inner: VerifiedJws,
}

#[pymethods]
impl PyVerifiedJws {
    /// The algorithm that verified.
    #[getter]
    fn alg(&self) -> &'static str {
        self.inner.alg.name()
    }

    /// The kid of the key that verified (the header's when the key has none).
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid.as_deref()
    }

    /// The whole protected header, as a new dict.
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        map_to_py(py, &self.inner.header)
    }

    /// The decoded payload.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.payload)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "VerifiedJws(alg={}, kid={}, payload_len={})",
            py_repr(py, self.inner.alg.name())?,
            py_repr(py, self.inner.kid.as_deref())?,
            self.inner.payload.len(),
        ))
    }
}

/// Claims given as a mapping or a JSON object text.
pub(crate) fn claims_of(py: Python<'_>, claims: &Bound<'_, PyAny>) -> PyResult<Map<String, Value>> {
    if let Ok(text) = claims.cast::<PyString>() {
        serde_json::from_str::<Map<String, Value>>(&text.to_cow()?).map_err(|_| {
            error_to_py(
                py,
                &Error::new(ErrorCode::JsonInvalid, "claims are not a JSON object"),
            )
        })
    } else if claims.is_instance_of::<PyBytes>() {
        Err(PyTypeError::new_err(
            "claims must be a mapping or str, not bytes",
        ))
    } else {
        py_to_map(claims, "claims")
    }
}

/// Signs `claims` (a mapping or JSON text) with `key` (a private key, or a secret at least as
/// long as the hash output) and returns the compact token. `typ=None` leaves `typ` out; `kid`
/// defaults to the key's. GIL released.
#[pyfunction]
#[pyo3(
    signature = (claims, key, *, typ = Some("JWT".to_owned()), kid = None, cty = None),
    text_signature = "(claims, key, *, typ='JWT', kid=None, cty=None)"
)]
pub fn jwt_encode(
    py: Python<'_>,
    claims: &Bound<'_, PyAny>,
    key: PyRef<'_, PyJwtKey>,
    typ: Option<String>,
    kid: Option<String>,
    cty: Option<String>,
) -> PyResult<String> {
    let claims = claims_of(py, claims)?;
    let header = HeaderOptions { typ, kid, cty };
    let key = key.core();
    py.detach(|| jwt::encode(&claims, &header, &key))
        .map_err(|e| error_to_py(py, &e))
}
