//! Tonomy native core.
//!
//! Plain Rust domain modules (no PyO3 inside); the Python bindings live in `py/`
//! behind the `python` feature so `cargo test` runs without an interpreter.

pub mod error;
pub mod hash;
pub mod merkle;
pub mod overlay;
pub mod smt;
pub mod store;
pub mod crypto;
pub mod wire;
pub mod consensus;
pub mod sd;
pub mod codec;

#[cfg(feature = "python")]
pub mod py;

pub use error::{CoreError, CoreResult};
