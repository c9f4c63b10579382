//! Every spelling of a block that the canonical re-encoding used to refuse and that a
//! canonical Cap'n Proto message read through the typed reader would accept: the
//! strict decoder must refuse each one, with the same error.
use super::*;
use crate::wire::canonical::NOT_CANONICAL;
use crate::wire::test_support::*;
use capnp::message::{ReaderOptions, SegmentArray};
use capnp::Word;

const L: &Limits = &Limits::PROTOCOL;

fn words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
        .collect()
}

fn bytes_of(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn struct_pointer(offset: i32, data_words: u16, pointers: u16) -> u64 {
    u64::from((offset << 2) as u32) | u64::from(data_words) << 32 | u64::from(pointers) << 48
}

fn list_pointer(offset: i32, element_size: u64, count: u32) -> u64 {
    u64::from((offset << 2) as u32) | 1 | element_size << 32 | u64::from(count) << 35
}

/// `word`'s offset field moved by `by` words (the target moved, the pointer did not).
fn shifted(word: u64, by: i32) -> u64 {
    let offset = (word as u32 as i32) >> 2;
    (word & !0xffff_fffc) | u64::from(((offset + by) << 2) as u32)
}

fn is_canonical_capnp(bytes: &[u8]) -> bool {
    let mut aligned = Word::allocate_zeroed_vec(bytes.len() / 8);
    Word::words_to_bytes_mut(&mut aligned).copy_from_slice(bytes);
    let segments = [Word::words_to_bytes(&aligned)];
    capnp::message::Reader::new(SegmentArray::new(&segments), ReaderOptions::new())
        .is_canonical()
        .unwrap()
}

/// The input is canonical Cap'n Proto (so only the value check can refuse it) and
/// the decoder refuses it as not the canonical encoding of its value.
fn assert_refused(bytes: &[u8], path: &str) {
    assert!(
        is_canonical_capnp(bytes),
        "the test input must be canonical Cap'n Proto"
    );
    let err = decode_block(bytes, L).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(
        err.to_string()
            .ends_with(&format!("{path}: {NOT_CANONICAL}")),
        "{err}"
    );
}

fn no_commit_block(transactions: usize) -> Block {
    let mut block = sample_block();
    block.transactions.truncate(transactions);
    block.last_commit = Commit::default();
    block.header.height = 1;
    block
}

#[test]
fn the_honest_spellings_used_below_decode() {
    for n in [0, 1] {
        let block = no_commit_block(n);
        assert_eq!(
            decode_block(&encode_block(&block, L).unwrap(), L).unwrap(),
            block
        );
    }
}

#[test]
fn a_pointer_field_a_newer_schema_would_add_is_refused() {
    let bytes = encode_block(&sample_block(), L).unwrap();
    let mut w = words(&bytes);
    assert_eq!(w[0], struct_pointer(0, 0, 3));
    w[0] = struct_pointer(0, 0, 4);
    for pointer in &mut w[1..4] {
        *pointer = shifted(*pointer, 1);
    }
    // A fourth pointer, to an empty byte list at the end (its canonical place).
    let end = w.len() as i32 + 1;
    w.insert(4, list_pointer(end - 5, 2, 0));
    assert_refused(&bytes_of(&w), "Block");
}

#[test]
fn an_empty_transaction_list_that_is_not_null_is_refused() {
    let bytes = encode_block(&no_commit_block(0), L).unwrap();
    let mut w = words(&bytes);
    assert_eq!(w[0], struct_pointer(0, 0, 1));
    w[0] = struct_pointer(0, 0, 2);
    w[1] = shifted(w[1], 1);
    // The empty list points where its (no) elements would start: the end.
    let end = w.len() as i32 + 1;
    w.insert(2, list_pointer(end - 3, 6, 0));
    assert_refused(&bytes_of(&w), "Block.transactions");
}

#[test]
fn transactions_spelled_as_a_list_of_structs_are_refused() {
    // A reader takes each struct's first pointer as the Data element; the builder
    // writes a list of pointers.
    let bytes = encode_block(&no_commit_block(1), L).unwrap();
    let mut w = words(&bytes);
    assert_eq!(w[0], struct_pointer(0, 0, 2));
    let list = w[2];
    assert_eq!((list >> 32) & 7, 6);
    let at = (3 + ((list as u32 as i32) >> 2)) as usize;
    w[2] = (list & !(7 << 32)) | 7 << 32; // inline composite, one word in all
    w.insert(at, struct_pointer(1, 0, 1)); // the tag: one element of one pointer
    assert_refused(&bytes_of(&w), "Block.transactions");
}

#[test]
fn an_empty_commit_that_is_not_null_is_refused() {
    let bytes = encode_block(&no_commit_block(0), L).unwrap();
    let mut w = words(&bytes);
    assert_eq!(w[0], struct_pointer(0, 0, 1));
    w[0] = struct_pointer(0, 0, 3);
    w[1] = shifted(w[1], 2);
    w.insert(2, 0);
    w.insert(3, struct_pointer(-1, 0, 0)); // a struct of no size points at itself
    assert_refused(&bytes_of(&w), "Block.lastCommit");
}

#[test]
fn a_commit_with_an_unknown_field_is_refused() {
    // The last pointer of the block is the commit: grow its struct by one data word.
    let bytes = encode_block(&sample_block(), L).unwrap();
    let mut w = words(&bytes);
    let commit = w[3];
    assert_eq!(commit & 3, 0);
    assert_eq!(
        commit >> 32,
        1 << 16,
        "a commit is no data words and one pointer"
    );
    let at = (4 + ((commit as u32 as i32) >> 2)) as usize;
    w[3] = struct_pointer((commit as u32 as i32) >> 2, 1, 1);
    w.insert(at, 0xfeed);
    // The votes pointer moved one word on, its target too: its offset is unchanged.
    assert_refused(&bytes_of(&w), "Block.lastCommit");
}
