"""Authorities and the checker: multisig, weights, delegation, guardians, cycles, depth, waits, links."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tonomy.chain import codec
from tonomy.chain.authority import MAX_AUTHORITY_ENTRIES, MAX_THRESHOLD, MAX_WEIGHT, Authority, PermissionLevel
from tonomy.chain.checker import (
    DEFAULT_MAX_DEPTH,
    ActionAuthorization,
    AuthorityChecker,
    check_transaction_authorizations,
)
from tonomy.chain.permissions import (
    SYSTEM_PLUGIN,
    check_permission_requirement,
    deleteauth_requirement,
    link_auth,
    update_auth,
    updateauth_requirement,
)
from tonomy.errors import (
    AuthorityTooComplexError,
    InsufficientAuthorityError,
    InvalidAccountNameError,
    InvalidAuthorityError,
    InvalidAuthorizationError,
    InvalidInputError,
    InvalidNameError,
    IrrelevantSignatureError,
    UnknownAccountError,
    UnknownPermissionError,
)

from .conftest import World, key

K1, K2, K3, K4 = (key(f"k{i}") for i in range(1, 5))
DAY = 86_400


def lvl(text: str) -> PermissionLevel:
    return PermissionLevel.parse(text)


# -- Authority validation ---------------------------------------------------------------------


def test_canonical_order_whatever_the_input_order() -> None:
    a = Authority(3, keys=[(K2, 1), (K1, 1)], accounts=[(lvl("bob@active"), 1), (lvl("amy@owner"), 1)], waits=[(60, 1), (10, 1)])
    b = Authority(3, keys=[(K1, 1), (K2, 1)], accounts=[(lvl("amy@owner"), 1), (lvl("bob@active"), 1)], waits=[(10, 1), (60, 1)])
    assert a == b and hash(a) == hash(b)
    assert codec.encode(a.to_record()) == codec.encode(b.to_record())
    assert [k.key for k in a.keys] == sorted([K1, K2])
    assert [str(e.level) for e in a.accounts] == ["amy@owner", "bob@active"]
    assert [w.seconds for w in a.waits] == [10, 60]


def test_record_round_trip_and_strictness() -> None:
    a = Authority(3, keys=[(K1, 2), (K2, 1)], accounts=[(lvl("bob@active"), 1)], waits=[(DAY, 1)])
    record = codec.decode(codec.encode(a.to_record()))
    assert Authority.from_record(record) == a
    unsorted = dict(record, keys=list(reversed(record["keys"])))
    with pytest.raises(InvalidAuthorityError, match="canonical"):
        Authority.from_record(unsorted)
    for broken in (
        dict(record, extra=1),
        {k: v for k, v in record.items() if k != "waits"},
        dict(record, keys=[{"key": K1, "weight": 1, "x": 0}]),
        dict(record, accounts=[{"actor": "Bob", "permission": "active", "weight": 1}]),
        dict(record, keys="not a list"),
        dict(record, keys=[{"key": K1, "weight": 1}] * (MAX_AUTHORITY_ENTRIES + 1)),
        [record],
        None,
    ):
        with pytest.raises(InvalidAuthorityError):
            Authority.from_record(broken)


@pytest.mark.parametrize("threshold", [0, -1, MAX_THRESHOLD + 1, 2**64, True, 1.0, "1", None], ids=repr)
def test_bad_thresholds(threshold: Any) -> None:
    with pytest.raises(InvalidAuthorityError) as info:
        Authority(threshold, keys=[(K1, MAX_WEIGHT)])
    assert info.value.code == "auth.invalid_authority"


def test_unreachable_threshold() -> None:
    with pytest.raises(InvalidAuthorityError, match="never be reached"):
        Authority(4, keys=[(K1, 1), (K2, 1)], accounts=[(lvl("bob@active"), 1)])
    with pytest.raises(InvalidAuthorityError, match="never be reached"):
        Authority(1)
    Authority(3, keys=[(K1, 1), (K2, 1)], accounts=[(lvl("bob@active"), 1)])


def test_waits_never_authorize_alone() -> None:
    with pytest.raises(InvalidAuthorityError, match="never authorize on its own"):
        Authority(1, waits=[(60, 1)])
    with pytest.raises(InvalidAuthorityError, match="never authorize on its own"):
        Authority(2, keys=[(K1, 1)], waits=[(60, 1), (120, 1)])
    Authority(2, keys=[(K1, 1)], waits=[(60, 1)])


@pytest.mark.parametrize(
    "keys",
    [
        [(b"", 1)],
        [(b"\x01" * 31, 1)],
        [(b"\x01" * 33, 1)],
        [(b"\x01" * 64, 1)],
        [("01" * 32, 1)],
        [(1, 1)],
        [(None, 1)],
        [(memoryview(b"\x01" * 32), 1)],
    ],
    ids=repr,
)
def test_wrong_key_sizes_and_types(keys: Any) -> None:
    with pytest.raises(InvalidAuthorityError, match="32 bytes"):
        Authority(1, keys=keys)


def test_bytearray_keys_are_stored_as_bytes() -> None:
    a = Authority(1, keys=[(bytearray(K1), 1)])  # type: ignore[list-item]
    assert type(a.keys[0].key) is bytes


@pytest.mark.parametrize("weight", [0, -1, MAX_WEIGHT + 1, 2**32, 2**64, 2**200, True, 1.5, "1", None], ids=repr)
def test_bad_weights_for_every_kind(weight: Any) -> None:
    for kwargs in ({"keys": [(K1, weight)]}, {"keys": [(K1, 1)], "accounts": [(lvl("bob@active"), weight)]}, {"keys": [(K1, 5)], "waits": [(60, weight)]}):
        with pytest.raises(InvalidAuthorityError, match="weight"):
            Authority(1, **kwargs)


def test_weights_cannot_overflow_a_tally() -> None:
    entries = [(key(f"w{i}"), MAX_WEIGHT) for i in range(MAX_AUTHORITY_ENTRIES)]
    a = Authority(MAX_WEIGHT * MAX_AUTHORITY_ENTRIES, keys=entries)
    assert a.threshold < 2**32


def test_duplicates_are_refused() -> None:
    with pytest.raises(InvalidAuthorityError, match="listed twice"):
        Authority(1, keys=[(K1, 1), (K1, 2)])
    with pytest.raises(InvalidAuthorityError, match="bob@active is listed twice"):
        Authority(1, accounts=[(lvl("bob@active"), 1), (lvl("bob@active"), 1)])
    with pytest.raises(InvalidAuthorityError, match="listed twice"):
        Authority(3, keys=[(K1, 2)], waits=[(60, 1), (60, 1)])


@pytest.mark.parametrize("seconds", [0, -5, 2**32, True, 1.0, "60"], ids=repr)
def test_bad_waits(seconds: Any) -> None:
    with pytest.raises(InvalidAuthorityError, match="wait"):
        Authority(2, keys=[(K1, 1)], waits=[(seconds, 1)])


def test_huge_lists_are_refused_without_reading_them_all() -> None:
    with pytest.raises(InvalidAuthorityError, match="at most 64"):
        Authority(1, keys=[(key(f"h{i}"), 1) for i in range(MAX_AUTHORITY_ENTRIES + 1)])
    with pytest.raises(InvalidAuthorityError, match="at most 64"):
        Authority(1, keys=[(key(f"h{i}"), 1) for i in range(40)], accounts=[(lvl(f"acc{i}@active"), 1) for i in range(30)])
    endless = ((key("x"), 1) for _ in itertools.count())
    with pytest.raises(InvalidAuthorityError, match="at most 64"):
        Authority(1, keys=endless)
    Authority(1, keys=[(key(f"h{i}"), 1) for i in range(MAX_AUTHORITY_ENTRIES)])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keys": K1},
        {"keys": "abc"},
        {"keys": 5},
        {"keys": [K1]},
        {"keys": [(K1, 1, 1)]},
        {"accounts": [("bob@active", 1)]},
        {"accounts": [(("bob", "active"), 1)]},
    ],
    ids=repr,
)
def test_malformed_entries(kwargs: Any) -> None:
    with pytest.raises(InvalidAuthorityError):
        Authority(1, **kwargs)


@pytest.mark.parametrize("text", ["bob", "bob@", "@active", "Bob@active", "bob@Active", "bob@act/ive", "bob@active@x"])
def test_permission_level_names(text: str) -> None:
    with pytest.raises((InvalidNameError, InvalidAccountNameError)):
        PermissionLevel.parse(text)


# -- the checker -------------------------------------------------------------------------------


def multisig(threshold: int, *weighted: tuple[bytes, int]) -> Authority:
    return Authority(threshold, keys=list(weighted))


def test_single_key(world: World) -> None:
    world.account("alice")
    assert world.check("alice@active", [key("alice/active")]) == {key("alice/active")}
    with pytest.raises(InsufficientAuthorityError) as info:
        world.check("alice@active", [key("bob/active")])
    assert info.value.code == "auth.insufficient"
    assert "alice@active" in str(info.value) and "weight 0 of the 1" in str(info.value)
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [])


def test_multisig_two_of_three(world: World) -> None:
    world.account("vault", active=multisig(2, (K1, 1), (K2, 1), (K3, 1)))
    for pair in itertools.combinations([K1, K2, K3], 2):
        assert world.check("vault@active", pair) == set(pair)
    for single in (K1, K2, K3):
        with pytest.raises(InsufficientAuthorityError, match="weight 1 of the 2"):
            world.check("vault@active", [single])
    assert world.check("vault@active", [K1, K2, K3]) == {K1, K2, K3}  # over-signing with keys is fine


def test_weighted_keys(world: World) -> None:
    world.account("corp", active=multisig(3, (K1, 2), (K2, 1), (K3, 1)))
    assert world.check("corp@active", [K1, K2])
    assert world.check("corp@active", [K1, K3])
    for short in ([K1], [K2, K3]):
        with pytest.raises(InsufficientAuthorityError):
            world.check("corp@active", short)


def test_delegation_chain(world: World) -> None:
    world.account("carol")
    world.account("bob", active=Authority(1, accounts=[(lvl("carol@owner"), 1)]))
    world.account("alice", active=Authority(1, accounts=[(lvl("bob@active"), 1)]))
    assert world.check("alice@active", [key("carol/owner")]) == {key("carol/owner")}
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [key("carol/active")])  # delegation names carol@owner exactly
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [key("bob/owner")])  # bob@active delegates, it has no keys


def test_delegation_mixed_with_keys(world: World) -> None:
    world.account("bob")
    world.account("alice", active=Authority(2, keys=[(K1, 1)], accounts=[(lvl("bob@active"), 1)]))
    assert world.check("alice@active", [K1, key("bob/active")]) == {K1, key("bob/active")}
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [K1])


def guardian_world(world: World) -> World:
    """Owner: the user's key alone, or 2 of 3 guardians after a 7-day wait."""
    for g in ("gina", "gus", "gwen"):
        world.account(g)
    owner = Authority(
        4,
        keys=[(key("user"), 4)],
        accounts=[(lvl("gina@active"), 1), (lvl("gus@active"), 1), (lvl("gwen@active"), 1)],
        waits=[(7 * DAY, 2)],
    )
    world.account("user", owner=owner)
    return world


def test_guardians_recover_after_the_wait(world: World) -> None:
    guardian_world(world)
    guardians = [key("gina/active"), key("gwen/active")]
    assert world.check("user@owner", guardians, delay=7 * DAY) == set(guardians)
    assert world.check("user@owner", guardians, delay=30 * DAY) == set(guardians)
    with pytest.raises(InsufficientAuthorityError, match="delay of 604799"):
        world.check("user@owner", guardians, delay=7 * DAY - 1)
    with pytest.raises(InsufficientAuthorityError):
        world.check("user@owner", [key("gina/active"), key("gus/active"), key("gwen/active")])  # no wait, no recovery
    with pytest.raises(InsufficientAuthorityError):
        world.check("user@owner", [key("gus/active")], delay=365 * DAY)


def test_guardians_are_not_read_when_the_user_key_signs(world: World) -> None:
    guardian_world(world)
    checker = AuthorityChecker(world.state, [key("user")])
    assert checker.evaluate(lvl("user@owner")).satisfied
    assert checker.evaluations == 1
    # ...so a guardian's extra signature is irrelevant (documented in docs/accounts.md).
    with pytest.raises(IrrelevantSignatureError):
        world.check("user@owner", [key("user"), key("gina/active")])


def test_guardians_cannot_act_for_active(world: World) -> None:
    guardian_world(world)
    with pytest.raises(InsufficientAuthorityError):
        world.check("user@active", [key("gina/active"), key("gwen/active")], delay=30 * DAY)


def test_cycle_does_not_satisfy_and_terminates(world: World) -> None:
    world.account("amy")
    world.account("ben")
    update_auth(world.state, "amy", "active", "owner", Authority(1, accounts=[(lvl("ben@active"), 1)]))
    update_auth(world.state, "ben", "active", "owner", Authority(1, accounts=[(lvl("amy@active"), 1)]))
    checker = AuthorityChecker(world.state, [])
    assert not checker.evaluate(lvl("amy@active")).satisfied
    assert checker.evaluations <= DEFAULT_MAX_DEPTH + 1
    with pytest.raises(InsufficientAuthorityError):
        world.check("amy@active", [key("amy/active")])


def test_cycle_with_an_exit_is_satisfied_through_the_exit(world: World) -> None:
    world.account("amy")
    world.account("ben")
    update_auth(world.state, "amy", "active", "owner", Authority(1, accounts=[(lvl("ben@active"), 1)]))
    update_auth(world.state, "ben", "active", "owner", Authority(1, keys=[(K1, 1)], accounts=[(lvl("amy@active"), 1)]))
    assert world.check("amy@active", [K1]) == {K1}
    assert world.check("ben@active", [K1]) == {K1}


def test_self_reference_is_harmless(world: World) -> None:
    world.account("amy")
    update_auth(world.state, "amy", "active", "owner", Authority(2, keys=[(K1, 1)], accounts=[(lvl("amy@active"), 1)]))
    with pytest.raises(InsufficientAuthorityError):
        world.check("amy@active", [K1])


def chain_of(world: World, length: int) -> str:
    """p0@active -> p1@active -> ... -> p<length>@active, which holds key K1."""
    world.account(f"p{length:02d}", active=Authority.single_key(K1))
    for i in range(length - 1, -1, -1):
        world.account(f"p{i:02d}", active=Authority(1, accounts=[(lvl(f"p{i + 1:02d}@active"), 1)]))
    return "p00@active"


@pytest.mark.parametrize("max_depth", [0, 1, 2, DEFAULT_MAX_DEPTH, 10])
def test_depth_limit_exactly_at_and_beyond(make_world: type[World], max_depth: int) -> None:
    at = make_world()
    assert at.check(chain_of(at, max_depth), [K1], max_depth=max_depth) == {K1}
    beyond = make_world()
    with pytest.raises(InsufficientAuthorityError):
        beyond.check(chain_of(beyond, max_depth + 1), [K1], max_depth=max_depth)


def test_default_depth_is_six(make_world: type[World]) -> None:
    at = make_world()
    assert at.check(chain_of(at, 6), [K1])
    beyond = make_world()
    with pytest.raises(InsufficientAuthorityError):
        beyond.check(chain_of(beyond, 7), [K1])


@pytest.mark.parametrize("bad", [-1, MAX_WEIGHT, True, 1.0], ids=repr)
def test_max_depth_must_be_sane(world: World, bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        AuthorityChecker(world.state, [], max_depth=bad)


def test_waits_count_when_the_delay_is_long_enough(world: World) -> None:
    world.account("slow", active=Authority(3, keys=[(K1, 2)], waits=[(60, 1), (3600, 1)]))
    with pytest.raises(InsufficientAuthorityError):
        world.check("slow@active", [K1], delay=59)
    assert world.check("slow@active", [K1], delay=60)
    assert world.check("slow@active", [K1], delay=10**9)


def test_ancestor_satisfies_linked_child_and_not_the_reverse(world: World) -> None:
    world.account("alice")
    s = world.state
    update_auth(s, "alice", "pay", "active", Authority.single_key(key("pay")))
    update_auth(s, "alice", "pay.small", "pay", Authority.single_key(key("small")))
    update_auth(s, "alice", "social", "active", Authority.single_key(key("social")))
    link_auth(s, "alice", "pay", "transfer", "pay")
    assert world.check("alice@pay", [key("pay")])
    assert world.check("alice@active", [key("alice/active")])  # parent
    assert world.check("alice@owner", [key("alice/owner")])  # grandparent
    for below_or_beside, k in (("pay.small", "small"), ("social", "social")):
        with pytest.raises(InsufficientAuthorityError, match="needs alice@pay"):
            world.check(f"alice@{below_or_beside}", [key(k)])
    with pytest.raises(InsufficientAuthorityError, match="needs alice@active"):
        world.check("alice@pay", [key("pay")], action="refund")  # not linked: active required
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [key("pay")])  # the right permission, the wrong key


def test_plugin_wide_link_and_override(world: World) -> None:
    world.account("alice")
    s = world.state
    update_auth(s, "alice", "pay", "active", Authority.single_key(key("pay")))
    link_auth(s, "alice", "pay", None, "pay")
    link_auth(s, "alice", "pay", "close", "owner")
    assert world.check("alice@pay", [key("pay")], action="transfer")
    with pytest.raises(InsufficientAuthorityError, match="needs alice@owner"):
        world.check("alice@active", [key("alice/active")], action="close")
    assert world.check("alice@owner", [key("alice/owner")], action="close")


def test_irrelevant_signatures(world: World) -> None:
    world.account("alice")
    world.account("bob")
    with pytest.raises(IrrelevantSignatureError) as info:
        world.check("alice@active", [key("alice/active"), key("bob/active")])
    assert info.value.code == "auth.irrelevant_signature"
    assert key("bob/active").hex()[:16] in str(info.value)
    # A key of a declared permission that was not needed is irrelevant too.
    with pytest.raises(IrrelevantSignatureError):
        world.check("alice@active", [key("alice/active"), key("alice/owner")])
    # Across actions, a key used by any of them is relevant.
    acts = [
        ActionAuthorization("pay", "transfer", (lvl("alice@active"),)),
        ActionAuthorization("pay", "transfer", (lvl("bob@active"),)),
    ]
    used = check_transaction_authorizations(world.state, acts, [key("bob/active"), key("alice/active")])
    assert used == {key("alice/active"), key("bob/active")}


def test_account_multisig_stops_at_the_threshold(world: World) -> None:
    for name in ("ann", "bea", "cat"):
        world.account(name)
    accounts = [(lvl(f"{n}@active"), 1) for n in ("ann", "bea", "cat")]
    world.account("council", active=Authority(2, accounts=accounts))
    assert world.check("council@active", [key("bea/active"), key("cat/active")])
    assert world.check("council@active", [key("ann/active"), key("cat/active")])
    with pytest.raises(InsufficientAuthorityError):
        world.check("council@active", [key("cat/active")])
    # ann and bea reach the threshold in canonical order, so cat is never visited.
    with pytest.raises(IrrelevantSignatureError):
        world.check("council@active", [key("ann/active"), key("bea/active"), key("cat/active")])


def test_several_authorizations_on_one_action(world: World) -> None:
    world.account("alice")
    world.account("bob")
    assert world.check(["alice@active", "bob@active"], [key("alice/active"), key("bob/active")])
    with pytest.raises(InsufficientAuthorityError, match="bob@active"):
        world.check(["alice@active", "bob@active"], [key("alice/active")])
    with pytest.raises(InvalidAuthorizationError, match="twice") as info:
        world.check(["alice@active", "alice@active"], [key("alice/active")])
    assert info.value.code == "auth.invalid_authorization"


def test_unknown_declarations(world: World) -> None:
    world.account("alice")
    with pytest.raises(UnknownAccountError, match="ghost"):
        world.check("ghost@active", [K1])
    with pytest.raises(UnknownPermissionError, match="nothere"):
        world.check("alice@nothere", [K1])


def test_deleted_delegate_no_longer_satisfies(world: World) -> None:
    world.account("bob")
    update_auth(world.state, "bob", "helper", "active", Authority.single_key(K2))
    world.account("alice", active=Authority(1, keys=[(K1, 1)], accounts=[(lvl("bob@helper"), 1)]))
    assert world.check("alice@active", [K2])
    from tonomy.chain.permissions import delete_auth

    delete_auth(world.state, "bob", "helper")
    with pytest.raises(InsufficientAuthorityError):
        world.check("alice@active", [K2])


def test_core_operations_check_signatures_now_and_the_tree_when_they_run(world: World) -> None:
    world.account("alice")
    world.account("mallory")
    s = world.state
    update_auth(s, "alice", "pay", "active", Authority.single_key(key("pay")))

    def op(name: str, *declared: str) -> list[ActionAuthorization]:
        return [ActionAuthorization(SYSTEM_PLUGIN, name, tuple(lvl(d) for d in declared))]

    # Up front: only the declared authorization's signatures; links play no part.
    link_auth(s, "alice", SYSTEM_PLUGIN, None, "owner")
    assert check_transaction_authorizations(s, op("updateauth", "alice@pay"), [key("pay")]) == {key("pay")}
    with pytest.raises(InsufficientAuthorityError):
        check_transaction_authorizations(s, op("updateauth", "alice@pay"), [key("alice/active")])
    with pytest.raises(InvalidAuthorizationError, match="exactly one"):
        check_transaction_authorizations(s, op("deleteauth", "alice@active", "alice@owner"), [])
    with pytest.raises(InvalidAuthorizationError, match="exactly one"):
        check_transaction_authorizations(s, op("linkauth"), [])
    # Other system actions follow links as usual.
    with pytest.raises(InsufficientAuthorityError, match="needs alice@owner"):
        check_transaction_authorizations(s, op("newaccount", "alice@active"), [key("alice/active")])

    # When running: the declared permission must be the required one or above it.
    check_permission_requirement(s, lvl("alice@pay"), updateauth_requirement(s, "alice", "pay", "active"))
    check_permission_requirement(s, lvl("alice@owner"), updateauth_requirement(s, "alice", "pay", "active"))
    check_permission_requirement(s, lvl("alice@active"), updateauth_requirement(s, "alice", "sub", "pay"))
    with pytest.raises(InsufficientAuthorityError, match="needs alice@owner"):
        check_permission_requirement(s, lvl("alice@active"), updateauth_requirement(s, "alice", "owner", None))
    with pytest.raises(InsufficientAuthorityError, match="needs alice@active"):
        check_permission_requirement(s, lvl("alice@pay"), updateauth_requirement(s, "alice", "active", "owner"))
    with pytest.raises(InsufficientAuthorityError, match="mallory@owner cannot"):
        check_permission_requirement(s, lvl("mallory@owner"), deleteauth_requirement(s, "alice", "pay"))


def test_shared_permissions_are_evaluated_once_per_transaction(world: World) -> None:
    world.account("bob")
    world.account("alice", active=Authority(1, accounts=[(lvl("bob@active"), 1)]))
    checker = AuthorityChecker(world.state, [key("bob/active")])
    for _ in range(5):
        checker.check_action(ActionAuthorization("pay", "transfer", (lvl("alice@active"),)))
    assert checker.evaluations == 2


def wide_world(world: World, fanout: int) -> None:
    """hub@active delegates to `fanout` accounts, each of which delegates to `fanout` leaves."""
    leaves = [world.account(f"leaf{i}") for i in range(fanout)]
    mids = []
    for i in range(fanout):
        mids.append(world.account(f"mid{i}", active=Authority(fanout, accounts=[(lvl(f"{leaf}@active"), 1) for leaf in leaves])))
    world.account("hub", owner=Authority(fanout + 1, keys=[(K1, fanout + 1)], accounts=[(lvl(f"{m}@active"), 1) for m in mids]))


def test_too_complex_is_refused_with_a_code_but_own_key_still_works(world: World) -> None:
    wide_world(world, 8)  # hub + 8 mids + 8 leaves, each leaf reached from every mid
    with pytest.raises(AuthorityTooComplexError) as info:
        world.check("hub@owner", [], max_evaluations=10)
    assert info.value.code == "auth.too_complex"
    assert world.check("hub@owner", [K1], max_evaluations=1) == {K1}
    with pytest.raises(InsufficientAuthorityError):
        world.check("hub@owner", [], max_evaluations=1 + 8 + 8)


def test_hostile_provided_keys_and_delay(world: World) -> None:
    world.account("alice")
    for bad_keys in ([b"\x00" * 31], [key("x") + b"\x00"], ["00" * 32], [bytearray(32)]):
        with pytest.raises(InvalidInputError):
            world.check("alice@active", bad_keys)
    for bad_delay in (-1, True, 1.0, None):
        with pytest.raises(InvalidInputError):
            world.check("alice@active", [key("alice/active")], delay=bad_delay)


def test_duplicate_provided_keys_count_once(world: World) -> None:
    world.account("vault", active=multisig(2, (K1, 1), (K2, 1)))
    with pytest.raises(InsufficientAuthorityError):
        world.check("vault@active", [K1, K1])
