//! Deterministic sample messages shared by the wire tests.

use super::*;

/// `N` bytes counting up from `start` (wrapping), so fields are distinguishable.
pub(crate) fn seq<const N: usize>(start: u8) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = start.wrapping_add(i as u8);
    }
    out
}

pub(crate) const CHAIN: [u8; 32] = [0xc1; 32];

pub(crate) fn level(actor: &str, permission: &str) -> PermissionLevel {
    PermissionLevel {
        actor: actor.into(),
        permission: permission.into(),
    }
}

pub(crate) fn sample_body() -> TransactionBody {
    TransactionBody {
        chain_id: CHAIN,
        expiration: 1_700_000_060,
        ref_block_num: 41,
        ref_block_prefix: seq(0xa0),
        max_ops: 250_000,
        nonce: 7,
        actions: vec![
            Action {
                plugin: "pay".into(),
                name: "transfer".into(),
                authorization: vec![level("alice", "active")],
                data: b"{\"to\":\"bob\",\"amount\":5}".to_vec(),
            },
            Action {
                plugin: "identity".into(),
                name: "set_profile".into(),
                authorization: vec![level("alice", "owner"), level("bob.dao", "active")],
                data: Vec::new(),
            },
        ],
    }
}

pub(crate) fn sample_signed() -> SignedTransaction {
    SignedTransaction::new(
        sample_body(),
        vec![
            Signature {
                public_key: seq(0x10),
                signature: seq(0x40),
            },
            Signature {
                public_key: seq(0x20),
                signature: seq(0x80),
            },
        ],
        &Limits::PROTOCOL,
    )
    .unwrap()
}

pub(crate) fn sample_header() -> BlockHeader {
    BlockHeader {
        chain_id: CHAIN,
        height: 42,
        previous_hash: seq(0x01),
        time: 1_700_000_000_123,
        transaction_root: seq(0x21),
        state_root: seq(0x41),
        proposer: seq(0x61),
        validator_set_hash: seq(0x81),
        round: 3,
        last_commit_hash: seq(0xa1),
    }
}

pub(crate) fn sample_vote(kind: VoteKind, block_hash: Option<[u8; 32]>) -> Vote {
    Vote {
        kind,
        chain_id: CHAIN,
        height: 41,
        round: 2,
        block_hash,
        validator: seq(0x30),
        signature: seq(0x90),
    }
}

/// `n` precommits for one block by validators with ascending keys.
pub(crate) fn sample_commit(n: usize) -> Commit {
    let votes = (0..n)
        .map(|i| Vote {
            validator: seq(i as u8 * 2),
            signature: seq(i as u8),
            ..sample_vote(VoteKind::Precommit, Some(seq(0x55)))
        })
        .collect();
    Commit { votes }
}

pub(crate) fn sample_block() -> Block {
    let last_commit = sample_commit(3);
    let mut header = sample_header();
    header.last_commit_hash = last_commit.hash(&Limits::PROTOCOL).unwrap();
    let mut second = sample_body();
    second.nonce = 8;
    second.actions.truncate(1);
    let second = SignedTransaction::new(
        second,
        vec![Signature {
            public_key: seq(0x33),
            signature: seq(0x77),
        }],
        &Limits::PROTOCOL,
    )
    .unwrap();
    Block {
        header,
        transactions: vec![sample_signed(), second],
        last_commit,
    }
}
