"""Authorities: a threshold over weighted keys, weighted delegated permissions and weighted waits.

An authority is satisfied when the weights of its satisfied entries add up to
at least its threshold. Entries are kept in one canonical order (keys by bytes,
permission levels by account then permission, waits by seconds), so equal
authorities are equal objects with equal encodings, whatever order a caller
listed them in. The rules every authority must meet are in :meth:`Authority.__init__`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from tonomy.chain.names import validate_account_name, validate_permission_name
from tonomy.errors import InvalidAccountNameError, InvalidAuthorityError, InvalidNameError

PUBLIC_KEY_SIZE = 32
MAX_WEIGHT = (1 << 16) - 1
MAX_THRESHOLD = (1 << 32) - 1
MAX_WAIT_SECONDS = (1 << 32) - 1
#: Keys + delegated permissions + waits in one authority.
MAX_AUTHORITY_ENTRIES = 64

OWNER = "owner"
ACTIVE = "active"


@dataclass(frozen=True, order=True, slots=True)
class PermissionLevel:
    """``actor@permission``: one permission of one account. Orders by actor, then permission."""

    actor: str
    permission: str

    def __post_init__(self) -> None:
        validate_account_name(self.actor)
        validate_permission_name(self.permission)

    def __str__(self) -> str:
        return f"{self.actor}@{self.permission}"

    @classmethod
    def parse(cls, text: str) -> PermissionLevel:
        """Read ``"actor@permission"``."""
        actor, sep, permission = text.partition("@")
        if not sep:
            raise InvalidNameError(f"{text!r} is not of the form account@permission")
        return cls(actor, permission)


#: The account name of plugin authority levels. It is reserved (only the chain core may
#: hold ``tonomy.*`` names) and no signature ever satisfies one of its levels.
PLUGIN_AUTHORITY_ACCOUNT = "tonomy.code"


def plugin_authority_level(plugin: str) -> PermissionLevel:
    """The level ``tonomy.code@<plugin>`` an authority lists to let that plugin act for it.

    Like Antelope's ``eosio.code``: an account that puts this level in one of its
    authorities lets the plugin's handlers run actions under that permission, and
    nobody else: the checker never satisfies it from signatures, only the engine does,
    for the plugin whose handler is running. Plugin names may hold ``_``, permission
    names may not: ``_`` becomes ``-`` (plugin names never hold ``-``, so no clash).
    """
    if type(plugin) is not str:
        raise InvalidNameError("a plugin name is a str")
    return PermissionLevel(PLUGIN_AUTHORITY_ACCOUNT, plugin.replace("_", "-"))


def is_plugin_authority_level(level: PermissionLevel) -> bool:
    return level.actor == PLUGIN_AUTHORITY_ACCOUNT


class KeyWeight(NamedTuple):
    key: bytes
    weight: int


class LevelWeight(NamedTuple):
    level: PermissionLevel
    weight: int


class WaitWeight(NamedTuple):
    seconds: int
    weight: int


def _is_int(value: object) -> bool:
    return type(value) is int  # bool is an int subclass, and is refused


def _pair(kind: str, entry: object) -> tuple[Any, Any]:
    if not isinstance(entry, (tuple, list)) or len(entry) != 2:
        raise InvalidAuthorityError(f"each {kind} entry must be a ({kind}, weight) pair")
    return entry[0], entry[1]


def _weight(kind: str, weight: object) -> int:
    if not _is_int(weight):
        raise InvalidAuthorityError(f"a {kind} weight must be an integer, got {type(weight).__name__}")
    assert isinstance(weight, int)
    if not 1 <= weight <= MAX_WEIGHT:
        raise InvalidAuthorityError(f"a {kind} weight must be between 1 and {MAX_WEIGHT}, got {weight}")
    return weight


class Authority:
    """A validated, canonically ordered authority (immutable).

    ``Authority(threshold, keys=[(pubkey32, weight)], accounts=[(PermissionLevel, weight)],
    waits=[(seconds, weight)])``. Rules: the threshold is an integer from 1 to 2**32-1;
    every weight is an integer from 1 to 65535; keys are 32-byte Ed25519 public keys;
    waits are 1 to 2**32-1 seconds; no key, permission level or wait appears twice;
    at most 64 entries in all; the weights add up to at least the threshold (it is
    reachable); and the waits alone stay below it (a wait never authorizes by itself).
    """

    __slots__ = ("_accounts", "_keys", "_threshold", "_waits")

    def __init__(
        self,
        threshold: int,
        keys: Iterable[tuple[bytes, int]] = (),
        accounts: Iterable[tuple[PermissionLevel, int]] = (),
        waits: Iterable[tuple[int, int]] = (),
    ) -> None:
        if not _is_int(threshold):
            raise InvalidAuthorityError(f"the threshold must be an integer, got {type(threshold).__name__}")
        if not 1 <= threshold <= MAX_THRESHOLD:
            raise InvalidAuthorityError(f"the threshold must be between 1 and {MAX_THRESHOLD}, got {threshold}")
        key_list = self._take("key", keys)
        account_list = self._take("account", accounts)
        wait_list = self._take("wait", waits)
        total_entries = len(key_list) + len(account_list) + len(wait_list)
        if total_entries > MAX_AUTHORITY_ENTRIES:
            raise InvalidAuthorityError(
                f"an authority may have at most {MAX_AUTHORITY_ENTRIES} keys, accounts and waits in all, "
                f"this one has {total_entries}"
            )
        self._keys = self._canonical_keys(key_list)
        self._accounts = self._canonical_accounts(account_list)
        self._waits = self._canonical_waits(wait_list)
        total = sum(e.weight for e in self._keys) + sum(e.weight for e in self._accounts)
        wait_total = sum(e.weight for e in self._waits)
        if total + wait_total < threshold:
            raise InvalidAuthorityError(
                f"the threshold {threshold} can never be reached: all weights add up to {total + wait_total}"
            )
        if wait_total >= threshold:
            raise InvalidAuthorityError(
                f"the waits alone (weight {wait_total}) reach the threshold {threshold}; "
                "a wait may only add to keys or accounts, never authorize on its own"
            )
        self._threshold = threshold

    @staticmethod
    def _take(kind: str, entries: object) -> list[object]:
        if isinstance(entries, (str, bytes, bytearray)):
            raise InvalidAuthorityError(f"{kind}s must be a list of pairs")
        try:
            iterator = iter(entries)  # type: ignore[call-overload]
        except TypeError:
            raise InvalidAuthorityError(f"{kind}s must be a list of pairs") from None
        taken: list[object] = []
        for entry in iterator:
            # Stop early so a huge (or endless) input costs no more than the limit.
            if len(taken) >= MAX_AUTHORITY_ENTRIES:
                raise InvalidAuthorityError(
                    f"an authority may have at most {MAX_AUTHORITY_ENTRIES} keys, accounts and waits in all"
                )
            taken.append(entry)
        return taken

    @staticmethod
    def _canonical_keys(entries: list[object]) -> tuple[KeyWeight, ...]:
        out: list[KeyWeight] = []
        for entry in entries:
            key, weight = _pair("key", entry)
            if type(key) is bytearray:
                key = bytes(key)
            if type(key) is not bytes:
                raise InvalidAuthorityError(f"a key must be {PUBLIC_KEY_SIZE} bytes, got {type(key).__name__}")
            if len(key) != PUBLIC_KEY_SIZE:
                raise InvalidAuthorityError(f"a key must be {PUBLIC_KEY_SIZE} bytes, got {len(key)}")
            out.append(KeyWeight(key, _weight("key", weight)))
        out.sort()
        for before, after in zip(out, out[1:]):
            if before.key == after.key:
                raise InvalidAuthorityError(f"key {after.key.hex()[:16]}… is listed twice")
        return tuple(out)

    @staticmethod
    def _canonical_accounts(entries: list[object]) -> tuple[LevelWeight, ...]:
        out: list[LevelWeight] = []
        for entry in entries:
            level, weight = _pair("account", entry)
            if not isinstance(level, PermissionLevel):
                raise InvalidAuthorityError(f"an account entry needs a PermissionLevel, got {type(level).__name__}")
            out.append(LevelWeight(level, _weight("account", weight)))
        out.sort()
        for before, after in zip(out, out[1:]):
            if before.level == after.level:
                raise InvalidAuthorityError(f"permission {after.level} is listed twice")
        return tuple(out)

    @staticmethod
    def _canonical_waits(entries: list[object]) -> tuple[WaitWeight, ...]:
        out: list[WaitWeight] = []
        for entry in entries:
            seconds, weight = _pair("wait", entry)
            if not _is_int(seconds) or not 1 <= seconds <= MAX_WAIT_SECONDS:
                raise InvalidAuthorityError(f"a wait must be a whole number of seconds from 1 to {MAX_WAIT_SECONDS}")
            out.append(WaitWeight(seconds, _weight("wait", weight)))
        out.sort()
        for before, after in zip(out, out[1:]):
            if before.seconds == after.seconds:
                raise InvalidAuthorityError(f"a wait of {after.seconds} seconds is listed twice")
        return tuple(out)

    @classmethod
    def single_key(cls, key: bytes) -> Authority:
        """The common case: one key, threshold 1."""
        return cls(1, keys=[(key, 1)])

    @property
    def threshold(self) -> int:
        return self._threshold

    @property
    def keys(self) -> tuple[KeyWeight, ...]:
        return self._keys

    @property
    def accounts(self) -> tuple[LevelWeight, ...]:
        return self._accounts

    @property
    def waits(self) -> tuple[WaitWeight, ...]:
        return self._waits

    def _identity(self) -> tuple[object, ...]:
        return (self._threshold, self._keys, self._accounts, self._waits)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authority):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        keys = [(k.key.hex()[:8], k.weight) for k in self._keys]
        accounts = [(str(a.level), a.weight) for a in self._accounts]
        waits = [(w.seconds, w.weight) for w in self._waits]
        return f"Authority(threshold={self._threshold}, keys={keys}, accounts={accounts}, waits={waits})"

    # -- records -------------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The plain form stored through the codec (canonical order)."""
        return {
            "threshold": self._threshold,
            "keys": [{"key": k.key, "weight": k.weight} for k in self._keys],
            "accounts": [
                {"actor": a.level.actor, "permission": a.level.permission, "weight": a.weight} for a in self._accounts
            ],
            "waits": [{"seconds": w.seconds, "weight": w.weight} for w in self._waits],
        }

    @classmethod
    def from_record(cls, record: object) -> Authority:
        """Read the plain form; it must have exactly the expected fields, in canonical order."""
        fields = _fields(record, {"threshold", "keys", "accounts", "waits"}, "authority")
        keys = [
            tuple(_fields(e, {"key", "weight"}, "key entry")[f] for f in ("key", "weight"))
            for e in _list(fields["keys"], "keys")
        ]
        accounts = []
        for entry in _list(fields["accounts"], "accounts"):
            item = _fields(entry, {"actor", "permission", "weight"}, "account entry")
            try:
                level = PermissionLevel(item["actor"], item["permission"])
            except (InvalidAccountNameError, InvalidNameError) as exc:
                raise InvalidAuthorityError(f"an account entry names an invalid permission: {exc.message}") from None
            accounts.append((level, item["weight"]))
        waits = [
            tuple(_fields(e, {"seconds", "weight"}, "wait entry")[f] for f in ("seconds", "weight"))
            for e in _list(fields["waits"], "waits")
        ]
        authority = cls(fields["threshold"], keys, accounts, waits)
        if authority.to_record() != record:
            raise InvalidAuthorityError("authority entries are not in canonical (sorted) order")
        return authority


def _fields(record: object, expected: set[str], what: str) -> dict[str, Any]:
    if type(record) is not dict or set(record) != expected:
        raise InvalidAuthorityError(f"{what} must be an object with exactly the fields {sorted(expected)}")
    return record


def _list(value: object, what: str) -> list[Any]:
    if type(value) is not list:
        raise InvalidAuthorityError(f"{what} must be a list")
    if len(value) > MAX_AUTHORITY_ENTRIES:
        raise InvalidAuthorityError(f"an authority may have at most {MAX_AUTHORITY_ENTRIES} {what}")
    return value
