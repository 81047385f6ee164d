//! Mutual TLS: `portcullis_mtls_verifier` (client certificate chains, identities, rules,
//! forwarded headers) and the RFC 8705 helpers `portcullis_certificate_thumbprint` and
//! `portcullis_check_confirmation`. The dev CA is in `devca.rs`.
//!
//! The host's TLS stack terminates TLS and hands the peer chain over (DER, leaf first) with
//! `portcullis_request_add_peer_certificate`; the verifier never sees a socket.

use portcullis::mtls::{certificate_thumbprint, check_confirmation, MtlsVerifier};
use portcullis::{Error, ErrorCode, RequestLimits};

use crate::boundary::{bytes_in, guard, out_buf, release_shared, retain_shared, text_in};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{castable, new_shared, verify_request, verify_with};

/// A client certificate verifier: trust anchors, intermediates, CRLs, identity sources, rules,
/// pins and an optional trusted-proxy header, parsed once. Reference-counted and thread-safe:
/// verify from any number of threads. `portcullis_mtls_verifier_retain` takes a reference,
/// `portcullis_mtls_verifier_free` drops one.
pub struct portcullis_mtls_verifier {
    inner: MtlsVerifier,
}

castable!(portcullis_mtls_verifier => MtlsVerifier);

/// Builds an mTLS verifier from its `MtlsConfig` JSON (UTF-8; unknown fields are refused):
/// `trust_anchors` (PEM strings, required), `intermediates`, `crls`, `revocation_depth`
/// (`"chain"` | `"end_entity"`), `unknown_status` (`"deny"` | `"allow"`),
/// `require_client_auth_eku` (true), `spiffe_trust_domains`, `subject_from` (any of `"spiffe"`,
/// `"dns"`, `"email"`, `"cn"`, `"dn"`, `"fingerprint"`), `rules` (`{"match": {...}, "subject",
/// "scopes"}`), `require_rule_match`, `pinned_fingerprints`, `forwarded` (`{"header", "format":
/// "xfcc" | "nginx", "trusted_proxies": [CIDR, ...]}`), `max_chain_depth` (0 to 6). See
/// docs/MTLS.md.
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID` (an anchor or intermediate that does not parse, a bad rule, pin, trust
/// domain or proxy range, `max_chain_depth` over 6), `MTLS_CRL_INVALID` (a CRL that does not
/// parse or has no cRLNumber), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_mtls_verifier_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_mtls_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let inner = MtlsVerifier::from_json(text_in(config_json, config_json_len)?)?;
            Ok(portcullis_mtls_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_mtls_verifier_retain(
    verifier: *const portcullis_mtls_verifier,
) -> *mut portcullis_mtls_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_mtls_verifier_free(verifier: *mut portcullis_mtls_verifier) {
    unsafe { release_shared(verifier) }
}

/// Verifies the client certificate of `req` at the request's time: the request's peer
/// certificates (`portcullis_request_add_peer_certificate`, leaf first) or, when `forwarded` is
/// configured and the peer address (`portcullis_request_set_peer_address`) is a trusted proxy,
/// the forwarded header's chain, and only it.
///
/// On success `*out_principal` receives the principal (subject from `subject_from` or a rule,
/// method `mtls`, credential id `sha256:<fingerprint>`, the rule's scopes, claims `spiffe_id`,
/// `dns`, `email`, `cn`, `subject_dn`, `issuer_dn`, `serial`, `fingerprint_sha256`,
/// `x5t#S256`, `not_before`, `not_after`; expiry = the leaf's notAfter). On failure the result
/// is the reason (`MTLS_CERTIFICATE_MISSING`, `MTLS_UNTRUSTED`, `MTLS_EXPIRED`,
/// `MTLS_REVOKED`, `MTLS_IDENTITY_REFUSED`, `MTLS_PIN_MISMATCH`, `MTLS_FORWARDED_UNTRUSTED`,
/// ... or `NULL_POINTER`) and, when `out_denial` is not NULL, `*out_denial` receives the denial
/// (no challenge: TLS client authentication has no HTTP scheme).
#[no_mangle]
pub unsafe extern "C" fn portcullis_mtls_verifier_verify(
    verifier: *const portcullis_mtls_verifier,
    req: *const portcullis_request,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_request(
            verifier,
            req,
            out_principal,
            out_denial,
            MtlsVerifier::verify,
        )
    }
}

/// Verifies a chain handed over by the host's TLS stack at `now` (Unix seconds), without a
/// request: `count` DER certificates, leaf first, certificate `i` being `certs[i]` of
/// `cert_lens[i]` bytes. Outputs and errors as `portcullis_mtls_verifier_verify`, plus the
/// rule of a request's peer chain: `INPUT_TOO_LARGE` for more than 16 certificates (only the
/// first 17 entries of the arrays are read), `INVALID_ARGUMENT` for an empty one.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_mtls_verifier_verify_chain(
    verifier: *const portcullis_mtls_verifier,
    certs: *const *const u8,
    cert_lens: *const usize,
    count: usize,
    now: i64,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_with(verifier, out_principal, out_denial, |verifier| {
            // One past the limit is enough for the core to see (and refuse) a longer chain.
            let count = count.min(RequestLimits::default().max_peer_certificates + 1);
            let mut chain: Vec<&[u8]> = Vec::with_capacity(count);
            if count > 0 {
                let ptrs = bytes_in_array(certs, count)?;
                let lens = bytes_in_array(cert_lens, count)?;
                for (ptr, len) in ptrs.iter().zip(lens) {
                    chain.push(bytes_in(*ptr, *len)?);
                }
            }
            verifier.verify_chain(&chain, now)
        })
    }
}

/// Borrows a C array of `count` (> 0) elements.
///
/// # Safety
/// `ptr` is NULL or points to `count` readable elements that outlive the call.
unsafe fn bytes_in_array<'a, T>(ptr: *const T, count: usize) -> Result<&'a [T], Error> {
    if ptr.is_null() {
        return Err(crate::boundary::null(
            "array pointer is NULL with a non-zero count",
        ));
    }
    // SAFETY: non-NULL; the caller guarantees `count` readable elements (count <= 16).
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// Writes the RFC 8705 `x5t#S256` thumbprint of a DER certificate (base64url without padding
/// of its SHA-256; the DER is not parsed), 43 bytes. Fails with `NULL_POINTER`,
/// `BUFFER_TOO_SMALL`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_certificate_thumbprint(
    der: *const u8,
    der_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let der = unsafe { bytes_in(der, der_len) }?;
        out.put(certificate_thumbprint(der).as_bytes())
    })
}

/// Checks that the JWT claims (a JSON object, UTF-8) carry `cnf: {"x5t#S256": thumbprint}`
/// with `thumbprint` (UTF-8, as `portcullis_certificate_thumbprint` writes it); the comparison
/// is constant-time. Returns `PORTCULLIS_OK` when they do, `JWT_CONFIRMATION_MISMATCH` when
/// `cnf` is missing, of the wrong type or different (or the claims are not an object),
/// `JSON_INVALID` when the claims are not JSON, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_check_confirmation(
    claims_json: *const u8,
    claims_json_len: usize,
    thumbprint: *const u8,
    thumbprint_len: usize,
) -> portcullis_result {
    guard(|| {
        let claims = unsafe { text_in(claims_json, claims_json_len) }?;
        let thumbprint = unsafe { text_in(thumbprint, thumbprint_len) }?;
        let claims: serde_json::Value = serde_json::from_str(claims)
            .map_err(|_| Error::new(ErrorCode::JsonInvalid, "claims are not JSON"))?;
        check_confirmation(&claims, thumbprint)
    })
}
