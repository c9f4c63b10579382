//! Hostile input for every decoder: garbage, truncation, oversize, deep nesting,
//! layout tricks, and a seeded mutation loop in the manner of cargo-fuzz.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::test_support::*;
use super::*;
use crate::CoreError;

const L: &Limits = &Limits::PROTOCOL;

/// Every decoder, each re-encoding what it accepts.
type Decoder = fn(&[u8], &Limits) -> Result<Vec<u8>, CoreError>;

const DECODERS: &[(&str, Decoder)] = &[
    ("TransactionBody", |b, l| {
        decode_transaction_body(b, l).and_then(|v| encode_transaction_body(&v, l))
    }),
    ("SignedTransaction", |b, l| {
        decode_signed_transaction(b, l).and_then(|v| encode_signed_transaction(&v, l))
    }),
    ("BlockHeader", |b, l| {
        decode_block_header(b, l).and_then(|v| encode_block_header(&v))
    }),
    ("Block", |b, l| {
        decode_block(b, l).and_then(|v| encode_block(&v, l))
    }),
    ("Vote", |b, l| {
        decode_vote(b, l).and_then(|v| encode_vote(&v))
    }),
    ("Commit", |b, l| {
        decode_commit(b, l).and_then(|v| encode_commit(&v, l))
    }),
];

fn samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "TransactionBody",
            encode_transaction_body(&sample_body(), L).unwrap(),
        ),
        (
            "SignedTransaction",
            encode_signed_transaction(&sample_signed(), L).unwrap(),
        ),
        (
            "BlockHeader",
            encode_block_header(&sample_header()).unwrap(),
        ),
        ("Block", encode_block(&sample_block(), L).unwrap()),
        (
            "Vote",
            encode_vote(&sample_vote(VoteKind::Precommit, Some(seq(0x55)))).unwrap(),
        ),
        (
            "Vote",
            encode_vote(&sample_vote(VoteKind::Prevote, None)).unwrap(),
        ),
        ("Commit", encode_commit(&sample_commit(3), L).unwrap()),
    ]
}

/// Run every decoder on `input`: none may panic, an error must be a wire error,
/// and whatever is accepted must re-encode to exactly the input.
fn check_all(input: &[u8], limits: &Limits, context: &str) {
    for (name, decode) in DECODERS {
        let outcome = catch_unwind(AssertUnwindSafe(|| decode(input, limits)));
        match outcome {
            Err(_) => panic!("{name} panicked on {context}: {}", hex::encode(input)),
            Ok(Ok(again)) => assert_eq!(again, input, "{name} accepted a non-canonical {context}"),
            Ok(Err(err)) => assert!(
                matches!(err.code(), "wire.malformed" | "wire.too_large"),
                "{name} on {context}: unexpected {err}"
            ),
        }
    }
}

#[test]
fn empty_short_and_unaligned_input() {
    for len in 0..16 {
        let input = vec![0xa5; len];
        check_all(&input, L, "short input");
        if len % 8 != 0 || len == 0 {
            for (_, decode) in DECODERS {
                let err = decode(&input, L).unwrap_err();
                assert_eq!(err.code(), "wire.malformed");
                assert!(err.to_string().contains("8-byte words"), "{err}");
            }
        }
    }
}

#[test]
fn a_null_root_is_malformed_not_a_default_value() {
    // Even an empty commit is a (zero-sized) struct, never a null root.
    assert_ne!(encode_commit(&Commit::default(), L).unwrap(), [0u8; 8]);
    for (name, decode) in DECODERS {
        assert_eq!(
            decode(&[0u8; 8], L).unwrap_err().code(),
            "wire.malformed",
            "{name}"
        );
    }
}

#[test]
fn every_truncation_is_rejected() {
    for (name, bytes) in samples() {
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            check_all(cut, L, "truncation");
            let decode = DECODERS.iter().find(|(n, _)| *n == name).unwrap().1;
            assert!(
                decode(cut, L).is_err(),
                "{name} accepted a truncation to {len} bytes"
            );
        }
    }
}

#[test]
fn trailing_words_are_rejected() {
    for (name, bytes) in samples() {
        let decode = DECODERS.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(decode(&bytes, L).unwrap(), bytes);
        for tail in [[0u8; 8], [1u8; 8]] {
            let mut longer = bytes.clone();
            longer.extend_from_slice(&tail);
            let err = decode(&longer, L).unwrap_err();
            assert_eq!(err.code(), "wire.malformed", "{name}");
        }
    }
}

#[test]
fn oversized_input_is_too_large_before_parsing() {
    let cases = [
        ("TransactionBody", L.max_transaction_bytes),
        ("SignedTransaction", L.max_transaction_bytes),
        ("BlockHeader", L.max_header_bytes),
        ("Block", L.max_block_bytes),
        ("Vote", L.max_vote_bytes),
        ("Commit", L.max_block_bytes),
    ];
    for (name, max) in cases {
        let decode = DECODERS.iter().find(|(n, _)| *n == name).unwrap().1;
        let err = decode(&vec![0u8; max + 8], L).unwrap_err();
        assert_eq!(err.code(), "wire.too_large", "{name}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn random_garbage_is_rejected() {
    let mut rng = StdRng::seed_from_u64(0x7040_0001);
    for _ in 0..3000 {
        let words = rng.gen_range(1..64);
        let mut input = vec![0u8; words * 8];
        rng.fill(&mut input[..]);
        check_all(&input, L, "random garbage");
    }
}

/// A canonical-looking chain of `depth` structs, each with one pointer to the next.
fn nested_chain(depth: usize) -> Vec<u8> {
    // Struct pointer: kind 0, offset 0 (target right after), 0 data words, 1 pointer.
    let link: u64 = 1u64 << 48;
    let mut words = vec![link; depth];
    // The innermost struct has one non-zero data word and no pointers.
    words.push(1u64 << 32);
    words.push(0x0101_0101_0101_0101);
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn deep_nesting_hits_the_nesting_limit() {
    // Depths that still fit the smallest size limit (a vote), so nesting is what trips.
    for depth in [L.nesting_limit as usize + 1, 32, 60] {
        let input = nested_chain(depth);
        for (name, decode) in DECODERS {
            let err = decode(&input, L).unwrap_err();
            assert_eq!(err.code(), "wire.malformed", "{name}");
            assert!(
                err.to_string().contains("nest"),
                "{name} at depth {depth}: {err}"
            );
        }
    }
}

#[test]
fn the_reader_limits_are_applied() {
    let block = encode_block(&sample_block(), L).unwrap();
    let no_traversal = Limits {
        traversal_words_per_word: 0,
        ..Limits::PROTOCOL
    };
    let err = decode_block(&block, &no_traversal).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("limit"), "{err}");

    let tx = encode_signed_transaction(&sample_signed(), L).unwrap();
    let shallow = Limits {
        nesting_limit: 3,
        ..Limits::PROTOCOL
    };
    let err = decode_signed_transaction(&tx, &shallow).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("nest"), "{err}");
}

/// Grow the root struct's data section by one non-zero word: what a newer schema
/// version with an extra field would send.
fn with_unknown_data_word(bytes: &[u8]) -> Vec<u8> {
    let root = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(root & 3, 0, "root must be a struct pointer");
    let data_words = (root >> 32) & 0xffff;
    let grown = root + (1u64 << 32);
    let split = 8 + data_words as usize * 8;
    let mut out = grown.to_le_bytes().to_vec();
    out.extend_from_slice(&bytes[8..split]);
    out.extend_from_slice(&0xfeed_u64.to_le_bytes());
    out.extend_from_slice(&bytes[split..]);
    out
}

#[test]
fn unknown_fields_from_a_newer_version_are_rejected() {
    for (name, bytes) in samples() {
        let decode = DECODERS.iter().find(|(n, _)| *n == name).unwrap().1;
        let newer = with_unknown_data_word(&bytes);
        let err = decode(&newer, L).unwrap_err();
        assert_eq!(err.code(), "wire.malformed", "{name}");
        assert!(
            err.to_string().contains("not the canonical encoding"),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_non_canonical_layout_is_rejected() {
    // The same vote written by a plain (non-canonical) builder: full data section.
    // Height 0 leaves the last data word zero: canonical form drops it, a plain builder does not.
    let vote = Vote {
        height: 0,
        ..sample_vote(VoteKind::Prevote, None)
    };
    let mut message = capnp::message::Builder::new_default();
    super::vote::fill_vote(message.init_root(), &vote);
    let segments = message.get_segments_for_output();
    assert_eq!(segments.len(), 1);
    let plain = segments[0].to_vec();
    assert_ne!(plain, encode_vote(&vote).unwrap());
    let err = decode_vote(&plain, L).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("canonical"), "{err}");
}

/// One random edit of a valid message.
fn mutate(rng: &mut StdRng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let edits = rng.gen_range(1..4);
    for _ in 0..edits {
        if out.is_empty() {
            out.extend_from_slice(&[0u8; 8]);
        }
        let at = rng.gen_range(0..out.len());
        match rng.gen_range(0..8) {
            0 => out[at] ^= 1 << rng.gen_range(0..8),
            1 => out[at] = rng.gen(),
            2 => {
                // Rewrite a whole word: pointers live on word boundaries.
                let word = at / 8 * 8;
                let value: u64 = match rng.gen_range(0..3) {
                    0 => rng.gen(),
                    1 => rng.gen::<u64>() & 0xffff_0000_ffff_fff3, // struct/list-like pointer
                    _ => (rng.gen_range(0..4u64) << 48) | (rng.gen_range(0..4u64) << 32),
                };
                if word + 8 <= out.len() {
                    out[word..word + 8].copy_from_slice(&value.to_le_bytes());
                }
            }
            3 => out.truncate(at),
            4 => out.truncate(at / 8 * 8),
            5 => {
                let extra: [u8; 8] = rng.gen();
                out.splice(at / 8 * 8..at / 8 * 8, extra);
            }
            6 => {
                let end = (at / 8 * 8 + 8).min(out.len());
                out.drain(at / 8 * 8..end);
            }
            _ => {
                // Duplicate a run of words (aliasing and overlap attempts).
                let start = at / 8 * 8;
                let end = (start + 8 * rng.gen_range(1..4)).min(out.len());
                let run = out[start..end].to_vec();
                out.splice(start..start, run);
            }
        }
    }
    out
}

#[test]
fn seeded_mutations_never_panic_and_accepted_input_is_canonical() {
    let mut rng = StdRng::seed_from_u64(0x7040_f022);
    let samples = samples();
    let mut accepted = 0;
    for round in 0..20_000 {
        for (_, bytes) in &samples {
            let input = mutate(&mut rng, bytes);
            check_all(&input, L, &format!("mutation round {round}"));
            if DECODERS.iter().any(|(_, d)| d(&input, L).is_ok()) {
                accepted += 1;
            }
        }
    }
    // Some mutations only change a value (a byte of a hash, a height) and stay valid;
    // the loop must see both outcomes or it is not exploring.
    assert!(accepted > 0, "no mutation was accepted");
}

#[test]
fn valid_messages_need_little_nesting() {
    // docs/wire.md: the deepest message needs 6 levels; the default leaves headroom.
    let needed = |bytes: &[u8], name: &str| {
        let decode = DECODERS.iter().find(|(n, _)| *n == name).unwrap().1;
        (1..=L.nesting_limit)
            .find(|&depth| {
                decode(
                    bytes,
                    &Limits {
                        nesting_limit: depth,
                        ..Limits::PROTOCOL
                    },
                )
                .is_ok()
            })
            .unwrap()
    };
    let deepest = samples()
        .iter()
        .map(|(name, bytes)| needed(bytes, name))
        .max()
        .unwrap();
    assert_eq!(deepest, 6);
    assert!(deepest * 2 <= L.nesting_limit);
}
