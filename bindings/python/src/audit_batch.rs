//! `portcullis.AuditBatch`: one batch of the core's audit events, handed to an
//! `audit_batch=` callable in one call. Its `AuditEvent`s are made only when they are read, so
//! a callable that only counts (`len(batch)`) makes no Python object per event.

use std::sync::Arc;

use portcullis::gate::audit::AuditEvent;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PySlice};

use crate::audit::PyAuditEvent;
use crate::convert::type_name;

/// A read-only sequence of `AuditEvent`s: `len`, indexes (negative ones count from the end),
/// slices (another `AuditBatch` over the same events) and iteration.
#[pyclass(
    module = "portcullis._portcullis",
    name = "AuditBatch",
    frozen,
    sequence
)]
pub struct PyAuditBatch {
    // The core lends its batch only for the call; the events are plain data, so one copy into
    // a shared block (made before the GIL is taken) keeps them for as long as the callable
    // holds the batch or a slice of it.
    events: Arc<[AuditEvent]>,
    // Which of `events` this batch shows: `len` of them from `start`, `step` apart (as a
    // `range`), so that a slice shares the events instead of copying them.
    start: usize,
    step: isize,
    len: usize,
}

impl PyAuditBatch {
    pub fn new(events: Arc<[AuditEvent]>) -> Self {
        PyAuditBatch {
            len: events.len(),
            events,
            start: 0,
            step: 1,
        }
    }

    /// The event at position `i` (< `len`) of this batch.
    fn event(&self, i: usize) -> PyAuditEvent {
        // `start + i * step` stays within `events`: slices are only made from `PySlice::indices`.
        let at = self.start as isize + i as isize * self.step;
        PyAuditEvent::from(self.events[at as usize].clone())
    }

    fn slice(&self, slice: &Bound<'_, PySlice>) -> PyResult<PyAuditBatch> {
        let len = isize::try_from(self.len).unwrap_or(isize::MAX);
        let s = slice.indices(len)?;
        let start = if s.slicelength == 0 {
            self.start as isize
        } else {
            self.start as isize + s.start * self.step
        };
        Ok(PyAuditBatch {
            events: Arc::clone(&self.events),
            start: start as usize,
            step: self.step * s.step,
            len: s.slicelength,
        })
    }
}

#[pymethods]
impl PyAuditBatch {
    fn __len__(&self) -> usize {
        self.len
    }

    /// The event at `index` (a new `AuditEvent` on each read), or the slice's events as another
    /// batch.
    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(slice) = index.cast::<PySlice>() {
            return Ok(Py::new(py, self.slice(slice)?)?.into_any());
        }
        let out_of_range = || PyIndexError::new_err("AuditBatch index out of range");
        let i = match index.extract::<isize>() {
            Ok(i) => i,
            // An integer too large for an index is out of range, as for a list.
            Err(_) if index.is_instance_of::<PyInt>() => return Err(out_of_range()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "AuditBatch indices must be integers or slices, not {}",
                    type_name(index)
                )))
            }
        };
        let len = isize::try_from(self.len).unwrap_or(isize::MAX);
        let i = if i < 0 { i + len } else { i };
        if !(0..len).contains(&i) {
            return Err(out_of_range());
        }
        Ok(Py::new(py, self.event(i as usize))?.into_any())
    }

    fn __iter__(slf: Bound<'_, Self>) -> AuditBatchIter {
        AuditBatchIter {
            batch: slf.unbind(),
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn __repr__(&self) -> String {
        format!("AuditBatch(len={})", self.len)
    }
}

/// The iterator of an `AuditBatch` (not exported: `iter(batch)` makes it).
#[pyclass(module = "portcullis._portcullis", name = "AuditBatchIterator", frozen)]
pub struct AuditBatchIter {
    batch: Py<PyAuditBatch>,
    next: std::sync::atomic::AtomicUsize,
}

#[pymethods]
impl AuditBatchIter {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self) -> Option<PyAuditEvent> {
        use std::sync::atomic::Ordering;
        let batch = self.batch.get();
        // Two threads sharing one iterator each get distinct events, as with a list's.
        let i = self
            .next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |i| {
                (i < batch.len).then_some(i + 1)
            })
            .ok()?;
        Some(batch.event(i))
    }
}
