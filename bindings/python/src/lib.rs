//! Python binding of portcullis: `import portcullis`.
//!
//! Thin by design: every class wraps a core object, converts arguments and results, and maps
//! core errors and denials to the `AuthError` hierarchy. Verifications, signing and password
//! hashing, JWT verification (which may fetch a remote JWKS), signing and key generation, and
//! client certificate verification run with the GIL released.

/// Rust allocations of this module (see Cargo.toml: small-block heavy verifies).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod apikey;
mod audit;
mod audit_batch;
mod basic;
mod convert;
mod decision;
mod digest;
mod dpop;
mod errors;
mod gate;
mod hmac;
mod httpsig;
mod httpsig_keys;
mod jwks;
mod jwt;
mod jwt_key;
mod load;
mod mtls;
mod payload;
mod principal;
mod record;
mod request;
mod response;
mod verifier;
mod webhook;

use pyo3::prelude::*;

/// The native module behind the `portcullis` package.
#[pymodule]
fn _portcullis(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", portcullis::VERSION)?;
    errors::register(m)?;
    m.add_class::<request::PyRequest>()?;
    m.add_class::<response::PyResponse>()?;
    m.add_class::<principal::PyPrincipal>()?;
    m.add_class::<record::PyApiKeyRecord>()?;
    m.add_class::<record::PyIssuedApiKey>()?;
    m.add_class::<apikey::PyApiKeyRing>()?;
    m.add_class::<basic::PyBasicAuth>()?;
    m.add_class::<basic::PyBasicCredentials>()?;
    m.add_function(wrap_pyfunction!(basic::parse_basic, m)?)?;
    m.add_function(wrap_pyfunction!(basic::hash_password, m)?)?;
    m.add_class::<webhook::PyWebhookVerifier>()?;
    m.add_class::<webhook::PyWebhookSigner>()?;
    m.add_class::<hmac::PyHmacVerifier>()?;
    m.add_class::<hmac::PyHmacSigningKey>()?;
    m.add_function(wrap_pyfunction!(hmac::sign_request, m)?)?;
    m.add_function(wrap_pyfunction!(hmac::hmac_canonical_request, m)?)?;
    m.add_function(wrap_pyfunction!(hmac::mac, m)?)?;
    m.add_function(wrap_pyfunction!(hmac::verify_mac, m)?)?;
    m.add_function(wrap_pyfunction!(digest::content_digest, m)?)?;
    m.add_function(wrap_pyfunction!(digest::verify_content_digest, m)?)?;
    m.add_class::<httpsig_keys::PyHttpSigKeyring>()?;
    m.add_class::<httpsig::PyHttpSigVerifier>()?;
    m.add_class::<httpsig::PyHttpSigSigner>()?;
    m.add_class::<httpsig::PyHttpSignature>()?;
    m.add_function(wrap_pyfunction!(httpsig::httpsig_signature_base, m)?)?;
    m.add_class::<jwt_key::PyJwtKey>()?;
    m.add_class::<jwt_key::PyJwtKeySet>()?;
    m.add_class::<jwt::PyJwtVerifier>()?;
    m.add_class::<jwt::PyVerifiedJws>()?;
    m.add_function(wrap_pyfunction!(jwt::jwt_encode, m)?)?;
    m.add_function(wrap_pyfunction!(jwt_key::jwk_thumbprint, m)?)?;
    m.add_class::<jwks::PyJwksClient>()?;
    m.add_class::<dpop::PyDpopVerifier>()?;
    m.add_class::<dpop::PyDpopProof>()?;
    m.add_class::<mtls::PyMtlsVerifier>()?;
    m.add_class::<mtls::PyDevCa>()?;
    m.add_class::<mtls::PyIssuedCertificate>()?;
    m.add_function(wrap_pyfunction!(mtls::certificate_thumbprint, m)?)?;
    m.add_function(wrap_pyfunction!(mtls::check_confirmation, m)?)?;
    load::register(m)?;
    audit::register(m)?;
    m.add_class::<verifier::PyVerifier>()?;
    m.add_class::<gate::PyGate>()?;
    m.add_class::<decision::PyGateDecision>()?;
    m.add_class::<audit::PyAuditEvent>()?;
    m.add_class::<audit_batch::PyAuditBatch>()?;
    Ok(())
}
