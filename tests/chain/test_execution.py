"""Execution: receipts, all-or-nothing transactions, handlers' context, the system plugin."""

from __future__ import annotations

from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import codec, execution
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.context import Event
from tonomy.chain.execution import ExecutionEngine, action_seed
from tonomy.chain.permissions import find_link, find_permission
from tonomy.errors import PluginConflictError, TransactionRejectedError
from tonomy.plugin import ActionSpec, PluginInfo, RecordSchema, hookimpl
from tonomy.testing.ledger import LedgerNet, build_manager, public_key


def write(owner: str = "alice", key: str = "k", text: str = "hello", permission: str = "active") -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key, "text": text}, f"{owner}@{permission}")


def note(net: LedgerNet, owner: str, key: str) -> bytes | None:
    return net.chain.get_state("notes", f"{owner}/{key}".encode())[0]


def run(net: LedgerNet, actions: Any, signers: list[str], **options: Any) -> Any:
    """Submit, produce a block, return the receipt."""
    tx_id = net.submit(actions, signers, **options)
    net.produce()
    receipt = net.chain.get_receipt(tx_id)
    assert receipt is not None
    return receipt


def authority_record(*labels: str, threshold: int = 1, accounts: tuple[tuple[str, int], ...] = ()) -> dict[str, Any]:
    keys = [(public_key(label), 1) for label in labels]
    levels = [(PermissionLevel.parse(level), weight) for level, weight in accounts]
    return Authority(threshold, keys, levels, []).to_record()


def system(name: str, data: dict[str, Any], level: str) -> _core.Action:
    return LedgerNet.action("tonomy", name, data, level)


# -- receipts and all-or-nothing --------------------------------------------------------------


def test_an_executed_transaction_has_a_receipt_with_events_and_resources(net: LedgerNet) -> None:
    receipt = run(net, [write(key="a"), write(key="b", text="second")], ["alice"])
    assert receipt.ok and receipt.status == "executed" and receipt.error_code is None
    assert receipt.height == net.chain.height and receipt.index == 0
    assert receipt.events == (
        Event("notes", "written", codec.encode({"owner": "alice", "key": "a"})),
        Event("notes", "written", codec.encode({"owner": "alice", "key": "b"})),
    )
    assert receipt.state_ops == 2 and receipt.bytes_written == len(b"p/notes/alice/a" + b"hello") + len(b"p/notes/alice/b" + b"second")
    assert note(net, "alice", "a") == b"hello" and note(net, "alice", "b") == b"second"
    events = net.chain.get_events(net.chain.height)
    assert [(e["name"], e["tx_index"], e["tx_id"]) for e in events] == [("written", 0, receipt.tx_id)] * 2


def test_a_failing_second_action_undoes_the_first(net: LedgerNet) -> None:
    root_before = net.chain.head.state_root
    fail = LedgerNet.action("notes", "refuse", {"reason": "second action"}, "alice@active")
    receipt = run(net, [write(key="a"), fail], ["alice"])
    assert receipt.status == "failed"
    assert receipt.error_code == "notes.refused" and "second action" in (receipt.error_message or "")
    assert receipt.events == ()
    assert note(net, "alice", "a") is None
    assert net.chain.head.state_root == root_before  # the block changed nothing
    # The failed transaction is still in its block: its id is spent.
    assert net.chain.get_transaction(receipt.tx_id) is not None


def test_one_failing_transaction_does_not_touch_the_others_in_its_block(net: LedgerNet) -> None:
    good = net.submit(write(key="good"), ["alice"])
    bad = net.submit([write(owner="bob", key="bad"), LedgerNet.action("notes", "refuse", {"reason": "x"}, "bob@active")], ["bob"])
    after = net.submit(write(owner="carol", key="after"), ["carol"])
    net.produce()
    statuses = [net.chain.get_receipt(tx).status for tx in (good, bad, after)]  # type: ignore[union-attr]
    assert statuses == ["executed", "failed", "executed"]
    assert [net.chain.get_receipt(tx).index for tx in (good, bad, after)] == [0, 1, 2]  # type: ignore[union-attr]
    assert note(net, "alice", "good") == b"hello" and note(net, "bob", "bad") is None and note(net, "carol", "after") == b"hello"


def test_a_crashing_handler_fails_its_transaction_only(net: LedgerNet) -> None:
    receipt = run(net, [write(), LedgerNet.action("notes", "crash", {}, "alice@active")], ["alice"])
    assert receipt.error_code == "tx.handler_error" and "ZeroDivisionError" in (receipt.error_message or "")
    assert note(net, "alice", "k") is None
    assert run(net, write(key="next"), ["alice"]).ok


def test_a_node_fault_abandons_the_block_instead_of_failing_the_transaction(net: LedgerNet) -> None:
    from tonomy.errors import StorageError

    head, root = net.chain.head, net.chain.store.root()
    tx_id = net.submit([write(), LedgerNet.action("notes", "disk_failure", {}, "alice@active")], ["alice"])
    with pytest.raises(StorageError):
        net.produce()
    assert (net.chain.head, net.chain.store.root(), net.chain.mempool_size) == (head, root, 1)
    assert net.chain.get_receipt(tx_id) is None


def test_a_proposer_leaves_out_a_transaction_that_exhausts_memory(net: LedgerNet) -> None:
    """Memory is node-local (no receipt may record it), but one such transaction must not
    stop every block: the proposer drops it and proposes the rest."""
    bad = net.submit(LedgerNet.action("notes", "exhaust_memory", {}, "alice@active"), ["alice"])
    good = net.submit(write(owner="bob"), ["bob"])
    net.produce()
    assert net.chain.get_receipt(bad) is None
    assert net.chain.get_receipt(good) is not None and note(net, "bob", "k") == b"hello"
    assert net.chain.mempool_size == 0
    assert run(net, write(key="after"), ["alice"]).ok  # the chain goes on


def test_resource_limits_stop_a_transaction(net: LedgerNet) -> None:
    burn = LedgerNet.action("notes", "burn", {"count": 20_000}, "alice@active")
    receipt = run(net, burn, ["alice"])
    assert receipt.error_code == "tx.resource_limit"
    assert net.chain.get_state("notes", b"burn/0")[0] is None
    # maxOps lowers the limit for one transaction.
    small = LedgerNet.action("notes", "burn", {"count": 5}, "alice@active")
    assert run(net, small, ["alice"], max_ops=4).error_code == "tx.resource_limit"
    assert run(net, small, ["alice"], max_ops=5, nonce=1).ok


def test_the_handler_sees_the_block_height_and_time(net: LedgerNet) -> None:
    tx = net.submit(LedgerNet.action("notes", "stamp", {"owner": "alice"}, "alice@active"), ["alice"])
    header = net.produce(net.chain.head.time + 5000)
    assert net.chain.get_receipt(tx).ok  # type: ignore[union-attr]
    assert net.chain.get_state("notes", b"alice/stamp")[0] == f"{header.height}@{header.time}".encode()


def test_a_handler_cannot_act_for_an_account_it_does_not_carry(net: LedgerNet) -> None:
    # notes.write requires the owner's authorization; alice declares only her own.
    action = _core.Action("notes", "write", [_core.PermissionLevel("alice", "active")], codec.encode({"owner": "bob", "key": "k", "text": "x"}))
    receipt = run(net, action, ["alice"])
    assert receipt.error_code == "tx.missing_authorization"


# -- cross-plugin calls ---------------------------------------------------------------------


def test_a_cross_plugin_call_runs_with_the_callers_authorization(net: LedgerNet) -> None:
    receipt = run(net, LedgerNet.action("relay", "forward", {"owner": "alice", "key": "via", "text": "relayed"}, "alice@active"), ["alice"])
    assert receipt.ok, receipt.error_message
    assert note(net, "alice", "via") == b"relayed"
    assert net.chain.get_state("relay", b"forwarded")[0] == b"via"
    assert [event.plugin for event in receipt.events] == ["notes"]


def test_a_failed_call_is_rolled_back_and_the_caller_may_recover(net: LedgerNet) -> None:
    action = LedgerNet.action("relay", "forward_and_recover", {"owner": "alice", "key": "x", "text": "gone"}, "alice@active")
    receipt = run(net, action, ["alice"])
    assert receipt.ok, receipt.error_message
    assert note(net, "alice", "x") is None  # the callee's write was undone
    assert net.chain.get_state("relay", b"recovered")[0] == b"x"
    assert net.chain.get_state("relay", b"seen")[0] == b"none"  # the query saw the rolled-back state
    assert receipt.events == ()  # the callee's event was undone with its writes


# -- seeded randomness ----------------------------------------------------------------------


def test_random_draws_are_seeded_per_action_and_reproducible(make_net: Any) -> None:
    draws = [LedgerNet.action("notes", "draw", {"owner": "alice", "slot": slot}, "alice@active") for slot in (0, 1)]
    values = []
    for name in ("one", "two"):
        net = make_net(name)
        assert run(net, draws, ["alice"]).ok
        values.append([net.chain.get_state("notes", f"alice/draw/{slot}".encode())[0] for slot in (0, 1)])
    assert values[0] == values[1]  # same chain, same transaction, same block: same draws
    assert values[0][0] != values[0][1]  # two actions, two seeds
    assert action_seed(b"\x00" * 32, b"\x01" * 32, 0) != action_seed(b"\x00" * 32, b"\x01" * 32, 1)


# -- the system plugin ------------------------------------------------------------------------


def test_newaccount_creates_an_account_that_can_act(net: LedgerNet) -> None:
    data = {"creator": "alice", "name": "erin", "type": "person", "owner": authority_record("erin"), "active": authority_record("erin")}
    receipt = run(net, system("newaccount", data, "alice@active"), ["alice"])
    assert receipt.ok, receipt.error_message
    record = codec.decode(net.chain.get_state("tonomy", b"acct/erin")[0])  # type: ignore[arg-type]
    assert record == {"name": "erin", "type": "person", "creator": "alice", "created_at": net.chain.height}
    assert run(net, write(owner="erin"), ["erin"]).ok


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [("tonomy.evil", "system", "account.reserved_name"), ("bob", "person", "account.exists"), ("Bad", "person", "account.invalid_name"), ("ok-name", "robot", "account.invalid_type")],
)
def test_newaccount_failures_are_receipts_that_change_nothing(net: LedgerNet, name: str, kind: str, code: str) -> None:
    root = net.chain.head.state_root
    data = {"creator": "alice", "name": name, "type": kind, "owner": authority_record("x"), "active": authority_record("x")}
    receipt = run(net, system("newaccount", data, "alice@active"), ["alice"])
    assert receipt.error_code == code
    assert net.chain.head.state_root == root


def test_newaccount_needs_the_creators_authorization(net: LedgerNet) -> None:
    data = {"creator": "bob", "name": "erin", "type": "person", "owner": authority_record("erin"), "active": authority_record("erin")}
    receipt = run(net, system("newaccount", data, "alice@active"), ["alice"])
    assert receipt.error_code == "tx.missing_authorization"


def test_multisig_active_needs_both_keys(net: LedgerNet) -> None:
    update = {"account": "alice", "permission": "active", "parent": "owner", "authority": authority_record("alice", "alice-2", threshold=2)}
    assert run(net, system("updateauth", update, "alice@owner"), ["alice"]).ok
    with pytest.raises(TransactionRejectedError) as caught:
        net.submit(write(key="m"), ["alice"])
    assert caught.value.code == "tx.unauthorized" and "weight 1 of the 2" in caught.value.message
    assert run(net, write(key="m"), ["alice", "alice-2"]).ok
    assert note(net, "alice", "m") == b"hello"


def test_delegation_lets_another_account_sign(net: LedgerNet) -> None:
    update = {"account": "bob", "permission": "active", "parent": "owner", "authority": authority_record(accounts=(("carol@active", 1),))}
    assert run(net, system("updateauth", update, "bob@owner"), ["bob"]).ok
    assert run(net, write(owner="bob", key="d"), ["carol"]).ok
    with pytest.raises(TransactionRejectedError):
        net.submit(write(owner="bob", key="e"), ["bob"])  # bob's own key no longer satisfies active


def test_custom_permission_linked_to_one_action(net: LedgerNet) -> None:
    create = {"account": "alice", "permission": "notes", "parent": "active", "authority": authority_record("alice-notes")}
    link = {"account": "alice", "plugin": "notes", "action": "write", "permission": "notes"}
    assert run(net, [system("updateauth", create, "alice@active"), system("linkauth", link, "alice@active")], ["alice"]).ok
    assert find_link(_state(net), "alice", "notes", "write") == "notes"
    assert run(net, write(key="l", permission="notes"), ["alice-notes"]).ok
    erase = LedgerNet.action("notes", "erase", {"owner": "alice", "key": "l"}, "alice@notes")
    with pytest.raises(TransactionRejectedError) as caught:
        net.submit(erase, ["alice-notes"])  # erase is not linked: it needs active
    assert "auth.insufficient" in caught.value.message
    # Unlink, then delete the permission.
    unlink = {"account": "alice", "plugin": "notes", "action": "write"}
    delete = {"account": "alice", "permission": "notes"}
    assert run(net, [system("unlinkauth", unlink, "alice@active"), system("deleteauth", delete, "alice@active")], ["alice"]).ok
    assert find_permission(_state(net), PermissionLevel("alice", "notes")) is None


def test_a_permission_cannot_change_its_own_parent(net: LedgerNet) -> None:
    create = {"account": "alice", "permission": "low", "parent": "active", "authority": authority_record("alice-low")}
    assert run(net, system("updateauth", create, "alice@active"), ["alice"]).ok
    # low cannot raise itself: replacing active needs active (or owner).
    raise_active = {"account": "alice", "permission": "active", "parent": "owner", "authority": authority_record("alice-low")}
    receipt = run(net, system("updateauth", raise_active, "alice@low"), ["alice-low"])
    assert receipt.error_code == "auth.insufficient"


def test_authority_is_checked_again_at_execution(net: LedgerNet) -> None:
    """A key change earlier in the block invalidates a transaction admitted before it."""
    rotate = {"account": "alice", "permission": "active", "parent": "owner", "authority": authority_record("alice-new")}
    net.submit(system("updateauth", rotate, "alice@owner"), ["alice"])
    stale = net.submit(write(key="stale"), ["alice"])
    net.produce()
    receipt = net.chain.get_receipt(stale)
    assert receipt is not None and receipt.error_code == "tx.unauthorized"
    assert note(net, "alice", "stale") is None


def test_no_plugin_may_take_the_system_name() -> None:
    class Impostor:
        @hookimpl
        def tonomy_plugin_info(self) -> PluginInfo:
            return PluginInfo("tonomy", "1.0.0", 1, 1)

        @hookimpl
        def tonomy_register_actions(self, register: Any) -> None:
            register(ActionSpec("newaccount", lambda ctx, data: None, RecordSchema()))

    with pytest.raises(PluginConflictError) as caught:
        ExecutionEngine(build_manager([Impostor()]).registry)
    assert "tonomy" in str(caught.value)


def _state(net: LedgerNet) -> Any:
    from tonomy.chain.overlay import WriteOverlay

    return WriteOverlay(net.chain.store)


def test_a_call_cannot_escalate_a_linked_permission(net: LedgerNet) -> None:
    """alice@relay is linked to relay.forward only; relay may not use it for notes.write."""
    create = {"account": "alice", "permission": "relay", "parent": "active", "authority": authority_record("alice-relay")}
    link = {"account": "alice", "plugin": "relay", "action": "forward", "permission": "relay"}
    assert run(net, [system("updateauth", create, "alice@active"), system("linkauth", link, "alice@active")], ["alice"]).ok
    forward = LedgerNet.action("relay", "forward", {"owner": "alice", "key": "esc", "text": "x"}, "alice@relay")
    receipt = run(net, forward, ["alice-relay"])
    assert receipt.error_code == "auth.insufficient" and "alice@active" in (receipt.error_message or "")
    assert note(net, "alice", "esc") is None
    # Linking notes.write to the same permission allows the call.
    link_notes = {"account": "alice", "plugin": "notes", "action": "write", "permission": "relay"}
    assert run(net, system("linkauth", link_notes, "alice@active"), ["alice"]).ok
    assert run(net, forward, ["alice-relay"], nonce=1).ok
    assert note(net, "alice", "esc") == b"x"


# -- declared actions, remembered by transaction id ---------------------------------------------


def _declaring(actor: str, permission: str, *, nonce: int = 1) -> _core.SignedTransaction:
    level = _core.PermissionLevel(actor, permission)
    actions = [_core.Action("pay", "transfer", [level], b""), _core.Action("notes", "write", [level, _core.PermissionLevel("bob", "active")])]
    body = _core.TransactionBody(b"\x01" * 32, 1_900_000_000, 1, b"\x02" * 8, actions, nonce=nonce)
    return _core.SignedTransaction(body, [_core.TransactionSignature(b"\x03" * 32, b"\x04" * 64)])


def _read_from_the_wire(tx: _core.SignedTransaction) -> tuple[Any, ...]:
    return tuple((a.plugin, a.name, tuple((lv.actor, lv.permission) for lv in a.authorization)) for a in tx.body.actions)


def test_declared_actions_are_remembered_by_the_whole_body() -> None:
    execution._DECLARED.clear()
    first = _declaring("alice", "active")
    assert execution.declared_actions(first) == _read_from_the_wire(first)
    assert execution.declared_actions(first) is execution.declared_actions(first)  # remembered
    # Bodies that differ only in one authorization: a memo keyed by anything less than the
    # whole body (the actions' names, the nonce) would answer the first one's levels here.
    other = _declaring("alice", "owner")
    assert execution.declared_actions(other) == _read_from_the_wire(other)
    assert execution.declared_actions(other)[0][2] == (("alice", "owner"),)
    # A decoded copy (another object, the same bytes) gets the same answer.
    copy = _core.decode_signed_transaction(_core.encode_signed_transaction(first))
    assert execution.declared_actions(copy) == _read_from_the_wire(first)


def test_the_declared_actions_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution, "DECLARED_MAX", 3)
    execution._DECLARED.clear()
    for nonce in range(10):
        tx = _declaring("carol", "active", nonce=nonce)
        assert execution.declared_actions(tx) == _read_from_the_wire(tx)
        assert len(execution._DECLARED) <= 3


def test_execution_reads_the_op_limit_and_data_of_the_body_it_runs(net: LedgerNet) -> None:
    # The op limit and each action's data are remembered by transaction id with the
    # declared actions; data too large to keep is read from the body again.
    execution._DECLARED.clear()
    long_text = "y" * (execution._MAX_REMEMBERED_DATA + 10)
    tx_id = net.submit([write(key="a", text="short"), write(key="b", text=long_text)], ["alice"])
    declared, max_ops, datas = execution._DECLARED[tx_id]
    assert declared[0][:2] == ("notes", "write") and max_ops == 0 and datas is None
    small = LedgerNet.action("notes", "burn", {"count": 5}, "alice@active")
    limited = net.submit(small, ["alice"], max_ops=4)
    assert execution._DECLARED[limited][1] == 4 and execution._DECLARED[limited][2] is not None
    net.produce()
    assert (note(net, "alice", "a"), note(net, "alice", "b")) == (b"short", long_text.encode())
    assert net.chain.get_receipt(tx_id).ok and net.chain.get_receipt(limited).error_code == "tx.resource_limit"  # type: ignore[union-attr]
