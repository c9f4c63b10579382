//! A bounded, process-wide memory of decoded public keys.
//!
//! Decoding a key (a field exponentiation to decompress it, then the small-order check)
//! costs a few microseconds, and a batch pays it once per distinct key. Real traffic signs
//! with the same active accounts' keys batch after batch, and validators sign every vote
//! with the same keys; remembering what decoding decided (the point, or why the bytes are
//! no valid key) saves that work on every later signature under a key.
//!
//! Decoding is a pure function of the 32 key bytes, and the cache is keyed by all 32 of
//! them, so a hit answers exactly what decoding would: no verdict depends on what the
//! cache holds. Memory is bounded by two generations: lookups see both, new entries go to
//! the current one, and when it is full it becomes the previous one (the old previous is
//! dropped). A key in use keeps coming back into the current generation; at most
//! `2 × GENERATION_LEN` keys are held. The map is only looked up, never iterated.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use curve25519_dalek::edwards::EdwardsPoint;

use super::encoding::{decode_point, PUBLIC_KEY_LEN};

/// What decoding a key decided: its point, or why the bytes are not a valid key.
pub(crate) type Decoded = Result<EdwardsPoint, &'static str>;

/// Keys per generation: a few thousand active signers at ~200 bytes each (≈ 1.6 MB in all).
const GENERATION_LEN: usize = 4096;

/// How a verifier decodes public keys. Verdicts are the same either way; `Fresh` exists so
/// tests and benchmarks can compare the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDecoding {
    /// Through the process-wide cache (what `verify` and `verify_batch` use).
    Cached,
    /// Decode every key afresh.
    Fresh,
}

impl KeyDecoding {
    /// Decode `bytes` as a public key: a canonical encoding of a point not of small order.
    pub(crate) fn decode(self, bytes: &[u8; PUBLIC_KEY_LEN]) -> Decoded {
        match self {
            KeyDecoding::Fresh => decode_point(bytes),
            KeyDecoding::Cached => shared().decode(bytes),
        }
    }
}

fn shared() -> &'static KeyCache {
    static CACHE: OnceLock<KeyCache> = OnceLock::new();
    CACHE.get_or_init(|| KeyCache::new(GENERATION_LEN))
}

/// Two generations of decoded keys behind one lock (held only for a lookup or an insert,
/// never while decoding).
pub(crate) struct KeyCache {
    generation_len: usize,
    maps: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: HashMap<[u8; PUBLIC_KEY_LEN], Decoded>,
    previous: HashMap<[u8; PUBLIC_KEY_LEN], Decoded>,
}

impl KeyCache {
    pub(crate) fn new(generation_len: usize) -> Self {
        KeyCache { generation_len: generation_len.max(1), maps: Mutex::new(Generations::default()) }
    }

    pub(crate) fn decode(&self, bytes: &[u8; PUBLIC_KEY_LEN]) -> Decoded {
        if let Some(known) = self.lookup(bytes) {
            return known;
        }
        let decoded = decode_point(bytes);
        self.insert(*bytes, decoded);
        decoded
    }

    /// Keys held (both generations; a key in both counts twice).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let maps = self.lock();
        maps.current.len() + maps.previous.len()
    }

    fn lookup(&self, bytes: &[u8; PUBLIC_KEY_LEN]) -> Option<Decoded> {
        let mut maps = self.lock();
        if let Some(known) = maps.current.get(bytes) {
            return Some(*known);
        }
        let known = *maps.previous.get(bytes)?;
        // Still in use: bring it forward so it outlives the next rotation.
        self.insert_locked(&mut maps, *bytes, known);
        Some(known)
    }

    fn insert(&self, bytes: [u8; PUBLIC_KEY_LEN], decoded: Decoded) {
        let mut maps = self.lock();
        self.insert_locked(&mut maps, bytes, decoded);
    }

    fn insert_locked(&self, maps: &mut Generations, bytes: [u8; PUBLIC_KEY_LEN], decoded: Decoded) {
        if maps.current.len() >= self.generation_len {
            maps.previous = std::mem::take(&mut maps.current);
        }
        maps.current.insert(bytes, decoded);
    }

    /// A panic elsewhere while the lock was held cannot leave a map half-written (an insert
    /// of plain data), so a poisoned lock is still a sound cache.
    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.maps.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::public_key;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    #[test]
    fn cached_decoding_equals_fresh_decoding_on_any_bytes() {
        let mut rng = StdRng::seed_from_u64(11);
        let cache = KeyCache::new(64);
        let mut inputs: Vec<[u8; 32]> = (0..300).map(|_| rng.gen()).collect();
        inputs.extend(EIGHT_TORSION.iter().map(|p| p.compress().to_bytes()));
        inputs.extend((0..20u8).map(|i| public_key(&[i; 32])));
        // Twice, so the second pass answers from the cache (where the bound allows).
        for _ in 0..2 {
            for bytes in &inputs {
                assert_eq!(cache.decode(bytes), decode_point(bytes), "{}", hex::encode(bytes));
            }
        }
    }

    #[test]
    fn memory_stays_within_two_generations() {
        let cache = KeyCache::new(16);
        for i in 0..200u8 {
            assert!(cache.decode(&public_key(&[i; 32])).is_ok());
            assert!(cache.len() <= 32, "{} keys held", cache.len());
        }
    }

    #[test]
    fn a_key_in_use_survives_rotations() {
        let cache = KeyCache::new(4);
        let busy = public_key(&[200; 32]);
        assert!(cache.decode(&busy).is_ok());
        for i in 0..40u8 {
            assert!(cache.decode(&public_key(&[i; 32])).is_ok());
            assert!(cache.lookup(&busy).is_some(), "dropped after {i} other keys");
        }
    }

    /// Keys that differ in one byte only must never share an entry: a bad key first,
    /// then a good key with the same last 31 bytes, then the bad one again.
    #[test]
    fn neighbouring_keys_keep_their_own_answers() {
        let cache = KeyCache::new(64);
        for seed in 0..8u8 {
            let good = public_key(&[seed; 32]);
            let bad = (0..=255u8)
                .map(|b| {
                    let mut k = good;
                    k[0] = b;
                    k
                })
                .find(|k| decode_point(k).is_err())
                .expect("some first-byte variant does not decode");
            assert!(cache.decode(&bad).is_err());
            assert!(cache.decode(&good).is_ok());
            assert!(cache.decode(&bad).is_err());
        }
    }
}
