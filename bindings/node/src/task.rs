//! The work of every `...Async` verify: one core verification on the libuv thread pool, and its
//! principal (or its denial, as the JS error) back on the event loop. One task type for every
//! class, so a verifier's `verifyAsync` is one line.

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Result, Task};

use crate::errors::{from_denial, Principal};

/// Runs a task's work behind a panic boundary. napi-rs calls `compute` on a libuv thread from an
/// `extern "C"` function without a boundary of its own, so a panic there would abort Node; here
/// it becomes the core's `panic` error, which `resolve` rejects the promise with.
pub(crate) fn catch_panic<T>(
    work: impl FnOnce() -> T,
) -> std::result::Result<T, portcullis::Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|_| {
        portcullis::Error::new(
            portcullis::ErrorCode::Panic,
            "panic caught at the Node boundary",
        )
    })
}

type Verify =
    Box<dyn FnOnce() -> std::result::Result<portcullis::Principal, portcullis::Denial> + Send>;

/// One verification to run off the main thread. What `verify` captures (the request and its
/// credentials) is dropped as soon as it has run.
pub struct VerifyTask {
    verify: Option<Verify>,
}

impl VerifyTask {
    /// The `AsyncTask` (a `Promise<Principal>` in JS) that runs `verify` on the thread pool.
    pub fn spawn(
        verify: impl FnOnce() -> std::result::Result<portcullis::Principal, portcullis::Denial>
            + Send
            + 'static,
    ) -> AsyncTask<VerifyTask> {
        AsyncTask::new(VerifyTask {
            verify: Some(Box::new(verify)),
        })
    }
}

impl Task for VerifyTask {
    type Output = std::result::Result<portcullis::Principal, portcullis::Denial>;
    type JsValue = Principal;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(match self.verify.take() {
            Some(verify) => catch_panic(verify).unwrap_or_else(|e| Err(e.into())),
            None => Err(portcullis::Denial::new(
                portcullis::ErrorCode::Internal,
                "verify task ran twice",
            )),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Principal> {
        output
            .map(Principal::from)
            .map_err(|d| from_denial(&env, d))
    }
}
