//! Authenticated state: a versioned sparse Merkle tree over BLAKE3.
//!
//! A binary radix tree over 256-bit key paths `blake3(STATE_KEY, key)`, Jellyfish-style:
//! a key's leaf sits at the shallowest depth where its path is unique, empty subtrees
//! are one constant hash, and every version writes new immutable nodes keyed by that
//! version, so any retained version can be read and proven. Layout, hashing and the
//! proof format are specified in `docs/state.md`.
//!
//! - [`hashing`]: the hash functions that define roots and proofs;
//! - [`node`]: node and child records and their storage keys;
//! - [`update`]: applying a version's batch of writes;
//! - [`batch`]: the new nodes of a version, in one buffer and in key order;
//! - [`lookup`]: reading a value and building its proof;
//! - [`proof`]: the proof encoding and the pure verifier;
//! - [`reader`]: the node-store trait and an in-memory store.

pub mod batch;
pub mod hashing;
pub mod lookup;
pub mod node;
pub mod proof;
pub mod reader;
pub mod update;

#[cfg(test)]
mod tests;

pub use batch::NodeBatch;
pub use hashing::{empty_hash, key_path, value_hash};
pub use node::{Child, Node, NodeKey};
pub use proof::{verify, verify_encoded, StateProof, Terminal, MAX_PROOF_LEN};
pub use reader::{MemoryTreeStore, TreeReader};
pub use update::{apply_batch, StateWrite, TreeUpdate};

use crate::{CoreError, CoreResult};

/// Longest state key, in bytes. Keys are namespaced by the host; 256 bytes is ample and
/// keeps the latest-value table's keys well under LMDB's key limit.
pub const MAX_KEY_LEN: usize = 256;

/// Largest state value, in bytes. Big blobs belong in content-addressed storage, with
/// their hash in state.
pub const MAX_VALUE_LEN: usize = 1 << 20;

/// The root of the empty state (no key set), the same at every version.
pub fn empty_root() -> crate::hash::Digest {
    empty_hash()
}

/// A state key must be 1 to [`MAX_KEY_LEN`] bytes.
pub fn check_key(key: &[u8]) -> CoreResult<()> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(CoreError::InvalidInput(format!(
            "a state key must be 1 to {MAX_KEY_LEN} bytes, got {}",
            key.len()
        )));
    }
    Ok(())
}

/// A state value must be at most [`MAX_VALUE_LEN`] bytes (empty is allowed).
pub fn check_value(value: &[u8]) -> CoreResult<()> {
    if value.len() > MAX_VALUE_LEN {
        return Err(CoreError::InvalidInput(format!(
            "a state value must be at most {MAX_VALUE_LEN} bytes, got {}",
            value.len()
        )));
    }
    Ok(())
}
