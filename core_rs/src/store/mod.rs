//! The LMDB store: authenticated state, its history and the ledger's tables, committed
//! together in one write transaction per version.
//!
//! - [`tables`]: the named databases, declared once;
//! - [`commit`]: what a commit and a prune write;
//! - [`meta`]: metadata records and the tree reader over a transaction;
//! - [`errors`]: LMDB errors as core errors.
//!
//! Concurrency: any number of threads may read while one commits (LMDB read
//! transactions see the last commit as of their start). Commits and prunes are
//! serialised. Growing the memory map needs every transaction of this process closed,
//! so each transaction holds a shared lock that a resize or `close` takes exclusively.

pub mod commit;
pub mod errors;
pub mod meta;
pub mod tables;

#[cfg(test)]
mod tests;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock};

use heed::{EnvFlags, EnvOpenOptions, MdbError, RoTxn, RwTxn, WithoutTls};

use crate::hash::Digest;
use crate::smt::{self, empty_root, lookup, Child, StateProof, StateWrite};
use crate::{CoreError, CoreResult};

pub use commit::{AuxWrite, MAX_AUX_KEY_LEN, MAX_AUX_VALUE_LEN};
pub use tables::AUX_TABLES;

use commit::{check_aux, check_aux_key, commit_in_txn, prune_in_txn};
use errors::{from_heed, heed_core, Failure};
use meta::{check_format, format_key, format_record, read_latest, read_root, TxnTreeReader};
use tables::{Tables, MAX_DBS};

/// Map sizes are kept multiples of this (a multiple of every common OS page size).
const MAP_GRANULE: usize = 64 << 10;

/// Smallest accepted map size.
pub const MIN_MAP_SIZE: usize = 256 << 10;

/// Most items one `aux_range` call returns.
pub const MAX_RANGE_LIMIT: usize = 100_000;

/// How a store is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Initial size of the memory map (virtual address space, not disk): 1 GiB.
    pub map_size: usize,
    /// The map doubles when full, up to this (1 TiB); at the cap a commit fails with
    /// `StorageFull` and writes nothing. Equal to `map_size` disables growth.
    pub max_map_size: usize,
    /// Concurrent read transactions across all processes (256).
    pub max_readers: u32,
    /// `true` (default): every commit is fsynced before it returns, so it survives power
    /// loss. `false` skips the fsync: still atomic and safe against a process crash, but
    /// an OS crash may lose the latest commits (never corrupt older ones).
    pub durable: bool,
    /// Keep only the last N versions, pruning older ones in each commit; `None` keeps all.
    pub keep_versions: Option<u64>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            map_size: 1 << 30,
            max_map_size: 1 << 40,
            max_readers: 256,
            durable: true,
            keep_versions: None,
        }
    }
}

impl StoreOptions {
    /// Check the options and round map sizes up to the map granule.
    fn normalized(&self) -> CoreResult<StoreOptions> {
        let map_size = round_up(self.map_size)?;
        let max_map_size = round_up(self.max_map_size)?;
        if map_size < MIN_MAP_SIZE {
            return Err(CoreError::InvalidInput(format!(
                "map_size must be at least {MIN_MAP_SIZE} bytes, got {}",
                self.map_size
            )));
        }
        if max_map_size < map_size {
            return Err(CoreError::InvalidInput(
                "max_map_size must be at least map_size".into(),
            ));
        }
        if !(1..=65_536).contains(&self.max_readers) {
            return Err(CoreError::InvalidInput(
                "max_readers must be 1 to 65536".into(),
            ));
        }
        if self.keep_versions == Some(0) {
            return Err(CoreError::InvalidInput(
                "keep_versions must be at least 1".into(),
            ));
        }
        Ok(StoreOptions {
            map_size,
            max_map_size,
            ..self.clone()
        })
    }
}

fn round_up(size: usize) -> CoreResult<usize> {
    size.checked_next_multiple_of(MAP_GRANULE)
        .ok_or_else(|| CoreError::InvalidInput(format!("map size {size} is too large")))
}

struct Opened {
    env: heed::Env<WithoutTls>,
    tables: Tables,
}

/// An open data directory. `Send + Sync`: share it between threads.
pub struct Store {
    opened: RwLock<Option<Opened>>,
    writer: Mutex<()>,
    options: StoreOptions,
    path: PathBuf,
}

impl Store {
    /// Open the store in `path`, creating the directory and tables if needed, and
    /// clearing reader slots left by crashed processes.
    pub fn open(path: &Path, options: StoreOptions) -> CoreResult<Store> {
        let options = options.normalized()?;
        std::fs::create_dir_all(path)
            .map_err(|e| CoreError::Storage(format!("cannot create the data directory: {e}")))?;
        let mut env_options = EnvOpenOptions::new().read_txn_without_tls();
        env_options
            .map_size(options.map_size)
            .max_readers(options.max_readers)
            .max_dbs(MAX_DBS);
        if !options.durable {
            // SAFETY: NO_SYNC only drops the fsync at commit; LMDB stays atomic and
            // consistent against process crashes. The caller opted out of power-loss
            // durability explicitly.
            unsafe {
                env_options.flags(EnvFlags::NO_SYNC);
            }
        }
        // SAFETY: the data files are only modified through LMDB; heed refuses a second
        // open of the same directory in this process.
        let env = unsafe { env_options.open(path) }.map_err(heed_core)?;
        env.clear_stale_readers().map_err(heed_core)?;
        let tables = loop {
            match create_tables(&env) {
                Ok(tables) => break tables,
                // No transaction is open on this fresh environment, so it may grow.
                Err(Failure::MapFull) => grow_map(&env, options.max_map_size)?,
                Err(other) => return Err(other.into_core()),
            }
        };
        Ok(Store {
            opened: RwLock::new(Some(Opened { env, tables })),
            writer: Mutex::new(()),
            options,
            path: path.to_path_buf(),
        })
    }

    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Commit `state` and `aux` writes as `version` (greater than the latest) in one
    /// transaction and return the new state root. On any error nothing is written.
    pub fn commit(
        &self,
        version: u64,
        state: &[StateWrite<'_>],
        aux: &[AuxWrite<'_>],
    ) -> CoreResult<Digest> {
        check_aux(aux)?;
        let keep = self.options.keep_versions;
        self.write(|tables, wtxn| commit_in_txn(tables, wtxn, version, state, aux, keep))
    }

    /// The state root that committing `state` as `version` would give, without writing
    /// anything. A block header carries the root of the state it commits, and the header
    /// is written in the same commit, so the root must be known before the commit.
    pub fn preview_root(&self, version: u64, state: &[StateWrite<'_>]) -> CoreResult<Digest> {
        self.read(|tables, txn| {
            let prev_root = match read_latest(tables, txn)? {
                Some(latest) if version <= latest.version => {
                    return Err(CoreError::Conflict(format!(
                        "version {version} is not after the latest committed version {}",
                        latest.version
                    )));
                }
                Some(latest) => read_root(tables, txn, latest.version)?,
                None => Child::Empty,
            };
            Ok(smt::apply_batch(&TxnTreeReader { tables, txn }, &prev_root, version, state)?.root.hash())
        })
    }

    /// Forget versions before `keep_from` (which must not exceed the latest version);
    /// returns the number of tree nodes deleted.
    pub fn prune(&self, keep_from: u64) -> CoreResult<u64> {
        self.write(|tables, wtxn| prune_in_txn(tables, wtxn, keep_from))
    }

    /// The latest committed version, or `None` for a fresh store.
    pub fn latest_version(&self) -> CoreResult<Option<u64>> {
        self.read(|tables, txn| Ok(read_latest(tables, txn)?.map(|l| l.version)))
    }

    /// The state root at `version`, or the latest (the empty root for a fresh store).
    pub fn root(&self, version: Option<u64>) -> CoreResult<Digest> {
        self.read(|tables, txn| match version {
            None => Ok(read_latest(tables, txn)?.map_or_else(empty_root, |l| l.root)),
            Some(v) => Ok(read_root(tables, txn, v)?.hash()),
        })
    }

    /// The value of `key` at `version` (latest when `None`); historical reads walk the
    /// tree of that version, latest reads use the latest-value table.
    pub fn get(&self, key: &[u8], version: Option<u64>) -> CoreResult<Option<Vec<u8>>> {
        smt::check_key(key)?;
        self.read(|tables, txn| {
            let latest = read_latest(tables, txn)?;
            match (version, latest) {
                (None, _) => latest_value(tables, txn, key),
                (Some(v), Some(l)) if v == l.version => latest_value(tables, txn, key),
                (Some(v), _) => {
                    let root = read_root(tables, txn, v)?;
                    lookup::get(&TxnTreeReader { tables, txn }, &root, key)
                }
            }
        })
    }

    /// The value of `key` at `version` (latest when `None`) with its proof against
    /// `root(version)`.
    pub fn get_with_proof(
        &self,
        key: &[u8],
        version: Option<u64>,
    ) -> CoreResult<(Option<Vec<u8>>, StateProof)> {
        smt::check_key(key)?;
        self.read(|tables, txn| {
            let root = match (version, read_latest(tables, txn)?) {
                (Some(v), _) => read_root(tables, txn, v)?,
                (None, Some(l)) => read_root(tables, txn, l.version)?,
                (None, None) => Child::Empty,
            };
            lookup::prove(&TxnTreeReader { tables, txn }, &root, key)
        })
    }

    /// The value under `key` in the aux table `table`.
    pub fn aux_get(&self, table: &str, key: &[u8]) -> CoreResult<Option<Vec<u8>>> {
        check_aux_key(key)?;
        self.read(|tables, txn| {
            let db = tables.aux(table)?;
            Ok(db.get(txn, key).map_err(heed_core)?.map(<[u8]>::to_vec))
        })
    }

    /// Up to `limit` entries of `table` with `start <= key < end` (`end = None`: to the
    /// last key), in key order.
    pub fn aux_range(
        &self,
        table: &str,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        if start.len() > MAX_AUX_KEY_LEN || end.is_some_and(|e| e.len() > MAX_AUX_KEY_LEN) {
            return Err(CoreError::InvalidInput(format!(
                "range bounds are at most {MAX_AUX_KEY_LEN} bytes"
            )));
        }
        if limit > MAX_RANGE_LIMIT {
            return Err(CoreError::InvalidInput(format!(
                "limit must be at most {MAX_RANGE_LIMIT}"
            )));
        }
        self.read(|tables, txn| range_in(tables.aux(table)?, txn, start, end, limit, Ok))
    }

    /// Up to `limit` latest state values with `start <= key < end` (`end = None`: to the
    /// last key), in key order. The execution overlay merges these with pending writes
    /// so that plugins can iterate their state in order.
    pub fn range(&self, start: &[u8], end: Option<&[u8]>, limit: usize) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        if start.len() > smt::MAX_KEY_LEN || end.is_some_and(|e| e.len() > smt::MAX_KEY_LEN) {
            return Err(CoreError::InvalidInput(format!("range bounds are at most {} bytes", smt::MAX_KEY_LEN)));
        }
        if limit > MAX_RANGE_LIMIT {
            return Err(CoreError::InvalidInput(format!("limit must be at most {MAX_RANGE_LIMIT}")));
        }
        self.read(|tables, txn| {
            range_in(tables.latest, txn, start, end, limit, |record| {
                Ok(meta::split_latest_record(record)?.1)
            })
        })
    }

    /// Current size of the memory map, in bytes.
    pub fn map_size(&self) -> CoreResult<usize> {
        let guard = self.opened.read().unwrap_or_else(PoisonError::into_inner);
        Ok(opened(&guard)?.env.info().map_size)
    }

    /// Close the environment once running calls finish; later calls fail with a
    /// storage error. Closing twice is harmless.
    pub fn close(&self) {
        let mut guard = self.opened.write().unwrap_or_else(PoisonError::into_inner);
        *guard = None;
    }

    pub fn is_closed(&self) -> bool {
        self.opened
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// Run `read` in a read transaction.
    fn read<T>(&self, read: impl FnOnce(&Tables, &RoTxn<'_>) -> CoreResult<T>) -> CoreResult<T> {
        {
            let guard = self.opened.read().unwrap_or_else(PoisonError::into_inner);
            let opened = opened(&guard)?;
            let txn = opened.env.read_txn();
            match txn {
                Ok(txn) => return read(&opened.tables, &txn),
                Err(heed::Error::Mdb(MdbError::MapResized)) => {}
                Err(err) => return Err(heed_core(err)),
            }
        }
        // Another process grew the map: adopt its size, then start again.
        self.adopt_map_size()?;
        self.read(read)
    }

    /// Run `write` in a write transaction and commit it; when the map is full, abort,
    /// grow the map and run it again (the closure starts from the same committed state).
    fn write<T>(
        &self,
        mut write: impl FnMut(&Tables, &mut RwTxn<'_>) -> Result<T, Failure>,
    ) -> CoreResult<T> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let outcome = {
                let guard = self.opened.read().unwrap_or_else(PoisonError::into_inner);
                let opened = opened(&guard)?;
                let txn = opened.env.write_txn();
                #[allow(clippy::let_and_return)] // the binding ends the borrow of `guard` in time
                let outcome = match txn {
                    Err(err) => Err(from_heed(err)),
                    Ok(mut wtxn) => match write(&opened.tables, &mut wtxn) {
                        Ok(value) => wtxn.commit().map(|()| value).map_err(from_heed),
                        // Dropping the transaction aborts it: nothing was written.
                        Err(failure) => Err(failure),
                    },
                };
                outcome
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err(Failure::MapFull) => self.grow()?,
                Err(Failure::MapResized) => self.adopt_map_size()?,
                Err(Failure::Core(err)) => return Err(err),
            }
        }
    }

    /// Double the map (up to `max_map_size`) with every transaction of this store closed.
    fn grow(&self) -> CoreResult<()> {
        let guard = self.opened.write().unwrap_or_else(PoisonError::into_inner);
        grow_map(&opened(&guard)?.env, self.options.max_map_size)
    }

    fn adopt_map_size(&self) -> CoreResult<()> {
        let guard = self.opened.write().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: the exclusive lock means no transaction of this store is open, and heed
        // allows one environment per directory per process. Size 0 adopts the size
        // another process set.
        unsafe { opened(&guard)?.env.resize(0) }.map_err(heed_core)
    }
}

fn opened(slot: &Option<Opened>) -> CoreResult<&Opened> {
    slot.as_ref()
        .ok_or_else(|| CoreError::Storage("the store is closed".into()))
}

/// Up to `limit` entries of `db` with `start <= key < end`, in key order; `value_of`
/// takes the value out of the stored record (tables differ in their record layout).
fn range_in<'t>(
    db: tables::Table,
    txn: &'t RoTxn<'_>,
    start: &[u8],
    end: Option<&[u8]>,
    limit: usize,
    value_of: impl Fn(&'t [u8]) -> CoreResult<&'t [u8]>,
) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
    if limit == 0 || end.is_some_and(|e| e <= start) {
        return Ok(Vec::new());
    }
    // LMDB rejects zero-length keys, even as a cursor position.
    let lower = if start.is_empty() { Bound::Unbounded } else { Bound::Included(start) };
    let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
    let mut out = Vec::new();
    for entry in db.range(txn, &(lower, upper)).map_err(heed_core)? {
        let (key, record) = entry.map_err(heed_core)?;
        out.push((key.to_vec(), value_of(record)?.to_vec()));
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

fn latest_value(tables: &Tables, txn: &RoTxn<'_>, key: &[u8]) -> CoreResult<Option<Vec<u8>>> {
    Ok(meta::read_latest_value(tables, txn, key)?.map(|(_, value)| value.to_vec()))
}

fn create_tables(env: &heed::Env<WithoutTls>) -> Result<Tables, Failure> {
    let mut wtxn = env.write_txn()?;
    let tables = Tables::create(env, &mut wtxn)?;
    if !check_format(&tables, &wtxn)? {
        tables.meta.put(&mut wtxn, format_key(), &format_record())?;
    }
    wtxn.commit()?;
    Ok(tables)
}

/// Grow the map of `env`, which must have no open transaction in this process.
fn grow_map(env: &heed::Env<WithoutTls>, max_map_size: usize) -> CoreResult<()> {
    let current = env.info().map_size;
    if current >= max_map_size {
        return Err(CoreError::StorageFull(format!(
            "the LMDB map of {current} bytes is full and max_map_size ({max_map_size}) stops it \
             growing; nothing was written"
        )));
    }
    let next = round_up(current.saturating_mul(2))?.min(max_map_size);
    // SAFETY: the caller holds the exclusive lock (or owns a fresh environment), so no
    // transaction is active in this process; `next` is a multiple of the page size.
    unsafe { env.resize(next) }.map_err(heed_core)
}
