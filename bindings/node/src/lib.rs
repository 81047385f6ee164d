//! Node.js binding of portcullis (napi-rs): one API-authentication core for every service.
//!
//! API keys, HTTP Basic, webhook signatures, PCS1 HMAC request signing, RFC 9421 HTTP
//! Message Signatures, RFC 9530 `Content-Digest`, JWT bearer tokens (JWS compact, JWK/JWKS,
//! remote key sets), DPoP proofs (RFC 9449), mutual TLS (client certificates, RFC 8705 bound
//! tokens), the gate (one configuration for every route) and the generic `Verifier`.
//!
//! Thin by design: this crate converts JS values to the core's types and core failures to
//! JS `Error` objects with a `code`; every rule lives in the `portcullis` crate.

#![deny(clippy::unwrap_used, clippy::expect_used)]

/// Rust allocations of this module (see Cargo.toml: small-block heavy verifies).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod apikey;
mod basic;
mod compact;
mod digest;
mod dpop;
mod errors;
mod gate;
mod gate_audit;
mod hmac;
mod httpsig;
mod httpsig_sign;
mod jwks;
mod jwt;
mod jwt_key;
mod mtls;
mod options;
mod request;
mod response;
mod task;
mod verifier;
mod webhook;

// The option structs document the options objects in `index.d.ts`; the values themselves are
// converted generically (see `options`), so the core's serde defaults apply.
pub use apikey::{
    ApiKeyRecord, ApiKeyRing, ApiKeyRingOptions, GenerateOptions, IssuedApiKey, RotateOptions,
    Rotation,
};
pub use basic::{
    hash_password, hash_password_async, parse_basic, BasicAuth, BasicAuthOptions, BasicCredentials,
    HashParams,
};
pub use digest::{content_digest, verify_content_digest};
pub use dpop::{DpopNonceOptions, DpopProof, DpopVerifier, DpopVerifierOptions};
pub use errors::Principal;
pub use gate::{Gate, GateDecision, GateFileOptions, GateOptions};
pub use gate_audit::{AuditEvent, AuditStats};
pub use hmac::{
    hmac_canonical_request, mac, sign_request, verify_mac, CanonicalRequestParams, HmacKeyOptions,
    HmacSigningKey, HmacSigningKeyOptions, HmacVerifier, HmacVerifierOptions, SignRequestOptions,
};
pub use httpsig::{HttpSigKeyring, HttpSigVerifier, HttpSigVerifierOptions};
pub use httpsig_sign::{
    httpsig_signature_base, HttpSigSigner, HttpSignature, SignatureBaseOptions,
    SignatureSpecOptions,
};
pub use jwks::{JwksClient, JwksClientOptions, JwksFailure, JwksStatus};
pub use jwt::{
    jwt_encode, JwtEncodeOptions, JwtVerifier, JwtVerifierOptions, VerifiedJws, VerifyTokenOptions,
};
pub use jwt_key::{jwk_thumbprint, JwtKey, JwtKeySet};
pub use mtls::{
    certificate_thumbprint, check_confirmation, ClientCertOptions, DevCa, DevCaOptions,
    IntermediateOptions, IssuedCertificate, MtlsForwardedOptions, MtlsRule, MtlsRuleMatch,
    MtlsVerifier, MtlsVerifierOptions, ServerCertOptions,
};
pub use request::{Request, RequestOptions};
pub use response::{Response, ResponseOptions};
pub use verifier::{Verifier, VerifierOptions};
pub use webhook::{
    WebhookSignOptions, WebhookSigner, WebhookSignerOptions, WebhookVerifier,
    WebhookVerifierOptions,
};

use napi_derive::napi;

/// The library version.
// Lower-case so the export is `version` (napi-rs names a const export after the Rust item).
#[allow(non_upper_case_globals)]
#[napi]
pub const version: &str = portcullis::VERSION;
