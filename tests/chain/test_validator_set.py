"""The validator set in state: changes scheduled through governance take effect at
``H + consensus_delay`` on every node; blocks and commits are checked against the set of
their height, with voting power."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import blocks, validator_set
from tonomy.chain.chain import Chain
from tonomy.errors import ChainStateError, InvalidInputError
from tonomy.plugin import ActionSpec, Field, PluginInfo, RecordSchema, hookimpl
from tonomy.testing.ledger import BLOCK_INTERVAL_MS, LedgerNet, build_manager, make_genesis, public_key, seed

SETVAL = RecordSchema((Field("key", bytes), Field("power", int)))
SETPARAM = RecordSchema((Field("name", str), Field("value", int)))


class Govern:
    """The chain's governance plugin, reduced to the two calls a proposal would make."""

    def __init__(self, name: str = "govern") -> None:
        self.name = name

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(self.name, "1.0", 1, 1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("setval", lambda ctx, data: ctx.call_as_system("tonomy", "setvalidator", dict(data)), SETVAL))
        register(ActionSpec("param", lambda ctx, data: ctx.set_parameter("tonomy", data["name"], data["value"]), SETPARAM))


class Pair:
    """A proposer chain and a follower chain; every block is committed on both with a real commit."""

    def __init__(self, tmp_path: Path) -> None:
        self.manager = build_manager([Govern(), Govern("rogue")])
        self.genesis = make_genesis(self.manager, parameters={"tonomy": {"governance_plugin": "govern"}})
        self.a = Chain.open(tmp_path / "a", self.genesis, self.manager, validator_seed=seed("validator"), durable=False)
        self.b = Chain.open(tmp_path / "b", self.genesis, self.manager, durable=False)

    def close(self) -> None:
        self.a.close()
        self.b.close()

    def tx(self, plugin: str, name: str, data: dict[str, Any], signer: str = "alice") -> bytes:
        actor = "tonomy" if signer == "validator" else signer
        return self.a.submit(_tx(self.a, plugin, name, data, actor, signer))

    def block(self, signers: tuple[str, ...] | None = None) -> _core.BlockHeader:
        block = self.a.build_block(self.a.head.time + BLOCK_INTERVAL_MS)
        members = self.b.validators_at(block.header.height)
        labels = signers if signers is not None else tuple(label for label in LABELS if public_key(label) in dict(members))
        commit = commit_for(block.header, labels)
        self.b.apply_block(block, commit)
        return self.a.apply_block(block, commit)


LABELS = ("validator", "v2", "v3")


def _tx(chain: Chain, plugin: str, name: str, data: dict[str, Any], actor: str, signer: str) -> bytes:
    from tonomy.chain.txbuilder import build_transaction

    act = LedgerNet.action(plugin, name, data, f"{actor}@active")
    return build_transaction(chain.chain_id, chain.head, [act], [seed(signer)])


def commit_for(header: _core.BlockHeader, labels: tuple[str, ...]) -> _core.Commit:
    votes = []
    for label in labels:
        key = public_key(label)
        digest = _core.vote_digest("precommit", header.chain_id, header.height, header.round, header.hash, key)
        votes.append(_core.Vote("precommit", header.chain_id, header.height, header.round, header.hash, key, _core.ed25519_sign(seed(label), digest)))
    return _core.Commit(sorted(votes, key=lambda vote: vote.validator))


@pytest.fixture
def pair(tmp_path: Path) -> Any:
    chains = Pair(tmp_path)
    yield chains
    chains.close()


def receipt_of(chain: Chain, tx_id: bytes) -> Any:
    receipt = chain.get_receipt(tx_id)
    assert receipt is not None
    return receipt


def test_a_governance_change_takes_effect_after_the_delay_on_every_node(pair: Pair) -> None:
    old = ((public_key("validator"), 1),)
    tx = pair.tx("govern", "setval", {"key": public_key("v2"), "power": 1})
    header = pair.block()  # height 1 schedules the change for 1 + 2
    assert receipt_of(pair.a, tx).status == "executed", receipt_of(pair.a, tx).error_message
    new = validator_set.normalized([(public_key("validator"), 1), (public_key("v2"), 1)])
    for chain in (pair.a, pair.b):
        assert chain.validators_at(header.height + 1) == old
        assert chain.validators_at(header.height + 2) == new
        assert chain.query("tonomy", "validators", {})["schedule"][-1]["effective"] == 3
    second = pair.block()
    assert second.validator_set_hash == validator_set.set_hash(old)
    # Height 3 is signed by the new set: the old validator alone (1 of 2) no longer finalizes it.
    block = pair.a.build_block(pair.a.head.time + BLOCK_INTERVAL_MS)
    assert block.header.validator_set_hash == validator_set.set_hash(new)
    with pytest.raises(ChainStateError, match="two thirds"):
        pair.b.apply_block(block, commit_for(block.header, ("validator",)))
    assert pair.b.height == 2
    commit = commit_for(block.header, ("validator", "v2"))
    pair.b.apply_block(block, commit)
    pair.a.apply_block(block, commit)
    assert pair.a.head.hash == pair.b.head.hash and pair.b.height == 3
    # The next block's last commit is checked against height 3's set, on both nodes.
    assert pair.block().height == 4


def test_removal_and_power_are_weighted(pair: Pair) -> None:
    pair.tx("govern", "setval", {"key": public_key("v2"), "power": 3})
    pair.block()
    pair.block()
    header = pair.block()  # height 3: validator 1 + v2 3
    assert header.validator_set_hash == validator_set.set_hash(validator_set.normalized([(public_key("validator"), 1), (public_key("v2"), 3)]))
    # v2 alone holds 3 of 4 > 2/3; the validator alone does not.
    block = pair.a.build_block(pair.a.head.time + BLOCK_INTERVAL_MS)
    assert blocks.commit_problem(commit_for(block.header, ("v2",)), block.header, pair.b.validators_at(4)) is None
    assert "two thirds" in str(blocks.commit_problem(commit_for(block.header, ("validator",)), block.header, pair.b.validators_at(4)))
    pair.b.apply_block(block, commit_for(block.header, ("v2",)))
    pair.a.apply_block(block, commit_for(block.header, ("v2",)))
    tx = pair.tx("govern", "setval", {"key": public_key("validator"), "power": 0})
    pair.block()
    assert receipt_of(pair.a, tx).status == "executed"
    assert pair.b.validators_at(pair.b.height + 2) == ((public_key("v2"), 3),)
    # The last validator cannot be removed.
    last = pair.tx("govern", "setval", {"key": public_key("v2"), "power": 0})
    pair.block()
    assert (receipt_of(pair.a, last).status, receipt_of(pair.a, last).error_code) == ("failed", "tx.invalid_data")


def test_only_governance_may_change_the_set(pair: Pair) -> None:
    direct = pair.tx("tonomy", "setvalidator", {"key": public_key("v2"), "power": 1}, signer="validator")
    rogue = pair.tx("rogue", "setval", {"key": public_key("v2"), "power": 1})
    pair.block()
    for tx in (direct, rogue):
        receipt = receipt_of(pair.a, tx)
        assert receipt.status == "failed" and "governance" in str(receipt.error_message)
    assert len(pair.a.query("tonomy", "validators", {})["schedule"]) == 1


def test_hostile_changes_are_refused_and_change_nothing(pair: Pair) -> None:
    before = pair.a.query("tonomy", "validators", {})
    hostile = [
        pair.tx("govern", "setval", data)
        for data in (
            {"key": b"short", "power": 1},
            {"key": public_key("v2"), "power": -1},
            {"key": public_key("v2"), "power": 1 << 33},
            {"key": public_key("v3"), "power": 0},  # not a validator
        )
    ]
    pair.block()
    for tx in hostile:
        receipt = receipt_of(pair.a, tx)
        assert (receipt.status, receipt.error_code) == ("failed", "tx.invalid_data"), receipt.error_message
    assert pair.a.query("tonomy", "validators", {}) == before
    with pytest.raises(InvalidInputError):
        pair.a.validators_at("1")  # type: ignore[arg-type]


def test_the_delay_is_a_bounded_parameter_and_changes_never_reorder(pair: Pair) -> None:
    low = pair.tx("govern", "param", {"name": "consensus_delay", "value": 1})
    pair.block()
    assert receipt_of(pair.a, low).status == "failed"
    pair.tx("govern", "param", {"name": "consensus_delay", "value": 6})
    pair.block()  # height 2
    pair.tx("govern", "setval", {"key": public_key("v2"), "power": 1})
    pair.block()  # height 3: effective at 9
    pair.tx("govern", "param", {"name": "consensus_delay", "value": 2})
    pair.block()
    pair.tx("govern", "setval", {"key": public_key("v3"), "power": 1})
    pair.block()  # height 5: 5 + 2 = 7 would overtake 9, so it lands at 9 too
    schedule = pair.b.query("tonomy", "validators", {})["schedule"]
    assert [entry["effective"] for entry in schedule] == [1, 9]
    assert {entry["key"] for entry in schedule[-1]["validators"]} == {public_key(label).hex() for label in LABELS}


def test_the_schedule_query_refuses_parameters(pair: Pair) -> None:
    for params in ({"height": 1}, {"x": None}):
        with pytest.raises(InvalidInputError):
            pair.a.query("tonomy", "validators", params)


def test_the_header_hash_is_the_engine_set_hash_layout() -> None:
    # count u32 LE, then key and power u64 LE per validator, in key order (ValidatorSet::hash).
    members = validator_set.normalized([(b"\x02" * 32, 5), (b"\x01" * 32, 1)])
    body = (2).to_bytes(4, "little") + b"\x01" * 32 + (1).to_bytes(8, "little") + b"\x02" * 32 + (5).to_bytes(8, "little")
    assert validator_set.set_hash(members) == _core.hash_tagged("tonomy/validators/v1", body)
    assert validator_set.set_hash(members) != validator_set.set_hash(validator_set.normalized([(b"\x02" * 32, 4), (b"\x01" * 32, 1)]))
