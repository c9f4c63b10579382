//! Property test: batches of mixed sizes of random honest signatures, mixed-order
//! signatures (valid only under the cofactored equation) and random corruptions;
//! the batch path must equal the single path on every item, for any thread count.

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::{Digest as _, Sha512};

use super::encoding::challenge;
use super::{public_key, sign, verify, verify_batch, verify_batch_with, verify_batch_with_threads, verify_with, BatchItem, KeyDecoding};

struct Owned {
    public_key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// A signature whose key and/or commitment carry a torsion component: it satisfies
/// `[8]([S]B - [k]A - R) == O` but in general not the cofactorless equation.
fn mixed_order_signature(rng: &mut StdRng, torsion_on_key: usize, torsion_on_r: usize) -> Owned {
    let secret = Scalar::from_bytes_mod_order_wide(&Sha512::digest(rng.gen::<[u8; 32]>()).into());
    let nonce = Scalar::from_bytes_mod_order_wide(&Sha512::digest(rng.gen::<[u8; 32]>()).into());
    let key = EdwardsPoint::mul_base(&secret) + EIGHT_TORSION[torsion_on_key];
    let commitment = EdwardsPoint::mul_base(&nonce) + EIGHT_TORSION[torsion_on_r];
    let key_bytes = key.compress().to_bytes();
    let r_bytes = commitment.compress().to_bytes();
    let message: Vec<u8> = (0..rng.gen_range(0..80)).map(|_| rng.gen()).collect();
    let s = nonce + challenge(&r_bytes, &key_bytes, &message) * secret;
    let mut signature = r_bytes.to_vec();
    signature.extend_from_slice(s.as_bytes());
    Owned { public_key: key_bytes.to_vec(), message, signature }
}

fn honest(rng: &mut StdRng) -> Owned {
    let seed: [u8; 32] = rng.gen();
    let message: Vec<u8> = (0..rng.gen_range(0..200)).map(|_| rng.gen()).collect();
    Owned { public_key: public_key(&seed).to_vec(), signature: sign(&seed, &message).to_vec(), message }
}

/// One of many ways to break (or, for some, not break) a signature.
fn corrupt(rng: &mut StdRng, item: &mut Owned, other: &Owned) {
    let l_minus_one = Scalar::ZERO - Scalar::ONE;
    match rng.gen_range(0..11) {
        0 => item.signature[rng.gen_range(0..64)] ^= 1 << rng.gen_range(0..8),
        1 => item.public_key[rng.gen_range(0..32)] ^= 1 << rng.gen_range(0..8),
        2 => item.message.push(rng.gen()),
        3 => item.message = other.message.clone(),
        4 => item.public_key = other.public_key.clone(),
        5 => item.public_key = EIGHT_TORSION[rng.gen_range(0..8)].compress().to_bytes().to_vec(),
        6 => {
            let torsion = EIGHT_TORSION[rng.gen_range(0..8)].compress().to_bytes();
            item.signature[..32].copy_from_slice(&torsion);
        }
        7 => {
            // S + l: the same residue, a non-canonical encoding (if it fits in 256 bits).
            let s = Scalar::from_bytes_mod_order(item.signature[32..].try_into().unwrap());
            let mut wide = [0u8; 32];
            let mut carry = 1u16; // s + (l - 1) + 1
            for (i, byte) in wide.iter_mut().enumerate() {
                let sum = s.as_bytes()[i] as u16 + l_minus_one.as_bytes()[i] as u16 + carry;
                *byte = sum as u8;
                carry = sum >> 8;
            }
            item.signature[32..].copy_from_slice(&wide);
        }
        8 => item.signature.truncate(rng.gen_range(0..64)),
        9 => item.public_key = rng.gen::<[u8; 32]>().to_vec(),
        _ => item.signature = rng.gen::<[u8; 32]>().repeat(2),
    }
}

/// Corrupt each item with probability `rate`.
fn corrupt_some(rng: &mut StdRng, owned: &mut [Owned], spare: &Owned, rate: f64) {
    for item in owned.iter_mut() {
        if rng.gen_bool(rate) {
            corrupt(rng, item, spare);
        }
    }
}

/// The items as a batch, and what the single path decides for each (keys decoded
/// afresh, so every cached path below is compared with the uncached one).
fn items_and_single_verdicts(owned: &[Owned]) -> (Vec<BatchItem<'_>>, Vec<bool>) {
    let items: Vec<BatchItem<'_>> = owned
        .iter()
        .map(|o| BatchItem { public_key: &o.public_key, message: &o.message, signature: &o.signature })
        .collect();
    let single = items
        .iter()
        .map(|i| verify_with(i.public_key, i.message, i.signature, KeyDecoding::Fresh).is_ok())
        .collect();
    (items, single)
}

#[test]
fn mixed_order_signatures_are_valid_under_the_cofactored_rule() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut fails_cofactorless = 0;
    for case in 0..64 {
        let owned = mixed_order_signature(&mut rng, 1 + case % 7, case % 8);
        verify(&owned.public_key, &owned.message, &owned.signature).unwrap();
        // Count how many would fail a cofactorless verifier, to show the rule matters.
        let a = curve25519_dalek::edwards::CompressedEdwardsY(owned.public_key.clone().try_into().unwrap())
            .decompress()
            .unwrap();
        let r = curve25519_dalek::edwards::CompressedEdwardsY(owned.signature[..32].try_into().unwrap())
            .decompress()
            .unwrap();
        let s = Scalar::from_bytes_mod_order(owned.signature[32..].try_into().unwrap());
        let k = challenge(
            &owned.signature[..32].try_into().unwrap(),
            &owned.public_key.clone().try_into().unwrap(),
            &owned.message,
        );
        if EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a, &s) != r {
            fails_cofactorless += 1;
        }
    }
    assert!(fails_cofactorless > 32, "only {fails_cofactorless} of 64 need the cofactor");
}

#[test]
fn batch_equals_single_on_random_batches() {
    let mut rng = StdRng::seed_from_u64(0x7011_0e1d);
    let sizes = [0usize, 1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 65, 127, 128, 200, 333, 600];
    let corruption_rates = [0.0, 0.01, 0.1, 0.5, 1.0];
    let mut checked = 0usize;
    let mut rejected = 0usize;
    for (round, &size) in sizes.iter().cycle().take(sizes.len() * 3).enumerate() {
        let rate = corruption_rates[round % corruption_rates.len()];
        let mut owned: Vec<Owned> = (0..size)
            .map(|_| {
                if rng.gen_bool(0.2) {
                    let (on_key, on_r) = (rng.gen_range(0..8), rng.gen_range(0..8));
                    mixed_order_signature(&mut rng, on_key, on_r)
                } else {
                    honest(&mut rng)
                }
            })
            .collect();
        let spare = honest(&mut rng);
        corrupt_some(&mut rng, &mut owned, &spare, rate);
        let (items, single) = items_and_single_verdicts(&owned);
        for threads in [1, 2, 3] {
            for keys in [KeyDecoding::Fresh, KeyDecoding::Cached] {
                assert_eq!(
                    verify_batch_with(&items, threads, keys),
                    single,
                    "size {size}, rate {rate}, {threads} threads, {keys:?}"
                );
            }
        }
        assert_eq!(verify_batch(&items), single);
        let cached_single: Vec<bool> = items.iter().map(|i| verify(i.public_key, i.message, i.signature).is_ok()).collect();
        assert_eq!(cached_single, single, "single path with cached keys");
        checked += size;
        rejected += single.iter().filter(|ok| !**ok).count();
    }
    assert!(rejected > 100 && rejected < checked, "{rejected} of {checked} rejected");
}

#[test]
fn batch_result_is_deterministic_and_order_preserving() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut owned: Vec<Owned> = (0..150).map(|_| honest(&mut rng)).collect();
    let spare = honest(&mut rng);
    for index in [0, 17, 149] {
        corrupt(&mut rng, &mut owned[index], &spare);
    }
    let items: Vec<BatchItem<'_>> = owned
        .iter()
        .map(|o| BatchItem { public_key: &o.public_key, message: &o.message, signature: &o.signature })
        .collect();
    let first = verify_batch(&items);
    assert_eq!(first, verify_batch(&items));
    let mut reversed_items = items.clone();
    reversed_items.reverse();
    let mut reversed = verify_batch(&reversed_items);
    reversed.reverse();
    assert_eq!(first, reversed);
}

/// Many items under few keys (their key terms are merged in the multiscalar sum),
/// mixed-order keys among them, with corruptions that swap keys between items: the
/// batch must still equal the single path item by item.
#[test]
fn batch_equals_single_when_keys_repeat() {
    let mut rng = StdRng::seed_from_u64(0x5a3e_4e75);
    for round in 0..12 {
        let seeds: Vec<[u8; 32]> = (0..1 + round % 4).map(|_| rng.gen()).collect();
        let mut owned: Vec<Owned> = (0..150)
            .map(|i| {
                let message: Vec<u8> = (0..rng.gen_range(0..60)).map(|_| rng.gen()).collect();
                if i % 5 == 4 {
                    // one mixed-order key per round (same secret), R torsion varying
                    let mut same_secret = StdRng::seed_from_u64(round as u64);
                    return mixed_order_signature(&mut same_secret, 1 + round % 7, i % 8);
                }
                let seed = seeds[rng.gen_range(0..seeds.len())];
                Owned { public_key: public_key(&seed).to_vec(), signature: sign(&seed, &message).to_vec(), message }
            })
            .collect();
        let spare = Owned {
            public_key: public_key(&seeds[0]).to_vec(),
            message: b"spare".to_vec(),
            signature: sign(&seeds[0], b"spare").to_vec(),
        };
        let rate = [0.0, 0.02, 0.3][round % 3];
        corrupt_some(&mut rng, &mut owned, &spare, rate);
        let (items, single) = items_and_single_verdicts(&owned);
        if rate == 0.0 {
            assert!(single.iter().all(|ok| *ok), "round {round}: an honest item fails");
        }
        for threads in [1, 2] {
            assert_eq!(verify_batch_with_threads(&items, threads), single, "round {round}, {threads} threads");
        }
    }
}

/// A key whose first byte is changed until it no longer decodes: the same last 31 bytes.
fn undecodable_neighbour(key: &[u8]) -> Vec<u8> {
    (0..=255u8)
        .map(|b| {
            let mut k = key.to_vec();
            k[0] = b;
            k
        })
        .find(|k| verify_with(k, b"", &[0u8; 64], KeyDecoding::Fresh).is_err_and(|e| e.code() == "crypto.invalid_public_key"))
        .expect("some first-byte variant is no valid key")
}

/// The key cache must answer for all 32 bytes of a key: a bad key that shares 31 bytes
/// with a busy good key is cached first, then both sign in one batch, across batches and
/// through the single path. A cache keyed by less than the whole key would reject the
/// good key's signatures (or accept the bad key's point) here.
#[test]
fn cached_keys_never_answer_for_a_neighbouring_key() {
    let mut rng = StdRng::seed_from_u64(0xbad_c0de);
    for round in 0..6 {
        let seed: [u8; 32] = rng.gen();
        let good = public_key(&seed).to_vec();
        let bad = undecodable_neighbour(&good);
        let mut owned: Vec<Owned> = Vec::new();
        for i in 0..(40 + 30 * round) {
            let message = format!("round {round} item {i}").into_bytes();
            let signature = sign(&seed, &message).to_vec();
            let public_key = if i % 3 == 1 { bad.clone() } else { good.clone() };
            owned.push(Owned { public_key, message, signature });
            if i % 7 == 0 {
                owned.push(honest(&mut rng));
            }
        }
        let (items, single) = items_and_single_verdicts(&owned);
        assert!(single.iter().any(|ok| *ok) && single.iter().any(|ok| !*ok));
        // The bad key alone first, so the cache holds its verdict before the good key is seen.
        let bad_alone = BatchItem { public_key: &bad, message: b"x", signature: &owned[0].signature };
        assert_eq!(verify_batch(&[bad_alone]), vec![false]);
        for threads in [1, 2] {
            for keys in [KeyDecoding::Cached, KeyDecoding::Fresh, KeyDecoding::Cached] {
                assert_eq!(verify_batch_with(&items, threads, keys), single, "round {round}, {threads} threads, {keys:?}");
            }
        }
        for (item, expected) in items.iter().zip(&single) {
            let fresh = verify_with(item.public_key, item.message, item.signature, KeyDecoding::Fresh);
            assert_eq!(fresh.is_ok(), *expected);
            assert_eq!(verify(item.public_key, item.message, item.signature), fresh);
        }
    }
}

/// The process-wide thread cap changes no verdict (and 0 restores the default).
#[test]
fn batch_thread_cap_changes_no_verdict() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut owned: Vec<Owned> = (0..300).map(|_| honest(&mut rng)).collect();
    let spare = honest(&mut rng);
    corrupt_some(&mut rng, &mut owned, &spare, 0.05);
    let (items, single) = items_and_single_verdicts(&owned);
    let default = super::batch_threads();
    for cap in [1, 2, 0] {
        super::set_batch_threads(cap);
        assert_eq!(super::batch_threads(), if cap == 0 { default } else { cap });
        assert_eq!(verify_batch(&items), single, "cap {cap}");
    }
}
