//! `portcullis_jwt_key`: one JWT key bound to one algorithm (from a secret, PEM, DER or JWK, or
//! generated), its exports, and RFC 7638 thumbprints of JWKs.

use std::sync::Arc;

use portcullis::jwt::{self, Algorithm, JwtKey};
use portcullis::{Error, ErrorCode};
use serde_json::{Map, Value};

use crate::boundary::{
    bytes_in, free_box, guard, guard_value, out_buf, out_handle, out_ptr, text_in,
};
use crate::decision::canonical_json;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable};

/// A JWT signing or verification key, bound to exactly one algorithm and parsed once: an HMAC
/// secret, a public key or a private key. Key sets it is inserted into share it (no copy);
/// its secret material is wiped when the last holder lets go. Read-only once built: may be
/// shared between threads.
pub struct portcullis_jwt_key {
    pub(crate) inner: Arc<JwtKey>,
}

castable!(portcullis_jwt_key => Arc<JwtKey>);

/// A JSON object from UTF-8 bytes; anything else is `JSON_INVALID`.
pub(crate) fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, Error> {
    serde_json::from_slice(bytes)
        .map_err(|_| Error::new(ErrorCode::JsonInvalid, "expected a JSON object"))
}

/// Wraps a new core key in a handle written to `*out`, with the kid when `kid` is not empty.
fn finish(out: crate::boundary::OutPtr<'_, *mut portcullis_jwt_key>, key: JwtKey, kid: &str) {
    let key = if kid.is_empty() {
        key
    } else {
        key.with_kid(kid)
    };
    out_handle(
        out,
        portcullis_jwt_key {
            inner: Arc::new(key),
        },
    );
}

/// An HMAC key for `alg` (`HS256`, `HS384`, `HS512`) from raw secret bytes (at least the hash's
/// output: 32, 48 or 64 bytes, and never PEM, DER, JWK or SSH key material), with the key id `kid` (UTF-8; length 0 for none).
///
/// On success `*out` receives a handle to free with `portcullis_jwt_key_free`. Fails with
/// `JWT_KEY_INVALID` (short secret, key material, an asymmetric `alg`), `INVALID_ARGUMENT` (an
/// unknown `alg`), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_from_secret(
    secret: *const u8,
    secret_len: usize,
    alg: *const u8,
    alg_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let secret = unsafe { bytes_in(secret, secret_len) }?;
        let alg = Algorithm::parse(unsafe { text_in(alg, alg_len) }?)?;
        let kid = unsafe { text_in(kid, kid_len) }?;
        let key = JwtKey::from_secret(alg, secret)?;
        finish(out, key, kid);
        Ok(())
    })
}

/// A key for an asymmetric `alg` from PEM: public (`PUBLIC KEY`, `RSA PUBLIC KEY`) or private
/// (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`), with the key id `kid` (length 0 for
/// none). Outputs and errors as `portcullis_jwt_key_from_secret` (`JWT_KEY_INVALID` for an
/// unreadable key, a key of another type, or an HMAC `alg`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    alg: *const u8,
    alg_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let pem = unsafe { bytes_in(pem, pem_len) }?;
        let alg = Algorithm::parse(unsafe { text_in(alg, alg_len) }?)?;
        let kid = unsafe { text_in(kid, kid_len) }?;
        finish(out, JwtKey::from_pem(alg, pem)?, kid);
        Ok(())
    })
}

/// A key for an asymmetric `alg` from DER: a public key (SPKI, PKCS#1, raw) or else a private
/// key (PKCS#8, PKCS#1, SEC1). Outputs and errors as `portcullis_jwt_key_from_pem`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_from_der(
    der: *const u8,
    der_len: usize,
    alg: *const u8,
    alg_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let der = unsafe { bytes_in(der, der_len) }?;
        let alg = Algorithm::parse(unsafe { text_in(alg, alg_len) }?)?;
        let kid = unsafe { text_in(kid, kid_len) }?;
        finish(out, JwtKey::from_der(alg, der)?, kid);
        Ok(())
    })
}

/// A key from one JWK (JSON object text; public, or private when it has `d`; `oct` for HS*).
/// The algorithm is `alg` (length 0: the JWK's own `alg`, else inferred from `kty`/`crv`, RSA
/// being RS256); the JWK's `kid` is kept.
///
/// Fails with `JWT_KEY_INVALID` (not a JSON object, a repeated member, wrong shape, an `alg`
/// that differs from the JWK's, an `oct` key without an explicit algorithm), `INVALID_ARGUMENT`
/// (an unknown `alg`), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_from_jwk(
    jwk_json: *const u8,
    jwk_json_len: usize,
    alg: *const u8,
    alg_len: usize,
    out: *mut *mut portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let text = unsafe { text_in(jwk_json, jwk_json_len) }?;
        let alg = match unsafe { text_in(alg, alg_len) }? {
            "" => None,
            name => Some(Algorithm::parse(name)?),
        };
        finish(out, JwtKey::from_jwk_json(text, alg)?, "");
        Ok(())
    })
}

/// A new random key for `alg`: a key pair whose kid is its RFC 7638 thumbprint, or for HS* a
/// secret of the hash's output length (no kid; the secret is never exported).
///
/// On success `*out` receives a handle to free with `portcullis_jwt_key_free`. Fails with
/// `INVALID_ARGUMENT` (unknown `alg`), `RANDOM_UNAVAILABLE`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_generate(
    alg: *const u8,
    alg_len: usize,
    out: *mut *mut portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let alg = Algorithm::parse(unsafe { text_in(alg, alg_len) }?)?;
        finish(out, JwtKey::generate(alg)?, "");
        Ok(())
    })
}

/// Frees a key, wiping its secret material. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_free(key: *mut portcullis_jwt_key) {
    unsafe { free_box(key) }
}

/// Writes one text output of a key to a caller buffer.
unsafe fn key_text(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&JwtKey) -> Result<String, Error>,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let key = unsafe { borrow(key) }?;
        out.put(field(key)?.as_bytes())
    })
}

/// The key id; length 0 when the key has none.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_kid(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        key_text(key, buf, cap, out_len, |k| {
            Ok(k.kid().unwrap_or("").to_owned())
        })
    }
}

/// The one algorithm the key accepts and signs with (`HS256`, `EdDSA`, ...).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_algorithm(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        key_text(key, buf, cap, out_len, |k| {
            Ok(k.algorithm().name().to_owned())
        })
    }
}

/// True when the key can sign (a private key or a secret); false for a public key or NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_can_sign(key: *const portcullis_jwt_key) -> bool {
    guard_value(false, || unsafe { borrow(key) }.is_ok_and(|k| k.can_sign()))
}

/// The public JWK as compact JSON with sorted members: key members, `kid` (the thumbprint when
/// the key has none), `alg`, `use: sig`. Fails with `JWT_KEY_INVALID` for an HMAC secret
/// (secrets are never exported).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_public_jwk(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        key_text(key, buf, cap, out_len, |k| {
            Ok(canonical_json(&k.public_jwk()?))
        })
    }
}

/// The RFC 7638 SHA-256 thumbprint of the public key, base64url. Fails with `JWT_KEY_INVALID`
/// for an HMAC secret.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_thumbprint(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { key_text(key, buf, cap, out_len, JwtKey::thumbprint) }
}

/// The private key as PKCS#8 PEM (to store a generated key). It is a secret: wipe the caller's
/// copy after use. Fails with `JWT_KEY_INVALID` for a public key or an HMAC secret.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_key_private_pem(
    key: *const portcullis_jwt_key,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let key = unsafe { borrow(key) }?;
        out.put(key.private_pem()?.as_bytes())
    })
}

/// The RFC 7638 SHA-256 thumbprint (base64url) of a JWK given as JSON object text. Fails with
/// `JWT_KEY_INVALID` (not one JSON object, a repeated member, a JWK missing its required
/// members), `INVALID_UTF8`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwk_thumbprint(
    jwk_json: *const u8,
    jwk_json_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let text = unsafe { text_in(jwk_json, jwk_json_len) }?;
        out.put(jwt::thumbprint_json(text)?.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_sets_share_the_handle_key() {
        let key = Arc::new(JwtKey::generate(Algorithm::Hs256).unwrap().with_kid("k"));
        let set = portcullis::jwt::JwtKeySet::new();
        set.insert_shared(Arc::clone(&key)).unwrap();
        assert_eq!(Arc::strong_count(&key), 2);
        assert_eq!(
            Algorithm::parse("none").unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}
