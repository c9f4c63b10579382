//! Bindings for `crate::crypto` (Ed25519 under the fixed rule set).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use super::args::{bytes_sequence, slices};
use super::errors::MapPy;
use super::gil;
use crate::crypto::{self, BatchItem, SEED_LEN};
use crate::{CoreError, CoreResult};

fn seed_array(seed: &[u8]) -> CoreResult<[u8; SEED_LEN]> {
    <[u8; SEED_LEN]>::try_from(seed).map_err(|_| {
        CoreError::InvalidInput(format!("a seed is {SEED_LEN} bytes, got {}", seed.len()))
    })
}

/// The 32-byte public key of a 32-byte seed.
#[pyfunction]
fn ed25519_public_key<'py>(py: Python<'py>, seed: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let seed = seed_array(seed).map_py()?;
    let key = gil::released(py, || Ok(crypto::public_key(&seed))).map_py()?;
    Ok(PyBytes::new(py, &key))
}

/// RFC 8032 deterministic signature of `message` with the key of `seed`.
#[pyfunction]
fn ed25519_sign<'py>(py: Python<'py>, seed: &[u8], message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let seed = seed_array(seed).map_py()?;
    let signature = gil::released(py, || Ok(crypto::sign(&seed, message))).map_py()?;
    Ok(PyBytes::new(py, &signature))
}

/// Returns None if valid; raises InvalidPublicKeyError / InvalidSignatureError otherwise.
#[pyfunction]
fn ed25519_verify(py: Python<'_>, public_key: &[u8], message: &[u8], signature: &[u8]) -> PyResult<()> {
    gil::released(py, || crypto::verify(public_key, message, signature)).map_py()
}

/// One bool per item, exactly as `ed25519_verify` would decide it.
#[pyfunction]
fn ed25519_verify_batch<'py>(
    py: Python<'py>,
    public_keys: &Bound<'py, PyAny>,
    messages: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let public_keys = bytes_sequence(public_keys, "public_keys")?;
    let messages = bytes_sequence(messages, "messages")?;
    let signatures = bytes_sequence(signatures, "signatures")?;
    if public_keys.len() != messages.len() || messages.len() != signatures.len() {
        return Err(CoreError::InvalidInput(format!(
            "public_keys, messages and signatures must have the same length, got {}, {} and {}",
            public_keys.len(),
            messages.len(),
            signatures.len()
        )))
        .map_py();
    }
    let (keys, msgs, sigs) = (slices(&public_keys), slices(&messages), slices(&signatures));
    let items: Vec<BatchItem<'_>> = keys
        .iter()
        .zip(&msgs)
        .zip(&sigs)
        .map(|((public_key, message), signature)| BatchItem { public_key, message, signature })
        .collect();
    let results = gil::released(py, || Ok(crypto::verify_batch(&items))).map_py()?;
    PyList::new(py, results)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ed25519_public_key, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_sign, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify_batch, m)?)?;
    Ok(())
}
