"""DAO proposals: members propose actions, members vote, anyone executes the approved ones.

A proposal fixes at creation its DAO's settings and its snapshot height
(``created - 1``). Who may vote: accounts that are members now and joined before the
proposal was created (joining later adds nothing; a removed member votes no more).
Weight: 1 per member (``members``), or the member's Pay balance at the snapshot
(``token``: Pay's ``balance_at``; tokens moved after the snapshot add nothing).

Schedule (``c`` = creation height): votes from ``c + 1`` to ``vote_end = c +
voting_period``; ``eta = vote_end + 1 + timelock``; runs while ``height < eta + grace``.
Outcome: ``no_quorum`` unless ``turnout * 10000 >= quorum_bps * total``; ``approved``
if ``yes * 10000 > approval_bps * (yes + no)``; else ``rejected``.

Execution runs each action carrying ``<actor>@<permission>`` (actor: the DAO, or an
account the DAO created with ``create_account``; permission default ``active``)
through this plugin's authority ``tonomy.code@dao``. Actions that name any other
actor are refused at ``propose`` (so one DAO can never act for another, even though
every DAO lists ``tonomy.code@dao``).
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, PermissionLevel, RecordSchema, decode_record

from tonomy_dao.daos import account_field
from tonomy_dao import daos, errors, layout
from tonomy_dao.members import membership

MAX_ACTIONS = 16
MAX_ACTIONS_BYTES = 16 * 1024
YES, NO, ABSTAIN = 1, 0, 2
ACTION_FIELDS = {"plugin", "name", "data"}
OPTIONAL_ACTION_FIELDS = {"actor", "permission"}


def _parse_actions(ctx: Any, dao: str, raw: bytes) -> list[dict[str, Any]]:
    try:
        actions = decode_record(raw)
    except Exception:  # malformed bytes from the proposer
        errors.refuse(ctx, errors.INVALID_ACTIONS, "actions are not a canonical list")
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        errors.refuse(ctx, errors.INVALID_ACTIONS, f"actions are a list of at most {MAX_ACTIONS}")
    for action in actions:
        if not (isinstance(action, dict) and ACTION_FIELDS <= set(action) <= ACTION_FIELDS | OPTIONAL_ACTION_FIELDS):
            errors.refuse(ctx, errors.INVALID_ACTIONS, "each action is {plugin, name, data, actor?, permission?}")
        if not (isinstance(action["plugin"], str) and isinstance(action["name"], str) and isinstance(action["data"], dict)):
            errors.refuse(ctx, errors.INVALID_ACTIONS, "plugin and name are strings, data is a record")
        actor = action.get("actor", dao)
        if not isinstance(actor, str) or not isinstance(action.get("permission", "active"), str):
            errors.refuse(ctx, errors.INVALID_ACTIONS, "actor and permission are strings")
        if actor != dao and ("/" in actor or ctx.state.get(layout.owned_key(dao, actor)) is None):
            errors.refuse(ctx, errors.INVALID_ACTIONS, f"{dao} may act only as itself or an account it created, not {actor!r}")
    return actions


def propose(ctx: Any, data: Any) -> None:
    record = daos.load(ctx, data["dao"])
    dao, proposer = record["name"], data["proposer"]
    ctx.require_auth(proposer)
    if membership(ctx, dao, proposer) is None:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{proposer} is not a member of {dao}")
    _parse_actions(ctx, dao, data["actions"])
    config = record["config"]
    pid = int(ctx.state.get_record(layout.SEQ_PROPOSAL) or 0) + 1
    ctx.state.put_record(layout.SEQ_PROPOSAL, pid)
    vote_end = ctx.height + config["voting_period"]
    eta = vote_end + 1 + config["timelock"]
    snapshot = ctx.height - 1
    if config["strategy"] == "token":
        total = ctx.query("pay", "supply_at", {"symbol": config["symbol"], "height": snapshot})
    else:
        total = record["members"]
    proposal = {
        "id": pid, "dao": dao, "proposer": proposer, "title": data["title"], "actions": data["actions"],
        "created_height": ctx.height, "snapshot": snapshot, "vote_end": vote_end, "eta": eta, "expires": eta + config["grace"],
        "strategy": config["strategy"], "symbol": config.get("symbol"), "quorum_bps": config["quorum_bps"],
        "approval_bps": config["approval_bps"], "total": total if type(total) is int else 0,
        "yes": 0, "no": 0, "abstain": 0, "voters": 0, "executed_height": None,
    }
    ctx.state.put_record(layout.proposal_key(pid), proposal)
    ctx.emit("proposed", {"id": pid, "dao": dao, "proposer": proposer, "title": data["title"]})


def load(ctx: Any, pid: int) -> dict[str, Any]:
    proposal = ctx.state.get_record(layout.proposal_key(pid))
    if proposal is None:
        errors.refuse(ctx, errors.UNKNOWN_PROPOSAL, f"there is no DAO proposal {pid}")
    return dict(proposal)


def vote(ctx: Any, data: Any) -> None:
    proposal = load(ctx, data["id"])
    pid, dao, voter, choice = proposal["id"], proposal["dao"], data["voter"], data["choice"]
    ctx.require_auth(voter)
    if not proposal["created_height"] < ctx.height <= proposal["vote_end"] or proposal["executed_height"] is not None:
        errors.refuse(ctx, errors.NOT_ACTIVE, f"proposal {pid} takes votes from height {proposal['created_height'] + 1} to {proposal['vote_end']}")
    member = membership(ctx, dao, voter)
    if member is None or member["joined_height"] >= proposal["created_height"]:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{voter} was not a member of {dao} when proposal {pid} was made")
    if ctx.state.get(layout.ballot_key(pid, voter)) is not None:
        errors.refuse(ctx, errors.ALREADY_VOTED, f"{voter} already voted on proposal {pid}")
    if proposal["strategy"] == "token":
        weight = ctx.query("pay", "balance_at", {"account": voter, "symbol": proposal["symbol"], "height": proposal["snapshot"]})
        weight = weight if type(weight) is int and weight > 0 else 0
    else:
        weight = 1
    if weight == 0:
        errors.refuse(ctx, errors.NO_POWER, f"{voter} held no {proposal['symbol']} at height {proposal['snapshot']}")
    proposal[{YES: "yes", NO: "no", ABSTAIN: "abstain"}[choice]] += weight
    proposal["voters"] += 1
    ctx.state.put_record(layout.ballot_key(pid, voter), {"choice": choice, "weight": weight})
    ctx.state.put_record(layout.proposal_key(pid), proposal)
    ctx.emit("voted", {"id": pid, "voter": voter, "choice": choice, "weight": weight})


def outcome(proposal: dict[str, Any]) -> str:
    turnout = proposal["yes"] + proposal["no"] + proposal["abstain"]
    if turnout * 10_000 < proposal["quorum_bps"] * proposal["total"] or turnout == 0:
        return "no_quorum"
    decisive = proposal["yes"] + proposal["no"]
    return "approved" if proposal["yes"] * 10_000 > proposal["approval_bps"] * decisive else "rejected"


def state(proposal: dict[str, Any], height: int) -> str:
    if proposal["executed_height"] is not None:
        return "executed"
    if height <= proposal["vote_end"]:
        return "active"
    result = outcome(proposal)
    if result != "approved":
        return result
    if height < proposal["eta"] - 1:
        return "queued"
    return "executable" if height < proposal["expires"] - 1 else "expired"


def execute(ctx: Any, data: Any) -> None:
    proposal = load(ctx, data["id"])
    pid, dao = proposal["id"], proposal["dao"]
    if proposal["executed_height"] is not None:
        errors.refuse(ctx, errors.FINAL, f"proposal {pid} was already executed")
    if ctx.height <= proposal["vote_end"] or outcome(proposal) != "approved":
        errors.refuse(ctx, errors.NOT_APPROVED, f"proposal {pid} is not approved")
    if ctx.height < proposal["eta"]:
        errors.refuse(ctx, errors.TIMELOCK, f"proposal {pid} may run from height {proposal['eta']}")
    if ctx.height >= proposal["expires"]:
        errors.refuse(ctx, errors.EXPIRED, f"proposal {pid} expired at height {proposal['expires']}")
    proposal["executed_height"] = ctx.height
    ctx.state.put_record(layout.proposal_key(pid), proposal)  # marked first: no re-entry
    actions = _parse_actions(ctx, dao, proposal["actions"])  # ownership is checked again now
    for action in actions:
        level = PermissionLevel(action.get("actor", dao), action.get("permission", "active"))
        ctx.call_with_plugin_authority(action["plugin"], action["name"], action["data"], [level])
    ctx.emit("executed", {"id": pid, "dao": dao, "actions": len(actions)})


def get_proposal(ctx: Any, params: Any) -> dict[str, Any] | None:
    found = ctx.state.get_record(layout.proposal_key(params["id"]))
    if found is None:
        return None
    proposal: dict[str, Any] = dict(found)
    proposal["actions"] = decode_record(proposal["actions"])
    proposal["outcome"] = outcome(proposal) if ctx.height > proposal["vote_end"] else None
    proposal["state"] = state(proposal, ctx.height)
    return proposal


def get_ballot(ctx: Any, params: Any) -> dict[str, Any] | None:
    found = ctx.state.get_record(layout.ballot_key(params["id"], params["account"])) if "/" not in params["account"] else None
    return None if found is None else dict(found)


ID = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1),))
PROPOSE = RecordSchema(
    (
        daos.DAO_FIELD,
        account_field("proposer"),
        Field("title", str, minimum=1, maximum=200),
        Field("actions", bytes, maximum=MAX_ACTIONS_BYTES, description="canonical [{plugin, name, data, actor?, permission?}]"),
    )
)
VOTE = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1), account_field("voter"), Field("choice", int, minimum=0, maximum=2, description="1 yes, 0 no, 2 abstain")))
BALLOT = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1), account_field("account")))
