//! The one error type of the native core.
//!
//! Every variant has a stable code (`domain.reason`) that never changes meaning once
//! released: clients, the HTTP API and the Python hierarchy in `tonomy.errors` key on it.
//! Messages are for people and may be reworded; codes may not.

use thiserror::Error;

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// A caller passed an argument of the wrong size or shape (not wire data).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// Wire bytes that do not decode, or exceed traversal, nesting or size limits.
    #[error("malformed message: {0}")]
    Malformed(String),

    /// A message decoded but breaks a size limit set by the protocol.
    #[error("too large: {0}")]
    TooLarge(String),

    /// A public key that is not a valid, canonical, non-small-order Ed25519 point.
    #[error("invalid public key: {0}")]
    InvalidPublicKey(String),

    /// A signature that is malformed or does not verify under the fixed rule set.
    #[error("invalid signature: {0}")]
    InvalidSignature(String),

    /// A Merkle or state proof that does not check against the given root.
    #[error("invalid proof: {0}")]
    InvalidProof(String),

    /// A requested item (state version, block, key) is not stored.
    #[error("not found: {0}")]
    NotFound(String),

    /// The LMDB map is full and could not grow; the write was not applied.
    #[error("storage full: {0}; raise the map size or free disk space")]
    StorageFull(String),

    /// Any other storage failure; the write was not applied.
    #[error("storage error: {0}")]
    Storage(String),

    /// A write would break an ordering rule (commit of an old version, etc.).
    #[error("conflict: {0}")]
    Conflict(String),

    /// A bug in the core; reported instead of panicking across the FFI.
    #[error("internal error: {0}")]
    Internal(String),

    /// Bytes that are not the canonical state encoding (`codec`); the message says why.
    #[error("{0}")]
    CodecMalformed(String),

    /// A value the canonical state encoding cannot represent (`codec`).
    #[error("{0}")]
    Unencodable(String),

    /// A transaction used more state operations or bytes than its limits allow
    /// (`overlay::meter`); the message names the limit.
    #[error("{0}")]
    ResourceLimit(String),
}

impl CoreError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InvalidInput(_) => "core.invalid_input",
            CoreError::Malformed(_) => "wire.malformed",
            CoreError::TooLarge(_) => "wire.too_large",
            CoreError::InvalidPublicKey(_) => "crypto.invalid_public_key",
            CoreError::InvalidSignature(_) => "crypto.invalid_signature",
            CoreError::InvalidProof(_) => "proof.invalid",
            CoreError::NotFound(_) => "store.not_found",
            CoreError::StorageFull(_) => "store.full",
            CoreError::Storage(_) => "store.error",
            CoreError::Conflict(_) => "store.conflict",
            CoreError::Internal(_) => "core.internal",
            CoreError::CodecMalformed(_) => "codec.malformed",
            CoreError::Unencodable(_) => "codec.unencodable",
            CoreError::ResourceLimit(_) => "tx.resource_limit",
        }
    }

    /// The message without the variant's prefix (for callers whose messages predate
    /// the core and are recorded verbatim, like a plugin's state refusals in receipts).
    pub fn detail(&self) -> &str {
        match self {
            CoreError::InvalidInput(m)
            | CoreError::Malformed(m)
            | CoreError::TooLarge(m)
            | CoreError::InvalidPublicKey(m)
            | CoreError::InvalidSignature(m)
            | CoreError::InvalidProof(m)
            | CoreError::NotFound(m)
            | CoreError::StorageFull(m)
            | CoreError::Storage(m)
            | CoreError::Conflict(m)
            | CoreError::Internal(m)
            | CoreError::CodecMalformed(m)
            | CoreError::Unencodable(m)
            | CoreError::ResourceLimit(m) => m,
        }
    }

    /// Every code, for the test that keeps the Python table in step.
    pub const ALL_CODES: &'static [&'static str] = &[
        "core.invalid_input",
        "wire.malformed",
        "wire.too_large",
        "crypto.invalid_public_key",
        "crypto.invalid_signature",
        "proof.invalid",
        "store.not_found",
        "store.full",
        "store.error",
        "store.conflict",
        "core.internal",
        "codec.malformed",
        "codec.unencodable",
        "tx.resource_limit",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_listed() {
        let samples = [
            CoreError::InvalidInput(String::new()),
            CoreError::Malformed(String::new()),
            CoreError::TooLarge(String::new()),
            CoreError::InvalidPublicKey(String::new()),
            CoreError::InvalidSignature(String::new()),
            CoreError::InvalidProof(String::new()),
            CoreError::NotFound(String::new()),
            CoreError::StorageFull(String::new()),
            CoreError::Storage(String::new()),
            CoreError::Conflict(String::new()),
            CoreError::Internal(String::new()),
            CoreError::CodecMalformed(String::new()),
            CoreError::Unencodable(String::new()),
            CoreError::ResourceLimit(String::new()),
        ];
        let codes: Vec<_> = samples.iter().map(|e| e.code()).collect();
        assert_eq!(codes, CoreError::ALL_CODES);
        let mut dedup = codes.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), codes.len());
    }
}
