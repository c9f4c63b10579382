//! The wire format: Cap'n Proto messages in their canonical form.
//!
//! The schemas in `tonomy/schema/*.capnp` are the one source of every format
//! (`build.rs` compiles them; Python loads the same files with pycapnp). This
//! module turns wire bytes into plain Rust domain types and back:
//!
//! - decoders check the size first, read with explicit traversal and nesting
//!   limits, validate every field (fixed sizes, names, counts) and accept only
//!   the canonical encoding, so `encode(decode(bytes)) == bytes` always;
//!   errors are `Malformed` or `TooLarge` naming the field, never a panic;
//! - encoders validate too (`InvalidInput`) and emit only canonical bytes;
//! - digests: [`transaction_id`], [`header_hash`], [`vote_digest`], [`Commit::hash`].
//!
//! `docs/wire.md` is the specification.

mod block;
mod canonical;
mod fields;
mod limits;
mod schema;
mod transaction;
mod transaction_shape;
mod vote;

pub use block::{
    decode_block, decode_block_header, encode_block, encode_block_header, header_hash, Block,
    BlockHeader,
};
pub use fields::check_name;
pub use limits::Limits;
pub use transaction::{
    decode_signed_transaction, decode_transaction_body, encode_signed_transaction,
    encode_transaction_body, transaction_id, Action, PermissionLevel, Signature, SignedTransaction,
    TransactionBody,
};
pub use vote::{
    decode_commit, decode_vote, encode_commit, encode_vote, vote_digest, Commit, Vote, VoteKind,
};

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod test_support;
