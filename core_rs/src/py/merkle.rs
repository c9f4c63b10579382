//! Bindings for `crate::merkle`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use super::args::{bytes_sequence, slices, u64_arg};
use super::errors::MapPy;
use super::gil;
use crate::hash::Digest;
use crate::merkle;
use crate::CoreError;

/// Lists with at least this many leaves are hashed without the GIL.
const RELEASE_GIL_FROM_LEAVES: usize = 16;
/// A verified leaf this large is hashed without the GIL.
const RELEASE_GIL_FROM_LEAF_BYTES: usize = 64 * 1024;

/// The Merkle root of an ordered list of byte strings.
#[pyfunction]
fn merkle_root<'py>(py: Python<'py>, leaves: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let owned = bytes_sequence(leaves, "leaves")?;
    let leaves = slices(&owned);
    let root = if leaves.len() >= RELEASE_GIL_FROM_LEAVES {
        gil::released(py, || Ok(merkle::root(&leaves))).map_py()?
    } else {
        merkle::root(&leaves)
    };
    Ok(PyBytes::new(py, &root))
}

/// The inclusion proof of `leaves[index]`, from the leaf's sibling up.
#[pyfunction]
fn merkle_proof<'py>(
    py: Python<'py>,
    leaves: &Bound<'py, PyAny>,
    index: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let owned = bytes_sequence(leaves, "leaves")?;
    let leaves = slices(&owned);
    let index = u64_arg(index, "index", CoreError::InvalidInput)?;
    let index = usize::try_from(index)
        .map_err(|_| CoreError::InvalidInput(format!("index {index} is too large")))
        .map_py()?;
    let path = if leaves.len() >= RELEASE_GIL_FROM_LEAVES {
        gil::released(py, || merkle::proof(&leaves, index))
    } else {
        merkle::proof(&leaves, index)
    }
    .map_py()?;
    PyList::new(py, path.iter().map(|hash| PyBytes::new(py, hash)))
}

/// Returns None if `leaf` is at `index` of `count` under `root`; raises InvalidProofError.
#[pyfunction]
fn merkle_verify(
    py: Python<'_>,
    root: &[u8],
    leaf: &[u8],
    index: &Bound<'_, PyAny>,
    count: &Bound<'_, PyAny>,
    proof: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let root = Digest::try_from(root)
        .map_err(|_| CoreError::InvalidInput(format!("a root is 32 bytes, got {}", root.len())))
        .map_py()?;
    let index = u64_arg(index, "index", CoreError::InvalidProof)?;
    let count = u64_arg(count, "count", CoreError::InvalidProof)?;
    let elements = bytes_sequence(proof, "proof")?;
    if elements.len() > 64 {
        return Err(CoreError::InvalidProof(format!(
            "a proof has at most 64 hashes, got {}",
            elements.len()
        )))
        .map_py();
    }
    let mut path = Vec::with_capacity(elements.len());
    for (position, element) in slices(&elements).into_iter().enumerate() {
        let hash = Digest::try_from(element)
            .map_err(|_| {
                CoreError::InvalidProof(format!("proof[{position}] is {} bytes, not 32", element.len()))
            })
            .map_py()?;
        path.push(hash);
    }
    if leaf.len() > RELEASE_GIL_FROM_LEAF_BYTES {
        gil::released(py, || merkle::verify(&root, leaf, index, count, &path))
    } else {
        merkle::verify(&root, leaf, index, count, &path)
    }
    .map_py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(merkle_root, m)?)?;
    m.add_function(wrap_pyfunction!(merkle_proof, m)?)?;
    m.add_function(wrap_pyfunction!(merkle_verify, m)?)?;
    Ok(())
}
