"""Members and roles: invite, join (with the DAO's requirement), leave, removal by vote.

Roles: ``member`` (votes, proposes) and ``admin`` (also invites members). Only the
DAO itself — an executed proposal — invites admins, changes roles or removes a
member; no admin can remove anyone on their own.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema, decode_record

from tonomy_dao.daos import account_field
from tonomy_dao import daos, errors, layout, requirements

ROLES = ("member", "admin")


def membership(ctx: Any, dao: str, account: str) -> dict[str, Any] | None:
    if "/" in account:
        return None
    found = ctx.state.get_record(layout.member_key(dao, account))
    return None if found is None else dict(found)


def _role(ctx: Any, role: str) -> str:
    if role not in ROLES:
        errors.refuse(ctx, errors.INVALID_ROLE, f"roles are {', '.join(ROLES)}; not {role!r}")
    return role


def invite(ctx: Any, data: Any) -> None:
    record = daos.load(ctx, data["dao"])
    dao, inviter, account = record["name"], data["inviter"], data["account"]
    role = _role(ctx, data.get("role", "member"))
    ctx.require_auth(inviter)
    if inviter != dao:
        found = membership(ctx, dao, inviter)
        if found is None or found["role"] != "admin" or role != "member":
            errors.refuse(ctx, errors.NOT_ALLOWED, f"{inviter} may not invite a {role} to {dao} (admins invite members; the DAO itself invites admins)")
    if not ctx.account_exists(account):
        errors.refuse(ctx, errors.NOT_MEMBER, f"{account!r} is not an account")
    if membership(ctx, dao, account) is not None:
        errors.refuse(ctx, errors.ALREADY_MEMBER, f"{account} is already a member of {dao}")
    ctx.state.put_record(layout.invite_key(dao, account), {"role": role, "by": inviter, "height": ctx.height})
    ctx.emit("invited", {"dao": dao, "account": account, "role": role, "by": inviter})


def checkpoint(ctx: Any, record: dict[str, Any]) -> None:
    """Record the member count at this height: strategies read it at a proposal's snapshot."""
    ctx.state.put_record(layout.count_key(record["name"], ctx.height), record["members"])


def members_at(ctx: Any, dao: str, height: int) -> int:
    """Members of ``dao`` at the end of block ``height`` (0 before it existed)."""
    prefix = layout.count_prefix(dao)
    for _, raw in ctx.state.items(layout.count_key(dao, height), layout.prefix_end(prefix)):
        return int(decode_record(raw))
    return 0


def query_members_at(ctx: Any, params: Any) -> int:
    return members_at(ctx, params["dao"], params["height"]) if "/" not in params["dao"] else 0


def join(ctx: Any, data: Any) -> None:
    record = daos.load(ctx, data["dao"])
    dao, account = record["name"], data["account"]
    ctx.require_auth(account)
    if membership(ctx, dao, account) is not None:
        errors.refuse(ctx, errors.ALREADY_MEMBER, f"{account} is already a member of {dao}")
    invitation = ctx.state.get_record(layout.invite_key(dao, account))
    if invitation is None and not record["config"]["open"]:
        errors.refuse(ctx, errors.NOT_INVITED, f"{dao} admits members by invitation and {account} has none")
    requirements.check(ctx, record["config"]["requirement"], account, data.get("evidence", b""))
    role = "member" if invitation is None else invitation["role"]
    ctx.state.delete(layout.invite_key(dao, account))
    ctx.state.put_record(layout.member_key(dao, account), {"role": role, "joined_height": ctx.height})
    record["members"] += 1
    ctx.state.put_record(layout.dao_key(dao), record)
    checkpoint(ctx, record)
    ctx.emit("joined", {"dao": dao, "account": account, "role": role})


def _drop(ctx: Any, record: dict[str, Any], account: str, event: str) -> None:
    dao = record["name"]
    if membership(ctx, dao, account) is None:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{account} is not a member of {dao}")
    ctx.state.delete(layout.member_key(dao, account))
    record["members"] -= 1
    ctx.state.put_record(layout.dao_key(dao), record)
    checkpoint(ctx, record)
    ctx.emit(event, {"dao": dao, "account": account})


def leave(ctx: Any, data: Any) -> None:
    record = daos.load(ctx, data["dao"])
    ctx.require_auth(data["account"])
    _drop(ctx, record, data["account"], "left")


def remove(ctx: Any, data: Any) -> None:
    """Only the DAO itself: a member is removed by an executed proposal, never by one member."""
    record = daos.load(ctx, data["dao"])
    ctx.require_auth(record["name"])
    _drop(ctx, record, data["account"], "removed")


def set_role(ctx: Any, data: Any) -> None:
    record = daos.load(ctx, data["dao"])
    dao, account = record["name"], data["account"]
    ctx.require_auth(dao)
    role = _role(ctx, data["role"])
    found = membership(ctx, dao, account)
    if found is None:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{account} is not a member of {dao}")
    found["role"] = role
    ctx.state.put_record(layout.member_key(dao, account), found)
    ctx.emit("role_set", {"dao": dao, "account": account, "role": role})


def list_members(ctx: Any, params: Any) -> list[dict[str, Any]]:
    prefix = layout.member_prefix(params["dao"])
    return [{"account": key[len(prefix):].decode(), **decode_record(raw)} for key, raw in ctx.state.items(prefix, layout.prefix_end(prefix))]


def get_member(ctx: Any, params: Any) -> dict[str, Any] | None:
    return membership(ctx, params["dao"], params["account"])


_ACCOUNT = account_field("account")
_ROLE = Field("role", str, minimum=1, maximum=16)
INVITE = RecordSchema((daos.DAO_FIELD, account_field("inviter"), _ACCOUNT, Field("role", str, required=False, minimum=1, maximum=16)))
JOIN = RecordSchema((daos.DAO_FIELD, _ACCOUNT, Field("evidence", bytes, required=False, maximum=4096)))
MEMBER = RecordSchema((daos.DAO_FIELD, _ACCOUNT))
SET_ROLE = RecordSchema((daos.DAO_FIELD, _ACCOUNT, _ROLE))
