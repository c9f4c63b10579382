//! The votes of one height, tallied per (round, kind, block hash) with integer power.
//!
//! A validator's FIRST vote at a (round, kind) counts towards "a quorum of any votes";
//! every signed vote counts towards the quorum of its own block hash (each validator at
//! most once per hash). Counting an equivocator's second vote is what the paper's "2f+1
//! messages for v" means, and it is needed so a node that heard the other vote first can
//! still recognise a commit others decided on; safety only rests on honest validators
//! signing once. A second vote is evidence.

use std::collections::{BTreeMap, BTreeSet};

use crate::wire::{Commit, Vote, VoteKind};

/// Most distinct votes kept per validator per (round, kind), against floods.
pub const MAX_VOTES_PER_SLOT: usize = 4;

#[derive(Debug, Default)]
struct RoundKindVotes {
    /// Every distinct vote of a validator here, first one first.
    by_validator: BTreeMap<[u8; 32], Vec<Vote>>,
    power_by_hash: BTreeMap<Option<[u8; 32]>, u64>,
    total: u64,
}

/// What adding a (signature-checked) vote did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    New,
    /// The same vote (same block hash) was already counted.
    Duplicate,
    /// A different vote of this validator here came first: returned, for evidence. The
    /// new vote counts for its own block hash only (if under the per-slot bound).
    Conflict(Vote),
}

#[derive(Debug, Default)]
pub struct HeightVotes {
    rounds: BTreeMap<(u32, VoteKind), RoundKindVotes>,
    /// Power of the distinct validators that sent anything (vote or proposal) per round.
    senders: BTreeMap<u32, BTreeMap<[u8; 32], u64>>,
    reported: BTreeSet<([u8; 32], u32, VoteKind)>,
}

impl HeightVotes {
    /// Whether this exact vote content (signature aside) is already counted.
    pub fn has_same(&self, vote: &Vote) -> bool {
        self.rounds
            .get(&(vote.round, vote.kind))
            .and_then(|r| r.by_validator.get(&vote.validator))
            .is_some_and(|vs| vs.iter().any(|v| v.block_hash == vote.block_hash))
    }

    /// Count a vote whose signature and validator were already checked.
    pub fn add(&mut self, vote: Vote, power: u64) -> Added {
        self.note_sender(vote.round, vote.validator, power);
        let entry = self.rounds.entry((vote.round, vote.kind)).or_default();
        let mine = entry.by_validator.entry(vote.validator).or_default();
        if mine.iter().any(|v| v.block_hash == vote.block_hash) {
            return Added::Duplicate;
        }
        let first = mine.first().cloned();
        if mine.len() < MAX_VOTES_PER_SLOT {
            *entry.power_by_hash.entry(vote.block_hash).or_insert(0) += power;
            if first.is_none() {
                entry.total += power;
            }
            mine.push(vote);
        }
        match first {
            None => Added::New,
            Some(first) => Added::Conflict(first),
        }
    }

    /// True the first time a conflict of `validator` at (round, kind) is reported.
    pub fn first_report(&mut self, validator: [u8; 32], round: u32, kind: VoteKind) -> bool {
        self.reported.insert((validator, round, kind))
    }

    pub fn note_sender(&mut self, round: u32, validator: [u8; 32], power: u64) {
        self.senders
            .entry(round)
            .or_default()
            .insert(validator, power);
    }

    /// Power behind `block_hash` (None = nil) at (round, kind).
    pub fn power_for(&self, round: u32, kind: VoteKind, block_hash: Option<[u8; 32]>) -> u64 {
        self.rounds
            .get(&(round, kind))
            .and_then(|r| r.power_by_hash.get(&block_hash))
            .copied()
            .unwrap_or(0)
    }

    /// Power of all votes of any value at (round, kind).
    pub fn power_any(&self, round: u32, kind: VoteKind) -> u64 {
        self.rounds.get(&(round, kind)).map_or(0, |r| r.total)
    }

    /// Block hashes (not nil) that have votes at (round, kind), with their power.
    pub fn hashes(&self, round: u32, kind: VoteKind) -> Vec<([u8; 32], u64)> {
        self.rounds.get(&(round, kind)).map_or_else(Vec::new, |r| {
            r.power_by_hash
                .iter()
                .filter_map(|(h, p)| h.map(|h| (h, *p)))
                .collect()
        })
    }

    /// Rounds that have any precommits.
    pub fn precommit_rounds(&self) -> Vec<u32> {
        self.rounds
            .keys()
            .filter(|(_, kind)| *kind == VoteKind::Precommit)
            .map(|(round, _)| *round)
            .collect()
    }

    /// Power of the distinct validators heard from in `round`.
    pub fn sender_power(&self, round: u32) -> u64 {
        self.senders.get(&round).map_or(0, |s| s.values().sum())
    }

    /// Rounds above `round` anyone spoke in, highest first.
    pub fn rounds_above(&self, round: u32) -> Vec<u32> {
        self.senders
            .range(round.saturating_add(1)..)
            .rev()
            .map(|(r, _)| *r)
            .collect()
    }

    /// The precommits for `block_hash` at `round`, sorted by validator key.
    pub fn commit(&self, round: u32, block_hash: [u8; 32]) -> Commit {
        let votes = self
            .rounds
            .get(&(round, VoteKind::Precommit))
            .map_or_else(Vec::new, |r| {
                r.by_validator
                    .values()
                    .filter_map(|vs| vs.iter().find(|v| v.block_hash == Some(block_hash)))
                    .cloned()
                    .collect()
            });
        Commit { votes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(validator: u8, round: u32, kind: VoteKind, hash: Option<u8>) -> Vote {
        Vote {
            kind,
            chain_id: [0; 32],
            height: 1,
            round,
            block_hash: hash.map(|h| [h; 32]),
            validator: [validator; 32],
            signature: [0; 64],
        }
    }

    #[test]
    fn tallies_per_hash_and_detects_conflicts() {
        let mut votes = HeightVotes::default();
        assert_eq!(
            votes.add(vote(1, 0, VoteKind::Prevote, Some(7)), 5),
            Added::New
        );
        assert_eq!(
            votes.add(vote(2, 0, VoteKind::Prevote, Some(7)), 3),
            Added::New
        );
        assert_eq!(
            votes.add(vote(3, 0, VoteKind::Prevote, None), 2),
            Added::New
        );
        assert_eq!(
            votes.add(vote(1, 0, VoteKind::Prevote, Some(7)), 5),
            Added::Duplicate
        );
        let conflict = votes.add(vote(1, 0, VoteKind::Prevote, Some(8)), 5);
        assert_eq!(
            conflict,
            Added::Conflict(vote(1, 0, VoteKind::Prevote, Some(7)))
        );
        // The conflicting vote counts for its own hash, not twice towards "any".
        assert_eq!(votes.power_for(0, VoteKind::Prevote, Some([7; 32])), 8);
        assert_eq!(votes.power_for(0, VoteKind::Prevote, Some([8; 32])), 5);
        assert_eq!(votes.power_for(0, VoteKind::Prevote, None), 2);
        assert_eq!(votes.power_any(0, VoteKind::Prevote), 10);
        assert!(votes.has_same(&vote(1, 0, VoteKind::Prevote, Some(8))));
        assert_eq!(
            votes.add(vote(1, 0, VoteKind::Prevote, Some(8)), 5),
            Added::Duplicate
        );
        // A flood of distinct votes is bounded per validator and slot.
        for h in 20..30 {
            votes.add(vote(1, 0, VoteKind::Prevote, Some(h)), 5);
        }
        assert_eq!(votes.power_for(0, VoteKind::Prevote, Some([21; 32])), 5);
        assert_eq!(votes.power_for(0, VoteKind::Prevote, Some([22; 32])), 0);
        assert_eq!(votes.power_any(0, VoteKind::Precommit), 0);
        assert!(votes.first_report([1; 32], 0, VoteKind::Prevote));
        assert!(!votes.first_report([1; 32], 0, VoteKind::Prevote));
        // Prevote and precommit are separate slots.
        assert_eq!(
            votes.add(vote(1, 0, VoteKind::Precommit, Some(8)), 5),
            Added::New
        );
        assert_eq!(votes.sender_power(0), 10);
    }

    #[test]
    fn commit_is_sorted_and_only_for_the_hash() {
        let mut votes = HeightVotes::default();
        for v in [9u8, 2, 5] {
            votes.add(vote(v, 1, VoteKind::Precommit, Some(4)), 1);
        }
        votes.add(vote(3, 1, VoteKind::Precommit, None), 1);
        let commit = votes.commit(1, [4; 32]);
        let keys: Vec<u8> = commit.votes.iter().map(|v| v.validator[0]).collect();
        assert_eq!(keys, vec![2, 5, 9]);
        commit.validate(&crate::wire::Limits::PROTOCOL).unwrap();
        assert_eq!(votes.rounds_above(0), vec![1]);
        assert!(votes.rounds_above(1).is_empty());
    }
}
