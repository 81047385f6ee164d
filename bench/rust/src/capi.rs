//! The C ABI called from Rust, interleaved with the same call on the core: what `extern "C"`,
//! the handles and the panic boundary cost.

use std::hint::black_box;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::{ErrorCode, Request};

use crate::harness::{measure, Case, Plan, Results};
use crate::NOW;

mod ffi {
    use std::ffi::{c_char, c_void};
    extern "C" {
        pub fn portcullis_apikey_ring_new(
            pepper: *const u8,
            pepper_len: usize,
            config: *const u8,
            config_len: usize,
            out: *mut *mut c_void,
        ) -> u32;
        pub fn portcullis_apikey_ring_free(ring: *mut c_void);
        pub fn portcullis_apikey_record_from_json(
            json: *const u8,
            len: usize,
            out: *mut *mut c_void,
        ) -> u32;
        pub fn portcullis_apikey_record_free(record: *mut c_void);
        pub fn portcullis_apikey_ring_insert(ring: *const c_void, record: *const c_void) -> u32;
        pub fn portcullis_request_new(
            method: *const u8,
            method_len: usize,
            target: *const u8,
            target_len: usize,
            out: *mut *mut c_void,
        ) -> u32;
        pub fn portcullis_request_add_header(
            req: *mut c_void,
            name: *const u8,
            name_len: usize,
            value: *const u8,
            value_len: usize,
        ) -> u32;
        pub fn portcullis_request_set_now(req: *mut c_void, now: i64) -> u32;
        pub fn portcullis_request_free(req: *mut c_void);
        pub fn portcullis_apikey_ring_verify(
            ring: *const c_void,
            req: *const c_void,
            scopes: *const u8,
            scopes_len: usize,
            out_principal: *mut *mut c_void,
            out_denial: *mut *mut c_void,
        ) -> u32;
        pub fn portcullis_principal_free(p: *mut c_void);
        pub fn portcullis_result_name(result: u32) -> *const c_char;
    }
}

/// The Rust side of the C ABI comparison: the same call directly on the core and through the
/// C ABI (extern "C", handles, panic boundary, boxed principal), interleaved in one process.
/// bench/c measures the same ABI call from a C caller.
pub(crate) fn bench_capi_twins(res: &mut Results, plan: &Plan) {
    let pepper: Vec<u8> = (100u8..132).collect();
    let ring = ApiKeyRing::new(&pepper, ApiKeyConfig::default()).expect("ring");
    let issued = ring
        .generate(&ApiKeyOptions {
            subject: Some("svc-billing".into()),
            scopes: vec!["orders:read".into()],
            now: Some(NOW),
            ..Default::default()
        })
        .expect("generate");
    ring.insert(issued.record.clone()).expect("insert");
    let bearer = format!("Bearer {}", issued.key.expose());
    let request = Request::new("GET", "/orders")
        .expect("request")
        .header("Authorization", &bearer)
        .expect("header")
        .at(NOW + 100);
    // The same record in a ring made through the C ABI, and the same request.
    let json = issued.record.to_json();
    let (c_ring, c_req) = unsafe {
        let mut c_ring = std::ptr::null_mut();
        let mut record = std::ptr::null_mut();
        let mut c_req = std::ptr::null_mut();
        assert_eq!(
            ffi::portcullis_apikey_ring_new(
                pepper.as_ptr(),
                pepper.len(),
                std::ptr::null(),
                0,
                &mut c_ring
            ),
            0
        );
        assert_eq!(
            ffi::portcullis_apikey_record_from_json(json.as_ptr(), json.len(), &mut record),
            0
        );
        assert_eq!(ffi::portcullis_apikey_ring_insert(c_ring, record), 0);
        ffi::portcullis_apikey_record_free(record);
        assert_eq!(
            ffi::portcullis_request_new(b"GET".as_ptr(), 3, b"/orders".as_ptr(), 7, &mut c_req),
            0
        );
        assert_eq!(
            ffi::portcullis_request_add_header(
                c_req,
                b"Authorization".as_ptr(),
                13,
                bearer.as_ptr(),
                bearer.len()
            ),
            0
        );
        assert_eq!(ffi::portcullis_request_set_now(c_req, NOW + 100), 0);
        (c_ring, c_req)
    };
    let none: &[&str] = &[];
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(ring.verify(black_box(&request), none).is_ok());
            }),
        ),
        (
            "abi",
            Box::new(|| unsafe {
                let mut who = std::ptr::null_mut();
                let rc = ffi::portcullis_apikey_ring_verify(
                    black_box(c_ring),
                    black_box(c_req),
                    std::ptr::null(),
                    0,
                    &mut who,
                    std::ptr::null_mut(),
                );
                assert_eq!(rc, 0);
                ffi::portcullis_principal_free(who);
            }),
        ),
    ];
    res.add(
        "abi_apikey_verify_1",
        "API key verify, 1 keys: core vs C ABI, both from Rust",
        measure(&mut cases, plan),
        &[("abi", "the same call through the C ABI (from Rust)")],
    );
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                let code = ErrorCode::from_number(black_box(608));
                black_box(code.map_or("unknown", ErrorCode::name));
            }),
        ),
        (
            "abi",
            Box::new(|| unsafe {
                black_box(ffi::portcullis_result_name(black_box(608)));
            }),
        ),
    ];
    res.add(
        "result_name",
        "result code -> name (trivial call)",
        measure(&mut cases, plan),
        &[(
            "abi",
            "portcullis_result_name through the C ABI (from Rust)",
        )],
    );
    unsafe {
        ffi::portcullis_request_free(c_req);
        ffi::portcullis_apikey_ring_free(c_ring);
    }
}
