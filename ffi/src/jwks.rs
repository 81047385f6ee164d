//! Remote JWKS: `portcullis_jwks_client` (a fetched, cached key set found by URL or by OpenID
//! Connect / RFC 8414 discovery) and `portcullis_jwt_verifier_new_remote`, a JWT verifier that
//! reads its keys from one.
//!
//! The client is blocking: a call that needs a fetch (the first verify, a `kid` it does not
//! know, an expired set, `portcullis_jwks_client_refresh`) does the HTTP request on the
//! calling thread, bounded by `timeout_ms`. Concurrent callers share one fetch.

use std::sync::Arc;

use portcullis::jwt::{JwksClient, JwksConfig, JwtConfig, JwtVerifier};
use portcullis::{Error, ErrorCode};

use crate::boundary::{guard, json_or_default, out_buf, release_shared, retain_shared, text_in};
use crate::decision::canonical_value;
use crate::jwt::portcullis_jwt_verifier;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared};

/// A remote JWKS: fetched over HTTPS (or HTTP to a loopback address), cached for the TTL the
/// server allows within the configured bounds, refetched on an unknown `kid` (at most once per
/// cooldown), served stale while fetches fail (within `max_stale_seconds`). Reference-counted
/// and thread-safe; verifiers built over it share it. `portcullis_jwks_client_retain` takes a
/// reference, `portcullis_jwks_client_free` drops one.
pub struct portcullis_jwks_client {
    inner: Arc<JwksClient>,
}

castable!(portcullis_jwks_client => Arc<JwksClient>);

/// Builds a JWKS client from its `JwksConfig` JSON (UTF-8; unknown fields refused): exactly
/// one of `url` (`https://`, or `http://` to a loopback address) and `issuer` (found through
/// `discovery`: `"openid-configuration"` (default) or `"oauth-authorization-server"`), then
/// `min_ttl_seconds` (300), `max_ttl_seconds` (86400), `default_ttl_seconds` (600),
/// `kid_miss_cooldown_seconds` (30), `max_stale_seconds` (86400), `timeout_ms` (5000),
/// `connect_timeout_ms` (2000), `max_bytes` (524288), `ca_pem` (PEM roots replacing the
/// built-in ones), `algorithms` (empty: every asymmetric algorithm), `require_kid` (false).
/// No I/O happens here: the first verify or refresh fetches (and discovers).
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID` (no or both of url/issuer, a URL not allowed, a value out of range, a bad
/// `ca_pem`), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwks_client_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_jwks_client,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let config = JwksConfig::from_json(text_in(config_json, config_json_len)?)?;
            let inner = Arc::new(JwksClient::new(config)?);
            Ok(portcullis_jwks_client { inner })
        })
    }
}

/// Takes one more reference to `client` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwks_client_retain(
    client: *const portcullis_jwks_client,
) -> *mut portcullis_jwks_client {
    unsafe { retain_shared(client) }
}

/// Drops one reference to `client`; the last one frees it (verifiers built over it keep it).
/// NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwks_client_free(client: *mut portcullis_jwks_client) {
    unsafe { release_shared(client) }
}

/// Fetches the key set now, on the calling thread (waiting for a fetch already in flight
/// instead of starting another), and returns how it went. On failure the previous set stays in
/// use. Fails with `JWT_JWKS_UNAVAILABLE` (connection, TLS, timeout, HTTP status),
/// `JWT_JWKS_INVALID` (an unusable document), `JWT_DISCOVERY_INVALID`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwks_client_refresh(
    client: *const portcullis_jwks_client,
) -> portcullis_result {
    guard(|| unsafe { borrow(client) }?.refresh())
}

/// Writes the client's status as compact JSON with sorted members: `state` (`"empty"`,
/// `"fresh"`, `"stale"`, `"expired"`), `issuer`, `jwks_uri` (without its query), `keys`,
/// `kids`, `fetched_at`, `expires_at`, `stale_until`, `last_attempt_at` (Unix seconds or null),
/// `fetch_count`, `failure_count`, `last_error` (`{"code", "detail", "at"}` or null),
/// `fetching`. Fails with `NULL_POINTER`, `BUFFER_TOO_SMALL`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwks_client_status(
    client: *const portcullis_jwks_client,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let client = unsafe { borrow(client) }?;
        let status = serde_json::to_value(client.status())
            .map_err(|_| Error::new(ErrorCode::Internal, "JWKS status does not serialise"))?;
        out.put(canonical_value(&status).as_bytes())
    })
}

/// Builds a JWT verifier over the keys of `client` (fetched when needed) and the `JwtConfig`
/// JSON (as `portcullis_jwt_verifier_new`; length 0 for all defaults). The result is a
/// `portcullis_jwt_verifier` like any other: every `portcullis_jwt_verifier_*` function works
/// with it. The verifier holds its own reference to the client.
///
/// A verify that needs keys the cache does not hold blocks on the network (bounded by the
/// client's `timeout_ms`) and fails with `JWT_JWKS_UNAVAILABLE`, `JWT_JWKS_INVALID` or
/// `JWT_DISCOVERY_INVALID` when no usable set can be had.
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_jwt_verifier_new_remote(
    client: *const portcullis_jwks_client,
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_jwt_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let client = borrow(client)?;
            let config = json_or_default(config_json, config_json_len, JwtConfig::from_json)?;
            let inner = JwtVerifier::new(config, Arc::clone(client) as _)?;
            Ok(portcullis_jwt_verifier { inner })
        })
    }
}
