//! The named LMDB databases of a store, declared in one place.

use heed::types::Bytes;
use heed::{Database, Env, RwTxn, WithoutTls};

use crate::{CoreError, CoreResult};

use super::errors::Failure;

/// The auxiliary tables the ledger writes beside the state, in the same transaction.
/// Fixed: a new table is a new release, so every node opens the same set.
pub const AUX_TABLES: [&str; 5] = ["blocks", "receipts", "tx_index", "events", "meta"];

/// LMDB names of the store's own tables (the aux tables are `aux/<name>`).
const NODES: &str = "state/nodes";
const ROOTS: &str = "state/roots";
const STALE: &str = "state/stale";
const LATEST: &str = "state/latest";
const STORE_META: &str = "store/meta";

/// Named databases to reserve: ours plus room for later releases.
pub const MAX_DBS: u32 = 16;

pub type Table = Database<Bytes, Bytes>;

/// Handles to every table; cheap to copy.
#[derive(Clone, Copy)]
pub struct Tables {
    /// Tree nodes, keyed as in `smt::node` (version first): internal nodes, and the
    /// leaves of superseded values.
    pub nodes: Table,
    /// Version (u64 BE) → root child reference.
    pub roots: Table,
    /// Stale-node index: `stale_since(8) ‖ node key` → empty.
    pub stale: Table,
    /// Raw state key → version of its leaf ‖ current value: latest reads without walking
    /// the tree, and the only copy of each current value.
    pub latest: Table,
    /// The store's own metadata (format, latest version and root, oldest version).
    pub meta: Table,
    /// The auxiliary tables, in `AUX_TABLES` order.
    pub aux: [Table; 5],
}

impl Tables {
    /// Open (creating if needed) every table in one write transaction.
    pub fn create(env: &Env<WithoutTls>, wtxn: &mut RwTxn) -> Result<Tables, Failure> {
        let mut open = |name: &str| -> Result<Table, Failure> {
            Ok(env.create_database::<Bytes, Bytes>(wtxn, Some(name))?)
        };
        let nodes = open(NODES)?;
        let roots = open(ROOTS)?;
        let stale = open(STALE)?;
        let latest = open(LATEST)?;
        let meta = open(STORE_META)?;
        let mut aux = [nodes; 5];
        for (slot, name) in aux.iter_mut().zip(AUX_TABLES) {
            *slot = open(&format!("aux/{name}"))?;
        }
        Ok(Tables {
            nodes,
            roots,
            stale,
            latest,
            meta,
            aux,
        })
    }

    /// The handle of the aux table called `name`.
    pub fn aux(&self, name: &str) -> CoreResult<Table> {
        AUX_TABLES
            .iter()
            .position(|t| *t == name)
            .and_then(|i| self.aux.get(i).copied())
            .ok_or_else(|| {
                CoreError::InvalidInput(format!(
                    "unknown table {name:?}; the tables are {}",
                    AUX_TABLES.join(", ")
                ))
            })
    }
}
