//! The shape checks accept every builder output and refuse the spellings the
//! re-encoding used to catch (see also `hostile_tests`: whatever a decoder accepts
//! re-encodes to exactly its input, over many seeded mutations).
use super::*;
use crate::wire::canonical::NOT_CANONICAL;
use crate::wire::limits::Limits;
use crate::wire::test_support::*;
use crate::wire::transaction::{decode_transaction_body, encode_transaction_body, Action};
use capnp::message::{ReaderOptions, SegmentArray};
use capnp::Word;

const L: &Limits = &Limits::PROTOCOL;

/// `body`'s canonical encoding copied into a builder, `tweak` applied, canonicalized
/// again: canonical Cap'n Proto whatever the tweak leaves in it.
fn spelled(
    body: &TransactionBody,
    tweak: impl Fn(schema::transaction_body::Builder<'_>),
) -> Vec<u8> {
    let bytes = encode_transaction_body(body, L).unwrap();
    let mut words = Word::allocate_zeroed_vec(bytes.len() / 8);
    Word::words_to_bytes_mut(&mut words).copy_from_slice(&bytes);
    let segments = [Word::words_to_bytes(&words)];
    let message = capnp::message::Reader::new(SegmentArray::new(&segments), ReaderOptions::new());
    let root = message
        .get_root::<schema::transaction_body::Reader<'_>>()
        .unwrap();
    let mut copy = capnp::message::Builder::new_default();
    copy.set_root(root).unwrap();
    tweak(
        copy.get_root::<schema::transaction_body::Builder<'_>>()
            .unwrap(),
    );
    let canonical = copy.into_reader().canonicalize().unwrap();
    Word::words_to_bytes(&canonical).to_vec()
}

fn assert_refused(bytes: &[u8]) {
    let err = decode_transaction_body(bytes, L).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().ends_with(NOT_CANONICAL), "{err}");
}

#[test]
fn the_test_builder_spells_bodies_canonically() {
    let body = sample_body();
    assert_eq!(
        spelled(&body, |_| {}),
        encode_transaction_body(&body, L).unwrap()
    );
}

#[test]
fn every_truncation_of_the_data_section_and_the_actions_decodes() {
    // Each data field zero or not (the canonical data section ends at the last
    // non-zero word), and actions with data everywhere, nowhere, first or last only.
    let with_data = |data: &[&[u8]]| -> Vec<Action> {
        data.iter()
            .map(|d| Action {
                data: d.to_vec(),
                ..sample_body().actions[1].clone()
            })
            .collect()
    };
    let action_sets = [
        with_data(&[b"x"]),
        with_data(&[b""]),
        with_data(&[b"x", b""]),
        with_data(&[b"", b"x"]),
        with_data(&[b"", b""]),
    ];
    for mask in 0..16u32 {
        for actions in &action_sets {
            let value = |bit: u32, v: u64| if mask & (1 << bit) != 0 { v } else { 0 };
            let body = TransactionBody {
                expiration: value(0, 1_700_000_060),
                ref_block_num: value(1, 41) as u32,
                max_ops: value(2, 250_000),
                nonce: value(3, 7),
                actions: actions.clone(),
                ..sample_body()
            };
            let bytes = encode_transaction_body(&body, L).unwrap();
            assert_eq!(
                decode_transaction_body(&bytes, L).unwrap(),
                body,
                "mask {mask}"
            );
        }
    }
}

#[test]
fn bits_in_the_padding_after_ref_block_num_are_refused() {
    // A newer schema's UInt32 field would sit there.
    let mut bytes = encode_transaction_body(&sample_body(), L).unwrap();
    // Word 0 is the root pointer, the data section follows: its word 1 is message word 2.
    assert_eq!(bytes[16..20], 41u32.to_le_bytes());
    assert_eq!(bytes[20..24], [0; 4]);
    bytes[20] = 9;
    assert_refused(&bytes);
}

#[test]
fn an_empty_action_data_that_is_not_null_is_refused() {
    // The second action has no data; the first has some, so the list's pointer count
    // alone cannot tell.
    let body = sample_body();
    assert!(!body.actions[0].data.is_empty() && body.actions[1].data.is_empty());
    let bytes = spelled(&body, |mut root| {
        root.reborrow().get_actions().unwrap().get(1).set_data(&[]);
    });
    assert_refused(&bytes);
    // Alone in its list, it makes the pointer count one too many.
    let mut alone = body.clone();
    alone.actions.remove(0);
    let bytes = spelled(&alone, |mut root| {
        root.reborrow().get_actions().unwrap().get(0).set_data(&[]);
    });
    assert_refused(&bytes);
}
