//! Batch verification that decides exactly what single verification decides.
//!
//! 1. Every item goes through the same decoding rules as [`super::verify`] (lengths,
//!    canonical encodings, small-order A and R, canonical S); items that fail are `false`.
//! 2. The rest are checked together with one multiscalar multiplication:
//!    `[8]( [Σ zᵢSᵢ]B - Σ [zᵢkᵢ]Aᵢ - Σ [zᵢ]Rᵢ ) == O` with 128-bit weights `zᵢ`.
//! 3. A failing batch is bisected (a half whose sum passes clears its items, and then the
//!    other half is known to fail without computing it); small groups are decided by the
//!    single-signature equation itself, so a valid signature is never rejected.
//!
//! Why derived weights are safe. The weights come from BLAKE3 over every input of the
//! batch (Fiat–Shamir), so they are fixed only after the inputs are. After the cofactor
//! multiplication each term `Eᵢ = [8](SᵢB - kᵢAᵢ - Rᵢ)` lies in the prime-order subgroup;
//! if some `Eⱼ ≠ O`, then for any fixed values of the other weights at most one of the
//! 2^128 values of `zⱼ` (all distinct mod l, since 2^128 < l) makes the sum vanish. Modelling
//! BLAKE3 as a random oracle, an attacker who tries q batches wins with probability at most
//! q / 2^128. Determinism matters for consensus: every node derives the same weights, and
//! needs no OS randomness that could fail or be biased.
//!
//! Large batches are split into contiguous chunks, one per core (or as many as the process
//! cap of [`set_batch_threads`] allows); each chunk is decoded and checked on its own thread
//! with the weights of its items (a chunk's sum is the sub-sum of the whole, so the argument
//! above applies per chunk).
//!
//! Keys are decoded through the process-wide key cache ([`KeyDecoding::Cached`]): a busy
//! account's key is decompressed once, not once per batch.
//!
//! A key that signs several items of a chunk is looked up once, and its terms enter the
//! multiscalar multiplication as ONE point with the sum of their scalars:
//! `Σ [zᵢkᵢ]A = [Σ zᵢkᵢ]A` is the same group element, so the equation and every verdict
//! are unchanged; only the work shrinks (a busy account's transactions share a key).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};

use std::collections::HashMap;

use super::encoding::{decode_public_key, key_array, prepare_with_key, Prepared, PUBLIC_KEY_LEN};
use super::key_cache::KeyDecoding;
use super::verify::cofactored_equation_holds;
use crate::hash::{tagged_hasher_static, tags};

/// One signature to check in a batch; lengths are checked per item, not trusted.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    pub public_key: &'a [u8],
    pub message: &'a [u8],
    pub signature: &'a [u8],
}

/// Groups this small or smaller are decided one signature at a time.
const SINGLE_CHECK_AT_MOST: usize = 4;
/// A thread gets at least this many items; smaller batches stay on the calling thread.
const MIN_ITEMS_PER_THREAD: usize = 64;

/// Threads a batch may use; 0 = the default ([`default_threads`]).
static BATCH_THREADS: AtomicUsize = AtomicUsize::new(0);

/// The environment variable that sets a process's default thread cap (a positive integer).
pub const THREADS_ENV: &str = "TONOMY_SIGNATURE_THREADS";

/// Verify every item; `result[i]` is exactly `verify(items[i]).is_ok()`. Uses up to
/// [`batch_threads`] threads.
pub fn verify_batch(items: &[BatchItem<'_>]) -> Vec<bool> {
    verify_batch_with(items, batch_threads(), KeyDecoding::Cached)
}

/// Cap the threads of every later [`verify_batch`] in this process; 0 restores the
/// default. Several node processes sharing few cores gain nothing from splitting a batch
/// (each thread pays its own set-up, and a smaller multiscalar sum costs more per point),
/// so such a node can ask for 1. Verdicts never depend on it.
pub fn set_batch_threads(max_threads: usize) {
    BATCH_THREADS.store(max_threads, Ordering::Relaxed);
}

/// The thread cap [`verify_batch`] uses now.
pub fn batch_threads() -> usize {
    match BATCH_THREADS.load(Ordering::Relaxed) {
        0 => default_threads(),
        set => set,
    }
}

/// [`THREADS_ENV`] if it holds a positive integer (read once per process), else one
/// thread per core. The variable lets a launcher of several nodes on one machine set the
/// cap without a node option.
fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| threads_setting(std::env::var(THREADS_ENV).ok().as_deref()).unwrap_or_else(available_cores))
}

/// A thread count as the environment may give it: a positive integer, else nothing.
fn threads_setting(value: Option<&str>) -> Option<usize> {
    value?.trim().parse::<usize>().ok().filter(|&threads| threads > 0)
}

/// [`verify_batch`] with at most `max_threads` threads (1 = the calling thread only).
pub fn verify_batch_with_threads(items: &[BatchItem<'_>], max_threads: usize) -> Vec<bool> {
    verify_batch_with(items, max_threads, KeyDecoding::Cached)
}

/// [`verify_batch`] with at most `max_threads` threads and keys decoded as `keys` says.
pub fn verify_batch_with(items: &[BatchItem<'_>], max_threads: usize, keys: KeyDecoding) -> Vec<bool> {
    if items.is_empty() {
        return Vec::new();
    }
    let weights = batch_weights(items);
    let threads = max_threads.clamp(1, (items.len() / MIN_ITEMS_PER_THREAD).max(1));
    if threads == 1 {
        return verify_chunk(items, &weights, keys);
    }
    let chunk_len = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk_len)
            .zip(weights.chunks(chunk_len))
            .map(|(chunk, chunk_weights)| scope.spawn(move || verify_chunk(chunk, chunk_weights, keys)))
            .collect();
        let mut results = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => results.extend(part),
                // A panic is a bug; re-raise it so the caller's guard reports it.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        results
    })
}

fn available_cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// 128-bit weights from BLAKE3 over the whole batch, every part length-prefixed.
fn batch_weights(items: &[BatchItem<'_>]) -> Vec<Scalar> {
    let mut transcript = tagged_hasher_static(tags::ED25519_BATCH);
    transcript.update(&(items.len() as u64).to_le_bytes());
    for item in items {
        for part in [item.public_key, item.signature, item.message] {
            transcript.update(&(part.len() as u64).to_le_bytes());
            transcript.update(part);
        }
    }
    let mut stream = transcript.finalize_xof();
    items
        .iter()
        .map(|_| {
            let mut wide = [0u8; 32];
            stream.fill(&mut wide[..16]);
            Scalar::from_bytes_mod_order(wide)
        })
        .collect()
}

/// Decode and check one contiguous chunk on the current thread.
fn verify_chunk(items: &[BatchItem<'_>], weights: &[Scalar], decoding: KeyDecoding) -> Vec<bool> {
    let mut keys = KeyTable::new(decoding);
    let prepared: Vec<Option<Keyed>> = items
        .iter()
        .map(|item| {
            let (key, point) = keys.decode(item.public_key)?;
            let key_bytes = key_array(item.public_key).ok()?;
            let prepared = prepare_with_key(&key_bytes, point, item.message, item.signature).ok()?;
            Some(Keyed { key, prepared })
        })
        .collect();
    let mut results = vec![false; items.len()];
    let candidates: Vec<usize> = (0..items.len()).filter(|&i| prepared[i].is_some()).collect();
    let mut checker = Checker { prepared: &prepared, weights, results: &mut results };
    checker.resolve(&candidates, false);
    results
}

/// An item that passed every encoding rule, with the index of its key in the chunk.
struct Keyed {
    key: usize,
    prepared: Prepared,
}

/// The distinct public keys of a chunk, each looked up once (a bad key is remembered as
/// bad), numbered so their terms can be merged. Only looked up, never iterated, so the
/// map's order reaches no output.
struct KeyTable {
    decoding: KeyDecoding,
    index: HashMap<[u8; PUBLIC_KEY_LEN], Option<(usize, EdwardsPoint)>>,
    count: usize,
}

impl KeyTable {
    fn new(decoding: KeyDecoding) -> Self {
        KeyTable { decoding, index: HashMap::new(), count: 0 }
    }

    fn decode(&mut self, public_key: &[u8]) -> Option<(usize, EdwardsPoint)> {
        let bytes = key_array(public_key).ok()?;
        if let Some(known) = self.index.get(&bytes) {
            return *known;
        }
        let decoded = decode_public_key(&bytes, self.decoding).ok().map(|point| (self.count, point));
        if decoded.is_some() {
            self.count += 1;
        }
        self.index.insert(bytes, decoded);
        decoded
    }
}

/// Decides a set of decoded items, writing `true` for the valid ones.
struct Checker<'a> {
    prepared: &'a [Option<Keyed>],
    weights: &'a [Scalar],
    results: &'a mut [bool],
}

impl Checker<'_> {
    /// `known_to_fail`: the group's sum is already known not to vanish.
    fn resolve(&mut self, group: &[usize], known_to_fail: bool) {
        if group.is_empty() {
            return;
        }
        if group.len() <= SINGLE_CHECK_AT_MOST {
            for &index in group {
                self.set(index, self.item(index).is_some_and(|keyed| cofactored_equation_holds(&keyed.prepared)));
            }
            return;
        }
        if !known_to_fail && self.group_equation_holds(group) {
            for &index in group {
                self.set(index, true);
            }
            return;
        }
        let (left, right) = group.split_at(group.len() / 2);
        if self.group_equation_holds(left) {
            for &index in left {
                self.set(index, true);
            }
            // whole = left + right and left vanishes, so right cannot.
            self.resolve(right, true);
        } else {
            self.resolve(left, true);
            self.resolve(right, false);
        }
    }

    /// The weighted cofactored equation over `group` in one multiscalar multiplication.
    /// Points are negated rather than scalars so the 128-bit weights on `R` stay short;
    /// the terms of one key are summed into one scalar on that key.
    fn group_equation_holds(&self, group: &[usize]) -> bool {
        let mut basepoint_scalar = Scalar::ZERO;
        let mut scalars = Vec::with_capacity(2 * group.len() + 1);
        let mut points = Vec::with_capacity(2 * group.len() + 1);
        // Position in `scalars` of each key's merged term, by the key's chunk index.
        let mut key_slot: HashMap<usize, usize> = HashMap::new();
        for &index in group {
            let (Some(keyed), Some(weight)) = (self.item(index), self.weights.get(index)) else {
                return false;
            };
            let item = &keyed.prepared;
            basepoint_scalar += weight * item.response;
            let key_term = weight * item.challenge;
            match key_slot.get(&keyed.key).and_then(|&slot| scalars.get_mut(slot)) {
                Some(merged) => *merged += key_term,
                None => {
                    key_slot.insert(keyed.key, scalars.len());
                    scalars.push(key_term);
                    points.push(-item.public_key);
                }
            }
            scalars.push(*weight);
            points.push(-item.commitment);
        }
        scalars.push(basepoint_scalar);
        points.push(ED25519_BASEPOINT_POINT);
        EdwardsPoint::vartime_multiscalar_mul(&scalars, &points)
            .mul_by_cofactor()
            .is_identity()
    }

    fn item(&self, index: usize) -> Option<&Keyed> {
        self.prepared.get(index).and_then(Option::as_ref)
    }

    fn set(&mut self, index: usize, valid: bool) {
        if let Some(slot) = self.results.get_mut(index) {
            *slot = valid;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::threads_setting;

    #[test]
    fn thread_settings_are_positive_integers_or_nothing() {
        assert_eq!(threads_setting(Some("1")), Some(1));
        assert_eq!(threads_setting(Some(" 3\n")), Some(3));
        for ignored in [None, Some(""), Some("0"), Some("-1"), Some("two"), Some("1.5"), Some("99999999999999999999999")] {
            assert_eq!(threads_setting(ignored), None, "{ignored:?}");
        }
    }
}
