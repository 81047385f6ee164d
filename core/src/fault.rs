//! Test-only fault injection: with the `fault-injection` feature (never in a release build or
//! a published package), a request for [`PANIC_PATH`] panics inside [`Gate::check`] and
//! [`Verifier::verify`], so that each surface's tests can prove a panic in the core comes back
//! as an error code (C), an exception (Python, Node) or a rejected promise, and never aborts
//! the host process. Without the feature the hook compiles to nothing.
//!
//! [`Gate::check`]: crate::gate::Gate::check
//! [`Verifier::verify`]: crate::verifier::Verifier::verify

use crate::request::Request;

/// The request target that panics when the feature is on.
pub const PANIC_PATH: &str = "/__portcullis_fault__/panic";

/// True when this build carries the fault-injection hook. The surfaces' panic tests do not need
/// it: against a build without the hook their forced panic is an ordinary request, and they fail.
pub const ENABLED: bool = cfg!(feature = "fault-injection");

#[inline(always)]
pub(crate) fn point(request: &Request) {
    #[cfg(feature = "fault-injection")]
    if request.target() == PANIC_PATH {
        panic!("portcullis fault injection: a forced panic");
    }
    let _ = request;
}
