//! The floor of an audited decision: the least any bounded, non-blocking audit pays per
//! request, with no gate at all. The route's verifier is called directly, then a record of
//! the size of the gate's `AuditEvent` is pushed into a bounded lock-free queue (the same
//! crossbeam `ArrayQueue` the core's auditor uses) that another thread drains in batches into a
//! counting callback, parking when the queue is empty, as the core's auditor does. A full queue
//! drops and counts. No route match, no decision, no principal copied into the event.
//!
//! The gate rows' ceilings are compared with this: where `direct + hand-off` over `direct` is
//! already near or above the ceiling, the target sits at the floor (bench/profile-notes.md).

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_queue::ArrayQueue;
use portcullis::gate::audit::{AuditEvent, IDLE_PARK, MAX_BATCH};

/// A record as large as the gate's event, written whole on every request.
#[derive(Clone, Copy)]
struct Record([u64; RECORD_WORDS]);

const RECORD_WORDS: usize = std::mem::size_of::<AuditEvent>().div_ceil(8);

/// The gate's default queue capacity (`audit.queue`).
const CAPACITY: usize = 10_000;

struct Shared {
    queue: ArrayQueue<Record>,
    counted: AtomicU64,
    dropped: AtomicU64,
    stop: AtomicBool,
}

/// A bare bounded hand-off to a counting thread.
pub(crate) struct HandOff {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl HandOff {
    pub(crate) fn new() -> HandOff {
        let shared = Arc::new(Shared {
            queue: ArrayQueue::new(CAPACITY),
            counted: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let worker_shared = Arc::clone(&shared);
        let worker = std::thread::spawn(move || drain(&worker_shared));
        HandOff {
            shared,
            worker: Some(worker),
        }
    }

    /// Hands one record over: `time` and `status` vary per call so that nothing is hoisted.
    pub(crate) fn submit(&self, time: i64, status: u16) {
        let mut record = Record([0; RECORD_WORDS]);
        record.0[0] = time as u64;
        record.0[1] = u64::from(status);
        if self.shared.queue.push(black_box(record)).is_err() {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// (counted by the callback, dropped), once the queue is empty.
    pub(crate) fn finish(mut self) -> (u64, u64) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(worker) = self.worker.take() {
            worker.thread().unpark();
            worker.join().expect("hand-off worker");
        }
        (
            self.shared.counted.load(Ordering::Relaxed),
            self.shared.dropped.load(Ordering::Relaxed),
        )
    }
}

fn drain(shared: &Shared) {
    let mut batch: Vec<Record> = Vec::with_capacity(MAX_BATCH);
    // Bounded: every turn either delivers a batch or parks, and `stop` ends it once empty.
    loop {
        while batch.len() < MAX_BATCH {
            match shared.queue.pop() {
                Some(record) => batch.push(record),
                None => break,
            }
        }
        if batch.is_empty() {
            if shared.stop.load(Ordering::Acquire) {
                return;
            }
            std::thread::park_timeout(IDLE_PARK);
            continue;
        }
        // The counting callback.
        shared
            .counted
            .fetch_add(black_box(&batch).len() as u64, Ordering::Relaxed);
        batch.clear();
    }
}
