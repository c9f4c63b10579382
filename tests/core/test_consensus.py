"""The consensus engine through the bindings: four engines in one process over a
deterministic message queue decide several heights; hostile input; a restart from the
safety file never signs a conflicting vote; equivocation gives evidence.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import tonomy._core as core
from tonomy.errors import InternalError, InvalidInputError, MalformedError

CHAIN = bytes([9]) * 32


def seed(i: int) -> bytes:
    return bytes([i + 1]) * 32


def validators(n: int) -> list[tuple[bytes, int]]:
    return [(core.ed25519_public_key(seed(i)), 1) for i in range(n)]


def signed_vote(i: int, kind: str, height: int, round: int, block_hash: bytes | None) -> bytes:
    key = core.ed25519_public_key(seed(i))
    digest = core.vote_digest(kind, CHAIN, height, round, block_hash, key)  # type: ignore[arg-type]
    vote = core.Vote(kind, CHAIN, height, round, block_hash, key, core.ed25519_sign(seed(i), digest))  # type: ignore[arg-type]
    return core.encode_vote(vote)


@dataclass
class Network:
    """N engines, a FIFO of messages and a virtual clock for timeouts. Deterministic."""

    engines: list[core.ConsensusEngine]
    queue: list[tuple[int, str, bytes]] = field(default_factory=list)
    timers: list[tuple[int, int, int, int, int, str]] = field(default_factory=list)
    now: int = 0
    seq: int = 0
    decided: dict[int, dict[int, bytes]] = field(default_factory=dict)
    proposed: set[bytes] = field(default_factory=set)
    evidence: list[core.ConsensusOutput] = field(default_factory=list)
    commits: list[bytes] = field(default_factory=list)

    def carry_out(self, i: int, outputs: list[core.ConsensusOutput]) -> None:
        pending = list(outputs)
        while pending:
            out = pending.pop(0)
            engine = self.engines[i]
            if out.kind in ("proposal", "vote"):
                assert out.message is not None
                for to in range(len(self.engines)):
                    if to != i:
                        self.queue.append((to, out.kind, out.message))
            elif out.kind == "timeout":
                assert out.height is not None and out.round is not None and out.step is not None
                assert out.duration_ms is not None
                self.seq += 1
                heapq.heappush(
                    self.timers, (self.now + out.duration_ms, self.seq, i, out.height, out.round, out.step)
                )
            elif out.kind == "get_value":
                assert out.height is not None and out.round is not None
                value = f"block {out.height}/{out.round} from {i}".encode()
                block_hash = core.hash_plain(value)
                self.proposed.add(block_hash)
                pending += engine.on_value(out.height, out.round, block_hash, value)
            elif out.kind == "validate_value":
                assert out.height is not None and out.block_hash is not None and out.value is not None
                ok = core.hash_plain(out.value) == out.block_hash
                pending += engine.on_validity(out.height, out.block_hash, ok)
            elif out.kind == "decide":
                assert out.height is not None and out.block_hash is not None and out.message is not None
                self.decided.setdefault(out.height, {})[i] = out.block_hash
                self.commits.append(out.message)
                pending += engine.new_height(out.height + 1, validators(len(self.engines)))
            elif out.kind == "evidence":
                self.evidence.append(out)
            else:
                assert out.kind == "rejected", out

    def run_until(self, heights: int, max_steps: int = 100_000, start: bool = True) -> None:
        if start:
            for i, engine in enumerate(self.engines):
                self.carry_out(i, engine.start())
        for _ in range(max_steps):
            if all(len(self.decided.get(h, {})) == len(self.engines) for h in range(1, heights + 1)):
                return
            if self.queue:
                to, kind, message = self.queue.pop(0)
                engine = self.engines[to]
                self.carry_out(to, engine.on_proposal(message) if kind == "proposal" else engine.on_vote(message))
            elif self.timers:
                at, _, i, height, round, step = heapq.heappop(self.timers)
                self.now = at
                self.carry_out(i, self.engines[i].on_timeout(height, round, step))  # type: ignore[arg-type]
            else:
                raise AssertionError("nothing left to do")
        raise AssertionError(f"not decided within {max_steps} steps: {self.decided}")


def test_four_engines_decide_several_heights() -> None:
    n = 4
    engines = [core.ConsensusEngine(CHAIN, validators(n), 1, seed(i)) for i in range(n)]
    net = Network(engines)
    net.run_until(5)
    for height in range(1, 6):
        hashes = set(net.decided[height].values())
        assert len(hashes) == 1, f"agreement broken at height {height}"
        assert hashes <= net.proposed
    # Every commit decodes, holds a quorum of valid precommits for the decided block.
    for message in net.commits:
        commit = core.decode_commit(message)
        assert len(commit.votes) >= 3
        for vote in commit.votes:
            assert vote.kind == "precommit"
            core.ed25519_verify(vote.validator, vote.signing_digest, vote.signature)
    assert net.evidence == []
    assert all(e.height == 6 for e in engines)


def test_a_validator_restarted_from_its_safety_file_rejoins(tmp_path: Path) -> None:
    n = 4
    paths = [tmp_path / f"safety-{i}" for i in range(n)]
    engines = [core.ConsensusEngine(CHAIN, validators(n), 1, seed(i), paths[i]) for i in range(n)]
    net = Network(engines)
    net.run_until(2)
    # Validator 1 crashes (its engine and pending timers are gone) and comes back at the
    # height after its last commit, with only its safety file.
    height = max(h for h, who in net.decided.items() if 1 in who) + 1
    net.timers = [t for t in net.timers if t[2] != 1]
    del engines[1]
    engines.insert(1, core.ConsensusEngine(CHAIN, validators(n), height, seed(1), paths[1]))
    net.carry_out(1, engines[1].start())
    net.run_until(5, start=False)
    for h in range(1, 6):
        assert len(set(net.decided[h].values())) == 1
    assert all(p.exists() for p in paths)


def test_a_silent_proposer_costs_a_round_not_liveness() -> None:
    n = 4
    keys = validators(n)
    probe = core.ConsensusEngine(CHAIN, keys, 1)
    silent = next(i for i in range(n) if keys[i][0] == probe.proposer(1, 0))
    engines = [core.ConsensusEngine(CHAIN, keys, 1, seed(i)) for i in range(n)]
    net = Network(engines)
    # The proposer of height 1, round 0 is crashed: its messages never leave.
    original = net.carry_out

    def drop_silent(i: int, outputs: list[core.ConsensusOutput]) -> None:
        if i != silent:
            original(i, outputs)

    net.carry_out = drop_silent  # type: ignore[method-assign]
    for i, engine in enumerate(engines):
        net.carry_out(i, engine.start())
    while not all(engines[i].height > 1 for i in range(n) if i != silent):
        if net.queue:
            to, kind, message = net.queue.pop(0)
            engine = engines[to]
            net.carry_out(to, engine.on_proposal(message) if kind == "proposal" else engine.on_vote(message))
        else:
            at, _, i, height, round, step = heapq.heappop(net.timers)
            net.now = at
            net.carry_out(i, engines[i].on_timeout(height, round, step))  # type: ignore[arg-type]
    decided = {net.decided[1][i] for i in range(n) if i != silent}
    assert len(decided) == 1
    assert net.now >= 3000, "the round-0 propose timeout had to expire"


def test_hostile_input_raises_clear_errors_and_changes_nothing() -> None:
    engine = core.ConsensusEngine(CHAIN, validators(4), 1, seed(0))
    engine.start()
    state = (engine.height, engine.round, engine.step)
    for junk in [b"", b"\x00" * 7, b"\xff" * 64, bytes(600)]:
        with pytest.raises(MalformedError):
            engine.on_vote(junk)
        with pytest.raises(MalformedError):
            engine.on_proposal(junk)
    with pytest.raises(InvalidInputError):
        engine.on_timeout(1, 0, "nap")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        engine.on_validity(1, b"short", True)
    with pytest.raises(InvalidInputError):
        core.ConsensusEngine(CHAIN[:31], validators(4), 1)
    with pytest.raises(InvalidInputError):
        core.ConsensusEngine(CHAIN, [(b"k" * 31, 1)], 1)
    with pytest.raises(InvalidInputError):
        core.ConsensusEngine(CHAIN, [], 1)
    with pytest.raises(InvalidInputError):
        core.ConsensusEngine(CHAIN, [(bytes(32), 0)], 1)
    with pytest.raises(InvalidInputError):
        core.ConsensusEngine(CHAIN, validators(4), 1, seed=b"x")
    with pytest.raises(InvalidInputError):
        engine.on_value(1, 0, bytes(32), bytes(8 * 1024 * 1024 + 1))
    # A truncated proposal (last byte of its value missing) is malformed.
    keys = validators(4)
    proposer = next(i for i in range(4) if keys[i][0] == engine.proposer(1, 0))
    other = core.ConsensusEngine(CHAIN, keys, 1, seed(proposer))
    get = next(o for o in other.start() if o.kind == "get_value")
    assert get.round == 0
    proposal = next(o for o in other.on_value(1, 0, core.hash_plain(b"v"), b"v") if o.kind == "proposal")
    assert proposal.message is not None
    with pytest.raises(MalformedError):
        engine.on_proposal(proposal.message[:-1])
    # A valid proposal of another chain is rejected, not stored.
    elsewhere = core.ConsensusEngine(bytes([8]) * 32, keys, 1, seed(0))
    elsewhere.start()
    assert [o.kind for o in elsewhere.on_proposal(proposal.message)] == ["rejected"]
    with pytest.raises(InvalidInputError):
        engine.new_height(2, [(bytes(32), 1), (bytes(32), 1)])
    assert [o.kind for o in engine.new_height(1, validators(4))] == ["rejected"]
    # A well-formed vote with a bad signature is rejected, not counted.
    bad = bytearray(signed_vote(1, "precommit", 1, 0, bytes(32)))
    bad[-10] ^= 1
    outputs = engine.on_vote(bytes(bad))
    assert [o.kind for o in outputs] == ["rejected"]
    assert (engine.height, engine.round, engine.step) == state


def test_equivocation_gives_evidence_naming_the_validator() -> None:
    engine = core.ConsensusEngine(CHAIN, validators(4), 1, seed(0))
    engine.start()
    assert engine.on_vote(signed_vote(2, "prevote", 1, 0, bytes([1]) * 32)) == []
    outputs = engine.on_vote(signed_vote(2, "prevote", 1, 0, None))
    assert [o.kind for o in outputs] == ["evidence"]
    evidence = outputs[0]
    assert evidence.reason == "duplicate_vote"
    assert evidence.offender == core.ed25519_public_key(seed(2))
    assert evidence.evidence is not None
    a, b = (core.decode_vote(m) for m in evidence.evidence)
    assert (a.validator, a.height, a.round, a.kind) == (b.validator, b.height, b.round, b.kind)
    assert a.block_hash != b.block_hash


def test_a_restart_from_the_safety_file_never_signs_a_conflicting_vote(tmp_path: Path) -> None:
    n = 4
    keys = validators(n)
    probe = core.ConsensusEngine(CHAIN, keys, 1)
    me = next(i for i in range(n) if keys[i][0] != probe.proposer(1, 0))
    path = tmp_path / "safety.state"
    engine = core.ConsensusEngine(CHAIN, keys, 1, seed(me), path)
    engine.start()
    # The propose timeout fires: prevote nil is signed and persisted, then we "crash".
    first = [o for o in engine.on_timeout(1, 0, "propose") if o.kind == "vote"]
    assert len(first) == 1 and path.exists()
    del engine
    # Restarted, the engine re-sends that prevote, byte for byte (it may never have left).
    resent = core.ConsensusEngine(CHAIN, keys, 1, seed(me), path)
    again = [o for o in resent.start() if o.kind == "vote"]
    assert [o.message for o in again] == [first[0].message]
    assert resent.step == "prevote"
    del resent
    restarted = core.ConsensusEngine(CHAIN, keys, 1, seed(me), path)
    assert [o.message for o in restarted.start() if o.kind == "vote"] == [first[0].message]
    # A proposal for a value arrives now: prevoting it would conflict, so no vote.
    proposer = next(i for i in range(n) if keys[i][0] == probe.proposer(1, 0))
    value = b"late block"
    other = core.ConsensusEngine(CHAIN, keys, 1, seed(proposer))
    outs = other.start()
    get = next(o for o in outs if o.kind == "get_value")
    proposal = next(o for o in other.on_value(1, 0, core.hash_plain(value), value) if o.kind == "proposal")
    assert get.round == 0 and proposal.message is not None
    outputs = restarted.on_proposal(proposal.message)
    validate = next(o for o in outputs if o.kind == "validate_value")
    assert validate.block_hash == core.hash_plain(value)
    outputs = restarted.on_validity(1, core.hash_plain(value), True)
    assert [o.kind for o in outputs if o.kind == "vote"] == []
    # A damaged safety file stops the validator instead of letting it forget.
    data = bytearray(path.read_bytes())
    data[3] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InternalError):
        core.ConsensusEngine(CHAIN, keys, 1, seed(me), path)
