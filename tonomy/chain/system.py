"""The system plugin ``tonomy``: accounts and permissions, as actions.

It is built into the engine, not loaded: no plugin may register the name
``tonomy``. Its actions use :mod:`tonomy.chain.accounts` and
:mod:`tonomy.chain.permissions` on the raw state (``sys/`` keys), metered like any
plugin's. Data is canonical-codec records (authorities are nested, so these
schemas are hand-written rather than :class:`~tonomy.plugin.RecordSchema`).

==============  ===========================================================  =====================================
action          data                                                         authorization (exactly as declared)
==============  ===========================================================  =====================================
``newaccount``  ``creator, name, type, owner, active`` (authority records)   ``creator@active`` or above (links apply)
``updateauth``  ``account, permission, parent (str or null), authority``     see docs/accounts.md section 3
``deleteauth``  ``account, permission``                                      the permission (or an ancestor)
``linkauth``    ``account, plugin, action (str or null = all), permission``  what the target requires now
``unlinkauth``  ``account, plugin, action (str or null)``                    the permission linked
``setvalidator`` ``key (32 bytes), power (0 removes)``                        ``tonomy@active`` through the
                                                                             governance plugin only
``evidence``    ``a, b`` (two encoded votes)                                  none: the evidence proves itself
==============  ===========================================================  =====================================

Validator set and evidence: docs/consensus.md ("Validator set changes", "Evidence on chain").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tonomy.chain import accounts, evidence, lifecycle, permissions, validator_set
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.context import Meter
from tonomy.chain.state import StateView
from tonomy.errors import InvalidActionDataError, InvalidInputError, MissingAuthorizationError

SYSTEM_PLUGIN = permissions.SYSTEM_PLUGIN


class MeteredState:
    """The raw state, every operation charged to the transaction's meter."""

    __slots__ = ("_inner", "_meter")

    def __init__(self, inner: StateView, meter: Meter) -> None:
        self._inner = inner
        self._meter = meter

    def get(self, key: bytes) -> bytes | None:
        self._meter.charge_op()
        return self._inner.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        self._meter.charge_write(len(key) + len(value))
        self._inner.put(key, value)

    def delete(self, key: bytes) -> None:
        self._meter.charge_op()
        self._inner.delete(key)

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        for pair in self._inner.items(start, end):
            self._meter.charge_op()
            yield pair


@dataclass(frozen=True, slots=True)
class SystemCall:
    """What a system action handler receives."""

    state: StateView
    authorization: tuple[PermissionLevel, ...]
    height: int
    #: The plugin whose handler made this call (None: the transaction itself).
    caller: str | None = None


# -- data checks ----------------------------------------------------------------------------


def _fields(data: Mapping[str, Any], required: set[str], optional: frozenset[str] = frozenset()) -> None:
    unknown = sorted(set(data) - required - optional)
    missing = sorted(required - set(data))
    if unknown:
        raise InvalidActionDataError(f"unknown field(s): {', '.join(unknown)}")
    if missing:
        raise InvalidActionDataError(f"missing field(s): {', '.join(missing)}")


def _text(data: Mapping[str, Any], name: str, *, nullable: bool = False) -> Any:
    value = data.get(name)
    if value is None and nullable:
        return None
    if type(value) is not str:
        raise InvalidActionDataError(f"field {name!r} must be a string{' or null' if nullable else ''}")
    return value


def _authority(data: Mapping[str, Any], name: str) -> Authority:
    try:
        return Authority.from_record(data.get(name))
    except InvalidInputError as exc:
        raise InvalidActionDataError(f"field {name!r}: {exc.message}") from None
    except ValueError as exc:  # names, weights: the authority module's own errors
        raise InvalidActionDataError(f"field {name!r}: {getattr(exc, 'message', exc)}") from None


def _single(call: SystemCall, action: str) -> PermissionLevel:
    if len(call.authorization) != 1:
        raise MissingAuthorizationError(f"tonomy.{action} must declare exactly one authorization")
    return call.authorization[0]


# -- actions ----------------------------------------------------------------------------------


def validate_newaccount(data: Mapping[str, Any]) -> None:
    _fields(data, {"creator", "name", "type", "owner", "active"})
    for name in ("creator", "name", "type"):
        _text(data, name)
    _authority(data, "owner")
    _authority(data, "active")


def newaccount(call: SystemCall, data: Mapping[str, Any]) -> None:
    creator = data["creator"]
    if not any(level.actor == creator for level in call.authorization):
        raise MissingAuthorizationError(f"tonomy.newaccount needs an authorization of the creator {creator!r}")
    accounts.create_account(
        call.state,
        data["name"],
        data["type"],
        creator=creator,
        owner=_authority(data, "owner"),
        active=_authority(data, "active"),
        created_at=call.height,
    )


def validate_updateauth(data: Mapping[str, Any]) -> None:
    _fields(data, {"account", "permission", "parent", "authority"})
    _text(data, "account")
    _text(data, "permission")
    _text(data, "parent", nullable=True)
    _authority(data, "authority")


def updateauth(call: SystemCall, data: Mapping[str, Any]) -> None:
    declared = _single(call, "updateauth")
    account, permission, parent = data["account"], data["permission"], data["parent"]
    required = permissions.updateauth_requirement(call.state, account, permission, parent)
    permissions.check_permission_requirement(call.state, declared, required)
    permissions.update_auth(call.state, account, permission, parent, _authority(data, "authority"))


def validate_deleteauth(data: Mapping[str, Any]) -> None:
    _fields(data, {"account", "permission"})
    _text(data, "account")
    _text(data, "permission")


def deleteauth(call: SystemCall, data: Mapping[str, Any]) -> None:
    declared = _single(call, "deleteauth")
    required = permissions.deleteauth_requirement(call.state, data["account"], data["permission"])
    permissions.check_permission_requirement(call.state, declared, required)
    permissions.delete_auth(call.state, data["account"], data["permission"])


def validate_linkauth(data: Mapping[str, Any]) -> None:
    _fields(data, {"account", "plugin", "permission"}, frozenset({"action"}))
    for name in ("account", "plugin", "permission"):
        _text(data, name)
    _text(data, "action", nullable=True)


def linkauth(call: SystemCall, data: Mapping[str, Any]) -> None:
    declared = _single(call, "linkauth")
    account, plugin, action = data["account"], data["plugin"], data.get("action")
    required = permissions.linkauth_requirement(call.state, account, plugin, action)
    permissions.check_permission_requirement(call.state, declared, required)
    permissions.link_auth(call.state, account, plugin, action, data["permission"])


def validate_unlinkauth(data: Mapping[str, Any]) -> None:
    _fields(data, {"account", "plugin"}, frozenset({"action"}))
    _text(data, "account")
    _text(data, "plugin")
    _text(data, "action", nullable=True)


def unlinkauth(call: SystemCall, data: Mapping[str, Any]) -> None:
    declared = _single(call, "unlinkauth")
    account, plugin, action = data["account"], data["plugin"], data.get("action")
    required = permissions.unlinkauth_requirement(call.state, account, plugin, action)
    permissions.check_permission_requirement(call.state, declared, required)
    permissions.unlink_auth(call.state, account, plugin, action)


def validate_setvalidator(data: Mapping[str, Any]) -> None:
    _fields(data, {"key", "power"})
    if type(data["key"]) is not bytes or len(data["key"]) != 32:
        raise InvalidActionDataError("field 'key' must be a 32-byte Ed25519 public key")
    if type(data["power"]) is not int or not 0 <= data["power"] <= validator_set.MAX_POWER:
        raise InvalidActionDataError(f"field 'power' must be an integer from 0 (remove) to {validator_set.MAX_POWER}")


def setvalidator(call: SystemCall, data: Mapping[str, Any]) -> None:
    """Schedule a validator set change; only an executed governance proposal may (as the system account)."""
    from tonomy.chain.parameters import GOVERNANCE_PLUGIN, read_parameter

    governor = read_parameter(call.state, SYSTEM_PLUGIN, GOVERNANCE_PLUGIN)
    if not governor or call.caller != governor:
        raise MissingAuthorizationError("tonomy.setvalidator runs only as an action of the governance plugin")
    if PermissionLevel(SYSTEM_PLUGIN, "active") not in call.authorization:
        raise MissingAuthorizationError("tonomy.setvalidator needs the system account's authority (tonomy@active)")
    delay = read_parameter(call.state, SYSTEM_PLUGIN, "consensus_delay")
    try:
        validator_set.schedule_change(call.state, call.height, delay, data["key"], data["power"])
    except InvalidInputError as exc:
        raise InvalidActionDataError(f"tonomy.setvalidator: {exc.message}") from None


def validate_evidence(data: Mapping[str, Any]) -> None:
    evidence.conflicting_votes(data)


def record_evidence(call: SystemCall, data: Mapping[str, Any]) -> None:
    evidence.record_evidence(call.state, call.height, data)


def query_validators(state: StateView, params: Mapping[str, Any]) -> dict[str, Any]:
    """The stored schedule: every set with the height it takes effect at."""
    _fields(params, set())

    def entries(validators: validator_set.ValidatorSet) -> list[dict[str, Any]]:
        return [{"key": key.hex(), "power": power} for key, power in validators]

    return {"schedule": [{"effective": effective, "validators": entries(members)} for effective, members in validator_set.schedule(state)]}


# -- queries ------------------------------------------------------------------------------------


def query_account(state: StateView, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """An account with its permissions and links (None if it does not exist)."""
    _fields(params, {"name"})
    name = _text(params, "name")
    try:
        account = accounts.find_account(state, name)
    except InvalidInputError:
        raise
    except ValueError:  # an invalid name: there is no such account
        return None
    if account is None:
        return None
    return {
        "name": account.name,
        "type": account.type.value,
        "creator": account.creator,
        "created_at": account.created_at,
        "permissions": [
            {"name": p.name, "parent": p.parent, "authority": p.authority.to_record()}
            for p in permissions.list_permissions(state, name)
        ],
        "links": [
            {"plugin": link.plugin, "action": link.action, "permission": link.permission}
            for link in permissions.list_links(state, name)
        ],
    }


SYSTEM_QUERIES: Mapping[str, Callable[[StateView, Mapping[str, Any]], object]] = {
    "account": query_account,
    "validators": query_validators,
    "evidence": evidence.query_evidence,
    "plugins": lifecycle.query_plugins,
}


@dataclass(frozen=True, slots=True)
class SystemAction:
    name: str
    validate: Callable[[Mapping[str, Any]], None]
    handler: Callable[[SystemCall, Mapping[str, Any]], None]


SYSTEM_ACTIONS: Mapping[str, SystemAction] = {
    action.name: action
    for action in (
        SystemAction("newaccount", validate_newaccount, newaccount),
        SystemAction("updateauth", validate_updateauth, updateauth),
        SystemAction("deleteauth", validate_deleteauth, deleteauth),
        SystemAction("linkauth", validate_linkauth, linkauth),
        SystemAction("unlinkauth", validate_unlinkauth, unlinkauth),
        SystemAction("setvalidator", validate_setvalidator, setvalidator),
        SystemAction("evidence", validate_evidence, record_evidence),
    )
}
