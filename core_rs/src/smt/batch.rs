//! The new node records of one version, in one buffer, already in key order.
//!
//! A batch of ten thousand writes makes some twenty-five thousand nodes; giving each its
//! own key and record allocation, then sorting them, cost more than hashing them. Here
//! internal nodes are appended to one buffer, leaves borrow their values from the batch
//! (they are assembled only as they are written out), and the order comes for free: the
//! update walks the tree depth-first, left before right, so within one depth internal
//! nodes appear in prefix order and leaves appear in path order. Keys sort by version,
//! then internal (by depth, then prefix) before leaves (by path), so emitting depth
//! buckets 0..=255 and then the leaves yields ascending keys, which LMDB can append.

use crate::hash::Digest;

use super::node::{encode_internal_into, encode_leaf_into, Child, NodeKey};

/// Where one internal node's key and record sit in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    key_len: usize,
    record_len: usize,
}

/// A new leaf: its key and what its record is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewLeaf<'a> {
    key: NodeKey,
    value_hash: Digest,
    value: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBatch<'a> {
    buf: Vec<u8>,
    /// Internal nodes by depth (index = depth), each bucket in creation order.
    internal: Vec<Vec<Span>>,
    leaves: Vec<NewLeaf<'a>>,
}

impl Default for NodeBatch<'_> {
    fn default() -> Self {
        NodeBatch {
            buf: Vec::new(),
            internal: vec![Vec::new(); 256],
            leaves: Vec::new(),
        }
    }
}

impl<'a> NodeBatch<'a> {
    pub fn with_capacity(writes: usize) -> Self {
        // Random paths give about 1.5 internal nodes of at most 160 bytes per write.
        NodeBatch {
            buf: Vec::with_capacity(writes * 240),
            leaves: Vec::with_capacity(writes),
            ..Self::default()
        }
    }

    /// Add an internal node; within a depth, calls must come in prefix order.
    pub fn push_internal(&mut self, key: &NodeKey, left: &Child, right: &Child) {
        let NodeKey::Internal { depth, .. } = key else {
            return debug_assert!(false, "a leaf key for an internal node");
        };
        let start = self.buf.len();
        key.encode_into(&mut self.buf);
        let key_len = self.buf.len() - start;
        encode_internal_into(&mut self.buf, left, right);
        let span = Span {
            start,
            key_len,
            record_len: self.buf.len() - start - key_len,
        };
        if let Some(bucket) = self.internal.get_mut(usize::from(*depth)) {
            bucket.push(span);
        }
    }

    /// Add a leaf; calls must come in path order.
    pub fn push_leaf(&mut self, key: NodeKey, value_hash: Digest, value: &'a [u8]) {
        self.leaves.push(NewLeaf {
            key,
            value_hash,
            value,
        });
    }

    pub fn len(&self) -> usize {
        self.leaves.len() + self.internal.iter().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Call `write(key, record)` for every internal node in ascending key order.
    pub fn for_each_internal<E>(
        &self,
        mut write: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        for span in self.internal.iter().flatten() {
            let key_end = span.start + span.key_len;
            let key = self.buf.get(span.start..key_end).unwrap_or_default();
            let record = self
                .buf
                .get(key_end..key_end + span.record_len)
                .unwrap_or_default();
            write(key, record)?;
        }
        Ok(())
    }

    /// Call `write(key, record)` for every node (internal, then leaves) in ascending
    /// key order.
    pub fn for_each<E>(
        &self,
        mut write: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_internal(&mut write)?;
        let mut key = Vec::with_capacity(41);
        let mut record = Vec::new();
        for leaf in &self.leaves {
            key.clear();
            leaf.key.encode_into(&mut key);
            record.clear();
            encode_leaf_into(&mut record, &leaf.value_hash, leaf.value);
            write(&key, &record)?;
        }
        Ok(())
    }

    /// Every `(key, record)` in ascending key order, copied out.
    pub fn to_records(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::with_capacity(self.len());
        let _ = self.for_each(|key, record| {
            out.push((key.to_vec(), record.to_vec()));
            Ok::<(), ()>(())
        });
        out
    }
}
