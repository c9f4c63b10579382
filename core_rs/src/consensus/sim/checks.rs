//! The simulation's checks of what honest validators output: no double-sign, agreement,
//! validity, well-formed commits with a quorum, evidence that proves something.

use super::{Sim, CHAIN};
use crate::consensus::types::Evidence;
use crate::crypto;
use crate::hash::hash_plain;
use crate::wire::{vote_digest, Commit, Limits, VoteKind};

impl Sim {
    fn signature_ok(&mut self, key: &[u8; 32], digest: &[u8; 32], signature: &[u8; 64]) -> bool {
        if self.verified.contains(&(*key, *digest, *signature)) {
            return true;
        }
        let ok = crypto::verify(key, digest, signature).is_ok();
        if ok {
            self.verified.insert((*key, *digest, *signature));
        }
        ok
    }

    pub(super) fn check_honest_signature(
        &mut self,
        key: [u8; 32],
        height: u64,
        round: u32,
        step: u8,
        digest: [u8; 32],
    ) {
        match self
            .honest_signed
            .insert((key, height, round, step), digest)
        {
            Some(previous) if previous != digest => self.fail(format!(
                "honest double-sign at height {height} round {round} step {step}"
            )),
            _ => {}
        }
    }

    pub(super) fn check_decision(
        &mut self,
        i: usize,
        height: u64,
        round: u32,
        hash: [u8; 32],
        value: &[u8],
        commit: &Commit,
    ) {
        self.trace.update(&[4, i as u8]);
        self.report.late_decisions += (round > 0) as u32;
        self.trace.update(&hash);
        if height != self.nodes[i].committed + 1 {
            self.fail(format!(
                "node {i} decided height {height} after {}",
                self.nodes[i].committed
            ));
        }
        if let Some(previous) = self.decisions.insert(height, hash) {
            if previous != hash {
                self.fail(format!("agreement: two decisions at height {height}"));
            }
        }
        if hash_plain(value) != hash || !self.proposed.contains(&hash) {
            self.fail(format!(
                "validity: decided a value nobody proposed at height {height}"
            ));
        }
        if commit.validate(&Limits::PROTOCOL).is_err() {
            self.fail("commit is not well formed".into());
        }
        let set = self.set_for(height);
        let mut power = 0u64;
        for vote in &commit.votes {
            let digest = vote_digest(
                VoteKind::Precommit,
                &CHAIN,
                height,
                round,
                Some(&hash),
                &vote.validator,
            );
            if vote.height != height || vote.round != round || vote.block_hash != Some(hash) {
                self.fail("commit vote for another height/round/value".into());
            }
            if !self.signature_ok(&vote.validator, &digest, &vote.signature) {
                self.fail("commit holds a bad signature".into());
            }
            power += set
                .power_of(&vote.validator)
                .unwrap_or_else(|| self.fail("commit vote from a stranger".into()));
        }
        if !set.is_quorum(power) {
            self.fail(format!("commit at height {height} lacks a quorum"));
        }
    }

    pub(super) fn check_evidence(&mut self, evidence: &Evidence) {
        let offender = evidence.offender();
        let byz_key = self.byzantine.map(|b| self.nodes[b].key);
        if Some(offender) != byz_key {
            self.fail("evidence against an honest validator".into());
        }
        match evidence {
            Evidence::DuplicateVote { a, b } => {
                let same_slot = (a.validator, a.height, a.round, a.kind, a.chain_id)
                    == (b.validator, b.height, b.round, b.kind, b.chain_id);
                let both_signed =
                    self.signature_ok(&a.validator, &a.signing_digest(), &a.signature)
                        && self.signature_ok(&b.validator, &b.signing_digest(), &b.signature);
                if !same_slot || a.block_hash == b.block_hash || !both_signed {
                    self.fail("duplicate-vote evidence that proves nothing".into());
                }
            }
            Evidence::DuplicateProposal { a, b } => {
                if (a.height, a.round, a.proposer) != (b.height, b.round, b.proposer)
                    || a.signing_digest() == b.signing_digest()
                    || !self.signature_ok(&a.proposer, &a.signing_digest(), &a.signature)
                    || !self.signature_ok(&b.proposer, &b.signing_digest(), &b.signature)
                {
                    self.fail("duplicate-proposal evidence that proves nothing".into());
                }
            }
        }
        self.report.evidence_against_byzantine += 1;
    }
}
