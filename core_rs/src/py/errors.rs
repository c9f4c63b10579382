//! The one mapping from `CoreError` to Python: `tonomy.errors.from_core(code, message)`
//! picks the exception class for a stable code, so the table lives in one place.

use pyo3::prelude::*;

use crate::CoreError;

/// Convert a core error into the matching `tonomy.errors` exception.
pub fn to_py(err: CoreError) -> PyErr {
    build(err.code(), &err.to_string())
}

fn build(code: &str, message: &str) -> PyErr {
    Python::with_gil(|py| {
        let built = py
            .import("tonomy.errors")
            .and_then(|module| module.getattr("from_core"))
            .and_then(|from_core| from_core.call1((code, message)));
        match built {
            Ok(exception) => PyErr::from_value(exception),
            Err(import_failure) => import_failure,
        }
    })
}

/// Convert a core error into the matching exception carrying only its detail (no
/// variant prefix): for messages recorded verbatim that must read as they always did.
pub fn to_py_detail(err: CoreError) -> PyErr {
    build(err.code(), err.detail())
}

/// Extension trait so bindings can write `result.map_py()?`.
pub trait MapPy<T> {
    fn map_py(self) -> PyResult<T>;
}

impl<T> MapPy<T> for Result<T, CoreError> {
    fn map_py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
