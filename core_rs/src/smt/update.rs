//! Applying one version's batch of writes to the tree.
//!
//! The batch is sorted by key path and walked down the old tree once: only the paths
//! that change are visited, every node on them is replaced by a new node written at the
//! new version, and the replaced nodes are recorded as stale (for pruning). The result
//! depends only on the set of writes, never on their order in the batch.

use crate::hash::Digest;
use crate::{CoreError, CoreResult};

use super::batch::NodeBatch;
use super::hashing::{bit, key_path, leaf_hash, node_hash, value_hash};
use super::node::{can_split_at, Child, Node, NodeKey};
use super::reader::TreeReader;
use super::{check_key, check_value};

/// One write of a batch: `Some(value)` sets the key, `None` deletes it.
pub type StateWrite<'a> = (&'a [u8], Option<&'a [u8]>);

/// What a batch does to the tree; the caller stores it (atomically with anything else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeUpdate<'a> {
    pub version: u64,
    /// The new root reference (its `hash()` is the state root).
    pub root: Child,
    /// New node records, in key order; every key begins with `version`.
    pub new_nodes: NodeBatch<'a>,
    /// Keys of nodes reachable from the previous root but not from the new one, sorted.
    pub stale_nodes: Vec<Vec<u8>>,
    /// Writes that replaced or deleted a stored value: `(index in the batch, version of
    /// the leaf that held the old value)`, in path order. A store that keeps current
    /// values outside the tree moves exactly these old values into history.
    pub replaced: Vec<(usize, u64)>,
    /// Writes that set a key to the value it already had (the tree kept its old leaf),
    /// by index in the batch.
    pub unchanged: Vec<usize>,
}

/// A write with its path and value hash computed once.
struct Prepared<'a> {
    /// Position in the caller's batch.
    index: usize,
    path: Digest,
    /// `(value_hash, value)`, or `None` for a delete.
    value: Option<(Digest, &'a [u8])>,
}

/// A member of a subtree being rebuilt: a leaf kept from the old tree or a new value.
#[derive(Clone, Copy)]
enum Item<'p, 'a> {
    Kept(&'p Child),
    New(&'p Prepared<'a>),
}

impl Item<'_, '_> {
    fn path(&self) -> &Digest {
        match self {
            Item::Kept(Child::Leaf { path, .. }) => path,
            // Only leaves are ever kept; the fallback keeps this total without a panic.
            Item::Kept(_) => &[0u8; 32],
            Item::New(p) => &p.path,
        }
    }
}

/// Apply `writes` to the tree whose root at the previous version is `prev_root`.
///
/// `version` must be greater than every version already in the tree (the store checks
/// this against its latest version). A key may appear at most once in a batch, which is
/// what makes the result independent of the batch's order.
pub fn apply_batch<'a, R: TreeReader + ?Sized>(
    reader: &R,
    prev_root: &Child,
    version: u64,
    writes: &[StateWrite<'a>],
) -> CoreResult<TreeUpdate<'a>> {
    let prepared = prepare(writes)?;
    if let Child::Leaf { version: v, .. } | Child::Internal { version: v, .. } = prev_root {
        if *v >= version {
            return Err(CoreError::Conflict(format!(
                "state version {version} is not after the tree's version {v}"
            )));
        }
    }
    let new_nodes = NodeBatch::with_capacity(prepared.len());
    let mut updater = Updater {
        reader,
        version,
        new_nodes,
        stale_nodes: Vec::new(),
        replaced: Vec::new(),
        unchanged: Vec::new(),
    };
    let root = updater.update(prev_root, 0, &prepared)?;
    let Updater {
        new_nodes,
        mut stale_nodes,
        replaced,
        unchanged,
        ..
    } = updater;
    stale_nodes.sort_unstable();
    Ok(TreeUpdate {
        version,
        root,
        new_nodes,
        stale_nodes,
        replaced,
        unchanged,
    })
}

/// Validate, hash and sort the batch; reject a key written twice.
fn prepare<'a>(writes: &[StateWrite<'a>]) -> CoreResult<Vec<Prepared<'a>>> {
    let mut prepared = Vec::with_capacity(writes.len());
    for (index, (key, value)) in writes.iter().enumerate() {
        check_key(key)?;
        let value = match value {
            Some(v) => {
                check_value(v)?;
                Some((value_hash(v), *v))
            }
            None => None,
        };
        prepared.push(Prepared {
            index,
            path: key_path(key),
            value,
        });
    }
    // By reference: a key function would copy two 32-byte paths per comparison.
    #[allow(clippy::unnecessary_sort_by)]
    prepared.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    if prepared.windows(2).any(|pair| pair[0].path == pair[1].path) {
        return Err(CoreError::InvalidInput(
            "a key appears more than once in one state batch".into(),
        ));
    }
    Ok(prepared)
}

struct Updater<'r, 'a, R: ?Sized> {
    reader: &'r R,
    version: u64,
    new_nodes: NodeBatch<'a>,
    stale_nodes: Vec<Vec<u8>>,
    replaced: Vec<(usize, u64)>,
    unchanged: Vec<usize>,
}

impl<'a, R: TreeReader + ?Sized> Updater<'_, 'a, R> {
    /// The new subtree at `depth` once `writes` (all under this subtree) are applied.
    fn update(&mut self, node: &Child, depth: usize, writes: &[Prepared<'a>]) -> CoreResult<Child> {
        let Some(first) = writes.first() else {
            return Ok(node.clone());
        };
        match node {
            Child::Empty => {
                let items: Vec<Item> = writes
                    .iter()
                    .filter(|w| w.value.is_some())
                    .map(Item::New)
                    .collect();
                self.build(depth, &items)
            }
            Child::Leaf {
                version,
                path,
                hash,
                ..
            } => {
                let mut items: Vec<Item> = Vec::with_capacity(writes.len() + 1);
                let mut kept = true;
                for write in writes {
                    if write.path == *path {
                        match write.value {
                            // Same value again: keep the old leaf, nothing changes.
                            Some((vh, _)) if leaf_hash(path, &vh) == *hash => {
                                self.unchanged.push(write.index);
                                continue;
                            }
                            _ => {
                                kept = false;
                                self.stale_nodes
                                    .push(NodeKey::leaf(*version, *path).encode());
                                self.replaced.push((write.index, *version));
                            }
                        }
                    }
                    if write.value.is_some() {
                        items.push(Item::New(write));
                    }
                }
                if kept {
                    let at = items.partition_point(|item| item.path() < path);
                    items.insert(at, Item::Kept(node));
                }
                self.build(depth, &items)
            }
            Child::Internal { version, .. } => {
                let key = NodeKey::internal(*version, depth, &first.path)?;
                let (left, right) = self.read_internal(&key)?;
                let split = writes.partition_point(|w| !bit(&w.path, depth));
                let (left_writes, right_writes) = writes.split_at(split);
                let new_left = self.update(&left, depth + 1, left_writes)?;
                let new_right = self.update(&right, depth + 1, right_writes)?;
                if new_left == left && new_right == right {
                    return Ok(node.clone());
                }
                self.stale_nodes.push(key.encode());
                self.join(depth, &first.path, new_left, new_right)
            }
        }
    }

    /// A canonical subtree at `depth` holding exactly `items` (sorted by path).
    fn build(&mut self, depth: usize, items: &[Item<'_, 'a>]) -> CoreResult<Child> {
        match items {
            [] => Ok(Child::Empty),
            [Item::Kept(child)] => Ok((*child).clone()),
            [Item::New(write)] => self.new_leaf(write),
            [first, ..] => {
                if !can_split_at(depth) {
                    return Err(CoreError::Internal(
                        "two state keys share a full 256-bit path".into(),
                    ));
                }
                let split = items.partition_point(|item| !bit(item.path(), depth));
                let (left_items, right_items) = items.split_at(split);
                let left = self.build(depth + 1, left_items)?;
                let right = self.build(depth + 1, right_items)?;
                let path = *first.path();
                self.join(depth, &path, left, right)
            }
        }
    }

    /// The node at `depth` over two new children, collapsed when it holds at most one key
    /// (an empty subtree, or a lone leaf that moves up to take the node's place).
    fn join(
        &mut self,
        depth: usize,
        path: &Digest,
        left: Child,
        right: Child,
    ) -> CoreResult<Child> {
        match (&left, &right) {
            (Child::Empty, Child::Empty) => Ok(Child::Empty),
            (Child::Empty, Child::Leaf { .. }) => Ok(right),
            (Child::Leaf { .. }, Child::Empty) => Ok(left),
            _ => {
                let hash = node_hash(&left.hash(), &right.hash());
                let key = NodeKey::internal(self.version, depth, path)?;
                self.new_nodes.push_internal(&key, &left, &right);
                Ok(Child::Internal {
                    version: self.version,
                    hash,
                })
            }
        }
    }

    fn new_leaf(&mut self, write: &Prepared<'a>) -> CoreResult<Child> {
        // `New` items are only made from writes that carry a value.
        let (vh, value) = write
            .value
            .ok_or_else(|| CoreError::Internal("a delete reached leaf construction".into()))?;
        let key = NodeKey::leaf(self.version, write.path);
        self.new_nodes.push_leaf(key, vh, value);
        Ok(Child::Leaf {
            version: self.version,
            path: write.path,
            value_hash: vh,
            hash: leaf_hash(&write.path, &vh),
        })
    }

    fn read_internal(&self, key: &NodeKey) -> CoreResult<(Child, Child)> {
        match self.reader.node(key)? {
            Some(Node::Internal { left, right }) => Ok((left, right)),
            Some(Node::Leaf { .. }) => Err(CoreError::Storage(format!(
                "state tree record {key:?} should be an internal node"
            ))),
            None => Err(CoreError::Storage(format!(
                "state tree node {key:?} is missing"
            ))),
        }
    }
}
