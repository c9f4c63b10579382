//! Checking an inclusion proof: pure, and strict about shape before any hashing.

use super::{leaf_hash, node_hash, sibling_ranges};
use crate::hash::Digest;
use crate::{CoreError, CoreResult};

/// The number of hashes in the proof of leaf `index` in a tree of `count` leaves,
/// or `None` when no such leaf exists.
pub fn proof_len(index: u64, count: u64) -> Option<usize> {
    (index < count).then(|| sibling_ranges(index, count).len())
}

/// Check that `leaf` (the item's data, hashed here as a leaf) sits at `index` in the tree
/// of `count` leaves whose root is `root`. The walk is RFC 9162 section 2.1.3.2.
///
/// As in RFC 9162, `count` must come from an authenticated source (the signed header that
/// carries the root): a proof binds the leaf's position only relative to the true count.
pub fn verify(root: &Digest, leaf: &[u8], index: u64, count: u64, proof: &[Digest]) -> CoreResult<()> {
    if count == 0 {
        return Err(CoreError::InvalidProof("an empty tree has no leaf to prove".into()));
    }
    let expected_len = proof_len(index, count).ok_or_else(|| {
        CoreError::InvalidProof(format!("leaf index {index} is outside a tree of {count} leaves"))
    })?;
    if proof.len() != expected_len {
        return Err(CoreError::InvalidProof(format!(
            "the proof of leaf {index} of {count} has {expected_len} hashes, got {}",
            proof.len()
        )));
    }

    let mut node = index;
    let mut last = count - 1;
    let mut hash = leaf_hash(leaf);
    for sibling in proof {
        if last == 0 {
            return Err(CoreError::InvalidProof("the proof is longer than the tree is deep".into()));
        }
        if node & 1 == 1 || node == last {
            hash = node_hash(sibling, &hash);
            // A right-most node without a sibling moves up unchanged: skip those levels.
            while node & 1 == 0 && node != 0 {
                node >>= 1;
                last >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    if last != 0 {
        return Err(CoreError::InvalidProof("the proof is shorter than the tree is deep".into()));
    }
    if hash != *root {
        return Err(CoreError::InvalidProof("the proof does not lead to the root".into()));
    }
    Ok(())
}
