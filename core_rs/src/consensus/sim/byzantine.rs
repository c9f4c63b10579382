//! The byzantine validator of the simulation: equivocating proposals and votes.

use std::collections::BTreeSet;

use rand::Rng;

use super::{Msg, Sim, CHAIN};
use crate::consensus::proposal::{proposal_digest, Proposal};
use crate::crypto;
use crate::hash::hash_plain;
use crate::wire::{vote_digest, Vote, VoteKind};

impl Sim {
    /// The byzantine validator. For every (height, round) it hears of it:
    /// - as proposer, proposes two values A and B to two halves of the network, and
    ///   prevotes and precommits A to the first half and B to the second;
    /// - otherwise votes, to two halves, for two different values it knows of at this
    ///   height (this round's proposal and an older one: amnesia), or a value and nil;
    /// - whenever a new proposal of the round reaches it, votes for that one too.
    ///
    /// One witness gets both versions of everything, and after GST everyone does, so
    /// evidence can be built.
    pub(super) fn byzantine_reacts(&mut self, me: usize, msg: &Msg) {
        let (height, round) = (msg.height(), msg.round());
        let mut fresh_proposal = None;
        if let Msg::Proposal(p) = msg {
            if self.byz_seen_values.insert((height, round, p.block_hash)) {
                fresh_proposal = Some(p.block_hash);
            }
        }
        let first_time = self.byz_acted.insert((height, round));
        let key = self.nodes[me].key;
        let n = self.nodes.len();
        let half: BTreeSet<usize> = (0..n).filter(|_| self.rng.gen_bool(0.5)).collect();
        let witness = (me + self.rng.gen_range(1..n)) % n;
        let (a, b) = if first_time && self.set_for(height).proposer(height, round).key == key {
            let seed = self.nodes[me].seed;
            let make = |tag: &str, sim: &mut Sim| {
                let value = format!("byzantine {tag} h{height} r{round}").into_bytes();
                let block_hash = hash_plain(&value);
                sim.proposed.insert(block_hash);
                sim.byz_seen_values.insert((height, round, block_hash));
                let digest = proposal_digest(&CHAIN, height, round, None, &block_hash, &key);
                Proposal {
                    chain_id: CHAIN,
                    height,
                    round,
                    pol_round: None,
                    block_hash,
                    proposer: key,
                    signature: crypto::sign(&seed, &digest),
                    value,
                }
            };
            let pa = make("a", self);
            let pb = make("b", self);
            let (ha, hb) = (pa.block_hash, pb.block_hash);
            self.split_send(me, &half, witness, Msg::Proposal(pa), Msg::Proposal(pb));
            (Some(ha), Some(hb))
        } else if first_time || fresh_proposal.is_some() {
            let this_round: Vec<[u8; 32]> = self
                .byz_seen_values
                .range((height, round, [0; 32])..=(height, round, [0xff; 32]))
                .map(|(_, _, h)| *h)
                .collect();
            let older: Vec<[u8; 32]> = self
                .byz_seen_values
                .range((height, 0, [0; 32])..(height, round, [0; 32]))
                .map(|(_, _, h)| *h)
                .collect();
            let a = fresh_proposal.or_else(|| this_round.first().copied());
            let b = older.last().copied().filter(|h| Some(*h) != a);
            (a, b)
        } else {
            return;
        };
        let seed = self.nodes[me].seed;
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let vote = |hash: Option<[u8; 32]>| {
                let digest = vote_digest(kind, &CHAIN, height, round, hash.as_ref(), &key);
                Vote {
                    kind,
                    chain_id: CHAIN,
                    height,
                    round,
                    block_hash: hash,
                    validator: key,
                    signature: crypto::sign(&seed, &digest),
                }
            };
            let (va, vb) = (vote(a), vote(b));
            self.split_send(me, &half, witness, Msg::Vote(va), Msg::Vote(vb));
        }
    }

    fn split_send(&mut self, me: usize, half: &BTreeSet<usize>, witness: usize, a: Msg, b: Msg) {
        for to in 0..self.nodes.len() {
            if to == me {
                continue;
            }
            if to == witness || self.now >= self.cfg.gst_ms {
                self.send(me, to, a.clone());
                self.send(me, to, b.clone());
            } else if half.contains(&to) {
                self.send(me, to, a.clone());
            } else {
                self.send(me, to, b.clone());
            }
        }
    }
}
