"""The authority verdict memo: the same verdicts as the uncached checker, never a stale one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy import _core
from tonomy.chain.authcache import VERDICTS, AuthorityVerdicts, DeclaredActions, authorize
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.execution import check_authority
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.overlay import WriteOverlay
from tonomy.chain.permissions import link_auth, update_auth
from tonomy.errors import InvalidInputError, TransactionRejectedError, TransactionUnauthorizedError
from tonomy.testing.ledger import LedgerNet, public_key

from .conftest import World, key
from .test_authority_properties import LEVELS, build, delays, depths, graphs, provided_keys, specs, to_authority

PARENTS = {"owner": None, "active": "owner", "cus": "active"}
MAX_EVALUATIONS = 1024

#: Shared by every example, so entries left by other graphs are looked up (and must be refused).
SHARED = AuthorityVerdicts()


def outcome(call: Callable[[], frozenset[bytes]]) -> tuple[str, Any]:
    try:
        return ("used", call())
    except TransactionUnauthorizedError as exc:
        return (f"{type(exc).__name__}/{exc.code}", exc.message)


def declared_of(roots: list[PermissionLevel], action: str = "transfer") -> DeclaredActions:
    return tuple(("pay", action, ((root.actor, root.permission),)) for root in roots)


@settings(max_examples=250, deadline=None)
@given(
    graphs,
    st.lists(st.sampled_from(LEVELS), min_size=1, max_size=2),
    provided_keys,
    delays,
    depths,
    st.sampled_from(LEVELS),
    specs(),
    st.booleans(),
    st.data(),
)
def test_the_memo_gives_the_uncached_verdict_before_and_after_a_change(
    graph: Any,
    roots: list[PermissionLevel],
    provided: list[bytes],
    delay: int,
    max_depth: int,
    changed: PermissionLevel,
    new_spec: Any,
    link: bool,
    data: st.DataObject,
) -> None:
    world = build(graph)
    if link:
        link_auth(world.state, roots[0].actor, "pay", "transfer", roots[0].permission)
    declared = declared_of(roots)

    def agree() -> None:
        expected = outcome(lambda: authorize(world.state, declared, provided, delay, max_depth, MAX_EVALUATIONS))
        signing_order = data.draw(st.permutations(provided))
        for keys in (provided, signing_order):  # the first may miss; the second must hit
            got = outcome(
                lambda: SHARED.check(
                    world.state, declared, keys, delay, max_depth=max_depth, max_evaluations=MAX_EVALUATIONS
                )
            )
            assert got == expected

    hits = SHARED.hits
    agree()
    assert SHARED.hits > hits  # the repeat on an unchanged state was answered from the memo
    update_auth(world.state, changed.actor, changed.permission, PARENTS[changed.permission], to_authority(new_spec))
    agree()
    if data.draw(st.booleans()):
        link_auth(world.state, changed.actor, "pay", "transfer", changed.permission)
        agree()


def _world() -> World:
    world = World()
    world.account("alice")
    world.account("bob")
    # alice@wait: satisfied by the key "wait" only after 100 s; alice@deleg: by bob@active, one hop down.
    world.set_auth("alice@wait", Authority(2, keys=[(key("wait"), 1)], waits=[(100, 1)]))
    world.set_auth("alice@deleg", Authority(1, accounts=[(PermissionLevel("bob", "active"), 1)]))
    for custom in ("wait", "deleg"):
        link_auth(world.state, "alice", "pay", custom, custom)  # pay.<name> needs alice@<name>
    return world


def _check(
    memo: AuthorityVerdicts, world: World, level: str, keys: list[bytes], *, action: str = "transfer", delay: int = 0, max_depth: int = 6
) -> tuple[str, Any]:
    root = PermissionLevel.parse(level)
    return outcome(
        lambda: memo.check(world.state, declared_of([root], action), keys, delay, max_depth=max_depth, max_evaluations=MAX_EVALUATIONS)
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # only the keys change
        ({"level": "alice@active", "keys": [key("alice/active")]}, {"level": "alice@active", "keys": [key("alice/owner")]}),
        # only the declared level changes: owner cannot stand for active's key
        ({"level": "alice@active", "keys": [key("alice/active")]}, {"level": "alice@owner", "keys": [key("alice/active")]}),
        # only the delay changes
        (
            {"level": "alice@wait", "action": "wait", "keys": [key("wait")], "delay": 100},
            {"level": "alice@wait", "action": "wait", "keys": [key("wait")], "delay": 99},
        ),
        # only the depth limit changes
        (
            {"level": "alice@deleg", "action": "deleg", "keys": [key("bob/active")], "max_depth": 1},
            {"level": "alice@deleg", "action": "deleg", "keys": [key("bob/active")], "max_depth": 0},
        ),
    ],
)
def test_a_change_of_keys_level_delay_or_depth_alone_is_a_miss(first: dict[str, Any], second: dict[str, Any]) -> None:
    world = _world()
    memo = AuthorityVerdicts()
    assert _check(memo, world, **first)[0] == "used"
    hits = memo.hits
    refused = _check(memo, world, **second)
    assert memo.hits == hits
    assert refused[0] == "TransactionUnauthorizedError/tx.unauthorized"
    assert refused == outcome(
        lambda: authorize(
            world.state,
            declared_of([PermissionLevel.parse(second["level"])], second.get("action", "transfer")),
            second["keys"],
            second.get("delay", 0),
            second.get("max_depth", 6),
            MAX_EVALUATIONS,
        )
    )


def test_a_changed_permission_is_a_miss_on_the_same_inputs() -> None:
    world = _world()
    memo = AuthorityVerdicts()
    assert _check(memo, world, "alice@active", [key("alice/active")]) == ("used", frozenset({key("alice/active")}))
    world.set_auth("alice@active", Authority.single_key(key("alice/new")))
    refused = _check(memo, world, "alice@active", [key("alice/active")])
    assert refused[0] == "TransactionUnauthorizedError/tx.unauthorized" and "auth.insufficient" in refused[1]
    # A refusal is remembered too, and given back word for word.
    hits = memo.hits
    assert _check(memo, world, "alice@active", [key("alice/active")]) == refused
    assert memo.hits == hits + 1


def test_a_bool_delay_is_never_taken_for_the_int_it_equals() -> None:
    world = _world()
    memo = AuthorityVerdicts()
    assert _check(memo, world, "alice@wait", [key("wait")], action="wait", delay=1)[0] == "TransactionUnauthorizedError/tx.unauthorized"
    world.set_auth("alice@wait", Authority(2, keys=[(key("wait"), 1)], waits=[(1, 1)]))
    assert _check(memo, world, "alice@wait", [key("wait")], action="wait", delay=1)[0] == "used"
    flagged = _check(memo, world, "alice@wait", [key("wait")], action="wait", delay=True)
    assert flagged[0] == "TransactionUnauthorizedError/tx.unauthorized" and "core.invalid_input" in flagged[1]


def test_a_memo_of_size_zero_remembers_nothing() -> None:
    world = _world()
    memo = AuthorityVerdicts(0)
    for _ in range(2):
        assert _check(memo, world, "alice@active", [key("alice/active")])[0] == "used"
    assert memo.hits == 0 and len(memo) == 0


# -- on a chain: admission, then execution after a change --------------------------------------


def _write(owner: str, key_name: str) -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key_name, "text": "x"}, f"{owner}@active")


def _new_active(account: str, label: str) -> _core.Action:
    record = Authority.single_key(public_key(label)).to_record()
    data = {"account": account, "permission": "active", "parent": "owner", "authority": record}
    return LedgerNet.action("tonomy", "updateauth", data, f"{account}@owner")


def test_an_earlier_transaction_of_the_block_changes_the_permission(net: LedgerNet) -> None:
    change = net.submit(_new_active("alice", "alice-2"), ["alice"])
    stale = net.submit(_write("alice", "a"), ["alice"])  # admitted on the old tree: a remembered success
    net.chain.check_transaction(net.transaction(_write("alice", "b"), ["alice"]))  # and answered from it
    net.produce()
    changed = net.chain.get_receipt(change)
    assert changed is not None and changed.ok
    receipt = net.chain.get_receipt(stale)
    assert receipt is not None and receipt.status == "failed" and receipt.error_code == "tx.unauthorized"
    assert "weight 0 of the 1" in (receipt.error_message or "")
    assert net.chain.get_state("notes", b"alice/a")[0] is None


def test_a_committed_block_changes_the_permission(net: LedgerNet) -> None:
    raw = net.transaction(_write("bob", "c"), ["bob"])
    net.chain.check_transaction(raw)  # remembered as authorized on the committed state
    hits = VERDICTS.hits
    net.chain.check_transaction(raw)
    assert VERDICTS.hits == hits + 1
    net.submit(_new_active("bob", "bob-2"), ["bob"])
    net.produce()
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.check_transaction(raw)
    assert caught.value.code == "tx.unauthorized" and "weight 0 of the 1" in caught.value.message
    # Execution on an overlay of the new head refuses it as well.
    tx = _core.decode_signed_transaction(raw)
    with pytest.raises(TransactionUnauthorizedError):
        check_authority(WriteOverlay(net.chain.store), tx, net.chain.parameters())
    # The new key is authorized, and the old one again once the change is undone.
    net.chain.check_transaction(net.transaction(_write("bob", "d"), ["bob-2"]))
    net.submit(_new_active("bob", "bob"), ["bob"])
    net.produce()
    net.chain.check_transaction(raw)


def test_a_check_that_scans_or_writes_would_not_be_remembered() -> None:
    from tonomy.chain.authcache import _RecordingState
    from tonomy.chain.state import MemoryState

    state = MemoryState()
    state.put(b"a", b"1")
    for touch in (
        lambda view: list(view.items(b"", None)),
        lambda view: view.put(b"b", b"2"),
        lambda view: view.delete(b"b"),
    ):
        recording = _RecordingState(state)
        assert recording.get(b"a") == b"1" and recording.get(b"zz") is None
        assert recording.replayable and recording.reads == {b"a": b"1", b"zz": None}
        touch(recording)
        assert not recording.replayable


# -- a block's overlay: verdicts it confirmed are kept while no system key changes -------------


def _watching_overlay(world: World, tmp_path: Any) -> tuple[_core.Store, WriteOverlay]:
    store = _core.Store(tmp_path / "db", durable=False)
    store.commit(1, world.state.snapshot())
    return store, WriteOverlay(store, remember_reads=True, watch=SYSTEM_PREFIX)


def _check_on(memo: AuthorityVerdicts, view: Any, level: str, keys: list[bytes]) -> tuple[str, Any]:
    declared = declared_of([PermissionLevel.parse(level)])
    return outcome(lambda: memo.check(view, declared, keys, 0, max_depth=6, max_evaluations=MAX_EVALUATIONS))


def test_a_confirmed_verdict_is_read_again_after_any_change_of_a_system_key(tmp_path: Any) -> None:
    world = _world()
    store, view = _watching_overlay(world, tmp_path)
    memo = AuthorityVerdicts()
    alice = [key("alice/active")]
    used = ("used", frozenset(alice))
    assert _check_on(memo, view, "alice@active", alice) == used  # a miss: checked, remembered
    assert _check_on(memo, view, "alice@active", alice) == used  # a hit: re-read once, confirmed
    assert len(view.confirmed) == 1
    # A write to the permission: a confirmation kept across it would still say "used".
    update_auth(view, "alice", "active", "owner", Authority.single_key(key("alice/new")))
    refused = _check_on(memo, view, "alice@active", alice)
    assert refused[0] == "TransactionUnauthorizedError/tx.unauthorized"
    assert refused == outcome(lambda: authorize(view, declared_of([PermissionLevel("alice", "active")]), alice, 0, 6, MAX_EVALUATIONS))
    # Undoing a write changes the values back: a refusal confirmed inside the checkpoint
    # must not outlive the rollback.
    view.checkpoint()
    update_auth(view, "alice", "active", "owner", Authority.single_key(key("alice/other")))
    assert _check_on(memo, view, "alice@active", [key("alice/other")])[0] == "used"
    assert _check_on(memo, view, "alice@active", [key("alice/other")])[0] == "used"  # confirmed at this count
    view.rollback()
    assert _check_on(memo, view, "alice@active", [key("alice/other")])[0] == "TransactionUnauthorizedError/tx.unauthorized"
    assert _check_on(memo, view, "alice@active", [key("alice/new")])[0] == "used"
    # Writes outside the system keys do not count: a confirmed verdict stays confirmed.
    changes = view.native.watched_changes
    view.put(b"p/pay/bal/alice/TONO", b"5")
    assert view.native.watched_changes == changes
    store.close()


def test_only_a_watching_overlay_of_system_keys_keeps_confirmations(tmp_path: Any) -> None:
    world = _world()
    store = _core.Store(tmp_path / "db", durable=False)
    store.commit(1, world.state.snapshot())
    memo = AuthorityVerdicts()
    alice = [key("alice/active")]
    for view in (WriteOverlay(store), WriteOverlay(store, remember_reads=True, watch=b"p/")):
        for _ in range(3):
            assert _check_on(memo, view, "alice@active", alice) == ("used", frozenset(alice))
        assert view.confirmed == {}  # every check re-read its keys
    with pytest.raises(InvalidInputError):
        WriteOverlay(store, watch=SYSTEM_PREFIX)  # watching needs a fixed committed state
    store.close()
