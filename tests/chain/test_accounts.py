"""Account names, types and creation: the rule as written in docs/accounts.md."""

from __future__ import annotations

from typing import Any

import pytest

from tonomy.chain import codec, layout
from tonomy.chain.accounts import (
    Account,
    AccountType,
    create_account,
    find_account,
    get_account,
    is_reserved_account_name,
    newaccount_requirement,
    validate_account_name,
)
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.permissions import get_permission, list_permissions
from tonomy.errors import (
    AccountExistsError,
    InvalidAccountNameError,
    InvalidAccountTypeError,
    InvalidAuthorityError,
    InvalidInputError,
    ReservedAccountNameError,
    UnknownAccountError,
    UnknownPermissionError,
)

from .conftest import World, key

VALID = ["abc", "alice", "a1b", "a.b", "a-b", "a.b-c.d", "x" * 32, "bob99", "z0.z0", "tonomy.gov", "dao-42.treasury"]
INVALID = [
    "ab",  # too short
    "x" * 33,  # too long
    "",
    "1abc",  # starts with a digit
    ".abc",
    "-abc",
    "abc.",  # ends with a separator
    "abc-",
    "a..b",
    "a.-b",
    "a-.b",
    "a--b",
    "Alice",  # uppercase
    "alicE",
    "al ice",
    "al_ice",
    "al/ice",
    "al*ce",
    "al@ce",
    "alïce",  # non-ASCII letter
    "аlice",  # Cyrillic a
    "alice\n",
    "\nalice",
    "alice\x00",
]


@pytest.mark.parametrize("name", VALID)
def test_valid_names(name: str) -> None:
    assert validate_account_name(name) == name


@pytest.mark.parametrize("name", INVALID, ids=repr)
def test_invalid_names_are_refused_with_a_code(name: str) -> None:
    with pytest.raises(InvalidAccountNameError) as info:
        validate_account_name(name)
    assert info.value.code == "account.invalid_name"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("name", [None, 123, b"alice", ["alice"]], ids=repr)
def test_non_string_names_are_refused(name: Any) -> None:
    with pytest.raises(InvalidAccountNameError, match="must be a string"):
        validate_account_name(name)


def test_long_hostile_name_message_stays_short() -> None:
    with pytest.raises(InvalidAccountNameError) as info:
        validate_account_name("a" * 100_000)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(("name", "reserved"), [("tonomy", True), ("tonomy.gov", True), ("tonomy.a.b", True), ("tonomyx", False), ("tonomy-x", False), ("my.tonomy", False)])
def test_reserved_names(name: str, reserved: bool) -> None:
    assert is_reserved_account_name(name) is reserved


def test_create_and_look_up(world: World) -> None:
    owner = Authority.single_key(key("alice/owner"))
    active = Authority(2, keys=[(key("phone"), 1), (key("laptop"), 1)])
    created = create_account(world.state, "alice", "person", creator=None, owner=owner, active=active, created_at=0)
    assert created == Account("alice", AccountType.PERSON, None, 0)
    assert get_account(world.state, "alice") == created
    assert find_account(world.state, "alice") == created
    assert find_account(world.state, "alice2") is None
    assert get_permission(world.state, PermissionLevel("alice", "owner")).authority == owner
    perms = {p.name: (p.parent, p.authority) for p in list_permissions(world.state, "alice")}
    assert perms == {"owner": (None, owner), "active": ("owner", active)}


def test_record_is_canonical_and_under_sys(world: World) -> None:
    world.account("alice")
    world.account("dao.one", kind=AccountType.DAO, creator="alice")
    data = world.state.get(layout.account_key("dao.one"))
    assert data == codec.encode({"name": "dao.one", "type": "dao", "creator": "alice", "created_at": 0})
    assert all(k.startswith(b"sys/") for k, _ in world.state.snapshot())


@pytest.mark.parametrize("kind", list(AccountType) + ["person", "dao", "app"])
def test_every_type_can_be_created(world: World, kind: AccountType | str) -> None:
    name = "tonomy.x" if kind in (AccountType.SYSTEM, "system") else "someone"
    world.account(name, kind=AccountType(kind))
    assert get_account(world.state, name).type == AccountType(kind)


@pytest.mark.parametrize("kind", ["Person", "robot", "", None, 1, AccountType], ids=repr)
def test_unknown_type_is_refused(world: World, kind: Any) -> None:
    with pytest.raises(InvalidAccountTypeError) as info:
        create_account(world.state, "alice", kind, creator=None, owner=Authority.single_key(key("o")), active=Authority.single_key(key("a")))
    assert info.value.code == "account.invalid_type"
    assert len(world.state) == 0


def test_existing_name_is_refused_and_nothing_changes(world: World) -> None:
    world.account("alice")
    before = world.state.snapshot()
    with pytest.raises(AccountExistsError) as info:
        world.account("alice", owner=Authority.single_key(key("thief")))
    assert info.value.code == "account.exists"
    assert "alice" in str(info.value)
    assert world.state.snapshot() == before


def test_creator_must_exist(world: World) -> None:
    with pytest.raises(UnknownAccountError, match="nobody"):
        world.account("alice", creator="nobody")
    assert len(world.state) == 0


def test_reserved_names_are_for_system_accounts_only(world: World) -> None:
    world.account("alice")
    with pytest.raises(ReservedAccountNameError) as info:
        world.account("tonomy.bank", creator="alice")
    assert info.value.code == "account.reserved_name"
    with pytest.raises(ReservedAccountNameError):
        world.account("tonomy", kind=AccountType.PERSON)
    with pytest.raises(ReservedAccountNameError):
        world.account("sysacct", kind=AccountType.SYSTEM)
    with pytest.raises(ReservedAccountNameError, match="only a system account"):
        world.account("tonomy.fake", kind=AccountType.SYSTEM, creator="alice")
    world.account("tonomy", kind=AccountType.SYSTEM)
    world.account("tonomy.gov", kind=AccountType.SYSTEM, creator="tonomy")
    assert get_account(world.state, "tonomy.gov").creator == "tonomy"


def test_initial_authorities_may_delegate_to_existing_accounts_only(world: World) -> None:
    world.account("guard")
    delegated = Authority(1, accounts=[(PermissionLevel("guard", "active"), 1)])
    world.account("alice", active=delegated)
    with pytest.raises(UnknownPermissionError, match="guard"):
        world.account("bob", owner=Authority(1, accounts=[(PermissionLevel("guard", "custom"), 1)]))
    with pytest.raises(UnknownAccountError, match="ghost"):
        world.account("bob", owner=Authority(1, accounts=[(PermissionLevel("ghost", "active"), 1)]))
    with pytest.raises(UnknownAccountError, match="bob"):
        world.account("bob", owner=Authority(1, accounts=[(PermissionLevel("bob", "active"), 1)]))
    assert find_account(world.state, "bob") is None
    assert list_permissions(world.state, "bob") == []


@pytest.mark.parametrize("bad", [None, "key", Authority.single_key], ids=repr)
def test_authorities_must_be_authority_objects(world: World, bad: Any) -> None:
    with pytest.raises(InvalidAuthorityError):
        create_account(world.state, "alice", "person", creator=None, owner=bad, active=Authority.single_key(key("a")))
    assert len(world.state) == 0


@pytest.mark.parametrize("created_at", [-1, 1.0, True, "0", None], ids=repr)
def test_created_at_must_be_a_height(world: World, created_at: Any) -> None:
    with pytest.raises(InvalidInputError):
        create_account(world.state, "alice", "person", creator=None, owner=Authority.single_key(key("o")), active=Authority.single_key(key("a")), created_at=created_at)


def test_unknown_account_lookup_names_it(world: World) -> None:
    with pytest.raises(UnknownAccountError) as info:
        get_account(world.state, "carol")
    assert info.value.code == "auth.unknown_account"
    assert "carol" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_newaccount_needs_the_creators_active() -> None:
    assert newaccount_requirement("alice") == PermissionLevel("alice", "active")
    assert newaccount_requirement(None) is None


@pytest.mark.parametrize(
    "record",
    [
        b"[]",
        b'{"name":"alice"}',
        b'{"created_at":0,"creator":null,"name":"bob","type":"person"}',
        b'{"created_at":0,"creator":null,"name":"alice","type":"robot"}',
        b'{"created_at":"0","creator":null,"name":"alice","type":"person"}',
    ],
)
def test_corrupt_account_records_are_reported_not_trusted(world: World, record: bytes) -> None:
    from tonomy.errors import InternalError

    world.state.put(layout.account_key("alice"), record)
    with pytest.raises(InternalError) as info:
        get_account(world.state, "alice")
    assert info.value.code == "core.internal"


def test_undecodable_account_record_is_internal(world: World) -> None:
    from tonomy.errors import InternalError

    world.state.put(layout.account_key("alice"), b"{not json")
    with pytest.raises(InternalError, match="does not decode"):
        get_account(world.state, "alice")


def test_names_seen_valid_are_still_checked_exactly() -> None:
    from tonomy.chain.names import validate_account_name, validate_link_name, validate_permission_name
    from tonomy.errors import InvalidAccountNameError, InvalidNameError

    for _ in range(2):  # the second round answers valid names from memory
        assert validate_account_name("alice") == "alice"
        assert validate_permission_name("active") == "active"
        assert validate_link_name("plugin", "pay_x") == "pay_x"
        with pytest.raises(InvalidAccountNameError):
            validate_account_name("Alice")
        with pytest.raises(InvalidNameError):
            validate_permission_name("pay_x")  # valid as a link name, not as a permission name
        with pytest.raises(InvalidAccountNameError):
            validate_account_name("a" * 200)
