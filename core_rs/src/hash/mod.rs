//! BLAKE3 hashing with domain separation.
//!
//! Every hash the protocol computes names what it hashes: `blake3(tag ‖ 0x00 ‖ data…)`.
//! Tags are ASCII without NUL, so the separator makes the tag set prefix-free and a
//! leaf can never be mistaken for a node, a transaction for a vote, and so on.

use crate::{CoreError, CoreResult};

/// A 32-byte BLAKE3 digest.
pub type Digest = [u8; 32];

/// The tags the protocol uses. New tags get a new name; old ones never change.
pub mod tags {
    pub const MERKLE_LEAF: &str = "tonomy/merkle/leaf/v1";
    pub const MERKLE_NODE: &str = "tonomy/merkle/node/v1";
    pub const MERKLE_EMPTY: &str = "tonomy/merkle/empty/v1";
    pub const STATE_KEY: &str = "tonomy/state/key/v1";
    pub const STATE_LEAF: &str = "tonomy/state/leaf/v1";
    pub const STATE_NODE: &str = "tonomy/state/node/v1";
    pub const STATE_VALUE: &str = "tonomy/state/value/v1";
    /// The hash of an empty state subtree (and so the root of the empty state).
    pub const STATE_EMPTY: &str = "tonomy/state/empty/v1";
    pub const TRANSACTION: &str = "tonomy/tx/v1";
    pub const BLOCK_HEADER: &str = "tonomy/block/v1";
    pub const VOTE: &str = "tonomy/vote/v1";
    pub const COMMIT: &str = "tonomy/commit/v1";
    pub const ED25519_BATCH: &str = "tonomy/ed25519/batch-weights/v1";
    pub const PROPOSAL: &str = "tonomy/proposal/v1";
    pub const VALIDATOR_SET: &str = "tonomy/validators/v1";
    pub const SAFETY_STATE: &str = "tonomy/consensus/safety-state/v1";
}

/// Start a hasher already bound to `tag`.
pub fn tagged_hasher(tag: &str) -> CoreResult<blake3::Hasher> {
    check_tag(tag)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(tag.as_bytes());
    hasher.update(&[0u8]);
    Ok(hasher)
}

/// `blake3(tag ‖ 0x00 ‖ part₀ ‖ part₁ …)`.
pub fn hash_tagged(tag: &str, parts: &[&[u8]]) -> CoreResult<Digest> {
    let mut hasher = tagged_hasher(tag)?;
    for part in parts {
        hasher.update(part);
    }
    Ok(*hasher.finalize().as_bytes())
}

/// Infallible form of [`tagged_hasher`] for the core's own constant tags (checked by tests).
pub fn tagged_hasher_static(tag: &'static str) -> blake3::Hasher {
    debug_assert!(check_tag(tag).is_ok());
    let mut hasher = blake3::Hasher::new();
    hasher.update(tag.as_bytes());
    hasher.update(&[0u8]);
    hasher
}

/// Infallible form for the core's own constant tags (checked by tests).
pub fn hash_with(tag: &'static str, parts: &[&[u8]]) -> Digest {
    let mut hasher = tagged_hasher_static(tag);
    for part in parts {
        hasher.update(part);
    }
    *hasher.finalize().as_bytes()
}

/// Plain BLAKE3 (content addressing of blobs and artifacts).
pub fn hash_plain(data: &[u8]) -> Digest {
    *blake3::hash(data).as_bytes()
}

fn check_tag(tag: &str) -> CoreResult<()> {
    if tag.is_empty() || tag.len() > 128 {
        return Err(CoreError::InvalidInput(format!(
            "a hash tag must be 1 to 128 bytes, got {}",
            tag.len()
        )));
    }
    if !tag.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(CoreError::InvalidInput(
            "a hash tag must be printable ASCII without spaces".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_TAGS: &[&str] = &[
        tags::MERKLE_LEAF,
        tags::MERKLE_NODE,
        tags::MERKLE_EMPTY,
        tags::STATE_KEY,
        tags::STATE_LEAF,
        tags::STATE_NODE,
        tags::STATE_VALUE,
        tags::STATE_EMPTY,
        tags::TRANSACTION,
        tags::BLOCK_HEADER,
        tags::VOTE,
        tags::COMMIT,
        tags::ED25519_BATCH,
        tags::PROPOSAL,
        tags::VALIDATOR_SET,
        tags::SAFETY_STATE,
    ];

    #[test]
    fn constant_tags_are_valid_and_distinct() {
        for tag in ALL_TAGS {
            check_tag(tag).unwrap();
        }
        let mut sorted = ALL_TAGS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ALL_TAGS.len());
    }

    #[test]
    fn tagged_hash_matches_manual_construction() {
        let expected = blake3::hash(b"t/x\x00hello world");
        assert_eq!(hash_tagged("t/x", &[b"hello ", b"world"]).unwrap(), *expected.as_bytes());
        assert_eq!(hash_with(tags::VOTE, &[b"a"]), hash_tagged(tags::VOTE, &[b"a"]).unwrap());
    }

    #[test]
    fn different_tags_give_different_digests() {
        let a = hash_tagged("tonomy/a", &[b"same"]).unwrap();
        let b = hash_tagged("tonomy/b", &[b"same"]).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn separator_prevents_tag_data_ambiguity() {
        // "ab" ‖ "c" and "a" ‖ "bc" would collide without the separator.
        assert_ne!(
            hash_tagged("ab", &[b"c"]).unwrap(),
            hash_tagged("a", &[b"bc"]).unwrap()
        );
    }

    #[test]
    fn bad_tags_are_rejected() {
        for tag in ["", "has space", "nul\0", &"x".repeat(129)] {
            let err = hash_tagged(tag, &[]).unwrap_err();
            assert_eq!(err.code(), "core.invalid_input");
        }
    }
}
