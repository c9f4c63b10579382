use super::*;
use crate::wire::canonical::encode_canonical;
use crate::wire::test_support::*;

const L: &Limits = &Limits::PROTOCOL;

#[test]
fn votes_round_trip_nil_and_not() {
    for kind in [VoteKind::Prevote, VoteKind::Precommit] {
        for hash in [None, Some(seq(0x55))] {
            let vote = sample_vote(kind, hash);
            let bytes = encode_vote(&vote).unwrap();
            assert!(bytes.len() <= L.max_vote_bytes);
            let decoded = decode_vote(&bytes, L).unwrap();
            assert_eq!(decoded, vote);
            assert_eq!(encode_vote(&decoded).unwrap(), bytes);
        }
    }
}

#[test]
fn vote_digest_follows_the_fixed_layout() {
    let vote = sample_vote(VoteKind::Precommit, Some(seq(0x55)));
    let mut manual = b"tonomy/vote/v1\x00".to_vec();
    manual.extend_from_slice(&CHAIN);
    manual.push(1);
    manual.extend_from_slice(&41u64.to_le_bytes());
    manual.extend_from_slice(&2u32.to_le_bytes());
    manual.push(1);
    manual.extend_from_slice(&seq::<32>(0x55));
    manual.extend_from_slice(&seq::<32>(0x30));
    assert_eq!(vote.signing_digest(), *blake3::hash(&manual).as_bytes());

    let nil = sample_vote(VoteKind::Prevote, None);
    let mut manual = b"tonomy/vote/v1\x00".to_vec();
    manual.extend_from_slice(&CHAIN);
    manual.push(0);
    manual.extend_from_slice(&41u64.to_le_bytes());
    manual.extend_from_slice(&2u32.to_le_bytes());
    manual.push(0);
    manual.extend_from_slice(&seq::<32>(0x30));
    assert_eq!(nil.signing_digest(), *blake3::hash(&manual).as_bytes());
}

#[test]
fn every_signed_field_changes_the_digest() {
    let base = sample_vote(VoteKind::Prevote, Some(seq(0x55)));
    let variants = [
        Vote {
            kind: VoteKind::Precommit,
            ..base.clone()
        },
        Vote {
            chain_id: [0xc2; 32],
            ..base.clone()
        },
        Vote {
            height: 42,
            ..base.clone()
        },
        Vote {
            round: 3,
            ..base.clone()
        },
        Vote {
            block_hash: None,
            ..base.clone()
        },
        Vote {
            block_hash: Some(seq(0x56)),
            ..base.clone()
        },
        Vote {
            validator: seq(0x31),
            ..base.clone()
        },
    ];
    for variant in variants {
        assert_ne!(
            variant.signing_digest(),
            base.signing_digest(),
            "{variant:?}"
        );
    }
    // The signature itself is not signed.
    let resigned = Vote {
        signature: [0; 64],
        ..base.clone()
    };
    assert_eq!(resigned.signing_digest(), base.signing_digest());
}

fn raw_vote(kind: u16, fields: [&[u8]; 4]) -> Vec<u8> {
    encode_canonical::<schema::vote::Owned>(|mut root| {
        // Unknown kinds cannot be set through the typed setter; write the raw ordinal.
        let kind = schema::VoteKind::try_from(kind).unwrap_or(schema::VoteKind::Prevote);
        root.set_kind(kind);
        let [chain, hash, validator, signature] = fields;
        if !chain.is_empty() {
            root.set_chain_id(chain);
        }
        if !hash.is_empty() {
            root.set_block_hash(hash);
        }
        if !validator.is_empty() {
            root.set_validator(validator);
        }
        if !signature.is_empty() {
            root.set_signature(signature);
        }
        Ok(())
    })
    .unwrap()
}

#[test]
fn vote_fields_must_have_their_sizes() {
    decode_vote(&raw_vote(1, [&[1; 32], &[2; 32], &[3; 32], &[4; 64]]), L).unwrap();
    decode_vote(&raw_vote(1, [&[1; 32], &[], &[3; 32], &[4; 64]]), L).unwrap();
    for (fields, field) in [
        (
            [&[1u8; 31][..], &[2; 32][..], &[3; 32][..], &[4; 64][..]],
            "Vote.chainId",
        ),
        (
            [&[1; 32][..], &[2; 31][..], &[3; 32][..], &[4; 64][..]],
            "Vote.blockHash",
        ),
        (
            [&[1; 32][..], &[2; 33][..], &[3; 32][..], &[4; 64][..]],
            "Vote.blockHash",
        ),
        (
            [&[1; 32][..], &[2; 32][..], &[][..], &[4; 64][..]],
            "Vote.validator",
        ),
        (
            [&[1; 32][..], &[2; 32][..], &[3; 32][..], &[4; 65][..]],
            "Vote.signature",
        ),
    ] {
        let err = decode_vote(&raw_vote(1, fields), L).unwrap_err();
        assert_eq!(err.code(), "wire.malformed");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
}

#[test]
fn unknown_vote_kind_is_malformed() {
    let mut bytes = encode_vote(&sample_vote(VoteKind::Precommit, None)).unwrap();
    // Word 1 is the first data word; `kind` is its low 16 bits.
    assert_eq!(&bytes[8..10], &[1, 0]);
    bytes[8] = 7;
    let err = decode_vote(&bytes, L).unwrap_err();
    assert_eq!(err.code(), "wire.malformed");
    assert!(err.to_string().contains("Vote.kind"), "{err}");
}

#[test]
fn oversized_vote_is_too_large_before_parsing() {
    let mut bytes = encode_vote(&sample_vote(VoteKind::Prevote, None)).unwrap();
    bytes.resize(L.max_vote_bytes + 8, 0);
    assert_eq!(decode_vote(&bytes, L).unwrap_err().code(), "wire.too_large");
}

#[test]
fn commits_round_trip_and_hash_their_canonical_bytes() {
    for n in [0, 1, 4] {
        let commit = sample_commit(n);
        let bytes = encode_commit(&commit, L).unwrap();
        assert_eq!(decode_commit(&bytes, L).unwrap(), commit);
        let mut manual = b"tonomy/commit/v1\x00".to_vec();
        manual.extend_from_slice(&bytes);
        assert_eq!(commit.hash(L).unwrap(), *blake3::hash(&manual).as_bytes());
    }
}

#[test]
fn commit_rules() {
    type Breaker = fn(&mut Commit);
    let cases: &[(&str, Breaker)] = &[
        ("only precommits", |c| c.votes[1].kind = VoteKind::Prevote),
        ("no nil votes", |c| c.votes[2].block_hash = None),
        ("must match the first", |c| c.votes[1].height += 1),
        ("must match the first", |c| c.votes[1].round += 1),
        ("must match the first", |c| {
            c.votes[2].block_hash = Some([9; 32])
        }),
        ("must match the first", |c| c.votes[2].chain_id = [9; 32]),
        ("strictly ascending", |c| c.votes.swap(0, 1)),
        ("strictly ascending", |c| {
            c.votes[1].validator = c.votes[0].validator
        }),
    ];
    for (expected, breaker) in cases {
        let mut commit = sample_commit(3);
        breaker(&mut commit);
        assert_eq!(
            encode_commit(&commit, L).unwrap_err().code(),
            "core.invalid_input"
        );
        let err = decode_commit(&build_commit(&commit).unwrap(), L).unwrap_err();
        assert_eq!(err.code(), "wire.malformed", "{expected}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
    let tight = Limits {
        max_commit_votes: 2,
        ..Limits::PROTOCOL
    };
    let bytes = encode_commit(&sample_commit(3), L).unwrap();
    assert_eq!(
        decode_commit(&bytes, &tight).unwrap_err().code(),
        "wire.too_large"
    );
}

#[test]
fn vote_kind_names() {
    for kind in [VoteKind::Prevote, VoteKind::Precommit] {
        assert_eq!(VoteKind::parse(kind.as_str()).unwrap(), kind);
    }
    assert_eq!(
        VoteKind::parse("commit").unwrap_err().code(),
        "core.invalid_input"
    );
}
