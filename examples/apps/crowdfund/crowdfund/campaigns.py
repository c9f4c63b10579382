"""Campaigns, pledges, claims and refunds (heights only, integer amounts)."""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, PermissionLevel, RecordSchema

ESCROW_KEY = b"seq/escrow"
SEQ_KEY = b"seq/campaign"
OPEN, FUNDED, FAILED = "open", "funded", "failed"
APP_AUTHORITY = {"threshold": 1, "keys": [], "accounts": [{"actor": "tonomy.code", "permission": "crowdfund", "weight": 1}], "waits": []}


def account(name: str) -> Field:
    return Field(name, str, minimum=3, maximum=32)


ID = RecordSchema((Field("id", int, minimum=1, maximum=2**63),))
OPEN_ESCROW = RecordSchema((account("payer"), account("account")))
CREATE = RecordSchema(
    (
        account("creator"),
        Field("title", str, minimum=1, maximum=120),
        Field("symbol", str, minimum=1, maximum=12),
        Field("goal", int, minimum=1, maximum=2**96),
        Field("deadline", int, minimum=1, maximum=2**62, description="last height that takes pledges"),
    )
)
PLEDGE = RecordSchema((Field("id", int, minimum=1, maximum=2**63), account("backer"), Field("amount", int, minimum=1, maximum=2**96)))
REFUND = RecordSchema((Field("id", int, minimum=1, maximum=2**63), account("backer")))


def campaign_key(cid: int) -> bytes:
    return b"campaign/" + str(cid).zfill(20).encode()


def pledge_key(cid: int, backer: str) -> bytes:
    return b"pledge/" + str(cid).zfill(20).encode() + b"/" + backer.encode()


def escrow(ctx: Any) -> str:
    name = ctx.state.get_record(ESCROW_KEY)
    if name is None:
        ctx.fail("no_escrow", "the app's escrow account is not open yet (open_escrow)")
    return str(name)


def load(ctx: Any, cid: int) -> dict[str, Any]:
    record = ctx.state.get_record(campaign_key(cid))
    if record is None:
        ctx.fail("unknown_campaign", "no campaign has this id")
    return dict(record)


def state_of(record: dict[str, Any], height: int) -> str:
    if record["status"] != OPEN or height <= record["deadline"]:
        return str(record["status"])
    return FUNDED if record["raised"] >= record["goal"] else FAILED


def open_escrow(ctx: Any, data: Any) -> None:
    payer, name = data["payer"], data["account"]
    ctx.require_auth(payer)
    if ctx.state.get(ESCROW_KEY) is not None:
        ctx.fail("escrow_exists", "the escrow account is already open")
    carried = [level for level in ctx.authorization if level.actor == payer][:1]
    ctx.call("tonomy", "newaccount", {"creator": payer, "name": name, "type": "app", "owner": APP_AUTHORITY, "active": APP_AUTHORITY}, carried)
    ctx.state.put_record(ESCROW_KEY, name)
    ctx.emit("escrow_opened", {"account": name})


def create(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["creator"])
    if data["deadline"] <= ctx.height:
        ctx.fail("invalid_deadline", "the deadline must be a future height")
    escrow(ctx)
    cid = int(ctx.state.get_record(SEQ_KEY) or 0) + 1
    ctx.state.put_record(SEQ_KEY, cid)
    ctx.state.put_record(campaign_key(cid), {
        "id": cid, "creator": data["creator"], "title": data["title"], "symbol": data["symbol"],
        "goal": data["goal"], "deadline": data["deadline"], "raised": 0, "status": OPEN, "created": ctx.height,
    })
    ctx.emit("created", {"id": cid, "creator": data["creator"], "goal": data["goal"]})


def pledge(ctx: Any, data: Any) -> None:
    cid, backer, amount = data["id"], data["backer"], data["amount"]
    ctx.require_auth(backer)
    record = load(ctx, cid)
    if ctx.height > record["deadline"]:
        ctx.fail("closed", "the campaign no longer takes pledges")
    carried = [level for level in ctx.authorization if level.actor == backer][:1]
    ctx.call("pay", "transfer", {"from": backer, "to": escrow(ctx), "symbol": record["symbol"], "amount": amount, "memo": f"pledge {cid}"}, carried)
    record["raised"] += amount
    ctx.state.put_record(campaign_key(cid), record)
    ctx.state.put_record(pledge_key(cid, backer), int(ctx.state.get_record(pledge_key(cid, backer)) or 0) + amount)
    ctx.emit("pledged", {"id": cid, "backer": backer, "amount": amount})


def _pay_out(ctx: Any, to: str, symbol: str, amount: int, memo: str) -> None:
    source = escrow(ctx)
    ctx.call_with_plugin_authority("pay", "transfer", {"from": source, "to": to, "symbol": symbol, "amount": amount, "memo": memo},
                                   [PermissionLevel(source, "active")])


def claim(ctx: Any, data: Any) -> None:
    record = load(ctx, data["id"])
    if state_of(record, ctx.height) != FUNDED or record["status"] != OPEN:
        ctx.fail("not_funded", "only an open campaign past its deadline that reached its goal pays out, once")
    record["status"] = FUNDED
    ctx.state.put_record(campaign_key(record["id"]), record)
    _pay_out(ctx, record["creator"], record["symbol"], record["raised"], f"campaign {record['id']} funded")
    ctx.emit("claimed", {"id": record["id"], "amount": record["raised"]})


def refund(ctx: Any, data: Any) -> None:
    cid, backer = data["id"], data["backer"]
    record = load(ctx, cid)
    if state_of(record, ctx.height) != FAILED:
        ctx.fail("not_refundable", "only a campaign past its deadline that missed its goal refunds")
    amount = int(ctx.state.get_record(pledge_key(cid, backer)) or 0)
    if amount == 0:
        ctx.fail("nothing_to_refund", "this backer has no pledge left in this campaign")
    ctx.state.delete(pledge_key(cid, backer))
    if record["status"] == OPEN:
        record["status"] = FAILED
    record["raised"] -= amount
    ctx.state.put_record(campaign_key(cid), record)
    _pay_out(ctx, backer, record["symbol"], amount, f"refund of campaign {cid}")
    ctx.emit("refunded", {"id": cid, "backer": backer, "amount": amount})


def get_campaign(ctx: Any, params: Any) -> Any:
    record = ctx.state.get_record(campaign_key(params["id"]))
    if record is None:
        return None
    view = dict(record)
    view["state"] = state_of(view, ctx.height)
    return view


def get_pledge(ctx: Any, params: Any) -> Any:
    return int(ctx.state.get_record(pledge_key(params["id"], params["backer"])) or 0)


def get_escrow(ctx: Any, params: Any) -> Any:
    return ctx.state.get_record(ESCROW_KEY)
