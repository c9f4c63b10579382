"""Escrow: a payer locks units for a payee, with an arbiter and a deadline.

``deposit`` takes the amount out of the payer's balance into the escrow. While the
escrow is open, exactly one of these ends it:

* ``release_escrow`` pays the payee; the payer or the arbiter may do it, any time;
* ``refund_escrow`` returns the amount to the payer; the arbiter may do it any time,
  the payer only once the deadline is reached.

An ended escrow stays ended: a second release or refund fails with
``pay.escrow_closed``, so funds leave an escrow at most once.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Data, RecordSchema

from tonomy_pay import errors, fields
from tonomy_pay.data import maybe_whole, memo as memo_of, text, whole
from tonomy_pay.layout import escrow_key
from tonomy_pay.ledger import read_record, check_memo, credit, deadline_reached, debit, load_token, next_id, require_account

OPEN, RELEASED, REFUNDED = "open", "released", "refunded"


def load_escrow(ctx: Any, escrow_id: int) -> dict[str, Any]:
    record = read_record(ctx, escrow_key(escrow_id))
    if record is None:
        errors.refuse(ctx, errors.UNKNOWN_ESCROW, f"there is no escrow {escrow_id}")
    return record


def _deadline_reached(ctx: Any, record: dict[str, Any]) -> bool:
    return deadline_reached(ctx, record["deadline_height"], record["deadline_time_ms"])


def deposit(ctx: Any, data: Data) -> None:
    payer, payee, arbiter = text(data, "payer"), text(data, "payee"), text(data, "arbiter")
    symbol, amount, memo = text(data, "symbol"), whole(data, "amount"), memo_of(data)
    deadline_height, deadline_time_ms = maybe_whole(data, "deadline_height"), maybe_whole(data, "deadline_time_ms")
    ctx.require_auth(payer)
    if len({payer, payee, arbiter}) != 3:
        errors.refuse(ctx, errors.INVALID_PARTIES, "payer, payee and arbiter must be three different accounts")
    load_token(ctx, symbol)
    require_account(ctx, payee, "payee")
    require_account(ctx, arbiter, "arbiter")
    check_memo(ctx, memo)
    if deadline_height is None and deadline_time_ms is None:
        errors.refuse(ctx, errors.INVALID_DEADLINE, "an escrow needs deadline_height or deadline_time_ms")
    if deadline_reached(ctx, deadline_height, deadline_time_ms):
        errors.refuse(ctx, errors.INVALID_DEADLINE, f"the deadline must be after the current block (height {ctx.height}, time {ctx.time_ms})")
    debit(ctx, payer, symbol, amount)
    escrow_id = next_id(ctx, "escrow")
    record = {
        "id": escrow_id,
        "payer": payer,
        "payee": payee,
        "arbiter": arbiter,
        "symbol": symbol,
        "amount": amount,
        "memo": memo,
        "deadline_height": deadline_height,
        "deadline_time_ms": deadline_time_ms,
        "status": OPEN,
        "created_height": ctx.height,
        "closed_by": None,
        "closed_height": None,
    }
    ctx.state.put_record(escrow_key(escrow_id), record)
    ctx.emit("escrow_deposited", {k: v for k, v in record.items() if v is not None and k not in ("status", "closed_by", "closed_height")})


def _close(ctx: Any, record: dict[str, Any], status: str, actor: str, beneficiary: str, event: str) -> None:
    credit(ctx, beneficiary, record["symbol"], record["amount"])
    record.update(status=status, closed_by=actor, closed_height=ctx.height)
    ctx.state.put_record(escrow_key(record["id"]), record)
    ctx.emit(event, {"id": record["id"], "by": actor, "to": beneficiary, "symbol": record["symbol"], "amount": record["amount"]})


def _open_escrow_for(ctx: Any, data: Data) -> tuple[dict[str, Any], str]:
    escrow_id, actor = whole(data, "id"), text(data, "actor")
    ctx.require_auth(actor)
    record = load_escrow(ctx, escrow_id)
    if record["status"] != OPEN:
        errors.refuse(ctx, errors.ESCROW_CLOSED, f"escrow {escrow_id} is already {record['status']}")
    return record, actor


def release_escrow(ctx: Any, data: Data) -> None:
    record, actor = _open_escrow_for(ctx, data)
    if actor not in (record["payer"], record["arbiter"]):
        errors.refuse(ctx, errors.NOT_ALLOWED, f"only the payer or the arbiter may release escrow {record['id']}")
    _close(ctx, record, RELEASED, actor, record["payee"], "escrow_released")


def refund_escrow(ctx: Any, data: Data) -> None:
    record, actor = _open_escrow_for(ctx, data)
    if actor == record["payer"]:
        if not _deadline_reached(ctx, record):
            errors.refuse(ctx, errors.DEADLINE_NOT_REACHED, f"the payer may refund escrow {record['id']} only after its deadline")
    elif actor != record["arbiter"]:
        errors.refuse(ctx, errors.NOT_ALLOWED, f"only the arbiter, or the payer after the deadline, may refund escrow {record['id']}")
    _close(ctx, record, REFUNDED, actor, record["payer"], "escrow_refunded")


def escrow_view(ctx: Any, record: dict[str, Any]) -> dict[str, Any]:
    view = dict(record)
    view["deadline_reached"] = _deadline_reached(ctx, record)
    return view


_ACTOR = fields.account("actor", "who acts: its authority is required")

ACTIONS = (
    ActionSpec(
        "deposit",
        deposit,
        RecordSchema(
            (
                fields.account("payer", "who locks the funds"),
                fields.account("payee", "who receives them on release"),
                fields.account("arbiter", "who may release or refund at any time"),
                fields.symbol(),
                fields.amount(),
                fields.memo(),
                fields.height("deadline_height", "from this block height the payer may refund"),
                fields.height("deadline_time_ms", "from this block time (ms) the payer may refund"),
            )
        ),
        description="Lock funds in escrow; its id is in the escrow_deposited event (authority: payer)",
    ),
    ActionSpec(
        "release_escrow",
        release_escrow,
        RecordSchema((fields.record_id("the escrow"), _ACTOR)),
        description="Pay an open escrow to its payee (authority: actor, the payer or the arbiter)",
    ),
    ActionSpec(
        "refund_escrow",
        refund_escrow,
        RecordSchema((fields.record_id("the escrow"), _ACTOR)),
        description="Return an open escrow to its payer (authority: actor, the arbiter; or the payer after the deadline)",
    ),
)
