//! PyO3 bindings: a thin layer over the domain modules, one file per domain.
//!
//! Rules for every file here: bytes in as `&[u8]`, errors through `errors::to_py`,
//! anything slower than a few microseconds inside `gil::released`.

use pyo3::prelude::*;

pub mod args;
pub mod errors;
pub mod gil;

pub mod codec;
pub mod consensus;
pub mod crypto;
pub mod hash;
pub mod merkle;
pub mod overlay;
pub mod sd;
pub mod smt;
pub mod store;
pub mod wire;
pub mod wire_vote;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ERROR_CODES", crate::CoreError::ALL_CODES.to_vec())?;
    hash::register(m)?;
    merkle::register(m)?;
    smt::register(m)?;
    store::register(m)?;
    overlay::register(m)?;
    crypto::register(m)?;
    wire::register(m)?;
    consensus::register(m)?;
    sd::register(m)?;
    codec::register(m)?;
    Ok(())
}
