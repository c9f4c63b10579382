"""The permission tree, links, and who may change them."""

from __future__ import annotations

import pytest

from tonomy.chain import layout
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.permissions import (
    SYSTEM_PLUGIN,
    Link,
    child_permissions,
    delete_auth,
    deleteauth_requirement,
    find_link,
    get_permission,
    is_same_or_ancestor,
    link_auth,
    linkauth_requirement,
    list_links,
    list_permissions,
    required_permission,
    unlink_auth,
    unlinkauth_requirement,
    update_auth,
    updateauth_requirement,
)
from tonomy.errors import (
    InvalidLinkError,
    InvalidNameError,
    InvalidPermissionUpdateError,
    PermissionInUseError,
    UnknownAccountError,
    UnknownLinkError,
    UnknownPermissionError,
)

from .conftest import World, key


def one(label: str) -> Authority:
    return Authority.single_key(key(label))


@pytest.fixture
def alice(world: World) -> World:
    world.account("alice")
    world.account("bob")
    return world


def test_custom_permissions_form_a_tree(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "pay", "active", one("pay"))
    update_auth(s, "alice", "pay.small", "pay", one("small"))
    update_auth(s, "alice", "social", "owner", one("social"))
    tree = {p.name: p.parent for p in list_permissions(s, "alice")}
    assert tree == {"owner": None, "active": "owner", "pay": "active", "pay.small": "pay", "social": "owner"}
    assert child_permissions(s, "alice", "active") == ["pay"]
    assert child_permissions(s, "alice", "owner") == ["active", "social"]
    assert is_same_or_ancestor(s, "alice", "owner", "pay.small")
    assert is_same_or_ancestor(s, "alice", "active", "pay.small")
    assert is_same_or_ancestor(s, "alice", "pay.small", "pay.small")
    assert not is_same_or_ancestor(s, "alice", "pay.small", "pay")
    assert not is_same_or_ancestor(s, "alice", "social", "pay")
    assert not is_same_or_ancestor(s, "alice", "pay", "active")


def test_update_replaces_the_authority_and_keeps_the_parent(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "active", "owner", one("new"))
    assert get_permission(s, PermissionLevel("alice", "active")).authority == one("new")
    update_auth(s, "alice", "owner", None, one("new owner"))
    assert get_permission(s, PermissionLevel("alice", "owner")).parent is None


@pytest.mark.parametrize(
    ("permission", "parent", "error", "text"),
    [
        ("owner", "active", InvalidPermissionUpdateError, "cannot have a parent"),
        ("active", None, InvalidPermissionUpdateError, "needs a parent"),
        ("active", "pay", InvalidPermissionUpdateError, "must be owner"),
        ("custom", None, InvalidPermissionUpdateError, "needs a parent"),
        ("custom", "custom", InvalidPermissionUpdateError, "its own parent"),
        ("custom", "nothere", UnknownPermissionError, "does not exist"),
        ("Custom", "active", InvalidNameError, "permission name"),
        ("custom", "bad..parent", InvalidNameError, "permission name"),
        ("x" * 33, "active", InvalidNameError, "permission name"),
    ],
)
def test_tree_rules_are_enforced_and_nothing_changes(
    alice: World, permission: str, parent: str | None, error: type[Exception], text: str
) -> None:
    before = alice.state.snapshot()
    with pytest.raises(error, match=text):
        update_auth(alice.state, "alice", permission, parent, one("x"))
    assert alice.state.snapshot() == before


def test_parent_cannot_change_so_no_cycle_can_form(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "a", "active", one("a"))
    update_auth(s, "alice", "b", "a", one("b"))
    before = s.snapshot()
    with pytest.raises(InvalidPermissionUpdateError, match="cannot be changed"):
        update_auth(s, "alice", "a", "b", one("a"))  # would make a <-> b
    with pytest.raises(InvalidPermissionUpdateError, match="cannot be changed"):
        update_auth(s, "alice", "a", "owner", one("a"))
    assert s.snapshot() == before


def test_unknown_account(world: World) -> None:
    with pytest.raises(UnknownAccountError, match="ghost"):
        update_auth(world.state, "ghost", "active", "owner", one("x"))
    assert len(world.state) == 0


def test_delegation_targets_must_exist_when_set(alice: World) -> None:
    with pytest.raises(UnknownPermissionError, match="bob"):
        update_auth(alice.state, "alice", "active", "owner", Authority(1, accounts=[(PermissionLevel("bob", "nope"), 1)]))
    with pytest.raises(UnknownAccountError, match="carol"):
        update_auth(alice.state, "alice", "active", "owner", Authority(1, accounts=[(PermissionLevel("carol", "active"), 1)]))
    update_auth(alice.state, "alice", "active", "owner", Authority(1, accounts=[(PermissionLevel("alice", "owner"), 1)]))


def test_permission_count_is_capped(alice: World) -> None:
    s = alice.state
    for i in range(3):
        update_auth(s, "alice", f"p{i}", "active", one("p"), max_permissions=5)
    with pytest.raises(InvalidPermissionUpdateError, match="5 permissions"):
        update_auth(s, "alice", "p3", "active", one("p"), max_permissions=5)
    update_auth(s, "alice", "p2", "active", one("changed"), max_permissions=5)  # updates still allowed


def test_owner_and_active_cannot_be_deleted(alice: World) -> None:
    for name in ("owner", "active"):
        with pytest.raises(InvalidPermissionUpdateError, match="cannot be deleted"):
            delete_auth(alice.state, "alice", name)


def test_delete_refuses_children_and_links_then_succeeds(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "pay", "active", one("pay"))
    update_auth(s, "alice", "pay.small", "pay", one("small"))
    link_auth(s, "alice", "pay", "transfer", "pay")
    before = s.snapshot()
    with pytest.raises(PermissionInUseError, match="pay.small") as info:
        delete_auth(s, "alice", "pay")
    assert info.value.code == "auth.permission_in_use"
    delete_auth(s, "alice", "pay.small")
    with pytest.raises(PermissionInUseError, match="pay.transfer"):
        delete_auth(s, "alice", "pay")
    unlink_auth(s, "alice", "pay", "transfer")
    delete_auth(s, "alice", "pay")
    assert [p.name for p in list_permissions(s, "alice")] == ["active", "owner"]
    assert s.snapshot() != before
    assert not any(k.startswith(b"sys/link") for k, _ in s.snapshot())


def test_delete_unknown_permission(alice: World) -> None:
    with pytest.raises(UnknownPermissionError, match="alice"):
        delete_auth(alice.state, "alice", "nothere")


def test_links_and_their_fallback_order(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "pay", "active", one("pay"))
    update_auth(s, "alice", "big", "owner", one("big"))
    assert required_permission(s, "alice", "pay", "transfer") == "active"
    link_auth(s, "alice", "pay", None, "pay")
    assert required_permission(s, "alice", "pay", "transfer") == "pay"
    link_auth(s, "alice", "pay", "withdraw_all", "big")
    assert required_permission(s, "alice", "pay", "withdraw_all") == "big"
    assert required_permission(s, "alice", "pay", "transfer") == "pay"
    assert required_permission(s, "alice", "dao", "vote") == "active"
    assert required_permission(s, "bob", "pay", "transfer") == "active"  # links are per account
    assert list_links(s, "alice") == [Link("alice", "pay", None, "pay"), Link("alice", "pay", "withdraw_all", "big")]
    unlink_auth(s, "alice", "pay", None)
    assert required_permission(s, "alice", "pay", "transfer") == "active"
    assert find_link(s, "alice", "pay", None) is None


def test_relinking_moves_the_reverse_index(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "a", "active", one("a"))
    update_auth(s, "alice", "b", "active", one("b"))
    link_auth(s, "alice", "pay", "transfer", "a")
    link_auth(s, "alice", "pay", "transfer", "a")  # same link again: no change
    link_auth(s, "alice", "pay", "transfer", "b")
    delete_auth(s, "alice", "a")  # no longer linked
    with pytest.raises(PermissionInUseError):
        delete_auth(s, "alice", "b")
    assert s.get(layout.linked_by_key("alice", "a", "pay", "transfer")) is None


def test_link_errors_change_nothing(alice: World) -> None:
    s = alice.state
    before = s.snapshot()
    with pytest.raises(UnknownPermissionError):
        link_auth(s, "alice", "pay", "transfer", "nothere")
    with pytest.raises(UnknownAccountError):
        link_auth(s, "ghost", "pay", "transfer", "active")
    for action in sorted({"updateauth", "deleteauth", "linkauth", "unlinkauth"}):
        with pytest.raises(InvalidLinkError, match="cannot be linked") as info:
            link_auth(s, "alice", SYSTEM_PLUGIN, action, "owner")
        assert info.value.code == "auth.invalid_link"
    for plugin, action in [("Pay", "x"), ("pay", "a/b"), ("pay", "*"), ("", "x"), ("pay", ""), ("p" * 65, "x"), ("pay", "a__b")]:
        with pytest.raises(InvalidNameError):
            link_auth(s, "alice", plugin, action, "active")
    with pytest.raises(UnknownLinkError, match="pay.transfer") as unknown:
        unlink_auth(s, "alice", "pay", "transfer")
    assert unknown.value.code == "auth.unknown_link"
    with pytest.raises(UnknownAccountError):
        unlink_auth(s, "ghost", "pay", "transfer")
    assert s.snapshot() == before


def test_system_plugin_other_actions_can_be_linked(alice: World) -> None:
    link_auth(alice.state, "alice", SYSTEM_PLUGIN, "newaccount", "owner")
    assert required_permission(alice.state, "alice", SYSTEM_PLUGIN, "newaccount") == "owner"


def test_requirements_of_the_auth_operations(alice: World) -> None:
    s = alice.state
    update_auth(s, "alice", "pay", "active", one("pay"))
    lvl = PermissionLevel
    assert updateauth_requirement(s, "alice", "owner", None) == lvl("alice", "owner")
    assert updateauth_requirement(s, "alice", "active", "owner") == lvl("alice", "active")
    assert updateauth_requirement(s, "alice", "pay", "active") == lvl("alice", "pay")
    assert updateauth_requirement(s, "alice", "newone", "pay") == lvl("alice", "pay")
    assert deleteauth_requirement(s, "alice", "pay") == lvl("alice", "pay")
    assert linkauth_requirement(s, "alice", "pay", "transfer") == lvl("alice", "active")
    link_auth(s, "alice", "pay", None, "pay")
    assert linkauth_requirement(s, "alice", "pay", "transfer") == lvl("alice", "pay")
    assert linkauth_requirement(s, "alice", "pay", None) == lvl("alice", "pay")
    assert linkauth_requirement(s, "alice", "dao", None) == lvl("alice", "active")
    assert unlinkauth_requirement(s, "alice", "pay", None) == lvl("alice", "pay")
    with pytest.raises(UnknownLinkError):
        unlinkauth_requirement(s, "alice", "pay", "transfer")
    with pytest.raises(UnknownPermissionError):
        deleteauth_requirement(s, "alice", "nothere")
    with pytest.raises(UnknownAccountError):
        updateauth_requirement(s, "ghost", "active", "owner")
    with pytest.raises(UnknownAccountError):
        linkauth_requirement(s, "ghost", "pay", None)
    with pytest.raises(InvalidPermissionUpdateError):
        updateauth_requirement(s, "alice", "owner", "active")


def test_records_live_under_sys_and_are_per_account(alice: World) -> None:
    update_auth(alice.state, "alice", "pay", "active", one("pay"))
    link_auth(alice.state, "alice", "pay", "transfer", "pay")
    keys = [k for k, _ in alice.state.snapshot()]
    assert all(k.startswith(b"sys/") for k in keys)
    assert layout.permission_key("alice", "pay") in keys
    assert [p.name for p in list_permissions(alice.state, "bob")] == ["active", "owner"]


@pytest.mark.parametrize(
    "record",
    [
        b"{garbage",
        b"[]",
        b'{"parent":null}',
        b'{"authority":{},"parent":null}',
        b'{"authority":{"accounts":[],"keys":[],"threshold":1,"waits":[]},"parent":null}',
        b'{"authority":{"accounts":[],"keys":[{"key":{"$bytes":"00"},"weight":1}],"threshold":1,"waits":[]},"parent":null}',
        b'{"authority":{"accounts":[],"keys":[],"threshold":1,"waits":[]},"parent":5}',
    ],
)
def test_corrupt_permission_records_are_reported_not_trusted(alice: World, record: bytes) -> None:
    from tonomy.errors import InternalError

    alice.state.put(layout.permission_key("alice", "active"), record)
    with pytest.raises(InternalError) as info:
        get_permission(alice.state, PermissionLevel("alice", "active"))
    assert info.value.code == "core.internal"
    with pytest.raises(InternalError):
        alice.check("alice@active", [key("alice/active")])


def test_corrupt_link_record_is_internal(alice: World) -> None:
    from tonomy.errors import InternalError

    alice.state.put(layout.link_key("alice", "pay", "transfer"), b'{"permission":7}')
    with pytest.raises(InternalError):
        required_permission(alice.state, "alice", "pay", "transfer")


def test_a_changed_permission_is_read_as_changed(world: Any) -> None:
    """Decoded permissions are remembered by their stored bytes, so an update is seen at once."""
    from tonomy.chain.authority import Authority, PermissionLevel
    from tonomy.chain.permissions import find_permission

    world.account("memo")
    level = PermissionLevel("memo", "active")
    before = find_permission(world.state, level)
    assert before is not None and find_permission(world.state, level) == before
    world.set_auth("memo@active", Authority.single_key(world.key("memo/new")))
    after = find_permission(world.state, level)
    assert after is not None and after != before
    assert [entry.key for entry in after.authority.keys] == [world.key("memo/new")]
