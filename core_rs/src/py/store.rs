//! Bindings for `crate::store`: the `Store` class.
//!
//! Batches cross the boundary without copies: the bindings keep the Python `bytes`
//! objects alive and hand their buffers to the core, which runs with the GIL released.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};

use super::errors::{to_py, MapPy};
use super::gil;
use crate::store::{AuxWrite, Store, StoreOptions};
use crate::CoreError;

/// An LMDB data directory holding the authenticated state, its history and the ledger's
/// auxiliary tables. Safe to share between threads.
#[pyclass(frozen, name = "Store", module = "tonomy._core")]
pub struct PyStore {
    store: Store,
}

type Owned<'py> = Bound<'py, PyBytes>;

impl PyStore {
    /// The store itself, for other bindings that read it (the write overlay).
    pub(crate) fn inner(&self) -> &Store {
        &self.store
    }
}

#[pymethods]
impl PyStore {
    #[new]
    #[pyo3(signature = (path, *, map_size = None, max_map_size = None, max_readers = None, durable = true, keep_versions = None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        map_size: Option<usize>,
        max_map_size: Option<usize>,
        max_readers: Option<u32>,
        durable: bool,
        keep_versions: Option<u64>,
    ) -> PyResult<Self> {
        let defaults = StoreOptions::default();
        let map_size = map_size.unwrap_or(defaults.map_size);
        let options = StoreOptions {
            map_size,
            max_map_size: max_map_size.unwrap_or(defaults.max_map_size.max(map_size)),
            max_readers: max_readers.unwrap_or(defaults.max_readers),
            durable,
            keep_versions,
        };
        let store = gil::released(py, || Store::open(&path, options)).map_py()?;
        Ok(PyStore { store })
    }

    /// Commit `writes` (key → value, or None to delete) and `aux` writes
    /// ((table, key, value or None), applied in order) as `version`, atomically and
    /// durably; returns the new state root.
    #[pyo3(signature = (version, writes, aux = None))]
    fn commit<'py>(
        &self,
        py: Python<'py>,
        version: &Bound<'py, PyAny>,
        writes: &Bound<'py, PyAny>,
        aux: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let version = version_arg(version)?;
        let state = state_writes(writes)?;
        let aux = match aux {
            Some(aux) if !aux.is_none() => aux_writes(aux)?,
            _ => Vec::new(),
        };
        let state_slices: Vec<_> = state
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_ref().map(|b| b.as_bytes())))
            .collect();
        let aux_slices: Vec<AuxWrite> = aux
            .iter()
            .map(|(t, k, v)| (t.as_str(), k.as_bytes(), v.as_ref().map(|b| b.as_bytes())))
            .collect();
        let root = gil::released(py, || {
            self.store.commit(version, &state_slices, &aux_slices)
        })
        .map_py()?;
        Ok(PyBytes::new(py, &root))
    }

    /// The root that `commit(version, writes)` would return, computed without writing.
    fn preview_root<'py>(
        &self,
        py: Python<'py>,
        version: &Bound<'py, PyAny>,
        writes: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let version = version_arg(version)?;
        let state = state_writes(writes)?;
        let state_slices: Vec<_> = state.iter().map(|(k, v)| (k.as_bytes(), v.as_ref().map(|b| b.as_bytes()))).collect();
        let root = gil::released(py, || self.store.preview_root(version, &state_slices)).map_py()?;
        Ok(PyBytes::new(py, &root))
    }

    /// The value of `key` at `version` (latest when None), or None if absent.
    #[pyo3(signature = (key, version = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &[u8],
        version: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let version = opt_version(version)?;
        let value = gil::guarded(|| self.store.get(key, version)).map_py()?; // a point read: see overlay.rs `get`
        Ok(value.map(|v| PyBytes::new(py, &v)))
    }

    /// `(value or None, proof)` for `key` at `version` (latest when None); check it with
    /// `verify_state_proof(store.root(version), key, value, proof)`.
    #[pyo3(signature = (key, version = None))]
    fn get_with_proof<'py>(
        &self,
        py: Python<'py>,
        key: &[u8],
        version: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Option<Bound<'py, PyBytes>>, Bound<'py, PyBytes>)> {
        let version = opt_version(version)?;
        let (value, proof) = gil::released(py, || {
            let (value, proof) = self.store.get_with_proof(key, version)?;
            Ok((value, proof.encode()))
        })
        .map_py()?;
        Ok((
            value.map(|v| PyBytes::new(py, &v)),
            PyBytes::new(py, &proof),
        ))
    }

    /// The state root at `version` (latest when None; the empty root for a fresh store).
    #[pyo3(signature = (version = None))]
    fn root<'py>(
        &self,
        py: Python<'py>,
        version: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let version = opt_version(version)?;
        let root = gil::released(py, || self.store.root(version)).map_py()?;
        Ok(PyBytes::new(py, &root))
    }

    /// The latest committed version, or None for a fresh store.
    fn latest_version(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        gil::released(py, || self.store.latest_version()).map_py()
    }

    /// The value under `key` in the aux table `table`, or None.
    fn aux_get<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        key: &[u8],
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let value = gil::guarded(|| self.store.aux_get(table, key)).map_py()?; // a point read: see overlay.rs `get`
        Ok(value.map(|v| PyBytes::new(py, &v)))
    }

    /// Up to `limit` `(key, value)` pairs of `table` with `start <= key < end`
    /// (`start=None`: from the first key, `end=None`: to the last), in key order.
    #[pyo3(signature = (table, start = None, end = None, limit = 1000))]
    fn aux_range<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let rows = gil::released(py, || {
            self.store
                .aux_range(table, start.unwrap_or_default(), end, limit)
        })
        .map_py()?;
        let items: Vec<Bound<'py, PyTuple>> = rows
            .iter()
            .map(|(k, v)| PyTuple::new(py, [PyBytes::new(py, k), PyBytes::new(py, v)]))
            .collect::<PyResult<_>>()?;
        PyList::new(py, items)
    }

    /// Up to `limit` latest state `(key, value)` pairs with `start <= key < end`
    /// (`end=None`: to the last key), in key order.
    #[pyo3(signature = (start = None, end = None, limit = 1000))]
    fn range<'py>(
        &self,
        py: Python<'py>,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let rows = gil::released(py, || self.store.range(start.unwrap_or_default(), end, limit)).map_py()?;
        let items: Vec<Bound<'py, PyTuple>> = rows
            .iter()
            .map(|(k, v)| PyTuple::new(py, [PyBytes::new(py, k), PyBytes::new(py, v)]))
            .collect::<PyResult<_>>()?;
        PyList::new(py, items)
    }

    /// Forget versions before `keep_from_version`; returns the number of nodes deleted.
    fn prune(&self, py: Python<'_>, keep_from_version: &Bound<'_, PyAny>) -> PyResult<u64> {
        let keep_from = version_arg(keep_from_version)?;
        gil::released(py, || self.store.prune(keep_from)).map_py()
    }

    /// Current size of the LMDB memory map, in bytes (it grows when full).
    fn map_size(&self) -> PyResult<usize> {
        self.store.map_size().map_py()
    }

    /// Close the data directory once running calls finish; idempotent.
    fn close(&self, py: Python<'_>) {
        py.allow_threads(|| self.store.close());
    }

    #[getter]
    fn closed(&self) -> bool {
        self.store.is_closed()
    }

    #[getter]
    fn path(&self) -> String {
        self.store.path().to_string_lossy().into_owned()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (exc_type, exc, tb))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc: Option<&Bound<'_, PyAny>>,
        tb: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        let _ = (exc_type, exc, tb);
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        let state = if self.store.is_closed() {
            "closed"
        } else {
            "open"
        };
        format!("Store({:?}, {state})", self.store.path())
    }
}

/// A version: a non-negative int below 2**64 (bool is refused).
fn version_arg(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err("a version must be an int"));
    }
    obj.extract::<u64>().map_err(|_| {
        to_py(CoreError::InvalidInput(
            "a version must be 0 to 2**64 - 1".into(),
        ))
    })
}

fn opt_version(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    match obj {
        Some(obj) if !obj.is_none() => version_arg(obj).map(Some),
        _ => Ok(None),
    }
}

fn bytes_arg<'py>(obj: Bound<'py, PyAny>, what: &str) -> PyResult<Owned<'py>> {
    obj.downcast_into::<PyBytes>().map_err(|e| {
        PyTypeError::new_err(format!(
            "{what} must be bytes, not {}",
            type_name(e.into_inner().as_any())
        ))
    })
}

fn opt_bytes_arg<'py>(obj: Bound<'py, PyAny>, what: &str) -> PyResult<Option<Owned<'py>>> {
    if obj.is_none() {
        Ok(None)
    } else {
        bytes_arg(obj, what).map(Some)
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `writes`: a dict of key → value-or-None, or an iterable of `(key, value-or-None)`.
fn state_writes<'py>(
    writes: &Bound<'py, PyAny>,
) -> PyResult<Vec<(Owned<'py>, Option<Owned<'py>>)>> {
    let mut out = Vec::new();
    if let Ok(dict) = writes.downcast::<PyDict>() {
        out.reserve(dict.len());
        for (key, value) in dict.iter() {
            out.push((
                bytes_arg(key, "a state key")?,
                opt_bytes_arg(value, "a state value")?,
            ));
        }
        return Ok(out);
    }
    if writes.is_instance_of::<PyBytes>() || writes.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "writes must be a dict or an iterable of (key, value) pairs",
        ));
    }
    for item in writes.try_iter()? {
        let item = item?;
        let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item
            .extract()
            .map_err(|_| PyTypeError::new_err("each write must be a (key, value-or-None) pair"))?;
        out.push((
            bytes_arg(key, "a state key")?,
            opt_bytes_arg(value, "a state value")?,
        ));
    }
    Ok(out)
}

/// `aux`: an iterable of `(table, key, value-or-None)`.
fn aux_writes<'py>(
    aux: &Bound<'py, PyAny>,
) -> PyResult<Vec<(String, Owned<'py>, Option<Owned<'py>>)>> {
    if aux.is_instance_of::<PyBytes>()
        || aux.is_instance_of::<PyString>()
        || aux.is_instance_of::<PyDict>()
    {
        return Err(PyTypeError::new_err(
            "aux must be an iterable of (table, key, value) triples",
        ));
    }
    let mut out = Vec::new();
    for item in aux.try_iter()? {
        let item = item?;
        let (table, key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>) =
            item.extract().map_err(|_| {
                PyTypeError::new_err("each aux write must be a (table, key, value-or-None) triple")
            })?;
        let table: String = table
            .downcast_into::<PyString>()
            .map_err(|_| PyTypeError::new_err("an aux table name must be a str"))?
            .to_str()?
            .to_owned();
        out.push((
            table,
            bytes_arg(key, "an aux key")?,
            opt_bytes_arg(value, "an aux value")?,
        ));
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStore>()?;
    m.add("AUX_TABLES", crate::store::AUX_TABLES.to_vec())?;
    Ok(())
}
