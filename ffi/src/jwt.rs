//! JWT bearer tokens: `portcullis_jwt_keyset`, `portcullis_jwt_verifier`,
//! `portcullis_verified_jws` and `portcullis_jwt_encode` (keys are in `jwt_key.rs`).
//!
//! The core key set is a shared handle: every verifier built from a C key set reads the same
//! keys, so a key added or removed later reaches all of them at once.

use std::sync::Arc;

use portcullis::jwt::{self, HeaderOptions, JwtConfig, JwtKeySet, JwtVerifier, VerifiedJws};
use portcullis::request::unix_now;

use crate::boundary::{
    free_box, guard, guard_value, json_or_default, out_buf, out_handle, out_ptr, release_shared,
    retain_shared, scopes, text_in,
};
use crate::decision::{canonical_json, canonical_value, portcullis_denial, portcullis_principal};
use crate::jwt_key::{json_object, portcullis_jwt_key};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request, verify_with};

/// JWT verification keys (secrets, public and private keys), each bound to one algorithm.
/// Reference-counted and thread-safe: add and remove keys while verifiers built from it run;
/// every change reaches those verifiers too. `portcullis_jwt_keyset_retain` takes a
/// reference, `portcullis_jwt_keyset_free` drops one (verifiers keep their keys).
pub struct portcullis_jwt_keyset {
    inner: JwtKeySet,
}

/// A JWT verifier: a policy (`JwtConfig`: issuers, audiences, leeway, required claims, `typ`,
/// algorithms, cache) over the keys of the key set it was built from, with an in-memory
/// revocation list and verified-token cache. Reference-counted and thread-safe.
/// `portcullis_jwt_verifier_retain` takes a reference, `portcullis_jwt_verifier_free` drops one.
pub struct portcullis_jwt_verifier {
    pub(crate) inner: JwtVerifier,
}

/// A JWS whose signature and header verified (claims not checked): its algorithm, kid, header
/// and payload. Free with `portcullis_verified_jws_free`.
pub struct portcullis_verified_jws {
    inner: VerifiedJws,
}

castable!(
    portcullis_jwt_keyset => JwtKeySet,
    portcullis_jwt_verifier => JwtVerifier,
    portcullis_verified_jws => VerifiedJws,
);

/// Creates an empty key set. On success `*out` receives a handle holding one reference.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_new(
    out: *mut *mut portcullis_jwt_keyset,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            Ok(portcullis_jwt_keyset {
                inner: JwtKeySet::new(),
            })
        })
    }
}

/// Creates a key set from a JWKS document (`{"keys": [...]}`, UTF-8): every signature key in
/// it (keys whose `use` / `key_ops` exclude verification and key types that cannot verify are
/// skipped). On success `*out` receives a handle holding one reference. Fails with
/// `JWT_KEY_INVALID` (not a JWKS, a malformed key, contradictory `use` and `key_ops`, two keys
/// with the same kid and algorithm),
/// `JWT_ALGORITHM_REFUSED`, `CONFIG_INVALID` (too many keys), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_from_jwks(
    jwks_json: *const u8,
    jwks_json_len: usize,
    out: *mut *mut portcullis_jwt_keyset,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let inner = JwtKeySet::from_jwks(text_in(jwks_json, jwks_json_len)?)?;
            Ok(portcullis_jwt_keyset { inner })
        })
    }
}

/// Takes one more reference to `set` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_retain(
    set: *const portcullis_jwt_keyset,
) -> *mut portcullis_jwt_keyset {
    unsafe { retain_shared(set) }
}

/// Drops one reference to `set`; the last one frees it (verifiers built from it keep the keys).
/// NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_free(set: *mut portcullis_jwt_keyset) {
    unsafe { release_shared(set) }
}

/// Adds every signature key of a JWKS document. `added` may be NULL; otherwise it receives how
/// many keys were added. Errors as `portcullis_jwt_keyset_from_jwks`; nothing is added then.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_add_jwks(
    set: *const portcullis_jwt_keyset,
    jwks_json: *const u8,
    jwks_json_len: usize,
    added: *mut usize,
) -> portcullis_result {
    guard(|| {
        let set = unsafe { borrow(set) }?;
        let jwks = unsafe { text_in(jwks_json, jwks_json_len) }?;
        let n = set.add_jwks(jwks)?;
        if let Ok(out) = unsafe { out_ptr(added) } {
            out.write(n);
        }
        Ok(())
    })
}

/// Adds `key` (a key with the same kid and algorithm is replaced). The set shares the parsed
/// key; the caller keeps and still frees its handle. Fails with `CONFIG_INVALID` (the set is
/// full), `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_insert(
    set: *const portcullis_jwt_keyset,
    key: *const portcullis_jwt_key,
) -> portcullis_result {
    guard(|| {
        let set = unsafe { borrow(set) }?;
        set.insert_shared(Arc::clone(unsafe { borrow(key) }?))
    })
}

/// Removes every key with this kid (UTF-8). `removed` may be NULL; otherwise it receives how
/// many keys were removed.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_remove(
    set: *const portcullis_jwt_keyset,
    kid: *const u8,
    kid_len: usize,
    removed: *mut usize,
) -> portcullis_result {
    guard(|| {
        let set = unsafe { borrow(set) }?;
        let kid = unsafe { text_in(kid, kid_len) }?;
        let n = set.remove(kid);
        if let Ok(out) = unsafe { out_ptr(removed) } {
            out.write(n);
        }
        Ok(())
    })
}

/// Number of keys; 0 when `set` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_len(set: *const portcullis_jwt_keyset) -> usize {
    guard_value(0, || unsafe { borrow(set) }.map_or(0, JwtKeySet::len))
}

/// The public JWKS of the set's asymmetric keys (`{"keys":[...]}`, compact JSON with sorted
/// members); secrets are left out.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_keyset_public_jwks(
    set: *const portcullis_jwt_keyset,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let set = unsafe { borrow(set) }?;
        out.put(canonical_value(&set.public_jwks()?).as_bytes())
    })
}

/// Builds a verifier over `set`'s keys (shared: later additions and removals reach it) and the
/// `JwtConfig` JSON: `issuers`, `audiences`, `leeway_seconds` (60, at most 300),
/// `max_age_seconds`, `required_claims`, `typ`, `algorithms`, `require_exp` (true),
/// `max_token_bytes` (16384), `cache_size` (0), `realm` (`"api"`), `require_certificate_binding`
/// (false), `max_lifetime_seconds` (86400; `null` for none), `allow_mixed_key_types` (false: a
/// set mixing HMAC secrets and asymmetric keys is `CONFIG_INVALID`); length 0 for all
/// defaults.
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_new(
    set: *const portcullis_jwt_keyset,
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_jwt_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let set = borrow(set)?;
            let config = json_or_default(config_json, config_json_len, JwtConfig::from_json)?;
            let inner = JwtVerifier::new(config, Arc::new(set.clone()))?;
            Ok(portcullis_jwt_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_retain(
    verifier: *const portcullis_jwt_verifier,
) -> *mut portcullis_jwt_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_free(verifier: *mut portcullis_jwt_verifier) {
    unsafe { release_shared(verifier) }
}

/// Verifies the `Authorization: Bearer` token of `req` at the request's time and checks the
/// required scopes (`scopes`: UTF-8, space-separated; length 0 for none).
///
/// On success `*out_principal` receives the principal (subject = `sub`, method `jwt`,
/// credential id = the key's kid, scopes from `scope`/`scp`, claims, expiry = `exp`). On
/// failure the result is the reason (`JWT_*`, `CREDENTIALS_MISSING`, `SCOPE_INSUFFICIENT`, ...)
/// and, when `out_denial` is not NULL, `*out_denial` receives the denial with its RFC 6750
/// `Bearer` challenge.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_verify(
    verifier: *const portcullis_jwt_verifier,
    req: *const portcullis_request,
    scopes_text: *const u8,
    scopes_len: usize,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_request(
            verifier,
            req,
            out_principal,
            out_denial,
            |verifier, request| {
                verifier.verify(request, &scopes(text_in(scopes_text, scopes_len)?))
            },
        )
    }
}

/// Verifies a bare token (UTF-8) at `now` (Unix seconds) when `has_now`, else at the system
/// clock, and checks the required scopes. Outputs as `portcullis_jwt_verifier_verify`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_jwt_verifier_verify_token(
    verifier: *const portcullis_jwt_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
    has_now: bool,
    scopes_text: *const u8,
    scopes_len: usize,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_with(verifier, out_principal, out_denial, |verifier| {
            let token = text_in(token, token_len)?;
            let required = scopes(text_in(scopes_text, scopes_len)?);
            let now = if has_now { now } else { unix_now() };
            verifier.verify_token(token, now, &required)
        })
    }
}

/// Checks a compact JWS's shape, header and signature only (no claims): for payloads that are
/// not JWT claims sets. On success `*out` receives the verified JWS (free it with
/// `portcullis_verified_jws_free`). Fails with the `JWT_*` reason.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_verify_jws(
    verifier: *const portcullis_jwt_verifier,
    token: *const u8,
    token_len: usize,
    out: *mut *mut portcullis_verified_jws,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let verifier = unsafe { borrow(verifier) }?;
        let token = unsafe { text_in(token, token_len) }?;
        let inner = verifier.verify_jws(token)?;
        out_handle(out, portcullis_verified_jws { inner });
        Ok(())
    })
}

/// Revokes the token id `jti` (UTF-8) until `until` (Unix seconds; the token's `exp` is
/// enough), as of `now`. Fails with `STORE_UNAVAILABLE` when the revocation list is full.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_revoke(
    verifier: *const portcullis_jwt_verifier,
    jti: *const u8,
    jti_len: usize,
    until: i64,
    now: i64,
) -> portcullis_result {
    guard(|| {
        let verifier = unsafe { borrow(verifier) }?;
        let jti = unsafe { text_in(jti, jti_len) }?;
        verifier.revoke(jti, until, now)
    })
}

/// Drops every cached verification (after removing a key, for instance).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_clear_cache(
    verifier: *const portcullis_jwt_verifier,
) -> portcullis_result {
    guard(|| {
        unsafe { borrow(verifier) }?.clear_cache();
        Ok(())
    })
}

/// Writes one output of a verified JWS to a caller buffer.
unsafe fn jws_bytes(
    jws: *const portcullis_verified_jws,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&VerifiedJws) -> Vec<u8>,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let jws = unsafe { borrow(jws) }?;
        out.put(&field(jws))
    })
}

/// The algorithm that verified (`RS256`, ...).
#[no_mangle]
pub unsafe extern "C" fn portcullis_verified_jws_alg(
    jws: *const portcullis_verified_jws,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { jws_bytes(jws, buf, cap, out_len, |j| j.alg.name().into()) }
}

/// The kid of the key that verified (the header's when the key has none); length 0 when
/// neither has one.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verified_jws_kid(
    jws: *const portcullis_verified_jws,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        jws_bytes(jws, buf, cap, out_len, |j| {
            j.kid.clone().unwrap_or_default().into()
        })
    }
}

/// The whole protected header as compact JSON with sorted members.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verified_jws_header_json(
    jws: *const portcullis_verified_jws,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { jws_bytes(jws, buf, cap, out_len, |j| canonical_json(&j.header).into()) }
}

/// The decoded payload bytes (not necessarily text).
#[no_mangle]
pub unsafe extern "C" fn portcullis_verified_jws_payload(
    jws: *const portcullis_verified_jws,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { jws_bytes(jws, buf, cap, out_len, |j| j.payload.clone()) }
}

/// Frees a verified JWS. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verified_jws_free(jws: *mut portcullis_verified_jws) {
    unsafe { free_box(jws) }
}

/// Signs the claims (a JSON object, UTF-8) with `key` (a private key or a secret) and writes
/// the compact token. `header_options_json` is the `HeaderOptions` JSON: `typ` (`"JWT"`; null
/// leaves it out), `kid` (the key's), `cty`; length 0 for all defaults.
///
/// Fails with `JSON_INVALID` (claims not an object, bad options), `INVALID_ARGUMENT` (a
/// registered claim of the wrong type), `JWT_KEY_INVALID` (a public key, a secret shorter than
/// the hash output), `INVALID_UTF8`, `NULL_POINTER`, `BUFFER_TOO_SMALL`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_jwt_encode(
    claims_json: *const u8,
    claims_json_len: usize,
    key: *const portcullis_jwt_key,
    header_options_json: *const u8,
    header_options_json_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let key = unsafe { borrow(key) }?;
        let claims = json_object(unsafe { text_in(claims_json, claims_json_len) }?.as_bytes())?;
        let header = unsafe {
            json_or_default(
                header_options_json,
                header_options_json_len,
                HeaderOptions::from_json,
            )
        }?;
        out.put(jwt::encode(&claims, &header, key)?.as_bytes())
    })
}
