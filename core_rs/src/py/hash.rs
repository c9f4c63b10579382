//! Bindings for `crate::hash`.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::MapPy;
use super::gil;
use crate::hash;

/// Inputs above this size are hashed without the GIL.
const RELEASE_GIL_ABOVE: usize = 64 * 1024;

/// `blake3(tag ‖ 0x00 ‖ data)`: the protocol's domain-separated hash.
#[pyfunction]
fn hash_tagged<'py>(py: Python<'py>, tag: &str, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let digest = if data.len() > RELEASE_GIL_ABOVE {
        gil::released(py, || hash::hash_tagged(tag, &[data]))
    } else {
        hash::hash_tagged(tag, &[data])
    }
    .map_py()?;
    Ok(PyBytes::new(py, &digest))
}

/// Plain BLAKE3 of `data` (content addressing).
#[pyfunction]
fn hash_plain<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let digest = if data.len() > RELEASE_GIL_ABOVE {
        gil::released(py, || Ok(hash::hash_plain(data))).map_py()?
    } else {
        hash::hash_plain(data)
    };
    Ok(PyBytes::new(py, &digest))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hash_tagged, m)?)?;
    m.add_function(wrap_pyfunction!(hash_plain, m)?)?;
    Ok(())
}
