//! The C ABI's handle, buffer and panic-boundary code through the exported functions, on paths
//! that do not call aws-lc, so that Miri can run them (`make miri`): handles made, shared across
//! threads with retain/free and freed; output buffers NULL, empty, too small, exact, and
//! overlapping the input they are computed from; NULL everywhere a pointer is taken.

use std::ptr;

use crate::decision::{portcullis_denial, portcullis_denial_code, portcullis_denial_free};
use crate::gate::{
    portcullis_gate_options, portcullis_gate_options_add_secret, portcullis_gate_options_new,
};
use crate::jwt_key::portcullis_jwk_thumbprint;
use crate::request::{
    portcullis_request, portcullis_request_add_header, portcullis_request_free,
    portcullis_request_new,
};
use crate::result::PORTCULLIS_OK;
use crate::result_codes::{PORTCULLIS_RESULT_BUFFER_TOO_SMALL, PORTCULLIS_RESULT_NULL_POINTER};
use crate::verifier::{
    portcullis_verifier, portcullis_verifier_free, portcullis_verifier_new,
    portcullis_verifier_retain, portcullis_verifier_verify,
};

const PEPPER: &str = "abi-test-pepper-0123456789abcdef";
const CONFIG: &str = r#"{"method": "api_key", "pepper": "secret:pepper"}"#;
// RFC 7638 3.1's example key and thumbprint.
const JWK: &str = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
const THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/// A handle moved to another thread, as a C program shares one (the library makes them
/// thread-safe; the raw pointer is not `Send` on its own).
struct Handle(*mut portcullis_verifier);

// SAFETY: verifier handles may be used from any thread (the header's convention).
unsafe impl Send for Handle {}

impl Handle {
    fn into_inner(self) -> *mut portcullis_verifier {
        self.0
    }
}

fn bytes(s: &str) -> (*const u8, usize) {
    (s.as_ptr(), s.len())
}

fn options() -> *mut portcullis_gate_options {
    let mut o = ptr::null_mut();
    unsafe {
        assert_eq!(portcullis_gate_options_new(&mut o), PORTCULLIS_OK);
        let (n, nl) = bytes("pepper");
        let (v, vl) = bytes(PEPPER);
        assert_eq!(
            portcullis_gate_options_add_secret(o, n, nl, v, vl),
            PORTCULLIS_OK
        );
    }
    o
}

fn request(target: &str) -> *mut portcullis_request {
    let mut r = ptr::null_mut();
    let (m, ml) = bytes("GET");
    let (t, tl) = bytes(target);
    assert_eq!(
        unsafe { portcullis_request_new(m, ml, t, tl, &mut r) },
        PORTCULLIS_OK
    );
    r
}

#[test]
fn a_request_handle_is_built_and_freed() {
    let r = request("/orders");
    for i in 0..8 {
        let name = format!("x-h{i}");
        let value = vec![b'a' + i as u8; 3 + i];
        let rc = unsafe {
            portcullis_request_add_header(r, name.as_ptr(), name.len(), value.as_ptr(), value.len())
        };
        assert_eq!(rc, PORTCULLIS_OK);
    }
    let (n, nl) = bytes("x-a");
    let rc = unsafe { portcullis_request_add_header(r, n, nl, ptr::null(), 5) };
    assert_eq!(rc, PORTCULLIS_RESULT_NULL_POINTER);
    let rc = unsafe { portcullis_request_add_header(ptr::null_mut(), n, nl, ptr::null(), 0) };
    assert_eq!(rc, PORTCULLIS_RESULT_NULL_POINTER);
    unsafe { portcullis_request_free(r) };
    unsafe { portcullis_request_free(ptr::null_mut()) };
    let (m, ml) = bytes("GET");
    assert_eq!(
        unsafe { portcullis_request_new(m, ml, ptr::null(), 1, &mut ptr::null_mut()) },
        PORTCULLIS_RESULT_NULL_POINTER
    );
    let (t, tl) = bytes("/");
    assert_eq!(
        unsafe { portcullis_request_new(m, ml, t, tl, ptr::null_mut()) },
        PORTCULLIS_RESULT_NULL_POINTER
    );
}

#[test]
fn output_buffers_null_empty_small_exact_and_overlapping() {
    let (j, jl) = bytes(JWK);
    let mut len = 0usize;
    // Size query, NULL with a capacity, no out_len.
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, ptr::null_mut(), 0, &mut len) };
    assert_eq!(
        (rc, len),
        (PORTCULLIS_RESULT_BUFFER_TOO_SMALL, THUMBPRINT.len())
    );
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, ptr::null_mut(), 8, &mut len) };
    assert_eq!(rc, PORTCULLIS_RESULT_NULL_POINTER);
    let mut buf = vec![b'Z'; 64];
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, buf.as_mut_ptr(), 64, ptr::null_mut()) };
    assert_eq!(rc, PORTCULLIS_RESULT_NULL_POINTER);
    assert!(buf.iter().all(|&b| b == b'Z'));
    // One byte short: untouched. Exact: no NUL. One more: NUL.
    let need = THUMBPRINT.len();
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, buf.as_mut_ptr(), need - 1, &mut len) };
    assert_eq!(rc, PORTCULLIS_RESULT_BUFFER_TOO_SMALL);
    assert!(buf.iter().all(|&b| b == b'Z'));
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, buf.as_mut_ptr(), need, &mut len) };
    assert_eq!(rc, PORTCULLIS_OK);
    assert_eq!((&buf[..need], buf[need]), (THUMBPRINT.as_bytes(), b'Z'));
    let rc = unsafe { portcullis_jwk_thumbprint(j, jl, buf.as_mut_ptr(), need + 1, &mut len) };
    assert_eq!((rc, buf[need]), (PORTCULLIS_OK, 0));
    // The output written over its own input: the input is read before anything is written.
    let mut shared = JWK.as_bytes().to_vec();
    let (p, cap) = (shared.as_mut_ptr(), shared.len());
    let rc = unsafe { portcullis_jwk_thumbprint(p, cap, p, cap, &mut len) };
    assert_eq!(rc, PORTCULLIS_OK);
    assert_eq!(&shared[..len], THUMBPRINT.as_bytes());
    assert_eq!(shared[len], 0);
}

#[test]
fn a_shared_handle_is_retained_and_freed_from_several_threads() {
    let mut v: *mut portcullis_verifier = ptr::null_mut();
    let (c, cl) = bytes(CONFIG);
    let rc = unsafe { portcullis_verifier_new(c, cl, options(), &mut v, ptr::null_mut()) };
    assert_eq!(rc, PORTCULLIS_OK);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let mine = Handle(unsafe { portcullis_verifier_retain(v) });
            std::thread::spawn(move || {
                let v = mine.into_inner();
                let r = request("/orders");
                let mut denial: *mut portcullis_denial = ptr::null_mut();
                let rc = unsafe {
                    portcullis_verifier_verify(
                        v,
                        r,
                        ptr::null(),
                        0,
                        &mut ptr::null_mut(),
                        &mut denial,
                    )
                };
                assert_eq!(unsafe { portcullis_denial_code(denial) }, rc);
                unsafe {
                    portcullis_denial_free(denial);
                    portcullis_request_free(r);
                    portcullis_verifier_free(v);
                }
                rc
            })
        })
        .collect();
    for t in threads {
        assert_ne!(t.join().unwrap(), PORTCULLIS_OK);
    }
    unsafe { portcullis_verifier_free(v) };
    assert!(unsafe { portcullis_verifier_retain(ptr::null()) }.is_null());
}
