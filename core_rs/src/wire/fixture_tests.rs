//! Golden fixtures shared with Python (`tests/fixtures/wire/`).
//!
//! - `python/`: written by `make_fixtures.py` with pycapnp (canonicalized by the
//!   reference C++ implementation); Rust must decode them to `expected.json`.
//! - `rust/`: written by this file. With `TONOMY_REGEN_WIRE_FIXTURES=1` the test
//!   rewrites them; otherwise it checks the committed bytes are exactly what Rust
//!   encodes today, and the Python tests decode the same files with pycapnp.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::test_support::*;
use super::*;

const L: &Limits = &Limits::PROTOCOL;
const REGENERATE: &str = "TONOMY_REGEN_WIRE_FIXTURES";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wire")
}

fn hex32(bytes: &[u8]) -> Value {
    Value::String(hex::encode(bytes))
}

fn body_json(body: &TransactionBody) -> Value {
    json!({
        "chain_id": hex32(&body.chain_id),
        "expiration": body.expiration,
        "ref_block_num": body.ref_block_num,
        "ref_block_prefix": hex32(&body.ref_block_prefix),
        "max_ops": body.max_ops,
        "nonce": body.nonce,
        "actions": body.actions.iter().map(|a| json!({
            "plugin": a.plugin,
            "name": a.name,
            "authorization": a.authorization.iter()
                .map(|l| json!({"actor": l.actor, "permission": l.permission}))
                .collect::<Vec<_>>(),
            "data": hex32(&a.data),
        })).collect::<Vec<_>>(),
    })
}

fn signed_json(tx: &SignedTransaction) -> Value {
    json!({
        "id": hex32(&tx.id()),
        "body_bytes": hex32(tx.body_bytes()),
        "body": body_json(tx.body()),
        "signatures": tx.signatures().iter()
            .map(|s| json!({"public_key": hex32(&s.public_key), "signature": hex32(&s.signature)}))
            .collect::<Vec<_>>(),
    })
}

fn header_json(h: &BlockHeader) -> Value {
    json!({
        "hash": hex32(&h.hash().unwrap()),
        "chain_id": hex32(&h.chain_id),
        "height": h.height,
        "previous_hash": hex32(&h.previous_hash),
        "time": h.time,
        "transaction_root": hex32(&h.transaction_root),
        "state_root": hex32(&h.state_root),
        "proposer": hex32(&h.proposer),
        "validator_set_hash": hex32(&h.validator_set_hash),
        "round": h.round,
        "last_commit_hash": hex32(&h.last_commit_hash),
    })
}

fn vote_json(v: &Vote) -> Value {
    json!({
        "digest": hex32(&v.signing_digest()),
        "kind": v.kind.as_str(),
        "chain_id": hex32(&v.chain_id),
        "height": v.height,
        "round": v.round,
        "block_hash": v.block_hash.map(hex::encode),
        "validator": hex32(&v.validator),
        "signature": hex32(&v.signature),
    })
}

fn block_json(b: &Block) -> Value {
    json!({
        "hash": hex32(&b.hash().unwrap()),
        "header": header_json(&b.header),
        "transactions": b.transactions.iter().map(signed_json).collect::<Vec<_>>(),
        "last_commit": {
            "hash": hex32(&b.last_commit.hash(L).unwrap()),
            "votes": b.last_commit.votes.iter().map(vote_json).collect::<Vec<_>>(),
        },
    })
}

/// Decode `bytes` as the named type and describe the value as JSON.
fn decode_to_json(kind: &str, bytes: &[u8]) -> Value {
    match kind {
        "SignedTransaction" => signed_json(&decode_signed_transaction(bytes, L).unwrap()),
        "BlockHeader" => header_json(&decode_block_header(bytes, L).unwrap()),
        "Vote" => vote_json(&decode_vote(bytes, L).unwrap()),
        "Block" => block_json(&decode_block(bytes, L).unwrap()),
        other => panic!("unknown fixture type {other}"),
    }
}

fn read_expected(dir: &str) -> BTreeMap<String, Value> {
    let path = fixtures_dir().join(dir).join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn python_fixtures_decode_to_the_expected_fields() {
    let expected = read_expected("python");
    assert!(expected.len() >= 3, "python fixtures missing");
    for (name, entry) in &expected {
        let file = entry["file"].as_str().unwrap();
        let kind = entry["type"].as_str().unwrap();
        let bytes = std::fs::read(fixtures_dir().join("python").join(file)).unwrap();
        assert_eq!(
            decode_to_json(kind, &bytes),
            entry["value"],
            "python fixture {name}"
        );
    }
}

/// The Rust-written fixtures: (name, type, bytes, value as JSON).
fn rust_fixtures() -> Vec<(&'static str, &'static str, Vec<u8>, Value)> {
    let tx = sample_signed();
    let header = sample_header();
    let vote = sample_vote(VoteKind::Precommit, Some(seq(0x55)));
    let nil = sample_vote(VoteKind::Prevote, None);
    let block = sample_block();
    vec![
        (
            "signed_transaction",
            "SignedTransaction",
            encode_signed_transaction(&tx, L).unwrap(),
            signed_json(&tx),
        ),
        (
            "block_header",
            "BlockHeader",
            encode_block_header(&header).unwrap(),
            header_json(&header),
        ),
        (
            "vote",
            "Vote",
            encode_vote(&vote).unwrap(),
            vote_json(&vote),
        ),
        (
            "vote_nil",
            "Vote",
            encode_vote(&nil).unwrap(),
            vote_json(&nil),
        ),
        (
            "block",
            "Block",
            encode_block(&block, L).unwrap(),
            block_json(&block),
        ),
    ]
}

#[test]
fn rust_fixtures_are_what_rust_encodes() {
    let dir = fixtures_dir().join("rust");
    let mut expected = BTreeMap::new();
    for (name, kind, bytes, value) in rust_fixtures() {
        let file = format!("{name}.bin");
        expected.insert(
            name.to_string(),
            json!({"file": file, "type": kind, "value": value}),
        );
        // What we write must decode back to itself.
        assert_eq!(decode_to_json(kind, &bytes), value);
        let path = dir.join(&file);
        if std::env::var_os(REGENERATE).is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        } else {
            let committed = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (set {REGENERATE}=1 to write it)", path.display())
            });
            assert_eq!(
                hex::encode(&committed),
                hex::encode(&bytes),
                "{name}: committed bytes differ"
            );
        }
    }
    let json_path = dir.join("expected.json");
    let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    if std::env::var_os(REGENERATE).is_some() {
        std::fs::write(&json_path, text).unwrap();
    } else {
        assert_eq!(
            std::fs::read_to_string(&json_path).unwrap(),
            text,
            "rust/expected.json differs"
        );
    }
}
