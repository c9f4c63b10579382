"""Properties of the checker on small random authority graphs (with cycles, waits, depth).

The reference below is written from the definition in docs/accounts.md, not from the
checker: no memo, no early stop, cycles cut by the path instead of by depth.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.checker import ActionAuthorization, AuthorityChecker, check_transaction_authorizations
from tonomy.chain.permissions import link_auth, update_auth
from tonomy.errors import IrrelevantSignatureError

from .conftest import World, key

ACCOUNTS = ("aaa", "bbb", "ccc")
LEVELS = tuple(PermissionLevel(a, p) for a in ACCOUNTS for p in ("owner", "active")) + (PermissionLevel("aaa", "cus"),)
KEYS = tuple(key(f"r{i}") for i in range(4))
WAITS = (10, 100)


@dataclass(frozen=True)
class Spec:
    threshold: int
    keys: tuple[tuple[int, int], ...]  # (index into KEYS, weight)
    accounts: tuple[tuple[PermissionLevel, int], ...]
    waits: tuple[tuple[int, int], ...]


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    keys = draw(st.lists(st.tuples(st.integers(0, len(KEYS) - 1), st.integers(1, 3)), unique_by=lambda t: t[0], max_size=3))
    accounts = draw(st.lists(st.tuples(st.sampled_from(LEVELS), st.integers(1, 3)), unique_by=lambda t: t[0], max_size=3))
    waits = draw(st.lists(st.tuples(st.sampled_from(WAITS), st.integers(1, 2)), unique_by=lambda t: t[0], max_size=2))
    if not keys and not accounts:
        keys = [(draw(st.integers(0, len(KEYS) - 1)), 1)]
    strong = sum(w for _, w in keys) + sum(w for _, w in accounts)
    wait_total = sum(w for _, w in waits)
    threshold = draw(st.integers(wait_total + 1, strong + wait_total))
    return Spec(threshold, tuple(keys), tuple(accounts), tuple(waits))


graphs = st.fixed_dictionaries({level: specs() for level in LEVELS})


def to_authority(spec: Spec, shuffle: st.DataObject | None = None) -> Authority:
    keys = [(KEYS[i], w) for i, w in spec.keys]
    accounts = list(spec.accounts)
    waits = list(spec.waits)
    if shuffle is not None:
        keys = shuffle.draw(st.permutations(keys))
        accounts = shuffle.draw(st.permutations(accounts))
        waits = shuffle.draw(st.permutations(waits))
    return Authority(spec.threshold, keys=keys, accounts=accounts, waits=waits)


def build(graph: dict[PermissionLevel, Spec], shuffle: st.DataObject | None = None) -> World:
    world = World()
    for account in ACCOUNTS:
        world.account(account)
    update_auth(world.state, "aaa", "cus", "active", Authority.single_key(key("placeholder")))
    levels = list(graph)
    if shuffle is not None:
        levels = shuffle.draw(st.permutations(levels))
    for level in levels:
        parent = {"owner": None, "active": "owner", "cus": "active"}[level.permission]
        update_auth(world.state, level.actor, level.permission, parent, to_authority(graph[level], shuffle))
    return world


def reference_satisfied(
    graph: dict[PermissionLevel, Spec],
    level: PermissionLevel,
    provided: frozenset[bytes],
    delay: int,
    max_depth: int,
    depth: int = 0,
    path: frozenset[PermissionLevel] = frozenset(),
) -> bool:
    if level in path or depth > max_depth:
        return False
    spec = graph[level]
    weight = sum(w for i, w in spec.keys if KEYS[i] in provided)
    weight += sum(w for seconds, w in spec.waits if seconds <= delay)
    for child, w in spec.accounts:
        if reference_satisfied(graph, child, provided, delay, max_depth, depth + 1, path | {level}):
            weight += w
    return weight >= spec.threshold


def reference_used(
    graph: dict[PermissionLevel, Spec], level: PermissionLevel, provided: frozenset[bytes], delay: int, remaining: int
) -> tuple[bool, frozenset[bytes]]:
    """The documented used-key rule: keys and waits in full, then accounts in order until the threshold."""
    spec = graph[level]
    used = {KEYS[i] for i, _ in spec.keys if KEYS[i] in provided}
    weight = sum(w for i, w in spec.keys if KEYS[i] in provided) + sum(w for s, w in spec.waits if s <= delay)
    if weight < spec.threshold and remaining > 0:
        for child, w in sorted(spec.accounts, key=lambda e: (e[0].actor, e[0].permission)):
            ok, child_used = reference_used(graph, child, provided, delay, remaining - 1)
            if ok:
                weight += w
                used |= child_used
                if weight >= spec.threshold:
                    break
    ok = weight >= spec.threshold
    return ok, frozenset(used) if ok else frozenset()


provided_keys = st.lists(st.sampled_from(KEYS), unique=True)
delays = st.sampled_from([0, 9, 10, 99, 100, 1000])
depths = st.integers(0, 4)
roots = st.sampled_from(LEVELS)


@settings(max_examples=250, deadline=None)
@given(graphs, roots, provided_keys, delays, depths)
def test_decision_equals_brute_force(
    graph: dict[PermissionLevel, Spec], root: PermissionLevel, provided: list[bytes], delay: int, max_depth: int
) -> None:
    world = build(graph)
    result = AuthorityChecker(world.state, provided, delay, max_depth=max_depth).evaluate(root)
    assert result.satisfied == reference_satisfied(graph, root, frozenset(provided), delay, max_depth)
    ok, used = reference_used(graph, root, frozenset(provided), delay, max_depth)
    assert (result.satisfied, result.used_keys) == (ok, used)


@settings(max_examples=100, deadline=None)
@given(graphs, roots, provided_keys, delays, depths, st.data())
def test_decision_does_not_depend_on_listing_or_signing_order(
    graph: dict[PermissionLevel, Spec],
    root: PermissionLevel,
    provided: list[bytes],
    delay: int,
    max_depth: int,
    data: st.DataObject,
) -> None:
    plain = build(graph)
    shuffled = build(graph, data)
    assert plain.state.snapshot() == shuffled.state.snapshot()  # canonical records, byte for byte
    reordered = data.draw(st.permutations(provided))
    first = AuthorityChecker(plain.state, provided, delay, max_depth=max_depth).evaluate(root)
    second = AuthorityChecker(shuffled.state, reordered, delay, max_depth=max_depth).evaluate(root)
    assert first == second


@settings(max_examples=150, deadline=None)
@given(graphs, roots, provided_keys, delays, depths)
def test_used_keys_suffice_and_only_they_are_relevant(
    graph: dict[PermissionLevel, Spec], root: PermissionLevel, provided: list[bytes], delay: int, max_depth: int
) -> None:
    world = build(graph)
    result = AuthorityChecker(world.state, provided, delay, max_depth=max_depth).evaluate(root)
    assert result.used_keys <= set(provided)
    if not result.satisfied:
        return
    again = AuthorityChecker(world.state, result.used_keys, delay, max_depth=max_depth).evaluate(root)
    assert again.satisfied and again.used_keys == result.used_keys
    link_auth(world.state, root.actor, "any", "thing", root.permission)
    action = ActionAuthorization("any", "thing", (root,))
    assert check_transaction_authorizations(world.state, [action], result.used_keys, delay, max_depth=max_depth) == result.used_keys
    if set(provided) != result.used_keys:
        try:
            check_transaction_authorizations(world.state, [action], provided, delay, max_depth=max_depth)
        except IrrelevantSignatureError:
            pass
        else:
            raise AssertionError("unused keys were accepted")


@settings(max_examples=100, deadline=None)
@given(graphs, roots, provided_keys, delays, depths)
def test_more_keys_more_delay_or_more_depth_never_hurt(
    graph: dict[PermissionLevel, Spec], root: PermissionLevel, provided: list[bytes], delay: int, max_depth: int
) -> None:
    world = build(graph)
    base = AuthorityChecker(world.state, provided, delay, max_depth=max_depth).evaluate(root).satisfied
    if not base:
        return
    assert AuthorityChecker(world.state, KEYS, delay, max_depth=max_depth).evaluate(root).satisfied
    assert AuthorityChecker(world.state, provided, delay + 1000, max_depth=max_depth).evaluate(root).satisfied
    assert AuthorityChecker(world.state, provided, delay, max_depth=max_depth + 1).evaluate(root).satisfied
