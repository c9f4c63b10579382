//! The Tendermint state machine of one validator (docs/consensus.md). Sans-IO: `handle`
//! takes one input and returns what the host must do; there is no clock, thread or I/O.
//! Rule names (L22, L28, …) follow the paper's pseudo-code.

use std::collections::{BTreeMap, BTreeSet};

use super::proposal::Proposal;
use super::safety::SafetyRules;
use super::types::{Config, Evidence, Input, Output, Step};
use super::validators::ValidatorSet;
use super::vote_set::{Added, HeightVotes};
use crate::crypto;
use crate::wire::{Vote, VoteKind};
use crate::CoreResult;

/// Distinct proposals kept per round (a byzantine proposer could send many); one more is
/// accepted only when votes show other validators are acting on it.
const PROPOSALS_PER_ROUND: usize = 2;

/// Proposals kept for the next height while this one finishes (values may be 8 MiB).
const MAX_BUFFERED_PROPOSALS: usize = 8;

pub struct Engine {
    config: Config,
    validators: ValidatorSet,
    height: u64,
    round: u32,
    step: Step,
    signer: Option<SafetyRules>,
    locked: Option<(u32, [u8; 32])>,
    valid: Option<(u32, [u8; 32])>,
    /// Proposals of this height by round, then block hash.
    proposals: BTreeMap<u32, BTreeMap<[u8; 32], Proposal>>,
    /// Host verdicts on values, and the values already sent for validation.
    validity: BTreeMap<[u8; 32], bool>,
    validation_asked: BTreeSet<[u8; 32]>,
    votes: HeightVotes,
    prevote_timeout_set: BTreeSet<u32>,
    precommit_timeout_set: BTreeSet<u32>,
    polka_handled: BTreeSet<u32>,
    proposal_conflict_reported: BTreeSet<u32>,
    awaiting_value: Option<u32>,
    decided: bool,
    started: bool,
    future: Vec<Input>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("height", &self.height)
            .field("round", &self.round)
            .field("step", &self.step)
            .field("decided", &self.decided)
            .field("locked", &self.locked.map(|(r, h)| (r, h[0])))
            .field("valid", &self.valid.map(|(r, h)| (r, h[0])))
            .field(
                "proposals",
                &self
                    .proposals
                    .iter()
                    .map(|(r, m)| {
                        (
                            *r,
                            m.keys()
                                .map(|h| (h[0], self.validity.get(h).copied()))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .field(
                "precommits",
                &self
                    .votes
                    .precommit_rounds()
                    .into_iter()
                    .map(|r| {
                        (
                            r,
                            self.votes
                                .hashes(r, VoteKind::Precommit)
                                .iter()
                                .map(|(h, p)| (h[0], *p))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Engine {
    /// An engine at `height`. With a signer it votes; without, it only follows. The
    /// signer's chain must be the config's. Call [`Engine::start`] to begin.
    pub fn new(
        config: Config,
        validators: ValidatorSet,
        height: u64,
        signer: Option<SafetyRules>,
    ) -> CoreResult<Self> {
        if let Some(s) = &signer {
            if s.chain_id() != config.chain_id {
                return Err(crate::CoreError::InvalidInput(
                    "the signer's chain id differs from the engine's".into(),
                ));
            }
        }
        let mut engine = Engine {
            config,
            validators,
            height,
            round: 0,
            step: Step::Propose,
            signer,
            locked: None,
            valid: None,
            proposals: BTreeMap::new(),
            validity: BTreeMap::new(),
            validation_asked: BTreeSet::new(),
            votes: HeightVotes::default(),
            prevote_timeout_set: BTreeSet::new(),
            precommit_timeout_set: BTreeSet::new(),
            polka_handled: BTreeSet::new(),
            proposal_conflict_reported: BTreeSet::new(),
            awaiting_value: None,
            decided: false,
            started: false,
            future: Vec::new(),
        };
        engine.reset_height(height);
        Ok(engine)
    }

    pub fn height(&self) -> u64 {
        self.height
    }
    pub fn round(&self) -> u32 {
        self.round
    }
    pub fn step(&self) -> Step {
        self.step
    }
    /// Inputs kept for the next height.
    pub fn future_len(&self) -> usize {
        self.future.len()
    }
    pub fn has_decided(&self) -> bool {
        self.decided
    }
    pub fn validators(&self) -> &ValidatorSet {
        &self.validators
    }
    pub fn my_key(&self) -> Option<[u8; 32]> {
        self.signer.as_ref().map(|s| s.public_key())
    }

    /// Start the height: round 0, or the round the signer last signed in after a restart.
    pub fn start(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            self.begin_height(&mut out);
            self.process(&mut out);
        }
        out
    }

    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            self.begin_height(&mut out);
        }
        match input {
            Input::NewHeight { height, validators } => {
                self.on_new_height(height, validators, &mut out)
            }
            other => {
                if let Some(h) = input_height(&other) {
                    if h == self.height.saturating_add(1) {
                        if self.worth_buffering(&other) {
                            self.future.push(other);
                        }
                        return out;
                    }
                    if h != self.height || self.decided {
                        return out;
                    }
                }
                self.apply(other, &mut out);
            }
        }
        self.process(&mut out);
        out
    }

    /// Whether to keep an input for the next height. Signatures are checked only at
    /// replay (the next set may differ), so the buffer is bounded in count, in proposals
    /// (whose values are large) and to keys of the current set (the next set is mostly
    /// the same, and strangers must not crowd out validators).
    fn worth_buffering(&self, input: &Input) -> bool {
        if self.future.len() >= self.config.max_buffered_inputs {
            return false;
        }
        match input {
            Input::Vote(v) => self.validators.index_of(&v.validator).is_some(),
            Input::Proposal(p) => {
                let buffered = self
                    .future
                    .iter()
                    .filter(|i| matches!(i, Input::Proposal(_)))
                    .count();
                buffered < MAX_BUFFERED_PROPOSALS && self.validators.index_of(&p.proposer).is_some()
            }
            _ => false,
        }
    }

    /// Start the height at round 0, or, after a restart, at the round the safety state
    /// last signed in, re-sending that vote (it may have been lost in the crash; the
    /// others may need it to reach a quorum).
    fn begin_height(&mut self, out: &mut Vec<Output>) {
        let last = self
            .signer
            .as_ref()
            .and_then(|s| s.state().last)
            .filter(|l| l.height == self.height);
        self.start_round(last.map_or(0, |l| l.round), out);
        let resend = self
            .signer
            .as_ref()
            .map_or_else(Vec::new, |s| s.votes_to_resend(self.height));
        for vote in resend {
            if vote.round == self.round {
                let step = match vote.kind {
                    VoteKind::Prevote => Step::Prevote,
                    VoteKind::Precommit => Step::Precommit,
                };
                self.step = self.step.max(step);
                self.awaiting_value = None;
            }
            if let Some(power) = self.validators.power_of(&vote.validator) {
                self.votes.add(vote.clone(), power);
            }
            out.push(Output::BroadcastVote(vote));
        }
    }

    fn reset_height(&mut self, height: u64) {
        self.height = height;
        self.round = 0;
        self.step = Step::Propose;
        // A lock survives a restart through the safety state.
        self.locked = self
            .signer
            .as_ref()
            .and_then(|s| s.lock_at(height))
            .map(|lock| (lock.round, lock.block_hash));
        // After a restart the lock is the best valid value we know of (validRound is
        // never below lockedRound); without it a restarted proposer would propose fresh
        // values the locked validators must refuse, round after round.
        self.valid = self.locked;
        self.proposals.clear();
        self.validity.clear();
        self.validation_asked.clear();
        self.votes = HeightVotes::default();
        self.prevote_timeout_set.clear();
        self.precommit_timeout_set.clear();
        self.polka_handled.clear();
        self.proposal_conflict_reported.clear();
        self.awaiting_value = None;
        self.decided = false;
    }

    fn on_new_height(&mut self, height: u64, validators: ValidatorSet, out: &mut Vec<Output>) {
        if height <= self.height {
            out.push(Output::Rejected {
                reason: format!(
                    "NewHeight {height} is not above the current height {}",
                    self.height
                ),
            });
            return;
        }
        self.validators = validators;
        self.reset_height(height);
        let buffered = std::mem::take(&mut self.future);
        self.begin_height(out);
        for input in buffered {
            if input_height(&input) == Some(height) {
                self.apply(input, out);
            }
        }
    }

    fn apply(&mut self, input: Input, out: &mut Vec<Output>) {
        match input {
            Input::Proposal(p) => self.on_proposal(p, out),
            Input::Vote(v) => self.on_vote(v, out),
            Input::Timeout { round, step, .. } => self.on_timeout(round, step, out),
            Input::ProposalValue {
                round,
                block_hash,
                value,
                ..
            } => self.on_own_value(round, block_hash, value, out),
            Input::ValueValidity {
                block_hash, valid, ..
            } => {
                self.validity.insert(block_hash, valid);
            }
            Input::NewHeight { .. } => {}
        }
    }

    // --- rounds and signing ---------------------------------------------------------

    fn start_round(&mut self, round: u32, out: &mut Vec<Output>) {
        self.round = round;
        self.step = Step::Propose;
        self.awaiting_value = None;
        let proposer = self.validators.proposer(self.height, round).key;
        if self.my_key() == Some(proposer) {
            let valid = self
                .valid
                .and_then(|(r, h)| self.value_of(&h).map(|v| (r, h, v)));
            match valid {
                Some((valid_round, hash, value)) => {
                    self.propose(round, Some(valid_round), hash, value, out)
                }
                // No valid value, or (after a restart) its bytes are not back yet.
                None => {
                    self.awaiting_value = Some(round);
                    out.push(Output::GetValue {
                        height: self.height,
                        round,
                    });
                }
            }
        }
        out.push(self.timeout(Step::Propose, round));
    }

    fn timeout(&self, step: Step, round: u32) -> Output {
        Output::ScheduleTimeout {
            height: self.height,
            round,
            step,
            duration_ms: self.config.timeout_ms(step, round),
        }
    }

    fn value_of(&self, hash: &[u8; 32]) -> Option<Vec<u8>> {
        self.proposals
            .values()
            .find_map(|by_hash| by_hash.get(hash))
            .map(|p| p.value.clone())
    }

    fn on_own_value(&mut self, round: u32, hash: [u8; 32], value: Vec<u8>, out: &mut Vec<Output>) {
        if self.awaiting_value != Some(round) || round != self.round || self.step != Step::Propose {
            return;
        }
        if value.len() > super::proposal::MAX_VALUE_BYTES {
            out.push(Output::Rejected {
                reason: format!(
                    "a proposed value is at most {} bytes",
                    super::proposal::MAX_VALUE_BYTES
                ),
            });
            return;
        }
        self.awaiting_value = None;
        // The host built this value itself.
        self.validity.insert(hash, true);
        self.propose(round, None, hash, value, out);
    }

    fn propose(
        &mut self,
        round: u32,
        pol: Option<u32>,
        hash: [u8; 32],
        value: Vec<u8>,
        out: &mut Vec<Output>,
    ) {
        let Some(signer) = self.signer.as_mut() else {
            return;
        };
        match signer.sign_proposal(self.height, round, pol, hash) {
            Ok(signature) => {
                let proposal = Proposal {
                    chain_id: self.config.chain_id,
                    height: self.height,
                    round,
                    pol_round: pol,
                    block_hash: hash,
                    proposer: signer.public_key(),
                    signature,
                    value,
                };
                self.store_proposal(proposal.clone(), out);
                out.push(Output::BroadcastProposal(proposal));
            }
            Err(err) => out.push(Output::Rejected {
                reason: err.to_string(),
            }),
        }
    }

    /// Ask the safety rules to sign; count our own vote and broadcast it.
    fn vote(
        &mut self,
        kind: VoteKind,
        hash: Option<[u8; 32]>,
        pol: Option<u32>,
        out: &mut Vec<Output>,
    ) {
        let Some(signer) = self.signer.as_mut() else {
            return;
        };
        match signer.sign_vote(kind, self.height, self.round, hash, pol) {
            Ok(vote) => {
                let key = vote.validator;
                if let Some(power) = self.validators.power_of(&key) {
                    self.votes.add(vote.clone(), power);
                }
                out.push(Output::BroadcastVote(vote));
            }
            Err(err) => out.push(Output::Rejected {
                reason: err.to_string(),
            }),
        }
    }

    // --- receiving ------------------------------------------------------------------

    fn round_in_window(&self, round: u32) -> bool {
        round <= self.round.saturating_add(self.config.max_future_rounds)
    }

    fn on_proposal(&mut self, p: Proposal, out: &mut Vec<Output>) {
        let reject =
            |out: &mut Vec<Output>, why: String| out.push(Output::Rejected { reason: why });
        if p.chain_id != self.config.chain_id {
            return reject(out, "proposal for another chain".into());
        }
        if !self.round_in_window(p.round) {
            return reject(out, format!("proposal round {} too far ahead", p.round));
        }
        if self.validators.proposer(self.height, p.round).key != p.proposer {
            return reject(
                out,
                format!(
                    "proposal from a validator that is not proposer of round {}",
                    p.round
                ),
            );
        }
        if p.pol_round.is_some_and(|vr| vr >= p.round) {
            return reject(out, "proposal POL round is not below its round".into());
        }
        let existing = self.proposals.get(&p.round);
        if existing
            .and_then(|m| m.get(&p.block_hash))
            .is_some_and(|e| e.pol_round == p.pol_round)
        {
            return; // already have it
        }
        if let Err(err) = crypto::verify(&p.proposer, &p.signing_digest(), &p.signature) {
            return reject(out, format!("proposal: {err}"));
        }
        let power = self.validators.power_of(&p.proposer).unwrap_or(0);
        self.votes.note_sender(p.round, p.proposer, power);
        if let Some(first) = existing.and_then(|m| m.values().next()).cloned() {
            if self.proposal_conflict_reported.insert(p.round) {
                let (a, b) = ordered(strip(first), strip(p.clone()), |x| x.signing_digest());
                out.push(Output::Evidence(Evidence::DuplicateProposal { a, b }));
            }
            let count = existing.map_or(0, |m| m.len());
            let backed = self
                .votes
                .power_for(p.round, VoteKind::Prevote, Some(p.block_hash))
                + self
                    .votes
                    .power_for(p.round, VoteKind::Precommit, Some(p.block_hash));
            if count >= PROPOSALS_PER_ROUND && !self.validators.is_one_third_plus(backed) {
                return;
            }
        }
        self.store_proposal(p, out);
    }

    fn store_proposal(&mut self, p: Proposal, out: &mut Vec<Output>) {
        let hash = p.block_hash;
        if !self.validity.contains_key(&hash) && self.validation_asked.insert(hash) {
            out.push(Output::ValidateValue {
                height: self.height,
                round: p.round,
                block_hash: hash,
                value: p.value.clone(),
            });
        }
        self.proposals
            .entry(p.round)
            .or_default()
            .entry(hash)
            .or_insert(p);
    }

    fn on_vote(&mut self, v: Vote, out: &mut Vec<Output>) {
        if v.chain_id != self.config.chain_id {
            return out.push(Output::Rejected {
                reason: "vote for another chain".into(),
            });
        }
        let Some(power) = self.validators.power_of(&v.validator) else {
            return out.push(Output::Rejected {
                reason: "vote from a key outside the validator set".into(),
            });
        };
        if !self.round_in_window(v.round) {
            return out.push(Output::Rejected {
                reason: format!("vote round {} too far ahead", v.round),
            });
        }
        if self.votes.has_same(&v) {
            return; // duplicate delivery: nothing to check again
        }
        if let Err(err) = crypto::verify(&v.validator, &v.signing_digest(), &v.signature) {
            return out.push(Output::Rejected {
                reason: format!("vote: {err}"),
            });
        }
        let (validator, round, kind) = (v.validator, v.round, v.kind);
        if let Added::Conflict(first) = self.votes.add(v.clone(), power) {
            if self.votes.first_report(validator, round, kind) {
                let (a, b) = ordered(first, v, |x| x.block_hash.map_or([0u8; 33], tagged));
                out.push(Output::Evidence(Evidence::DuplicateVote { a, b }));
            }
        }
    }

    fn on_timeout(&mut self, round: u32, step: Step, out: &mut Vec<Output>) {
        if round != self.round {
            return;
        }
        match step {
            Step::Propose if self.step == Step::Propose => {
                self.vote(VoteKind::Prevote, None, None, out);
                self.step = Step::Prevote;
            }
            Step::Prevote if self.step == Step::Prevote => {
                self.vote(VoteKind::Precommit, None, None, out);
                self.step = Step::Precommit;
            }
            Step::Precommit => self.start_round(round.saturating_add(1), out),
            _ => {}
        }
    }

    // --- the upon rules, run to a fixed point ---------------------------------------

    fn process(&mut self, out: &mut Vec<Output>) {
        // Every pass either changes (round, step, decided) or stops; rounds only grow.
        for _ in 0..64 {
            if self.decided {
                return;
            }
            if self.try_decide(out) {
                return;
            }
            if self.try_skip_round(out) {
                continue;
            }
            let before = (self.round, self.step, self.polka_handled.len());
            self.propose_step(out);
            self.prevote_step(out);
            self.polka_for_value(out);
            self.precommit_timeout(out);
            if before == (self.round, self.step, self.polka_handled.len()) {
                return;
            }
        }
    }

    /// L49: a proposal and a precommit quorum for it in any round decide the height.
    fn try_decide(&mut self, out: &mut Vec<Output>) -> bool {
        for round in self.votes.precommit_rounds() {
            for (hash, power) in self.votes.hashes(round, VoteKind::Precommit) {
                if !self.validators.is_quorum(power) {
                    continue;
                }
                let Some(value) = self.value_of(&hash) else {
                    continue;
                };
                match self.validity.get(&hash) {
                    Some(true) => {
                        let commit = self.votes.commit(round, hash);
                        out.push(Output::Decide {
                            height: self.height,
                            round,
                            block_hash: hash,
                            value,
                            commit,
                        });
                        self.decided = true;
                        return true;
                    }
                    _ => continue,
                }
            }
        }
        false
    }

    /// L55: more than a third of the power is already in a later round: join it.
    fn try_skip_round(&mut self, out: &mut Vec<Output>) -> bool {
        for round in self.votes.rounds_above(self.round) {
            if self
                .validators
                .is_one_third_plus(self.votes.sender_power(round))
            {
                self.start_round(round, out);
                return true;
            }
        }
        false
    }

    /// L22 and L28: prevote on the round's proposal.
    fn propose_step(&mut self, out: &mut Vec<Output>) {
        if self.step != Step::Propose {
            return;
        }
        let Some(p) = self
            .proposals
            .get(&self.round)
            .and_then(|m| m.values().next())
            .cloned()
        else {
            return;
        };
        let Some(&valid) = self.validity.get(&p.block_hash) else {
            return;
        };
        match p.pol_round {
            None => {
                let ok = valid && !matches!(self.locked, Some((_, h)) if h != p.block_hash);
                self.vote(VoteKind::Prevote, ok.then_some(p.block_hash), None, out);
                self.step = Step::Prevote;
            }
            Some(vr) => {
                let polka = self
                    .votes
                    .power_for(vr, VoteKind::Prevote, Some(p.block_hash));
                if vr >= self.round || !self.validators.is_quorum(polka) {
                    return;
                }
                let ok =
                    valid && !matches!(self.locked, Some((lr, h)) if lr > vr && h != p.block_hash);
                self.vote(VoteKind::Prevote, ok.then_some(p.block_hash), Some(vr), out);
                self.step = Step::Prevote;
            }
        }
    }

    /// L34 (prevote timeout) and L44 (a nil quorum: precommit nil).
    fn prevote_step(&mut self, out: &mut Vec<Output>) {
        if self.step != Step::Prevote {
            return;
        }
        let round = self.round;
        if self
            .validators
            .is_quorum(self.votes.power_any(round, VoteKind::Prevote))
            && self.prevote_timeout_set.insert(round)
        {
            out.push(self.timeout(Step::Prevote, round));
        }
        if self
            .validators
            .is_quorum(self.votes.power_for(round, VoteKind::Prevote, None))
        {
            self.vote(VoteKind::Precommit, None, None, out);
            self.step = Step::Precommit;
        }
    }

    /// L36: a prevote quorum for a valid proposed value: lock and precommit it (if still
    /// at prevote), and remember it as the valid value.
    fn polka_for_value(&mut self, out: &mut Vec<Output>) {
        let round = self.round;
        if self.step == Step::Propose || self.polka_handled.contains(&round) {
            return;
        }
        for (hash, power) in self.votes.hashes(round, VoteKind::Prevote) {
            if !self.validators.is_quorum(power)
                || self.validity.get(&hash) != Some(&true)
                || !self
                    .proposals
                    .get(&round)
                    .is_some_and(|m| m.contains_key(&hash))
            {
                continue;
            }
            self.polka_handled.insert(round);
            if self.step == Step::Prevote {
                self.locked = Some((round, hash));
                self.vote(VoteKind::Precommit, Some(hash), None, out);
                self.step = Step::Precommit;
            }
            self.valid = Some((round, hash));
            return;
        }
    }

    /// L47: any precommit quorum in this round starts the precommit timeout.
    fn precommit_timeout(&mut self, out: &mut Vec<Output>) {
        let round = self.round;
        if self
            .validators
            .is_quorum(self.votes.power_any(round, VoteKind::Precommit))
            && self.precommit_timeout_set.insert(round)
        {
            out.push(self.timeout(Step::Precommit, round));
        }
    }
}

fn input_height(input: &Input) -> Option<u64> {
    match input {
        Input::Proposal(p) => Some(p.height),
        Input::Vote(v) => Some(v.height),
        Input::Timeout { height, .. }
        | Input::ProposalValue { height, .. }
        | Input::ValueValidity { height, .. }
        | Input::NewHeight { height, .. } => Some(*height),
    }
}

/// Evidence carries no value bytes (they are not signed).
fn strip(mut p: Proposal) -> Proposal {
    p.value = Vec::new();
    p
}

/// Nil sorts before any hash: prefix a presence byte.
fn tagged(hash: [u8; 32]) -> [u8; 33] {
    let mut out = [1u8; 33];
    out[1..].copy_from_slice(&hash);
    out
}

fn ordered<T, K: Ord>(x: T, y: T, key: impl Fn(&T) -> K) -> (T, T) {
    if key(&x) <= key(&y) {
        (x, y)
    } else {
        (y, x)
    }
}
