//! Tree nodes, child references and their storage encodings.
//!
//! Nodes are immutable: a version never rewrites a node, it writes new ones under keys
//! that begin with its own version number. That keeps every retained version readable,
//! makes a commit's node writes an append at the end of the key space, and lets pruning
//! delete whole nodes listed in the stale index.
//!
//! Node keys (big-endian, so byte order is version order):
//! - internal: `version(8) ‖ 0x00 ‖ depth(1) ‖ first ceil(depth/8) bytes of the prefix`
//! - leaf:     `version(8) ‖ 0x01 ‖ key path(32)`
//!
//! A leaf's key does not depend on its depth, so a leaf that moves when a neighbour is
//! inserted or deleted is only re-referenced, never copied.

use crate::hash::Digest;
use crate::{CoreError, CoreResult};

use super::hashing::{empty_hash, prefix, PATH_BITS};

const KEY_KIND_INTERNAL: u8 = 0;
const KEY_KIND_LEAF: u8 = 1;

const CHILD_EMPTY: u8 = 0;
const CHILD_LEAF: u8 = 1;
const CHILD_INTERNAL: u8 = 2;

const NODE_INTERNAL: u8 = 0;
const NODE_LEAF: u8 = 1;

/// A reference from a parent (or a version's root record) to a subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Child {
    /// No keys below.
    Empty,
    /// Exactly one key below: the leaf for `path`, written at `version`. The value hash
    /// rides along so exclusion proofs never read the leaf, and the leaf hash so parents
    /// never recompute it.
    Leaf {
        version: u64,
        path: Digest,
        value_hash: Digest,
        hash: Digest,
    },
    /// Two or more keys below: an internal node written at `version`; its depth and
    /// prefix follow from where the reference sits.
    Internal { version: u64, hash: Digest },
}

impl Child {
    /// The hash this subtree contributes to its parent.
    pub fn hash(&self) -> Digest {
        match self {
            Child::Empty => empty_hash(),
            Child::Leaf { hash, .. } | Child::Internal { hash, .. } => *hash,
        }
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Child::Empty => out.push(CHILD_EMPTY),
            Child::Leaf {
                version,
                path,
                value_hash,
                hash,
            } => {
                out.push(CHILD_LEAF);
                out.extend_from_slice(&version.to_be_bytes());
                out.extend_from_slice(path);
                out.extend_from_slice(value_hash);
                out.extend_from_slice(hash);
            }
            Child::Internal { version, hash } => {
                out.push(CHILD_INTERNAL);
                out.extend_from_slice(&version.to_be_bytes());
                out.extend_from_slice(hash);
            }
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(105);
        self.encode_into(&mut out);
        out
    }

    /// Decode one child from the front of `bytes`, returning the rest.
    pub fn decode_prefix(bytes: &[u8]) -> CoreResult<(Child, &[u8])> {
        let (&tag, rest) = bytes
            .split_first()
            .ok_or_else(|| corrupt("empty child reference"))?;
        match tag {
            CHILD_EMPTY => Ok((Child::Empty, rest)),
            CHILD_LEAF => {
                let (version, rest) = take_u64(rest)?;
                let (path, rest) = take_digest(rest)?;
                let (value_hash, rest) = take_digest(rest)?;
                let (hash, rest) = take_digest(rest)?;
                Ok((
                    Child::Leaf {
                        version,
                        path,
                        value_hash,
                        hash,
                    },
                    rest,
                ))
            }
            CHILD_INTERNAL => {
                let (version, rest) = take_u64(rest)?;
                let (hash, rest) = take_digest(rest)?;
                Ok((Child::Internal { version, hash }, rest))
            }
            other => Err(corrupt(&format!("unknown child tag {other}"))),
        }
    }

    /// Decode a child that must fill `bytes` exactly (a version's root record).
    pub fn decode(bytes: &[u8]) -> CoreResult<Child> {
        let (child, rest) = Child::decode_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(corrupt("trailing bytes after a child reference"));
        }
        Ok(child)
    }
}

/// Where a node is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKey {
    Internal {
        version: u64,
        depth: u8,
        prefix: Digest,
    },
    Leaf {
        version: u64,
        path: Digest,
    },
}

impl NodeKey {
    /// The key of the internal node at `depth` on `path`'s way down, written at `version`.
    pub fn internal(version: u64, depth: usize, path: &Digest) -> CoreResult<NodeKey> {
        let depth_byte = u8::try_from(depth)
            .map_err(|_| CoreError::Internal(format!("internal node at depth {depth}")))?;
        Ok(NodeKey::Internal {
            version,
            depth: depth_byte,
            prefix: prefix(path, depth),
        })
    }

    pub fn leaf(version: u64, path: Digest) -> NodeKey {
        NodeKey::Leaf { version, path }
    }

    pub fn version(&self) -> u64 {
        match self {
            NodeKey::Internal { version, .. } | NodeKey::Leaf { version, .. } => *version,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(42);
        self.encode_into(&mut out);
        out
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            NodeKey::Internal {
                version,
                depth,
                prefix,
            } => {
                let used = (usize::from(*depth)).div_ceil(8);
                out.extend_from_slice(&version.to_be_bytes());
                out.push(KEY_KIND_INTERNAL);
                out.push(*depth);
                out.extend_from_slice(&prefix[..used]);
            }
            NodeKey::Leaf { version, path } => {
                out.extend_from_slice(&version.to_be_bytes());
                out.push(KEY_KIND_LEAF);
                out.extend_from_slice(path);
            }
        }
    }
}

/// A stored node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Internal { left: Child, right: Child },
    Leaf { value_hash: Digest, value: Vec<u8> },
}

impl Node {
    pub fn decode(bytes: &[u8]) -> CoreResult<Node> {
        let (&tag, rest) = bytes
            .split_first()
            .ok_or_else(|| corrupt("empty node record"))?;
        match tag {
            NODE_INTERNAL => {
                let (left, rest) = Child::decode_prefix(rest)?;
                let (right, rest) = Child::decode_prefix(rest)?;
                if !rest.is_empty() {
                    return Err(corrupt("trailing bytes after an internal node"));
                }
                Ok(Node::Internal { left, right })
            }
            NODE_LEAF => {
                let (value_hash, value) = take_digest(rest)?;
                Ok(Node::Leaf {
                    value_hash,
                    value: value.to_vec(),
                })
            }
            other => Err(corrupt(&format!("unknown node tag {other}"))),
        }
    }
}

/// The record of an internal node.
pub fn encode_internal(left: &Child, right: &Child) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 105 + 105);
    encode_internal_into(&mut out, left, right);
    out
}

pub fn encode_internal_into(out: &mut Vec<u8>, left: &Child, right: &Child) {
    out.push(NODE_INTERNAL);
    left.encode_into(out);
    right.encode_into(out);
}

/// The record of a leaf: its value hash (for proofs) then the value itself (for reads at
/// any retained version).
pub fn encode_leaf(value_hash: &Digest, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(33 + value.len());
    encode_leaf_into(&mut out, value_hash, value);
    out
}

pub fn encode_leaf_into(out: &mut Vec<u8>, value_hash: &Digest, value: &[u8]) {
    out.push(NODE_LEAF);
    out.extend_from_slice(value_hash);
    out.extend_from_slice(value);
}

/// Key of a stale-index entry: `stale_since(8) ‖ node key`, so pruning up to a version
/// is one ordered scan from the start of the index.
pub fn stale_entry_key(stale_since: u64, node_key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + node_key.len());
    out.extend_from_slice(&stale_since.to_be_bytes());
    out.extend_from_slice(node_key);
    out
}

/// The version a stale-index entry became stale at, and the node key it names.
pub fn split_stale_entry(entry: &[u8]) -> CoreResult<(u64, &[u8])> {
    let (since, node_key) = take_u64(entry)?;
    Ok((since, node_key))
}

/// Whether a depth can hold an internal node (a node at depth 255 still splits on the
/// last bit; at depth 256 only leaves and empty subtrees exist).
pub fn can_split_at(depth: usize) -> bool {
    depth < PATH_BITS
}

fn take_u64(bytes: &[u8]) -> CoreResult<(u64, &[u8])> {
    let (head, rest) = bytes
        .split_at_checked(8)
        .ok_or_else(|| corrupt("truncated version"))?;
    let mut buf = [0u8; 8];
    buf.copy_from_slice(head);
    Ok((u64::from_be_bytes(buf), rest))
}

fn take_digest(bytes: &[u8]) -> CoreResult<(Digest, &[u8])> {
    let (head, rest) = bytes
        .split_at_checked(32)
        .ok_or_else(|| corrupt("truncated hash"))?;
    let mut buf = [0u8; 32];
    buf.copy_from_slice(head);
    Ok((buf, rest))
}

fn corrupt(what: &str) -> CoreError {
    CoreError::Storage(format!("corrupt state tree record: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_round_trip() {
        for child in [
            Child::Empty,
            Child::Leaf {
                version: 7,
                path: [1; 32],
                value_hash: [4; 32],
                hash: [2; 32],
            },
            Child::Internal {
                version: u64::MAX,
                hash: [3; 32],
            },
        ] {
            assert_eq!(Child::decode(&child.encode()).unwrap(), child);
        }
    }

    #[test]
    fn nodes_round_trip() {
        let left = Child::Leaf {
            version: 1,
            path: [9; 32],
            value_hash: [6; 32],
            hash: [8; 32],
        };
        let right = Child::Internal {
            version: 2,
            hash: [7; 32],
        };
        let rec = encode_internal(&left, &right);
        assert_eq!(Node::decode(&rec).unwrap(), Node::Internal { left, right });
        let rec = encode_leaf(&[5; 32], b"value");
        assert_eq!(
            Node::decode(&rec).unwrap(),
            Node::Leaf {
                value_hash: [5; 32],
                value: b"value".to_vec()
            }
        );
    }

    #[test]
    fn corrupt_records_are_errors_not_panics() {
        let good = encode_internal(
            &Child::Empty,
            &Child::Internal {
                version: 1,
                hash: [1; 32],
            },
        );
        for cut in 0..good.len() {
            let err = Node::decode(&good[..cut]).unwrap_err();
            assert_eq!(err.code(), "store.error");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(Node::decode(&trailing).is_err());
        assert!(Node::decode(&[9]).is_err());
        assert!(Child::decode(&[1, 2, 3]).is_err());
        assert!(Node::decode(&[NODE_LEAF; 10]).is_err());
    }

    #[test]
    fn node_keys_sort_by_version_first() {
        let a = NodeKey::internal(1, 200, &[0xff; 32]).unwrap().encode();
        let b = NodeKey::leaf(2, [0; 32]).encode();
        let c = NodeKey::internal(2, 0, &[0; 32]).unwrap().encode();
        assert!(a < c && c < b);
        assert_eq!(
            NodeKey::internal(1, 0, &[0xff; 32]).unwrap().encode().len(),
            10
        );
        assert_eq!(NodeKey::internal(1, 9, &[0xff; 32]).unwrap().encode(), {
            let mut k = 1u64.to_be_bytes().to_vec();
            k.extend_from_slice(&[0, 9, 0xff, 0x80]);
            k
        });
        assert!(NodeKey::internal(1, 256, &[0; 32]).is_err());
    }
}
