//! Block headers and blocks: domain types, canonical encode/decode, the header hash.
//!
//! The block hash is the hash of the header's canonical bytes; a `Block` carries
//! those bytes as `Data`, so the hash covers exactly what was sent. Decoding a
//! block checks what one message can show on its own (sizes, every transaction,
//! one chain id throughout, the commit's height); checks against the chain
//! (roots, hashes, signatures, the validator set) belong to block validation.

use super::canonical::{
    canonical_copy, decode_exact, encode_canonical, malformed, not_canonical, read_canonical,
};
use super::fields::{as_invalid_input, count, fixed, read_data};
use super::limits::Limits;
use super::schema::block_capnp as schema;
use super::schema::vote_capnp;
use super::transaction::{
    decode_signed_transaction, encode_signed_transaction, list_len, prefix_error, SignedTransaction,
};
use super::vote::{build_commit, fill_commit, read_commit, Commit};
use crate::hash::{hash_with, tags, Digest};
use crate::{CoreError, CoreResult};

/// What the block hash commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub chain_id: [u8; 32],
    pub height: u64,
    /// 32 zero bytes for the first block.
    pub previous_hash: [u8; 32],
    /// Milliseconds since the Unix epoch.
    pub time: u64,
    pub transaction_root: [u8; 32],
    pub state_root: [u8; 32],
    /// The proposing validator's Ed25519 key.
    pub proposer: [u8; 32],
    pub validator_set_hash: [u8; 32],
    pub round: u32,
    /// [`Commit::hash`] of the block's `last_commit`.
    pub last_commit_hash: [u8; 32],
}

/// A header, the block's transactions and the commit of the previous block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub header: BlockHeader,
    pub transactions: Vec<SignedTransaction>,
    pub last_commit: Commit,
}

/// The block hash: `hash_with(tags::BLOCK_HEADER, [header_bytes])` over the
/// canonical header bytes.
pub fn header_hash(header_bytes: &[u8]) -> Digest {
    hash_with(tags::BLOCK_HEADER, &[header_bytes])
}

impl BlockHeader {
    /// The block hash of this header.
    pub fn hash(&self) -> CoreResult<Digest> {
        Ok(header_hash(&encode_block_header(self)?))
    }
}

impl Block {
    /// Check what the block shows on its own; `Malformed`/`TooLarge`.
    pub fn validate(&self, limits: &Limits) -> CoreResult<()> {
        count(
            "Block.transactions",
            self.transactions.len(),
            0,
            limits.max_block_transactions,
        )?;
        for (i, tx) in self.transactions.iter().enumerate() {
            if tx.body().chain_id != self.header.chain_id {
                return Err(CoreError::Malformed(format!(
                    "Block.transactions[{i}]: chain id differs from the header's"
                )));
            }
        }
        self.last_commit
            .validate(limits)
            .map_err(|err| prefix_error("Block.lastCommit", err))?;
        if let Some(vote) = self.last_commit.votes.first() {
            if vote.chain_id != self.header.chain_id {
                return Err(CoreError::Malformed(
                    "Block.lastCommit: chain id differs from the header's".into(),
                ));
            }
            if self.header.height.checked_sub(1) != Some(vote.height) {
                return Err(CoreError::Malformed(format!(
                    "Block.lastCommit: commits height {}, the block is at height {}",
                    vote.height, self.header.height
                )));
            }
        }
        Ok(())
    }

    /// The block hash (= the header hash).
    pub fn hash(&self) -> CoreResult<Digest> {
        self.header.hash()
    }
}

/// The canonical encoding of a header (every field has a fixed size, so any
/// header value is valid).
pub fn encode_block_header(header: &BlockHeader) -> CoreResult<Vec<u8>> {
    encode_canonical::<schema::block_header::Owned>(|mut out| {
        out.set_chain_id(&header.chain_id);
        out.set_height(header.height);
        out.set_previous_hash(&header.previous_hash);
        out.set_time(header.time);
        out.set_transaction_root(&header.transaction_root);
        out.set_state_root(&header.state_root);
        out.set_proposer(&header.proposer);
        out.set_validator_set_hash(&header.validator_set_hash);
        out.set_round(header.round);
        out.set_last_commit_hash(&header.last_commit_hash);
        Ok(())
    })
}

/// Decode and validate a canonical `BlockHeader`.
pub fn decode_block_header(bytes: &[u8], limits: &Limits) -> CoreResult<BlockHeader> {
    decode_exact::<schema::block_header::Owned, _>(
        bytes,
        "BlockHeader",
        limits.max_header_bytes,
        limits,
        read_header,
        encode_block_header,
    )
}

/// The canonical encoding of a valid block; an invalid one is `InvalidInput`.
pub fn encode_block(block: &Block, limits: &Limits) -> CoreResult<Vec<u8>> {
    block.validate(limits).map_err(as_invalid_input)?;
    let mut transactions = Vec::with_capacity(block.transactions.len());
    for tx in &block.transactions {
        transactions.push(encode_signed_transaction(tx, limits)?);
    }
    build_block(block, &transactions)
}

/// Decode and validate a canonical `Block`, every transaction included.
///
/// Proven canonical while parsing, not by re-encoding the block (a copy of every
/// transaction): the message is canonical Cap'n Proto ([`read_canonical`]), the header
/// and each transaction are canonical on their own, and [`check_block_layout`] plus
/// the commit check in `read_block` pin down everything else the re-encoding compared.
pub fn decode_block(bytes: &[u8], limits: &Limits) -> CoreResult<Block> {
    read_canonical::<schema::block::Owned, _>(
        bytes,
        "Block",
        limits.max_block_bytes,
        limits,
        |root| {
            check_block_layout(bytes)?;
            read_block(root, limits)
        },
    )
}

/// Wire pointer fields (Cap'n Proto encoding spec): the low two bits give the kind,
/// a struct pointer's data words and pointer count sit in bits 32..48 and 48..64, a
/// list pointer's element size in bits 32..35 and its length in bits 35..64.
const STRUCT_POINTER: u64 = 0;
const LIST_POINTER: u64 = 1;
const POINTER_ELEMENTS: u64 = 6;
/// The `Block` struct: no data section; header, transactions, lastCommit.
const BLOCK_POINTERS: u64 = 3;

/// What the block's Cap'n Proto value must look like for `build_block` to give
/// these bytes, beyond what a canonical message and its typed reader guarantee.
///
/// Call only on bytes already shown canonical: then the root struct starts at word 1
/// and its pointer section follows its data section.
/// - the root is a `Block` struct with no data words and at most three pointers (a
///   newer schema's fields would add more): unknown fields are rejected;
/// - `transactions` is null, or a list of pointers with at least one element: the
///   builder writes no list for no transactions, and a reader would also accept a
///   list of structs (taking each struct's first pointer) where `List(Data)` is meant.
///
/// The header and each transaction are read as `Data` (byte lists only) and decoded
/// canonical on their own; the commit is compared in `read_block`.
fn check_block_layout(bytes: &[u8]) -> CoreResult<()> {
    let word = |index: usize| -> u64 {
        bytes
            .get(index * 8..index * 8 + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let root = word(0);
    if root == 0 {
        return Ok(()); // a null root: the reader's defaults, and the empty header is refused
    }
    let data_words = (root >> 32) & 0xffff;
    let pointers = root >> 48;
    if root & 3 != STRUCT_POINTER || data_words != 0 || pointers > BLOCK_POINTERS {
        return Err(not_canonical("Block"));
    }
    let transactions = if pointers >= 2 { word(2) } else { 0 };
    if transactions != 0
        && (transactions & 3 != LIST_POINTER
            || (transactions >> 32) & 7 != POINTER_ELEMENTS
            || transactions >> 35 == 0)
    {
        return Err(not_canonical("Block.transactions"));
    }
    Ok(())
}

fn read_header(root: schema::block_header::Reader<'_>) -> CoreResult<BlockHeader> {
    let field = |name: &str| format!("BlockHeader.{name}");
    let hash32 = |name: &str, data: capnp::Result<&[u8]>| -> CoreResult<[u8; 32]> {
        fixed(&field(name), read_data(&field(name), data)?)
    };
    Ok(BlockHeader {
        chain_id: hash32("chainId", root.get_chain_id())?,
        height: root.get_height(),
        previous_hash: hash32("previousHash", root.get_previous_hash())?,
        time: root.get_time(),
        transaction_root: hash32("transactionRoot", root.get_transaction_root())?,
        state_root: hash32("stateRoot", root.get_state_root())?,
        proposer: hash32("proposer", root.get_proposer())?,
        validator_set_hash: hash32("validatorSetHash", root.get_validator_set_hash())?,
        round: root.get_round(),
        last_commit_hash: hash32("lastCommitHash", root.get_last_commit_hash())?,
    })
}

fn read_block(root: schema::block::Reader<'_>, limits: &Limits) -> CoreResult<Block> {
    let header_bytes = read_data("Block.header", root.get_header())?;
    let header = decode_block_header(header_bytes, limits)
        .map_err(|err| prefix_error("Block.header", err))?;
    let list = root
        .get_transactions()
        .map_err(|err| malformed("Block.transactions", err))?;
    count(
        "Block.transactions",
        list.len() as usize,
        0,
        limits.max_block_transactions,
    )?;
    let mut transactions = Vec::with_capacity(list.len() as usize);
    for (i, item) in list.iter().enumerate() {
        let path = format!("Block.transactions[{i}]");
        let tx_bytes = read_data(&path, item)?;
        transactions.push(
            decode_signed_transaction(tx_bytes, limits).map_err(|err| prefix_error(&path, err))?,
        );
    }
    let commit = root
        .get_last_commit()
        .map_err(|err| malformed("Block.lastCommit", err))?;
    let last_commit = read_commit(commit, "Block.lastCommit", limits)?;
    if root.has_last_commit() {
        // The builder writes no commit for an empty one, and exactly `build_commit`'s
        // value for any other (so no unknown fields and no other list encoding).
        let written = canonical_copy::<vote_capnp::commit::Owned>(commit, "Block.lastCommit")?;
        if last_commit.votes.is_empty() || written != build_commit(&last_commit)? {
            return Err(not_canonical("Block.lastCommit"));
        }
    }
    let block = Block {
        header,
        transactions,
        last_commit,
    };
    block.validate(limits)?;
    Ok(block)
}

fn build_block(block: &Block, transactions: &[Vec<u8>]) -> CoreResult<Vec<u8>> {
    let header_bytes = encode_block_header(&block.header)?;
    encode_canonical::<schema::block::Owned>(|mut root| {
        root.set_header(&header_bytes);
        if !transactions.is_empty() {
            let mut list = root
                .reborrow()
                .init_transactions(list_len(transactions.len())?);
            for (i, tx) in transactions.iter().enumerate() {
                list.set(i as u32, tx);
            }
        }
        if !block.last_commit.votes.is_empty() {
            fill_commit(root.init_last_commit(), &block.last_commit)?;
        }
        Ok(())
    })
}

#[cfg(test)]
#[path = "block_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "block_strict_tests.rs"]
mod strict_tests;
