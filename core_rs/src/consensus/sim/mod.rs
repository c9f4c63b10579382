//! Deterministic simulation of a validator network (tests only). One seed fixes
//! everything: message delays, drops, duplicates, reordering, crashes (some right after
//! a vote is persisted and before it is sent), restarts from the safety store,
//! partitions that heal, and one byzantine validator that equivocates. After GST the
//! network delivers every message within `max_delay_ms`. The harness checks agreement,
//! validity, commits, no honest double-sign, evidence, and liveness.

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::engine::Engine;
use super::proposal::Proposal;
use super::safety::{MemoryStore, SafetyRules};
use super::types::{Config, Input, Output, Step};
use super::validators::{Validator, ValidatorSet};
use crate::crypto;
use crate::hash::hash_plain;
use crate::wire::Vote;

mod byzantine;
mod checks;

const CHAIN: [u8; 32] = [0x7a; 32];

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub validators: usize,
    pub byzantine: bool,
    /// Every honest validator must decide heights 1..=target_height.
    pub target_height: u64,
    pub max_delay_ms: u64,
    pub drop_percent: u32,
    pub duplicate_percent: u32,
    pub crashes: bool,
    pub partitions: bool,
    /// The network is stable from this time on.
    pub gst_ms: u64,
    /// Liveness bound: simulated time after GST within which all must be done.
    pub liveness_ms: u64,
}

impl SimConfig {
    /// A long, lossy asynchronous period with a byzantine validator always present:
    /// many rounds with partial delivery, where locking is what keeps agreement.
    pub fn adversarial(validators: usize, rng: &mut StdRng, target_height: u64) -> Self {
        SimConfig {
            byzantine: true,
            max_delay_ms: rng.gen_range(200..1500),
            drop_percent: rng.gen_range(20..60),
            crashes: rng.gen_bool(0.3),
            partitions: rng.gen_bool(0.5),
            gst_ms: rng.gen_range(20_000..60_000),
            ..Self::random(validators, rng, target_height)
        }
    }

    pub fn random(validators: usize, rng: &mut StdRng, target_height: u64) -> Self {
        SimConfig {
            validators,
            byzantine: rng.gen_bool(0.6),
            target_height,
            max_delay_ms: rng.gen_range(5..400),
            drop_percent: rng.gen_range(0..40),
            duplicate_percent: rng.gen_range(0..30),
            crashes: rng.gen_bool(0.5),
            partitions: rng.gen_bool(0.4),
            gst_ms: rng.gen_range(0..20_000),
            liveness_ms: 60_000 + target_height * 30_000,
        }
    }
}

#[derive(Debug, Clone)]
enum Msg {
    Proposal(Proposal),
    Vote(Vote),
}

impl Msg {
    fn height(&self) -> u64 {
        match self {
            Msg::Proposal(p) => p.height,
            Msg::Vote(v) => v.height,
        }
    }
    fn round(&self) -> u32 {
        match self {
            Msg::Proposal(p) => p.round,
            Msg::Vote(v) => v.round,
        }
    }
    /// A key identifying the message content, for de-duplicating gossip logs.
    fn identity(&self) -> Vec<u8> {
        match self {
            Msg::Proposal(p) => [&[0u8][..], &p.signing_digest()].concat(),
            Msg::Vote(v) => [&[1u8][..], &v.signing_digest()].concat(),
        }
    }
}

#[derive(Debug)]
enum Event {
    Deliver {
        to: usize,
        msg: Msg,
    },
    Timeout {
        node: usize,
        incarnation: u32,
        height: u64,
        round: u32,
        step: Step,
    },
    Crash {
        node: usize,
    },
    Restart {
        node: usize,
    },
    Gossip {
        node: usize,
    },
}

struct Node {
    seed: [u8; 32],
    key: [u8; 32],
    store: MemoryStore,
    engine: Option<Engine>,
    incarnation: u32,
    /// The host's block store: the last height it committed (durable).
    committed: u64,
    /// Messages seen per height, de-duplicated: the gossip layer's memory and the
    /// node's write-ahead log (it survives crashes).
    seen: BTreeMap<u64, Vec<Msg>>,
    seen_ids: BTreeSet<Vec<u8>>,
    /// Done: decided the target height (and evidence was seen); its engine stays put.
    frozen: bool,
}

/// What one run saw.
#[derive(Debug, Default)]
pub struct SimReport {
    pub decided_heights: u64,
    pub events: u64,
    pub end_time_ms: u64,
    /// Simulated time from GST to the end of the run (the liveness margin).
    pub after_gst_ms: u64,
    pub evidence_against_byzantine: usize,
    pub crashes: u32,
    pub crashes_before_send: u32,
    pub max_round: u32,
    /// Proposals re-proposing a valid value with a POL round (the locking path).
    pub pol_proposals: u32,
    /// Decisions in a round above 0.
    pub late_decisions: u32,
    /// Order-sensitive digest of everything that happened (determinism check).
    pub trace: [u8; 32],
}

pub struct Sim {
    cfg: SimConfig,
    seed: u64,
    rng: StdRng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Event>,
    nodes: Vec<Node>,
    keys: Vec<[u8; 32]>,
    byzantine: Option<usize>,
    byz_acted: BTreeSet<(u64, u32)>,
    /// Values the byzantine validator saw proposed (or proposed), by height and round.
    byz_seen_values: BTreeSet<(u64, u32, [u8; 32])>,
    partition: Option<(BTreeSet<usize>, u64, u64)>,
    /// Every value anyone proposed (validity check).
    proposed: BTreeSet<[u8; 32]>,
    /// height -> decided hash (agreement check).
    decisions: BTreeMap<u64, [u8; 32]>,
    /// (validator, height, round, step) -> digest of what an honest validator signed.
    honest_signed: BTreeMap<([u8; 32], u64, u32, u8), [u8; 32]>,
    report: SimReport,
    trace: blake3::Hasher,
    /// Signatures the harness already checked (its checks repeat per node).
    verified: BTreeSet<([u8; 32], [u8; 32], [u8; 64])>,
}

impl Sim {
    pub fn new(cfg: SimConfig, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut nodes = Vec::new();
        for i in 0..cfg.validators {
            let mut node_seed = [0u8; 32];
            node_seed[..8].copy_from_slice(&seed.to_le_bytes());
            node_seed[8] = i as u8;
            let key = crypto::public_key(&node_seed);
            nodes.push(Node {
                seed: node_seed,
                key,
                store: MemoryStore::new(),
                engine: None,
                incarnation: 0,
                committed: 0,
                seen: BTreeMap::new(),
                seen_ids: BTreeSet::new(),
                frozen: false,
            });
        }
        let keys: Vec<[u8; 32]> = nodes.iter().map(|n| n.key).collect();
        let byzantine = cfg.byzantine.then(|| rng.gen_range(0..cfg.validators));
        let mut sim = Sim {
            cfg,
            seed,
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            nodes,
            keys,
            byzantine,
            byz_acted: BTreeSet::new(),
            byz_seen_values: BTreeSet::new(),
            partition: None,
            proposed: BTreeSet::new(),
            decisions: BTreeMap::new(),
            honest_signed: BTreeMap::new(),
            report: SimReport::default(),
            trace: blake3::Hasher::new(),
            verified: BTreeSet::new(),
        };
        sim.plan_faults();
        sim
    }

    /// The validator set of `height`: the same keys, with voting power that changes
    /// every height (as if set by block `height - 2`), between 9 and 12, so proposer
    /// order and quorums move while no validator ever holds a third.
    fn set_for(&self, height: u64) -> ValidatorSet {
        let validators = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, key)| Validator {
                key: *key,
                power: 9 + (height + i as u64) % 4,
            })
            .collect();
        ValidatorSet::new(validators).expect("sim validator set")
    }

    fn honest(&self, i: usize) -> bool {
        Some(i) != self.byzantine
    }

    fn fail(&self, what: String) -> ! {
        let engines: Vec<String> = self
            .nodes
            .iter()
            .map(|n| {
                n.engine
                    .as_ref()
                    .map_or("down".to_string(), |e| format!("{e:?}"))
            })
            .collect();
        panic!(
            "seed {} ({:?}) at t={}ms: {what}; engines {engines:?}",
            self.seed, self.cfg, self.now
        )
    }

    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), event);
    }

    fn plan_faults(&mut self) {
        let n = self.cfg.validators;
        let gst = self.cfg.gst_ms;
        if self.cfg.crashes && gst > 0 {
            // Up to f honest validators crash (at different times) and restart before GST.
            let crashes = self.rng.gen_range(1..=((n - 1) / 3).max(1) + 1);
            for _ in 0..crashes {
                let node = self.rng.gen_range(0..n);
                if !self.honest(node) {
                    continue;
                }
                let at = self.rng.gen_range(0..gst);
                let back = self.rng.gen_range(at..=gst);
                self.schedule(at, Event::Crash { node });
                self.schedule(back, Event::Restart { node });
            }
        }
        if self.cfg.partitions && gst > 0 {
            let side: BTreeSet<usize> = (0..n).filter(|_| self.rng.gen_bool(0.5)).collect();
            let from = self.rng.gen_range(0..gst);
            let to = self.rng.gen_range(from..=gst);
            self.partition = Some((side, from, to));
        }
    }

    pub fn run(mut self) -> SimReport {
        for i in 0..self.nodes.len() {
            if self.honest(i) {
                self.start_node(i);
                let at = self.rng.gen_range(0..1000);
                self.schedule(at, Event::Gossip { node: i });
            }
        }
        let deadline = self.cfg.gst_ms + self.cfg.liveness_ms;
        while !self.all_done() {
            let Some(((at, _), event)) = self.queue.pop_first() else {
                self.fail("event queue ran dry".into())
            };
            if at > deadline {
                let heights: Vec<u64> = self.nodes.iter().map(|n| n.committed).collect();
                self.fail(format!(
                    "liveness: not all honest decided {} heights ({heights:?}), or no evidence yet ({})",
                    self.cfg.target_height, self.report.evidence_against_byzantine
                ))
            }
            self.now = at;
            self.report.events += 1;
            self.step(event);
        }
        self.final_checks();
        self.report.decided_heights = self.decisions.len() as u64;
        self.report.end_time_ms = self.now;
        self.report.after_gst_ms = self.now.saturating_sub(self.cfg.gst_ms);
        self.report.trace = *self.trace.finalize().as_bytes();
        self.report
    }

    /// Runs go on past the target height until the byzantine validator (if any) has
    /// been caught: that it is caught eventually is part of what is checked.
    fn evidence_done(&self) -> bool {
        self.byzantine.is_none() || self.report.evidence_against_byzantine > 0
    }

    fn all_done(&self) -> bool {
        self.evidence_done()
            && (0..self.nodes.len())
                .filter(|i| self.honest(*i))
                .all(|i| self.nodes[i].committed >= self.cfg.target_height)
    }

    fn start_node(&mut self, i: usize) {
        let node = &self.nodes[i];
        let signer = SafetyRules::new(node.seed, CHAIN, Box::new(node.store.clone()))
            .unwrap_or_else(|e| self.fail(format!("safety store: {e}")));
        let height = node.committed + 1;
        let mut engine = Engine::new(sim_config(), self.set_for(height), height, Some(signer))
            .unwrap_or_else(|e| self.fail(format!("engine: {e}")));
        let outputs = engine.start();
        self.nodes[i].engine = Some(engine);
        self.host(i, outputs);
        // Replay the write-ahead log of this height and the next (which the engine had
        // buffered), as a restarted node does: without
        // it a validator could come back locked on a value whose bytes nobody has.
        let mut log = self.nodes[i].seen.get(&height).cloned().unwrap_or_default();
        log.extend(
            self.nodes[i]
                .seen
                .get(&(height + 1))
                .cloned()
                .unwrap_or_default(),
        );
        for msg in log {
            let input = match msg {
                Msg::Proposal(p) => Input::Proposal(p),
                Msg::Vote(v) => Input::Vote(v),
            };
            self.feed(i, input);
        }
    }

    fn step(&mut self, event: Event) {
        match event {
            Event::Deliver { to, msg } => {
                self.trace.update(&[0, to as u8]);
                self.trace.update(&msg.identity());
                if Some(to) == self.byzantine {
                    self.byzantine_reacts(to, &msg);
                } else if let Some(height) = self.nodes[to].engine.as_ref().map(|e| e.height()) {
                    // The engine keeps messages of its height and buffers the next one;
                    // anything else it drops, so it does not count as seen.
                    if msg.height() == height || msg.height() == height + 1 {
                        self.remember(to, &msg);
                    }
                    let input = match msg {
                        Msg::Proposal(p) => Input::Proposal(p),
                        Msg::Vote(v) => Input::Vote(v),
                    };
                    self.feed(to, input);
                }
            }
            Event::Timeout {
                node,
                incarnation,
                height,
                round,
                step,
            } => {
                if self.nodes[node].incarnation == incarnation && self.nodes[node].engine.is_some()
                {
                    self.trace.update(&[1, node as u8]);
                    self.feed(
                        node,
                        Input::Timeout {
                            height,
                            round,
                            step,
                        },
                    );
                }
            }
            Event::Crash { node } => self.crash(node),
            Event::Restart { node } => {
                if self.nodes[node].engine.is_none() {
                    self.trace.update(&[3, node as u8]);
                    self.start_node(node);
                }
            }
            Event::Gossip { node } => {
                self.gossip(node);
                let at = self.now + 1000;
                self.schedule(at, Event::Gossip { node });
            }
        }
    }

    fn crash(&mut self, node: usize) {
        if self.nodes[node].engine.take().is_some() {
            self.trace.update(&[2, node as u8]);
            self.report.crashes += 1;
            self.nodes[node].incarnation += 1;
            // The engine's memory is lost. The block store, the safety store and the
            // host's write-ahead log of received messages (`seen`) are not.
        }
    }

    fn remember(&mut self, i: usize, msg: &Msg) {
        let node = &mut self.nodes[i];
        if node.seen_ids.insert(msg.identity()) {
            node.seen.entry(msg.height()).or_default().push(msg.clone());
        }
    }

    /// The gossip layer: send each peer what we saw at its height and it has not (peer
    /// state is known, as CometBFT peers announce their height, round and votes). This
    /// retransmission is what makes messages lost before GST reach everyone after it.
    fn gossip(&mut self, from: usize) {
        if self.nodes[from].engine.is_none() {
            return;
        }
        let my_height = self.nodes[from].committed + 1;
        for to in 0..self.nodes.len() {
            if to == from || !self.honest(to) {
                continue;
            }
            let Some(peer_height) = self.nodes[to].engine.as_ref().map(|e| e.height()) else {
                continue;
            };
            if peer_height > my_height || self.nodes[to].frozen {
                continue;
            }
            let missing: Vec<Msg> = self.nodes[from]
                .seen
                .get(&peer_height)
                .map(|msgs| {
                    msgs.iter()
                        .filter(|m| !self.nodes[to].seen_ids.contains(&m.identity()))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for msg in missing {
                self.send(from, to, msg);
            }
        }
    }

    fn send(&mut self, from: usize, to: usize, msg: Msg) {
        let before_gst = self.now < self.cfg.gst_ms;
        if let Some((side, start, end)) = &self.partition {
            if (*start..*end).contains(&self.now) && side.contains(&from) != side.contains(&to) {
                return;
            }
        }
        if before_gst && self.rng.gen_range(0..100) < self.cfg.drop_percent {
            return;
        }
        let copies = if self.rng.gen_range(0..100) < self.cfg.duplicate_percent {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self.rng.gen_range(1..=self.cfg.max_delay_ms);
            // Before GST, messages may also be very late.
            let extra = if before_gst && self.rng.gen_bool(0.1) {
                self.rng.gen_range(0..5000)
            } else {
                0
            };
            let at = self.now + delay + extra;
            self.schedule(
                at,
                Event::Deliver {
                    to,
                    msg: msg.clone(),
                },
            );
        }
    }

    fn broadcast(&mut self, from: usize, msg: Msg) {
        for to in 0..self.nodes.len() {
            if to != from {
                self.send(from, to, msg.clone());
            }
        }
    }

    fn feed(&mut self, i: usize, input: Input) {
        let Some(engine) = self.nodes[i].engine.as_mut() else {
            return;
        };
        let outputs = engine.handle(input);
        self.host(i, outputs);
    }

    /// Carry out an honest node's outputs, as the node process would.
    fn host(&mut self, i: usize, outputs: Vec<Output>) {
        let mut pending: Vec<Output> = outputs;
        pending.reverse();
        while let Some(output) = pending.pop() {
            if self.nodes[i].engine.is_none() {
                return; // crashed while handling
            }
            let follow = match output {
                Output::BroadcastProposal(p) => {
                    self.check_honest_signature(
                        p.proposer,
                        p.height,
                        p.round,
                        0,
                        p.signing_digest(),
                    );
                    self.proposed.insert(p.block_hash);
                    self.report.pol_proposals += p.pol_round.is_some() as u32;
                    self.send_own(i, Msg::Proposal(p))
                }
                Output::BroadcastVote(v) => {
                    let step = 1 + v.kind.digest_byte();
                    self.check_honest_signature(
                        v.validator,
                        v.height,
                        v.round,
                        step,
                        v.signing_digest(),
                    );
                    self.report.max_round = self.report.max_round.max(v.round);
                    self.send_own(i, Msg::Vote(v))
                }
                Output::ScheduleTimeout {
                    height,
                    round,
                    step,
                    duration_ms,
                } => {
                    let incarnation = self.nodes[i].incarnation;
                    let at = self.now + duration_ms;
                    self.schedule(
                        at,
                        Event::Timeout {
                            node: i,
                            incarnation,
                            height,
                            round,
                            step,
                        },
                    );
                    Vec::new()
                }
                Output::GetValue { height, round } => {
                    let value =
                        format!("block h{height} r{round} by {i} at {}", self.now).into_bytes();
                    let block_hash = hash_plain(&value);
                    self.proposed.insert(block_hash);
                    self.engine_of(i).handle(Input::ProposalValue {
                        height,
                        round,
                        block_hash,
                        value,
                    })
                }
                Output::ValidateValue {
                    height,
                    block_hash,
                    value,
                    ..
                } => {
                    let valid = hash_plain(&value) == block_hash;
                    self.engine_of(i).handle(Input::ValueValidity {
                        height,
                        block_hash,
                        valid,
                    })
                }
                Output::Decide {
                    height,
                    round,
                    block_hash,
                    value,
                    commit,
                } => {
                    self.check_decision(i, height, round, block_hash, &value, &commit);
                    self.nodes[i].committed = height;
                    if height >= self.cfg.target_height && self.evidence_done() {
                        // Done: the engine stays decided; its gossip still serves laggards.
                        self.nodes[i].frozen = true;
                        continue;
                    }
                    let set = self.set_for(height + 1);
                    self.engine_of(i).handle(Input::NewHeight {
                        height: height + 1,
                        validators: set,
                    })
                }
                Output::Evidence(e) => {
                    self.check_evidence(&e);
                    Vec::new()
                }
                Output::Rejected { .. } => Vec::new(),
            };
            for o in follow.into_iter().rev() {
                pending.push(o);
            }
        }
    }

    fn engine_of(&mut self, i: usize) -> &mut Engine {
        self.nodes[i]
            .engine
            .as_mut()
            .expect("alive node has an engine")
    }

    /// Send our own signed message; before GST the process may crash right after the
    /// safety rules persisted it and before it leaves.
    fn send_own(&mut self, i: usize, msg: Msg) -> Vec<Output> {
        if self.cfg.crashes && self.now < self.cfg.gst_ms && self.rng.gen_range(0..1000) < 3 {
            self.report.crashes_before_send += 1;
            self.crash(i);
            let back = self.rng.gen_range(self.now..=self.cfg.gst_ms);
            self.schedule(back, Event::Restart { node: i });
            return Vec::new();
        }
        self.remember(i, &msg);
        self.broadcast(i, msg);
        Vec::new()
    }

    fn final_checks(&mut self) {
        for h in 1..=self.cfg.target_height {
            if !self.decisions.contains_key(&h) {
                self.fail(format!("height {h} never decided"));
            }
        }
    }
}

fn sim_config() -> Config {
    Config::new(CHAIN)
}
