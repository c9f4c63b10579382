"""Plugin lifecycle at a height, through real proposals: upgrade with a migration run once,
disable (kill switch), a failed migration, a node lacking the version halts, replay.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tonomy_governance
from counter import Counter, CounterV2, CounterV3
from govnet import ACCOUNTS, FAST, Gov, options
from gtoken import GToken

from tonomy.chain.chain import Chain
from tonomy.errors import GenesisError, PluginDisabledError, PluginVersionMissingError
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis, seed

MIN_DELAY = 3


def _manager(*counters: Any) -> Any:
    return build_manager([tonomy_governance, GToken(), *counters])


def _genesis() -> Any:
    values = {"tonomy": {"governance_plugin": "governance", "plugin_change_min_delay": MIN_DELAY}, "governance": FAST}
    return make_genesis(_manager(Counter()), ACCOUNTS, parameters=values)  # pins counter 0.1.0


@pytest.fixture
def upgradable(tmp_path: Path) -> Iterator[Gov]:
    """A chain pinning counter 0.1.0 on a node that also has 0.2.0 and 0.3.0 loaded."""
    net = LedgerNet.create(tmp_path / "leader", manager=_manager(Counter(), CounterV2(), CounterV3()), genesis=_genesis())
    try:
        gov = Gov(net)
        gov.mint("alice", 100)
        yield gov
    finally:
        net.close()


def schedule(op: str, plugin: str = "counter", version: str = "", **when: int) -> dict[str, Any]:
    return {"plugin": "governance", "name": "schedule_plugin", "data": {"op": op, "plugin": plugin, "version": version, **when}}


def plugins(gov: Gov, name: str | None = "counter") -> Any:
    return gov.net.chain.query("tonomy", "plugins", {} if name is None else {"name": name})


def status(gov: Gov, name: str = "counter") -> dict[str, Any]:
    return next(item for item in plugins(gov)["plugins"] if item["name"] == name)


def counter_value(gov: Gov) -> int:
    return int(gov.net.chain.query("counter", "value", {}))  # type: ignore[call-overload]


def bump(gov: Gov, by: int = 1) -> Any:
    return gov.act("counter", "bump", {"by": by}, "bob")


def enact_change(gov: Gov, change: dict[str, Any]) -> int:
    """Pass and run a proposal scheduling ``change``; returns the height it applies at."""
    gov.enact([change])
    scheduled = plugins(gov)["scheduled"]
    assert len(scheduled) == 1
    return int(scheduled[0]["height"])


def test_the_genesis_pins_are_the_enabled_set(upgradable: Gov) -> None:
    listed = {item["name"]: item for item in plugins(upgradable, None)["plugins"]}
    assert sorted(listed) == ["counter", "governance", "gtoken"]
    assert listed["counter"] == {"name": "counter", "version": "0.1.0", "enabled": True, "since": 0}
    assert upgradable.net.chain.registry.plugin("counter").version == "0.1.0"
    assert upgradable.net.chain.available_plugins.versions("counter") == ("0.1.0", "0.2.0", "0.3.0")


def test_an_upgrade_through_a_proposal_switches_at_its_height_and_migrates_once(upgradable: Gov) -> None:
    gov = upgradable
    bump(gov, 5)
    height = enact_change(gov, schedule("upgrade", version="0.2.0", delay=MIN_DELAY + 1))
    assert gov.height < height - 1
    gov.until(height - 2)
    bump(gov, 1)  # lands at height - 1: still 0.1.0 code and state
    assert gov.height == height - 1 and counter_value(gov) == 6 and status(gov)["version"] == "0.1.0"
    assert gov.net.chain.query("counter", "raw", {}) == {"count": 6}
    receipt = bump(gov, 1)  # the first block at the height: migration first, then 0.2.0 runs the bump
    assert receipt.height == height and receipt.status == "executed"
    raw = gov.net.chain.query("counter", "raw", {})
    assert raw == {"migrations": 1, "total": {"value": 6 + 1 + 2, "bumps": 1, "from": "0.1.0", "at": height}}
    assert status(gov) == {"name": "counter", "version": "0.2.0", "enabled": True, "since": height}
    assert gov.param("counter", "step") == 2  # the new version's parameter got its default
    gov.until(height + 3)
    bump(gov, 1)
    assert gov.net.chain.query("counter", "raw", {})["migrations"] == 1  # once, never again
    found = plugins(gov)
    assert found["scheduled"] == []
    assert found["log"] == [{"op": "upgrade", "name": "counter", "from": "0.1.0", "to": "0.2.0", "height": height, "status": "applied", "error": None}]


def test_disable_is_a_kill_switch_from_its_height(upgradable: Gov) -> None:
    gov = upgradable
    bump(gov, 2)
    height = enact_change(gov, schedule("disable", delay=MIN_DELAY))
    gov.until(height - 2)
    assert bump(gov).status == "executed"  # height - 1: still enabled
    gov.fails("tx.plugin_disabled", "counter", "bump", {"by": 1}, "bob")
    with pytest.raises(PluginDisabledError):
        counter_value(gov)
    assert status(gov) == {"name": "counter", "version": "0.1.0", "enabled": False, "since": height}
    assert "counter" not in gov.net.chain.registry
    # Brought back at a new version, its state migrates from where it was disabled.
    back = enact_change(gov, schedule("activate", version="0.2.0", delay=MIN_DELAY))
    gov.until(back)
    assert counter_value(gov) == 3 and status(gov)["enabled"] is True


def test_a_failed_migration_leaves_the_old_version_running(upgradable: Gov) -> None:
    gov = upgradable
    bump(gov, 4)
    height = enact_change(gov, schedule("upgrade", version="0.3.0", delay=MIN_DELAY))
    gov.until(height)
    assert status(gov)["version"] == "0.1.0" and counter_value(gov) == 4
    assert gov.net.chain.query("counter", "raw", {}) == {"count": 4}  # the half-done write was undone
    (entry,) = plugins(gov)["log"]
    assert entry["status"] == "failed" and entry["error"].startswith("[lifecycle.refused]")


def test_changes_the_rules_refuse(upgradable: Gov) -> None:
    gov = upgradable
    for change, code in (
        (schedule("upgrade", version="0.2.0", delay=MIN_DELAY - 1), "lifecycle.refused"),  # too soon
        (schedule("upgrade", version="0.1.0", delay=MIN_DELAY), "lifecycle.refused"),  # runs already
        (schedule("disable", plugin="governance", delay=MIN_DELAY), "lifecycle.refused"),
        (schedule("activate", version="0.2.0", delay=MIN_DELAY), "lifecycle.refused"),  # enabled already
        (schedule("disable", plugin="tonomy", delay=MIN_DELAY), "lifecycle.refused"),
        (schedule("explode", version="1", delay=MIN_DELAY), "lifecycle.refused"),
        (schedule("cancel"), "governance.invalid_options"),  # neither height nor delay
        (schedule("cancel", delay=MIN_DELAY), "lifecycle.refused"),  # nothing to cancel
        (schedule("upgrade", plugin="Bad Name", version="1", delay=MIN_DELAY), "lifecycle.refused"),
    ):
        pid = gov.propose("alice", options([change]))
        p = gov.proposal(pid)
        gov.until(p["vote_start"] - 1)
        gov.vote(pid, "alice")
        gov.until(p["eta"] - 1)
        gov.fails(code, "governance", "execute", {"id": pid}, "alice")
    assert plugins(gov)["scheduled"] == [] and status(gov)["version"] == "0.1.0"
    # Not without a vote, not even with the system account's keys.
    gov.fails("governance.not_allowed", "governance", "schedule_plugin", schedule("disable", delay=5)["data"], "validator")


def test_a_scheduled_change_can_be_cancelled_before_its_height(upgradable: Gov) -> None:
    gov = upgradable
    height = enact_change(gov, schedule("upgrade", version="0.2.0", delay=40))
    gov.enact([schedule("cancel", delay=1)])
    assert plugins(gov)["scheduled"] == []
    gov.until(height + 1)
    assert status(gov)["version"] == "0.1.0"


def test_a_node_lacking_the_version_halts_and_replay_switches_at_the_same_height(upgradable: Gov, tmp_path: Path) -> None:
    gov = upgradable
    bump(gov, 5)
    height = enact_change(gov, schedule("upgrade", version="0.2.0", delay=MIN_DELAY))
    gov.until(height + 2)
    leader = gov.net.chain
    blocks = [(leader.get_block(h), leader.get_commit(h)) for h in range(1, leader.height + 1)]
    roots = {h: leader.get_block(h).header.state_root for h in range(0, leader.height + 1)}  # type: ignore[union-attr]

    # A follower that only has 0.1.0 applies every block before the height, then halts.
    follower = Chain.open(tmp_path / "follower", gov.net.genesis, _manager(Counter()), durable=False)
    try:
        for block, commit in blocks[: height - 1]:
            follower.apply_block(block, commit)  # type: ignore[arg-type]
        assert follower.height == height - 1
        with pytest.raises(PluginVersionMissingError) as caught:
            follower.apply_block(blocks[height - 1][0], blocks[height - 1][1])  # type: ignore[arg-type]
        message = str(caught.value)
        assert caught.value.code == "chain.plugin_version_missing"
        assert "counter" in message and "0.2.0" in message and f"block {height}" in message and "install" in message
        assert follower.height == height - 1 and follower.halted is caught.value
        with pytest.raises(PluginVersionMissingError):  # halted: it applies nothing more
            follower.apply_block(blocks[height - 1][0], blocks[height - 1][1])  # type: ignore[arg-type]
        assert follower.head.state_root == roots[height - 1]
    finally:
        follower.close()
    # Restarted with the version installed, it goes on and agrees with the leader.
    follower = Chain.open(tmp_path / "follower", gov.net.genesis, _manager(Counter(), CounterV2()), durable=False)
    try:
        for block, commit in blocks[height - 1 :]:
            follower.apply_block(block, commit)  # type: ignore[arg-type]
        assert follower.head.hash == leader.head.hash
    finally:
        follower.close()

    # Replay from genesis switches at the same height and gives the same root at every height.
    gov.net.close()
    assert Chain.replay(gov.net.data_dir, gov.net.genesis, _manager(Counter(), CounterV2())) == roots
    with pytest.raises(GenesisError, match="counter is pinned at version 0.1.0"):  # only the new version: no replay
        Chain.replay(gov.net.data_dir, gov.net.genesis, _manager(CounterV2()))
    gov.net.chain = Chain.open(gov.net.data_dir, gov.net.genesis, gov.net.manager, validator_seed=seed("validator"), durable=False)
