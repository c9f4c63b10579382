//! Bindings for the consensus messages of `crate::wire`: `Vote` and `Commit` (their codec
//! functions and registration live with the rest in `wire.rs`).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use super::errors::MapPy;
use super::wire::{array, short_hex, tuple_of};
use crate::wire;

// --- vote --------------------------------------------------------------------------

/// One validator's vote; ``kind`` is ``"prevote"`` or ``"precommit"``.
#[pyclass(frozen, eq, name = "Vote", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyVote(pub(super) wire::Vote);

#[pymethods]
impl PyVote {
    #[new]
    #[pyo3(signature = (kind, chain_id, height, round, block_hash, validator, signature))]
    fn new(
        kind: &str,
        chain_id: &[u8],
        height: u64,
        round: u32,
        block_hash: Option<&[u8]>,
        validator: &[u8],
        signature: &[u8],
    ) -> PyResult<Self> {
        Ok(PyVote(wire::Vote {
            kind: wire::VoteKind::parse(kind).map_py()?,
            chain_id: array("chain_id", chain_id)?,
            height,
            round,
            block_hash: block_hash.map(|h| array("block_hash", h)).transpose()?,
            validator: array("validator", validator)?,
            signature: array("signature", signature)?,
        }))
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }
    #[getter]
    fn chain_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.chain_id)
    }
    #[getter]
    fn height(&self) -> u64 {
        self.0.height
    }
    #[getter]
    fn round(&self) -> u32 {
        self.0.round
    }
    /// ``None`` for a nil vote.
    #[getter]
    fn block_hash<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.0.block_hash.map(|h| PyBytes::new(py, &h))
    }
    #[getter]
    fn validator<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.validator)
    }
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.signature)
    }
    /// The digest ``signature`` signs.
    #[getter]
    fn signing_digest<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.signing_digest())
    }
    fn __repr__(&self) -> String {
        let target = self
            .0
            .block_hash
            .map_or_else(|| "nil".to_string(), |h| short_hex(&h));
        format!(
            "Vote({} h={} r={} {} by {})",
            self.0.kind.as_str(),
            self.0.height,
            self.0.round,
            target,
            short_hex(&self.0.validator)
        )
    }
}

/// Precommits that finalize one block, sorted by validator key.
#[pyclass(frozen, eq, name = "Commit", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyCommit(pub(super) wire::Commit);

#[pymethods]
impl PyCommit {
    #[new]
    #[pyo3(signature = (votes = Vec::new()))]
    fn new(votes: Vec<Bound<'_, PyVote>>) -> Self {
        PyCommit(wire::Commit {
            votes: votes.iter().map(|v| v.get().0.clone()).collect(),
        })
    }
    #[getter]
    fn votes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple_of(py, &self.0.votes, PyVote)
    }
    fn __repr__(&self) -> String {
        format!("Commit(votes={})", self.0.votes.len())
    }
}
