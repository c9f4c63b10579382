"""The authority checker: do the provided signatures (and delay) authorize these actions?

For each declared authorization ``actor@permission`` of an action:

1. the action's required permission is found: the actor's link for ``(plugin, action)``,
   else the plugin-wide link, else ``active``;
2. the declared permission must be that permission or one of its ancestors;
3. the declared permission's authority must be satisfied (see :meth:`AuthorityChecker.evaluate`).

The core operations ``updateauth``, ``deleteauth``, ``linkauth`` and ``unlinkauth`` of
the system plugin declare exactly one authorization and skip steps 1-2 here: the
permission they need depends on the tree at the moment they run, so the engine calls
:func:`~tonomy.chain.permissions.check_permission_requirement` when executing them.

All of a transaction's authorizations are checked against the state before the
transaction runs (reads are cached for the whole check), as Antelope does.

Afterwards every provided key must have been used by some satisfied authority,
otherwise the transaction carries irrelevant signatures and is refused.

The keys are already verified signatures (the core checks them); this module
only does the weight arithmetic over the permission graph, deterministically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tonomy.chain.authority import PUBLIC_KEY_SIZE, PermissionLevel, is_plugin_authority_level
from tonomy.chain.permissions import (
    AUTH_ACTIONS,
    SYSTEM_PLUGIN,
    Permission,
    find_permission,
    get_permission,
    is_same_or_ancestor,
    require_account,
    required_permission,
)
from tonomy.chain.state import StateView
from tonomy.errors import (
    AuthorityTooComplexError,
    InsufficientAuthorityError,
    InvalidAuthorizationError,
    InvalidInputError,
    IrrelevantSignatureError,
)

#: Delegation hops allowed below a declared permission (it is at depth 0).
DEFAULT_MAX_DEPTH = 6
MAX_DEPTH_LIMIT = 16
#: Distinct (permission, remaining depth) evaluations one transaction may need.
DEFAULT_MAX_EVALUATIONS = 1024


@dataclass(frozen=True, slots=True)
class Evaluation:
    satisfied: bool
    weight: int  # weight reached (up to the point the threshold was met)
    threshold: int
    used_keys: frozenset[bytes]  # empty unless satisfied


_MISSING = Evaluation(False, 0, 0, frozenset())


@dataclass(frozen=True, slots=True)
class ActionAuthorization:
    """What the checker needs to know about one action: its name and declared authorizations."""

    plugin: str
    name: str
    authorization: tuple[PermissionLevel, ...]

    def __post_init__(self) -> None:
        levels = tuple(self.authorization)
        if not all(isinstance(level, PermissionLevel) for level in levels):
            raise InvalidAuthorizationError(f"the authorizations of {self.plugin}.{self.name} must be permission levels")
        object.__setattr__(self, "authorization", levels)


def _validate_keys(provided_keys: Iterable[bytes]) -> frozenset[bytes]:
    keys = []
    for key in provided_keys:
        if type(key) is not bytes or len(key) != PUBLIC_KEY_SIZE:
            raise InvalidInputError(f"each provided key must be {PUBLIC_KEY_SIZE} bytes")
        keys.append(key)
    return frozenset(keys)


def _short(key: bytes) -> str:
    return key.hex()[:16] + "…"


class AuthorityChecker:
    """Checks one transaction's authorizations against one state.

    Results are memoised per (permission, remaining depth) for the whole transaction,
    so a permission that several actions use is evaluated once.
    """

    def __init__(
        self,
        state: StateView,
        provided_keys: Iterable[bytes],
        provided_delay: int = 0,
        *,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
        provided_levels: Iterable[PermissionLevel] = (),
    ) -> None:
        if type(provided_delay) is not int or provided_delay < 0:
            raise InvalidInputError(f"the provided delay must be a non-negative number of seconds, got {provided_delay!r}")
        if type(max_depth) is not int or not 0 <= max_depth <= MAX_DEPTH_LIMIT:
            raise InvalidInputError(f"max_depth must be an integer from 0 to {MAX_DEPTH_LIMIT}")
        if type(max_evaluations) is not int or max_evaluations < 1:
            raise InvalidInputError("max_evaluations must be a positive integer")
        self._state = state
        self._keys = _validate_keys(provided_keys)
        self._delay = provided_delay
        # Plugin authority levels the engine vouches for (the running plugin's own);
        # never anything a transaction's signatures could claim.
        self._levels = frozenset(provided_levels)
        if not all(is_plugin_authority_level(level) for level in self._levels):
            raise InvalidInputError("only plugin authority levels (tonomy.code@<plugin>) can be provided")
        self._max_depth = max_depth
        self._max_evaluations = max_evaluations
        self._permissions: dict[PermissionLevel, Permission | None] = {}
        self._memo: dict[tuple[PermissionLevel, int], Evaluation] = {}
        self._used: set[bytes] = set()

    @property
    def provided_keys(self) -> frozenset[bytes]:
        return self._keys

    @property
    def used_keys(self) -> frozenset[bytes]:
        """Provided keys used by the authorizations checked so far."""
        return frozenset(self._used)

    @property
    def evaluations(self) -> int:
        return len(self._memo)

    def evaluate(self, level: PermissionLevel) -> Evaluation:
        """Whether the authority of ``level`` is satisfied (and by which keys).

        An authority is satisfied when the weights of its satisfied entries reach the
        threshold: a key entry if that key was provided, a wait entry if the provided
        delay is at least its seconds, an account entry if that permission's own
        authority is satisfied one level deeper. ``level`` is at depth 0; account
        entries are only followed while the depth stays within ``max_depth``, and a
        missing permission never satisfies. Keys and waits are tallied in full first;
        account entries are then visited in canonical order, stopping once the
        threshold is met. The used keys are the provided keys of every satisfied
        authority that counted towards the result.

        A cycle cannot recurse forever (each hop uses up depth) and never changes a
        decision: if a permission's revisit is satisfied with less depth left, the
        permission was satisfiable without going round the cycle.
        """
        if not is_plugin_authority_level(level):
            self._existing_permission(level)  # unknown account or permission: a clear error
        return self._evaluate(level, self._max_depth)

    def _permission(self, level: PermissionLevel) -> Permission | None:
        if level not in self._permissions:
            self._permissions[level] = find_permission(self._state, level)
        return self._permissions[level]

    def _existing_permission(self, level: PermissionLevel) -> Permission:
        found = self._permission(level)
        if found is None:
            return get_permission(self._state, level)  # raises the precise error
        return found

    def _evaluate(self, level: PermissionLevel, remaining: int) -> Evaluation:
        memo_key = (level, remaining)
        cached = self._memo.get(memo_key)
        if cached is not None:
            return cached
        if is_plugin_authority_level(level):
            # Satisfied only when provided by the engine; a stored record is never read,
            # so no key can ever stand in for a plugin.
            granted = level in self._levels
            return Evaluation(granted, 1 if granted else 0, 1, frozenset())
        if len(self._memo) >= self._max_evaluations:
            raise AuthorityTooComplexError(
                f"checking {level} needs more than {self._max_evaluations} permission evaluations; "
                "simplify the delegations involved"
            )
        permission = self._permission(level)
        if permission is None:
            self._memo[memo_key] = _MISSING
            return _MISSING
        authority = permission.authority
        threshold = authority.threshold
        weight = 0
        used: set[bytes] = set()
        for entry in authority.keys:
            if entry.key in self._keys:
                weight += entry.weight
                used.add(entry.key)
        for wait in authority.waits:
            if wait.seconds <= self._delay:
                weight += wait.weight
        if weight < threshold and remaining > 0:
            for delegated in authority.accounts:
                sub = self._evaluate(delegated.level, remaining - 1)
                if sub.satisfied:
                    weight += delegated.weight
                    used |= sub.used_keys
                    if weight >= threshold:
                        break
        satisfied = weight >= threshold
        result = Evaluation(satisfied, weight, threshold, frozenset(used) if satisfied else frozenset())
        self._memo[memo_key] = result
        return result

    def check_level(self, level: PermissionLevel, required: str, action: str) -> None:
        """Raise unless ``level`` may stand for ``level.actor@required`` and is satisfied."""
        self._existing_permission(level)
        if not is_same_or_ancestor(
            self._state, level.actor, level.permission, required, lookup=self._existing_permission
        ):
            raise InsufficientAuthorityError(
                f"{level} cannot authorize {action}: it needs {level.actor}@{required} or a permission above it"
            )
        result = self.evaluate(level)
        if not result.satisfied:
            raise InsufficientAuthorityError(self._unsatisfied(level, result, action))
        self._used |= result.used_keys

    def _unsatisfied(self, level: PermissionLevel, result: Evaluation, action: str) -> str:
        delay = f" with a delay of {self._delay} seconds" if self._delay else ""
        return (
            f"the signatures provided{delay} do not satisfy {level} for {action}: "
            f"weight {result.weight} of the {result.threshold} needed"
        )

    def check_action(self, action: ActionAuthorization) -> None:
        """Raise unless every authorization the action declares is allowed and satisfied."""
        what = f"{action.plugin}.{action.name}"
        levels = action.authorization
        if len(set(levels)) != len(levels):
            raise InvalidAuthorizationError(f"{what} declares the same authorization twice")
        if action.plugin == SYSTEM_PLUGIN and action.name in AUTH_ACTIONS:
            # Which permission these need depends on the tree when they run; the engine
            # checks that with check_permission_requirement at execution (as Antelope does).
            if len(levels) != 1:
                raise InvalidAuthorizationError(f"{what} must declare exactly one authorization")
            result = self.evaluate(levels[0])
            if not result.satisfied:
                raise InsufficientAuthorityError(self._unsatisfied(levels[0], result, what))
            self._used |= result.used_keys
            return
        for level in levels:
            require_account(self._state, level.actor)
            self.check_level(level, required_permission(self._state, level.actor, action.plugin, action.name), what)

    def check_no_irrelevant_keys(self) -> None:
        unused = sorted(self._keys - self._used)
        if unused:
            listed = ", ".join(_short(key) for key in unused[:3]) + (" and more" if len(unused) > 3 else "")
            raise IrrelevantSignatureError(
                f"the transaction carries {len(unused)} signature(s) no authorization needed: keys {listed}"
            )


def check_transaction_authorizations(
    state: StateView,
    actions: Sequence[ActionAuthorization],
    provided_keys: Iterable[bytes],
    provided_delay: int = 0,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
) -> frozenset[bytes]:
    """Check every action in order, then refuse unused keys; return the keys used.

    Raises ``auth.insufficient`` on missing authority, ``auth.irrelevant_signature`` on
    unused keys, ``auth.unknown_account``/``auth.unknown_permission`` for declarations
    that name nothing, and ``auth.too_complex`` past the evaluation limit.
    """
    checker = AuthorityChecker(
        state, provided_keys, provided_delay, max_depth=max_depth, max_evaluations=max_evaluations
    )
    for action in actions:
        checker.check_action(action)
    checker.check_no_irrelevant_keys()
    return checker.used_keys
