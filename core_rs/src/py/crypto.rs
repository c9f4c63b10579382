//! Bindings for `crate::crypto` (Ed25519 under the fixed rule set).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use super::args::{bytes_sequence, slices};
use super::errors::MapPy;
use super::gil;
use crate::crypto::{self, BatchItem, KeyDecoding, SEED_LEN};
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
#[pyo3(signature = (public_key, message, signature, *, use_key_cache = true))]
fn ed25519_verify(py: Python<'_>, public_key: &[u8], message: &[u8], signature: &[u8], use_key_cache: bool) -> PyResult<()> {
    let keys = key_decoding(use_key_cache);
    gil::released(py, || crypto::verify_with(public_key, message, signature, keys)).map_py()
}

fn key_decoding(use_key_cache: bool) -> KeyDecoding {
    if use_key_cache {
        KeyDecoding::Cached
    } else {
        KeyDecoding::Fresh
    }
}

/// One bool per item, exactly as `ed25519_verify` would decide it. `use_key_cache=False`
/// decodes every key afresh (same verdicts; for comparisons).
#[pyfunction]
#[pyo3(signature = (public_keys, messages, signatures, *, use_key_cache = true))]
fn ed25519_verify_batch<'py>(
    py: Python<'py>,
    public_keys: &Bound<'py, PyAny>,
    messages: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
    use_key_cache: bool,
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
    let threads = crypto::batch_threads();
    let keys = key_decoding(use_key_cache);
    let results = gil::released(py, || Ok(crypto::verify_batch_with(&items, threads, keys))).map_py()?;
    PyList::new(py, results)
}

/// Cap the threads of every later batch check in this process (0 = the default:
/// `TONOMY_SIGNATURE_THREADS` if set to a positive integer, else one per core).
#[pyfunction]
fn ed25519_set_batch_threads(max_threads: usize) {
    crypto::set_batch_threads(max_threads);
}

/// The thread cap batch checks use now.
#[pyfunction]
fn ed25519_batch_threads() -> usize {
    crypto::batch_threads()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ed25519_public_key, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_sign, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify_batch, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_set_batch_threads, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_batch_threads, m)?)?;
    Ok(())
}
