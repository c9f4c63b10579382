//! The engine's configuration, inputs and outputs (docs/consensus.md, "Engine API").

use super::proposal::Proposal;
use super::validators::ValidatorSet;
use crate::wire::{Commit, Vote};

/// A step of a round; the order is the order inside a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Propose,
    Prevote,
    Precommit,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Propose => "propose",
            Step::Prevote => "prevote",
            Step::Precommit => "precommit",
        }
    }

    pub fn parse(name: &str) -> crate::CoreResult<Self> {
        match name {
            "propose" => Ok(Step::Propose),
            "prevote" => Ok(Step::Prevote),
            "precommit" => Ok(Step::Precommit),
            other => Err(crate::CoreError::InvalidInput(format!(
                "step must be \"propose\", \"prevote\" or \"precommit\", got {other:?}"
            ))),
        }
    }
}

/// Protocol parameters. Timeouts are `base + round * delta` milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub chain_id: [u8; 32],
    pub timeout_propose_ms: u64,
    pub timeout_propose_delta_ms: u64,
    pub timeout_prevote_ms: u64,
    pub timeout_prevote_delta_ms: u64,
    pub timeout_precommit_ms: u64,
    pub timeout_precommit_delta_ms: u64,
    /// Messages for rounds further ahead than this are ignored (memory bound).
    pub max_future_rounds: u32,
    /// Most inputs kept for the next height while this one finishes.
    pub max_buffered_inputs: usize,
}

impl Config {
    pub fn new(chain_id: [u8; 32]) -> Self {
        Self {
            chain_id,
            timeout_propose_ms: 3000,
            timeout_propose_delta_ms: 500,
            timeout_prevote_ms: 1000,
            timeout_prevote_delta_ms: 500,
            timeout_precommit_ms: 1000,
            timeout_precommit_delta_ms: 500,
            max_future_rounds: 1000,
            max_buffered_inputs: 10_000,
        }
    }

    pub fn timeout_ms(&self, step: Step, round: u32) -> u64 {
        let (base, delta) = match step {
            Step::Propose => (self.timeout_propose_ms, self.timeout_propose_delta_ms),
            Step::Prevote => (self.timeout_prevote_ms, self.timeout_prevote_delta_ms),
            Step::Precommit => (self.timeout_precommit_ms, self.timeout_precommit_delta_ms),
        };
        base.saturating_add(delta.saturating_mul(round as u64))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Proposal(Proposal),
    Vote(Vote),
    Timeout {
        height: u64,
        round: u32,
        step: Step,
    },
    /// The host's answer to `GetValue`: the value this validator proposes.
    ProposalValue {
        height: u64,
        round: u32,
        block_hash: [u8; 32],
        value: Vec<u8>,
    },
    /// The host's answer to `ValidateValue`.
    ValueValidity {
        height: u64,
        block_hash: [u8; 32],
        valid: bool,
    },
    /// Start `height` (after a decision was committed, or after catching up) with its set.
    NewHeight {
        height: u64,
        validators: ValidatorSet,
    },
}

/// Proof that a validator signed two conflicting messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Same validator, chain, height, round and kind; different block hash. `a` is the
    /// vote whose block hash sorts first (nil first), so both reporters give one pair.
    DuplicateVote { a: Vote, b: Vote },
    /// Same proposer, height and round; different signed content. Values are left out.
    DuplicateProposal { a: Proposal, b: Proposal },
}

impl Evidence {
    pub fn offender(&self) -> [u8; 32] {
        match self {
            Evidence::DuplicateVote { a, .. } => a.validator,
            Evidence::DuplicateProposal { a, .. } => a.proposer,
        }
    }
}

// Outputs live for one `handle` call; boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    BroadcastProposal(Proposal),
    BroadcastVote(Vote),
    ScheduleTimeout {
        height: u64,
        round: u32,
        step: Step,
        duration_ms: u64,
    },
    /// Ask the host for a value to propose; answer with `Input::ProposalValue`.
    GetValue {
        height: u64,
        round: u32,
    },
    /// Ask the host to judge a proposed value; answer with `Input::ValueValidity`.
    ValidateValue {
        height: u64,
        round: u32,
        block_hash: [u8; 32],
        value: Vec<u8>,
    },
    /// `height` is final. The host commits it, then sends `NewHeight`.
    Decide {
        height: u64,
        round: u32,
        block_hash: [u8; 32],
        value: Vec<u8>,
        commit: Commit,
    },
    Evidence(Evidence),
    /// An input that was ignored, and why (bad signature, unknown validator, refused signing…).
    Rejected {
        reason: String,
    },
}
