"""Social recovery: M-of-N guardians replace a lost owner/active key after a delay.

Lifecycle (docs in the README, section "Recovery"):

1. The account opts in with its owner key: its ``owner`` authority lists the plugin
   authority level ``tonomy.code@identity`` with weight ≥ threshold (the only thing
   that lets this plugin ever change the account), and ``set_guardians`` names N
   guardian accounts, the threshold M and the delay.
2. A guardian ``request_recovery`` with the new owner and active keys; the delay starts.
   Other guardians ``approve_recovery`` that exact request (by its id).
3. During the delay the owner may ``cancel_recovery``; any one guardian may
   ``lock_recovery`` (once per request): execution is blocked for ``recovery_lock_s``.
4. ``execute_recovery`` (anyone may send it) succeeds only when the delay is over,
   at least M of the *current* guardians approved, and no lock holds. The plugin then
   runs the system plugin's ``updateauth`` for owner and active, carrying
   ``<account>@owner`` through its plugin authority. Guardians never hold any part
   of the owner authority themselves, so no transaction they sign can skip the delay.
5. The event ``recovery_executed`` is the hook point for recovering private data
   (vault re-keying is another plugin's job; it follows this event).
"""

from __future__ import annotations

from typing import Any

from tonomy_identity import layout
from tonomy_identity.chainview import account_info, require_account
from tonomy_identity.crypto import tagged_hash
from tonomy_identity.schemas import Shape, account, integer, items, raw

PLUGIN_AUTHORITY = {"actor": "tonomy.code", "permission": "identity"}
MAX_GUARDIANS = 10
MIN_DELAY_S = 3600
MAX_DELAY_S = 90 * 86400
DEFAULT_MIN_DELAY_S = 86400
DEFAULT_LOCK_S = 7 * 86400
REQUEST_TAG = "tonomy/identity/recovery-request/v1"

SET_GUARDIANS_SCHEMA = Shape(
    {
        "account": account(),
        "guardians": items(account(), 1, MAX_GUARDIANS),
        "threshold": integer(1, MAX_GUARDIANS),
        "delay_s": integer(MIN_DELAY_S, MAX_DELAY_S),
    }
)
ACCOUNT_SCHEMA = Shape({"account": account()})
REQUEST_SCHEMA = Shape({"account": account(), "guardian": account(), "new_owner_key": raw(32), "new_active_key": raw(32)})
BY_ID_SCHEMA = Shape({"account": account(), "guardian": account(), "request_id": raw(32)})


def parameter(ctx: Any, name: str, default: int) -> int:
    """A governable parameter if the host exposes them to handlers, else its default."""
    reader = getattr(ctx, "parameter", None)
    if reader is None:
        return default
    value = reader(name)
    return value if type(value) is int else default


def key_authority(key: bytes) -> dict[str, Any]:
    return {"threshold": 1, "keys": [{"key": key, "weight": 1}], "accounts": [], "waits": []}


def recoverable_owner_authority(key: bytes) -> dict[str, Any]:
    """Owner = the key, or this plugin (after a completed recovery); either alone suffices."""
    return {
        "threshold": 1,
        "keys": [{"key": key, "weight": 1}],
        "accounts": [dict(PLUGIN_AUTHORITY, weight=1)],
        "waits": [],
    }


def grants_plugin_authority(info: dict[str, Any]) -> bool:
    for permission in info["permissions"]:
        if permission["name"] == "owner":
            authority = permission["authority"]
            return any(
                entry["actor"] == PLUGIN_AUTHORITY["actor"]
                and entry["permission"] == PLUGIN_AUTHORITY["permission"]
                and entry["weight"] >= authority["threshold"]
                for entry in authority["accounts"]
            )
    return False


def request_id(owner: str, new_owner_key: bytes, new_active_key: bytes, started_ms: int) -> bytes:
    body = len(owner).to_bytes(1, "big") + owner.encode() + new_owner_key + new_active_key + started_ms.to_bytes(8, "big")
    return tagged_hash(REQUEST_TAG, body)


def _config(ctx: Any, owner: str) -> dict[str, Any]:
    config: dict[str, Any] | None = ctx.state.get_record(layout.guardians_key(owner))
    if config is None:
        ctx.fail("no_guardians", f"{owner!r} has no recovery guardians")
        raise AssertionError("ctx.fail raises")
    return config


def _pending(ctx: Any, owner: str) -> dict[str, Any]:
    pending: dict[str, Any] | None = ctx.state.get_record(layout.recovery_key(owner))
    if pending is None:
        ctx.fail("no_recovery", f"{owner!r} has no recovery in progress")
        raise AssertionError("ctx.fail raises")
    return pending


def _guardian(ctx: Any, config: dict[str, Any], guardian: str) -> None:
    ctx.require_auth(guardian)
    if guardian not in config["guardians"]:
        ctx.fail("not_guardian", f"{guardian!r} is not a guardian of this account")


# -- configuration (owner) ---------------------------------------------------------------------


def set_guardians(ctx: Any, data: Any) -> None:
    owner, guardians, threshold = data["account"], sorted(data["guardians"]), data["threshold"]
    ctx.require_auth(owner, "owner")
    info = require_account(ctx, owner)
    if not grants_plugin_authority(info):
        ctx.fail(
            "no_plugin_authority",
            f"{owner}@owner must list tonomy.code@identity with weight >= its threshold before guardians can recover it",
        )
    if threshold > len(guardians):
        ctx.fail("invalid_guardians", f"threshold {threshold} is more than the {len(guardians)} guardians")
    if owner in guardians:
        ctx.fail("invalid_guardians", "an account cannot be its own guardian")
    for guardian in guardians:
        if account_info(ctx, guardian) is None:
            ctx.fail("unknown_account", f"guardian {guardian!r} does not exist")
    minimum = parameter(ctx, "min_recovery_delay_s", DEFAULT_MIN_DELAY_S)
    if data["delay_s"] < minimum:
        ctx.fail("invalid_guardians", f"the recovery delay must be at least {minimum} seconds")
    if ctx.state.get_record(layout.recovery_key(owner)) is not None:
        ctx.state.delete(layout.recovery_key(owner))  # a new guardian set voids a running request
        ctx.emit("recovery_cancelled", {"account": owner, "reason": "guardians changed"})
    ctx.state.put_record(
        layout.guardians_key(owner), {"guardians": guardians, "threshold": threshold, "delay_s": data["delay_s"]}
    )
    ctx.emit("guardians_set", {"account": owner, "guardians": guardians, "threshold": threshold})


def remove_guardians(ctx: Any, data: Any) -> None:
    owner = data["account"]
    ctx.require_auth(owner, "owner")
    _config(ctx, owner)
    ctx.state.delete(layout.guardians_key(owner))
    ctx.state.delete(layout.recovery_key(owner))
    ctx.emit("guardians_removed", {"account": owner})


def cancel_recovery(ctx: Any, data: Any) -> None:
    """The owner stops a recovery in progress (also clears its locks)."""
    owner = data["account"]
    ctx.require_auth(owner, "owner")
    pending = _pending(ctx, owner)
    ctx.state.delete(layout.recovery_key(owner))
    ctx.emit("recovery_cancelled", {"account": owner, "request_id": pending["id"]})


# -- guardians ----------------------------------------------------------------------------------


def request_recovery(ctx: Any, data: Any) -> None:
    owner, guardian = data["account"], data["guardian"]
    config = _config(ctx, owner)
    _guardian(ctx, config, guardian)
    if ctx.state.get_record(layout.recovery_key(owner)) is not None:
        ctx.fail("recovery_pending", f"a recovery of {owner!r} is already in progress; approve it or wait for it")
    if data["new_owner_key"] == data["new_active_key"]:
        ctx.fail("invalid_guardians", "the new owner and active keys must differ")
    rid = request_id(owner, data["new_owner_key"], data["new_active_key"], ctx.time_ms)
    ctx.state.put_record(
        layout.recovery_key(owner),
        {
            "id": rid,
            "new_owner_key": data["new_owner_key"],
            "new_active_key": data["new_active_key"],
            "started_ms": ctx.time_ms,
            "approvals": [guardian],
            "locks": [],
        },
    )
    ctx.emit("recovery_requested", {"account": owner, "request_id": rid, "guardian": guardian,
                                    "executable_from_ms": ctx.time_ms + config["delay_s"] * 1000})


def _same_request(ctx: Any, pending: dict[str, Any], rid: bytes) -> None:
    if pending["id"] != rid:
        ctx.fail("stale_request", "the request id does not match the recovery in progress")


def approve_recovery(ctx: Any, data: Any) -> None:
    owner, guardian = data["account"], data["guardian"]
    config = _config(ctx, owner)
    _guardian(ctx, config, guardian)
    pending = _pending(ctx, owner)
    _same_request(ctx, pending, data["request_id"])
    if guardian not in pending["approvals"]:
        pending["approvals"] = sorted(pending["approvals"] + [guardian])
        ctx.state.put_record(layout.recovery_key(owner), pending)
    ctx.emit("recovery_approved", {"account": owner, "request_id": pending["id"], "guardian": guardian})


def lock_recovery(ctx: Any, data: Any) -> None:
    """Any one guardian blocks execution for ``recovery_lock_s``; once per guardian per request."""
    owner, guardian = data["account"], data["guardian"]
    config = _config(ctx, owner)
    _guardian(ctx, config, guardian)
    pending = _pending(ctx, owner)
    _same_request(ctx, pending, data["request_id"])
    if any(lock["guardian"] == guardian for lock in pending["locks"]):
        ctx.fail("already_locked", f"{guardian!r} already locked this request once")
    until = ctx.time_ms + parameter(ctx, "recovery_lock_s", DEFAULT_LOCK_S) * 1000
    pending["locks"] = sorted(pending["locks"] + [{"guardian": guardian, "until_ms": until}], key=lambda x: x["guardian"])
    ctx.state.put_record(layout.recovery_key(owner), pending)
    ctx.emit("recovery_locked", {"account": owner, "request_id": pending["id"], "guardian": guardian, "until_ms": until})


def execute_recovery(ctx: Any, data: Any) -> None:
    owner = data["account"]
    config = _config(ctx, owner)
    pending = _pending(ctx, owner)
    ready_ms = pending["started_ms"] + config["delay_s"] * 1000
    if ctx.time_ms < ready_ms:
        ctx.fail("delay_not_over", f"the recovery delay ends at {ready_ms} ms (block time is {ctx.time_ms})")
    approvals = [g for g in pending["approvals"] if g in config["guardians"]]
    if len(approvals) < config["threshold"]:
        ctx.fail("below_threshold", f"{len(approvals)} of the {config['threshold']} guardian approvals needed")
    held = [lock for lock in pending["locks"] if lock["until_ms"] > ctx.time_ms]
    if held:
        ctx.fail("locked", f"locked by {held[0]['guardian']!r} until {held[0]['until_ms']} ms")
    level = _owner_level(owner)
    ctx.call_with_plugin_authority(
        "tonomy",
        "updateauth",
        {"account": owner, "permission": "owner", "parent": None,
         "authority": recoverable_owner_authority(pending["new_owner_key"])},
        [level],
    )
    ctx.call_with_plugin_authority(
        "tonomy",
        "updateauth",
        {"account": owner, "permission": "active", "parent": "owner", "authority": key_authority(pending["new_active_key"])},
        [level],
    )
    ctx.state.delete(layout.recovery_key(owner))
    # The hook point for private-data recovery: the vault re-keys on this event.
    ctx.emit("recovery_executed", {"account": owner, "request_id": pending["id"], "approvals": approvals,
                                   "new_owner_key": pending["new_owner_key"], "new_active_key": pending["new_active_key"]})


def _owner_level(owner: str) -> Any:
    from tonomy.plugin import PermissionLevel  # the value type ctx.call takes

    return PermissionLevel(owner, "owner")


def query_recovery(ctx: Any, params: Any) -> dict[str, Any]:
    owner = params["account"]
    return {
        "guardians": ctx.state.get_record(layout.guardians_key(owner)),
        "pending": ctx.state.get_record(layout.recovery_key(owner)),
    }


# -- client helpers -----------------------------------------------------------------------------


def enable_recovery_data(owner: str, owner_key: bytes, guardians: list[str], threshold: int, delay_s: int) -> list[tuple[str, str, dict[str, Any]]]:
    """The two actions (plugin, name, data) an owner signs to opt in, both as ``<owner>@owner``."""
    return [
        ("tonomy", "updateauth", {"account": owner, "permission": "owner", "parent": None,
                                   "authority": recoverable_owner_authority(owner_key)}),
        ("identity", "set_guardians", {"account": owner, "guardians": sorted(guardians), "threshold": threshold,
                                       "delay_s": delay_s}),
    ]


def recoveries_since(chain: Any, from_height: int, to_height: int | None = None) -> list[dict[str, Any]]:
    """The private-data recovery hook point, for a node-side follower (a vault, a wallet service).

    Every ``recovery_executed`` event of blocks ``from_height <= h < to_height``, in
    order, decoded: ``{account, request_id, approvals, new_owner_key, new_active_key,
    height, tx_id}``. Re-keying the account's private data is the follower's job.
    """
    from tonomy.plugin import decode_record

    found = []
    for event in chain.get_events(from_height, to_height):
        if event["plugin"] == "identity" and event["name"] == "recovery_executed":
            record = dict(decode_record(event["data"]))
            record.update(height=event["height"], tx_id=event["tx_id"])
            found.append(record)
    return found
