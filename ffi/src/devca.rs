//! `portcullis_dev_ca` and `portcullis_issued_cert`: a development CA that issues client,
//! server and intermediate certificates and CRLs at explicit times, for tests and local setups.
//! Never for production: its key lives in memory only and is never exported.

use portcullis::mtls::{ClientCertSpec, DevCa, IssuedCertificate, ServerCertSpec};
use portcullis::Error;

use crate::boundary::{
    free_box, guard, out_buf, out_handle, out_ptr, release_shared, retain_shared, text_in,
};
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared};

/// A development certificate authority (ECDSA P-256; a root or an intermediate) and the serials
/// it revoked. Reference-counted and thread-safe: issue, revoke and write CRLs from any thread.
/// `portcullis_dev_ca_retain` takes a reference, `portcullis_dev_ca_free` drops one.
pub struct portcullis_dev_ca {
    inner: DevCa,
}

/// A certificate issued by a dev CA and its private key: certificate PEM and DER, chain PEM,
/// key PEM, serial and SHA-256 fingerprint. The key is wiped when the handle is freed with
/// `portcullis_issued_cert_free`.
pub struct portcullis_issued_cert {
    inner: IssuedCertificate,
}

castable!(portcullis_dev_ca => DevCa, portcullis_issued_cert => IssuedCertificate);

/// Issues one certificate from a spec's JSON (the core's parser; length 0 is every default).
///
/// # Safety
/// As the `portcullis_dev_ca_issue_*` functions that call it.
unsafe fn issue_from_spec<T: Default>(
    ca: *const portcullis_dev_ca,
    spec_json: *const u8,
    spec_json_len: usize,
    out: *mut *mut portcullis_issued_cert,
    parse: impl FnOnce(&str) -> Result<T, Error>,
    issue: impl FnOnce(&DevCa, &T) -> Result<IssuedCertificate, Error>,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let ca = unsafe { borrow(ca) }?;
        let json = unsafe { text_in(spec_json, spec_json_len) }?;
        let spec = if json.is_empty() {
            T::default()
        } else {
            parse(json)?
        };
        let inner = issue(ca, &spec)?;
        out_handle(out, portcullis_issued_cert { inner });
        Ok(())
    })
}

/// Creates a self-signed root CA with the subject common name `common_name` (UTF-8), valid
/// from `not_before` to `not_after` (Unix seconds). On success `*out` receives a handle
/// holding one reference. Fails with `INVALID_ARGUMENT` (a time out of range),
/// `RANDOM_UNAVAILABLE`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_new(
    common_name: *const u8,
    common_name_len: usize,
    not_before: i64,
    not_after: i64,
    out: *mut *mut portcullis_dev_ca,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let cn = text_in(common_name, common_name_len)?;
            let inner = DevCa::new(cn, not_before, not_after)?;
            Ok(portcullis_dev_ca { inner })
        })
    }
}

/// Takes one more reference to `ca` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_retain(
    ca: *const portcullis_dev_ca,
) -> *mut portcullis_dev_ca {
    unsafe { retain_shared(ca) }
}

/// Drops one reference to `ca`; the last one frees it (and its key). NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_free(ca: *mut portcullis_dev_ca) {
    unsafe { release_shared(ca) }
}

/// Creates an intermediate CA signed by `ca`, with the common name `common_name` (UTF-8),
/// valid from `not_before` to `not_after` (Unix seconds). When `has_path_len` is true the
/// intermediate's basic constraints allow `path_len` CAs below it; otherwise they are
/// unconstrained. Its issued certificates' chains carry it (and its parents below the root).
///
/// On success `*out` receives a new dev CA handle holding one reference. Fails as
/// `portcullis_dev_ca_new`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_dev_ca_issue_intermediate(
    ca: *const portcullis_dev_ca,
    common_name: *const u8,
    common_name_len: usize,
    not_before: i64,
    not_after: i64,
    path_len: u8,
    has_path_len: bool,
    out: *mut *mut portcullis_dev_ca,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let ca = borrow(ca)?;
            let cn = text_in(common_name, common_name_len)?;
            let path_len = has_path_len.then_some(path_len);
            let inner = ca.issue_intermediate(cn, not_before, not_after, path_len)?;
            Ok(portcullis_dev_ca { inner })
        })
    }
}

/// Issues a TLS client certificate from the `ClientCertSpec` JSON (UTF-8, every field
/// optional, unknown fields refused; length 0 for all defaults): `spiffe_id` (a URI SAN),
/// `dns`, `email` (SAN lists), `cn`, `not_before`, `not_after` (Unix seconds; default: the
/// CA's), `eku_client_auth` (true), `eku_server_auth` (false).
///
/// On success `*out` receives the issued certificate (free it with
/// `portcullis_issued_cert_free`). Fails with `JSON_INVALID`, `INVALID_ARGUMENT` (a name that
/// is not IA5, a time out of range), `RANDOM_UNAVAILABLE`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_issue_client(
    ca: *const portcullis_dev_ca,
    spec_json: *const u8,
    spec_json_len: usize,
    out: *mut *mut portcullis_issued_cert,
) -> portcullis_result {
    unsafe {
        issue_from_spec(
            ca,
            spec_json,
            spec_json_len,
            out,
            ClientCertSpec::from_json,
            DevCa::issue_client,
        )
    }
}

/// Issues a TLS server certificate (serverAuth) from the `ServerCertSpec` JSON (UTF-8,
/// unknown fields refused; length 0 for all defaults): `dns_names` (DNS SANs; IP literals
/// become IP SANs), `cn` (default: the first name), `not_before`, `not_after`.
///
/// On success `*out` receives the issued certificate. Fails as
/// `portcullis_dev_ca_issue_client`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_issue_server(
    ca: *const portcullis_dev_ca,
    spec_json: *const u8,
    spec_json_len: usize,
    out: *mut *mut portcullis_issued_cert,
) -> portcullis_result {
    unsafe {
        issue_from_spec(
            ca,
            spec_json,
            spec_json_len,
            out,
            ServerCertSpec::from_json,
            DevCa::issue_server,
        )
    }
}

/// Puts the certificate with serial `serial` (hex text, UTF-8, `:` separators allowed, as
/// `portcullis_issued_cert_serial` writes it) on this CA's CRL, revoked at `revoked_at` (Unix
/// seconds). Revoking twice is a no-op. Fails with `INVALID_ARGUMENT` (not a serial, a time out
/// of range, too many revocations), `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_revoke(
    ca: *const portcullis_dev_ca,
    serial: *const u8,
    serial_len: usize,
    revoked_at: i64,
) -> portcullis_result {
    guard(|| {
        let ca = unsafe { borrow(ca) }?;
        let serial = unsafe { text_in(serial, serial_len) }?;
        ca.revoke(serial, revoked_at)
    })
}

/// Writes this CA's CRL (PEM) listing every serial revoked so far, issued at `this_update` and
/// valid until `next_update` (Unix seconds). Asked again with the same times and no new
/// revocation, the CA returns the same bytes, so a size query then a call with a buffer of
/// the reported size succeeds. Fails with `INVALID_ARGUMENT` (a time out of range),
/// `NULL_POINTER`, `BUFFER_TOO_SMALL`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_crl_pem(
    ca: *const portcullis_dev_ca,
    this_update: i64,
    next_update: i64,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let ca = unsafe { borrow(ca) }?;
        out.put(ca.crl_pem(this_update, next_update)?.as_bytes())
    })
}

/// Writes the CA's own certificate (PEM): a trust anchor when the CA is a root.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_cert_pem(
    ca: *const portcullis_dev_ca,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let ca = unsafe { borrow(ca) }?;
        out.put(ca.ca_cert_pem().as_bytes())
    })
}

/// Writes this CA's certificate then its parents below the root (PEM), what an issued leaf's
/// chain carries after the leaf; length 0 for a root.
#[no_mangle]
pub unsafe extern "C" fn portcullis_dev_ca_intermediates_pem(
    ca: *const portcullis_dev_ca,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let ca = unsafe { borrow(ca) }?;
        out.put(ca.intermediates_pem().as_bytes())
    })
}

/// Writes one output of an issued certificate to a caller buffer.
unsafe fn issued_bytes(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&IssuedCertificate) -> &[u8],
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let cert = unsafe { borrow(cert) }?;
        out.put(field(cert))
    })
}

/// The certificate (PEM).
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_cert_pem(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| c.cert_pem.as_bytes()) }
}

/// The certificate then the issuing intermediates, not the root (PEM): what a TLS peer
/// presents.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_chain_pem(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| c.chain_pem.as_bytes()) }
}

/// The certificate (DER bytes; what `portcullis_request_add_peer_certificate` takes).
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_der(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| &c.der) }
}

/// The private key (PKCS#8 PEM). A secret: wipe the caller's copy when done.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_key_pem(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| c.key_pem.as_bytes()) }
}

/// The serial number (lower-case hex), as `portcullis_dev_ca_revoke` takes it.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_serial(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| c.serial.as_bytes()) }
}

/// The SHA-256 of the DER (64 lower-case hex digits), as `pinned_fingerprints` takes it.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_fingerprint_sha256(
    cert: *const portcullis_issued_cert,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { issued_bytes(cert, buf, cap, out_len, |c| c.fingerprint_sha256.as_bytes()) }
}

/// Frees an issued certificate and wipes its private key. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_cert_free(cert: *mut portcullis_issued_cert) {
    unsafe { free_box(cert) }
}
