use super::*;
use crate::wire::canonical::encode_canonical;
use crate::wire::test_support::*;
use crate::wire::transaction::encode_transaction_body;
use crate::wire::vote::{Vote, VoteKind};

const L: &Limits = &Limits::PROTOCOL;

#[test]
fn header_round_trips_and_hashes_its_bytes() {
    let header = sample_header();
    let bytes = encode_block_header(&header).unwrap();
    assert!(bytes.len() <= L.max_header_bytes);
    assert_eq!(decode_block_header(&bytes, L).unwrap(), header);
    let mut manual = b"tonomy/block/v1\x00".to_vec();
    manual.extend_from_slice(&bytes);
    assert_eq!(header.hash().unwrap(), *blake3::hash(&manual).as_bytes());
    assert_eq!(header_hash(&bytes), header.hash().unwrap());
}

#[test]
fn zero_valued_header_fields_still_round_trip() {
    // Zero words are truncated in canonical form; the value must survive that.
    let header = BlockHeader {
        height: 0,
        time: 0,
        round: 0,
        previous_hash: [0; 32],
        ..sample_header()
    };
    let bytes = encode_block_header(&header).unwrap();
    assert_eq!(decode_block_header(&bytes, L).unwrap(), header);
}

#[test]
fn every_header_field_changes_the_hash() {
    let base = sample_header();
    let variants = [
        BlockHeader {
            chain_id: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            height: 43,
            ..base.clone()
        },
        BlockHeader {
            previous_hash: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            time: base.time + 1,
            ..base.clone()
        },
        BlockHeader {
            transaction_root: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            state_root: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            proposer: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            validator_set_hash: [1; 32],
            ..base.clone()
        },
        BlockHeader {
            round: 4,
            ..base.clone()
        },
        BlockHeader {
            last_commit_hash: [1; 32],
            ..base.clone()
        },
    ];
    for variant in variants {
        assert_ne!(variant.hash().unwrap(), base.hash().unwrap(), "{variant:?}");
    }
}

#[test]
fn header_fields_must_be_32_bytes() {
    let names = [
        "chainId",
        "previousHash",
        "transactionRoot",
        "stateRoot",
        "proposer",
        "validatorSetHash",
        "lastCommitHash",
    ];
    for (broken, name) in names.iter().enumerate() {
        for size in [0usize, 31, 33] {
            let bytes = encode_canonical::<schema::block_header::Owned>(|mut out| {
                let value = |i: usize| vec![i as u8 + 1; if i == broken { size } else { 32 }];
                let set = |v: Vec<u8>, f: &mut dyn FnMut(&[u8])| {
                    if !v.is_empty() {
                        f(&v)
                    }
                };
                set(value(0), &mut |v| out.set_chain_id(v));
                set(value(1), &mut |v| out.set_previous_hash(v));
                set(value(2), &mut |v| out.set_transaction_root(v));
                set(value(3), &mut |v| out.set_state_root(v));
                set(value(4), &mut |v| out.set_proposer(v));
                set(value(5), &mut |v| out.set_validator_set_hash(v));
                set(value(6), &mut |v| out.set_last_commit_hash(v));
                Ok(())
            })
            .unwrap();
            let err = decode_block_header(&bytes, L).unwrap_err();
            assert_eq!(err.code(), "wire.malformed");
            assert!(
                err.to_string().contains(&format!("BlockHeader.{name}")),
                "{name}/{size}: {err}"
            );
        }
    }
}

#[test]
fn blocks_round_trip() {
    let block = sample_block();
    let bytes = encode_block(&block, L).unwrap();
    let decoded = decode_block(&bytes, L).unwrap();
    assert_eq!(decoded, block);
    assert_eq!(encode_block(&decoded, L).unwrap(), bytes);
    assert_eq!(decoded.hash().unwrap(), block.header.hash().unwrap());

    let empty = Block {
        header: sample_header(),
        transactions: vec![],
        last_commit: Commit::default(),
    };
    let bytes = encode_block(&empty, L).unwrap();
    assert_eq!(decode_block(&bytes, L).unwrap(), empty);
}

fn unchecked(block: &Block) -> Vec<u8> {
    let raw: Vec<Vec<u8>> = block
        .transactions
        .iter()
        .map(build_signed_for_test)
        .collect();
    build_block(block, &raw).unwrap()
}

fn build_signed_for_test(tx: &SignedTransaction) -> Vec<u8> {
    crate::wire::transaction::encode_signed_transaction(tx, L).unwrap()
}

#[test]
fn block_consistency_rules() {
    type Breaker = fn(&mut Block);
    let cases: &[(&str, &str, Breaker)] = &[
        ("Block.transactions[1]", "chain id", |b| {
            let mut body = b.transactions[1].body().clone();
            body.chain_id = [9; 32];
            b.transactions[1] =
                SignedTransaction::new(body, b.transactions[1].signatures().to_vec(), L).unwrap();
        }),
        ("Block.lastCommit", "chain id", |b| {
            for vote in &mut b.last_commit.votes {
                vote.chain_id = [9; 32];
            }
        }),
        ("Block.lastCommit", "height", |b| b.header.height = 50),
        ("Block.lastCommit", "height", |b| b.header.height = 0),
        ("Block.lastCommit", "strictly ascending", |b| {
            b.last_commit.votes.swap(0, 2)
        }),
    ];
    for (field, what, breaker) in cases {
        let mut block = sample_block();
        breaker(&mut block);
        assert_eq!(
            encode_block(&block, L).unwrap_err().code(),
            "core.invalid_input"
        );
        let err = decode_block(&unchecked(&block), L).unwrap_err();
        assert_eq!(err.code(), "wire.malformed", "{field}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(field) && message.contains(what),
            "{field}/{what}: {message}"
        );
    }
}

#[test]
fn a_bad_transaction_inside_a_block_is_named() {
    let block = sample_block();
    let mut raw: Vec<Vec<u8>> = block
        .transactions
        .iter()
        .map(build_signed_for_test)
        .collect();
    let shorter = raw[1].len() - 8;
    raw[1].truncate(shorter);
    let err = decode_block(&build_block(&block, &raw).unwrap(), L).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("Block.transactions[1]"), "{err}");

    let mut body = encode_transaction_body(block.transactions[0].body(), L).unwrap();
    body.push(0);
    assert!(decode_block(&body, L).is_err());
}

#[test]
fn block_transaction_count_limit() {
    let block = sample_block();
    let tight = Limits {
        max_block_transactions: 1,
        ..Limits::PROTOCOL
    };
    let bytes = encode_block(&block, L).unwrap();
    let err = decode_block(&bytes, &tight).unwrap_err();
    assert_eq!(err.code(), "wire.too_large");
    assert!(err.to_string().contains("Block.transactions"), "{err}");
    assert_eq!(
        encode_block(&block, &tight).unwrap_err().code(),
        "core.invalid_input"
    );
}

#[test]
fn a_commit_for_the_previous_height_is_accepted() {
    let mut block = sample_block();
    block.header.height = 1;
    for vote in &mut block.last_commit.votes {
        *vote = Vote {
            height: 0,
            ..vote.clone()
        };
    }
    assert_eq!(block.last_commit.votes[0].kind, VoteKind::Precommit);
    let bytes = encode_block(&block, L).unwrap();
    assert_eq!(decode_block(&bytes, L).unwrap(), block);
}
