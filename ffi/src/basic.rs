//! `portcullis_basic_auth`: HTTP Basic (RFC 7617) verification, credential parsing and
//! password hashing.

use portcullis::basic::{self, Argon2Params, BasicAuth, BasicConfig, BasicCredentials};

use crate::boundary::{
    bytes_in, free_box, guard, guard_value, json_or_default, out_buf, out_handle, out_ptr,
    release_shared, retain_shared,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request};

/// An HTTP Basic verifier over a fixed set of users and their password hashes (argon2id,
/// bcrypt, SHA-crypt; legacy schemes on opt-in). Immutable, reference-counted and
/// thread-safe. `portcullis_basic_auth_retain` takes a reference, `portcullis_basic_auth_free`
/// drops one.
pub struct portcullis_basic_auth {
    inner: BasicAuth,
}

/// Decoded Basic credentials: a user-id and a password. The password is wiped from memory when
/// the handle is freed with `portcullis_basic_credentials_free`.
pub struct portcullis_basic_credentials {
    inner: BasicCredentials,
}

castable!(portcullis_basic_auth => BasicAuth, portcullis_basic_credentials => BasicCredentials);

/// Builds a Basic verifier from its `BasicConfig` JSON (`realm`, `allow_legacy`, `users`
/// (user to hash), `htpasswd` (file text), `htpasswd_file` (path), `rehash_params`; length 0
/// for all defaults, i.e. no user).
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `BASIC_HASH_UNSUPPORTED`, `BASIC_HASH_WEAK`, `BASIC_HASH_MALFORMED`,
/// `BASIC_HTPASSWD_MALFORMED`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_auth_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_basic_auth,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let config = json_or_default(config_json, config_json_len, BasicConfig::from_json)?;
            let inner = BasicAuth::new(config)?;
            Ok(portcullis_basic_auth { inner })
        })
    }
}

/// Takes one more reference to `auth` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_auth_retain(
    auth: *const portcullis_basic_auth,
) -> *mut portcullis_basic_auth {
    unsafe { retain_shared(auth) }
}

/// Drops one reference to `auth`; the last one frees it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_auth_free(auth: *mut portcullis_basic_auth) {
    unsafe { release_shared(auth) }
}

/// Number of users; 0 when `auth` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_auth_len(auth: *const portcullis_basic_auth) -> usize {
    guard_value(0, || unsafe { borrow(auth) }.map_or(0, BasicAuth::len))
}

/// Verifies the request's `Authorization: Basic` credentials.
///
/// On success `*out_principal` receives the principal (subject and credential id = user-id;
/// claims `hash_scheme`, `needs_rehash`). On failure the result is the reason and, when
/// `out_denial` is not NULL, `*out_denial` receives the denial with its `Basic` challenge.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_auth_verify(
    auth: *const portcullis_basic_auth,
    req: *const portcullis_request,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe { verify_request(auth, req, out_principal, out_denial, BasicAuth::verify) }
}

/// Parses a whole `Authorization` header value (`Basic <base64>`, scheme case-insensitive; raw
/// bytes). On success `*out` receives the credentials. Fails with `CREDENTIALS_MISSING`
/// (another scheme), `HEADER_MALFORMED`, `BASIC_MALFORMED`, `BASIC_BAD_BASE64`,
/// `BASIC_INVALID_UTF8`, `BASIC_CONTROL_CHARACTER`, `BASIC_TOO_LONG`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_parse(
    header_value: *const u8,
    header_value_len: usize,
    out: *mut *mut portcullis_basic_credentials,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let value = unsafe { bytes_in(header_value, header_value_len) }?;
        let inner = basic::parse_authorization(value)?;
        out_handle(out, portcullis_basic_credentials { inner });
        Ok(())
    })
}

/// The user-id (UTF-8).
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_credentials_user_id(
    credentials: *const portcullis_basic_credentials,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(credentials) }?.user_id.as_bytes())
    })
}

/// The password (UTF-8). It is a secret: wipe the caller's copy after use.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_credentials_password(
    credentials: *const portcullis_basic_credentials,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(credentials) }?.password.expose().as_bytes())
    })
}

/// Frees credentials, wiping the password. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_basic_credentials_free(
    credentials: *mut portcullis_basic_credentials,
) {
    unsafe { free_box(credentials) }
}

/// Hashes `password` (raw bytes) with argon2id and a fresh salt; writes the PHC string
/// (`$argon2id$v=19$m=...`) to the caller buffer.
///
/// `memory_kib`, `iterations` and `parallelism` are the argon2id costs; a 0 takes the core's
/// default for that parameter (m = 19456 KiB, t = 2, p = 1, OWASP's first configuration), so
/// passing 0 for all three gives the default hash. The length of the output depends only on
/// the parameters, so a size query (`cap` 0) followed by a call succeeds; each call hashes
/// anew with a new salt. Fails with `INVALID_ARGUMENT` for costs out of range.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_hash_password(
    password: *const u8,
    password_len: usize,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let password = unsafe { bytes_in(password, password_len) }?;
        let defaults = Argon2Params::default();
        let or_default = |value: u32, default: u32| if value == 0 { default } else { value };
        let params = Argon2Params {
            memory_kib: or_default(memory_kib, defaults.memory_kib),
            iterations: or_default(iterations, defaults.iterations),
            parallelism: or_default(parallelism, defaults.parallelism),
        };
        out.put(basic::hash_password(password, params)?.as_bytes())
    })
}
