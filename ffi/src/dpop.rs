//! `portcullis_dpop_verifier` and `portcullis_dpop_proof`: DPoP proofs (RFC 9449) at the
//! resource server.

use std::sync::Arc;

use portcullis::oauth2::{DpopConfig, DpopVerifier, ProofContext, VerifiedProof};
use portcullis::store::MemoryStore;
use portcullis::Denial;

use crate::boundary::{
    free_box, guard, guard_denial, guard_value, json_or_default, out_buf, out_handle, out_ptr,
    release_shared, retain_shared, text_in,
};
use crate::decision::portcullis_denial;
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared};

/// A DPoP proof verifier (`DpopConfig`: algorithms, time window, size limit, server nonces)
/// with an in-memory replay store of proof ids. Reference-counted and thread-safe:
/// `portcullis_dpop_verifier_retain` takes a reference, `portcullis_dpop_verifier_free` drops
/// one.
pub struct portcullis_dpop_verifier {
    inner: DpopVerifier,
}

/// A proof that passed every check: the thumbprint of its key (what a bound token's `cnf.jkt`
/// must equal), its `jti`, `iat`, algorithm and `nonce`. Free with `portcullis_dpop_proof_free`.
pub struct portcullis_dpop_proof {
    inner: VerifiedProof,
}

castable!(
    portcullis_dpop_verifier => DpopVerifier,
    portcullis_dpop_proof => VerifiedProof,
);

/// Builds a verifier from its `DpopConfig` JSON: `algorithms` (ES256, ES384, ES512, PS256,
/// PS384, PS512, RS256, RS384, RS512, EdDSA; HS* is `CONFIG_INVALID`), `max_age_seconds` (300,
/// 1 to 3600), `leeway_seconds` (5, at most 300), `max_proof_bytes` (8192), `nonce`
/// (`{"secret": "<at least 32 bytes>", "step_seconds": 300}`, or absent: no nonce is asked
/// for); length 0 for all defaults. Proof ids are remembered in memory.
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_verifier_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_dpop_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let config = json_or_default(config_json, config_json_len, DpopConfig::from_json)?;
            let inner = DpopVerifier::new(config, Arc::new(MemoryStore::default()))?;
            Ok(portcullis_dpop_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_verifier_retain(
    verifier: *const portcullis_dpop_verifier,
) -> *mut portcullis_dpop_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_verifier_free(verifier: *mut portcullis_dpop_verifier) {
    unsafe { release_shared(verifier) }
}

/// Runs one check behind the panic boundary: `*out` receives the proof on success; a failure
/// is its code and, when `out_denial` is not NULL, a denial carrying it (no challenge: the
/// caller's method builds the `WWW-Authenticate: DPoP` one).
unsafe fn verify_into(
    out: *mut *mut portcullis_dpop_proof,
    out_denial: *mut *mut portcullis_denial,
    check: impl FnOnce() -> Result<VerifiedProof, portcullis::Error>,
) -> portcullis_result {
    unsafe {
        guard_denial(out_denial, || {
            let out = out_ptr(out).map_err(Denial::from)?;
            let inner = check().map_err(Denial::from)?;
            out_handle(out, portcullis_dpop_proof { inner });
            Ok(())
        })
    }
}

/// Checks one DPoP proof (UTF-8, the `DPoP` header's value) against the request it came with:
/// `method` (as sent, e.g. `GET`), `uri` (the absolute URI the request was sent to; query and
/// fragment are ignored), `access_token` (the token presented with `Authorization: DPoP`;
/// length 0 for none: its `ath` is then not checked) and `now` (Unix seconds). Every step of
/// RFC 9449 section 4.3 runs; a proof that passes has its `jti` recorded, so a second use is
/// refused.
///
/// On success `*out` receives the verified proof. Fails with `DPOP_PROOF_INVALID`,
/// `DPOP_PROOF_MISMATCH`, `DPOP_PROOF_STALE`, `DPOP_NONCE_REQUIRED`, `DPOP_PROOF_REPLAYED`,
/// `STORE_UNAVAILABLE`, `INVALID_UTF8`, `NULL_POINTER`; when `out_denial` is not NULL it then
/// receives the denial (code, message, detail for logs).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_dpop_verifier_verify(
    verifier: *const portcullis_dpop_verifier,
    proof: *const u8,
    proof_len: usize,
    method: *const u8,
    method_len: usize,
    uri: *const u8,
    uri_len: usize,
    access_token: *const u8,
    access_token_len: usize,
    now: i64,
    out: *mut *mut portcullis_dpop_proof,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_into(out, out_denial, || {
            let verifier = borrow(verifier)?;
            let proof = text_in(proof, proof_len)?;
            let method = text_in(method, method_len)?;
            let uri = text_in(uri, uri_len)?;
            let token = text_in(access_token, access_token_len)?;
            let context = ProofContext {
                method,
                uri,
                access_token: (!token.is_empty()).then_some(token),
                now,
            };
            verifier.verify(proof, &context)
        })
    }
}

/// Checks the proof of `req`: its one `DPoP` header (none, or more than one, is
/// `DPOP_PROOF_MISSING`), against the request's method, URI and time. The URI is `origin`
/// (UTF-8, e.g. `https://api.example.com`, for a service behind a proxy that knows its public
/// origin; length 0 for none) followed by the request's path; without it, an absolute-form
/// target, else the request's scheme (default `https`) and `Host` header followed by the path.
/// `access_token` as for `portcullis_dpop_verifier_verify`. Outputs and errors as
/// `portcullis_dpop_verifier_verify`, plus `DPOP_PROOF_MISSING`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_dpop_verifier_verify_request(
    verifier: *const portcullis_dpop_verifier,
    req: *const portcullis_request,
    access_token: *const u8,
    access_token_len: usize,
    origin: *const u8,
    origin_len: usize,
    out: *mut *mut portcullis_dpop_proof,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_into(out, out_denial, || {
            let verifier = borrow(verifier)?;
            let request = borrow(req)?;
            let token = text_in(access_token, access_token_len)?;
            let origin = text_in(origin, origin_len)?;
            verifier.verify_request(
                request,
                (!token.is_empty()).then_some(token),
                (!origin.is_empty()).then_some(origin),
            )
        })
    }
}

/// Writes the nonce to send in a `DPoP-Nonce` header at `now` (Unix seconds): stateless, the
/// same on every instance sharing the secret; length 0 when the verifier asks for no nonce.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_verifier_nonce(
    verifier: *const portcullis_dpop_verifier,
    now: i64,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let verifier = unsafe { borrow(verifier) }?;
        out.put(verifier.nonce(now).unwrap_or_default().as_bytes())
    })
}

/// Writes the `algs` value of the `WWW-Authenticate: DPoP` challenge: the allowed algorithm
/// names, space-separated.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_verifier_algorithms_param(
    verifier: *const portcullis_dpop_verifier,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let verifier = unsafe { borrow(verifier) }?;
        out.put(verifier.algorithms_param().as_bytes())
    })
}

/// Writes one text field of a verified proof to a caller buffer.
unsafe fn proof_text(
    proof: *const portcullis_dpop_proof,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&VerifiedProof) -> &str,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let proof = unsafe { borrow(proof) }?;
        out.put(field(proof).as_bytes())
    })
}

/// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url (43 bytes): what a bound
/// token's `cnf.jkt` must equal.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_thumbprint(
    proof: *const portcullis_dpop_proof,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { proof_text(proof, buf, cap, out_len, |p| &p.thumbprint) }
}

/// The proof's `jti`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_jti(
    proof: *const portcullis_dpop_proof,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { proof_text(proof, buf, cap, out_len, |p| &p.jti) }
}

/// The algorithm the proof was signed with (`ES256`, `EdDSA`, ...).
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_algorithm(
    proof: *const portcullis_dpop_proof,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { proof_text(proof, buf, cap, out_len, |p| p.algorithm.name()) }
}

/// The proof's `nonce`; length 0 when it carries none (see `portcullis_dpop_proof_has_nonce`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_nonce(
    proof: *const portcullis_dpop_proof,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        proof_text(proof, buf, cap, out_len, |p| {
            p.nonce.as_deref().unwrap_or("")
        })
    }
}

/// True when the proof carries a `nonce` claim; false when it does not or `proof` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_has_nonce(
    proof: *const portcullis_dpop_proof,
) -> bool {
    guard_value(false, || {
        unsafe { borrow(proof) }.is_ok_and(|p| p.nonce.is_some())
    })
}

/// The proof's `iat` (Unix seconds); 0 when `proof` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_iat(proof: *const portcullis_dpop_proof) -> i64 {
    guard_value(0, || unsafe { borrow(proof) }.map_or(0, |p| p.iat))
}

/// Frees a verified proof. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dpop_proof_free(proof: *mut portcullis_dpop_proof) {
    unsafe { free_box(proof) }
}
