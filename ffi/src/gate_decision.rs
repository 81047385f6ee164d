//! `portcullis_gate_decision`: the gate's answer to one request, read through accessors.

use portcullis::gate::GateDecision;
use portcullis::{Error, ErrorCode};

use crate::boundary::{free_box, guard, guard_value, handle, out_buf, out_handle, out_ptr};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::result::{portcullis_result, PORTCULLIS_OK};

/// What the gate decided for one request: allowed or not, the HTTP status, the matched route,
/// the winning credential and its principal, or the denial with its challenges, the response
/// headers and the RFC 9457 problem body. Read-only once made; free with
/// `portcullis_gate_decision_free`.
pub struct portcullis_gate_decision {
    inner: GateDecision,
}

impl portcullis_gate_decision {
    pub(crate) fn new(inner: GateDecision) -> Self {
        portcullis_gate_decision { inner }
    }
}

/// Writes one text of a decision to a caller buffer.
unsafe fn decision_text(
    d: *const portcullis_gate_decision,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&GateDecision) -> Option<&str>,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let decision = &unsafe { handle(d) }?.inner;
        out.put(field(decision).unwrap_or("").as_bytes())
    })
}

/// Writes the item at `index` of one of a decision's lists to a caller buffer.
unsafe fn decision_item(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    item: impl FnOnce(&GateDecision, usize) -> Option<&str>,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let decision = &unsafe { handle(d) }?.inner;
        let text = item(decision, index).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "index is past the end of the list",
            )
        })?;
        out.put(text.as_bytes())
    })
}

/// Reads a number of a decision; `fallback` when `d` is NULL.
unsafe fn decision_value<T: Copy>(
    d: *const portcullis_gate_decision,
    fallback: T,
    read: impl FnOnce(&GateDecision) -> T,
) -> T {
    guard_value(fallback, || {
        unsafe { handle(d) }.map_or(fallback, |d| read(&d.inner))
    })
}

/// True when the request may proceed; false when refused or when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_allowed(
    d: *const portcullis_gate_decision,
) -> bool {
    unsafe { decision_value(d, false, GateDecision::allowed) }
}

/// True when allowed without a principal (an `optional` credential that was absent, an
/// `anonymous` route); false otherwise or when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_anonymous(
    d: *const portcullis_gate_decision,
) -> bool {
    unsafe { decision_value(d, false, GateDecision::anonymous) }
}

/// The HTTP status to answer with: 200 when allowed, else the denial's (400, 401, 403, 429,
/// 503, ...); 0 when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_status(
    d: *const portcullis_gate_decision,
) -> u16 {
    unsafe { decision_value(d, 0, GateDecision::status) }
}

/// Why the request was refused (a `PORTCULLIS_RESULT_*` value); `PORTCULLIS_OK` when allowed,
/// `PORTCULLIS_RESULT_NULL_POINTER` when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_code(
    d: *const portcullis_gate_decision,
) -> portcullis_result {
    unsafe {
        decision_value(d, ErrorCode::NullPointer.number(), |d| {
            d.code().map_or(PORTCULLIS_OK, ErrorCode::number)
        })
    }
}

/// The name of the route that matched; length 0 when none did (route names are never empty).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_route(
    d: *const portcullis_gate_decision,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { decision_text(d, buf, cap, out_len, GateDecision::route) }
}

/// The configuration name of the credential whose principal the decision reports; length 0
/// when denied or allowed anonymously (credential names are never empty).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_credential(
    d: *const portcullis_gate_decision,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { decision_text(d, buf, cap, out_len, GateDecision::credential) }
}

/// Who is calling: on success `*out` receives a new principal handle (free with
/// `portcullis_principal_free`), or NULL when the decision has none (denied, or allowed
/// anonymously).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_principal(
    d: *const portcullis_gate_decision,
    out: *mut *mut portcullis_principal,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let decision = &unsafe { handle(d) }?.inner;
        match decision.principal() {
            Some(p) => out_handle(out, portcullis_principal::new(p.clone())),
            None => out.write(std::ptr::null_mut()),
        }
        Ok(())
    })
}

/// Why the request was refused: on success `*out` receives a new denial handle (code, status,
/// public message, detail for logs, the denial's own challenge; free with
/// `portcullis_denial_free`), or NULL when the request was allowed.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_denial(
    d: *const portcullis_gate_decision,
    out: *mut *mut portcullis_denial,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let decision = &unsafe { handle(d) }?.inner;
        match decision.denial() {
            Some(denial) => out_handle(out, portcullis_denial::new(denial.clone())),
            None => out.write(std::ptr::null_mut()),
        }
        Ok(())
    })
}

/// Number of path parameters the route captured (`{id}`); 0 when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_params_len(
    d: *const portcullis_gate_decision,
) -> usize {
    unsafe { decision_value(d, 0, |d| d.params().count()) }
}

/// The name of the path parameter at `index`, in pattern order. `INVALID_ARGUMENT` when
/// `index` is not below `portcullis_gate_decision_params_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_param_name(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        decision_item(d, index, buf, cap, out_len, |d, i| {
            d.params().nth(i).map(|p| p.0)
        })
    }
}

/// The value of the path parameter at `index`, still percent-encoded as in the normalized
/// path. `INVALID_ARGUMENT` past the end.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_param_value(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        decision_item(d, index, buf, cap, out_len, |d, i| {
            d.params().nth(i).map(|p| p.1)
        })
    }
}

/// Number of credentials that were satisfied (more than one under `all_of`); 0 when `d` is
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_satisfied_len(
    d: *const portcullis_gate_decision,
) -> usize {
    unsafe { decision_value(d, 0, |d| d.satisfied().count()) }
}

/// The name of the satisfied credential at `index`. `INVALID_ARGUMENT` past the end.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_satisfied(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { decision_item(d, index, buf, cap, out_len, |d, i| d.satisfied().nth(i)) }
}

/// Number of `WWW-Authenticate` challenges of a denial (the denial's own first, then the
/// route's other methods' for a 401); 0 when allowed or when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_challenges_len(
    d: *const portcullis_gate_decision,
) -> usize {
    unsafe { decision_value(d, 0, |d| d.challenges().len()) }
}

/// The `WWW-Authenticate` value of the challenge at `index`. `INVALID_ARGUMENT` past the end.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_challenge(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let decision = &unsafe { handle(d) }?.inner;
        let challenge = decision.challenges().get(index).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "index is past the end of the list",
            )
        })?;
        out.put(challenge.header_value().as_bytes())
    })
}

/// Number of header fields the response should carry (`WWW-Authenticate` once per challenge,
/// `Retry-After`, `RateLimit-Policy`, `RateLimit`, and `Content-Type` for a denial's problem
/// body); 0 when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_headers_len(
    d: *const portcullis_gate_decision,
) -> usize {
    unsafe { decision_value(d, 0, |d| d.headers().len()) }
}

/// The name of the header field at `index` (0-based, in order; a name may repeat).
/// `INVALID_ARGUMENT` when `index` is not below `portcullis_gate_decision_headers_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_header_name(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        decision_item(d, index, buf, cap, out_len, |d, i| {
            d.headers().get(i).map(|h| h.0)
        })
    }
}

/// The value of the header field at `index`. `INVALID_ARGUMENT` past the end.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_header_value(
    d: *const portcullis_gate_decision,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        decision_item(d, index, buf, cap, out_len, |d, i| {
            d.headers().get(i).map(|h| &*h.1)
        })
    }
}

/// Seconds the client should wait (a throttled or locked-out request): on success
/// `*has_retry_after` tells whether the decision carries `Retry-After` and `*out` receives it
/// (0 when it does not).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_retry_after(
    d: *const portcullis_gate_decision,
    out: *mut u64,
    has_retry_after: *mut bool,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let has = unsafe { out_ptr(has_retry_after) }?;
        let retry = unsafe { handle(d) }?.inner.retry_after();
        out.write(retry.unwrap_or(0));
        has.write(retry.is_some());
        Ok(())
    })
}

/// The RFC 9457 `application/problem+json` body of a denial (`type`, `title`, `status`,
/// `code`; nothing a client could use against the server); length 0 when allowed.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_problem_json(
    d: *const portcullis_gate_decision,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let decision = &unsafe { handle(d) }?.inner;
        out.put(decision.problem_json().unwrap_or_default().as_bytes())
    })
}

/// The whole decision as one JSON object: `allowed`, `status`, `route`, `params`,
/// `credential`, `satisfied`, `anonymous`, `principal`, `code`, `message`, `challenges`,
/// `headers` (`[[name, value], ...]`), `retry_after`, `problem` (the same object every binding
/// and the CLI show).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_json(
    d: *const portcullis_gate_decision,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { handle(d) }?.inner.to_json().as_bytes())
    })
}

/// Frees a decision. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_decision_free(d: *mut portcullis_gate_decision) {
    unsafe { free_box(d) }
}
