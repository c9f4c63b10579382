//! Randomized schedules through the deterministic simulation. The default run is sized
//! for a few seconds; `TONOMY_CONSENSUS_SOAK=<schedules>` runs that many per size.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::sim::{Sim, SimConfig};

fn schedules(default: u64) -> u64 {
    std::env::var("TONOMY_CONSENSUS_SOAK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn run_many(validators: usize, count: u64, heights: u64, base_seed: u64) {
    run_many_with(validators, count, heights, base_seed, SimConfig::random)
}

fn run_many_with(
    validators: usize,
    count: u64,
    heights: u64,
    base_seed: u64,
    make: fn(usize, &mut StdRng, u64) -> SimConfig,
) {
    let started = Instant::now();
    let (mut events, mut evidence_runs, mut byz_runs, mut crashes, mut lost_sends, mut max_round) =
        (0u64, 0u64, 0u64, 0u32, 0u32, 0u32);
    let (mut pol_proposals, mut late_decisions, mut after_gst_ms) = (0u64, 0u64, 0u64);
    for i in 0..count {
        let seed = base_seed + i;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let cfg = make(validators, &mut rng, heights);
        let byzantine = cfg.byzantine;
        let report = Sim::new(cfg, seed).run();
        assert!(report.decided_heights >= heights);
        events += report.events;
        crashes += report.crashes;
        lost_sends += report.crashes_before_send;
        max_round = max_round.max(report.max_round);
        pol_proposals += report.pol_proposals as u64;
        late_decisions += report.late_decisions as u64;
        after_gst_ms = after_gst_ms.max(report.after_gst_ms);
        if byzantine {
            byz_runs += 1;
            if report.evidence_against_byzantine > 0 {
                evidence_runs += 1;
            }
        }
    }
    // The byzantine validator equivocates every round it hears of, also after GST
    // when delivery is reliable: every run with one must end with evidence.
    assert_eq!(
        evidence_runs, byz_runs,
        "runs with a byzantine validator but no evidence"
    );
    // The schedules must reach the hard paths, or they prove little.
    if count >= 200 {
        assert!(pol_proposals > 0 && late_decisions > 0 && lost_sends > 0 && byz_runs > 0);
    }
    eprintln!(
        "consensus sim: {count} schedules x {heights} heights, {validators} validators: {events} events, \
         {byz_runs} with a byzantine validator, {crashes} crashes ({lost_sends} between persist and send), \
         highest round {max_round}, {late_decisions} decisions after round 0, {pol_proposals} re-proposals \
         with a POL, all done at most {after_gst_ms} ms (simulated) after GST, {:.2?}",
        started.elapsed()
    );
}

#[test]
fn four_validators_random_schedules() {
    run_many(4, schedules(1200), 3, 1_000_000);
}

#[test]
fn seven_validators_random_schedules() {
    run_many(7, schedules(400), 3, 2_000_000);
}

#[test]
fn four_validators_long_lossy_asynchrony() {
    run_many_with(4, schedules(400), 3, 3_000_000, SimConfig::adversarial);
}

#[test]
fn a_calm_network_decides_fast() {
    let cfg = SimConfig {
        validators: 4,
        byzantine: false,
        target_height: 20,
        max_delay_ms: 50,
        drop_percent: 0,
        duplicate_percent: 0,
        crashes: false,
        partitions: false,
        gst_ms: 0,
        liveness_ms: 20 * 1000,
    };
    let report = Sim::new(cfg, 7).run();
    assert_eq!(
        report.max_round, 0,
        "a calm network never needs a second round"
    );
    assert!(report.end_time_ms < 20 * 1000);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let mut rng = StdRng::seed_from_u64(42);
    let cfg = SimConfig::random(4, &mut rng, 3);
    let a = Sim::new(cfg.clone(), 42).run();
    let b = Sim::new(cfg, 42).run();
    assert_eq!(a.trace, b.trace);
    assert_eq!(a.events, b.events);
    let mut rng = StdRng::seed_from_u64(43);
    let other = Sim::new(SimConfig::random(4, &mut rng, 3), 43).run();
    assert_ne!(a.trace, other.trace);
}
