//! PCS1 request signing: `portcullis_hmac_verifier`, `portcullis_hmac_signing_key`, the signer,
//! the canonical request, and the bare HMAC primitive.

use portcullis::hmac::{
    self, canonical_request, sign_request, Algorithm, HmacConfig, HmacVerifier, SignOptions,
    SignatureParams, SigningKey,
};
use portcullis::{Error, ErrorCode};
use serde_json::{Map, Value};

use crate::boundary::{
    bytes_in, free_box, guard, json_or_default, out_buf, out_handle, out_ptr, release_shared,
    retain_shared, text_in,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::headers::{out_headers, portcullis_headers};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request};

/// A PCS1 verifier: keys by key id (each bound to one algorithm, several secrets during a
/// rotation), the clock window, the headers every signature must cover, and an in-memory nonce
/// store. Reference-counted and thread-safe. `portcullis_hmac_verifier_retain` takes a
/// reference, `portcullis_hmac_verifier_free` drops one.
pub struct portcullis_hmac_verifier {
    inner: HmacVerifier,
}

/// A PCS1 signing key: key id, algorithm and secret. The secret is wiped when the handle is
/// freed with `portcullis_hmac_signing_key_free`.
pub struct portcullis_hmac_signing_key {
    inner: SigningKey,
}

castable!(portcullis_hmac_verifier => HmacVerifier, portcullis_hmac_signing_key => SigningKey);

fn json_invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::JsonInvalid, detail)
}

/// The `{algorithm, keyid, ts, nonce, headers}` JSON of a signature's parameters (the fields
/// of the `Authorization` header) as the core's `SignatureParams`, without a signature.
fn params_from_json(json: &str) -> Result<SignatureParams, Error> {
    let object: Map<String, Value> = serde_json::from_str(json)
        .map_err(|_| json_invalid("signature parameters are not a JSON object"))?;
    const FIELDS: [&str; 5] = ["algorithm", "keyid", "ts", "nonce", "headers"];
    if object.keys().any(|k| !FIELDS.contains(&k.as_str())) {
        return Err(json_invalid(
            "unknown field in signature parameters (algorithm, keyid, ts, nonce, headers)",
        ));
    }
    let text = |name: &'static str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| json_invalid("algorithm, keyid and nonce must be strings"))
    };
    let headers = object
        .get("headers")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|h| h.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| json_invalid("headers must be an array of strings"))?;
    Ok(SignatureParams {
        algorithm: Algorithm::parse(text("algorithm")?)?,
        key_id: text("keyid")?.to_owned(),
        timestamp: object
            .get("ts")
            .and_then(Value::as_i64)
            .ok_or_else(|| json_invalid("ts must be an integer"))?,
        nonce: text("nonce")?.to_owned(),
        headers,
        signature: Vec::new(),
    })
}

/// Builds a PCS1 verifier from its `HmacConfig` JSON: `realm` (`"api"`), `window_seconds`
/// (300), `required_headers` (`["host"]`), `keys`: `[{"key_id", "algorithm", "secrets_b64",
/// "subject", "scopes"}]`. Length 0 for all defaults (no key).
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `SIGNATURE_SECRET_INVALID` (a secret under 32 bytes or not padded
/// base64), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_verifier_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_hmac_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let config = json_or_default(config_json, config_json_len, HmacConfig::from_json)?;
            let inner = HmacVerifier::new(config)?;
            Ok(portcullis_hmac_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_verifier_retain(
    verifier: *const portcullis_hmac_verifier,
) -> *mut portcullis_hmac_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it and wipes its secrets. NULL is a
/// no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_verifier_free(verifier: *mut portcullis_hmac_verifier) {
    unsafe { release_shared(verifier) }
}

/// Verifies the request's `Authorization: PCS1-HMAC-<hash>` signature (and its
/// `Content-Digest` against the body, when there is one). A nonce accepted once is refused as
/// `SIGNATURE_REPLAYED` within the window.
///
/// On success `*out_principal` receives the principal (the key's subject and scopes, method
/// `hmac`, credential id = key id). On failure the result is the reason and, when `out_denial`
/// is not NULL, `*out_denial` receives the denial with its `PCS1-HMAC-SHA256` challenge.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_verifier_verify(
    verifier: *const portcullis_hmac_verifier,
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
            HmacVerifier::verify,
        )
    }
}

/// Creates a signing key: `key_id` (UTF-8, `[A-Za-z0-9._~+/=:@-]{1,128}`, else
/// `INVALID_ARGUMENT`), `algorithm` (UTF-8 `hmac-sha256` or `hmac-sha512`, else
/// `INVALID_ARGUMENT`), `secret` (raw bytes, at least 32, else
/// `SIGNATURE_SECRET_INVALID`).
///
/// On success `*out` receives a handle to free with `portcullis_hmac_signing_key_free`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_signing_key_new(
    key_id: *const u8,
    key_id_len: usize,
    algorithm: *const u8,
    algorithm_len: usize,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut portcullis_hmac_signing_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let key_id = unsafe { text_in(key_id, key_id_len) }?;
        let algorithm = Algorithm::parse(unsafe { text_in(algorithm, algorithm_len) }?)?;
        let secret = unsafe { bytes_in(secret, secret_len) }?;
        let inner = SigningKey::new(key_id, algorithm, secret)?;
        out_handle(out, portcullis_hmac_signing_key { inner });
        Ok(())
    })
}

/// Frees a signing key, wiping its secret. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_signing_key_free(key: *mut portcullis_hmac_signing_key) {
    unsafe { free_box(key) }
}

/// Signs `req` with `key`. `options_json` is the `SignOptions` JSON: `headers` (to sign,
/// `["host"]`), `now` (the request's time), `nonce` (16 random bytes), `digest` (`sha-256`);
/// length 0 for all defaults.
///
/// On success `*out` receives the headers to add to the request: `Authorization`, then
/// `Content-Digest` when the signer computed one (a non-empty body without that header). Fails
/// with `INVALID_ARGUMENT`, `SIGNATURE_COMPONENT_MISSING` (a listed header is absent),
/// `SIGNATURE_DIGEST_MISMATCH`, `REQUEST_INVALID`, `JSON_INVALID`, `RANDOM_UNAVAILABLE`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_sign_request(
    key: *const portcullis_hmac_signing_key,
    req: *const portcullis_request,
    options_json: *const u8,
    options_json_len: usize,
    out: *mut *mut portcullis_headers,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let key = unsafe { borrow(key) }?;
        let request = unsafe { borrow(req) }?;
        let options =
            unsafe { json_or_default(options_json, options_json_len, SignOptions::from_json) }?;
        out_headers(out, &sign_request(request, key, &options)?.pairs());
        Ok(())
    })
}

/// The exact canonical request a PCS1 signature covers (LF-joined lines, no trailing LF), for
/// debugging and test vectors. `params_json` is `{"algorithm": "hmac-sha256", "keyid": "...",
/// "ts": 1750000000, "nonce": "...", "headers": ["host", ...]}`.
///
/// Fails with `JSON_INVALID`, `INVALID_ARGUMENT` (an unknown algorithm), `REQUEST_INVALID` (a target
/// that cannot be canonicalised), `SIGNATURE_COMPONENT_MISSING` (a listed header is absent).
#[no_mangle]
pub unsafe extern "C" fn portcullis_hmac_canonical_request(
    req: *const portcullis_request,
    params_json: *const u8,
    params_json_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let request = unsafe { borrow(req) }?;
        let params = params_from_json(unsafe { text_in(params_json, params_json_len) }?)?;
        out.put(&canonical_request(request, &params)?)
    })
}

/// The HMAC of `data` under `key` (both raw bytes; any key length: the bare RFC 2104
/// primitive) with `algorithm` (`hmac-sha256`: 32 bytes, `hmac-sha512`: 64 bytes), written to
/// the caller buffer as raw bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_mac(
    algorithm: *const u8,
    algorithm_len: usize,
    key: *const u8,
    key_len: usize,
    data: *const u8,
    data_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let algorithm = Algorithm::parse(unsafe { text_in(algorithm, algorithm_len) }?)?;
        let key = unsafe { bytes_in(key, key_len) }?;
        let data = unsafe { bytes_in(data, data_len) }?;
        out.put(&hmac::mac(algorithm, key, data)?)
    })
}

/// Checks that `tag` is the full HMAC of `data` under `key`, in constant time: `PORTCULLIS_OK`
/// when it is, `SIGNATURE_MISMATCH` when not (a truncated tag never matches).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_mac_verify(
    algorithm: *const u8,
    algorithm_len: usize,
    key: *const u8,
    key_len: usize,
    data: *const u8,
    data_len: usize,
    tag: *const u8,
    tag_len: usize,
) -> portcullis_result {
    guard(|| {
        let algorithm = Algorithm::parse(unsafe { text_in(algorithm, algorithm_len) }?)?;
        let key = unsafe { bytes_in(key, key_len) }?;
        let data = unsafe { bytes_in(data, data_len) }?;
        let tag = unsafe { bytes_in(tag, tag_len) }?;
        if hmac::verify_mac(algorithm, key, data, tag) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::SignatureMismatch,
                "the tag is not the HMAC of the data under the key",
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_json() {
        let p = params_from_json(
            r#"{"algorithm":"hmac-sha512","keyid":"k","ts":5,"nonce":"n","headers":["host"]}"#,
        )
        .unwrap();
        assert_eq!(p.algorithm, Algorithm::HmacSha512);
        assert_eq!(
            (p.key_id.as_str(), p.timestamp, p.nonce.as_str()),
            ("k", 5, "n")
        );
        assert_eq!(p.headers, ["host"]);
        for bad in [
            "[]",
            "{",
            r#"{"algorithm":"hmac-sha256","keyid":"k","ts":5,"nonce":"n"}"#,
            r#"{"algorithm":"hmac-sha256","keyid":"k","ts":"5","nonce":"n","headers":[]}"#,
            r#"{"algorithm":"hmac-sha256","keyid":"k","ts":5,"nonce":"n","headers":[1]}"#,
            r#"{"algorithm":"hmac-sha256","keyid":"k","ts":5,"nonce":"n","headers":[],"x":1}"#,
        ] {
            assert_eq!(
                params_from_json(bad).unwrap_err().code(),
                ErrorCode::JsonInvalid,
                "{bad}"
            );
        }
        let e = params_from_json(
            r#"{"algorithm":"hmac-md5","keyid":"k","ts":5,"nonce":"n","headers":[]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }
}
