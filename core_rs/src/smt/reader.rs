//! Where tree nodes come from: the `TreeReader` trait, and an in-memory node store that
//! implements the whole versioned tree without a database (tests, tools, light clients).

use std::collections::{BTreeMap, BTreeSet};

use crate::hash::Digest;
use crate::{CoreError, CoreResult};

use super::lookup;
use super::node::{split_stale_entry, stale_entry_key, Child, Node, NodeKey};
use super::proof::StateProof;
use super::update::{apply_batch, StateWrite, TreeUpdate};

/// Read access to stored nodes. The LMDB store implements it over a transaction.
pub trait TreeReader {
    /// The node stored under `key`, or `None` if there is none.
    fn node(&self, key: &NodeKey) -> CoreResult<Option<Node>>;

    /// The value held by the leaf for `key` written at `version` (`path` is
    /// `key_path(key)`). By default the leaf's record; a store that keeps current values
    /// elsewhere looks there first.
    fn leaf_value(&self, key: &[u8], version: u64, path: &Digest) -> CoreResult<Vec<u8>> {
        let _ = key;
        let node_key = NodeKey::leaf(version, *path);
        match self.node(&node_key)? {
            Some(Node::Leaf { value, .. }) => Ok(value),
            Some(Node::Internal { .. }) => Err(CoreError::Storage(format!(
                "state tree record {node_key:?} should be a leaf"
            ))),
            None => Err(CoreError::Storage(format!(
                "state tree leaf {node_key:?} is missing"
            ))),
        }
    }
}

/// A complete versioned tree held in ordered maps; same layout as the LMDB store.
#[derive(Debug, Default, Clone)]
pub struct MemoryTreeStore {
    nodes: BTreeMap<Vec<u8>, Vec<u8>>,
    roots: BTreeMap<u64, Child>,
    /// Stale-index entries: `stale_since ‖ node key`.
    stale: BTreeSet<Vec<u8>>,
}

impl TreeReader for MemoryTreeStore {
    fn node(&self, key: &NodeKey) -> CoreResult<Option<Node>> {
        self.nodes
            .get(&key.encode())
            .map(|bytes| Node::decode(bytes))
            .transpose()
    }
}

impl MemoryTreeStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn latest_version(&self) -> Option<u64> {
        self.roots.keys().next_back().copied()
    }

    /// The root reference at `version`, or the latest (empty tree when nothing is
    /// committed) when `version` is `None`.
    pub fn root_child(&self, version: Option<u64>) -> CoreResult<Child> {
        match version {
            None => Ok(self
                .roots
                .values()
                .next_back()
                .cloned()
                .unwrap_or(Child::Empty)),
            Some(v) => self
                .roots
                .get(&v)
                .cloned()
                .ok_or_else(|| CoreError::NotFound(format!("state version {v}"))),
        }
    }

    pub fn root(&self, version: Option<u64>) -> CoreResult<Digest> {
        Ok(self.root_child(version)?.hash())
    }

    /// Compute the update for `writes` at `version` without applying it.
    pub fn plan<'a>(&self, version: u64, writes: &[StateWrite<'a>]) -> CoreResult<TreeUpdate<'a>> {
        if let Some(latest) = self.latest_version() {
            if version <= latest {
                return Err(CoreError::Conflict(format!(
                    "state version {version} is not after the latest version {latest}"
                )));
            }
        }
        apply_batch(self, &self.root_child(None)?, version, writes)
    }

    /// Store an update computed by [`MemoryTreeStore::plan`].
    pub fn apply(&mut self, update: TreeUpdate<'_>) -> Digest {
        let TreeUpdate {
            version,
            root,
            new_nodes,
            stale_nodes,
            ..
        } = update;
        self.nodes.extend(new_nodes.to_records());
        for key in stale_nodes {
            self.stale.insert(stale_entry_key(version, &key));
        }
        let hash = root.hash();
        self.roots.insert(version, root);
        hash
    }

    /// Apply a batch as `version` and return the new root.
    pub fn commit(&mut self, version: u64, writes: &[StateWrite<'_>]) -> CoreResult<Digest> {
        let update = self.plan(version, writes)?;
        Ok(self.apply(update))
    }

    pub fn get(&self, key: &[u8], version: Option<u64>) -> CoreResult<Option<Vec<u8>>> {
        lookup::get(self, &self.root_child(version)?, key)
    }

    pub fn prove(
        &self,
        key: &[u8],
        version: Option<u64>,
    ) -> CoreResult<(Option<Vec<u8>>, StateProof)> {
        lookup::prove(self, &self.root_child(version)?, key)
    }

    /// Forget every version before `keep_from`; returns how many nodes were deleted.
    pub fn prune(&mut self, keep_from: u64) -> CoreResult<usize> {
        if let Some(latest) = self.latest_version() {
            if keep_from > latest {
                return Err(CoreError::InvalidInput(format!(
                    "cannot prune up to {keep_from}: the latest version is {latest}"
                )));
            }
        }
        let mut deleted = 0;
        while let Some(entry) = self.stale.first().cloned() {
            let (since, node_key) = split_stale_entry(&entry)?;
            if since > keep_from {
                break;
            }
            if self.nodes.remove(node_key).is_some() {
                deleted += 1;
            }
            self.stale.remove(&entry);
        }
        self.roots.retain(|version, _| *version >= keep_from);
        Ok(deleted)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
