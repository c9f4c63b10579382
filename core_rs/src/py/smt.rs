//! Bindings for `crate::smt`: the pure state-proof verifier and the empty root.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::MapPy;
use super::gil;
use crate::hash::Digest;
use crate::{smt, CoreError, CoreResult};

/// A 32-byte root from Python bytes.
pub fn root_arg(root: &[u8]) -> CoreResult<Digest> {
    root.try_into().map_err(|_| {
        CoreError::InvalidInput(format!("a state root is 32 bytes, got {}", root.len()))
    })
}

/// Check that under `root`, `key` holds `value` (`None`: absent); raises
/// `InvalidProofError` otherwise. Needs no store: any client can run it.
#[pyfunction]
#[pyo3(signature = (root, key, value, proof))]
fn verify_state_proof(
    py: Python<'_>,
    root: &[u8],
    key: &[u8],
    value: Option<&[u8]>,
    proof: &[u8],
) -> PyResult<()> {
    let root = root_arg(root).map_py()?;
    smt::check_key(key).map_py()?;
    gil::released(py, || smt::verify_encoded(&root, key, value, proof)).map_py()
}

/// The root of the empty state.
#[pyfunction]
fn empty_state_root(py: Python<'_>) -> Bound<'_, PyBytes> {
    PyBytes::new(py, &smt::empty_root())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_state_proof, m)?)?;
    m.add_function(wrap_pyfunction!(empty_state_root, m)?)?;
    m.add("MAX_STATE_KEY_LEN", smt::MAX_KEY_LEN)?;
    m.add("MAX_STATE_VALUE_LEN", smt::MAX_VALUE_LEN)?;
    Ok(())
}
