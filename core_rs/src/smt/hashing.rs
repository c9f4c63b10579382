//! The hashes that define the state tree: key paths, value hashes, leaf and node hashes.
//!
//! Everything a verifier needs lives here, so a light client and the node agree on
//! exactly these few functions. Each hash is domain-separated by its own tag, so a leaf
//! can never pass for a node, nor a node for the empty subtree.

use std::sync::OnceLock;

use crate::hash::{hash_with, tags, Digest};

/// Number of bits in a key path, and so the maximum depth of a leaf.
pub const PATH_BITS: usize = 256;

/// The 256-bit position of `key` in the tree: `blake3(STATE_KEY, key)`.
///
/// Hashing spreads keys uniformly, so the tree stays about `log2(n)` deep whatever
/// keys plugins choose, and nobody can cheaply build a deep path.
pub fn key_path(key: &[u8]) -> Digest {
    tagged(tags::STATE_KEY, key, &[])
}

/// `blake3(STATE_VALUE, value)`: what a leaf commits to.
pub fn value_hash(value: &[u8]) -> Digest {
    tagged(tags::STATE_VALUE, value, &[])
}

/// `blake3(STATE_LEAF, path ‖ value_hash)`: independent of the depth the leaf sits at,
/// which lets a leaf move deeper or shallower without being rewritten.
pub fn leaf_hash(path: &Digest, value_hash: &Digest) -> Digest {
    tagged(tags::STATE_LEAF, path, value_hash)
}

/// `blake3(STATE_NODE, left ‖ right)` for an internal node.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    tagged(tags::STATE_NODE, left, right)
}

/// Exactly `hash_with(tag, &[a, b])`, but small inputs are assembled on the stack and
/// hashed in one call: a streaming hasher per node (tens of thousands per block) costs
/// more in setup and copying than the hashing itself.
fn tagged(tag: &'static str, a: &[u8], b: &[u8]) -> Digest {
    const STACK: usize = 384;
    let total = tag.len() + 1 + a.len() + b.len();
    if total > STACK {
        return hash_with(tag, &[a, b]);
    }
    let mut buf = [0u8; STACK];
    let mut at = 0;
    for part in [tag.as_bytes(), &[0u8], a, b] {
        if let Some(slot) = buf.get_mut(at..at + part.len()) {
            slot.copy_from_slice(part);
        }
        at += part.len();
    }
    *blake3::hash(buf.get(..at).unwrap_or_default()).as_bytes()
}

/// `blake3(STATE_EMPTY)`: the hash of an empty subtree and the root of the empty state.
pub fn empty_hash() -> Digest {
    static EMPTY: OnceLock<Digest> = OnceLock::new();
    *EMPTY.get_or_init(|| hash_with(tags::STATE_EMPTY, &[]))
}

/// Bit `depth` of `path`, most significant bit of byte 0 first; `false` goes left.
///
/// Callers keep `depth < PATH_BITS`; a larger depth reads as `false` rather than panic.
pub fn bit(path: &Digest, depth: usize) -> bool {
    match path.get(depth / 8) {
        Some(byte) => (byte >> (7 - (depth % 8))) & 1 == 1,
        None => false,
    }
}

/// The first `depth` bits of `path`, with every later bit cleared.
pub fn prefix(path: &Digest, depth: usize) -> Digest {
    let mut out = [0u8; 32];
    let full_bytes = (depth / 8).min(32);
    out[..full_bytes].copy_from_slice(&path[..full_bytes]);
    let rest = depth % 8;
    if rest != 0 && full_bytes < 32 {
        out[full_bytes] = path[full_bytes] & (0xffu8 << (8 - rest));
    }
    out
}

/// Whether `a` and `b` agree on their first `depth` bits.
pub fn shares_prefix(a: &Digest, b: &Digest, depth: usize) -> bool {
    prefix(a, depth) == prefix(b, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first() {
        let mut path = [0u8; 32];
        path[0] = 0b1000_0001;
        path[31] = 0b0000_0001;
        assert!(bit(&path, 0));
        assert!(!bit(&path, 1));
        assert!(bit(&path, 7));
        assert!(bit(&path, 255));
        assert!(!bit(&path, 254));
        assert!(
            !bit(&path, 256),
            "out of range reads as false, never panics"
        );
    }

    #[test]
    fn prefix_clears_the_tail() {
        let path = [0xffu8; 32];
        assert_eq!(prefix(&path, 0), [0u8; 32]);
        let p = prefix(&path, 12);
        assert_eq!(&p[..3], &[0xff, 0xf0, 0x00]);
        assert_eq!(prefix(&path, 256), path);
        assert_eq!(prefix(&path, 999), path);
    }

    #[test]
    fn hashes_are_domain_separated() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_ne!(leaf_hash(&a, &b), node_hash(&a, &b));
        assert_ne!(empty_hash(), hash_with(tags::STATE_NODE, &[]));
        assert_eq!(
            empty_hash(),
            *blake3::hash(b"tonomy/state/empty/v1\x00").as_bytes()
        );
        let long = vec![5u8; 1000];
        assert_eq!(value_hash(&long), hash_with(tags::STATE_VALUE, &[&long]));
        assert_eq!(
            value_hash(&long[..300]),
            hash_with(tags::STATE_VALUE, &[&long[..300]])
        );
        assert_eq!(key_path(b"k"), hash_with(tags::STATE_KEY, &[b"k"]));
        assert_eq!(node_hash(&a, &b), hash_with(tags::STATE_NODE, &[&a, &b]));
        assert_eq!(
            leaf_hash(&a, &b),
            *blake3::hash(&[b"tonomy/state/leaf/v1\x00".as_slice(), &a, &b].concat()).as_bytes()
        );
    }
}
