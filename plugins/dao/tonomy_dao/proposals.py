"""DAO proposals: members propose actions, members vote, anyone executes the approved ones.

They run on the governance plugin's engine, on the DAO's scoped track ``<dao>:main``
(``daos.main_track``): ``propose``, ``vote`` and ``execute`` check the DAO's own rules
(membership, actors) and call ``governance.propose/vote/execute``; governance's execute
calls back ``run_proposal``, which runs the actions as the DAO only while governance is
executing that very proposal. Ids are governance's; ``proposal`` shows the DAO's view.

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

from tonomy.plugin import Field, PermissionLevel, RecordSchema, decode_record, encode_record

from tonomy_dao.daos import account_field
from tonomy_dao import daos, errors, layout, strategies
from tonomy_dao.members import membership

MAX_ACTIONS = 16
MAX_ACTIONS_BYTES = 16 * 1024
YES, NO, ABSTAIN = 1, 0, 2
#: The DAO's choices and the governance engine's: its only option is "yes" (0).
TO_GOVERNANCE = {YES: 0, NO: -1, ABSTAIN: -2}
FROM_GOVERNANCE = {value: key for key, value in TO_GOVERNANCE.items()}
NETWORK = "network"
EXECUTE_REFUSALS = {
    "governance.final": errors.FINAL,
    "governance.not_approved": errors.NOT_APPROVED,
    "governance.timelock": errors.TIMELOCK,
    "governance.expired": errors.EXPIRED,
}
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
    """Check the DAO's own rules, then create the proposal on the DAO's governance track."""
    record = daos.load(ctx, data["dao"])
    dao, proposer = record["name"], data["proposer"]
    ctx.require_auth(proposer)
    if membership(ctx, dao, proposer) is None:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{proposer} is not a member of {dao}")
    actions = _parse_actions(ctx, dao, data["actions"])
    pid = int(ctx.query(daos.GOVERNANCE, "next_proposal_id", {}))
    options = encode_record([{"label": "yes", "actions": actions}])
    ctx.call(daos.GOVERNANCE, "propose", {"proposer": proposer, "track": daos.track_name(dao), "title": data["title"], "options": options})
    ctx.emit("proposed", {"id": pid, "dao": dao, "proposer": proposer, "title": data["title"]})


def _governed(ctx: Any, pid: int) -> dict[str, Any]:
    """The governance proposal ``pid`` if it is a DAO's, else ``dao.unknown_proposal``."""
    found = ctx.query(daos.GOVERNANCE, "proposal", {"id": pid})
    if found is None or found.get("scope", NETWORK) == NETWORK or ctx.state.get(layout.dao_key(found["scope"])) is None:
        errors.refuse(ctx, errors.UNKNOWN_PROPOSAL, f"there is no DAO proposal {pid}")
    return dict(found)


def _translated(exc: Exception, translations: dict[str, str]) -> str | None:
    code = getattr(exc, "code", None)
    return translations.get(code) if isinstance(code, str) else None


def vote(ctx: Any, data: Any) -> None:
    proposal = _governed(ctx, data["id"])
    pid, dao, voter, choice = proposal["id"], proposal["scope"], data["voter"], data["choice"]
    ctx.require_auth(voter)
    if not proposal["created_height"] < ctx.height <= proposal["vote_end"] or proposal["final"] is not None:
        errors.refuse(ctx, errors.NOT_ACTIVE, f"proposal {pid} takes votes from height {proposal['created_height'] + 1} to {proposal['vote_end']}")
    member = membership(ctx, dao, voter)
    if member is None or member["joined_height"] >= proposal["created_height"]:
        errors.refuse(ctx, errors.NOT_MEMBER, f"{voter} was not a member of {dao} when proposal {pid} was made")
    if ctx.query(daos.GOVERNANCE, "ballot", {"id": pid, "account": voter}) is not None:
        errors.refuse(ctx, errors.ALREADY_VOTED, f"{voter} already voted on proposal {pid}")
    try:
        ctx.call(daos.GOVERNANCE, "vote", {"id": pid, "voter": voter, "choice": TO_GOVERNANCE[choice]})
    except Exception as exc:
        reason = _translated(exc, {"governance.no_power": errors.NO_POWER})
        if reason is None:
            raise
        errors.refuse(ctx, reason, f"{voter} holds no voting power on proposal {pid} at height {proposal['snapshot']['height']}")
    ballot = ctx.query(daos.GOVERNANCE, "ballot", {"id": pid, "account": voter})
    ctx.emit("voted", {"id": pid, "voter": voter, "choice": choice, "weight": ballot["weight"]})


def execute(ctx: Any, data: Any) -> None:
    """Anyone: governance executes the approved proposal, which has this plugin run it as the DAO."""
    proposal = _governed(ctx, data["id"])
    try:
        ctx.call(daos.GOVERNANCE, "execute", {"id": proposal["id"]}, [])
    except Exception as exc:
        reason = _translated(exc, EXECUTE_REFUSALS)
        if reason is None:
            raise
        errors.refuse(ctx, reason, getattr(exc, "message", str(exc)))


def run_proposal(ctx: Any, data: Any) -> None:
    """Run a DAO proposal's approved actions as the DAO: only while governance executes it."""
    pid = data["id"]
    if ctx.query(daos.GOVERNANCE, "executing", {}) != pid:
        errors.refuse(ctx, errors.NOT_ALLOWED, f"proposal {pid} runs only inside governance.execute of that proposal")
    proposal = _governed(ctx, pid)
    if ctx.state.get(layout.ran_key(pid)) is not None:
        errors.refuse(ctx, errors.FINAL, f"proposal {pid} was already executed")
    ctx.state.put_record(layout.ran_key(pid), ctx.height)  # marked first: no re-entry
    dao = proposal["scope"]
    actions = _parse_actions(ctx, dao, encode_record(decode_record(proposal["options"])[proposal["executed_option"]]["actions"]))
    for action in actions:
        level = PermissionLevel(action.get("actor", dao), action.get("permission", "active"))
        ctx.call_with_plugin_authority(action["plugin"], action["name"], action["data"], [level])
    ctx.emit("executed", {"id": pid, "dao": dao, "actions": len(actions)})


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


def view(ctx: Any, found: dict[str, Any]) -> dict[str, Any]:
    """A governance proposal of a DAO in the DAO's shape (what ``tonomy dao`` shows)."""
    snapshot, counts = found["snapshot"], found["tally"]
    strategy = found["strategy"].split(".", 1)[-1]
    total = (strategies.members_total if strategy == "members" else strategies.token_total)(ctx, snapshot)
    proposal: dict[str, Any] = {
        "id": found["id"], "dao": found["scope"], "proposer": found["proposer"], "title": found["title"],
        "actions": decode_record(found["options"])[0]["actions"], "created_height": found["created_height"],
        "snapshot": snapshot["height"], "vote_end": found["vote_end"], "eta": found["eta"], "expires": found["expires"],
        "strategy": strategy, "symbol": snapshot.get("symbol") or None, "quorum_bps": found["quorum_bps"],
        "approval_bps": found["approval_bps"], "total": total, "yes": counts["options"][0], "no": counts["against"],
        "abstain": counts["abstain"], "voters": counts["voters"], "executed_height": found.get("executed_height"),
    }
    proposal["outcome"] = outcome(proposal) if ctx.height > proposal["vote_end"] else None
    proposal["state"] = state(proposal, ctx.height)
    return proposal


def get_proposal(ctx: Any, params: Any) -> dict[str, Any] | None:
    found = ctx.query(daos.GOVERNANCE, "proposal", {"id": params["id"]})
    if found is None or found.get("scope", NETWORK) == NETWORK:
        return None
    return view(ctx, dict(found))


def get_ballot(ctx: Any, params: Any) -> dict[str, Any] | None:
    if "/" in params["account"] or get_proposal(ctx, {"id": params["id"]}) is None:
        return None
    found = ctx.query(daos.GOVERNANCE, "ballot", {"id": params["id"], "account": params["account"]})
    return None if found is None else {"choice": FROM_GOVERNANCE[found["choice"]], "weight": found["weight"]}


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
