//! RFC 9421 HTTP Message Signatures, signing side: `portcullis_httpsig_signer` and the
//! signature base of a message.

use std::collections::HashMap;

use portcullis::httpsig::{
    signature_base_for_request, signature_base_for_response, HttpSigAlgorithm, HttpSigSigner,
    SfType, SignatureSpec, SignedHeaders,
};
use portcullis::{Error, ErrorCode};

use crate::boundary::{bytes_in, free_box, guard, out_buf, out_handle, out_ptr, text_in, OutPtr};
use crate::headers::{out_headers, portcullis_headers};
use crate::request::portcullis_request;
use crate::response::portcullis_response;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable};

/// Signs requests and responses with one key under one `keyid` (an `hmac-sha256` secret or a
/// private key). The key is wiped when the handle is freed with `portcullis_httpsig_signer_free`.
pub struct portcullis_httpsig_signer {
    inner: HttpSigSigner,
}

castable!(portcullis_httpsig_signer => HttpSigSigner);

/// The `SignatureSpec` JSON (`label` `"sig1"`, `components` `["@method", "@target-uri"]`,
/// `created` (the message's time), `include_created` (true), `expires`, `nonce`, `tag`,
/// `include_keyid` (true), `include_alg` (false)); length 0 for all defaults.
fn spec_from_json(json: &str) -> Result<SignatureSpec, Error> {
    match json {
        "" => Ok(SignatureSpec::default()),
        json => SignatureSpec::from_json(json),
    }
}

/// A structured-field table: `{"field-name": "item" | "list" | "dictionary"}`; length 0 for
/// none.
fn structured_fields(json: &str) -> Result<HashMap<String, SfType>, Error> {
    if json.is_empty() {
        return Ok(HashMap::new());
    }
    serde_json::from_str(json).map_err(|_| {
        Error::new(
            ErrorCode::JsonInvalid,
            "structured fields are not an object of item, list or dictionary",
        )
    })
}

/// The two headers a signature adds, in order: `Signature-Input`, then `Signature`.
fn out_signed(out: OutPtr<'_, *mut portcullis_headers>, signed: SignedHeaders) {
    out_headers(out, &signed.pairs());
}

/// Creates an `hmac-sha256` signer: `keyid` (UTF-8, printable ASCII, 1 to 256 bytes; else
/// `INVALID_ARGUMENT`), `secret` (raw bytes, at least 32; else `SIGNATURE_SECRET_INVALID`).
///
/// On success `*out` receives a handle to free with `portcullis_httpsig_signer_free`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_signer_new_hmac(
    keyid: *const u8,
    keyid_len: usize,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut portcullis_httpsig_signer,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let keyid = unsafe { text_in(keyid, keyid_len) }?;
        let secret = unsafe { bytes_in(secret, secret_len) }?;
        let inner = HttpSigSigner::hmac(keyid, secret)?;
        out_handle(out, portcullis_httpsig_signer { inner });
        Ok(())
    })
}

/// Creates an asymmetric signer from a private-key PEM (PKCS#8, PKCS#1 or SEC1) for
/// `algorithm` (UTF-8: `ed25519`, `ecdsa-p256-sha256`, `ecdsa-p384-sha384`, `rsa-pss-sha512`,
/// `rsa-v1_5-sha256`).
///
/// Fails with `INVALID_ARGUMENT` (an unknown algorithm, `hmac-sha256`, a bad
/// keyid), `SIGNATURE_SECRET_INVALID` (unreadable PEM or a key of another type).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_signer_new_pem(
    keyid: *const u8,
    keyid_len: usize,
    algorithm: *const u8,
    algorithm_len: usize,
    pem: *const u8,
    pem_len: usize,
    out: *mut *mut portcullis_httpsig_signer,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let keyid = unsafe { text_in(keyid, keyid_len) }?;
        let algorithm = HttpSigAlgorithm::parse(unsafe { text_in(algorithm, algorithm_len) }?)?;
        let pem = unsafe { bytes_in(pem, pem_len) }?;
        let inner = HttpSigSigner::from_pem(keyid, algorithm, pem)?;
        out_handle(out, portcullis_httpsig_signer { inner });
        Ok(())
    })
}

/// Frees a signer, wiping its key. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_signer_free(signer: *mut portcullis_httpsig_signer) {
    unsafe { free_box(signer) }
}

/// Signs a request as `spec_json` (`SignatureSpec` JSON, see the type's fields; length 0 for
/// the defaults) says. On success `*out` receives the headers to add: `Signature-Input`, then
/// `Signature`.
///
/// Fails with `JSON_INVALID`, `INVALID_ARGUMENT` (a bad label, component or parameter),
/// `SIGNATURE_COMPONENT_MISSING` (a covered header or the scheme is absent).
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_signer_sign_request(
    signer: *const portcullis_httpsig_signer,
    req: *const portcullis_request,
    spec_json: *const u8,
    spec_json_len: usize,
    out: *mut *mut portcullis_headers,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let signer = unsafe { borrow(signer) }?;
        let request = unsafe { borrow(req) }?;
        let spec = spec_from_json(unsafe { text_in(spec_json, spec_json_len) }?)?;
        out_signed(out, signer.sign_request(request, &spec)?);
        Ok(())
    })
}

/// Signs a response; `related_req` is the request it answers (read by components with
/// `;req`), or NULL. Otherwise as `portcullis_httpsig_signer_sign_request`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_httpsig_signer_sign_response(
    signer: *const portcullis_httpsig_signer,
    resp: *const portcullis_response,
    related_req: *const portcullis_request,
    spec_json: *const u8,
    spec_json_len: usize,
    out: *mut *mut portcullis_headers,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let signer = unsafe { borrow(signer) }?;
        let response = unsafe { borrow(resp) }?;
        let related = unsafe { related_req.as_ref() }.map(|r| &r.inner);
        let spec = spec_from_json(unsafe { text_in(spec_json, spec_json_len) }?)?;
        out_signed(out, signer.sign_response(response, related, &spec)?);
        Ok(())
    })
}

/// The exact signature base (RFC 9421 section 2.5; LF-separated, no trailing LF) of a request
/// for one `Signature-Input` member value (`params`, UTF-8, e.g.
/// `("@method" "@path");created=1618884473;keyid="k"`). `sf_json` adds structured-field types
/// for `sf` and `key` (`{"example-dict": "dictionary"}`; length 0 for none).
///
/// Fails with `SIGNATURE_MALFORMED`, `SIGNATURE_COMPONENT_MISSING`, `JSON_INVALID`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_httpsig_signature_base_request(
    req: *const portcullis_request,
    params: *const u8,
    params_len: usize,
    sf_json: *const u8,
    sf_json_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let request = unsafe { borrow(req) }?;
        let params = unsafe { text_in(params, params_len) }?;
        let sf = structured_fields(unsafe { text_in(sf_json, sf_json_len) }?)?;
        out.put(&signature_base_for_request(request, params, &sf)?)
    })
}

/// The signature base of a response (`related_req`: the request it answers, or NULL). Otherwise
/// as `portcullis_httpsig_signature_base_request`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_httpsig_signature_base_response(
    resp: *const portcullis_response,
    related_req: *const portcullis_request,
    params: *const u8,
    params_len: usize,
    sf_json: *const u8,
    sf_json_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let response = unsafe { borrow(resp) }?;
        let related = unsafe { related_req.as_ref() }.map(|r| &r.inner);
        let params = unsafe { text_in(params, params_len) }?;
        let sf = structured_fields(unsafe { text_in(sf_json, sf_json_len) }?)?;
        out.put(&signature_base_for_response(
            response, related, params, &sf,
        )?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_field_tables() {
        assert!(structured_fields("").unwrap().is_empty());
        let sf = structured_fields(r#"{"example-dict":"dictionary"}"#).unwrap();
        assert_eq!(sf.get("example-dict"), Some(&SfType::Dictionary));
        for bad in ["[]", r#"{"a":"map"}"#, "{"] {
            assert_eq!(
                structured_fields(bad).unwrap_err().code(),
                ErrorCode::JsonInvalid
            );
        }
    }
}
