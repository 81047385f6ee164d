//! RFC 9421 HTTP Message Signatures, verifying side: `portcullis_httpsig_keyring` and
//! `portcullis_httpsig_verifier`.
//!
//! The core keyring is a shared handle: every verifier built from a C keyring holds the same
//! keys, so a key added or removed later (removing a compromised key, say) is added or removed
//! for all of them at once.

use portcullis::httpsig::{
    HttpSigAlgorithm, HttpSigConfig, HttpSigKey, HttpSigKeyring, HttpSigVerifier,
};

use crate::boundary::{
    bytes_in, guard, guard_value, json_or_default, out_ptr, release_shared, retain_shared, text_in,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::request::portcullis_request;
use crate::response::portcullis_response;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request, verify_with};

/// Verification keys by `keyid`: HMAC secrets and public keys, each bound to one algorithm.
/// Reference-counted and thread-safe: add and remove keys while verifiers built from it run;
/// every change reaches those verifiers too. `portcullis_httpsig_keyring_retain` takes a
/// reference, `portcullis_httpsig_keyring_free` drops one (verifiers keep their keys).
pub struct portcullis_httpsig_keyring {
    inner: HttpSigKeyring,
}

/// An RFC 9421 verifier: a policy (`HttpSigConfig`: required components, time window, nonces,
/// tag, label) over the keys of the keyring it was built from, with an in-memory nonce store.
/// Reference-counted and thread-safe. `portcullis_httpsig_verifier_retain` takes a reference,
/// `portcullis_httpsig_verifier_free` drops one.
pub struct portcullis_httpsig_verifier {
    inner: HttpSigVerifier,
}

castable!(portcullis_httpsig_keyring => HttpSigKeyring, portcullis_httpsig_verifier => HttpSigVerifier);

/// Creates an empty keyring. On success `*out` receives a handle holding one reference.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_new(
    out: *mut *mut portcullis_httpsig_keyring,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            Ok(portcullis_httpsig_keyring {
                inner: HttpSigKeyring::new(),
            })
        })
    }
}

/// Takes one more reference to `keyring` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_retain(
    keyring: *const portcullis_httpsig_keyring,
) -> *mut portcullis_httpsig_keyring {
    unsafe { retain_shared(keyring) }
}

/// Drops one reference to `keyring`; the last one frees it and wipes its secrets. NULL is a
/// no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_free(keyring: *mut portcullis_httpsig_keyring) {
    unsafe { release_shared(keyring) }
}

/// Adds (or replaces) an `hmac-sha256` secret (raw bytes, at least 16; else
/// `SIGNATURE_SECRET_INVALID`) under `keyid` (UTF-8, 1 to 256 bytes; else `INVALID_ARGUMENT`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_add_hmac_secret(
    keyring: *const portcullis_httpsig_keyring,
    keyid: *const u8,
    keyid_len: usize,
    secret: *const u8,
    secret_len: usize,
) -> portcullis_result {
    guard(|| {
        let keyring = unsafe { borrow(keyring) }?;
        let keyid = unsafe { text_in(keyid, keyid_len) }?;
        let secret = unsafe { bytes_in(secret, secret_len) }?;
        keyring.add_hmac_secret(keyid, secret)
    })
}

/// Adds (or replaces) a public key under `keyid` for `algorithm` (UTF-8: `ed25519`,
/// `ecdsa-p256-sha256`, `ecdsa-p384-sha384`, `rsa-pss-sha512`, `rsa-v1_5-sha256`) from PEM
/// (`PUBLIC KEY`, `RSA PUBLIC KEY`, or a private key whose public half is kept).
///
/// Fails with `INVALID_ARGUMENT` (an unknown algorithm, `hmac-sha256`, a bad
/// keyid), `SIGNATURE_SECRET_INVALID` (unreadable PEM or a key of another type).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_add_public_pem(
    keyring: *const portcullis_httpsig_keyring,
    keyid: *const u8,
    keyid_len: usize,
    algorithm: *const u8,
    algorithm_len: usize,
    pem: *const u8,
    pem_len: usize,
) -> portcullis_result {
    guard(|| {
        let keyring = unsafe { borrow(keyring) }?;
        let keyid = unsafe { text_in(keyid, keyid_len) }?;
        let algorithm = HttpSigAlgorithm::parse(unsafe { text_in(algorithm, algorithm_len) }?)?;
        let pem = unsafe { bytes_in(pem, pem_len) }?;
        keyring.insert(keyid, HttpSigKey::public_pem(algorithm, pem)?)
    })
}

/// Removes the key for `keyid` (UTF-8). `removed` may be NULL; otherwise it receives whether
/// a key was there.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_remove(
    keyring: *const portcullis_httpsig_keyring,
    keyid: *const u8,
    keyid_len: usize,
    removed: *mut bool,
) -> portcullis_result {
    guard(|| {
        let keyring = unsafe { borrow(keyring) }?;
        let keyid = unsafe { text_in(keyid, keyid_len) }?;
        let was_there = keyring.remove(keyid);
        if let Ok(out) = unsafe { out_ptr(removed) } {
            out.write(was_there);
        }
        Ok(())
    })
}

/// Number of keys; 0 when `keyring` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_keyring_len(
    keyring: *const portcullis_httpsig_keyring,
) -> usize {
    guard_value(0, || {
        unsafe { borrow(keyring) }.map_or(0, HttpSigKeyring::len)
    })
}

/// Builds a verifier over `keyring`'s keys (shared: later additions and removals reach it) and
/// the `HttpSigConfig` JSON: `label`, `required_components`
/// (`["@method", "@target-uri"]`), `required_response_components` (`["@status"]`),
/// `require_content_digest` (true), `verify_content_digest` (true), `require_created` (true),
/// `require_expires`, `max_age` (300), `leeway` (60), `require_nonce`, `tag`,
/// `structured_fields`, `max_signatures`, `max_header_len`, `max_components`; length 0 for all
/// defaults. The verifier keeps the keys alive after the keyring handle is freed.
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_verifier_new(
    keyring: *const portcullis_httpsig_keyring,
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_httpsig_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let keyring = borrow(keyring)?;
            let config = json_or_default(config_json, config_json_len, HttpSigConfig::from_json)?;
            let inner = HttpSigVerifier::new(config, keyring.clone())?;
            Ok(portcullis_httpsig_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_verifier_retain(
    verifier: *const portcullis_httpsig_verifier,
) -> *mut portcullis_httpsig_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_verifier_free(
    verifier: *mut portcullis_httpsig_verifier,
) {
    unsafe { release_shared(verifier) }
}

/// Verifies the `Signature-Input` / `Signature` of a request (set its scheme with
/// `portcullis_request_set_scheme` when `@scheme` or `@target-uri` is covered).
///
/// On success `*out_principal` receives the principal (subject and credential id = keyid,
/// claims `label`, `alg`, `created`, `expires`, `nonce`, `tag`, `covered`). On failure the
/// result is the reason (`SIGNATURE_*`) and, when `out_denial` is not NULL, `*out_denial`
/// receives the denial (RFC 9421 defines no challenge).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_verifier_verify_request(
    verifier: *const portcullis_httpsig_verifier,
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
            HttpSigVerifier::verify_request,
        )
    }
}

/// Verifies the signature of a response. `related_req` is the request it answers (read by
/// components with `;req`), or NULL. Outputs as `portcullis_httpsig_verifier_verify_request`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_verifier_verify_response(
    verifier: *const portcullis_httpsig_verifier,
    resp: *const portcullis_response,
    related_req: *const portcullis_request,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_with(verifier, out_principal, out_denial, |verifier| {
            let response = borrow(resp)?;
            verifier.verify_response(response, related_req.as_ref().map(|r| &r.inner))
        })
    }
}
