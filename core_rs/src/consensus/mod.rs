//! BFT consensus: a Tendermint-style, sans-IO state machine (docs/consensus.md).
//!
//! - [`engine`]: the per-validator state machine (`Engine::handle(Input) -> Vec<Output>`);
//! - [`safety`]: the only code that signs, with durable anti-double-sign state;
//! - [`validators`]: voting power, quorums, deterministic weighted proposer selection;
//! - [`proposal`]: the signed proposal and its encoding; [`vote_set`]: vote tallies.

pub mod engine;
pub mod proposal;
pub mod safety;
pub mod types;
pub mod validators;
pub mod vote_set;

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod sim_tests;

pub use engine::Engine;
pub use proposal::{proposal_digest, Proposal, MAX_VALUE_BYTES};
pub use safety::{FileStore, MemoryStore, SafetyRules, SafetyState, SafetyStore};
pub use types::{Config, Evidence, Input, Output, Step};
pub use validators::{Validator, ValidatorSet};
