//! Bindings for `crate::overlay`: the `StateOverlay` class over a `Store`.
//!
//! Reads that reach LMDB (`get`, `range`) run without the GIL; a read the overlay
//! answers itself (a pending write, a remembered committed value), writes and
//! checkpoints only touch in-memory maps and keep it.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use super::codec::{decode_slice, encode_value, type_name};
use super::errors::{to_py_detail, MapPy};
use super::gil;
use super::store::PyStore;
use crate::overlay::meter::Meter;
use crate::overlay::namespace::Namespace;
use crate::overlay::Overlay;
use crate::CoreError;

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
        // A point read from the memory map takes well under a microsecond: releasing the
        // GIL for it would hand the GIL to a busy thread and wait for it back (up to the
        // interpreter's switch interval), a cost in latency far above the read's own.
        let value = gil::guarded(|| overlay.get(store, key)).map_py()?;
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

/// One transaction's meter: state operations and bytes written, with their limits.
/// Shared by the plugin states and the host's own metered reads of that transaction.
#[pyclass(name = "Meter", module = "tonomy._core")]
pub struct PyMeter {
    meter: Meter,
    /// The limits object it was made from (read once: `ResourceLimits` is frozen).
    limits: Py<PyAny>,
}

impl PyMeter {
    fn charge_op(slf: &Bound<'_, Self>) -> PyResult<()> {
        slf.borrow_mut().meter.charge_op().map_err(to_py_detail)
    }

    fn charge_write(slf: &Bound<'_, Self>, size: usize) -> PyResult<()> {
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        Self::charge_bytes(slf, size)
    }

    fn charge_bytes(slf: &Bound<'_, Self>, size: u64) -> PyResult<()> {
        slf.borrow_mut()
            .meter
            .charge_write(size)
            .map_err(to_py_detail)
    }
}

/// An int from 0 to 2**64-1, or InvalidInputError naming `what`.
fn count(value: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    value.extract::<u64>().map_err(|_| {
        to_py_detail(CoreError::InvalidInput(format!(
            "{what} is an int from 0 to 2**64-1, got {}",
            type_name(value)
        )))
    })
}

/// `limits.<name>` as a count; `key` is `name` interned (read once per transaction).
fn limit(limits: &Bound<'_, PyAny>, key: &Bound<'_, PyString>, name: &str) -> PyResult<u64> {
    let value = limits.getattr(key).map_err(|_| {
        to_py_detail(CoreError::InvalidInput(format!(
            "a meter's limits need {name}"
        )))
    })?;
    count(&value, name)
}

#[pymethods]
impl PyMeter {
    #[new]
    #[pyo3(signature = (limits, state_ops = None, bytes_written = None))]
    fn new(
        limits: &Bound<'_, PyAny>,
        state_ops: Option<&Bound<'_, PyAny>>,
        bytes_written: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut meter = Meter::new(
            limit(
                limits,
                intern!(limits.py(), "max_state_ops"),
                "max_state_ops",
            )?,
            limit(
                limits,
                intern!(limits.py(), "max_bytes_written"),
                "max_bytes_written",
            )?,
        );
        if let Some(ops) = state_ops {
            meter.set_ops(count(ops, "state_ops")?);
        }
        if let Some(bytes) = bytes_written {
            meter.set_bytes(count(bytes, "bytes_written")?);
        }
        Ok(PyMeter {
            meter,
            limits: limits.clone().unbind(),
        })
    }

    #[getter]
    fn limits(&self, py: Python<'_>) -> Py<PyAny> {
        self.limits.clone_ref(py)
    }

    #[getter]
    fn get_state_ops(&self) -> u64 {
        self.meter.ops()
    }

    #[setter]
    fn set_state_ops(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.meter.set_ops(count(value, "state_ops")?);
        Ok(())
    }

    #[getter]
    fn get_bytes_written(&self) -> u64 {
        self.meter.bytes()
    }

    #[setter]
    fn set_bytes_written(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.meter.set_bytes(count(value, "bytes_written")?);
        Ok(())
    }

    /// Count one state operation (ResourceLimitError past the limit; it stays counted).
    #[pyo3(name = "charge_op")]
    fn py_charge_op(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::charge_op(slf)
    }

    /// Count one write of `size` bytes: an operation, then its bytes.
    #[pyo3(name = "charge_write")]
    fn py_charge_write(slf: &Bound<'_, Self>, size: &Bound<'_, PyAny>) -> PyResult<()> {
        Self::charge_bytes(slf, count(size, "a write's size")?)
    }

    /// Raise the refusal of an operation past the limit.
    fn refuse_ops(&self) -> PyResult<()> {
        Err(to_py_detail(self.meter.ops_refusal()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Meter(state_ops={}, bytes_written={}, max_state_ops={}, max_bytes_written={})",
            self.meter.ops(),
            self.meter.bytes(),
            self.meter.max_ops(),
            self.meter.max_bytes()
        )
    }
}

/// A plugin's metered view of a write overlay: its own key prefix only, every
/// operation one call (key checks, metering and the overlay's work in the core).
/// Subclassable, so the host adds what stays in Python (iteration).
#[pyclass(name = "PluginState", module = "tonomy._core", subclass)]
pub struct PyPluginState {
    /// The host's view the overlay belongs to (for what the host adds).
    view: Py<PyAny>,
    overlay: Py<PyStateOverlay>,
    namespace: Namespace,
    meter: Py<PyMeter>,
}

fn bytes_arg<'a, 'py>(
    value: &'a Bound<'py, PyAny>,
    what: &str,
) -> PyResult<&'a Bound<'py, PyBytes>> {
    value.downcast_exact::<PyBytes>().map_err(|_| {
        to_py_detail(CoreError::InvalidInput(format!(
            "state {what} are bytes, got {}",
            type_name(value)
        )))
    })
}

impl PyPluginState {
    fn full_key(&self, key: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
        let key = bytes_arg(key, "keys")?;
        self.namespace
            .full_key(key.as_bytes())
            .map_err(to_py_detail)
    }

    /// Check, meter and store `value` (already a plugin-sized value's bytes) at `full`.
    fn write(&self, py: Python<'_>, full: &[u8], value: &[u8]) -> PyResult<()> {
        Namespace::check_value(value).map_err(to_py_detail)?;
        PyMeter::charge_write(self.meter.bind(py), full.len() + value.len())?;
        let mut overlay = self.overlay.bind(py).borrow_mut();
        gil::guarded(|| overlay.overlay.put(full, value)).map_py()
    }
}

#[pymethods]
impl PyPluginState {
    /// `view`: the host's state view, whose `native` is the core `StateOverlay`;
    /// `prefix`: the plugin's key prefix; `meter`: the transaction's meter.
    #[new]
    fn new(
        view: &Bound<'_, PyAny>,
        prefix: &Bound<'_, PyAny>,
        meter: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let prefix = prefix.downcast_exact::<PyBytes>().map_err(|_| {
            to_py_detail(CoreError::InvalidInput(
                "a namespace prefix is bytes".into(),
            ))
        })?;
        let meter = meter.downcast::<PyMeter>().map_err(|_| {
            to_py_detail(CoreError::InvalidInput(
                "a plugin state needs a Meter".into(),
            ))
        })?;
        let overlay = view
            .getattr(intern!(view.py(), "native"))
            .ok()
            .and_then(|native| native.downcast_into::<PyStateOverlay>().ok())
            .ok_or_else(|| {
                to_py_detail(CoreError::InvalidInput(
                    "a plugin state needs a view whose `native` is a StateOverlay".into(),
                ))
            })?;
        Ok(PyPluginState {
            view: view.clone().unbind(),
            overlay: overlay.unbind(),
            namespace: Namespace::new(prefix.as_bytes()).map_err(to_py_detail)?,
            meter: meter.clone().unbind(),
        })
    }

    #[getter]
    fn view(&self, py: Python<'_>) -> Py<PyAny> {
        self.view.clone_ref(py)
    }

    #[getter]
    fn prefix<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.namespace.prefix())
    }

    #[getter]
    fn meter(&self, py: Python<'_>) -> Py<PyMeter> {
        self.meter.clone_ref(py)
    }

    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let full = self.full_key(key)?;
        PyMeter::charge_op(self.meter.bind(py))?;
        PyStateOverlay::get(self.overlay.bind(py), &full)
    }

    /// The record at `key` (decoded with the canonical codec), or None.
    fn get_record<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let full = self.full_key(key)?;
        PyMeter::charge_op(self.meter.bind(py))?;
        PyStateOverlay::get_record(self.overlay.bind(py), &full)
    }

    fn put(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let full = self.full_key(key)?;
        let value = bytes_arg(value, "values")?;
        self.write(py, &full, value.as_bytes())
    }

    /// Store `record` encoded with the canonical codec (encoded first, then checked).
    fn put_record(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        record: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let raw = encode_value(record).map_py()?;
        let full = self.full_key(key)?;
        self.write(py, &full, &raw)
    }

    fn delete(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let full = self.full_key(key)?;
        PyMeter::charge_op(self.meter.bind(py))?;
        let mut overlay = self.overlay.bind(py).borrow_mut();
        gil::guarded(|| overlay.overlay.delete(&full)).map_py()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStateOverlay>()?;
    m.add_class::<PyMeter>()?;
    m.add_class::<PyPluginState>()?;
    Ok(())
}
