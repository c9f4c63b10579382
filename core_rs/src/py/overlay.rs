//! Bindings for `crate::overlay`: the `StateOverlay` class over a `Store`.
//!
//! Reads that reach LMDB (`get`, `range`) run without the GIL; a read the overlay
//! answers itself (a pending write, a remembered committed value), writes and
//! checkpoints only touch in-memory maps and keep it.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use super::codec::decode_slice;
use super::errors::MapPy;
use super::gil;
use super::store::PyStore;
use crate::overlay::Overlay;

/// Pending writes of a block over a store's latest state, with nested checkpoints.
#[pyclass(name = "StateOverlay", module = "tonomy._core")]
pub struct PyStateOverlay {
    store: Py<PyStore>,
    overlay: Overlay,
}

#[pymethods]
impl PyStateOverlay {
    /// `remember_reads`: keep every committed value read for the overlay's life (only
    /// for an overlay the store is not committed under while it lives); `watch`: a key
    /// prefix whose changes `watched_changes` counts.
    #[new]
    #[pyo3(signature = (store, *, remember_reads = false, watch = None))]
    fn new(store: Py<PyStore>, remember_reads: bool, watch: Option<&[u8]>) -> Self {
        let overlay = if remember_reads {
            Overlay::remembering_reads()
        } else {
            Overlay::new()
        };
        PyStateOverlay {
            store,
            overlay: match watch {
                Some(prefix) => overlay.watch(prefix),
                None => overlay,
            },
        }
    }

    /// The watched key prefix, or None.
    #[getter]
    fn watch<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.overlay
            .watched()
            .map(|prefix| PyBytes::new(py, prefix))
    }

    /// Writes and deletions of watched keys so far, plus rollbacks that undid one.
    #[getter]
    fn watched_changes(&self) -> u64 {
        self.overlay.watched_changes()
    }

    /// The value of `key` (pending first, then committed), or None.
    fn get<'py>(slf: &Bound<'py, Self>, key: &[u8]) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let py = slf.py();
        let this = slf.borrow();
        if let Some(entry) = this.overlay.local(key).map_py()? {
            return Ok(entry.map(|v| PyBytes::new(py, v)));
        }
        let store = this.store.get().inner();
        let overlay = &this.overlay;
        let value = gil::released(py, || overlay.get(store, key)).map_py()?;
        let remember = overlay.remembers_reads();
        drop(this);
        if remember {
            slf.borrow_mut().overlay.remember(key, value.as_deref());
        }
        Ok(value.map(|v| PyBytes::new(py, &v)))
    }

    /// The record stored at `key` (its canonical-codec value), or None when absent: `get`
    /// and `codec_decode` in one call, with no bytes object in between.
    fn get_record<'py>(slf: &Bound<'py, Self>, key: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = slf.py();
        {
            let this = slf.borrow();
            if let Some(entry) = this.overlay.local(key).map_py()? {
                return entry.map(|raw| decode_slice(py, raw)).transpose();
            }
        }
        let raw = Self::get(slf, key)?;
        raw.map(|raw| decode_slice(py, raw.as_bytes())).transpose()
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> PyResult<()> {
        gil::guarded(|| self.overlay.put(key, value)).map_py()
    }

    /// Delete `key` (deleting a missing key is not an error).
    fn delete(&mut self, key: &[u8]) -> PyResult<()> {
        gil::guarded(|| self.overlay.delete(key)).map_py()
    }

    /// Up to `limit` merged `(key, value)` pairs with `start <= key < end`, in key order.
    #[pyo3(signature = (start = None, end = None, limit = 1000))]
    fn range<'py>(
        &self,
        py: Python<'py>,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let store = self.store.get().inner();
        let overlay = &self.overlay;
        let rows = gil::released(py, || {
            overlay.range(store, start.unwrap_or_default(), end, limit)
        })
        .map_py()?;
        let items: Vec<Bound<'py, PyTuple>> = rows
            .iter()
            .map(|(k, v)| PyTuple::new(py, [PyBytes::new(py, k), PyBytes::new(py, v)]))
            .collect::<PyResult<_>>()?;
        PyList::new(py, items)
    }

    /// Open a checkpoint; returns the depth (1 for the outermost).
    fn checkpoint(&mut self) -> usize {
        self.overlay.checkpoint()
    }

    /// Undo the writes since the innermost open checkpoint, and close it.
    fn rollback(&mut self) -> PyResult<()> {
        gil::guarded(|| self.overlay.rollback()).map_py()
    }

    /// Keep the writes since the innermost open checkpoint, and close it.
    fn release(&mut self) -> PyResult<()> {
        gil::guarded(|| self.overlay.release()).map_py()
    }

    #[getter]
    fn depth(&self) -> usize {
        self.overlay.depth()
    }

    /// Every pending entry in key order (`None` deletes), for `Store.commit`.
    fn write_set<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = gil::guarded(|| self.overlay.write_set()).map_py()?;
        let items: Vec<Bound<'py, PyTuple>> = rows
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Some(v) => PyBytes::new(py, v).into_any(),
                    None => py.None().into_bound(py),
                };
                PyTuple::new(py, [PyBytes::new(py, k).into_any(), value])
            })
            .collect::<PyResult<_>>()?;
        PyList::new(py, items)
    }

    fn __len__(&self) -> usize {
        self.overlay.len()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStateOverlay>()?;
    Ok(())
}
