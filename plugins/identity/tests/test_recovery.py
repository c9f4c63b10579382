"""Social recovery on a real chain: delay, approvals, cancel, lock, and no way around them."""

from __future__ import annotations

from typing import Any

import pytest

from tonomy.errors import TransactionUnauthorizedError
from tonomy.testing.ledger import public_key
from tonomy_identity.recovery import enable_recovery_data, request_id

DAY_MS = 86_400_000
GUARDIANS = ["bob", "carol", "dave"]
NEW_OWNER, NEW_ACTIVE = public_key("alice-new-owner"), public_key("alice-new-active")


def enable(net: Any, threshold: int = 2, delay_s: int = 86400) -> None:
    actions = [(plugin, name, data, ["alice@owner"])
               for plugin, name, data in enable_recovery_data("alice", public_key("alice"), GUARDIANS, threshold, delay_s)]
    net.ok(actions, ["alice"])


def start(net: Any, guardian: str = "bob") -> bytes:
    receipt = net.ok([("identity", "request_recovery", {"account": "alice", "guardian": guardian, "new_owner_key": NEW_OWNER,
                                                          "new_active_key": NEW_ACTIVE}, [f"{guardian}@active"])], [guardian])
    pending = net.chain.query("identity", "recovery", {"account": "alice"})["pending"]
    assert pending["id"] == request_id("alice", NEW_OWNER, NEW_ACTIVE, pending["started_ms"])
    assert any(event.name == "recovery_requested" for event in receipt.events)
    return bytes(pending["id"])


def approve(net: Any, rid: bytes, guardian: str) -> Any:
    return net.send([("identity", "approve_recovery", {"account": "alice", "guardian": guardian, "request_id": rid},
                      [f"{guardian}@active"])], [guardian])


def execute(net: Any, sender: str = "erin") -> Any:
    return net.send([("identity", "execute_recovery", {"account": "alice"}, [f"{sender}@active"])], [sender])


def keys_of(net: Any, permission: str) -> list[bytes]:
    for p in net.account("alice")["permissions"]:
        if p["name"] == permission:
            return [entry["key"] for entry in p["authority"]["keys"]]
    raise AssertionError(permission)


def test_recovery_after_delay_with_threshold(net: Any) -> None:
    enable(net)
    rid = start(net)
    assert approve(net, rid, "carol").status == "executed"
    assert execute(net).error_code == "identity.delay_not_over"
    net.advance(DAY_MS)
    receipt = execute(net)
    assert receipt.status == "executed", receipt.error_message
    assert keys_of(net, "owner") == [NEW_OWNER] and keys_of(net, "active") == [NEW_ACTIVE]
    events = [e.name for e in receipt.events]
    assert "recovery_executed" in events  # the hook point for private-data recovery
    from tonomy_identity.recovery import recoveries_since

    hooked = recoveries_since(net.chain, 0)
    assert [(r["account"], r["new_owner_key"], r["height"]) for r in hooked] == [("alice", NEW_OWNER, receipt.height)]
    assert hooked[0]["approvals"] == ["bob", "carol"]
    # The old key is useless now; the new one works.
    with pytest.raises(TransactionUnauthorizedError):
        net.send([("identity", "set_service", {"account": "alice", "id": "s", "type": "T",
                                               "endpoint": "https://a.example"}, ["alice@active"])], ["alice"])
    net.ok([("identity", "set_service", {"account": "alice", "id": "s", "type": "T", "endpoint": "https://a.example"},
             ["alice@active"])], ["alice-new-active"])
    # Recovery stays possible after a recovery (the new owner keeps the plugin authority).
    assert net.chain.query("identity", "recovery", {"account": "alice"})["pending"] is None


def test_below_threshold_never_executes(net: Any) -> None:
    enable(net, threshold=2)
    start(net)
    net.advance(30 * DAY_MS)
    assert execute(net).error_code == "identity.below_threshold"
    assert keys_of(net, "owner") == [public_key("alice")]


def test_owner_cancels_during_delay(net: Any) -> None:
    enable(net)
    rid = start(net)
    approve(net, rid, "carol")
    net.fails("tx.missing_authorization", [("identity", "cancel_recovery", {"account": "alice"}, ["alice@active"])], ["alice"])
    net.ok([("identity", "cancel_recovery", {"account": "alice"}, ["alice@owner"])], ["alice"])
    net.advance(DAY_MS)
    assert execute(net).error_code == "identity.no_recovery"
    # A cancelled request's approvals do not carry over to a new one.
    rid2 = start(net, "dave")
    assert rid2 != rid
    net.advance(DAY_MS)
    assert execute(net).error_code == "identity.below_threshold"
    assert approve(net, rid, "carol").error_code == "identity.stale_request"


def test_one_guardian_locks(net: Any) -> None:
    enable(net)
    rid = start(net)
    approve(net, rid, "carol")
    net.ok([("identity", "lock_recovery", {"account": "alice", "guardian": "dave", "request_id": rid}, ["dave@active"])], ["dave"])
    net.fails("identity.already_locked",
              [("identity", "lock_recovery", {"account": "alice", "guardian": "dave", "request_id": rid}, ["dave@active"])], ["dave"])
    net.advance(DAY_MS)
    assert execute(net).error_code == "identity.locked"
    net.advance(7 * DAY_MS)  # the lock is bounded: one guardian cannot block forever
    assert execute(net).status == "executed"


def test_non_guardians_cannot_take_part(net: Any) -> None:
    enable(net)
    net.fails("identity.not_guardian", [("identity", "request_recovery", {"account": "alice", "guardian": "erin",
              "new_owner_key": NEW_OWNER, "new_active_key": NEW_ACTIVE}, ["erin@active"])], ["erin"])
    rid = start(net)
    assert approve(net, rid, "erin").error_code == "identity.not_guardian"
    # Claiming to be a guardian without its signature is refused.
    net.fails("tx.missing_authorization", [("identity", "approve_recovery", {"account": "alice", "guardian": "carol",
              "request_id": rid}, ["erin@active"])], ["erin"])


def test_guardians_cannot_bypass_the_delay(net: Any) -> None:
    enable(net, threshold=2)
    rid = start(net)
    for guardian in ("carol", "dave"):
        approve(net, rid, guardian)
    new_owner = {"threshold": 1, "keys": [{"key": NEW_OWNER, "weight": 1}], "accounts": [], "waits": []}
    update = ("tonomy", "updateauth", {"account": "alice", "permission": "owner", "parent": None, "authority": new_owner})
    # Guardians hold no part of alice@owner: every direct attempt is refused before the delay.
    for signers in (["bob"], ["bob", "carol", "dave"]):
        with pytest.raises(TransactionUnauthorizedError):
            net.send([(*update, ["alice@owner"])], signers)
    # Nor can a transaction claim the plugin's authority level itself.
    from tonomy.errors import TonomyError

    with pytest.raises(TonomyError):
        net.send([(*update, ["tonomy.code@identity"])], ["bob"])
    assert execute(net).error_code == "identity.delay_not_over"
    assert keys_of(net, "owner") == [public_key("alice")]


def test_changing_guardians_voids_the_request(net: Any) -> None:
    enable(net)
    rid = start(net)
    approve(net, rid, "carol")
    actions = [(p, n, d, ["alice@owner"]) for p, n, d in enable_recovery_data("alice", public_key("alice"), ["erin", "frank"], 1, 86400)]
    net.ok(actions, ["alice"])
    net.advance(DAY_MS)
    assert execute(net).error_code == "identity.no_recovery"


def test_opt_in_needs_the_plugin_authority_and_the_owner(net: Any) -> None:
    config = {"account": "alice", "guardians": GUARDIANS, "threshold": 2, "delay_s": 86400}
    net.fails("identity.no_plugin_authority", [("identity", "set_guardians", config, ["alice@owner"])], ["alice"])
    enable(net)
    net.fails("tx.missing_authorization", [("identity", "set_guardians", config, ["alice@active"])], ["alice"])


@pytest.mark.parametrize("config,code", [
    ({"guardians": ["bob"], "threshold": 2, "delay_s": 86400}, "identity.invalid_guardians"),
    ({"guardians": ["alice", "bob"], "threshold": 1, "delay_s": 86400}, "identity.invalid_guardians"),
    ({"guardians": ["bob", "zelda"], "threshold": 1, "delay_s": 86400}, "identity.unknown_account"),
    ({"guardians": ["bob"], "threshold": 1, "delay_s": 7200}, "identity.invalid_guardians"),  # under the minimum parameter
])
def test_bad_guardian_configurations(net: Any, config: dict[str, Any], code: str) -> None:
    enable(net)
    net.fails(code, [("identity", "set_guardians", {"account": "alice", **config}, ["alice@owner"])], ["alice"])


@pytest.mark.parametrize("config", [
    {"guardians": [], "threshold": 1, "delay_s": 86400},
    {"guardians": ["bob", "bob"], "threshold": 1, "delay_s": 86400},
    {"guardians": ["bob"], "threshold": 0, "delay_s": 86400},
    {"guardians": ["bob"], "threshold": 1, "delay_s": 60},
    {"guardians": ["bob"] * 11, "threshold": 1, "delay_s": 86400},
    {"guardians": "bob", "threshold": 1, "delay_s": 86400},
    {"guardians": ["bob"], "threshold": True, "delay_s": 86400},
])
def test_hostile_guardian_data(net: Any, config: dict[str, Any]) -> None:
    from tonomy.errors import InvalidActionDataError

    with pytest.raises(InvalidActionDataError):
        net.send([("identity", "set_guardians", {"account": "alice", **config}, ["alice@owner"])], ["alice"])


def test_replay_of_a_recovery_reproduces_every_state_root(net: Any, tmp_path: Any) -> None:
    from tonomy.chain.chain import replay

    enable(net)
    rid = start(net)
    approve(net, rid, "carol")
    net.advance(DAY_MS)
    assert execute(net).status == "executed"
    expected = {h: net.chain.get_block(h).header.state_root for h in range(net.chain.height + 1)}
    ledger = net.ledger
    ledger.close()
    assert replay(ledger.data_dir, ledger.genesis, ledger.manager, into=tmp_path / "replayed") == expected
    ledger.reopen()
