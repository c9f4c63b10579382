//! What one commit and one prune do inside their LMDB write transaction.
//!
//! Everything a block changes (tree nodes, stale index, version root, latest values,
//! aux tables, metadata) goes into one transaction, so LMDB's copy-on-write commit makes
//! it all visible at once or not at all: after a crash the previous commit is simply
//! what the last durable meta page points to, with no recovery step.

use std::ops::Bound;

use heed::{PutFlags, RwTxn};

use crate::hash::Digest;
use crate::smt::node::{encode_leaf, split_stale_entry, stale_entry_key};
use crate::smt::{apply_batch, key_path, value_hash, Child, NodeKey, StateWrite};
use crate::CoreError;

use super::errors::Failure;
use super::meta::{
    encode_latest, encode_latest_value, latest_key, oldest_key, read_latest, read_latest_value,
    read_oldest, read_root, Latest, TxnTreeReader,
};
use super::tables::{Tables, AUX_TABLES};

/// What a state write does to the latest table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A new value for a key that had none (or a delete of a key that had none).
    Set,
    /// Replaces or deletes a value, which has moved into history.
    Replace,
    /// The same value again: the tree kept the old leaf, so the record stays.
    Skip,
}

/// One aux-table write: `(table, key, Some(value))` sets, `None` deletes.
pub type AuxWrite<'a> = (&'a str, &'a [u8], Option<&'a [u8]>);

/// Longest aux key (LMDB's key limit).
pub const MAX_AUX_KEY_LEN: usize = 511;

/// Largest aux value (a block, a receipt batch).
pub const MAX_AUX_VALUE_LEN: usize = 64 << 20;

/// How many stale entries a prune collects before deleting them.
const PRUNE_CHUNK: usize = 4096;

/// Reject a bad aux write before any transaction starts.
pub fn check_aux(writes: &[AuxWrite<'_>]) -> Result<(), CoreError> {
    for (table, key, value) in writes {
        if !AUX_TABLES.contains(table) {
            return Err(CoreError::InvalidInput(format!(
                "unknown table {table:?}; the tables are {}",
                AUX_TABLES.join(", ")
            )));
        }
        check_aux_key(key)?;
        if let Some(value) = value {
            if value.len() > MAX_AUX_VALUE_LEN {
                return Err(CoreError::InvalidInput(format!(
                    "an aux value must be at most {MAX_AUX_VALUE_LEN} bytes, got {}",
                    value.len()
                )));
            }
        }
    }
    Ok(())
}

pub fn check_aux_key(key: &[u8]) -> Result<(), CoreError> {
    if key.is_empty() || key.len() > MAX_AUX_KEY_LEN {
        return Err(CoreError::InvalidInput(format!(
            "an aux key must be 1 to {MAX_AUX_KEY_LEN} bytes, got {}",
            key.len()
        )));
    }
    Ok(())
}

/// The aux writes, table by table in key order (a stable sort: a key written twice keeps
/// its last write). In order, B-tree inserts walk the pages once, in turn; a key past the
/// table's last one (a new block's rows, events) is appended, which skips the search
/// and fills pages instead of splitting them in half.
fn write_aux(tables: &Tables, wtxn: &mut RwTxn<'_>, aux: &[AuxWrite<'_>]) -> Result<(), Failure> {
    let mut ordered: Vec<&AuxWrite<'_>> = aux.iter().collect();
    ordered.sort_by(|(t1, k1, _), (t2, k2, _)| (t1, k1).cmp(&(t2, k2)));
    let mut current: Option<(&str, super::tables::Table)> = None;
    // Every key of the table is below `last` (it may be above the real last key after a
    // delete, which only makes appending rarer, never wrong).
    let mut last: Option<Vec<u8>> = None;
    for &&(table, key, value) in &ordered {
        let db = match current {
            Some((name, db)) if name == table => db,
            _ => {
                let db = tables.aux(table)?;
                last = db.last(wtxn)?.map(|(k, _)| k.to_vec());
                current = Some((table, db));
                db
            }
        };
        match value {
            Some(value) if last.as_deref().is_none_or(|l| key > l) => {
                db.put_with_flags(wtxn, PutFlags::APPEND, key, value)?;
                last = Some(key.to_vec());
            }
            Some(value) => db.put(wtxn, key, value)?,
            None => {
                db.delete(wtxn, key)?;
            }
        }
    }
    Ok(())
}

/// Apply one version inside `wtxn`; returns the new state root.
pub fn commit_in_txn(
    tables: &Tables,
    wtxn: &mut RwTxn<'_>,
    version: u64,
    state: &[StateWrite<'_>],
    aux: &[AuxWrite<'_>],
    keep_versions: Option<u64>,
) -> Result<Digest, Failure> {
    let latest = read_latest(tables, wtxn)?;
    let prev_root = match latest {
        Some(Latest { version: last, .. }) if version <= last => {
            return Err(CoreError::Conflict(format!(
                "version {version} is not after the latest committed version {last}"
            ))
            .into());
        }
        Some(Latest { version: last, .. }) => read_root(tables, wtxn, last)?,
        None => Child::Empty,
    };
    let update = apply_batch(
        &TxnTreeReader { tables, txn: wtxn },
        &prev_root,
        version,
        state,
    )?;

    // Internal node, stale and root keys all begin with `version`, above every stored
    // key, and come sorted: appending skips the B-tree searches and fills pages.
    update.new_nodes.for_each_internal(|key, record| {
        tables
            .nodes
            .put_with_flags(wtxn, PutFlags::APPEND, key, record)
    })?;
    for node_key in &update.stale_nodes {
        tables.stale.put_with_flags(
            wtxn,
            PutFlags::APPEND,
            &stale_entry_key(version, node_key),
            &[],
        )?;
    }
    tables.roots.put_with_flags(
        wtxn,
        PutFlags::APPEND,
        &version.to_be_bytes(),
        &update.root.encode(),
    )?;

    // Each value is stored once. New leaves are not written as records: their values go
    // to the latest table, tagged with the leaf's version. A value that is replaced or
    // deleted moves from there into its leaf record, which history reads and proofs use
    // and which pruning deletes once no retained version needs it.
    let mut role = vec![Role::Set; state.len()];
    for &(index, old_version) in &update.replaced {
        let key = state.get(index).map(|(key, _)| *key).unwrap_or_default();
        let old_value = match read_latest_value(tables, wtxn, key)? {
            Some((current, value)) if current == old_version => value.to_vec(),
            _ => {
                return Err(CoreError::Storage(
                    "the latest-value table disagrees with the state tree".into(),
                )
                .into())
            }
        };
        let leaf_key = NodeKey::leaf(old_version, key_path(key)).encode();
        tables.nodes.put(
            wtxn,
            &leaf_key,
            &encode_leaf(&value_hash(&old_value), &old_value),
        )?;
        if let Some(slot) = role.get_mut(index) {
            *slot = Role::Replace;
        }
    }
    for &index in &update.unchanged {
        if let Some(slot) = role.get_mut(index) {
            *slot = Role::Skip;
        }
    }
    // In key order: neighbouring puts touch the same pages.
    let mut ordered: Vec<(&StateWrite<'_>, Role)> = state.iter().zip(role).collect();
    ordered.sort_unstable_by_key(|((key, _), _)| *key);
    let mut record = Vec::new();
    for ((key, value), role) in ordered {
        match (value, role) {
            (_, Role::Skip) => {}
            (Some(value), _) => {
                encode_latest_value(&mut record, version, value);
                tables.latest.put(wtxn, key, &record)?;
            }
            // Deleting a key that was never set needs no write.
            (None, Role::Set) => {}
            (None, Role::Replace) => {
                tables.latest.delete(wtxn, key)?;
            }
        }
    }

    write_aux(tables, wtxn, aux)?;

    let root = update.root.hash();
    tables.meta.put(
        wtxn,
        latest_key(),
        &encode_latest(&Latest { version, root }),
    )?;
    if latest.is_none() {
        tables
            .meta
            .put(wtxn, oldest_key(), &version.to_be_bytes())?;
    }
    if let Some(keep) = keep_versions {
        // Keep `keep` versions: `version - (keep - 1)` onwards (`keep >= 1` is validated).
        if let Some(keep_from) = version.checked_sub(keep.saturating_sub(1)) {
            prune_in_txn(tables, wtxn, keep_from)?;
        }
    }
    Ok(root)
}

/// Forget every version before `keep_from`: delete the nodes that became stale at or
/// before it (no retained root reaches them) and the older root records. Only the stale
/// index is scanned, never the tree. Returns the number of nodes deleted.
pub fn prune_in_txn(tables: &Tables, wtxn: &mut RwTxn<'_>, keep_from: u64) -> Result<u64, Failure> {
    let Some(latest) = read_latest(tables, wtxn)? else {
        return Ok(0);
    };
    if keep_from > latest.version {
        return Err(CoreError::InvalidInput(format!(
            "cannot prune up to version {keep_from}: the latest version is {}",
            latest.version
        ))
        .into());
    }
    let oldest = read_oldest(tables, wtxn)?.unwrap_or(0);
    if keep_from <= oldest {
        return Ok(0);
    }

    // Stale entries with `stale_since <= keep_from` are the keys below `keep_from + 1`.
    let end_bytes = keep_from.checked_add(1).map(u64::to_be_bytes);
    let end = match &end_bytes {
        Some(bytes) => Bound::Excluded(bytes.as_slice()),
        None => Bound::Unbounded,
    };
    let mut deleted = 0u64;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let start = match &after {
            Some(last) => Bound::Excluded(last.as_slice()),
            None => Bound::Unbounded,
        };
        let mut chunk: Vec<Vec<u8>> = Vec::with_capacity(PRUNE_CHUNK);
        for entry in tables.stale.range(wtxn, &(start, end))? {
            let (key, _) = entry?;
            chunk.push(key.to_vec());
            if chunk.len() == PRUNE_CHUNK {
                break;
            }
        }
        let Some(last) = chunk.last().cloned() else {
            break;
        };
        for entry in &chunk {
            let (_, node_key) = split_stale_entry(entry)?;
            if tables.nodes.delete(wtxn, node_key)? {
                deleted += 1;
            }
        }
        after = Some(last);
    }
    tables.stale.delete_range(wtxn, &(Bound::Unbounded, end))?;
    let keep_from_bytes = keep_from.to_be_bytes();
    tables.roots.delete_range(
        wtxn,
        &(
            Bound::Unbounded,
            Bound::Excluded(keep_from_bytes.as_slice()),
        ),
    )?;
    tables.meta.put(wtxn, oldest_key(), &keep_from_bytes)?;
    Ok(deleted)
}
