//! The write overlay: a block's pending writes over the committed state.
//!
//! Execution never writes to the store. Every put/delete lands in the overlay; reads
//! see pending writes first, then the committed state; ranges merge both in key order
//! (pending deletions hide committed values). Checkpoints nest (one per transaction,
//! one per cross-plugin call): `rollback` undoes exactly the writes made since the
//! matching `checkpoint`, `release` keeps them in the enclosing one. At the end of a
//! block, `write_set` is what `Store::commit` receives.
//!
//! Everything is ordered (`BTreeMap`), so no hash order can leak into results.

pub mod meter;
pub mod namespace;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use crate::smt::{MAX_KEY_LEN, MAX_VALUE_LEN};
use crate::store::{Store, MAX_RANGE_LIMIT};
use crate::{CoreError, CoreResult};

/// The committed state under an overlay: latest values, readable by key and in order.
pub trait Committed {
    fn get(&self, key: &[u8]) -> CoreResult<Option<Vec<u8>>>;
    /// Up to `limit` pairs with `start <= key < end`, ascending.
    fn range(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>>;
}

impl Committed for Store {
    fn get(&self, key: &[u8]) -> CoreResult<Option<Vec<u8>>> {
        Store::get(self, key, None)
    }

    fn range(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        Store::range(self, start, end, limit)
    }
}

/// A pending entry: `Some(value)` written, `None` deleted.
type Pending = Option<Vec<u8>>;

/// A block's write set: every pending entry, in key order.
pub type WriteSet = Vec<(Vec<u8>, Pending)>;

/// What a key held in the overlay before a checkpoint's first write to it:
/// `None` = no pending entry at all.
type Undo = Option<Pending>;

/// Pairs read from the committed state per page while merging a range.
const PAGE: usize = 256;

/// Most bytes (keys plus values) of committed reads an overlay remembers before it
/// forgets them all at once: bounds its memory whatever a block reads.
pub const MAX_REMEMBERED_BYTES: usize = 16 << 20;

/// Committed values already read, by key (`None`: the key was absent). Only looked
/// up, never iterated, so the hash order cannot reach any output.
#[derive(Debug, Default, Clone)]
struct Remembered {
    values: HashMap<Vec<u8>, Option<Vec<u8>>>,
    bytes: usize,
}

/// Pending writes with nested checkpoints. Holds no reference to the committed state:
/// the caller passes it to the reads, so one overlay type serves any store.
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    pending: BTreeMap<Vec<u8>, Pending>,
    /// One frame per open checkpoint: key → its entry before the checkpoint's first write.
    frames: Vec<BTreeMap<Vec<u8>, Undo>>,
    /// Committed reads kept for the overlay's life, when asked for (see `remember_reads`).
    remembered: Option<Remembered>,
    /// Keys under this prefix are watched (see `watch`).
    watched: Option<Vec<u8>>,
    /// Changes of watched keys so far (see `watched_changes`).
    changes: u64,
}

impl Overlay {
    pub fn new() -> Overlay {
        Overlay::default()
    }

    /// An overlay that remembers every committed value it reads, so a key read again
    /// (a parameter, an account, a token: every transaction of a block reads them) costs
    /// a map lookup, not a store read. Only for an overlay whose committed state does
    /// not change while it lives (one block's execution): a commit to the store under
    /// it would not be seen.
    pub fn remembering_reads() -> Overlay {
        Overlay {
            remembered: Some(Remembered::default()),
            ..Overlay::default()
        }
    }

    /// Watch the keys under `prefix`: `watched_changes` then counts every write or
    /// deletion of one, and every rollback that undoes one. While the count stays the
    /// same, every watched key reads as it did (given a committed state that does not
    /// change): a check that read only watched keys need not read them again.
    pub fn watch(mut self, prefix: &[u8]) -> Overlay {
        self.watched = Some(prefix.to_vec());
        self
    }

    /// The watched prefix, if any.
    pub fn watched(&self) -> Option<&[u8]> {
        self.watched.as_deref()
    }

    /// How many times a watched key changed (0 when nothing is watched).
    pub fn watched_changes(&self) -> u64 {
        self.changes
    }

    fn is_watched(&self, key: &[u8]) -> bool {
        self.watched
            .as_deref()
            .is_some_and(|prefix| key.starts_with(prefix))
    }

    /// The value of `key`: the pending entry if any, else the committed one.
    pub fn get<C: Committed + ?Sized>(&self, base: &C, key: &[u8]) -> CoreResult<Option<Vec<u8>>> {
        match self.local(key)? {
            Some(entry) => Ok(entry.map(<[u8]>::to_vec)),
            None => base.get(key),
        }
    }

    /// What `get` answers without reading the store: `Some(entry)` from the pending
    /// writes or the remembered committed reads, `None` when only the store knows.
    pub fn local(&self, key: &[u8]) -> CoreResult<Option<Option<&[u8]>>> {
        check_key(key)?;
        if let Some(entry) = self.pending.get(key) {
            return Ok(Some(entry.as_deref()));
        }
        Ok(self
            .remembered
            .as_ref()
            .and_then(|memo| memo.values.get(key))
            .map(|entry| entry.as_deref()))
    }

    /// Does this overlay remember committed reads?
    pub fn remembers_reads(&self) -> bool {
        self.remembered.is_some()
    }

    /// Note that the committed state holds `value` at `key` (an overlay that does not
    /// remember reads ignores it). Emptied at once when past `MAX_REMEMBERED_BYTES`.
    pub fn remember(&mut self, key: &[u8], value: Option<&[u8]>) {
        let Some(memo) = self.remembered.as_mut() else {
            return;
        };
        let size = key.len() + value.map_or(0, <[u8]>::len);
        if memo.bytes + size > MAX_REMEMBERED_BYTES {
            memo.values.clear();
            memo.bytes = 0;
        }
        if memo
            .values
            .insert(key.to_vec(), value.map(<[u8]>::to_vec))
            .is_none()
        {
            memo.bytes += size;
        }
    }

    pub fn put(&mut self, key: &[u8], value: &[u8]) -> CoreResult<()> {
        check_key(key)?;
        if value.len() > MAX_VALUE_LEN {
            return Err(CoreError::InvalidInput(format!(
                "a state value is at most {MAX_VALUE_LEN} bytes, got {}",
                value.len()
            )));
        }
        self.set(key, Some(value.to_vec()));
        Ok(())
    }

    pub fn delete(&mut self, key: &[u8]) -> CoreResult<()> {
        check_key(key)?;
        self.set(key, None);
        Ok(())
    }

    fn set(&mut self, key: &[u8], entry: Pending) {
        if self.is_watched(key) {
            self.changes += 1;
        }
        let previous = self.pending.insert(key.to_vec(), entry);
        if let Some(frame) = self.frames.last_mut() {
            frame.entry(key.to_vec()).or_insert(previous);
        }
    }

    /// Open a checkpoint; returns the depth (1 for the outermost).
    pub fn checkpoint(&mut self) -> usize {
        self.frames.push(BTreeMap::new());
        self.frames.len()
    }

    /// Undo every write since the innermost open checkpoint, and close it.
    pub fn rollback(&mut self) -> CoreResult<()> {
        let frame = self.frames.pop().ok_or_else(no_checkpoint)?;
        if frame.keys().any(|key| self.is_watched(key)) {
            self.changes += 1;
        }
        for (key, undo) in frame {
            match undo {
                None => {
                    self.pending.remove(&key);
                }
                Some(entry) => {
                    self.pending.insert(key, entry);
                }
            }
        }
        Ok(())
    }

    /// Keep the writes since the innermost open checkpoint, and close it. Their undo
    /// records move to the enclosing checkpoint, which can still roll them back.
    pub fn release(&mut self) -> CoreResult<()> {
        let frame = self.frames.pop().ok_or_else(no_checkpoint)?;
        if let Some(parent) = self.frames.last_mut() {
            for (key, undo) in frame {
                parent.entry(key).or_insert(undo);
            }
        }
        Ok(())
    }

    /// Open checkpoints.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    /// Pending entries (writes and deletions).
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Every pending entry in key order (`None` deletes): the block's write set.
    /// Refused while a checkpoint is open, since its writes are not yet decided.
    pub fn write_set(&self) -> CoreResult<WriteSet> {
        if !self.frames.is_empty() {
            return Err(CoreError::InvalidInput(format!(
                "the write set was asked for with {} checkpoint(s) open",
                self.frames.len()
            )));
        }
        Ok(self
            .pending
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    /// Up to `limit` pairs with `start <= key < end` of the merged view, ascending.
    pub fn range<C: Committed + ?Sized>(
        &self,
        base: &C,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        if start.len() > MAX_KEY_LEN || end.is_some_and(|e| e.len() > MAX_KEY_LEN) {
            return Err(CoreError::InvalidInput(format!(
                "range bounds are at most {MAX_KEY_LEN} bytes"
            )));
        }
        if limit > MAX_RANGE_LIMIT {
            return Err(CoreError::InvalidInput(format!(
                "limit must be at most {MAX_RANGE_LIMIT}"
            )));
        }
        let mut out = Vec::new();
        if limit == 0 || end.is_some_and(|e| e <= start) {
            return Ok(out);
        }
        let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
        let mut pending = self
            .pending
            .range::<[u8], _>((Bound::Included(start), upper))
            .peekable();
        let mut cursor = Some(start.to_vec());
        while let Some(from) = cursor.take() {
            let page = base.range(&from, end, PAGE)?;
            let full = page.len() == PAGE;
            for (key, value) in page {
                // Pending keys before this committed key come first.
                while let Some((own_key, own)) =
                    pending.next_if(|(k, _)| k.as_slice() < key.as_slice())
                {
                    if let Some(own_value) = own {
                        out.push((own_key.clone(), own_value.clone()));
                        if out.len() == limit {
                            return Ok(out);
                        }
                    }
                }
                let shadowed = pending.next_if(|(k, _)| k.as_slice() == key.as_slice());
                match shadowed {
                    Some((_, Some(own_value))) => out.push((key.clone(), own_value.clone())),
                    Some((_, None)) => {}
                    None => out.push((key.clone(), value)),
                }
                if out.len() == limit {
                    return Ok(out);
                }
                if full {
                    cursor = next_key(&key);
                }
            }
            if !full {
                cursor = None;
            }
        }
        for (own_key, own) in pending {
            if let Some(own_value) = own {
                out.push((own_key.clone(), own_value.clone()));
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

fn check_key(key: &[u8]) -> CoreResult<()> {
    crate::smt::check_key(key)
}

fn no_checkpoint() -> CoreError {
    CoreError::InvalidInput("the overlay has no open checkpoint".into())
}

/// The smallest key (of at most `MAX_KEY_LEN` bytes) after `key`, or None if none exists.
pub fn next_key(key: &[u8]) -> Option<Vec<u8>> {
    if key.len() < MAX_KEY_LEN {
        let mut next = key.to_vec();
        next.push(0);
        return Some(next);
    }
    // A key of the maximum length has no extension: increment it, dropping trailing 0xff.
    let mut next = key.to_vec();
    while let Some(last) = next.pop() {
        if last != 0xff {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}
