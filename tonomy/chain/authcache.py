"""Authority verdicts remembered together with the state they read.

Every node checks a transaction's authority twice (at admission on the committed
state, and again when the transaction executes), and the transactions of one account
ask the very same question again and again: do these keys satisfy these declared
authorizations? The answer (:func:`authorize`) is a pure function of

* the declared actions (plugin, action name, ``(actor, permission)`` levels),
* the provided keys (as a sorted tuple), the provided delay, the depth and
  evaluation limits, and
* the state values the checker reads (permissions, links, accounts).

So a verdict is remembered with its read set, every ``(state key, value or None)``
the check read, and reused only if re-reading each of those keys from the state
asked about now (the committed state at admission, the block's overlay at
execution, where writes of earlier transactions are seen) gives byte-identical
values. With the same inputs and the same values read, the deterministic checker
takes the same path to the same verdict; a key it never read cannot matter. A
check that scans a range or writes is not remembered (its read set is not a list
of single keys).

The memo is node-local, bounded (:class:`~tonomy.chain.memo.BoundedMemo`, safe for
chains on several threads to share) and changes no outcome: the same used keys are returned, the same ``tx.unauthorized`` message
raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeAlias

from tonomy.chain.authority import PermissionLevel
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.checker import ActionAuthorization, check_transaction_authorizations
from tonomy.chain.memo import BoundedMemo
from tonomy.chain.state import StateView
from tonomy.errors import TonomyError, TransactionUnauthorizedError

#: ``(plugin, action, ((actor, permission), ...))`` per declared action, in order.
DeclaredActions: TypeAlias = tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
_Reads: TypeAlias = tuple[tuple[bytes, "bytes | None"], ...]
_Entry: TypeAlias = tuple[_Reads, "frozenset[bytes] | None", "str | None", bool]

#: Verdicts remembered: one per distinct (actions, keys, limits), i.e. roughly per signer.
DEFAULT_MAX_ENTRIES = 16_384
#: A check reading more keys than this is not remembered (its replay would cost as much).
MAX_READS = 64


def authorize(
    state: StateView,
    declared: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
    provided_keys: Sequence[bytes],
    provided_delay: int,
    max_depth: int,
    max_evaluations: int,
) -> frozenset[bytes]:
    """The uncached check: the keys used, or ``tx.unauthorized`` carrying the checker's reason."""
    actions = action_authorizations(declared)
    try:
        return check_transaction_authorizations(
            state, actions, provided_keys, provided_delay, max_depth=max_depth, max_evaluations=max_evaluations
        )
    except TransactionUnauthorizedError:
        raise
    except TonomyError as exc:
        raise TransactionUnauthorizedError(str(exc)) from None


def action_authorizations(declared: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]) -> list[ActionAuthorization]:
    """The checker's view of declared actions; names the chain cannot hold are ``tx.unauthorized``."""
    try:
        return [
            ActionAuthorization(plugin, name, tuple(PermissionLevel(actor, permission) for actor, permission in levels))
            for plugin, name, levels in declared
        ]
    except TonomyError as exc:
        raise TransactionUnauthorizedError(f"{exc}") from None


class _RecordingState:
    """A read-only pass-through that notes every key read and the value it had."""

    __slots__ = ("_inner", "reads", "replayable")

    def __init__(self, inner: StateView) -> None:
        self._inner = inner
        self.reads: dict[bytes, bytes | None] = {}
        self.replayable = True

    def get(self, key: bytes) -> bytes | None:
        value = self._inner.get(key)
        if type(key) is bytes:
            self.reads.setdefault(key, value)
        else:
            self.replayable = False
        return value

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        self.replayable = False  # a scan's result is not a list of single keys: not remembered
        return self._inner.items(start, end)

    def put(self, key: bytes, value: bytes) -> None:
        self.replayable = False
        self._inner.put(key, value)

    def delete(self, key: bytes) -> None:
        self.replayable = False
        self._inner.delete(key)


class AuthorityVerdicts:
    """A bounded memo of :func:`authorize` verdicts, each valid while its read set is unchanged."""

    __slots__ = ("_entries", "hits", "misses")

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        # key -> (read set, keys used or None, refusal message or None, read only system keys)
        self._entries: BoundedMemo[tuple[object, ...], _Entry] = BoundedMemo(max_entries)
        #: Verdicts answered from the memo, and checks run (for metrics and tests).
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def check(
        self,
        state: StateView,
        declared: DeclaredActions,
        provided_keys: Sequence[bytes],
        provided_delay: int = 0,
        *,
        max_depth: int,
        max_evaluations: int,
    ) -> frozenset[bytes]:
        """What :func:`authorize` answers on ``state``: the keys used, or ``tx.unauthorized``."""
        exact = type(provided_delay) is int and type(max_depth) is int and type(max_evaluations) is int
        for key in provided_keys:
            exact = exact and type(key) is bytes
        if not exact:
            # True == 1 as a dict key, but the checker refuses a bool (and anything not bytes
            # as a key): such inputs are not memo keys, the uncached path words the refusal.
            return authorize(state, declared, provided_keys, provided_delay, max_depth, max_evaluations)
        memo_key = (declared, tuple(sorted(provided_keys)), provided_delay, max_depth, max_evaluations)
        entry = self._entries.get(memo_key)
        if entry is not None:
            if _still_holds(state, entry):
                _reads, used, refusal, _system_only = entry
                self.hits += 1
                if refusal is not None:
                    raise TransactionUnauthorizedError(refusal)
                assert used is not None
                return used
        self.misses += 1
        recording = _RecordingState(state)
        try:
            used = authorize(recording, declared, provided_keys, provided_delay, max_depth, max_evaluations)
        except TransactionUnauthorizedError as exc:
            if type(exc) is TransactionUnauthorizedError and exc.code == TransactionUnauthorizedError.code:
                self._remember(memo_key, recording, None, exc.message)
            raise
        self._remember(memo_key, recording, used, None)
        return used

    def _remember(
        self, memo_key: tuple[object, ...], recording: _RecordingState, used: frozenset[bytes] | None, refusal: str | None
    ) -> None:
        if recording.replayable and len(recording.reads) <= MAX_READS:
            reads = tuple(recording.reads.items())
            system_only = all(key.startswith(SYSTEM_PREFIX) for key, _ in reads)
            self._entries.put(memo_key, (reads, used, refusal, system_only))


def _still_holds(state: StateView, entry: _Entry) -> bool:
    """Does ``state`` still hold every value ``entry``'s check read?

    Re-read, unless ``state`` is a block's overlay watching the system keys, ``entry``
    read only system keys, and this overlay already found them unchanged with no system
    key changed since (the overlay counts each write, deletion and undoing of one; its
    committed state is fixed): then they still read the same.
    """
    reads, _used, _refusal, system_only = entry
    native = getattr(state, "native", None)
    if native is None:
        return _replayed(state.get, reads)
    if not (system_only and getattr(state, "watch", None) == SYSTEM_PREFIX):
        return _replayed(native.get, reads)  # exact bytes keys: the core answers directly
    confirmed: dict[int, tuple[object, int]] = state.confirmed  # type: ignore[attr-defined]
    changes: int = native.watched_changes
    known = confirmed.get(id(entry))
    if known is not None and known[0] is entry and known[1] == changes:
        return True
    if not _replayed(native.get, reads):
        return False
    if len(confirmed) >= DEFAULT_MAX_ENTRIES:
        confirmed.clear()
    confirmed[id(entry)] = (entry, changes)  # the entry is kept: its id is not reused meanwhile
    return True


def _replayed(get: Callable[[bytes], bytes | None], reads: _Reads) -> bool:
    for key, value in reads:
        if get(key) != value:
            return False
    return True


#: The node's memo, shared by every chain in the process: entries are keyed by
#: inputs and checked against the state each chain asks about, never trusted blindly.
VERDICTS = AuthorityVerdicts()


__all__ = ["DEFAULT_MAX_ENTRIES", "MAX_READS", "VERDICTS", "AuthorityVerdicts", "DeclaredActions", "action_authorizations", "authorize"]
