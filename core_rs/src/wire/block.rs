//! Block headers and blocks: domain types, canonical encode/decode, the header hash.
//!
//! The block hash is the hash of the header's canonical bytes; a `Block` carries
//! those bytes as `Data`, so the hash covers exactly what was sent. Decoding a
//! block checks what one message can show on its own (sizes, every transaction,
//! one chain id throughout, the commit's height); checks against the chain
//! (roots, hashes, signatures, the validator set) belong to block validation.

use super::canonical::{decode_exact, encode_canonical, malformed};
use super::fields::{as_invalid_input, count, fixed, read_data};
use super::limits::Limits;
use super::schema::block_capnp as schema;
use super::transaction::{
    decode_signed_transaction, encode_signed_transaction, list_len, prefix_error, SignedTransaction,
};
use super::vote::{fill_commit, read_commit, Commit};
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
pub fn decode_block(bytes: &[u8], limits: &Limits) -> CoreResult<Block> {
    // The transactions' bytes are kept from the read so the canonical re-encoding
    // need not rebuild them: each was already checked canonical on its own.
    decode_exact::<schema::block::Owned, _>(
        bytes,
        "Block",
        limits.max_block_bytes,
        limits,
        |root| read_block(root, limits),
        |(block, raw_transactions)| build_block(block, raw_transactions),
    )
    .map(|(block, _)| block)
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

fn read_block(
    root: schema::block::Reader<'_>,
    limits: &Limits,
) -> CoreResult<(Block, Vec<Vec<u8>>)> {
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
    let mut raw_transactions = Vec::with_capacity(list.len() as usize);
    for (i, item) in list.iter().enumerate() {
        let path = format!("Block.transactions[{i}]");
        let tx_bytes = read_data(&path, item)?;
        transactions.push(
            decode_signed_transaction(tx_bytes, limits).map_err(|err| prefix_error(&path, err))?,
        );
        raw_transactions.push(tx_bytes.to_vec());
    }
    let commit = root
        .get_last_commit()
        .map_err(|err| malformed("Block.lastCommit", err))?;
    let last_commit = read_commit(commit, "Block.lastCommit", limits)?;
    let block = Block {
        header,
        transactions,
        last_commit,
    };
    block.validate(limits)?;
    Ok((block, raw_transactions))
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
