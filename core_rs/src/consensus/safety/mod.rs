//! Safety rules: the only code that signs consensus messages (the Aptos safety-rules
//! idea). It refuses to sign two different messages for one (height, round, step) or to
//! go back below the last signed position, keeps the lock, and persists its state
//! BEFORE it returns a signature, so a crash can lose a message but never make the
//! validator sign a conflicting one after restart.

mod state;
mod store;
#[cfg(test)]
mod tests;

pub use state::{LastSigned, Lock, SafetyState, SignStep, SignedVoteRecord, ENCODED_LEN};
pub use store::{FileStore, MemoryStore, SafetyStore};

use crate::consensus::proposal::proposal_digest;
use crate::crypto;
use crate::wire::{vote_digest, Vote, VoteKind};
use crate::{CoreError, CoreResult};

pub struct SafetyRules {
    seed: [u8; 32],
    key: [u8; 32],
    chain_id: [u8; 32],
    store: Box<dyn SafetyStore>,
    state: SafetyState,
}

impl std::fmt::Debug for SafetyRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the seed.
        f.debug_struct("SafetyRules")
            .field("key", &self.key)
            .field("state", &self.state)
            .finish()
    }
}

impl SafetyRules {
    /// Load the durable state from `store` (a fresh store means nothing was signed).
    pub fn new(
        seed: [u8; 32],
        chain_id: [u8; 32],
        store: Box<dyn SafetyStore>,
    ) -> CoreResult<Self> {
        let state = store.load()?.unwrap_or_default();
        Ok(Self {
            key: crypto::public_key(&seed),
            seed,
            chain_id,
            store,
            state,
        })
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key
    }

    pub fn chain_id(&self) -> [u8; 32] {
        self.chain_id
    }

    pub fn state(&self) -> &SafetyState {
        &self.state
    }

    /// The lock that applies at `height`, if any.
    pub fn lock_at(&self, height: u64) -> Option<Lock> {
        self.state.lock.filter(|lock| lock.height == height)
    }

    /// The last prevote and precommit signed at `height`, rebuilt from the durable
    /// state, so a restarted validator re-sends them (they may have been lost in the
    /// crash, and the others may need them to reach a quorum).
    pub fn votes_to_resend(&self, height: u64) -> Vec<Vote> {
        [
            (VoteKind::Prevote, self.state.last_prevote),
            (VoteKind::Precommit, self.state.last_precommit),
        ]
        .into_iter()
        .filter_map(|(kind, record)| {
            let r = record.filter(|r| r.height == height)?;
            Some(Vote {
                kind,
                chain_id: self.chain_id,
                height: r.height,
                round: r.round,
                block_hash: r.block_hash,
                validator: self.key,
                signature: r.signature,
            })
        })
        .collect()
    }

    /// Sign a proposal for `(height, round)`.
    pub fn sign_proposal(
        &mut self,
        height: u64,
        round: u32,
        pol_round: Option<u32>,
        block_hash: [u8; 32],
    ) -> CoreResult<[u8; 64]> {
        let digest = proposal_digest(
            &self.chain_id,
            height,
            round,
            pol_round,
            &block_hash,
            &self.key,
        );
        self.check_and_sign(
            height,
            round,
            SignStep::Propose,
            Some(block_hash),
            digest,
            self.state.lock,
        )
    }

    /// Sign a vote. `pol_round` justifies a prevote for a value other than the locked
    /// one: it must be a round with a prevote quorum for it, at or after the lock.
    pub fn sign_vote(
        &mut self,
        kind: VoteKind,
        height: u64,
        round: u32,
        block_hash: Option<[u8; 32]>,
        pol_round: Option<u32>,
    ) -> CoreResult<Vote> {
        let digest = vote_digest(
            kind,
            &self.chain_id,
            height,
            round,
            block_hash.as_ref(),
            &self.key,
        );
        let mut lock = self.state.lock;
        match (kind, block_hash) {
            (VoteKind::Prevote, Some(hash)) => {
                if let Some(current) = self.lock_at(height) {
                    let justified = pol_round.is_some_and(|p| current.round <= p && p < round);
                    if current.block_hash != hash && !justified {
                        return Err(CoreError::Conflict(format!(
                            "safety: locked on another value at round {}; a prevote needs a \
                             prevote quorum from round {} or later",
                            current.round, current.round
                        )));
                    }
                }
            }
            (VoteKind::Precommit, Some(hash)) => {
                lock = Some(Lock {
                    height,
                    round,
                    block_hash: hash,
                });
            }
            (_, None) => {}
        }
        let step = match kind {
            VoteKind::Prevote => SignStep::Prevote,
            VoteKind::Precommit => SignStep::Precommit,
        };
        let signature = self.check_and_sign(height, round, step, block_hash, digest, lock)?;
        Ok(Vote {
            kind,
            chain_id: self.chain_id,
            height,
            round,
            block_hash,
            validator: self.key,
            signature,
        })
    }

    fn check_and_sign(
        &mut self,
        height: u64,
        round: u32,
        step: SignStep,
        block_hash: Option<[u8; 32]>,
        digest: [u8; 32],
        lock: Option<Lock>,
    ) -> CoreResult<[u8; 64]> {
        let position = (height, round, step);
        if let Some(last) = &self.state.last {
            if position == last.position() {
                if digest == last.digest {
                    // The same message again (a re-send after a restart): same signature.
                    return Ok(last.signature);
                }
                return Err(CoreError::Conflict(format!(
                    "safety: already signed a different message at height {height}, round \
                     {round}, {step:?}"
                )));
            }
            if position < last.position() {
                return Err(CoreError::Conflict(format!(
                    "safety: height {height}, round {round}, {step:?} is below the last signed \
                     position (height {}, round {}, {:?})",
                    last.height, last.round, last.step
                )));
            }
        }
        let signature = crypto::sign(&self.seed, &digest);
        let record = Some(SignedVoteRecord {
            height,
            round,
            block_hash,
            signature,
        });
        let next = SafetyState {
            last: Some(LastSigned {
                height,
                round,
                step,
                block_hash,
                digest,
                signature,
            }),
            // A lock from an earlier height no longer matters; keep only this height's.
            lock: lock.filter(|l| l.height == height),
            last_prevote: if step == SignStep::Prevote {
                record
            } else {
                self.state.last_prevote
            },
            last_precommit: if step == SignStep::Precommit {
                record
            } else {
                self.state.last_precommit
            },
        };
        // Persist first: if this fails, no signature leaves this function.
        self.store.save(&next)?;
        self.state = next;
        Ok(signature)
    }
}
