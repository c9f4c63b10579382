//! The store's own metadata records and the tree-node reader over a transaction.

use heed::RoTxn;

use crate::hash::Digest;
use crate::smt::{Child, Node, NodeKey, TreeReader};
use crate::{CoreError, CoreResult};

use super::errors::heed_core;
use super::tables::Tables;

/// Bumped when the on-disk layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

const KEY_FORMAT: &[u8] = b"format";
const KEY_LATEST: &[u8] = b"latest";
const KEY_OLDEST: &[u8] = b"oldest";

/// The latest committed version and its state root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latest {
    pub version: u64,
    pub root: Digest,
}

pub fn format_record() -> [u8; 4] {
    FORMAT_VERSION.to_be_bytes()
}

pub fn format_key() -> &'static [u8] {
    KEY_FORMAT
}

pub fn latest_key() -> &'static [u8] {
    KEY_LATEST
}

pub fn oldest_key() -> &'static [u8] {
    KEY_OLDEST
}

/// Check the format record of an existing store (a fresh one has none yet).
pub fn check_format(tables: &Tables, txn: &RoTxn<'_>) -> CoreResult<bool> {
    match tables.meta.get(txn, KEY_FORMAT).map_err(heed_core)? {
        None => Ok(false),
        Some(bytes) if bytes == format_record() => Ok(true),
        Some(bytes) => Err(CoreError::Storage(format!(
            "this data directory has store format {bytes:?}; this build reads format {FORMAT_VERSION}"
        ))),
    }
}

pub fn encode_latest(latest: &Latest) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..8].copy_from_slice(&latest.version.to_be_bytes());
    out[8..].copy_from_slice(&latest.root);
    out
}

pub fn read_latest(tables: &Tables, txn: &RoTxn<'_>) -> CoreResult<Option<Latest>> {
    let Some(bytes) = tables.meta.get(txn, KEY_LATEST).map_err(heed_core)? else {
        return Ok(None);
    };
    let (version, root) = bytes
        .split_at_checked(8)
        .filter(|(_, root)| root.len() == 32)
        .ok_or_else(|| corrupt("latest record"))?;
    Ok(Some(Latest {
        version: u64_of(version)?,
        root: digest_of(root)?,
    }))
}

pub fn read_oldest(tables: &Tables, txn: &RoTxn<'_>) -> CoreResult<Option<u64>> {
    tables
        .meta
        .get(txn, KEY_OLDEST)
        .map_err(heed_core)?
        .map(u64_of)
        .transpose()
}

/// The root reference of `version`; `NotFound` if it was never committed or is pruned.
pub fn read_root(tables: &Tables, txn: &RoTxn<'_>, version: u64) -> CoreResult<Child> {
    match tables
        .roots
        .get(txn, &version.to_be_bytes())
        .map_err(heed_core)?
    {
        Some(bytes) => Child::decode(bytes),
        None => Err(CoreError::NotFound(format!(
            "state version {version} is not stored"
        ))),
    }
}

/// Reads tree nodes through an LMDB transaction (read or write).
pub struct TxnTreeReader<'a, 't> {
    pub tables: &'a Tables,
    pub txn: &'a RoTxn<'t>,
}

impl TreeReader for TxnTreeReader<'_, '_> {
    fn node(&self, key: &NodeKey) -> CoreResult<Option<Node>> {
        self.tables
            .nodes
            .get(self.txn, &key.encode())
            .map_err(heed_core)?
            .map(Node::decode)
            .transpose()
    }

    /// A key's current value lives in the latest table (tagged with its leaf's version);
    /// a superseded one in the leaf record written when it was superseded.
    fn leaf_value(&self, key: &[u8], version: u64, path: &Digest) -> CoreResult<Vec<u8>> {
        if let Some((current, value)) = read_latest_value(self.tables, self.txn, key)? {
            if current == version {
                return Ok(value.to_vec());
            }
        }
        match self.node(&NodeKey::leaf(version, *path))? {
            Some(Node::Leaf { value, .. }) => Ok(value),
            _ => Err(CoreError::Storage(format!(
                "the value of a state key at version {version} is missing"
            ))),
        }
    }
}

/// A latest-table record: the version of the key's leaf, then the value.
pub fn encode_latest_value(out: &mut Vec<u8>, version: u64, value: &[u8]) {
    out.clear();
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(value);
}

/// The current `(leaf version, value)` of `key`, if it has one.
pub fn read_latest_value<'t>(
    tables: &Tables,
    txn: &'t RoTxn<'_>,
    key: &[u8],
) -> CoreResult<Option<(u64, &'t [u8])>> {
    let Some(record) = tables.latest.get(txn, key).map_err(heed_core)? else {
        return Ok(None);
    };
    let (version, value) = split_latest_record(record)?;
    Ok(Some((u64_of(version)?, value)))
}

/// A latest-value record is `leaf version (8 bytes, BE) ‖ value`: split it.
pub fn split_latest_record(record: &[u8]) -> CoreResult<(&[u8], &[u8])> {
    record
        .split_at_checked(8)
        .ok_or_else(|| corrupt("latest value record"))
}

pub fn u64_of(bytes: &[u8]) -> CoreResult<u64> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| corrupt("version number"))?;
    Ok(u64::from_be_bytes(array))
}

fn digest_of(bytes: &[u8]) -> CoreResult<Digest> {
    bytes.try_into().map_err(|_| corrupt("hash"))
}

fn corrupt(what: &str) -> CoreError {
    CoreError::Storage(format!("corrupt store metadata: {what}"))
}
