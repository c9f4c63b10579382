//! Argument helpers shared by the bindings: sequences of `bytes`, and integers that
//! hostile callers may pass out of range.

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::CoreError;

/// Collect a sequence (any iterable) of `bytes` objects. Only immutable `bytes` are taken,
/// so the slices stay valid and unchanged while the GIL is released. A lone `bytes` or
/// `str` is refused rather than iterated.
pub fn bytes_sequence<'py>(value: &Bound<'py, PyAny>, name: &str) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a sequence of bytes, not a single {}",
            value.get_type().name()?
        )));
    }
    let mut out = Vec::new();
    for (position, item) in value.try_iter()?.enumerate() {
        let item = item?;
        let bytes = item.downcast_into::<PyBytes>().map_err(|err| {
            let got = err
                .into_inner()
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "?".into());
            PyTypeError::new_err(format!("{name}[{position}] must be bytes, got {got}"))
        })?;
        out.push(bytes);
    }
    Ok(out)
}

/// Borrow the contents of collected `bytes` objects.
pub fn slices<'a>(items: &'a [Bound<'_, PyBytes>]) -> Vec<&'a [u8]> {
    items.iter().map(|item| item.as_bytes()).collect()
}

/// An unsigned 64-bit integer argument; an `int` out of range becomes `out_of_range`
/// (a coded error) instead of a bare `OverflowError`.
pub fn u64_arg(
    value: &Bound<'_, PyAny>,
    name: &str,
    out_of_range: fn(String) -> CoreError,
) -> PyResult<u64> {
    match value.extract::<u64>() {
        Ok(number) => Ok(number),
        Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => Err(super::errors::to_py(
            out_of_range(format!("{name} must be between 0 and 2^64 - 1")),
        )),
        Err(err) => Err(err),
    }
}
