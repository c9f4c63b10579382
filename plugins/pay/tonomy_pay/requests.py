"""Payment requests: a payee asks for an amount; a payer pays it exactly once.

A request names its payer, or none (open: anyone but the payee may pay it). It may
expire at a block height and/or a block time: it can be paid only while the block
is below both. The payee may cancel it while it is open. A request's record is
kept after it is paid or cancelled, so its status can always be queried.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Data, RecordSchema

from tonomy_pay import errors, fields
from tonomy_pay.data import maybe_text, maybe_whole, memo as memo_of, text, whole
from tonomy_pay.layout import request_key
from tonomy_pay.ledger import read_record, check_memo, deadline_reached, load_token, move, next_id, require_account

OPEN, PAID, CANCELLED, EXPIRED = "open", "paid", "cancelled", "expired"


def load_request(ctx: Any, request_id: int) -> dict[str, Any]:
    record = read_record(ctx, request_key(request_id))
    if record is None:
        errors.refuse(ctx, errors.UNKNOWN_REQUEST, f"there is no payment request {request_id}")
    return record


def is_expired(ctx: Any, record: dict[str, Any]) -> bool:
    return deadline_reached(ctx, record["expires_height"], record["expires_time_ms"])


def create_request(ctx: Any, data: Data) -> None:
    payee, symbol, amount = text(data, "payee"), text(data, "symbol"), whole(data, "amount")
    payer, memo = maybe_text(data, "payer"), memo_of(data)
    expires_height, expires_time_ms = maybe_whole(data, "expires_height"), maybe_whole(data, "expires_time_ms")
    ctx.require_auth(payee)
    load_token(ctx, symbol)
    if payer is not None:
        if payer == payee:
            errors.refuse(ctx, errors.SELF_TRANSFER, f"{payee} cannot request a payment from itself")
        require_account(ctx, payer, "payer")
    check_memo(ctx, memo)
    if deadline_reached(ctx, expires_height, expires_time_ms):
        errors.refuse(ctx, errors.INVALID_EXPIRY, f"the expiry must be after the current block (height {ctx.height}, time {ctx.time_ms})")
    request_id = next_id(ctx, "request")
    record = {
        "id": request_id,
        "payee": payee,
        "payer": payer,
        "symbol": symbol,
        "amount": amount,
        "memo": memo,
        "expires_height": expires_height,
        "expires_time_ms": expires_time_ms,
        "status": OPEN,
        "created_height": ctx.height,
        "paid_by": None,
        "closed_height": None,
    }
    ctx.state.put_record(request_key(request_id), record)
    ctx.emit("request_created", {k: v for k, v in record.items() if v is not None and k not in ("status", "paid_by", "closed_height")})


def pay_request(ctx: Any, data: Data) -> None:
    request_id, payer = whole(data, "id"), text(data, "payer")
    ctx.require_auth(payer)
    record = load_request(ctx, request_id)
    if record["status"] != OPEN:
        errors.refuse(ctx, errors.REQUEST_CLOSED, f"payment request {request_id} is already {record['status']}")
    if is_expired(ctx, record):
        errors.refuse(ctx, errors.REQUEST_EXPIRED, f"payment request {request_id} has expired")
    if record["payer"] is not None and record["payer"] != payer:
        errors.refuse(ctx, errors.WRONG_PAYER, f"payment request {request_id} is addressed to {record['payer']}, not {payer}")
    if payer == record["payee"]:
        errors.refuse(ctx, errors.SELF_TRANSFER, f"{payer} cannot pay its own payment request")
    move(ctx, payer, record["payee"], record["symbol"], record["amount"], record["memo"])
    record.update(status=PAID, paid_by=payer, closed_height=ctx.height)
    ctx.state.put_record(request_key(request_id), record)
    ctx.emit(
        "request_paid",
        {"id": request_id, "payer": payer, "payee": record["payee"], "symbol": record["symbol"], "amount": record["amount"]},
    )


def cancel_request(ctx: Any, data: Data) -> None:
    request_id = whole(data, "id")
    record = load_request(ctx, request_id)
    ctx.require_auth(record["payee"])
    if record["status"] != OPEN:
        errors.refuse(ctx, errors.REQUEST_CLOSED, f"payment request {request_id} is already {record['status']}")
    record.update(status=CANCELLED, closed_height=ctx.height)
    ctx.state.put_record(request_key(request_id), record)
    ctx.emit("request_cancelled", {"id": request_id, "payee": record["payee"]})


def request_view(ctx: Any, record: dict[str, Any]) -> dict[str, Any]:
    """The record as queries show it: an open request past its expiry reads ``expired``."""
    view = dict(record)
    if view["status"] == OPEN and is_expired(ctx, view):
        view["status"] = EXPIRED
    return view


ACTIONS = (
    ActionSpec(
        "create_request",
        create_request,
        RecordSchema(
            (
                fields.account("payee", "who asks to be paid"),
                fields.symbol(),
                fields.amount(),
                fields.account("payer", "who must pay; absent: anyone but the payee", required=False),
                fields.memo(),
                fields.height("expires_height", "payable only while the block height is below this"),
                fields.height("expires_time_ms", "payable only while the block time (ms) is below this"),
            )
        ),
        description="Create a payment request; its id is in the request_created event (authority: payee)",
    ),
    ActionSpec(
        "pay_request",
        pay_request,
        RecordSchema((fields.record_id("the payment request"), fields.account("payer", "who pays"))),
        description="Pay an open, unexpired payment request in full, exactly once (authority: payer)",
    ),
    ActionSpec(
        "cancel_request",
        cancel_request,
        RecordSchema((fields.record_id("the payment request"),)),
        description="Cancel an open payment request (authority: its payee)",
    ),
)
