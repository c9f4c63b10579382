//! Bindings for `crate::sd` (selective-disclosure digest checks).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::MapPy;
use super::gil;
use crate::sd;

/// SHA-256 of a disclosure's base64url text: the digest an issuer signs for it.
#[pyfunction]
fn sd_disclosure_digest<'py>(py: Python<'py>, disclosure: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &sd::disclosure_digest(disclosure))
}

/// For each disclosure, the index of its digest in the signed list; raises if any is not covered.
#[pyfunction]
fn sd_match_disclosures(py: Python<'_>, digests: Vec<Vec<u8>>, disclosures: Vec<Vec<u8>>) -> PyResult<Vec<usize>> {
    gil::released(py, || {
        let d: Vec<&[u8]> = digests.iter().map(Vec::as_slice).collect();
        let s: Vec<&[u8]> = disclosures.iter().map(Vec::as_slice).collect();
        sd::match_disclosures(&d, &s)
    })
    .map_py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sd_disclosure_digest, m)?)?;
    m.add_function(wrap_pyfunction!(sd_match_disclosures, m)?)?;
    m.add("SD_MAX_DIGESTS", sd::MAX_DIGESTS)?;
    m.add("SD_MAX_DISCLOSURES", sd::MAX_DISCLOSURES)?;
    m.add("SD_MAX_DISCLOSURE_LEN", sd::MAX_DISCLOSURE_LEN)?;
    Ok(())
}
