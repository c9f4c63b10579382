//! Focused tests of the engine's rules; the simulation covers whole networks.

use super::*;
use crate::crypto;
use crate::hash::hash_plain;
use crate::wire::{vote_digest, Vote, VoteKind};

const CHAIN: [u8; 32] = [5; 32];

fn seed(i: usize) -> [u8; 32] {
    [i as u8 + 1; 32]
}

fn set(n: usize) -> ValidatorSet {
    ValidatorSet::new(
        (0..n)
            .map(|i| Validator {
                key: crypto::public_key(&seed(i)),
                power: 1,
            })
            .collect(),
    )
    .unwrap()
}

/// Index (into seeds) of the proposer of (height, round).
fn proposer_index(set: &ValidatorSet, height: u64, round: u32) -> usize {
    let key = set.proposer(height, round).key;
    (0..32)
        .find(|i| crypto::public_key(&seed(*i)) == key)
        .unwrap()
}

fn engine(i: usize, n: usize, height: u64, store: MemoryStore) -> Engine {
    let signer = SafetyRules::new(seed(i), CHAIN, Box::new(store)).unwrap();
    Engine::new(Config::new(CHAIN), set(n), height, Some(signer)).unwrap()
}

fn signed_vote(i: usize, kind: VoteKind, height: u64, round: u32, hash: Option<[u8; 32]>) -> Vote {
    let key = crypto::public_key(&seed(i));
    let digest = vote_digest(kind, &CHAIN, height, round, hash.as_ref(), &key);
    Vote {
        kind,
        chain_id: CHAIN,
        height,
        round,
        block_hash: hash,
        validator: key,
        signature: crypto::sign(&seed(i), &digest),
    }
}

fn signed_proposal(i: usize, height: u64, round: u32, pol: Option<u32>, value: &[u8]) -> Proposal {
    let key = crypto::public_key(&seed(i));
    let hash = hash_plain(value);
    let digest = proposal_digest(&CHAIN, height, round, pol, &hash, &key);
    Proposal {
        chain_id: CHAIN,
        height,
        round,
        pol_round: pol,
        block_hash: hash,
        proposer: key,
        signature: crypto::sign(&seed(i), &digest),
        value: value.to_vec(),
    }
}

/// Answer the host requests (values, validity) the way a node would; return the rest.
fn host(
    engine: &mut Engine,
    outputs: Vec<Output>,
    valid: impl Fn(&[u8]) -> bool + Copy,
) -> Vec<Output> {
    let mut rest = Vec::new();
    let mut pending = outputs;
    while !pending.is_empty() {
        let mut next = Vec::new();
        for output in pending {
            match output {
                Output::GetValue { height, round } => {
                    let value = format!("value h{height} r{round}").into_bytes();
                    next.extend(engine.handle(Input::ProposalValue {
                        height,
                        round,
                        block_hash: hash_plain(&value),
                        value,
                    }));
                }
                Output::ValidateValue {
                    height,
                    block_hash,
                    value,
                    ..
                } => {
                    let ok = hash_plain(&value) == block_hash && valid(&value);
                    next.extend(engine.handle(Input::ValueValidity {
                        height,
                        block_hash,
                        valid: ok,
                    }));
                }
                other => rest.push(other),
            }
        }
        pending = next;
    }
    rest
}

fn start(e: &mut Engine) -> Vec<Output> {
    let out = e.start();
    host(e, out, |_| true)
}

fn feed(e: &mut Engine, input: Input) -> Vec<Output> {
    let out = e.handle(input);
    host(e, out, |_| true)
}

fn votes(outputs: &[Output]) -> Vec<Vote> {
    outputs
        .iter()
        .filter_map(|o| {
            if let Output::BroadcastVote(v) = o {
                Some(v.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn four_engines_decide_over_a_lossless_network() {
    let n = 4;
    let mut engines: Vec<Engine> = (0..n)
        .map(|i| engine(i, n, 1, MemoryStore::new()))
        .collect();
    let mut queue: Vec<(usize, Input)> = Vec::new();
    let mut decided: Vec<Option<[u8; 32]>> = vec![None; n];
    let deliver = |from: usize,
                   outputs: Vec<Output>,
                   queue: &mut Vec<(usize, Input)>,
                   decided: &mut Vec<Option<[u8; 32]>>| {
        for o in outputs {
            match o {
                Output::BroadcastProposal(p) => (0..n)
                    .filter(|t| *t != from)
                    .for_each(|t| queue.push((t, Input::Proposal(p.clone())))),
                Output::BroadcastVote(v) => (0..n)
                    .filter(|t| *t != from)
                    .for_each(|t| queue.push((t, Input::Vote(v.clone())))),
                Output::Decide {
                    height,
                    round,
                    block_hash,
                    commit,
                    ..
                } => {
                    assert_eq!((height, round), (1, 0));
                    assert!(commit.votes.len() >= 3);
                    for v in &commit.votes {
                        crypto::verify(&v.validator, &v.signing_digest(), &v.signature).unwrap();
                    }
                    decided[from] = Some(block_hash);
                }
                Output::Evidence(_) | Output::Rejected { .. } => panic!("unexpected {o:?}"),
                _ => {}
            }
        }
    };
    for (i, e) in engines.iter_mut().enumerate() {
        let out = start(e);
        deliver(i, out, &mut queue, &mut decided);
    }
    while let Some((to, input)) = (!queue.is_empty()).then(|| queue.remove(0)) {
        let out = engines[to].handle(input);
        let out = host(&mut engines[to], out, |_| true);
        deliver(to, out, &mut queue, &mut decided);
    }
    let first = decided[0].expect("decided");
    assert!(decided.iter().all(|d| *d == Some(first)));
    assert_eq!(first, hash_plain(b"value h1 r0"));
}

#[test]
fn bad_messages_are_rejected_and_change_nothing() {
    let n = 4;
    let mut e = engine(0, n, 1, MemoryStore::new());
    start(&mut e);
    let mut bad_sig = signed_vote(1, VoteKind::Precommit, 1, 0, Some([9; 32]));
    bad_sig.signature[0] ^= 1;
    let mut wrong_chain = signed_vote(1, VoteKind::Precommit, 1, 0, Some([9; 32]));
    wrong_chain.chain_id = [0; 32];
    let stranger = {
        let key = crypto::public_key(&[99; 32]);
        let digest = vote_digest(VoteKind::Precommit, &CHAIN, 1, 0, Some(&[9; 32]), &key);
        Vote {
            kind: VoteKind::Precommit,
            chain_id: CHAIN,
            height: 1,
            round: 0,
            block_hash: Some([9; 32]),
            validator: key,
            signature: crypto::sign(&[99; 32], &digest),
        }
    };
    let far = signed_vote(1, VoteKind::Prevote, 1, 5000, None);
    for vote in [bad_sig, wrong_chain, stranger, far] {
        let out = e.handle(Input::Vote(vote));
        assert!(
            matches!(out.as_slice(), [Output::Rejected { .. }]),
            "{out:?}"
        );
    }
    let not_proposer = (0..n)
        .find(|i| *i != proposer_index(e.validators(), 1, 0))
        .unwrap();
    let out = e.handle(Input::Proposal(signed_proposal(
        not_proposer,
        1,
        0,
        None,
        b"x",
    )));
    assert!(matches!(out.as_slice(), [Output::Rejected { .. }]));
    let mut forged = signed_proposal(proposer_index(e.validators(), 1, 0), 1, 0, None, b"x");
    forged.signature[5] ^= 1;
    assert!(matches!(
        e.handle(Input::Proposal(forged)).as_slice(),
        [Output::Rejected { .. }]
    ));
    // Two bad precommits from others would otherwise have been a quorum with a third.
    assert_eq!((e.round(), e.step()), (0, Step::Propose));
    assert!(!e.has_decided());
}

#[test]
fn equivocation_gives_evidence_once_naming_the_validator() {
    let mut e = engine(0, 4, 1, MemoryStore::new());
    start(&mut e);
    assert!(e
        .handle(Input::Vote(signed_vote(
            2,
            VoteKind::Prevote,
            1,
            0,
            Some([1; 32])
        )))
        .is_empty());
    let out = e.handle(Input::Vote(signed_vote(2, VoteKind::Prevote, 1, 0, None)));
    let [Output::Evidence(Evidence::DuplicateVote { a, b })] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(a.validator, crypto::public_key(&seed(2)));
    assert_eq!(
        (a.block_hash, b.block_hash),
        (None, Some([1; 32])),
        "nil sorts first"
    );
    let again = e.handle(Input::Vote(signed_vote(
        2,
        VoteKind::Prevote,
        1,
        0,
        Some([3; 32]),
    )));
    assert!(again.iter().all(|o| !matches!(o, Output::Evidence(_))));
    // The same vote delivered twice is not equivocation.
    assert!(e
        .handle(Input::Vote(signed_vote(2, VoteKind::Prevote, 1, 0, None)))
        .is_empty());
}

#[test]
fn an_invalid_value_gets_a_nil_prevote() {
    let n = 4;
    let height = 1;
    let p = proposer_index(&set(n), height, 0);
    let me = (p + 1) % n;
    let mut e = engine(me, n, height, MemoryStore::new());
    start(&mut e);
    let out = e.handle(Input::Proposal(signed_proposal(
        p,
        height,
        0,
        None,
        b"bad block",
    )));
    let out = host(&mut e, out, |v| v != b"bad block");
    let prevotes = votes(&out);
    assert_eq!(prevotes.len(), 1);
    assert_eq!(prevotes[0].block_hash, None);
}

#[test]
fn a_lock_holds_until_a_newer_polka() {
    let n = 4;
    let height = 1;
    let validators = set(n);
    let busy = [
        proposer_index(&validators, height, 1),
        proposer_index(&validators, height, 2),
    ];
    let me = (0..n).find(|i| !busy.contains(i)).unwrap();
    let mut e = engine(me, n, height, MemoryStore::new());
    start(&mut e);
    let others: Vec<usize> = (0..n).filter(|i| *i != me).collect();
    // Round 0: the proposal for A and a prevote quorum for it: we lock on A.
    let p0 = proposer_index(e.validators(), height, 0);
    let a = signed_proposal(p0, height, 0, None, b"A");
    if p0 != me {
        feed(&mut e, Input::Proposal(a.clone()));
    }
    let a_hash = if p0 == me {
        hash_plain(b"value h1 r0")
    } else {
        a.block_hash
    };
    for &i in &others {
        feed(
            &mut e,
            Input::Vote(signed_vote(i, VoteKind::Prevote, height, 0, Some(a_hash))),
        );
    }
    assert_eq!(e.step(), Step::Precommit);
    // Everyone else precommits nil; the round times out into round 1.
    for &i in &others {
        feed(
            &mut e,
            Input::Vote(signed_vote(i, VoteKind::Precommit, height, 0, None)),
        );
    }
    feed(
        &mut e,
        Input::Timeout {
            height,
            round: 0,
            step: Step::Precommit,
        },
    );
    assert_eq!(e.round(), 1);
    // Round 1: a new value B without a POL: we stay locked and prevote nil.
    let p1 = proposer_index(e.validators(), height, 1);
    assert_ne!(p1, me, "this test needs another proposer in round 1");
    {
        let out = feed(
            &mut e,
            Input::Proposal(signed_proposal(p1, height, 1, None, b"B")),
        );
        assert_eq!(votes(&out)[0].block_hash, None);
        // Round 2: B again with a POL from round 1 that is newer than our lock: we may unlock.
        for &i in &others {
            let b = hash_plain(b"B");
            feed(
                &mut e,
                Input::Vote(signed_vote(i, VoteKind::Prevote, height, 1, Some(b))),
            );
        }
        for &i in &others {
            feed(
                &mut e,
                Input::Vote(signed_vote(i, VoteKind::Precommit, height, 1, None)),
            );
        }
        feed(
            &mut e,
            Input::Timeout {
                height,
                round: 1,
                step: Step::Precommit,
            },
        );
        let p2 = proposer_index(e.validators(), height, 2);
        assert_ne!(p2, me);
        assert_eq!(e.step(), Step::Propose);
        {
            let out = e.handle(Input::Proposal(signed_proposal(
                p2,
                height,
                2,
                Some(1),
                b"B",
            )));
            let out = host(&mut e, out, |_| true);
            assert_eq!(votes(&out)[0].block_hash, Some(hash_plain(b"B")));
        }
    }
}

#[test]
fn timeouts_walk_the_steps_and_grow_with_rounds() {
    let n = 4;
    let height = 3;
    let me = (proposer_index(&set(n), height, 0) + 1) % n;
    let mut e = engine(me, n, height, MemoryStore::new());
    let out = e.start();
    assert!(out.contains(&Output::ScheduleTimeout {
        height,
        round: 0,
        step: Step::Propose,
        duration_ms: 3000
    }));
    let out = e.handle(Input::Timeout {
        height,
        round: 0,
        step: Step::Propose,
    });
    assert_eq!(votes(&out)[0].block_hash, None);
    assert_eq!(e.step(), Step::Prevote);
    // A stale timeout (other round) does nothing.
    assert!(e
        .handle(Input::Timeout {
            height,
            round: 7,
            step: Step::Prevote
        })
        .is_empty());
    let out = e.handle(Input::Timeout {
        height,
        round: 0,
        step: Step::Prevote,
    });
    assert_eq!(votes(&out)[0].kind, VoteKind::Precommit);
    let out = e.handle(Input::Timeout {
        height,
        round: 0,
        step: Step::Precommit,
    });
    assert_eq!(e.round(), 1);
    assert!(out.iter().any(|o| matches!(
        o,
        Output::ScheduleTimeout {
            round: 1,
            step: Step::Propose,
            duration_ms: 3500,
            ..
        }
    )));
}

#[test]
fn a_restarted_engine_resumes_its_round_and_lock_and_never_double_signs() {
    let n = 4;
    let height = 2;
    let store = MemoryStore::new();
    let me = (proposer_index(&set(n), height, 0) + 1) % n;
    let p = proposer_index(&set(n), height, 0);
    let a = signed_proposal(p, height, 0, None, b"A");
    let before_crash = {
        let mut e = engine(me, n, height, store.clone());
        start(&mut e);
        feed(&mut e, Input::Proposal(a.clone()));
        let mut precommits = Vec::new();
        for i in (0..n).filter(|i| *i != me) {
            precommits.extend(votes(&feed(
                &mut e,
                Input::Vote(signed_vote(
                    i,
                    VoteKind::Prevote,
                    height,
                    0,
                    Some(a.block_hash),
                )),
            )));
        }
        assert_eq!(e.step(), Step::Precommit);
        precommits
        // Crash (say before the precommit was sent): memory is gone, the safety store is not.
    };
    assert_eq!(before_crash.len(), 1);
    let mut e = engine(me, n, height, store.clone());
    let out = start(&mut e);
    assert_eq!((e.round(), e.step()), (0, Step::Precommit));
    // The restarted engine re-sends what it signed, byte for byte: its prevote and the
    // precommit that may never have left.
    let resent = votes(&out);
    assert_eq!(resent.len(), 2);
    assert_eq!(
        (resent[0].kind, resent[0].block_hash),
        (VoteKind::Prevote, Some(a.block_hash))
    );
    assert_eq!(resent[1], before_crash[0]);
    // The proposal and the polka again: nothing new is signed.
    let mut again = votes(&feed(&mut e, Input::Proposal(a.clone())));
    for i in (0..n).filter(|i| *i != me) {
        again.extend(votes(&feed(
            &mut e,
            Input::Vote(signed_vote(
                i,
                VoteKind::Prevote,
                height,
                0,
                Some(a.block_hash),
            )),
        )));
    }
    assert!(again.is_empty());
    // A prevote timeout would precommit nil: the engine is past that step.
    assert!(votes(&feed(
        &mut e,
        Input::Timeout {
            height,
            round: 0,
            step: Step::Prevote
        }
    ))
    .is_empty());
    let out = feed(
        &mut e,
        Input::Timeout {
            height,
            round: 0,
            step: Step::Precommit,
        },
    );
    let p1 = proposer_index(e.validators(), height, 1);
    if p1 != me {
        let out = feed(
            &mut e,
            Input::Proposal(signed_proposal(p1, height, 1, None, b"B")),
        );
        assert_eq!(votes(&out)[0].block_hash, None);
    } else {
        // We propose: the replayed polka made A our valid value again, so we re-propose it.
        assert!(out
            .iter()
            .any(|o| matches!(o, Output::BroadcastProposal(_))));
    }
}

#[test]
fn an_observer_decides_and_next_height_messages_wait() {
    let n = 4;
    let mut e = Engine::new(Config::new(CHAIN), set(n), 1, None).unwrap();
    e.start();
    // A height-2 vote arrives early: buffered, replayed at NewHeight.
    assert!(e
        .handle(Input::Vote(signed_vote(1, VoteKind::Prevote, 2, 0, None)))
        .is_empty());
    assert!(e
        .handle(Input::Vote(signed_vote(1, VoteKind::Prevote, 9, 0, None)))
        .is_empty());
    let p = proposer_index(e.validators(), 1, 0);
    let prop = signed_proposal(p, 1, 0, None, b"V");
    feed(&mut e, Input::Proposal(prop.clone()));
    let mut decided = None;
    for i in 0..3 {
        let out = e.handle(Input::Vote(signed_vote(
            i,
            VoteKind::Precommit,
            1,
            0,
            Some(prop.block_hash),
        )));
        for o in out {
            if let Output::Decide {
                block_hash,
                value,
                commit,
                ..
            } = o
            {
                decided = Some((block_hash, value, commit));
            }
        }
    }
    let (hash, value, commit) = decided.expect("observer decides");
    assert_eq!(
        (hash, value.as_slice(), commit.votes.len()),
        (prop.block_hash, &b"V"[..], 3)
    );
    // Nothing more for this height once decided.
    assert!(e
        .handle(Input::Vote(signed_vote(
            3,
            VoteKind::Precommit,
            1,
            0,
            Some(hash)
        )))
        .is_empty());
    let out = e.handle(Input::NewHeight {
        height: 2,
        validators: set(n),
    });
    assert!(out.iter().all(|o| !matches!(o, Output::Rejected { .. })));
    assert_eq!(e.height(), 2);
    // The buffered prevote was replayed: a second copy is a silent duplicate now.
    assert!(e
        .handle(Input::Vote(signed_vote(1, VoteKind::Prevote, 2, 0, None)))
        .is_empty());
    let out = e.handle(Input::NewHeight {
        height: 2,
        validators: set(n),
    });
    assert!(matches!(out.as_slice(), [Output::Rejected { .. }]));
    // The buffer for the next height keeps validators' messages only, and few proposals.
    for round in 0..20 {
        let p = proposer_index(e.validators(), 3, round);
        e.handle(Input::Proposal(signed_proposal(
            p,
            3,
            round,
            None,
            &[round as u8; 1000],
        )));
    }
    let stranger_key = crypto::public_key(&[99; 32]);
    let mut stranger = signed_vote(1, VoteKind::Prevote, 3, 0, None);
    stranger.validator = stranger_key;
    e.handle(Input::Vote(stranger));
    let height_3_votes = (0..3).map(|i| signed_vote(i, VoteKind::Prevote, 3, 0, None));
    for v in height_3_votes {
        e.handle(Input::Vote(v));
    }
    assert_eq!(e.future_len(), 8 + 3);
    assert!(Engine::new(
        Config::new([1; 32]),
        set(n),
        1,
        Some(SafetyRules::new(seed(0), CHAIN, Box::new(MemoryStore::new())).unwrap())
    )
    .is_err());
}

#[test]
fn a_new_validator_set_takes_over_at_new_height() {
    // Height 1 is run by validators 0..4; from height 2 (decided two heights earlier,
    // by the H+2 rule) validator 3 is out and 4, 5 are in, with different powers.
    let mut e = engine(4, 4, 1, MemoryStore::new());
    assert!(e.my_key().is_some());
    let next = ValidatorSet::new(
        [(0, 5), (1, 1), (2, 1), (4, 2), (5, 1)]
            .iter()
            .map(|(i, power)| Validator {
                key: crypto::public_key(&seed(*i)),
                power: *power,
            })
            .collect(),
    )
    .unwrap();
    e.start();
    // Not in the height-1 set: our key signs nothing there, and others' votes count.
    e.handle(Input::NewHeight {
        height: 2,
        validators: next.clone(),
    });
    assert_eq!(e.validators(), &next);
    // Validator 3 left: its votes are now strangers' votes.
    let out = e.handle(Input::Vote(signed_vote(
        3,
        VoteKind::Precommit,
        2,
        0,
        Some([1; 32]),
    )));
    assert!(matches!(out.as_slice(), [Output::Rejected { .. }]));
    // Power is the new set's: validator 0 alone (5 of 10) is not a quorum, 0 + 4 (7) is.
    let p = proposer_index(&next, 2, 0);
    let prop = signed_proposal(p, 2, 0, None, b"W");
    feed(&mut e, Input::Proposal(prop.clone()));
    let mut decided = false;
    for i in [0usize, 4] {
        let out = feed(
            &mut e,
            Input::Vote(signed_vote(
                i,
                VoteKind::Precommit,
                2,
                0,
                Some(prop.block_hash),
            )),
        );
        decided |= out.iter().any(|o| matches!(o, Output::Decide { .. }));
        if i == 0 {
            assert!(!decided, "5 of 10 is not more than two thirds");
        }
    }
    assert!(decided);
}
