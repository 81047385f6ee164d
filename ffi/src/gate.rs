//! `portcullis_gate` and `portcullis_gate_options`: the gate (routes, requirement trees, rate
//! limits, lockout, audit) loaded from one TOML or JSON configuration. Decisions are in
//! `gate_decision.rs`.

use std::ffi::c_void;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use portcullis::config::{ConfigError, Format, LoadContext, Secrets};
use portcullis::gate::audit::{AuditEvent, AuditSink};
use portcullis::gate::{gate_schema, Gate, GateOptions};
use portcullis::{Denial, Error, ErrorCode};

use crate::apikey::portcullis_apikey_ring;
use crate::boundary::{
    bytes_in, free_box, guard, guard_denial, guard_value, handle, out_buf, out_handle, out_ptr,
    out_shared, release_shared, retain_shared, scopes, text_in,
};
use crate::decision::portcullis_denial;
use crate::gate_decision::portcullis_gate_decision;
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::borrow;
use crate::verifier::portcullis_verifier;

/// Receives one audit event: `event_json` points to `event_json_len` bytes of one JSON object
/// (UTF-8, followed by a NUL not counted in the length), valid only during the call. Called on
/// the gate's audit thread, never on a thread calling `portcullis_gate_check`, once per event,
/// in submission order; it must be thread-safe with respect to the rest of the host, and must
/// not call `portcullis_gate_reload`, `portcullis_gate_reload_file`,
/// `portcullis_gate_flush_audit` or `portcullis_gate_free` on the gate it audits. `ctx` is the
/// pointer given to `portcullis_gate_options_set_audit`, passed back unchanged.
pub type portcullis_audit_callback =
    Option<unsafe extern "C" fn(ctx: *mut c_void, event_json: *const u8, event_json_len: usize)>;

/// How a gate (or a generic verifier) is loaded besides its configuration: the values of
/// `secret:NAME` references, the folder relative paths start from, and an audit callback.
/// A builder owned by one thread; the call that takes it (`portcullis_gate_new`,
/// `portcullis_gate_from_file`, `portcullis_verifier_new`) consumes it, even when it fails.
/// Free an unused one with `portcullis_gate_options_free`. Secret values are wiped when the
/// options, and the gate built from them, are freed.
pub struct portcullis_gate_options {
    secrets: Secrets,
    base_dir: Option<PathBuf>,
    audit: Option<Arc<CallbackSink>>,
}

/// The host's audit callback as a core sink.
struct CallbackSink {
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize),
    ctx: *mut c_void,
    // Set once the gate that owns the sink is freed: an event the worker still holds after
    // that (a callback stuck for longer than the drop wait) is not handed to the host, whose
    // `ctx` may be gone.
    closed: AtomicBool,
}

// SAFETY: the header requires the callback to be callable from the audit thread with its
// `ctx`; the sink never dereferences `ctx` itself.
unsafe impl Send for CallbackSink {}
// SAFETY: as above; the only shared state the sink adds is an atomic flag.
unsafe impl Sync for CallbackSink {}

impl AuditSink for CallbackSink {
    fn deliver(&self, events: &[AuditEvent]) {
        for event in events {
            if self.closed.load(Ordering::Acquire) {
                return;
            }
            let mut text = event.to_json();
            let len = text.len();
            text.push('\0');
            // SAFETY: the host's contract for the callback; the text outlives the call.
            unsafe { (self.callback)(self.ctx, text.as_ptr(), len) };
        }
    }
}

/// Closes the sink when the gate handle is dropped, after the gate itself (fields drop in
/// declaration order), so events queued before the free are still delivered.
struct SinkCloser(Arc<CallbackSink>);

impl Drop for SinkCloser {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
    }
}

impl portcullis_gate_options {
    /// The core's options: what the loader needs and the callback sink (if any).
    fn into_parts(self) -> (LoadContext, Option<Arc<CallbackSink>>) {
        let mut load = LoadContext::new().with_secrets(self.secrets);
        if let Some(dir) = self.base_dir {
            load = load.with_base_dir(dir);
        }
        (load, self.audit)
    }
}

/// Takes ownership of an options handle (NULL gives the defaults).
///
/// # Safety
/// `options` is NULL or a live options handle not used again by the caller.
unsafe fn take_options(
    options: *mut portcullis_gate_options,
) -> (LoadContext, Option<Arc<CallbackSink>>) {
    if options.is_null() {
        return (LoadContext::new(), None);
    }
    // SAFETY: a live box from `portcullis_gate_options_new`, handed over by the caller.
    unsafe { Box::from_raw(options) }.into_parts()
}

/// Takes ownership of an options handle for a loader that audits nothing (a generic
/// verifier): its audit callback, if any, is dropped unused.
///
/// # Safety
/// As [`take_options`].
pub(crate) unsafe fn take_load_context(options: *mut portcullis_gate_options) -> LoadContext {
    unsafe { take_options(options) }.0
}

/// A path input: bytes on Unix (any file name), UTF-8 text elsewhere.
///
/// # Safety
/// As `bytes_in`.
unsafe fn path_in(ptr: *const u8, len: usize) -> Result<PathBuf, Error> {
    if len == 0 {
        return Err(Error::new(ErrorCode::InvalidArgument, "the path is empty"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = unsafe { bytes_in(ptr, len) }?;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        Ok(PathBuf::from(unsafe { text_in(ptr, len) }?))
    }
}

/// A load failure as the denial a caller reads: its code, and the detail
/// `<path>: <message> (line L, column C)`.
pub(crate) fn config_denial(error: ConfigError) -> Denial {
    Denial::from(Error::from(error))
}

/// Creates empty options (no secrets, relative paths from the working directory, no audit
/// callback). On success `*out` receives a handle.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_options_new(
    out: *mut *mut portcullis_gate_options,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        out_handle(
            out,
            portcullis_gate_options {
                secrets: Secrets::new(),
                base_dir: None,
                audit: None,
            },
        );
        Ok(())
    })
}

/// Adds (or replaces) the value a `secret:NAME` reference of the configuration reads. `name`
/// and `value` are UTF-8 text; the value is copied and wiped when no longer needed.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_options_add_secret(
    o: *mut portcullis_gate_options,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> portcullis_result {
    guard(|| {
        // SAFETY: the caller owns the builder and does not share it during the call.
        let options =
            unsafe { o.as_mut() }.ok_or_else(|| crate::boundary::null("handle is NULL"))?;
        let name = unsafe { text_in(name, name_len) }?;
        let value = unsafe { text_in(value, value_len) }?;
        options.secrets.insert(name, value);
        Ok(())
    })
}

/// Sets the folder relative paths of the configuration (`file:` references, `records_file`,
/// the audit file) start from; bytes on Unix, UTF-8 elsewhere; `INVALID_ARGUMENT` when empty.
/// Without it, a configuration loaded from a file uses the file's folder and one loaded from
/// text the working directory.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_options_set_base_dir(
    o: *mut portcullis_gate_options,
    dir: *const u8,
    dir_len: usize,
) -> portcullis_result {
    guard(|| {
        let options =
            unsafe { o.as_mut() }.ok_or_else(|| crate::boundary::null("handle is NULL"))?;
        options.base_dir = Some(unsafe { path_in(dir, dir_len) }?);
        Ok(())
    })
}

/// Sets the audit callback (replacing any earlier one): called once per decision with the
/// event's JSON, on the audit thread (see `portcullis_audit_callback` for what it must and
/// must not do). `ctx` is passed back to it; it must stay valid until the gate's last
/// reference is freed. A generic verifier ignores it. `NULL_POINTER` when `cb` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_options_set_audit(
    o: *mut portcullis_gate_options,
    cb: portcullis_audit_callback,
    ctx: *mut c_void,
) -> portcullis_result {
    guard(|| {
        let options =
            unsafe { o.as_mut() }.ok_or_else(|| crate::boundary::null("handle is NULL"))?;
        let callback = cb.ok_or_else(|| crate::boundary::null("audit callback is NULL"))?;
        options.audit = Some(Arc::new(CallbackSink {
            callback,
            ctx,
            closed: AtomicBool::new(false),
        }));
        Ok(())
    })
}

/// Frees options that no call consumed, wiping the secret values. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_options_free(o: *mut portcullis_gate_options) {
    unsafe { free_box(o) }
}

/// A gate: checks requests against one configuration (named credentials, routes with their
/// requirements and scopes, rate limits, lockout, audit). Reference-counted and thread-safe:
/// check from any number of threads while another reloads. `portcullis_gate_retain` takes a
/// reference, `portcullis_gate_free` drops one; the last one stops the audit thread after
/// delivering what is queued (waiting about 2 s at most).
pub struct portcullis_gate {
    gate: Gate,
    // Declared after `gate`: dropped once the gate (and its audit thread) is gone.
    _closer: Option<SinkCloser>,
}

unsafe fn gate_ref<'a>(g: *const portcullis_gate) -> Result<&'a Gate, Error> {
    // SAFETY: forwarded contract.
    unsafe { handle(g) }.map(|g| &g.gate)
}

/// Builds a gate handle; `load` makes the gate from the core options.
unsafe fn new_gate(
    options: *mut portcullis_gate_options,
    out: *mut *mut portcullis_gate,
    out_error: *mut *mut portcullis_denial,
    load: impl FnOnce(GateOptions) -> Result<Gate, Denial>,
) -> portcullis_result {
    unsafe {
        guard_denial(out_error, || {
            // Taken first: the options are consumed whatever happens next.
            let (load_ctx, sink) = take_options(options);
            let out = out_ptr(out)?;
            let audit_sinks: Vec<Arc<dyn AuditSink>> = match &sink {
                Some(s) => vec![s.clone()],
                None => Vec::new(),
            };
            let gate = load(GateOptions {
                load: load_ctx,
                audit_sinks,
            })?;
            out_shared(
                out,
                portcullis_gate {
                    gate,
                    _closer: sink.map(SinkCloser),
                },
            );
            Ok(())
        })
    }
}

/// Loads a gate from its configuration text: JSON when the first non-blank character is `{`,
/// TOML otherwise. `options` may be NULL (no secrets, no audit); otherwise it is consumed,
/// even on failure.
///
/// On success `*out` receives a handle holding one reference. On failure the result is the
/// load error's code (`CONFIG_INVALID`, `JSON_INVALID`, `JWT_KEY_INVALID`, `INPUT_TOO_LARGE`,
/// ...; also `INVALID_UTF8`, `NULL_POINTER`) and, when `out_error` is not NULL, `*out_error`
/// receives a denial whose detail is `<path>: <message> (line L, column C)`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_new(
    config: *const u8,
    config_len: usize,
    options: *mut portcullis_gate_options,
    out: *mut *mut portcullis_gate,
    out_error: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        new_gate(options, out, out_error, |options| {
            let text = text_in(config, config_len)?;
            Gate::from_text(text, Format::detect(text), options).map_err(config_denial)
        })
    }
}

/// Loads a gate from the configuration file at `path` (bytes on Unix): `.toml` or `.json`, or
/// by its first character otherwise; relative paths in it start from its folder unless the
/// options set a base folder. Options and outputs as `portcullis_gate_new`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_from_file(
    path: *const u8,
    path_len: usize,
    options: *mut portcullis_gate_options,
    out: *mut *mut portcullis_gate,
    out_error: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        new_gate(options, out, out_error, |options| {
            let path = path_in(path, path_len)?;
            Gate::from_file(&path, options).map_err(config_denial)
        })
    }
}

/// Takes one more reference to `g` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_retain(g: *const portcullis_gate) -> *mut portcullis_gate {
    unsafe { retain_shared(g) }
}

/// Drops one reference to `g`; the last one frees the gate. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_free(g: *mut portcullis_gate) {
    unsafe { release_shared(g) }
}

/// Replaces the gate's configuration with `config` (JSON or TOML, as `portcullis_gate_new`),
/// atomically: checks already running finish on the old one, and on any error the old one
/// stays. Credentials whose configuration did not change keep their state (an API key ring
/// its run-time keys). Failures as `portcullis_gate_new`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_reload(
    g: *const portcullis_gate,
    config: *const u8,
    config_len: usize,
    out_error: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        guard_denial(out_error, || {
            let gate = gate_ref(g)?;
            let text = text_in(config, config_len)?;
            gate.reload_text(text, Format::detect(text))
                .map_err(config_denial)
        })
    }
}

/// Replaces the gate's configuration with the file at `path` (bytes on Unix), as
/// `portcullis_gate_reload`; relative paths in it start from the file's folder.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_reload_file(
    g: *const portcullis_gate,
    path: *const u8,
    path_len: usize,
    out_error: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        guard_denial(out_error, || {
            let gate = gate_ref(g)?;
            let path = path_in(path, path_len)?;
            gate.reload_file(&path).map_err(config_denial)
        })
    }
}

/// Decides `req`. `PORTCULLIS_OK` whenever a decision was made, allowed or not: `*out`
/// receives it (free with `portcullis_gate_decision_free`). Fails only on a usage error
/// (`NULL_POINTER`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_check(
    g: *const portcullis_gate,
    req: *const portcullis_request,
    out: *mut *mut portcullis_gate_decision,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let gate = unsafe { gate_ref(g) }?;
        let request = unsafe { borrow(req) }?;
        out_handle(out, portcullis_gate_decision::new(gate.check(request)));
        Ok(())
    })
}

/// Decides `req` as `portcullis_gate_check`, with `scopes` (UTF-8, space-separated; length 0
/// for none) required on top of the matched route's: what a service's own route asks for. A
/// principal lacking one is refused with 403 `scope_insufficient` (the bearer challenge names
/// every required scope); an anonymous pass becomes 401 `credentials_missing`. Fails only on a
/// usage error (`NULL_POINTER`, `INVALID_UTF8`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_check_scoped(
    g: *const portcullis_gate,
    req: *const portcullis_request,
    scopes_text: *const u8,
    scopes_len: usize,
    out: *mut *mut portcullis_gate_decision,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let gate = unsafe { gate_ref(g) }?;
        let request = unsafe { borrow(req) }?;
        let required = scopes(unsafe { text_in(scopes_text, scopes_len) }?);
        let decision = gate.check_with_scopes(request, &required);
        out_handle(out, portcullis_gate_decision::new(decision));
        Ok(())
    })
}

/// Whether a check may take long (a credential hashes passwords or fetches keys or token
/// introspection over the network): on success `*out` receives it. A server with an event
/// loop then checks such a gate's requests on a worker thread.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_may_block(
    g: *const portcullis_gate,
    out: *mut bool,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        out.write(unsafe { gate_ref(g) }?.may_block());
        Ok(())
    })
}

/// The API key ring of the gate's `api_key` credential `name` (UTF-8), shared with the gate:
/// keys inserted, revoked or removed through it are seen by the next check. On success `*out`
/// receives a new reference (free with `portcullis_apikey_ring_free`). A reload that changes
/// the credential's configuration builds a new ring; this handle keeps the old one.
/// `INVALID_ARGUMENT` when no credential has this name or it is not an `api_key` one.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_api_key_ring(
    g: *const portcullis_gate,
    name: *const u8,
    name_len: usize,
    out: *mut *mut portcullis_apikey_ring,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let gate = unsafe { gate_ref(g) }?;
        let name = unsafe { text_in(name, name_len) }?;
        let ring = gate.api_key_ring(name).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "the gate has no api_key credential with this name",
            )
        })?;
        out_shared(out, portcullis_apikey_ring::shared(ring));
        Ok(())
    })
}

/// The gate's credential `name` (UTF-8) as a generic verifier sharing its state (replay
/// store, key ring, caches). On success `*out` receives a new reference (free with
/// `portcullis_verifier_free`). `INVALID_ARGUMENT` when no credential has this name.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_verifier(
    g: *const portcullis_gate,
    name: *const u8,
    name_len: usize,
    out: *mut *mut portcullis_verifier,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let gate = unsafe { gate_ref(g) }?;
        let name = unsafe { text_in(name, name_len) }?;
        let verifier = gate.verifier(name).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "the gate has no credential with this name",
            )
        })?;
        out_shared(out, portcullis_verifier::new(verifier));
        Ok(())
    })
}

/// The audit pipeline's counters since the gate was built (all 0 without an audit callback
/// or file): events submitted, delivered to the sinks, dropped because the queue was full, and
/// sink calls that failed. Each out-pointer may be NULL to skip that counter. Once
/// `portcullis_gate_flush_audit` returned true, `submitted == delivered + dropped` for the
/// checks that finished before it.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_audit_stats(
    g: *const portcullis_gate,
    submitted: *mut u64,
    delivered: *mut u64,
    dropped: *mut u64,
    sink_failures: *mut u64,
) -> portcullis_result {
    guard(|| {
        let stats = unsafe { gate_ref(g) }?.audit_stats();
        for (ptr, value) in [
            (submitted, stats.submitted),
            (delivered, stats.delivered),
            (dropped, stats.dropped),
            (sink_failures, stats.sink_failures),
        ] {
            if let Ok(out) = unsafe { out_ptr(ptr) } {
                out.write(value);
            }
        }
        Ok(())
    })
}

/// Waits at most `timeout_ms` milliseconds until every audit event submitted before the call
/// was delivered (the callback returned) or dropped; true when that happened (always true
/// without audit). False when `g` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_flush_audit(
    g: *const portcullis_gate,
    timeout_ms: u32,
) -> bool {
    guard_value(false, || {
        unsafe { gate_ref(g) }
            .is_ok_and(|gate| gate.flush_audit(Duration::from_millis(u64::from(timeout_ms))))
    })
}

/// The JSON Schema of the gate configuration (the one in `docs/gate.schema.json`), as compact
/// JSON text.
#[no_mangle]
pub unsafe extern "C" fn portcullis_gate_schema(
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(gate_schema().to_string().as_bytes())
    })
}

// The handles C shares between threads must be shareable.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<portcullis_gate>();
    shared::<portcullis_verifier>();
    shared::<portcullis_gate_decision>();
};

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use portcullis::Request;

    use super::*;

    unsafe extern "C" fn count(ctx: *mut c_void, json: *const u8, len: usize) {
        // SAFETY: the test passes an `AtomicUsize` and the sink a NUL-terminated text.
        let counter = unsafe { &*(ctx as *const AtomicUsize) };
        let text = unsafe { std::slice::from_raw_parts(json, len + 1) };
        assert_eq!(text[len], 0);
        assert!(text.starts_with(b"{\"time\":"));
        counter.fetch_add(1, Ordering::Relaxed);
    }

    #[test]
    fn the_sink_calls_back_once_per_event_until_closed() {
        let counter = AtomicUsize::new(0);
        let sink = Arc::new(CallbackSink {
            callback: count,
            ctx: &counter as *const AtomicUsize as *mut c_void,
            closed: AtomicBool::new(false),
        });
        let options = GateOptions {
            load: LoadContext::new(),
            audit_sinks: vec![sink.clone()],
        };
        let gate = Gate::from_text(
            "[credentials]\n[[routes]]\npath = \"/\"\nrequire = { anonymous = true }\n",
            Format::Toml,
            options,
        )
        .unwrap();
        let request = Request::new("GET", "/").unwrap().at(1);
        for _ in 0..3 {
            assert!(gate.check(&request).allowed());
        }
        assert!(gate.flush_audit(Duration::from_secs(10)));
        assert_eq!(counter.load(Ordering::Relaxed), 3);
        drop(SinkCloser(sink.clone()));
        assert!(gate.check(&request).allowed());
        assert!(gate.flush_audit(Duration::from_secs(10)));
        assert_eq!(counter.load(Ordering::Relaxed), 3);
        assert_eq!(gate.audit_stats().delivered, 4);
    }
}
