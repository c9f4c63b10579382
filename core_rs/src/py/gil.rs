//! The one helper that releases the GIL around slow core work, and catches panics
//! so none crosses the FFI boundary.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

use crate::{CoreError, CoreResult};

/// Run `work` without the GIL; a panic inside becomes `CoreError::Internal`.
pub fn released<T, F>(py: Python<'_>, work: F) -> CoreResult<T>
where
    T: Send,
    F: FnOnce() -> CoreResult<T> + Send,
{
    py.allow_threads(|| guarded(work))
}

/// Run `work` with the GIL held; a panic inside becomes `CoreError::Internal`.
pub fn guarded<T, F>(work: F) -> CoreResult<T>
where
    F: FnOnce() -> CoreResult<T>,
{
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            Err(CoreError::Internal(what))
        }
    }
}
