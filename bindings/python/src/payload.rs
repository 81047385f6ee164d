//! The arguments of `WebhookVerifier.verify_payload`: a raw body and the header container a
//! framework hands a handler, converted for the core without building a `Request`.
//!
//! Only the fields whose name the scheme reads are kept (names compared ASCII
//! case-insensitively); their names are handed on as the scheme's own lower-case
//! `&'static str` (the core compares names case-insensitively: the same field). The values of
//! the other fields are not looked at. Text is read in place: a `str`'s own UTF-8 (abi3 3.10+),
//! a `bytes` object's buffer; only mutable buffers are copied.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString};

use crate::convert::{header_pair, type_name};

/// Bytes the core reads, held by a strong reference to an immutable object (a `str`, a
/// `bytes`) or a copy: alive and unchanged while the GIL is released.
pub enum Held {
    Text(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Held {
    /// The bytes (a `str`'s UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Held::Text(text) => text.as_bytes(),
            Held::Bytes(bytes) => bytes,
        }
    }

    /// A `str` (its UTF-8) or a `bytes`, held without a copy; `None` for any other type. A
    /// `str` holding a lone surrogate raises `UnicodeEncodeError`.
    fn in_place(obj: &Bound<'_, PyAny>) -> Option<PyResult<Self>> {
        if let Ok(text) = obj.cast::<PyString>() {
            Some(PyBackedStr::try_from(text.clone()).map(Held::Text))
        } else {
            obj.cast::<PyBytes>()
                .ok()
                .map(|bytes| Ok(Held::Bytes(bytes.clone().into())))
        }
    }

    /// A `str` or `bytes` (what `Request` takes as a header value), else a `TypeError` naming
    /// `what`.
    fn str_or_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Self> {
        Held::in_place(obj).unwrap_or_else(|| {
            Err(PyTypeError::new_err(format!(
                "{what} must be str or bytes, not {}",
                type_name(obj)
            )))
        })
    }
}

/// A body: `bytes` read in place, `str` as its UTF-8, a `bytearray`, `memoryview` or any other
/// buffer copied (its owner could change it while the GIL is released).
pub fn body(obj: &Bound<'_, PyAny>) -> PyResult<Held> {
    if let Some(held) = Held::in_place(obj) {
        return held;
    }
    if let Ok(array) = obj.cast::<PyByteArray>() {
        return Ok(Held::Bytes(array.clone().into()));
    }
    // Any other object that exports a buffer (`memoryview`, `array`, `mmap`, ...), copied once.
    // `bytes(obj)` alone would also take an int or an iterable of ints, which are no body.
    let py = obj.py();
    let view = PyMemoryView::from(obj).map_err(|err| {
        if err.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(format!(
                "body must be bytes, bytearray, memoryview or str, not {}",
                type_name(obj)
            ))
        } else {
            err
        }
    })?;
    let copy = view
        .call_method0(intern!(py, "tobytes"))?
        .cast_into::<PyBytes>()?;
    view.call_method0(intern!(py, "release"))?;
    Ok(Held::Bytes(copy.into()))
}

/// One selected field: the scheme's name for it and its value.
type Field = (&'static str, Held);

/// The fields of a header container that a scheme reads, in order, repeats kept.
pub struct Fields(Vec<Field>);

impl Fields {
    /// The fields of `headers` whose name is one of `names` (lower case, ASCII). `headers` is a
    /// `dict`, any other object with `.items()` (a `Mapping`; a multi-dict whose `.items()`
    /// yields every repeated field) or an iterable of `(name, value)` tuples. Names must be
    /// `str`; the values kept, `str` or `bytes`.
    pub fn select(headers: &Bound<'_, PyAny>, names: &'static [&'static str]) -> PyResult<Self> {
        let mut fields = Fields(Vec::with_capacity(names.len()));
        // A plain dict is walked directly; a subclass may keep its fields otherwise (a
        // multi-dict holding lists) and goes through its `.items()`.
        if let Ok(dict) = headers.cast_exact::<PyDict>() {
            for (name, value) in dict.iter() {
                fields.consider(&name, &value, names)?;
            }
            return Ok(fields);
        }
        if headers.is_instance_of::<PyString>() || headers.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "headers must be a mapping or an iterable of (name, value) pairs",
            ));
        }
        let items = intern!(headers.py(), "items");
        let pairs = if headers.hasattr(items)? {
            headers.call_method0(items)?
        } else {
            headers.clone()
        };
        for item in pairs.try_iter()? {
            let (name, value) = header_pair(&item?)?;
            fields.consider(&name, &value, names)?;
        }
        Ok(fields)
    }

    /// Keeps the field if its name is one of `names`.
    fn consider(
        &mut self,
        name: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        names: &'static [&'static str],
    ) -> PyResult<()> {
        let name = name.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!("header name must be str, not {}", type_name(name)))
        })?;
        // The name's own UTF-8, borrowed (abi3 3.10+): no allocation.
        let name = name.to_cow()?;
        let Some(known) = names.iter().find(|n| n.eq_ignore_ascii_case(&name)) else {
            return Ok(());
        };
        self.0
            .push((*known, Held::str_or_bytes(value, "header value")?));
        Ok(())
    }

    /// Calls `f` with the fields as the core takes them (borrowed from the held objects); up
    /// to `STACK_FIELDS` of them on the stack.
    pub fn with_pairs<R>(&self, f: impl FnOnce(&[(&str, &[u8])]) -> R) -> R {
        const STACK_FIELDS: usize = 8;
        fn pair((name, value): &Field) -> (&'static str, &[u8]) {
            (name, value.as_bytes())
        }
        if self.0.len() <= STACK_FIELDS {
            let mut pairs: [(&str, &[u8]); STACK_FIELDS] = [("", &[]); STACK_FIELDS];
            for (slot, field) in pairs.iter_mut().zip(&self.0) {
                *slot = pair(field);
            }
            f(&pairs[..self.0.len()])
        } else {
            f(&self.0.iter().map(pair).collect::<Vec<_>>())
        }
    }
}
