//! Consensus votes and commits: domain types, canonical encode/decode, digests.
//!
//! A vote is signed over a FIXED byte layout (see [`vote_digest`]), not over its
//! Cap'n Proto bytes, so hardware signers and light clients can build the digest
//! without a Cap'n Proto library.

use super::canonical::{decode_exact, encode_canonical, malformed};
use super::fields::{as_invalid_input, count, fixed, optional_hash, read_data};
use super::limits::Limits;
use super::schema::vote_capnp as schema;
use super::transaction::list_len;
use crate::hash::{hash_with, tags, Digest};
use crate::{CoreError, CoreResult};

/// The two vote steps of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VoteKind {
    Prevote,
    Precommit,
}

impl VoteKind {
    /// The byte that stands for this kind in the vote digest (= the schema ordinal).
    pub fn digest_byte(self) -> u8 {
        match self {
            VoteKind::Prevote => 0,
            VoteKind::Precommit => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VoteKind::Prevote => "prevote",
            VoteKind::Precommit => "precommit",
        }
    }

    pub fn parse(name: &str) -> CoreResult<Self> {
        match name {
            "prevote" => Ok(VoteKind::Prevote),
            "precommit" => Ok(VoteKind::Precommit),
            other => Err(CoreError::InvalidInput(format!(
                "vote kind must be \"prevote\" or \"precommit\", got {other:?}"
            ))),
        }
    }

    fn to_schema(self) -> schema::VoteKind {
        match self {
            VoteKind::Prevote => schema::VoteKind::Prevote,
            VoteKind::Precommit => schema::VoteKind::Precommit,
        }
    }
}

/// One validator's vote in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub kind: VoteKind,
    pub chain_id: [u8; 32],
    pub height: u64,
    pub round: u32,
    /// `None` is a nil vote.
    pub block_hash: Option<[u8; 32]>,
    pub validator: [u8; 32],
    pub signature: [u8; 64],
}

/// The precommits that finalize one block, sorted by validator key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Commit {
    pub votes: Vec<Vote>,
}

/// The digest a validator signs for a vote:
/// `hash_with(tags::VOTE, [chain_id(32) ‖ kind(1) ‖ height(u64 LE) ‖ round(u32 LE)
/// ‖ has_block(1: 0 or 1) ‖ block_hash(32, only if has_block) ‖ validator(32)])`.
pub fn vote_digest(
    kind: VoteKind,
    chain_id: &[u8; 32],
    height: u64,
    round: u32,
    block_hash: Option<&[u8; 32]>,
    validator: &[u8; 32],
) -> Digest {
    let (has_block, hash): (u8, &[u8]) = match block_hash {
        Some(hash) => (1, hash),
        None => (0, &[]),
    };
    hash_with(
        tags::VOTE,
        &[
            chain_id,
            &[kind.digest_byte()],
            &height.to_le_bytes(),
            &round.to_le_bytes(),
            &[has_block],
            hash,
            validator,
        ],
    )
}

impl Vote {
    /// The digest [`Vote::signature`] signs.
    pub fn signing_digest(&self) -> Digest {
        vote_digest(
            self.kind,
            &self.chain_id,
            self.height,
            self.round,
            self.block_hash.as_ref(),
            &self.validator,
        )
    }
}

impl Commit {
    /// A commit is precommits for one non-nil block hash in one round, with
    /// validators strictly ascending, so one set of votes has one encoding.
    pub fn validate(&self, limits: &Limits) -> CoreResult<()> {
        count("Commit.votes", self.votes.len(), 0, limits.max_commit_votes)?;
        let Some(first) = self.votes.first() else {
            return Ok(());
        };
        for (i, vote) in self.votes.iter().enumerate() {
            let path = format!("Commit.votes[{i}]");
            if vote.kind != VoteKind::Precommit {
                return Err(CoreError::Malformed(format!(
                    "{path}.kind: a commit holds only precommits"
                )));
            }
            if vote.block_hash.is_none() {
                return Err(CoreError::Malformed(format!(
                    "{path}.blockHash: a commit holds no nil votes"
                )));
            }
            if (vote.chain_id, vote.height, vote.round, vote.block_hash)
                != (first.chain_id, first.height, first.round, first.block_hash)
            {
                return Err(CoreError::Malformed(format!(
                    "{path}: chain, height, round and block hash must match the first vote"
                )));
            }
            if i > 0 && self.votes[i - 1].validator >= vote.validator {
                return Err(CoreError::Malformed(format!(
                    "{path}.validator: validators must be strictly ascending (sorted, no repeats)"
                )));
            }
        }
        Ok(())
    }

    /// `hash_with(tags::COMMIT, [canonical Commit bytes])`, which a header carries as
    /// `lastCommitHash`. An invalid commit is `InvalidInput`.
    pub fn hash(&self, limits: &Limits) -> CoreResult<Digest> {
        Ok(hash_with(tags::COMMIT, &[&encode_commit(self, limits)?]))
    }
}

/// The canonical encoding of a vote.
pub fn encode_vote(vote: &Vote) -> CoreResult<Vec<u8>> {
    encode_canonical::<schema::vote::Owned>(|root| {
        fill_vote(root, vote);
        Ok(())
    })
}

/// Decode and validate a canonical `Vote`.
pub fn decode_vote(bytes: &[u8], limits: &Limits) -> CoreResult<Vote> {
    decode_exact::<schema::vote::Owned, _>(
        bytes,
        "Vote",
        limits.max_vote_bytes,
        limits,
        |root| read_vote(root, "Vote"),
        encode_vote,
    )
}

/// The canonical encoding of a valid commit; an invalid one is `InvalidInput`.
pub fn encode_commit(commit: &Commit, limits: &Limits) -> CoreResult<Vec<u8>> {
    commit.validate(limits).map_err(as_invalid_input)?;
    build_commit(commit)
}

/// Decode and validate a canonical `Commit`.
pub fn decode_commit(bytes: &[u8], limits: &Limits) -> CoreResult<Commit> {
    decode_exact::<schema::commit::Owned, _>(
        bytes,
        "Commit",
        limits.max_block_bytes,
        limits,
        |root| read_commit(root, "Commit", limits),
        build_commit,
    )
}

pub(crate) fn build_commit(commit: &Commit) -> CoreResult<Vec<u8>> {
    encode_canonical::<schema::commit::Owned>(|root| fill_commit(root, commit))
}

pub(crate) fn read_vote(root: schema::vote::Reader<'_>, path: &str) -> CoreResult<Vote> {
    let kind = match root.get_kind() {
        Ok(schema::VoteKind::Prevote) => VoteKind::Prevote,
        Ok(schema::VoteKind::Precommit) => VoteKind::Precommit,
        Err(capnp::NotInSchema(value)) => {
            return Err(CoreError::Malformed(format!(
                "{path}.kind: unknown vote kind {value}"
            )))
        }
    };
    let field = |name: &str| format!("{path}.{name}");
    Ok(Vote {
        kind,
        chain_id: fixed(
            &field("chainId"),
            read_data(&field("chainId"), root.get_chain_id())?,
        )?,
        height: root.get_height(),
        round: root.get_round(),
        block_hash: optional_hash(
            &field("blockHash"),
            read_data(&field("blockHash"), root.get_block_hash())?,
        )?,
        validator: fixed(
            &field("validator"),
            read_data(&field("validator"), root.get_validator())?,
        )?,
        signature: fixed(
            &field("signature"),
            read_data(&field("signature"), root.get_signature())?,
        )?,
    })
}

/// Read and validate a commit (also used inside a block, with its own path).
pub(crate) fn read_commit(
    root: schema::commit::Reader<'_>,
    path: &str,
    limits: &Limits,
) -> CoreResult<Commit> {
    let votes_path = format!("{path}.votes");
    let list = root
        .get_votes()
        .map_err(|err| malformed(&votes_path, err))?;
    count(&votes_path, list.len() as usize, 0, limits.max_commit_votes)?;
    let mut votes = Vec::with_capacity(list.len() as usize);
    for (i, vote) in list.iter().enumerate() {
        votes.push(read_vote(vote, &format!("{votes_path}[{i}]"))?);
    }
    let commit = Commit { votes };
    commit
        .validate(limits)
        .map_err(|err| rename_commit_path(err, path))?;
    Ok(commit)
}

/// `Commit.validate` names paths from `Commit`; inside a block they sit elsewhere.
fn rename_commit_path(err: CoreError, path: &str) -> CoreError {
    if path == "Commit" {
        return err;
    }
    match err {
        CoreError::Malformed(m) => CoreError::Malformed(m.replacen("Commit", path, 1)),
        CoreError::TooLarge(m) => CoreError::TooLarge(m.replacen("Commit", path, 1)),
        other => other,
    }
}

pub(crate) fn fill_vote(mut out: schema::vote::Builder<'_>, vote: &Vote) {
    out.set_kind(vote.kind.to_schema());
    out.set_chain_id(&vote.chain_id);
    out.set_height(vote.height);
    out.set_round(vote.round);
    if let Some(hash) = &vote.block_hash {
        out.set_block_hash(hash);
    }
    out.set_validator(&vote.validator);
    out.set_signature(&vote.signature);
}

pub(crate) fn fill_commit(root: schema::commit::Builder<'_>, commit: &Commit) -> CoreResult<()> {
    if !commit.votes.is_empty() {
        let mut list = root.init_votes(list_len(commit.votes.len())?);
        for (i, vote) in commit.votes.iter().enumerate() {
            fill_vote(list.reborrow().get(i as u32), vote);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "vote_tests.rs"]
mod tests;
