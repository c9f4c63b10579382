//! Reading the tree at a version: a value, and the proof for it.

use crate::hash::Digest;
use crate::{CoreError, CoreResult};

use super::hashing::{bit, key_path, PATH_BITS};
use super::node::{Child, Node, NodeKey};
use super::proof::{StateProof, Terminal};
use super::reader::TreeReader;

/// The value of `key` in the tree under `root` (`None`: absent).
pub fn get<R: TreeReader + ?Sized>(
    reader: &R,
    root: &Child,
    key: &[u8],
) -> CoreResult<Option<Vec<u8>>> {
    let path = key_path(key);
    let (end, _) = walk(reader, root, &path, false)?;
    match end {
        Child::Leaf {
            version,
            path: leaf_path,
            ..
        } if leaf_path == path => Ok(Some(reader.leaf_value(key, version, &path)?)),
        _ => Ok(None),
    }
}

/// The value of `key` under `root` together with its inclusion or exclusion proof.
pub fn prove<R: TreeReader + ?Sized>(
    reader: &R,
    root: &Child,
    key: &[u8],
) -> CoreResult<(Option<Vec<u8>>, StateProof)> {
    let path = key_path(key);
    let (end, siblings) = walk(reader, root, &path, true)?;
    match end {
        Child::Empty => Ok((
            None,
            StateProof {
                siblings,
                terminal: Terminal::Empty,
            },
        )),
        Child::Leaf {
            version,
            path: leaf_path,
            value_hash,
            ..
        } => {
            // Only the key's own leaf is read; another key's leaf is proven by its hashes.
            let value = if leaf_path == path {
                Some(reader.leaf_value(key, version, &path)?)
            } else {
                None
            };
            let terminal = Terminal::Leaf {
                path: leaf_path,
                value_hash,
            };
            Ok((value, StateProof { siblings, terminal }))
        }
        Child::Internal { .. } => Err(CoreError::Internal(
            "state walk ended at an internal node".into(),
        )),
    }
}

/// Follow `path` from `root` to the empty subtree or leaf where it ends, collecting
/// sibling hashes if asked.
fn walk<R: TreeReader + ?Sized>(
    reader: &R,
    root: &Child,
    path: &Digest,
    with_siblings: bool,
) -> CoreResult<(Child, Vec<Digest>)> {
    let mut siblings = Vec::new();
    let mut node = root.clone();
    let mut depth = 0usize;
    loop {
        let version = match node {
            Child::Internal { version, .. } => version,
            end => return Ok((end, siblings)),
        };
        if depth >= PATH_BITS {
            return Err(CoreError::Storage(
                "state tree deeper than 256 levels".into(),
            ));
        }
        let key = NodeKey::internal(version, depth, path)?;
        let (left, right) = match reader.node(&key)? {
            Some(Node::Internal { left, right }) => (left, right),
            Some(Node::Leaf { .. }) => {
                return Err(CoreError::Storage(format!(
                    "state tree record {key:?} should be internal"
                )))
            }
            None => {
                return Err(CoreError::Storage(format!(
                    "state tree node {key:?} is missing"
                )))
            }
        };
        let (next, sibling) = if bit(path, depth) {
            (right, left)
        } else {
            (left, right)
        };
        if with_siblings {
            siblings.push(sibling.hash());
        }
        node = next;
        depth += 1;
    }
}
