"""Creating a DAO and changing its governance settings.

A DAO is an account of type ``dao`` whose ``owner`` and ``active`` authorities are
``{threshold 1; tonomy.code@dao (1)}``: no key at all. The checker never satisfies
``tonomy.code@dao`` from signatures; the engine grants it only to this plugin's
running handler, and the only handler that uses it for a DAO is ``execute``, after
the DAO's members approved the proposal. So nobody — not the creator, not an admin,
not the validators — can act for the DAO except through its own executed proposals.

Its proposals run on the governance plugin's engine: ``create`` sets the DAO's track
``<dao>:main`` there (scope: the DAO) from its settings, ``configure`` updates it.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, PermissionLevel, RecordSchema

from tonomy_dao import errors, layout, requirements



def account_field(name: str) -> Field:
    return Field(name, str, minimum=3, maximum=32)


PLUGIN_AUTHORITY = {"threshold": 1, "keys": [], "accounts": [{"actor": "tonomy.code", "permission": "dao", "weight": 1}], "waits": []}
STRATEGIES = ("members", "token")

#: Governance settings: name -> (default, minimum, maximum). Heights are blocks; bps are 1/10000.
SETTINGS: dict[str, tuple[int, int, int]] = {
    "voting_period": (10, 1, 100_000_000),
    "timelock": (0, 0, 100_000_000),
    "grace": (50, 1, 100_000_000),
    "quorum_bps": (5000, 0, 10_000),
    "approval_bps": (5000, 0, 9_999),
}


def setting_fields(required: bool) -> tuple[Field, ...]:
    return tuple(Field(name, int, required=required, minimum=low, maximum=high) for name, (_d, low, high) in SETTINGS.items()) + (
        Field("strategy", str, required=required, minimum=1, maximum=16, description="members (one member, one vote) or token (Pay balance at the snapshot)"),
        Field("symbol", str, required=False, minimum=1, maximum=12, description="the Pay token of the token strategy"),
        Field("open", bool, required=required, description="anyone meeting the requirement may join without an invitation"),
        Field("requirement", bytes, required=required, maximum=requirements.MAX_SPEC_BYTES, description="canonical {plugin, query, params}, or empty"),
    )


GOVERNANCE = "governance"
MAIN_TRACK = "main"


def track_name(dao: str) -> str:
    """The DAO's track in the governance plugin (scoped ``<dao>:main``)."""
    return f"{dao}:{MAIN_TRACK}"


def main_track(dao: str, config: dict[str, Any]) -> dict[str, Any]:
    """The DAO's settings as a governance track: voting opens the block after the proposal,
    no deposit, no veto, the DAO's own strategy (``dao.members`` or ``dao.token``)."""
    return {
        "name": MAIN_TRACK,
        "scope": dao,
        "deposit": 0,
        "voting_delay": 1,
        "voting_period": config["voting_period"],
        "quorum_bps": config["quorum_bps"],
        "approval_bps": config["approval_bps"],
        "veto_bps": 10_000,
        "timelock": config["timelock"],
        "grace": config["grace"],
        "strategy": f"dao.{config['strategy']}",
        "symbol": config.get("symbol") or "",
        "matches": "*",
    }


def load(ctx: Any, name: str) -> dict[str, Any]:
    record = ctx.state.get_record(layout.dao_key(name)) if isinstance(name, str) and "/" not in name else None
    if record is None:
        errors.refuse(ctx, errors.UNKNOWN_DAO, f"there is no DAO {name!r}")
    return dict(record)


def _apply_settings(ctx: Any, config: dict[str, Any], data: Any) -> None:
    for name in SETTINGS:
        if name in data:
            config[name] = data[name]
    for name in ("strategy", "symbol", "open"):
        if name in data:
            config[name] = data[name]
    if "requirement" in data:
        config["requirement"] = requirements.parse_spec(ctx, data["requirement"])
    if config["strategy"] not in STRATEGIES:
        errors.refuse(ctx, errors.INVALID_CONFIG, f"strategy must be one of {', '.join(STRATEGIES)}")
    if config["strategy"] == "token" and not config.get("symbol"):
        errors.refuse(ctx, errors.INVALID_CONFIG, "the token strategy needs a symbol")


def create(ctx: Any, data: Any) -> None:
    creator, name = data["creator"], data["name"]
    ctx.require_auth(creator)
    if ctx.account_exists(name):
        errors.refuse(ctx, errors.DAO_EXISTS, f"the account {name!r} already exists")
    config: dict[str, Any] = {key: default for key, (default, _l, _h) in SETTINGS.items()}
    config.update({"strategy": "members", "symbol": None, "open": False, "requirement": None})
    _apply_settings(ctx, config, data)
    carried = [level for level in ctx.authorization if level.actor == creator][:1]
    ctx.call("tonomy", "newaccount", {"creator": creator, "name": name, "type": "dao", "owner": PLUGIN_AUTHORITY, "active": PLUGIN_AUTHORITY}, carried)
    ctx.state.put_record(layout.dao_key(name), {"name": name, "creator": creator, "created_height": ctx.height, "config": config, "members": 1})
    ctx.state.put_record(layout.member_key(name, creator), {"role": "admin", "joined_height": ctx.height})
    ctx.state.put_record(layout.count_key(name, ctx.height), 1)
    # The DAO's governance runs on the governance plugin's engine: its track, set with the DAO's authority.
    ctx.call_with_plugin_authority(GOVERNANCE, "set_track", main_track(name, config), [PermissionLevel(name, "active")])
    ctx.emit("dao_created", {"dao": name, "creator": creator, "config": config})


def configure(ctx: Any, data: Any) -> None:
    """Change the DAO's own settings: only the DAO itself (an executed proposal)."""
    record = load(ctx, data["dao"])
    ctx.require_auth(record["name"])
    _apply_settings(ctx, record["config"], data)
    ctx.state.put_record(layout.dao_key(record["name"]), record)
    ctx.call(GOVERNANCE, "set_track", main_track(record["name"], record["config"]), [PermissionLevel(record["name"], "active")])
    ctx.emit("dao_configured", {"dao": record["name"], "config": record["config"]})


def create_account(ctx: Any, data: Any) -> None:
    """A DAO-owned account: owner and active = ``<dao>@active``; it acts only through the DAO's proposals."""
    record = load(ctx, data["dao"])
    dao = record["name"]
    ctx.require_auth(dao)
    name = data["name"]
    authority = {"threshold": 1, "keys": [], "accounts": [{"actor": dao, "permission": "active", "weight": 1}], "waits": []}
    carried = [level for level in ctx.authorization if level.actor == dao][:1]
    ctx.call("tonomy", "newaccount", {"creator": dao, "name": name, "type": "dao", "owner": authority, "active": authority}, carried)
    ctx.state.put_record(layout.owned_key(dao, name), ctx.height)
    ctx.emit("account_created", {"dao": dao, "account": name})


def get_dao(ctx: Any, params: Any) -> dict[str, Any] | None:
    name = params["dao"]
    record = ctx.state.get_record(layout.dao_key(name)) if "/" not in name else None
    if record is not None:
        prefix = layout.owned_prefix(name)
        record["owned_accounts"] = [key[len(prefix):].decode() for key, _ in ctx.state.items(prefix, layout.prefix_end(prefix))]
    return record


DAO_FIELD = account_field("dao")
CREATE = RecordSchema((account_field("creator"), account_field("name")) + setting_fields(False))
CONFIGURE = RecordSchema((DAO_FIELD,) + setting_fields(False))
CREATE_ACCOUNT = RecordSchema((DAO_FIELD, account_field("name")))
DAO_ONLY = RecordSchema((DAO_FIELD,))
