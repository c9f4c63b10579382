//! Binary Merkle trees over ordered lists (transaction roots, receipt roots).
//!
//! The shape is RFC 6962 / RFC 9162: a list of `n > 1` items splits at `k`, the largest
//! power of two below `n`, into `[0, k)` and `[k, n)`. Hashes are domain-separated BLAKE3:
//!
//! - leaf:  `hash_with(MERKLE_LEAF, data)`
//! - node:  `hash_with(MERKLE_NODE, left ‖ right)`
//! - empty: `hash_with(MERKLE_EMPTY, "")` (the root of zero items)
//!
//! Distinct tags mean a leaf can never be passed off as a node (second-preimage attacks
//! on the tree shape). Because the split is fixed by `n`, an inclusion proof for index
//! `i` of `n` has a length determined by `(i, n)` alone and is checked against it.

mod tree;
mod verify;

#[cfg(test)]
mod tests;

use crate::hash::{hash_with, tags, Digest};

pub use tree::{proof, root, root_with_threads};
pub use verify::{proof_len, verify};

/// The hash of one item as a leaf.
pub fn leaf_hash(data: &[u8]) -> Digest {
    hash_with(tags::MERKLE_LEAF, &[data])
}

/// The hash of an inner node from its two children.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    hash_with(tags::MERKLE_NODE, &[left, right])
}

/// The root of an empty list.
pub fn empty_root() -> Digest {
    hash_with(tags::MERKLE_EMPTY, &[])
}

/// The largest power of two strictly below `n`; callers guarantee `n >= 2`.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The sibling subtrees met on the way from the root down to leaf `index` of `count`,
/// top first, as half-open index ranges. Requires `index < count`.
fn sibling_ranges(index: u64, count: u64) -> Vec<(u64, u64)> {
    let (mut low, mut high) = (0u64, count);
    let mut siblings = Vec::new();
    while high - low > 1 {
        let middle = low + split_point(high - low);
        if index < middle {
            siblings.push((middle, high));
            high = middle;
        } else {
            siblings.push((low, middle));
            low = middle;
        }
    }
    siblings
}
